#include "agent/uplink/cert_identity.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "absl/strings/str_cat.h"

namespace airfleet::uplink {

absl::StatusOr<std::string> CommonNameFromCertificateFile(const std::string& pem_path) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(pem_path.c_str(), "r"), &BIO_free);
  if (!bio) return absl::NotFoundError(absl::StrCat("cannot read certificate ", pem_path));
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!cert) {
    return absl::InvalidArgumentError(absl::StrCat(pem_path, " holds no PEM certificate"));
  }
  X509_NAME* subject = X509_get_subject_name(cert.get());
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) {
    return absl::InvalidArgumentError(absl::StrCat("certificate ", pem_path, " has no Subject CN"));
  }
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  unsigned char* utf8 = nullptr;
  const int len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0) {
    return absl::InvalidArgumentError(absl::StrCat("certificate ", pem_path, " has a bad CN"));
  }
  std::string cn(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  return cn;
}

}  // namespace airfleet::uplink
