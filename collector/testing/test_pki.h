#pragma once

// A throwaway fleet PKI for tests, made with the `openssl` command line in a directory the caller
// owns (usually a fresh temp dir). It follows the fleet conventions: identity = Subject CN,
// role = Subject OU (`agent`, `collector`, `operator`).
//
// Not thread-safe; create one per test fixture. Each call shells out to openssl (~10 ms with EC
// keys), so create what a test needs and no more.

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace airfleet::testing {

struct TestCert {
  std::string cert_path;
  std::string key_path;
  std::string cert_pem;
  std::string key_pem;
};

struct CertOptions {
  // Subject alternative names in openssl syntax, e.g. {"DNS:localhost", "IP:127.0.0.1"}.
  std::vector<std::string> sans;
  // Issue a certificate that expired long ago (valid 2020-01-01..2020-01-02).
  bool expired = false;
  // Issue it from a second, unrelated CA instead of the fleet CA.
  bool from_other_ca = false;
};

class TestPki {
 public:
  // Creates the fleet CA (and a second "other" CA) under `dir`, which must exist.
  static absl::StatusOr<TestPki> Create(const std::string& dir);

  // Issues a certificate for Subject CN=`cn`, OU=`ou` (OU omitted when empty). `name` picks the
  // file names (`<dir>/<name>.crt`, `<dir>/<name>.key`) and must be unique within this PKI.
  absl::StatusOr<TestCert> Issue(const std::string& name, const std::string& cn,
                                 const std::string& ou, const CertOptions& options = {});

  // The usual collector server certificate: CN=localhost, OU=collector, SAN localhost/127.0.0.1.
  absl::StatusOr<TestCert> IssueCollector(const std::string& name = "collector");

  const std::string& ca_path() const { return ca_.cert_path; }
  const std::string& ca_pem() const { return ca_.cert_pem; }
  const std::string& dir() const { return dir_; }

 private:
  explicit TestPki(std::string dir) : dir_(std::move(dir)) {}
  absl::Status MakeCa(const std::string& name, const std::string& cn, TestCert* out);

  std::string dir_;
  TestCert ca_;
  TestCert other_ca_;
};

// Reads a whole file; used by tests that need PEM contents.
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

}  // namespace airfleet::testing
