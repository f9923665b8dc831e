// The collector's /metrics in-process: real gRPC with mTLS, real RocksDB, a real HTTP client
// (libcurl). The sink is a scripted stand-in (the engines have their own tests against real
// servers) so that its written/retried/dead-lettered numbers are known exactly.

#include "collector/server/collector_metrics.h"

#include <curl/curl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <thread>

#include "collector/server/collector_server.h"
#include "collector/server/test_client.h"
#include "collector/testing/test_pki.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"

namespace airfleet::collector {
namespace {

using ::testing::HasSubstr;
using testing::MakeBatch;

constexpr int64_t kT0 = 1'700'000'040'000'000'000;

// What the scripted sink did, shared with the test (the hub owns the sink).
struct SinkLog {
  std::atomic<uint64_t> ok{0};
  std::atomic<uint64_t> retried{0};
  std::atomic<uint64_t> dropped{0};
};

// Drops the window of device 0x100 for good and answers RETRY once for device 0x101's window.
class ScriptedSink : public sinks::Sink {
 public:
  explicit ScriptedSink(std::shared_ptr<SinkLog> log) : log_(std::move(log)) {}
  std::string_view name() const override { return "scripted"; }
  absl::Status Open() override { return absl::OkStatus(); }
  std::vector<sinks::ItemResult> Write(const std::vector<sinks::Record>& records) override {
    std::vector<sinks::ItemResult> out;
    for (const sinks::Record& r : records) {
      sinks::ItemResult result;
      if (const auto* w = std::get_if<sinks::WindowRecord>(&r)) {
        if (w->window.mac() == 0x100) result.verdict = sinks::Verdict::kDrop;
        if (w->window.mac() == 0x101 && !retried_once_) {
          retried_once_ = true;
          result.verdict = sinks::Verdict::kRetry;
        }
      }
      switch (result.verdict) {
        case sinks::Verdict::kOk:
          ++log_->ok;
          break;
        case sinks::Verdict::kRetry:
          ++log_->retried;
          result.reason = "try again";
          break;
        case sinks::Verdict::kDrop:
          ++log_->dropped;
          result.reason = "refused";
          break;
      }
      out.push_back(result);
    }
    return out;
  }

 private:
  std::shared_ptr<SinkLog> log_;
  bool retried_once_ = false;
};

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// GET http://address/metrics; empty on a connection error.
std::string Scrape(const std::string& address, long* status = nullptr) {
  std::string body;
  CURL* curl = curl_easy_init();
  const std::string url = "http://" + address + "/metrics";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  const CURLcode rc = curl_easy_perform(curl);
  if (status != nullptr) {
    *status = 0;
    if (rc == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
  }
  curl_easy_cleanup(curl);
  return rc == CURLE_OK ? body : "";
}

// "name{labels}" -> value, for every sample line.
std::map<std::string, double> Samples(const std::string& text) {
  std::map<std::string, double> out;
  static const std::regex kLine(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})?) (\S+)$)");
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (line.empty() || line[0] == '#') continue;
    if (std::regex_match(line, m, kLine))
      out[m[1]] = std::stod(m[3]);
    else
      ADD_FAILURE() << "not a sample line: " << line;
  }
  return out;
}

// The sample is there and has this value (a missing family must not read as 0).
bool Is(const std::map<std::string, double>& s, const std::string& key, double value) {
  auto it = s.find(key);
  return it != s.end() && it->second == value;
}

class CollectorMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::path(::testing::TempDir()) /
            ("collector_metrics_" + std::to_string(::getpid()));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ / "pki");
    auto pki = airfleet::testing::TestPki::Create((root_ / "pki").string());
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = std::make_unique<airfleet::testing::TestPki>(std::move(*pki));
    auto collector_cert = pki_->IssueCollector();
    auto agent_cert = pki_->Issue("pi-1", "pi-1", "agent");
    ASSERT_TRUE(collector_cert.ok() && agent_cert.ok());
    agent_ = *agent_cert;

    CollectorOptions options;
    options.data_dir = (root_ / "data").string();
    options.ca_file = pki_->ca_path();
    options.cert_file = collector_cert->cert_path;
    options.key_file = collector_cert->key_path;
    options.now_ns = [] { return kT0 + 120'000'000'000; };
    options.metrics_listen = "127.0.0.1:0";
    options.make_sinks = [log =
                              log_]() -> absl::StatusOr<std::vector<std::unique_ptr<sinks::Sink>>> {
      std::vector<std::unique_ptr<sinks::Sink>> built;
      built.push_back(std::make_unique<ScriptedSink>(log));
      return built;
    };
    options.sink_options.delivery.idle_poll = std::chrono::milliseconds(5);
    options.sink_options.delivery.backoff_initial = std::chrono::milliseconds(1);
    options.sink_options.delivery.backoff_max = std::chrono::milliseconds(5);
    auto c = Collector::Start(options);
    ASSERT_TRUE(c.ok()) << c.status();
    collector_ = std::move(*c);
  }
  void TearDown() override {
    collector_.reset();
    std::filesystem::remove_all(root_);
  }

  // Polls the endpoint until `done` holds for its samples (or fails after a deadline).
  std::map<std::string, double> ScrapeUntil(
      const std::function<bool(std::map<std::string, double>&)>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    std::map<std::string, double> s;
    do {
      s = Samples(Scrape(collector_->metrics_address()));
      if (done(s)) return s;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    } while (std::chrono::steady_clock::now() < deadline);
    ADD_FAILURE() << "condition not reached before the deadline";
    return s;
  }

  std::filesystem::path root_;
  std::unique_ptr<airfleet::testing::TestPki> pki_;
  airfleet::testing::TestCert agent_;
  std::shared_ptr<SinkLog> log_ = std::make_shared<SinkLog>();
  std::unique_ptr<Collector> collector_;
};

TEST_F(CollectorMetricsTest, CountersAgreeWithWhatWasCommittedAndDelivered) {
  // The port-0 endpoint is found in the data dir, like collector.addr.
  std::ifstream addr_file(root_ / "data" / "metrics.addr");
  std::string from_file;
  std::getline(addr_file, from_file);
  EXPECT_EQ(from_file, collector_->metrics_address());
  EXPECT_THAT(from_file, ::testing::StartsWith("127.0.0.1:"));

  auto stub = v1::Ingest::NewStub(testing::MakeChannel(
      collector_->address(), {pki_->ca_pem(), agent_.cert_pem, agent_.key_pem}));
  grpc::ClientContext context;
  auto stream = stub->Stream(&context);
  v1::AgentMessage hello;
  hello.mutable_hello()->set_agent_id("pi-1");
  hello.mutable_hello()->set_stream_id(7);
  ASSERT_TRUE(stream->Write(hello));
  // Three batches of 4, then the second one again (a duplicate), then a batch claiming to be
  // another agent (an identity mismatch).
  uint64_t base = 0x100;
  for (uint64_t seq = 1; seq <= 3; ++seq, base += 4) {
    v1::AgentMessage m;
    *m.mutable_batch() = MakeBatch("pi-1", 7, seq, base, 4, kT0);
    ASSERT_TRUE(stream->Write(m));
    v1::CollectorMessage ack;
    ASSERT_TRUE(stream->Read(&ack));
    EXPECT_EQ(ack.ack().committed_sequence(), seq);
  }
  v1::AgentMessage again;
  *again.mutable_batch() = MakeBatch("pi-1", 7, 2, 0x104, 4, kT0);
  ASSERT_TRUE(stream->Write(again));
  v1::CollectorMessage ack;
  ASSERT_TRUE(stream->Read(&ack));

  auto s = ScrapeUntil([](auto& s) { return Is(s, "airfleet_ingest_duplicate_batches_total", 1); });
  EXPECT_EQ(s.at("airfleet_ingest_batches_committed_total"), 3);
  EXPECT_EQ(s.at("airfleet_ingest_summaries_committed_total"), 12);
  EXPECT_EQ(s.at("airfleet_ingest_streams_active"), 1);
  EXPECT_EQ(s.at("airfleet_collector_agents_connected"), 1);
  EXPECT_EQ(s.at("airfleet_ingest_identity_mismatches_total"), 0);
  EXPECT_EQ(s.at("airfleet_build_info{component=\"collector\",version=\"0.1.0\"}"), 1);

  v1::AgentMessage impostor;
  *impostor.mutable_batch() = MakeBatch("pi-2", 7, 4, 0x200, 1, kT0);
  stream->Write(impostor);
  stream->WritesDone();
  v1::CollectorMessage ignored;
  while (stream->Read(&ignored)) {
  }
  stream->Finish().IgnoreError();

  // The sink delivered everything: each of its verdicts is in its family, labelled by sink.
  s = ScrapeUntil([](auto& s) {
    return Is(s, "airfleet_sink_pending_entries{sink=\"scripted\"}", 0) &&
           Is(s, "airfleet_ingest_identity_mismatches_total", 1) &&
           Is(s, "airfleet_collector_agents_connected", 0);
  });
  EXPECT_EQ(s.at("airfleet_sink_open{sink=\"scripted\"}"), 1);
  EXPECT_EQ(s.at("airfleet_sink_written_total{sink=\"scripted\"}"), log_->ok.load());
  EXPECT_GE(log_->ok.load(), 12u - 1);  // every window but the dropped one, plus devices etc.
  EXPECT_EQ(s.at("airfleet_sink_retried_total{sink=\"scripted\"}"), 1);
  EXPECT_EQ(s.at("airfleet_sink_dead_letters{sink=\"scripted\"}"), 1);
  EXPECT_EQ(s.at("airfleet_sink_lag_seconds{sink=\"scripted\"}"), 0);
  EXPECT_EQ(s.at("airfleet_outbox_quota_bytes"), 512 << 20);
  EXPECT_EQ(s.at("airfleet_outbox_over_quota"), 0);
  EXPECT_EQ(s.at("airfleet_ingest_streams_active"), 0);
  EXPECT_TRUE(s.count("airfleet_outbox_entries"));

  // Shutdown stops the endpoint before the parts it reads go away.
  const std::string address = collector_->metrics_address();
  collector_->Shutdown();
  long status = -1;
  EXPECT_EQ(Scrape(address, &status), "");
  EXPECT_EQ(status, 0);
}

TEST(CollectorMetricsStartTest, MalformedAddressFailsBeforeAnythingStarts) {
  CollectorOptions options;
  options.data_dir = ::testing::TempDir() + "/never-created-" + std::to_string(::getpid());
  options.ca_file = "/nonexistent/ca.pem";  // checked after the address
  options.metrics_listen = "127.0.0.1";
  auto c = Collector::Start(options);
  EXPECT_TRUE(absl::IsInvalidArgument(c.status())) << c.status();
  EXPECT_THAT(c.status().message(), HasSubstr("bad metrics listen address '127.0.0.1'"));
  EXPECT_FALSE(std::filesystem::exists(options.data_dir));
}

}  // namespace
}  // namespace airfleet::collector
