// The Elasticsearch sink against a real OpenSearch 2.19 node (tests/servers/opensearch.sh, ctest
// fixture "opensearch", label "servers"). Expected values are written down by hand from the
// records in test_records.h; what is stored is read back with an independent client: curl for
// HTTP and Python's json module for parsing.
//
// The runner has no security plugin, so TLS and credentials are tested through
// tests/servers/tls_auth_front.py: HTTPS and Basic/ApiKey authentication (401 with
// Elasticsearch's security_exception body otherwise) in front of the same real node, so that
// accepted documents land in the engine and are read back from it. The untrusted-certificate
// case uses a local `openssl s_server` with a throwaway certificate.

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "collector/sinks/elasticsearch/elasticsearch_sink.h"
#include "collector/sinks/elasticsearch/test_records.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace airfleet::collector::sinks::elasticsearch {
namespace {

using ::testing::HasSubstr;

std::string ServerUrl() {
  if (const char* url = std::getenv("AIRFLEET_OPENSEARCH_URL")) return url;
  if (const char* file = std::getenv("AIRFLEET_OPENSEARCH_URL_FILE")) {
    std::ifstream in(file);
    std::string url;
    std::getline(in, url);
    return url;
  }
  return "";
}

std::string Shell(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// curl METHOD url+path | python3: prints json.dumps(<python_expr over d>).
std::string Query(const std::string& method, const std::string& path,
                  const std::string& python_expr) {
  return Shell(
      absl::StrCat("curl -s -X ", method, " '", ServerUrl(), path,
                   "' | python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps(",
                   python_expr, ", ensure_ascii=False))'"));
}

// A TCP port nothing listens on (bound, then closed).
int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

class OpenSearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(ServerUrl().empty())
        << "set AIRFLEET_OPENSEARCH_URL (or run through ctest, whose fixture starts the server)";
    // Each test writes under its own prefix so tests do not see each other's documents.
    prefix_ = absl::AsciiStrToLower(
        absl::StrCat("t-", ::testing::UnitTest::GetInstance()->current_test_info()->name()));
    Shell(absl::StrCat("curl -s -X DELETE '", ServerUrl(), "/", prefix_, "-*' >/dev/null"));
  }
  ElasticsearchConfig Config() {
    ElasticsearchConfig c;
    c.hosts = {ServerUrl()};
    c.index_prefix = prefix_;
    return c;
  }
  std::unique_ptr<ElasticsearchSink> OpenSink(const ElasticsearchConfig& c) {
    auto sink = MakeElasticsearchSink(c);
    EXPECT_TRUE(sink.ok()) << sink.status();
    if (!sink.ok()) return nullptr;
    absl::Status open = (*sink)->Open();
    EXPECT_TRUE(open.ok()) << open;
    return *std::move(sink);
  }
  void Refresh() {
    Shell(absl::StrCat("curl -s -X POST '", ServerUrl(), "/", prefix_, "-*/_refresh' >/dev/null"));
  }
  std::string prefix_;
};

void ExpectAll(const std::vector<ItemResult>& results, Verdict verdict) {
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].verdict, verdict) << "item " << i << ": " << results[i].reason;
  }
}

TEST_F(OpenSearchTest, OpenInstallsOneTemplatePerKind) {
  auto sink = OpenSink(Config());
  ASSERT_NE(sink, nullptr);
  EXPECT_EQ(Query("GET", absl::StrCat("/_index_template/", prefix_, "-*"),
                  "sorted(t[\"name\"] for t in d[\"index_templates\"])"),
            absl::StrCat("[\"", prefix_, "-agents\", \"", prefix_, "-devices\", \"", prefix_,
                         "-events\", \"", prefix_, "-probes\", \"", prefix_, "-windows\"]"));
  EXPECT_EQ(Query("GET", absl::StrCat("/_index_template/", prefix_, "-windows"),
                  "[d[\"index_templates\"][0][\"index_template\"][\"template\"][\"mappings\"][k] "
                  "for k in (\"dynamic\",)] + [d[\"index_templates\"][0][\"index_template\"]"
                  "[\"template\"][\"mappings\"][\"properties\"][f][\"type\"] for f in "
                  "(\"mac\", \"location\", \"window_start\")]"),
            "[\"strict\", \"keyword\", \"geo_point\", \"date\"]");
}

TEST_F(OpenSearchTest, EveryKindIsStoredWithItsFields) {
  auto sink = OpenSink(Config());
  ASSERT_NE(sink, nullptr);
  std::vector<ItemResult> results = sink->Write(testing::OneOfEachKind());
  ASSERT_EQ(results.size(), 5u);
  ExpectAll(results, Verdict::kOk);

  auto source = [&](const std::string& index, const std::string& id, const std::string& expr) {
    return Query("GET", absl::StrCat("/", prefix_, index, "/_doc/", id), expr);
  };
  EXPECT_EQ(source("-windows-2026.11", "w:pi-01:0211223344aa:1795428000000000000",
                   "[d[\"_source\"][k] for k in (\"mac\", \"agent_id\", \"window_start\", "
                   "\"frames\", \"signal\", \"probed_ssids\", \"location\", \"subtypes\")]"),
            "[\"02:11:22:33:44:aa\", \"pi-01\", \"2026-11-23T10:00:00.000Z\", 12, "
            "{\"avg\": -43.3, \"count\": 3, \"max\": -40, \"min\": -70}, [\"home\", \"hex:fffe\"], "
            "{\"lat\": 52.52, \"lon\": 13.405}, {\"data_8\": 9, \"mgmt_4\": 3}]");
  EXPECT_EQ(
      source("-probes-2026.11", "p:pi-01:0211223344aa:1795428000000000000:636166c3a9",
             "[d[\"_source\"][k] for k in (\"ssid\", \"ssid_hex\", \"count\", \"destinations\")]"),
      "[\"café\", false, 4, [\"ff:ff:ff:ff:ff:ff\"]]");
  EXPECT_EQ(source("-devices-2026.11", "d:001122334455",
                   "[d[\"_source\"][k] for k in (\"mac\", \"vendor\", \"known\", \"name\", "
                   "\"last_seen\")]"),
            "[\"00:11:22:33:44:55\", \"Raspberry Pi Trading Ltd\", \"known\", "
            "\"front door camera\", \"2026-11-23T10:00:00.000Z\"]");
  EXPECT_EQ(source("-agents", "a:pi-01",
                   "[d[\"_source\"][k] for k in (\"agent_id\", \"connected\", \"stream_id\", "
                   "\"location\")] + [d[\"_source\"][\"health\"][\"lost_summaries\"]]"),
            "[\"pi-01\", true, \"deadbeefcafef00d\", {\"lat\": 48.1, \"lon\": 11.6}, 40]");
  EXPECT_EQ(source("-events-2026.11", "e:pi-01:1795428000000000000:loss:10",
                   "[d[\"_source\"][\"kind\"], d[\"_source\"][\"loss\"][\"reason\"], "
                   "d[\"_source\"][\"loss\"][\"summaries\"]]"),
            "[\"loss\", \"spool_quota\", 40]");
  // geo_point really is a geo_point: a distance query around Berlin finds the window.
  Refresh();
  EXPECT_EQ(
      Shell(absl::StrCat(
          "curl -s -X POST '", ServerUrl(), "/", prefix_,
          "-windows-*/_count' -H 'Content-Type: application/json' -d '{\"query\":"
          "{\"geo_distance\":{\"distance\":\"1km\",\"location\":{\"lat\":52.52,\"lon\":13.40}}}}'"
          " | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"count\"])'")),
      "1");
}

TEST_F(OpenSearchTest, WritingTwiceLeavesOneDocumentEachWithTheLatestContent) {
  auto sink = OpenSink(Config());
  ASSERT_NE(sink, nullptr);
  ExpectAll(sink->Write(testing::OneOfEachKind()), Verdict::kOk);
  std::vector<Record> again = testing::OneOfEachKind();
  std::get<WindowRecord>(again[0]).window.set_frames(99);  // the merged window grew
  ExpectAll(sink->Write(again), Verdict::kOk);
  Refresh();
  EXPECT_EQ(Query("GET", absl::StrCat("/", prefix_, "-*/_count"), "d[\"count\"]"), "5");
  EXPECT_EQ(Query("GET",
                  absl::StrCat("/", prefix_,
                               "-windows-2026.11/_doc/w:pi-01:0211223344aa:1795428000000000000"),
                  "d[\"_source\"][\"frames\"]"),
            "99");
}

TEST_F(OpenSearchTest, MappingErrorIsDropWithTheEnginesReasonNamingTheField) {
  auto sink = OpenSink(Config());
  ASSERT_NE(sink, nullptr);
  WindowRecord bad = testing::FullWindow(0x0211223344bbULL);
  bad.window.set_bytes(~uint64_t{0});  // beyond the mapping's signed long
  std::vector<ItemResult> results =
      sink->Write({testing::FullWindow(), bad, testing::FullWindow(0x0211223344ccULL)});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].verdict, Verdict::kOk) << results[0].reason;
  EXPECT_EQ(results[1].verdict, Verdict::kDrop);
  EXPECT_THAT(results[1].reason, HasSubstr("mapper_parsing_exception"));
  EXPECT_THAT(results[1].reason, HasSubstr("[bytes]"));
  EXPECT_EQ(results[2].verdict, Verdict::kOk) << results[2].reason;
  EXPECT_EQ(sink->stats().drop, 1u);
}

TEST_F(OpenSearchTest, SmallBulkLimitsSplitOneWriteIntoSeveralRequests) {
  ElasticsearchConfig c = Config();
  c.max_bulk_docs = 2;
  c.gzip = false;  // the uncompressed path works too
  auto sink = OpenSink(c);
  ASSERT_NE(sink, nullptr);
  ExpectAll(sink->Write(testing::OneOfEachKind()), Verdict::kOk);
  EXPECT_EQ(sink->stats().bulk_requests, 3u);
  Refresh();
  EXPECT_EQ(Query("GET", absl::StrCat("/", prefix_, "-*/_count"), "d[\"count\"]"), "5");
}

TEST_F(OpenSearchTest, RequestAboveTheEnginesLimitIsSplitAndAnOversizedDocumentDropped) {
  // opensearch.sh sets http.max_content_length: 2mb. One request of ~2.5 MB gets HTTP 413; the
  // sink halves it and both halves go through. A single ~2.6 MB document can never be accepted.
  ElasticsearchConfig c = Config();
  c.max_bulk_bytes = 100 << 20;
  c.max_bulk_docs = 100000;
  auto sink = OpenSink(c);
  ASSERT_NE(sink, nullptr);
  std::vector<Record> many;
  for (uint64_t i = 0; i < 3000; ++i) many.push_back(testing::FullWindow(0x020000000000ULL + i));
  ExpectAll(sink->Write(many), Verdict::kOk);
  EXPECT_GE(sink->stats().splits, 1u);
  Refresh();
  EXPECT_EQ(Query("GET", absl::StrCat("/", prefix_, "-windows-*/_count"), "d[\"count\"]"), "3000");

  WindowRecord huge = testing::FullWindow(0x0211223344ddULL);
  for (int i = 0; i < 40000; ++i)
    huge.window.add_probed_ssids(absl::StrCat("ssid-", i, std::string(50, 'x')));
  std::vector<ItemResult> results = sink->Write({huge, testing::FullAgent()});
  EXPECT_EQ(results[0].verdict, Verdict::kDrop) << results[0].reason;
  EXPECT_THAT(results[0].reason, HasSubstr("413"));
  EXPECT_EQ(results[1].verdict, Verdict::kOk) << results[1].reason;
}

TEST_F(OpenSearchTest, FailsOverFromADeadHostAndRemembersTheGoodOne) {
  ElasticsearchConfig c = Config();
  std::string dead = absl::StrCat("http://127.0.0.1:", ClosedPort());
  c.hosts = {dead, ServerUrl()};
  auto sink = OpenSink(c);
  ASSERT_NE(sink, nullptr);
  EXPECT_EQ(sink->http().failovers(), 1u);
  EXPECT_EQ(sink->http().current_host(), ServerUrl());
  ExpectAll(sink->Write(testing::OneOfEachKind()), Verdict::kOk);
  EXPECT_EQ(sink->http().failovers(), 1u);  // the good host was remembered
}

TEST_F(OpenSearchTest, NoServerIsRetryAndUnavailableNotAHang) {
  ElasticsearchConfig c = Config();
  c.hosts = {absl::StrCat("http://127.0.0.1:", ClosedPort())};
  auto sink = MakeElasticsearchSink(c);
  ASSERT_TRUE(sink.ok());
  EXPECT_EQ((*sink)->Open().code(), absl::StatusCode::kUnavailable);
  std::vector<ItemResult> results = (*sink)->Write(testing::OneOfEachKind());
  ASSERT_EQ(results.size(), 5u);
  ExpectAll(results, Verdict::kRetry);
  EXPECT_THAT(results[4].reason, HasSubstr("127.0.0.1"));
}

TEST_F(OpenSearchTest, ServerThatAcceptsButNeverAnswersTimesOutAsRetry) {
  // A listening socket that never accepts: the kernel completes the handshake, nobody replies.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(fd, 16), 0);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ElasticsearchConfig c = Config();
  c.hosts = {absl::StrCat("http://127.0.0.1:", ntohs(a.sin_port))};
  c.request_timeout_ms = 500;
  auto sink = MakeElasticsearchSink(c);
  ASSERT_TRUE(sink.ok());
  std::vector<ItemResult> results = (*sink)->Write(testing::OneOfEachKind());
  close(fd);
  ExpectAll(results, Verdict::kRetry);
  EXPECT_THAT(results[0].reason, HasSubstr("timed out"));
}

TEST_F(OpenSearchTest, UntrustedTlsCertificateIsAConfigurationError) {
  // A local TLS listener with a throwaway self-signed certificate; the sink is given a different
  // CA, as when ca_file points at the wrong bundle.
  std::string dir = Shell("mktemp -d");
  Shell(absl::StrCat("cd ", dir,
                     " && for n in server other; do openssl req -x509 -newkey rsa:2048 "
                     "-nodes -keyout $n.key -out $n.pem -days 1 -subj /CN=127.0.0.1 "
                     "-addext subjectAltName=IP:127.0.0.1 2>/dev/null; done"));
  int port = ClosedPort();
  pid_t pid = fork();
  if (pid == 0) {
    std::string accept = absl::StrCat(port);
    execlp("openssl", "openssl", "s_server", "-quiet", "-www", "-accept", accept.c_str(), "-cert",
           (dir + "/server.pem").c_str(), "-key", (dir + "/server.key").c_str(), nullptr);
    _exit(127);
  }
  // Wait (bounded) until it listens.
  for (int i = 0; i < 100; ++i) {
    if (Shell(absl::StrCat("ss -ltn | grep -c ':", port, " '")) != "0") break;
    usleep(50'000);
  }
  ElasticsearchConfig c = Config();
  c.hosts = {absl::StrCat("https://127.0.0.1:", port)};
  c.ca_file = dir + "/other.pem";
  auto sink = MakeElasticsearchSink(c);
  ASSERT_TRUE(sink.ok());
  absl::Status open = (*sink)->Open();
  EXPECT_EQ(open.code(), absl::StatusCode::kFailedPrecondition) << open;
  EXPECT_THAT(std::string(open.message()), HasSubstr("TLS"));
  ExpectAll((*sink)->Write({testing::FullAgent()}), Verdict::kRetry);
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  Shell("rm -rf " + dir);
}

// HTTPS + authentication in front of the real node (tests/servers/tls_auth_front.py), with a
// throwaway self-signed certificate (its own CA), a password file and an API key file.
class AuthFront {
 public:
  explicit AuthFront(const std::string& upstream) {
    dir_ = Shell("mktemp -d");
    Shell(absl::StrCat("cd ", dir_,
                       " && openssl req -x509 -newkey rsa:2048 -nodes -keyout front.key -out "
                       "front.pem -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
                       "2>/dev/null && printf 's3cret-pw\\n' > password && printf 'wrong\\n' > "
                       "wrong && printf 'aWQ6a2V5\\n' > api_key && chmod 600 password wrong "
                       "api_key"));
    port_ = ClosedPort();
    const char* source = std::getenv("AIRFLEET_SOURCE_DIR");
    const std::string script =
        absl::StrCat(source ? source : ".", "/tests/servers/tls_auth_front.py");
    pid_ = fork();
    if (pid_ == 0) {
      const std::string port = absl::StrCat(port_);
      const std::string cert = dir_ + "/front.pem", key = dir_ + "/front.key";
      execlp("python3", "python3", script.c_str(), port.c_str(), cert.c_str(), key.c_str(),
             upstream.c_str(), "airfleet", "s3cret-pw", "aWQ6a2V5", nullptr);
      _exit(127);
    }
    for (int i = 0; i < 200; ++i) {
      if (Shell(absl::StrCat("ss -ltn | grep -c ':", port_, " '")) != "0") break;
      usleep(50'000);
    }
  }
  ~AuthFront() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    Shell("rm -rf " + dir_);
  }
  // `c` pointed at the front, trusting its certificate.
  ElasticsearchConfig Through(ElasticsearchConfig c) const {
    c.hosts = {absl::StrCat("https://127.0.0.1:", port_)};
    c.ca_file = file("front.pem");
    return c;
  }
  std::string file(const std::string& name) const { return dir_ + "/" + name; }

 private:
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

TEST_F(OpenSearchTest, TlsWithTheRightCaAndPasswordReachesTheEngine) {
  AuthFront front(ServerUrl());
  ElasticsearchConfig c = front.Through(Config());
  c.username = "airfleet";
  c.password_file = front.file("password");
  auto sink = OpenSink(c);
  ASSERT_NE(sink, nullptr);
  ExpectAll(sink->Write(testing::OneOfEachKind()), Verdict::kOk);
  Refresh();
  // Read from the engine directly (plain HTTP), not through the front.
  EXPECT_EQ(Query("GET", absl::StrCat("/", prefix_, "-*/_count"), "d.get(\"count\", 0)"), "5");
}

TEST_F(OpenSearchTest, ApiKeyIsSentAsElasticsearchExpectsIt) {
  AuthFront front(ServerUrl());
  ElasticsearchConfig c = front.Through(Config());
  c.api_key_file = front.file("api_key");
  auto sink = OpenSink(c);
  ASSERT_NE(sink, nullptr);
  ExpectAll(sink->Write({testing::FullWindow()}), Verdict::kOk);
}

TEST_F(OpenSearchTest, WrongPasswordIsAClearConfigurationErrorAndNothingIsWritten) {
  AuthFront front(ServerUrl());
  ElasticsearchConfig c = front.Through(Config());
  c.username = "airfleet";
  c.password_file = front.file("wrong");
  auto sink = MakeElasticsearchSink(c);
  ASSERT_TRUE(sink.ok()) << sink.status();
  absl::Status open = (*sink)->Open();
  EXPECT_EQ(open.code(), absl::StatusCode::kPermissionDenied) << open;
  EXPECT_THAT(std::string(open.message()), HasSubstr("HTTP 401"));
  EXPECT_THAT(std::string(open.message()), HasSubstr("check username/password or api key"));
  // Records are kept for later (RETRY), never dropped for a credentials problem.
  ExpectAll((*sink)->Write({testing::FullAgent()}), Verdict::kRetry);
  Refresh();
  EXPECT_EQ(Query("GET", absl::StrCat("/", prefix_, "-*/_count"), "d.get(\"count\", 0)"), "0");
}

}  // namespace
}  // namespace airfleet::collector::sinks::elasticsearch
