// The PKI is checked against independent truth: the `openssl` CLI verifies and decodes every
// certificate, and a real gRPC mTLS handshake on 127.0.0.1 proves the certificates work together.

#include "tools/pki/pki.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/server_credentials.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "airfleet/v1/ingest.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace airfleet::pki {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

CommandResult Shell(const std::string& command) {
  CommandResult r;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

mode_t FileMode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

std::string Slurp(const std::string& path) {
  auto s = ReadFile(path);
  return s.ok() ? *s : std::string();
}

class PkiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "pki_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    dir_ = root_ + "/fleet";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  std::string root_;
  std::string dir_;
};

TEST_F(PkiTest, InitCaWritesSelfSignedCaWithPrivateKey) {
  auto files = InitCa(dir_);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_EQ(files->cert_path, Path("ca.pem"));
  EXPECT_EQ(files->key_path, Path("ca.key"));
  EXPECT_EQ(FileMode(Path("ca.key")), 0600u);
  EXPECT_EQ(FileMode(Path("ca.pem")), 0644u);
  EXPECT_EQ(FileMode(dir_), 0700u);

  CommandResult verify = Shell("openssl verify -CAfile " + Path("ca.pem") + " " + Path("ca.pem"));
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  CommandResult text = Shell("openssl x509 -noout -text -in " + Path("ca.pem"));
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_THAT(text.output, HasSubstr("CA:TRUE"));
  EXPECT_THAT(text.output, HasSubstr("Certificate Sign"));
  EXPECT_THAT(text.output, HasSubstr("Version: 3 (0x2)"));
  EXPECT_THAT(text.output, HasSubstr("ASN1 OID: prime256v1"));
}

TEST_F(PkiTest, InitCaRefusesToOverwriteUnlessForced) {
  ASSERT_TRUE(InitCa(dir_).ok());
  std::string before = Slurp(Path("ca.pem"));
  std::string key_before = Slurp(Path("ca.key"));

  auto again = InitCa(dir_);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(again.status().message()), HasSubstr("already exists"));
  EXPECT_THAT(std::string(again.status().message()), HasSubstr("--force"));
  EXPECT_EQ(Slurp(Path("ca.pem")), before);
  EXPECT_EQ(Slurp(Path("ca.key")), key_before);

  InitCaOptions force;
  force.force = true;
  ASSERT_TRUE(InitCa(dir_, force).ok());
  EXPECT_NE(Slurp(Path("ca.pem")), before);
  EXPECT_EQ(FileMode(Path("ca.key")), 0600u);
  // No temporary files are left behind.
  int entries = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir_)) ++entries;
  EXPECT_EQ(entries, 2);
}

TEST_F(PkiTest, IssueWithoutCaExplainsWhatToRun) {
  std::filesystem::create_directories(dir_);
  auto files = Issue(dir_, Role::kAgent, "agent-01");
  EXPECT_EQ(files.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(files.status().message(),
            "no CA in " + dir_ + ": run `airfleetctl pki init --dir " + dir_ + "` first");
}

TEST_F(PkiTest, EveryRoleVerifiesAgainstTheCaWithItsPurpose) {
  ASSERT_TRUE(InitCa(dir_).ok());
  ASSERT_TRUE(Issue(dir_, Role::kAgent, "agent-01").ok());
  ASSERT_TRUE(Issue(dir_, Role::kOperator, "alice").ok());
  ASSERT_TRUE(Issue(dir_, Role::kCollector, "localhost").ok());
  const std::string ca = Path("ca.pem");

  for (const char* name : {"agent-01", "alice"}) {
    SCOPED_TRACE(name);
    CommandResult ok = Shell("openssl verify -purpose sslclient -CAfile " + ca + " " +
                             Path(std::string(name) + ".pem"));
    EXPECT_EQ(ok.exit_code, 0) << ok.output;
    // A client certificate must not be usable as a server certificate.
    CommandResult server = Shell("openssl verify -purpose sslserver -CAfile " + ca + " " +
                                 Path(std::string(name) + ".pem"));
    EXPECT_NE(server.exit_code, 0) << server.output;
  }
  CommandResult server =
      Shell("openssl verify -purpose sslserver -CAfile " + ca + " " + Path("localhost.pem"));
  EXPECT_EQ(server.exit_code, 0) << server.output;
  CommandResult as_client =
      Shell("openssl verify -purpose sslclient -CAfile " + ca + " " + Path("localhost.pem"));
  EXPECT_EQ(as_client.exit_code, 0) << as_client.output;
}

TEST_F(PkiTest, CertificateFromAnotherCaDoesNotVerify) {
  ASSERT_TRUE(InitCa(dir_).ok());
  std::string other = root_ + "/other";
  ASSERT_TRUE(InitCa(other).ok());
  ASSERT_TRUE(Issue(other, Role::kAgent, "intruder").ok());
  CommandResult r =
      Shell("openssl verify -CAfile " + Path("ca.pem") + " " + other + "/intruder.pem");
  EXPECT_NE(r.exit_code, 0) << r.output;
}

TEST_F(PkiTest, SubjectCarriesIdentityAndRole) {
  ASSERT_TRUE(InitCa(dir_).ok());
  ASSERT_TRUE(Issue(dir_, Role::kAgent, "agent-01").ok());
  CommandResult subject =
      Shell("openssl x509 -noout -subject -nameopt RFC2253 -in " + Path("agent-01.pem"));
  ASSERT_EQ(subject.exit_code, 0) << subject.output;
  EXPECT_EQ(subject.output, "subject=CN=agent-01,OU=agent,O=airfleet\n");
}

TEST_F(PkiTest, CollectorForLocalhostHasDnsAndIpSanAndBothUsages) {
  ASSERT_TRUE(InitCa(dir_).ok());
  ASSERT_TRUE(Issue(dir_, Role::kCollector, "localhost").ok());
  CommandResult text = Shell("openssl x509 -noout -text -in " + Path("localhost.pem"));
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_THAT(text.output, HasSubstr("DNS:localhost, IP Address:127.0.0.1"));
  EXPECT_THAT(text.output,
              HasSubstr("TLS Web Server Authentication, TLS Web Client Authentication"));
  EXPECT_THAT(text.output, HasSubstr("CA:FALSE"));
}

TEST_F(PkiTest, CollectorForOtherNameHasOnlyItsName) {
  ASSERT_TRUE(InitCa(dir_).ok());
  ASSERT_TRUE(Issue(dir_, Role::kCollector, "collector.example.org").ok());
  CommandResult text =
      Shell("openssl x509 -noout -ext subjectAltName -in " + Path("collector.example.org.pem"));
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_THAT(text.output, HasSubstr("DNS:collector.example.org"));
  EXPECT_THAT(text.output, Not(HasSubstr("127.0.0.1")));
  EXPECT_THAT(text.output, Not(HasSubstr("localhost")));
}

TEST_F(PkiTest, AgentAndOperatorAreClientOnly) {
  ASSERT_TRUE(InitCa(dir_).ok());
  ASSERT_TRUE(Issue(dir_, Role::kAgent, "agent-01").ok());
  ASSERT_TRUE(Issue(dir_, Role::kOperator, "alice").ok());
  for (const char* name : {"agent-01", "alice"}) {
    CommandResult eku =
        Shell("openssl x509 -noout -ext extendedKeyUsage -in " + Path(std::string(name) + ".pem"));
    ASSERT_EQ(eku.exit_code, 0) << eku.output;
    EXPECT_THAT(eku.output, HasSubstr("TLS Web Client Authentication"));
    EXPECT_THAT(eku.output, Not(HasSubstr("Server")));
  }
}

TEST_F(PkiTest, KeyIsPrivateP256AndMatchesCertificate) {
  ASSERT_TRUE(InitCa(dir_).ok());
  ASSERT_TRUE(Issue(dir_, Role::kAgent, "agent-01").ok());
  EXPECT_EQ(FileMode(Path("agent-01.key")), 0600u);
  EXPECT_EQ(FileMode(Path("agent-01.pem")), 0644u);

  CommandResult key_pub = Shell("openssl pkey -pubout -in " + Path("agent-01.key"));
  CommandResult cert_pub = Shell("openssl x509 -noout -pubkey -in " + Path("agent-01.pem"));
  ASSERT_EQ(key_pub.exit_code, 0) << key_pub.output;
  ASSERT_EQ(cert_pub.exit_code, 0) << cert_pub.output;
  EXPECT_THAT(key_pub.output, HasSubstr("BEGIN PUBLIC KEY"));
  EXPECT_EQ(key_pub.output, cert_pub.output);

  CommandResult key_text = Shell("openssl pkey -noout -text -in " + Path("agent-01.key"));
  EXPECT_THAT(key_text.output, HasSubstr("ASN1 OID: prime256v1"));
}

TEST_F(PkiTest, KeyStaysPrivateAndCertificateReadableUnderAnyUmask) {
  mode_t old = ::umask(0);
  auto a = InitCa(dir_);
  ::umask(0077);
  auto b = Issue(dir_, Role::kAgent, "agent-01");
  ::umask(old);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(FileMode(Path("ca.key")), 0600u);
  EXPECT_EQ(FileMode(Path("agent-01.key")), 0600u);
  EXPECT_EQ(FileMode(Path("agent-01.pem")), 0644u);
}

TEST_F(PkiTest, SerialsAre128BitRandom) {
  ASSERT_TRUE(InitCa(dir_).ok());
  ASSERT_TRUE(Issue(dir_, Role::kAgent, "a1").ok());
  ASSERT_TRUE(Issue(dir_, Role::kAgent, "a2").ok());
  CommandResult s1 = Shell("openssl x509 -noout -serial -in " + Path("a1.pem"));
  CommandResult s2 = Shell("openssl x509 -noout -serial -in " + Path("a2.pem"));
  // "serial=" + 32 hex digits + newline.
  EXPECT_EQ(s1.output.size(), 7u + 32u + 1u) << s1.output;
  EXPECT_EQ(s2.output.size(), 7u + 32u + 1u) << s2.output;
  EXPECT_NE(s1.output, s2.output);
}

TEST_F(PkiTest, ValidityFollowsDaysFromInjectedClock) {
  InitCaOptions ca;
  ca.now_unix = 1700000000;  // 2023-11-14 22:13:20 UTC
  ASSERT_TRUE(InitCa(dir_, ca).ok());
  IssueOptions leaf;
  leaf.now_unix = 1700000000;
  ASSERT_TRUE(Issue(dir_, Role::kAgent, "agent-01", leaf).ok());
  // Expected dates from `date -u -d @...`: +3650 days and +825 days.
  EXPECT_EQ(Shell("openssl x509 -noout -enddate -in " + Path("ca.pem")).output,
            "notAfter=Nov 11 22:13:20 2033 GMT\n");
  EXPECT_EQ(Shell("openssl x509 -noout -enddate -in " + Path("agent-01.pem")).output,
            "notAfter=Feb 16 22:13:20 2026 GMT\n");

  leaf.days = 30;
  ASSERT_TRUE(Issue(dir_, Role::kAgent, "short", leaf).ok());
  EXPECT_EQ(Shell("openssl x509 -noout -enddate -in " + Path("short.pem")).output,
            "notAfter=Dec 14 22:13:20 2023 GMT\n");
}

TEST_F(PkiTest, IssueRefusesToOverwriteUnlessForced) {
  ASSERT_TRUE(InitCa(dir_).ok());
  ASSERT_TRUE(Issue(dir_, Role::kAgent, "agent-01").ok());
  std::string before = Slurp(Path("agent-01.pem"));
  auto again = Issue(dir_, Role::kAgent, "agent-01");
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Slurp(Path("agent-01.pem")), before);
  IssueOptions force;
  force.force = true;
  ASSERT_TRUE(Issue(dir_, Role::kAgent, "agent-01", force).ok());
  EXPECT_NE(Slurp(Path("agent-01.pem")), before);
}

TEST_F(PkiTest, RejectsNamesThatAreNotPlainFileNames) {
  ASSERT_TRUE(InitCa(dir_).ok());
  for (const char* bad : {"", "../escape", "a/b", "ca", ".hidden", "-flag", "sp ace"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(Issue(dir_, Role::kAgent, bad).status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_FALSE(std::filesystem::exists(root_ + "/escape.pem"));
  EXPECT_EQ(Issue(dir_, "admin", "x").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Issue(dir_, "operator", "x").ok());
}

TEST_F(PkiTest, ReadIdentityAgreesWithOpenssl) {
  ASSERT_TRUE(InitCa(dir_).ok());
  IssueOptions opts;
  opts.now_unix = 1700000000;
  ASSERT_TRUE(Issue(dir_, Role::kCollector, "localhost", opts).ok());
  auto id = ReadIdentityFile(Path("localhost.pem"));
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->common_name, "localhost");
  EXPECT_EQ(id->organizational_unit, "collector");
  EXPECT_EQ(id->not_after_unix, 1771280000);  // `date -u -d 'Feb 16 22:13:20 2026' +%s`
  EXPECT_EQ(id->issuer, "O=airfleet, CN=airfleet fleet CA");
  EXPECT_THAT(id->dns_names, ::testing::ElementsAre("localhost"));
  EXPECT_THAT(id->ip_addresses, ::testing::ElementsAre("127.0.0.1"));
  std::string serial = Shell("openssl x509 -noout -serial -in " + Path("localhost.pem")).output;
  EXPECT_EQ("serial=" + id->serial_hex + "\n", serial);

  EXPECT_EQ(ReadIdentity("not a pem").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadIdentityFile(Path("missing.pem")).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(PkiTest, CheckKeyMatchesCertDetectsMismatch) {
  ASSERT_TRUE(InitCa(dir_).ok());
  ASSERT_TRUE(Issue(dir_, Role::kAgent, "a1").ok());
  ASSERT_TRUE(Issue(dir_, Role::kAgent, "a2").ok());
  EXPECT_TRUE(CheckKeyMatchesCert(Slurp(Path("a1.key")), Slurp(Path("a1.pem"))).ok());
  EXPECT_EQ(CheckKeyMatchesCert(Slurp(Path("a2.key")), Slurp(Path("a1.pem"))).code(),
            absl::StatusCode::kInvalidArgument);
}

// ---- A real mTLS handshake through gRPC ----

// Answers ListAgents with the client's certificate CN, as the collector will read it.
class EchoPeerAdmin final : public v1::Admin::Service {
  grpc::Status ListAgents(grpc::ServerContext* ctx, const v1::ListAgentsRequest*,
                          v1::ListAgentsResponse* out) override {
    for (const auto& cn : ctx->auth_context()->FindPropertyValues(GRPC_X509_CN_PROPERTY_NAME)) {
      out->add_agents()->set_agent_id(std::string(cn.data(), cn.size()));
    }
    return grpc::Status::OK;
  }
};

class MtlsTest : public PkiTest {
 protected:
  void StartServer() {
    grpc::SslServerCredentialsOptions opts(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    opts.pem_root_certs = Slurp(Path("ca.pem"));
    opts.pem_key_cert_pairs.push_back({Slurp(Path("localhost.key")), Slurp(Path("localhost.pem"))});
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::SslServerCredentials(opts), &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port_, 0);
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
    PkiTest::TearDown();
  }

  grpc::Status Call(const std::string& ca, const std::string& key, const std::string& cert,
                    v1::ListAgentsResponse* out) {
    grpc::SslCredentialsOptions o{Slurp(ca), Slurp(key), Slurp(cert)};
    auto channel =
        grpc::CreateChannel("127.0.0.1:" + std::to_string(port_), grpc::SslCredentials(o));
    auto stub = v1::Admin::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return stub->ListAgents(&ctx, v1::ListAgentsRequest(), out);
  }

  EchoPeerAdmin service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

TEST_F(MtlsTest, AgentCertificateHandshakesWithCollectorCertificate) {
  ASSERT_TRUE(InitCa(dir_).ok());
  ASSERT_TRUE(Issue(dir_, Role::kCollector, "localhost").ok());
  ASSERT_TRUE(Issue(dir_, Role::kAgent, "agent-01").ok());
  StartServer();
  v1::ListAgentsResponse out;
  grpc::Status st = Call(Path("ca.pem"), Path("agent-01.key"), Path("agent-01.pem"), &out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(out.agents_size(), 1);
  EXPECT_EQ(out.agents(0).agent_id(), "agent-01");
}

TEST_F(MtlsTest, ClientFromAnotherCaIsRejected) {
  ASSERT_TRUE(InitCa(dir_).ok());
  ASSERT_TRUE(Issue(dir_, Role::kCollector, "localhost").ok());
  std::string other = root_ + "/other";
  ASSERT_TRUE(InitCa(other).ok());
  ASSERT_TRUE(Issue(other, Role::kAgent, "intruder").ok());
  StartServer();
  v1::ListAgentsResponse out;
  grpc::Status st = Call(Path("ca.pem"), other + "/intruder.key", other + "/intruder.pem", &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();
  EXPECT_EQ(out.agents_size(), 0);
}

}  // namespace
}  // namespace airfleet::pki
