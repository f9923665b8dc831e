// End-to-end tests of the collector in-process: real gRPC over 127.0.0.1 with mTLS, real RocksDB,
// certificates from a throwaway PKI made with the openssl CLI.

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "collector/server/collector_server.h"
#include "collector/server/test_client.h"
#include "collector/testing/test_pki.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"

namespace airfleet::collector {
namespace {

using testing::ClientTls;
using testing::DeadlineIn;
using ::testing::HasSubstr;
using testing::MakeBatch;
using testing::MakeChannel;

constexpr int64_t kT0 = 1'700'000'040'000'000'000;
using Stream = grpc::ClientReaderWriter<v1::AgentMessage, v1::CollectorMessage>;

class IngestE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new std::filesystem::path(std::filesystem::path(::testing::TempDir()) /
                                      ("collector_ingest_e2e_" + std::to_string(::getpid())));
    std::filesystem::remove_all(*root_);
    std::filesystem::create_directories(*root_ / "pki");
    auto pki = airfleet::testing::TestPki::Create((*root_ / "pki").string());
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = new airfleet::testing::TestPki(std::move(*pki));
    auto must = [](absl::StatusOr<airfleet::testing::TestCert> c) {
      EXPECT_TRUE(c.ok()) << c.status();
      return c.ok() ? *c : airfleet::testing::TestCert{};
    };
    certs_ = new Certs{
        must(pki_->IssueCollector()),
        must(pki_->Issue("pi-1", "pi-1", "agent")),
        must(pki_->Issue("pi-2", "pi-2", "agent")),
        must(pki_->Issue("op", "alice", "operator")),
        must(pki_->Issue("rogue", "pi-1", "agent",
                         {.sans = {}, .expired = false, .from_other_ca = true})),
        must(pki_->Issue("expired", "pi-1", "agent", {.sans = {}, .expired = true})),
    };
  }
  static void TearDownTestSuite() {
    delete certs_;
    delete pki_;
    std::filesystem::remove_all(*root_);
    delete root_;
  }

  void SetUp() override {
    data_dir_ = *root_ / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(data_dir_);
    CollectorOptions options;
    options.data_dir = data_dir_.string();
    options.ca_file = pki_->ca_path();
    options.cert_file = certs_->collector.cert_path;
    options.key_file = certs_->collector.key_path;
    options.now_ns = [] { return kT0 + 120'000'000'000; };
    auto c = Collector::Start(options);
    ASSERT_TRUE(c.ok()) << c.status();
    collector_ = std::move(*c);
  }
  void TearDown() override {
    collector_.reset();
    std::filesystem::remove_all(data_dir_);
  }

  ClientTls TlsFor(const airfleet::testing::TestCert& cert) const {
    return ClientTls{pki_->ca_pem(), cert.cert_pem, cert.key_pem};
  }
  std::unique_ptr<v1::Ingest::Stub> IngestStub(const ClientTls& tls) {
    return v1::Ingest::NewStub(MakeChannel(collector_->address(), tls));
  }
  std::unique_ptr<v1::Admin::Stub> AdminStub(const ClientTls& tls) {
    return v1::Admin::NewStub(MakeChannel(collector_->address(), tls));
  }

  static v1::AgentMessage Hello(const std::string& agent, uint64_t stream) {
    v1::AgentMessage m;
    m.mutable_hello()->set_agent_id(agent);
    m.mutable_hello()->set_stream_id(stream);
    m.mutable_hello()->set_version("test-1");
    return m;
  }
  static v1::AgentMessage BatchMsg(v1::Batch b) {
    v1::AgentMessage m;
    *m.mutable_batch() = std::move(b);
    return m;
  }
  // Sends and waits for the next ack; returns its committed_sequence (or ~0 on stream end).
  static uint64_t SendAndAck(Stream* s, const v1::AgentMessage& m) {
    if (!s->Write(m)) return ~uint64_t{0};
    v1::CollectorMessage reply;
    if (!s->Read(&reply)) return ~uint64_t{0};
    return reply.ack().committed_sequence();
  }

  struct Certs {
    airfleet::testing::TestCert collector, pi1, pi2, op, rogue, expired;
  };
  static std::filesystem::path* root_;
  static airfleet::testing::TestPki* pki_;
  static Certs* certs_;
  std::filesystem::path data_dir_;
  std::unique_ptr<Collector> collector_;
};
std::filesystem::path* IngestE2eTest::root_ = nullptr;
airfleet::testing::TestPki* IngestE2eTest::pki_ = nullptr;
IngestE2eTest::Certs* IngestE2eTest::certs_ = nullptr;

TEST_F(IngestE2eTest, AddressFileMatchesListeningAddress) {
  auto addr = airfleet::testing::ReadFileToString((data_dir_ / "collector.addr").string());
  ASSERT_TRUE(addr.ok());
  EXPECT_EQ(*addr, collector_->address());
  EXPECT_THAT(*addr, ::testing::StartsWith("127.0.0.1:"));
  EXPECT_NE(*addr, "127.0.0.1:0");
}

TEST_F(IngestE2eTest, AcksAfterCommitAndReacksDuplicatesWithoutStoringTwice) {
  auto stub = IngestStub(TlsFor(certs_->pi1));
  grpc::ClientContext ctx;
  ctx.set_deadline(DeadlineIn(std::chrono::seconds(30)));
  auto stream = stub->Stream(&ctx);
  ASSERT_TRUE(stream->Write(Hello("pi-1", 42)));
  EXPECT_EQ(SendAndAck(stream.get(), BatchMsg(MakeBatch("pi-1", 42, 1, 0x100, 10, kT0))), 1u);
  EXPECT_EQ(SendAndAck(stream.get(), BatchMsg(MakeBatch("pi-1", 42, 2, 0x200, 10, kT0))), 2u);
  // The agent did not see ack 2 (say) and re-sends batch 2: acked again, not stored again.
  EXPECT_EQ(SendAndAck(stream.get(), BatchMsg(MakeBatch("pi-1", 42, 2, 0x200, 10, kT0))), 2u);
  stream->WritesDone();
  grpc::Status status = stream->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();

  EXPECT_EQ(collector_->ingest_counters().batches_committed.load(), 2u);
  EXPECT_EQ(collector_->ingest_counters().duplicates.load(), 1u);
  auto device = collector_->store().GetDevice(0x200, 10);
  ASSERT_TRUE(device.ok()) << device.status();
  EXPECT_EQ(device->device().frames(), 1 + 0x200 % 7);
  EXPECT_EQ(device->recent_windows_size(), 1);
  auto s = collector_->store().GetStream("pi-1", 42);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->committed_sequence, 2u);
  EXPECT_EQ(s->summaries, 20u);
}

TEST_F(IngestE2eTest, HelloOnKnownStreamIsAnsweredWithItsMark) {
  {
    auto stub = IngestStub(TlsFor(certs_->pi1));
    grpc::ClientContext ctx;
    ctx.set_deadline(DeadlineIn(std::chrono::seconds(30)));
    auto stream = stub->Stream(&ctx);
    ASSERT_TRUE(stream->Write(Hello("pi-1", 7)));
    ASSERT_EQ(SendAndAck(stream.get(), BatchMsg(MakeBatch("pi-1", 7, 5, 0x1, 3, kT0))), 5u);
    stream->WritesDone();
    ASSERT_TRUE(stream->Finish().ok());
  }
  auto stub = IngestStub(TlsFor(certs_->pi1));
  grpc::ClientContext ctx;
  ctx.set_deadline(DeadlineIn(std::chrono::seconds(30)));
  auto stream = stub->Stream(&ctx);
  EXPECT_EQ(SendAndAck(stream.get(), Hello("pi-1", 7)), 5u);
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(IngestE2eTest, BatchClaimingAnotherAgentIsDenied) {
  auto stub = IngestStub(TlsFor(certs_->pi1));
  grpc::ClientContext ctx;
  ctx.set_deadline(DeadlineIn(std::chrono::seconds(30)));
  auto stream = stub->Stream(&ctx);
  stream->Write(BatchMsg(MakeBatch("pi-2", 1, 1, 0x300, 5, kT0)));
  v1::CollectorMessage reply;
  EXPECT_FALSE(stream->Read(&reply));
  grpc::Status status = stream->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(),
              HasSubstr("claims agent id pi-2 but the certificate says pi-1"));
  EXPECT_EQ(collector_->ingest_counters().identity_mismatches.load(), 1u);
  EXPECT_EQ(collector_->store().GetDevice(0x300, 1).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(IngestE2eTest, HelloClaimingAnotherAgentIsDenied) {
  auto stub = IngestStub(TlsFor(certs_->pi2));
  grpc::ClientContext ctx;
  ctx.set_deadline(DeadlineIn(std::chrono::seconds(30)));
  auto stream = stub->Stream(&ctx);
  stream->Write(Hello("pi-1", 1));
  v1::CollectorMessage reply;
  EXPECT_FALSE(stream->Read(&reply));
  grpc::Status status = stream->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("but the certificate says pi-2"));
}

TEST_F(IngestE2eTest, OperatorCertificateCannotStream) {
  auto stub = IngestStub(TlsFor(certs_->op));
  grpc::ClientContext ctx;
  ctx.set_deadline(DeadlineIn(std::chrono::seconds(30)));
  auto stream = stub->Stream(&ctx);
  stream->Write(Hello("alice", 1));
  v1::CollectorMessage reply;
  EXPECT_FALSE(stream->Read(&reply));
  grpc::Status status = stream->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("'agent'"));
}

// The handshake itself fails: the client sees UNAVAILABLE and the service never runs.
TEST_F(IngestE2eTest, HandshakeRefusedWithoutValidClientCertificate) {
  struct Case {
    const char* name;
    ClientTls tls;
  };
  std::vector<Case> cases = {
      {"no client certificate", ClientTls{pki_->ca_pem(), "", ""}},
      {"certificate from another CA", TlsFor(certs_->rogue)},
      {"expired certificate", TlsFor(certs_->expired)},
  };
  for (const Case& c : cases) {
    auto stub = IngestStub(c.tls);
    grpc::ClientContext ctx;
    ctx.set_deadline(DeadlineIn(std::chrono::seconds(10)));
    auto stream = stub->Stream(&ctx);
    stream->Write(Hello("pi-1", 1));
    v1::CollectorMessage reply;
    EXPECT_FALSE(stream->Read(&reply)) << c.name;
    grpc::Status status = stream->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
        << c.name << ": " << status.error_message();
  }
  EXPECT_EQ(collector_->ingest_counters().streams_started.load(), 0u);
}

TEST_F(IngestE2eTest, AdminRequiresOperatorRole) {
  v1::ListAgentsResponse response;
  {
    grpc::ClientContext ctx;
    grpc::Status status =
        AdminStub(TlsFor(certs_->pi1))->ListAgents(&ctx, v1::ListAgentsRequest(), &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_THAT(status.error_message(), HasSubstr("'operator'"));
  }
  {
    grpc::ClientContext ctx;
    auto reader = AdminStub(TlsFor(certs_->pi1))->ExportWindows(&ctx, v1::ExportWindowsRequest());
    v1::StoredWindow w;
    EXPECT_FALSE(reader->Read(&w));
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  grpc::ClientContext ctx;
  EXPECT_TRUE(
      AdminStub(TlsFor(certs_->op))->ListAgents(&ctx, v1::ListAgentsRequest(), &response).ok());
}

TEST_F(IngestE2eTest, AdminViewsWhatWasIngested) {
  auto stub = IngestStub(TlsFor(certs_->pi1));
  grpc::ClientContext ictx;
  ictx.set_deadline(DeadlineIn(std::chrono::seconds(30)));
  auto stream = stub->Stream(&ictx);
  ASSERT_TRUE(stream->Write(Hello("pi-1", 9)));
  ASSERT_EQ(SendAndAck(stream.get(), BatchMsg(MakeBatch("pi-1", 9, 1, 0x10, 4, kT0))), 1u);
  ASSERT_EQ(
      SendAndAck(stream.get(), BatchMsg(MakeBatch("pi-1", 9, 2, 0x10, 4, kT0 + 60'000'000'000))),
      2u);

  auto admin = AdminStub(TlsFor(certs_->op));
  {
    grpc::ClientContext ctx;
    v1::ListAgentsResponse agents;
    ASSERT_TRUE(admin->ListAgents(&ctx, v1::ListAgentsRequest(), &agents).ok());
    ASSERT_EQ(agents.agents_size(), 1);
    EXPECT_EQ(agents.agents(0).agent_id(), "pi-1");
    EXPECT_TRUE(agents.agents(0).connected());
    EXPECT_EQ(agents.agents(0).version(), "test-1");
    EXPECT_EQ(agents.agents(0).batches(), 2u);
    EXPECT_EQ(agents.agents(0).summaries(), 8u);
    EXPECT_EQ(agents.agents(0).committed_sequence(), 2u);
    EXPECT_THAT(agents.agents(0).peer_address(), HasSubstr("127.0.0.1"));
  }
  {
    grpc::ClientContext ctx;
    v1::ListDevicesResponse devices;
    v1::ListDevicesRequest req;
    req.set_agent_id("pi-1");
    ASSERT_TRUE(admin->ListDevices(&ctx, req, &devices).ok());
    EXPECT_EQ(devices.devices_size(), 4);
  }
  {
    grpc::ClientContext ctx;
    v1::GetDeviceRequest req;
    req.set_mac(0x11);
    v1::GetDeviceResponse dev;
    ASSERT_TRUE(admin->GetDevice(&ctx, req, &dev).ok());
    EXPECT_EQ(dev.device().frames(), 2u * (1 + 0x11 % 7));
    EXPECT_EQ(dev.recent_windows_size(), 2);
    ASSERT_EQ(dev.device().sightings_size(), 1);
    EXPECT_EQ(dev.device().sightings(0).agent_id(), "pi-1");
  }
  {
    grpc::ClientContext ctx;
    v1::ExportWindowsRequest req;
    req.set_since_ns(kT0 + 1);  // only the second minute
    auto reader = admin->ExportWindows(&ctx, req);
    int n = 0;
    v1::StoredWindow w;
    while (reader->Read(&w)) {
      EXPECT_EQ(w.window().window_start_ns(), kT0 + 60'000'000'000);
      EXPECT_EQ(w.agent_id(), "pi-1");
      ++n;
    }
    EXPECT_TRUE(reader->Finish().ok());
    EXPECT_EQ(n, 4);
  }
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

// Many agents at once: every batch is acked, every window stored exactly once.
TEST_F(IngestE2eTest, ManyConcurrentStreams) {
  constexpr int kAgents = 24;
  constexpr int kBatches = 20;
  constexpr int kWindows = 50;
  std::vector<airfleet::testing::TestCert> certs;
  for (int a = 0; a < kAgents; ++a) {
    // Reuse two identities across streams would hide cross-agent bugs: give each its own.
    auto cert = pki_->Issue("many-" + std::to_string(a), "agent-" + std::to_string(a), "agent");
    ASSERT_TRUE(cert.ok()) << cert.status();
    certs.push_back(*cert);
  }
  std::atomic<int> acked{0};
  std::vector<std::thread> threads;
  for (int a = 0; a < kAgents; ++a) {
    threads.emplace_back([&, a] {
      auto stub = IngestStub(TlsFor(certs[a]));
      grpc::ClientContext ctx;
      ctx.set_deadline(DeadlineIn(std::chrono::seconds(60)));
      auto stream = stub->Stream(&ctx);
      std::string id = "agent-" + std::to_string(a);
      stream->Write(Hello(id, 1000 + a));
      for (int b = 1; b <= kBatches; ++b) {
        uint64_t base = (uint64_t(a) << 24) | (uint64_t(b) << 12);
        if (SendAndAck(stream.get(), BatchMsg(MakeBatch(id, 1000 + a, b, base, kWindows, kT0))) ==
            uint64_t(b)) {
          acked++;
        }
      }
      stream->WritesDone();
      stream->Finish();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(acked.load(), kAgents * kBatches);
  auto agents = collector_->store().ListAgents();
  ASSERT_TRUE(agents.ok());
  EXPECT_EQ(agents->size(), size_t{kAgents});
  size_t windows = 0;
  std::string cursor;
  do {
    auto page = collector_->store().ExportWindows(0, 0, cursor, 10000);
    ASSERT_TRUE(page.ok());
    windows += page->windows.size();
    cursor = page->next_cursor;
  } while (!cursor.empty());
  EXPECT_EQ(windows, size_t{kAgents} * kBatches * kWindows);
}

TEST(CollectorStartTest, ClearErrorsForBadConfiguration) {
  std::filesystem::path root = std::filesystem::path(::testing::TempDir()) / "collector_bad_config";
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root / "pki");
  auto pki = airfleet::testing::TestPki::Create((root / "pki").string());
  ASSERT_TRUE(pki.ok());
  auto server = pki->IssueCollector();
  auto other = pki->IssueCollector("collector2");
  ASSERT_TRUE(server.ok() && other.ok());
  CollectorOptions base;
  base.data_dir = (root / "data").string();
  base.ca_file = pki->ca_path();
  base.cert_file = server->cert_path;
  base.key_file = server->key_path;

  CollectorOptions o = base;
  o.cert_file = (root / "missing.crt").string();
  auto r = Collector::Start(o);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("missing.crt"));

  o = base;
  o.key_file = other->key_path;
  r = Collector::Start(o);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("does not match certificate"));

  o = base;
  o.listen = "127.0.0.1";
  r = Collector::Start(o);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("bad listen address"));

  o = base;
  o.listen = "192.0.2.1:0";  // TEST-NET-1: not an address of this machine
  r = Collector::Start(o);
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("cannot listen on 192.0.2.1:0"));

  o = base;
  o.data_dir = (std::filesystem::path(pki->ca_path()) / "sub").string();  // under a file
  r = Collector::Start(o);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("data dir"));
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace airfleet::collector
