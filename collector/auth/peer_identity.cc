#include "collector/auth/peer_identity.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace airfleet::collector {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};

std::vector<std::string> EntriesOf(X509_NAME* name, int nid) {
  std::vector<std::string> out;
  int index = -1;
  while ((index = X509_NAME_get_index_by_NID(name, nid, index)) >= 0) {
    X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, index);
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(entry);
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, data);
    if (len >= 0) {
      out.emplace_back(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
      OPENSSL_free(utf8);
    }
  }
  return out;
}

}  // namespace

bool PeerIdentity::HasRole(std::string_view role) const {
  return std::find(organizational_units.begin(), organizational_units.end(), role) !=
         organizational_units.end();
}

absl::StatusOr<PeerIdentity> PeerIdentityFromPem(std::string_view pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return absl::ResourceExhaustedError("BIO_new_mem_buf failed");
  std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return absl::InvalidArgumentError("peer certificate is not a PEM X.509 certificate");
  X509_NAME* subject = X509_get_subject_name(cert.get());
  PeerIdentity identity;
  std::vector<std::string> cns = EntriesOf(subject, NID_commonName);
  if (cns.empty() || cns.front().empty()) {
    return absl::InvalidArgumentError("peer certificate has no subject CN");
  }
  identity.common_name = cns.front();
  identity.organizational_units = EntriesOf(subject, NID_organizationalUnitName);
  return identity;
}

absl::StatusOr<PeerIdentity> PeerIdentityFromAuthContext(const grpc::AuthContext* context) {
  if (context == nullptr || !context->IsPeerAuthenticated()) {
    return absl::UnauthenticatedError("no verified client certificate");
  }
  std::vector<grpc::string_ref> pems = context->FindPropertyValues("x509_pem_cert");
  if (pems.empty()) return absl::UnauthenticatedError("no client certificate in auth context");
  return PeerIdentityFromPem(std::string_view(pems.front().data(), pems.front().size()));
}

grpc::Status RequireRole(const grpc::AuthContext* context, std::string_view role,
                         PeerIdentity* identity) {
  absl::StatusOr<PeerIdentity> peer = PeerIdentityFromAuthContext(context);
  if (!peer.ok()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, std::string(peer.status().message()));
  }
  if (!peer->HasRole(role)) {
    return grpc::Status(
        grpc::StatusCode::PERMISSION_DENIED,
        absl::StrCat("this call requires a certificate with role (OU) '", std::string(role), "'; ",
                     peer->common_name, " presented role '",
                     absl::StrJoin(peer->organizational_units, ","), "'"));
  }
  *identity = std::move(*peer);
  return grpc::Status::OK;
}

}  // namespace airfleet::collector
