#include "collector/testing/test_pki.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"

namespace airfleet::testing {
namespace {

// Runs a shell command, sending its output to a log in the PKI dir so failures can be read.
absl::Status Run(const std::string& dir, const std::string& cmd) {
  std::string full = absl::StrCat("cd '", dir, "' && ( ", cmd, " ) >>'", dir, "/openssl.log' 2>&1");
  int rc = std::system(full.c_str());
  if (rc != 0) {
    return absl::InternalError(
        absl::StrCat("command failed (rc=", rc, "): ", cmd, "; see ", dir, "/openssl.log"));
  }
  return absl::OkStatus();
}

absl::Status WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

constexpr char kNewEcKey[] = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";

}  // namespace

absl::StatusOr<std::string> ReadFileToString(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::Status TestPki::MakeCa(const std::string& name, const std::string& cn, TestCert* out) {
  out->cert_path = absl::StrCat(dir_, "/", name, ".crt");
  out->key_path = absl::StrCat(dir_, "/", name, ".key");
  AF_RETURN_IF_ERROR(
      Run(dir_, absl::StrCat("openssl req -x509 ", kNewEcKey, " -keyout ", name, ".key -out ", name,
                             ".crt -days 3650 -subj '/O=airfleet/CN=", cn,
                             "' -addext basicConstraints=critical,CA:TRUE",
                             " -addext keyUsage=critical,keyCertSign,cRLSign")));
  AF_ASSIGN_OR_RETURN(out->cert_pem, ReadFileToString(out->cert_path));
  AF_ASSIGN_OR_RETURN(out->key_pem, ReadFileToString(out->key_path));
  // State for `openssl ca`, which is the only way OpenSSL 3.0 lets us back-date a certificate.
  std::string ca_dir = absl::StrCat(dir_, "/", name, ".db");
  AF_RETURN_IF_ERROR(Run(dir_, absl::StrCat("mkdir -p ", ca_dir, "/new && : > ", ca_dir,
                                            "/index.txt && echo 1000 > ", ca_dir, "/serial")));
  return WriteFile(absl::StrCat(ca_dir, "/ca.cnf"),
                   absl::StrCat("[ca]\ndefault_ca = d\n[d]\ndir = ", ca_dir,
                                "\ndatabase = $dir/index.txt\nnew_certs_dir = $dir/new\n"
                                "serial = $dir/serial\ndefault_md = sha256\npolicy = p\n"
                                "copy_extensions = copy\nunique_subject = no\n"
                                "[p]\ncommonName = supplied\norganizationalUnitName = optional\n"
                                "organizationName = optional\n"));
}

absl::StatusOr<TestPki> TestPki::Create(const std::string& dir) {
  TestPki pki(dir);
  AF_RETURN_IF_ERROR(pki.MakeCa("ca", "airfleet test fleet CA", &pki.ca_));
  AF_RETURN_IF_ERROR(pki.MakeCa("other-ca", "some other CA", &pki.other_ca_));
  return pki;
}

absl::StatusOr<TestCert> TestPki::Issue(const std::string& name, const std::string& cn,
                                        const std::string& ou, const CertOptions& options) {
  const TestCert& ca = options.from_other_ca ? other_ca_ : ca_;
  TestCert out;
  out.cert_path = absl::StrCat(dir_, "/", name, ".crt");
  out.key_path = absl::StrCat(dir_, "/", name, ".key");
  std::string subj =
      absl::StrCat("/O=airfleet", ou.empty() ? "" : absl::StrCat("/OU=", ou), "/CN=", cn);
  std::string exts = "-addext basicConstraints=CA:FALSE";
  if (!options.sans.empty()) {
    absl::StrAppend(&exts, " -addext subjectAltName=", absl::StrJoin(options.sans, ","));
  }
  AF_RETURN_IF_ERROR(Run(dir_, absl::StrCat("openssl req -new ", kNewEcKey, " -keyout ", name,
                                            ".key -out ", name, ".csr -subj '", subj, "' ", exts)));
  if (options.expired) {
    std::string db = absl::StrCat(options.from_other_ca ? "other-ca" : "ca", ".db");
    AF_RETURN_IF_ERROR(
        Run(dir_, absl::StrCat("openssl ca -batch -notext -config ", db, "/ca.cnf -cert ",
                               ca.cert_path, " -keyfile ", ca.key_path, " -in ", name, ".csr -out ",
                               name, ".crt -startdate 20200101000000Z -enddate 20200102000000Z")));
  } else {
    AF_RETURN_IF_ERROR(Run(
        dir_, absl::StrCat("openssl x509 -req -in ", name, ".csr -CA ", ca.cert_path, " -CAkey ",
                           ca.key_path, " -CAcreateserial -days 365 -copy_extensions copy",
                           " -out ", name, ".crt")));
  }
  AF_ASSIGN_OR_RETURN(out.cert_pem, ReadFileToString(out.cert_path));
  AF_ASSIGN_OR_RETURN(out.key_pem, ReadFileToString(out.key_path));
  return out;
}

absl::StatusOr<TestCert> TestPki::IssueCollector(const std::string& name) {
  CertOptions options;
  options.sans = {"DNS:localhost", "IP:127.0.0.1"};
  return Issue(name, "localhost", "collector", options);
}

}  // namespace airfleet::testing
