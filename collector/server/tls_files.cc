#include "collector/server/tls_files.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace airfleet::collector {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& what, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    std::string msg = absl::StrCat("cannot read ", what, " file ", path, ": ", std::strerror(err));
    return err == EACCES ? absl::PermissionDeniedError(msg) : absl::NotFoundError(msg);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

std::unique_ptr<BIO, BioFree> Bio(const std::string& pem) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

}  // namespace

absl::StatusOr<TlsMaterial> LoadTlsMaterial(const std::string& ca_file,
                                            const std::string& cert_file,
                                            const std::string& key_file) {
  TlsMaterial m;
  AF_ASSIGN_OR_RETURN(m.ca_pem, ReadFile("CA certificate", ca_file));
  AF_ASSIGN_OR_RETURN(m.cert_pem, ReadFile("certificate", cert_file));
  AF_ASSIGN_OR_RETURN(m.key_pem, ReadFile("private key", key_file));

  std::unique_ptr<X509, X509Free> ca(
      PEM_read_bio_X509(Bio(m.ca_pem).get(), nullptr, nullptr, nullptr));
  if (!ca) return absl::InvalidArgumentError(absl::StrCat(ca_file, " is not a PEM certificate"));
  std::unique_ptr<X509, X509Free> cert(
      PEM_read_bio_X509(Bio(m.cert_pem).get(), nullptr, nullptr, nullptr));
  if (!cert)
    return absl::InvalidArgumentError(absl::StrCat(cert_file, " is not a PEM certificate"));
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      PEM_read_bio_PrivateKey(Bio(m.key_pem).get(), nullptr, nullptr, nullptr));
  if (!key) {
    return absl::InvalidArgumentError(
        absl::StrCat(key_file, " is not an unencrypted PEM private key"));
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("private key ", key_file, " does not match certificate ", cert_file));
  }
  return m;
}

}  // namespace airfleet::collector
