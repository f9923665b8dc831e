// Runs the built airfleetctl binary end to end: the pki commands on real files (checked with the
// openssl CLI), and the admin commands against a real gRPC server with real mTLS on 127.0.0.1
// that serves the Admin contract from proto/airfleet/v1/ingest.proto (operator certificates only,
// as the collector does). The test against the real collector process is ctl_e2e_test.cc.

#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "airfleet/v1/ingest.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/pki/pki.h"

namespace airfleet::ctl {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadAll(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class CtlTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ctl_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = new std::string(tmpl);
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*root_);
    delete root_;
  }

  // Runs airfleetctl with `args` (a shell-quoted string) and optional environment assignments.
  Result Ctl(const std::string& args, const std::string& env = "") {
    std::string err_path = *root_ + "/stderr.txt";
    std::string cmd = env + " " + AIRFLEETCTL_PATH + " " + args + " 2>" + err_path;
    Result r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) return r;
    std::array<char, 4096> buf;
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
    int status = ::pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.err = ReadAll(err_path);
    return r;
  }

  static int Shell(const std::string& cmd) {
    int status = std::system((cmd + " >/dev/null 2>&1").c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  static std::string* root_;
};
std::string* CtlTest::root_ = nullptr;

// ---- pki ----

TEST_F(CtlTest, HelpListsExitCodes) {
  Result r = Ctl("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("Exit codes: 0 ok, 1 usage"));
  EXPECT_THAT(r.out, HasSubstr("3 permission denied"));
  EXPECT_THAT(r.out, HasSubstr("AIRFLEET_COLLECTOR"));
}

TEST_F(CtlTest, UsageErrorsExitOne) {
  EXPECT_EQ(Ctl("").exit_code, 1);
  EXPECT_EQ(Ctl("frobnicate").exit_code, 1);
  EXPECT_EQ(Ctl("pki issue admin bob --dir " + *root_ + "/none").exit_code, 1);
  EXPECT_EQ(Ctl("agents --output yaml").exit_code, 1);
}

TEST_F(CtlTest, PkiInitIssueShowEndToEnd) {
  std::string dir = *root_ + "/fleet-cli";
  Result init = Ctl("pki init --dir " + dir);
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_THAT(init.out, HasSubstr(dir + "/ca.pem"));

  ASSERT_EQ(Ctl("pki issue collector localhost --dir " + dir).exit_code, 0);
  ASSERT_EQ(Ctl("pki issue agent agent-07 --dir " + dir + " --days 30").exit_code, 0);
  Result op = Ctl("pki issue operator alice --dir " + dir);
  ASSERT_EQ(op.exit_code, 0) << op.err;
  EXPECT_THAT(op.out, HasSubstr("issued an operator certificate for alice"));

  for (const char* name : {"localhost", "agent-07", "alice"}) {
    EXPECT_EQ(Shell("openssl verify -CAfile " + dir + "/ca.pem " + dir + "/" + name + ".pem"), 0)
        << name;
    struct stat st {};
    ASSERT_EQ(::stat((dir + "/" + name + ".key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << name;
  }
  // 30 days: openssl agrees that the certificate expires within 31 days but not within 29.
  EXPECT_EQ(Shell("openssl x509 -checkend " + std::to_string(31 * 86400) + " -noout -in " + dir +
                  "/agent-07.pem"),
            1);
  EXPECT_EQ(Shell("openssl x509 -checkend " + std::to_string(29 * 86400) + " -noout -in " + dir +
                  "/agent-07.pem"),
            0);

  Result show = Ctl("pki show " + dir + "/agent-07.pem");
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("CN:"));
  EXPECT_THAT(show.out, HasSubstr("agent-07"));
  EXPECT_THAT(show.out, HasSubstr("Role (OU):   agent\n"));
  // 30 days, minus the second that may have passed since issuing.
  EXPECT_THAT(show.out, ::testing::ContainsRegex("Expires: +in (29|30)d\n"));

  Result json = Ctl("pki show " + dir + "/localhost.pem --output json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  Json j = Json::parse(json.out);
  EXPECT_EQ(j["cn"], "localhost");
  EXPECT_EQ(j["role"], "collector");
  EXPECT_EQ(j["san"], Json::parse(R"(["DNS:localhost", "IP:127.0.0.1"])"));
  EXPECT_EQ(j["issuer"], "O=airfleet, CN=airfleet fleet CA");
}

TEST_F(CtlTest, PkiRefusesOverwriteAndExplainsMissingCa) {
  std::string dir = *root_ + "/fleet-refuse";
  Result none = Ctl("pki issue agent a1 --dir " + dir);
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_EQ(none.err, "airfleetctl: no CA in " + dir + ": run `airfleetctl pki init --dir " + dir +
                          "` first\n");
  ASSERT_EQ(Ctl("pki init --dir " + dir).exit_code, 0);
  std::string before = ReadAll(dir + "/ca.pem");
  Result again = Ctl("pki init --dir " + dir);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("already exists"));
  EXPECT_EQ(ReadAll(dir + "/ca.pem"), before);
  EXPECT_EQ(Ctl("pki init --force --dir " + dir).exit_code, 0);
  EXPECT_NE(ReadAll(dir + "/ca.pem"), before);

  ASSERT_EQ(Ctl("pki issue agent a1 --dir " + dir).exit_code, 0);
  Result dup = Ctl("pki issue agent a1 --dir " + dir);
  EXPECT_EQ(dup.exit_code, 1);
  EXPECT_THAT(dup.err, HasSubstr("a1.pem already exists"));
}

TEST_F(CtlTest, PkiShowMissingFileIsNotFound) {
  Result r = Ctl("pki show " + *root_ + "/nope.pem");
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_THAT(r.err, HasSubstr("nope.pem"));
}

// ---- admin commands against a real mTLS Admin server ----

constexpr int64_t kS = 1000000000;

class FakeCollector final : public v1::Admin::Service {
 public:
  v1::ListDevicesRequest last_devices_request() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_devices_;
  }

 private:
  // The collector's rule: Admin needs a certificate whose OU is "operator".
  static grpc::Status Authorize(grpc::ServerContext* ctx) {
    auto pems = ctx->auth_context()->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
    if (pems.empty()) return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "no certificate");
    auto id = pki::ReadIdentity(std::string(pems[0].data(), pems[0].size()));
    if (!id.ok() || id->organizational_unit != "operator") {
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "operator certificate required");
    }
    return grpc::Status::OK;
  }

  grpc::Status ListAgents(grpc::ServerContext* ctx, const v1::ListAgentsRequest*,
                          v1::ListAgentsResponse* out) override {
    grpc::Status st = Authorize(ctx);
    if (!st.ok()) return st;
    auto* a = out->add_agents();
    a->set_agent_id("agent-01");
    a->set_connected(true);
    a->set_batches(12);
    a->set_summaries(340);
    a->set_committed_sequence(11);
    a->mutable_last_health()->set_spool_batches(2);
    return grpc::Status::OK;
  }

  grpc::Status ListDevices(grpc::ServerContext* ctx, const v1::ListDevicesRequest* req,
                           v1::ListDevicesResponse* out) override {
    grpc::Status st = Authorize(ctx);
    if (!st.ok()) return st;
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_devices_ = *req;
    }
    auto* d = out->add_devices();
    d->set_mac(0x021122334455ULL);
    d->set_frames(42);
    d->set_randomised(true);
    d->add_probed_ssids("CoffeeShop");
    d->add_sightings()->set_agent_id("agent-01");
    return grpc::Status::OK;
  }

  grpc::Status GetDevice(grpc::ServerContext* ctx, const v1::GetDeviceRequest* req,
                         v1::GetDeviceResponse* out) override {
    grpc::Status st = Authorize(ctx);
    if (!st.ok()) return st;
    if (req->mac() != 0x021122334455ULL) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such device");
    }
    out->mutable_device()->set_mac(req->mac());
    auto* w = out->add_recent_windows();
    w->set_mac(req->mac());
    w->set_window_start_ns(1700000040LL * kS);
    w->set_frames(9);
    return grpc::Status::OK;
  }

  grpc::Status ExportWindows(grpc::ServerContext* ctx, const v1::ExportWindowsRequest* req,
                             grpc::ServerWriter<v1::StoredWindow>* writer) override {
    grpc::Status st = Authorize(ctx);
    if (!st.ok()) return st;
    for (int i = 0; i < 3; ++i) {
      v1::StoredWindow sw;
      sw.set_agent_id("agent-0" + std::to_string(i % 2 + 1));
      sw.mutable_window()->set_mac(0x021122334400ULL + i);
      sw.mutable_window()->set_window_start_ns(req->since_ns() + i * 60 * kS);
      sw.mutable_window()->set_window_ms(60000);
      sw.mutable_window()->set_frames(10 + i);
      sw.mutable_window()->add_probed_ssids("CoffeeShop");
      writer->Write(sw);
    }
    return grpc::Status::OK;
  }

  std::mutex mu_;
  v1::ListDevicesRequest last_devices_;
};

class CtlAdminTest : public CtlTest {
 protected:
  static void SetUpTestSuite() {
    CtlTest::SetUpTestSuite();
    pki_ = new std::string(*root_ + "/pki");
    other_ = new std::string(*root_ + "/other");
    ASSERT_TRUE(pki::InitCa(*pki_).ok());
    ASSERT_TRUE(pki::Issue(*pki_, pki::Role::kCollector, "localhost").ok());
    ASSERT_TRUE(pki::Issue(*pki_, pki::Role::kOperator, "alice").ok());
    ASSERT_TRUE(pki::Issue(*pki_, pki::Role::kAgent, "agent-01").ok());
    ASSERT_TRUE(pki::InitCa(*other_).ok());
    ASSERT_TRUE(pki::Issue(*other_, pki::Role::kOperator, "mallory").ok());
  }
  static void TearDownTestSuite() {
    delete pki_;
    delete other_;
    CtlTest::TearDownTestSuite();
  }

  void SetUp() override {
    grpc::SslServerCredentialsOptions opts(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    opts.pem_root_certs = ReadAll(*pki_ + "/ca.pem");
    opts.pem_key_cert_pairs.push_back(
        {ReadAll(*pki_ + "/localhost.key"), ReadAll(*pki_ + "/localhost.pem")});
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::SslServerCredentials(opts), &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    address_ = "127.0.0.1:" + std::to_string(port_);
  }
  void TearDown() override { server_->Shutdown(); }

  // Connection flags for `name`'s certificate from `dir`.
  std::string As(const std::string& name, const std::string* dir = nullptr) const {
    const std::string& d = dir ? *dir : *pki_;
    return "--collector " + address_ + " --ca " + *pki_ + "/ca.pem --cert " + d + "/" + name +
           ".pem --key " + d + "/" + name + ".key";
  }

  static std::string* pki_;
  static std::string* other_;
  FakeCollector service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::string address_;
};
std::string* CtlAdminTest::pki_ = nullptr;
std::string* CtlAdminTest::other_ = nullptr;

TEST_F(CtlAdminTest, AgentsWithOperatorCertificate) {
  Result r = Ctl("agents " + As("alice"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("AGENT"));
  EXPECT_THAT(r.out, HasSubstr("agent-01"));

  Result json = Ctl("agents -o json " + As("alice"));
  ASSERT_EQ(json.exit_code, 0) << json.err;
  Json j = Json::parse(json.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["agent"], "agent-01");
  EXPECT_EQ(j[0]["committed_seq"], 11);
  EXPECT_EQ(j[0]["backlog_batches"], 2);
}

TEST_F(CtlAdminTest, ConnectionFlagsComeFromEnvironment) {
  std::string env = "AIRFLEET_COLLECTOR=" + address_ + " AIRFLEET_CA=" + *pki_ +
                    "/ca.pem AIRFLEET_CERT=" + *pki_ + "/alice.pem AIRFLEET_KEY=" + *pki_ +
                    "/alice.key";
  Result r = Ctl("agents -o csv", env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::StartsWith("agent,status,address,connected,last_seen,"));
  // This test's Admin server sets no status (an older collector): empty, like the address.
  EXPECT_THAT(r.out, HasSubstr("\nagent-01,,,true,"));
}

TEST_F(CtlAdminTest, AgentCertificateIsRefusedWithExitThree) {
  Result r = Ctl("agents " + As("agent-01"));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("the collector refused: this command needs an operator "
                               "certificate; " +
                               *pki_ + "/agent-01.pem is a 'agent' certificate"));
  EXPECT_EQ(Ctl("devices " + As("agent-01")).exit_code, 3);
}

TEST_F(CtlAdminTest, DevicesPassFiltersAndPrintRows) {
  Result r = Ctl("devices --since 2h --agent agent-01 --limit 5 -o ndjson " + As("alice"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = Json::parse(r.out);
  EXPECT_EQ(j["mac"], "02:11:22:33:44:55");
  EXPECT_EQ(j["frames"], 42);
  EXPECT_EQ(j["probed_ssids"], Json::parse(R"(["CoffeeShop"])"));
  v1::ListDevicesRequest req = service_.last_devices_request();
  EXPECT_EQ(req.agent_id(), "agent-01");
  EXPECT_EQ(req.limit(), 5u);
  // --since 2h: two hours before the moment the command ran (within the test's own runtime).
  int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  EXPECT_LE(req.since_ns(), now - 7200 * kS);
  EXPECT_GT(req.since_ns(), now - 7200 * kS - 600 * kS);

  Result bad = Ctl("devices --since yesterday " + As("alice"));
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("--since: cannot read time 'yesterday'"));
}

TEST_F(CtlAdminTest, DeviceFoundAndNotFound) {
  Result r = Ctl("device 02-11-22-33-44-55 -o json " + As("alice"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = Json::parse(r.out);
  EXPECT_EQ(j["device"]["mac"], "02:11:22:33:44:55");
  EXPECT_EQ(j["recent_windows"][0]["frames"], 9);

  Result missing = Ctl("device 02:00:00:00:00:99 " + As("alice"));
  EXPECT_EQ(missing.exit_code, 4);
  EXPECT_THAT(missing.err, HasSubstr("device 02:00:00:00:00:99 is not known"));
  EXPECT_EQ(Ctl("device not-a-mac " + As("alice")).exit_code, 1);
}

TEST_F(CtlAdminTest, ExportWindowsPrintsNdjsonByDefault) {
  Result r = Ctl("export windows --since @1700000000 " + As("alice"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  std::vector<Json> objs;
  while (std::getline(lines, line)) objs.push_back(Json::parse(line));
  ASSERT_EQ(objs.size(), 3u);
  EXPECT_EQ(objs[0]["mac"], "02:11:22:33:44:00");
  EXPECT_EQ(objs[0]["agent"], "agent-01");
  EXPECT_EQ(objs[1]["agent"], "agent-02");
  ASSERT_TRUE(objs[2]["window_start"].is_number_integer());
  EXPECT_EQ(objs[2]["window_start"].get<int64_t>(), (1700000000LL + 120) * kS);
  EXPECT_EQ(objs[2]["frames"], 12);
  EXPECT_EQ(objs[2]["window_ms"], 60000);
  EXPECT_EQ(objs[0]["probed_ssids"], Json::parse(R"(["436f6666656553686f70"])"));
}

TEST_F(CtlAdminTest, CollectorDownExitsTwo) {
  // A port that was free a moment ago: nothing listens there.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  std::string dead = "127.0.0.1:" + std::to_string(port);
  Result r = Ctl("agents --collector " + dead + " --ca " + *pki_ + "/ca.pem --cert " + *pki_ +
                 "/alice.pem --key " + *pki_ + "/alice.key");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("cannot reach collector at " + dead + ": "));
}

TEST_F(CtlAdminTest, ForeignCertificateFailsTlsWithExitTwo) {
  Result r = Ctl("agents " + As("mallory", other_));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(address_));
}

TEST_F(CtlAdminTest, WrongCaForCollectorIsATlsFailure) {
  Result r = Ctl("agents --collector " + address_ + " --ca " + *other_ + "/ca.pem --cert " + *pki_ +
                 "/alice.pem --key " + *pki_ + "/alice.key");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("TLS handshake with the collector at " + address_ + " failed"));
}

TEST_F(CtlAdminTest, MissingOrMismatchedFilesAreUsageErrors) {
  Result no_collector = Ctl("agents --ca x --cert y --key z");
  EXPECT_EQ(no_collector.exit_code, 1);
  EXPECT_THAT(no_collector.err, HasSubstr("--collector is required"));
  Result mismatch = Ctl("agents --collector " + address_ + " --ca " + *pki_ + "/ca.pem --cert " +
                        *pki_ + "/alice.pem --key " + *pki_ + "/agent-01.key");
  EXPECT_EQ(mismatch.exit_code, 1);
  EXPECT_THAT(mismatch.err, HasSubstr("does not belong to --cert"));
  Result missing = Ctl("agents --collector " + address_ + " --ca " + *pki_ + "/nope.pem --cert " +
                       *pki_ + "/alice.pem --key " + *pki_ + "/alice.key");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("--ca: cannot read"));
}

}  // namespace
}  // namespace airfleet::ctl
