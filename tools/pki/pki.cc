#include "tools/pki/pki.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/openssl_errors.h"
#include "common/status_macros.h"

namespace airfleet::pki {
namespace {

// Certificates are valid from a little before "now": a Raspberry Pi has no RTC and may boot with
// a clock that lags until NTP catches up.
constexpr int64_t kBackdateSeconds = 3600;
constexpr mode_t kKeyMode = 0600;
constexpr mode_t kCertMode = 0644;

struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct ExtFree {
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
struct GeneralNamesFree {
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

absl::Status SslError(const std::string& what) {
  return absl::InternalError(absl::StrCat(what, ": ", OpenSslErrors()));
}

std::string ErrnoText() { return std::strerror(errno); }

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// Writes `contents` to `path` with `mode`. The data goes to a temporary file created with that
// mode (O_EXCL, so a key is never readable by others, not even briefly), is synced, then linked
// into place: link() fails if `path` exists, so without `replace` nothing is ever overwritten.
absl::Status WriteNewFile(const std::string& path, std::string_view contents, mode_t mode,
                          bool replace) {
  std::string tmp = absl::StrCat(path, ".tmp.", ::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return absl::InternalError(absl::StrCat("cannot create ", tmp, ": ", ErrnoText()));
  // The umask may have narrowed the mode; certificates must stay world-readable (0644). This runs
  // on the empty file, before any byte is written.
  if (::fchmod(fd, mode) != 0) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return absl::InternalError(absl::StrCat("cannot set mode of ", tmp, ": ", ErrnoText()));
  }
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string err = ErrnoText();
      ::close(fd);
      ::unlink(tmp.c_str());
      return absl::InternalError(absl::StrCat("cannot write ", tmp, ": ", err));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    std::string err = ErrnoText();
    ::unlink(tmp.c_str());
    return absl::InternalError(absl::StrCat("cannot sync ", tmp, ": ", err));
  }
  int rc = replace ? ::rename(tmp.c_str(), path.c_str()) : ::link(tmp.c_str(), path.c_str());
  if (rc != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    if (err == EEXIST) return absl::AlreadyExistsError(absl::StrCat(path, " already exists"));
    return absl::InternalError(absl::StrCat("cannot create ", path, ": ", std::strerror(err)));
  }
  if (!replace) ::unlink(tmp.c_str());
  return absl::OkStatus();
}

absl::StatusOr<PkeyPtr> GenerateKey() {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return SslError("generating a P-256 key");
  return key;
}

absl::StatusOr<std::string> KeyToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)) {
    return SslError("encoding the private key");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

absl::StatusOr<std::string> CertToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_X509(bio.get(), cert)) return SslError("encoding the certificate");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

absl::StatusOr<X509Ptr> ParseCert(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    ERR_clear_error();
    return absl::InvalidArgumentError("no PEM certificate found");
  }
  return cert;
}

absl::StatusOr<PkeyPtr> ParseKey(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    ERR_clear_error();
    return absl::InvalidArgumentError("no PEM private key found");
  }
  return key;
}

absl::Status SetRandomSerial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return SslError("drawing a serial number");
  bytes[0] &= 0x7f;  // positive without a padding byte; still 127 random bits
  bytes[0] |= 0x40;  // never zero, and always 16 octets on the wire
  std::unique_ptr<BIGNUM, BnFree> bn(BN_bin2bn(bytes, sizeof(bytes), nullptr));
  if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert))) {
    return SslError("setting the serial number");
  }
  return absl::OkStatus();
}

absl::Status AddEntry(X509_NAME* name, const char* field, const std::string& value) {
  if (!X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                  reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                  0)) {
    return SslError(absl::StrCat("setting subject ", field));
  }
  return absl::OkStatus();
}

absl::Status AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  std::unique_ptr<X509_EXTENSION, ExtFree> ext(
      X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()));
  if (!ext || !X509_add_ext(cert, ext.get(), -1)) {
    return SslError(absl::StrCat("adding extension ", OBJ_nid2sn(nid), "=", value));
  }
  return absl::OkStatus();
}

// The fields shared by the CA and leaves: version 3, serial, validity, subject, public key.
absl::StatusOr<X509Ptr> NewCert(EVP_PKEY* key, int64_t now, int days) {
  X509Ptr cert(X509_new());
  if (!cert || !X509_set_version(cert.get(), 2)) return SslError("creating a certificate");
  AF_RETURN_IF_ERROR(SetRandomSerial(cert.get()));
  time_t t = static_cast<time_t>(now);
  if (!X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, -kBackdateSeconds, &t) ||
      !X509_time_adj_ex(X509_getm_notAfter(cert.get()), days, 0, &t)) {
    return SslError("setting validity");
  }
  if (!X509_set_pubkey(cert.get(), key)) return SslError("setting the public key");
  return cert;
}

int64_t Now(int64_t now_unix) {
  return now_unix != 0 ? now_unix : static_cast<int64_t>(::time(nullptr));
}

// A NAME becomes a file name and a CN: keep it to characters that are safe in both and that
// cannot climb out of DIR or collide with the CA's files.
absl::Status ValidateName(const std::string& name) {
  if (name.empty() || name.size() > 64) {
    return absl::InvalidArgumentError("name must be 1 to 64 characters");
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) {
      return absl::InvalidArgumentError(
          absl::StrCat("name '", name, "' may only contain letters, digits, '-', '_' and '.'"));
    }
  }
  if (name[0] == '.' || name[0] == '-') {
    return absl::InvalidArgumentError(
        absl::StrCat("name '", name, "' must not start with '.' or '-'"));
  }
  if (name == "ca") return absl::InvalidArgumentError("name 'ca' is reserved for the CA's files");
  return absl::OkStatus();
}

bool IsIpv4(const std::string& s) {
  in_addr a;
  return ::inet_pton(AF_INET, s.c_str(), &a) == 1;
}

std::string Asn1ToUtf8(const ASN1_STRING* s) {
  unsigned char* out = nullptr;
  int len = ASN1_STRING_to_UTF8(&out, s);
  if (len < 0) return "";
  std::string r(reinterpret_cast<char*>(out), static_cast<size_t>(len));
  OPENSSL_free(out);
  return r;
}

std::string NameEntry(const X509_NAME* name, int nid) {
  int idx = X509_NAME_get_index_by_NID(name, nid, -1);
  if (idx < 0) return "";
  return Asn1ToUtf8(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx)));
}

// "CN=airfleet fleet CA, O=airfleet": short names in certificate order, one line.
std::string NameOneLine(const X509_NAME* name) {
  std::vector<std::string> parts;
  for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
    const X509_NAME_ENTRY* e = X509_NAME_get_entry(name, i);
    int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
    parts.push_back(absl::StrCat(OBJ_nid2sn(nid), "=", Asn1ToUtf8(X509_NAME_ENTRY_get_data(e))));
  }
  return absl::StrJoin(parts, ", ");
}

absl::StatusOr<int64_t> AsnTimeToUnix(const ASN1_TIME* t) {
  struct tm tm {};
  if (!ASN1_TIME_to_tm(t, &tm)) return SslError("reading a certificate time");
  return static_cast<int64_t>(::timegm(&tm));
}

std::string NoCaMessage(const std::string& dir) {
  return absl::StrCat("no CA in ", dir, ": run `airfleetctl pki init --dir ", dir, "` first");
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAgent:
      return "agent";
    case Role::kCollector:
      return "collector";
    case Role::kOperator:
      return "operator";
  }
  return "agent";
}

absl::StatusOr<Role> ParseRole(std::string_view name) {
  if (name == "agent") return Role::kAgent;
  if (name == "collector") return Role::kCollector;
  if (name == "operator") return Role::kOperator;
  return absl::InvalidArgumentError(absl::StrCat("unknown role '", std::string(name),
                                                 "': expected agent, collector or operator"));
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    std::string msg = absl::StrCat("cannot read ", path, ": ", std::strerror(err));
    if (err == ENOENT) return absl::NotFoundError(msg);
    if (err == EACCES) return absl::PermissionDeniedError(msg);
    return absl::InternalError(msg);
  }
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string msg = absl::StrCat("cannot read ", path, ": ", ErrnoText());
      ::close(fd);
      return absl::InternalError(msg);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

absl::StatusOr<IssuedFiles> InitCa(const std::string& dir, const InitCaOptions& options) {
  if (options.days <= 0) return absl::InvalidArgumentError("days must be positive");
  IssuedFiles files{dir + "/ca.pem", dir + "/ca.key"};
  if (!options.force && (FileExists(files.cert_path) || FileExists(files.key_path))) {
    return absl::AlreadyExistsError(
        absl::StrCat("a CA already exists in ", dir,
                     "; replacing it invalidates every certificate it issued (use --force to "
                     "replace it anyway)"));
  }
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::path p(dir);
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
    // The directory holds the CA key: private from the start.
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return absl::InternalError(absl::StrCat("cannot create ", dir, ": ", ErrnoText()));
    }
  }

  AF_ASSIGN_OR_RETURN(PkeyPtr key, GenerateKey());
  int64_t now = Now(options.now_unix);
  AF_ASSIGN_OR_RETURN(X509Ptr cert, NewCert(key.get(), now, options.days));
  X509_NAME* subject = X509_get_subject_name(cert.get());
  AF_RETURN_IF_ERROR(AddEntry(subject, "O", "airfleet"));
  AF_RETURN_IF_ERROR(AddEntry(subject, "CN", options.common_name));
  if (!X509_set_issuer_name(cert.get(), subject)) return SslError("setting the issuer");

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  AF_RETURN_IF_ERROR(
      AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0"));
  AF_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign"));
  AF_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  AF_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always"));
  if (!X509_sign(cert.get(), key.get(), EVP_sha256())) return SslError("signing the CA");

  AF_ASSIGN_OR_RETURN(std::string key_pem, KeyToPem(key.get()));
  AF_ASSIGN_OR_RETURN(std::string cert_pem, CertToPem(cert.get()));
  AF_RETURN_IF_ERROR(WriteNewFile(files.key_path, key_pem, kKeyMode, options.force));
  absl::Status st = WriteNewFile(files.cert_path, cert_pem, kCertMode, options.force);
  if (!st.ok()) {
    ::unlink(files.key_path.c_str());  // a key without its certificate is useless and confusing
    return st;
  }
  return files;
}

absl::StatusOr<IssuedFiles> Issue(const std::string& dir, Role role, const std::string& name,
                                  const IssueOptions& options) {
  AF_RETURN_IF_ERROR(ValidateName(name));
  if (options.days <= 0) return absl::InvalidArgumentError("days must be positive");
  std::string ca_cert_path = dir + "/ca.pem";
  std::string ca_key_path = dir + "/ca.key";
  if (!FileExists(ca_cert_path) || !FileExists(ca_key_path)) {
    return absl::FailedPreconditionError(NoCaMessage(dir));
  }
  IssuedFiles files{absl::StrCat(dir, "/", name, ".pem"), absl::StrCat(dir, "/", name, ".key")};
  if (!options.force && (FileExists(files.cert_path) || FileExists(files.key_path))) {
    return absl::AlreadyExistsError(absl::StrCat(
        files.cert_path, " already exists (use --force to issue a new one in its place)"));
  }

  AF_ASSIGN_OR_RETURN(std::string ca_cert_pem, ReadFile(ca_cert_path));
  AF_ASSIGN_OR_RETURN(std::string ca_key_pem, ReadFile(ca_key_path));
  auto ca_cert = ParseCert(ca_cert_pem);
  if (!ca_cert.ok())
    return absl::FailedPreconditionError(
        absl::StrCat(ca_cert_path, ": ", ca_cert.status().message()));
  auto ca_key = ParseKey(ca_key_pem);
  if (!ca_key.ok())
    return absl::FailedPreconditionError(
        absl::StrCat(ca_key_path, ": ", ca_key.status().message()));
  if (X509_check_private_key(ca_cert->get(), ca_key->get()) != 1) {
    ERR_clear_error();
    return absl::FailedPreconditionError(
        absl::StrCat(ca_key_path, " does not belong to ", ca_cert_path));
  }

  AF_ASSIGN_OR_RETURN(PkeyPtr key, GenerateKey());
  int64_t now = Now(options.now_unix);
  AF_ASSIGN_OR_RETURN(X509Ptr cert, NewCert(key.get(), now, options.days));
  X509_NAME* subject = X509_get_subject_name(cert.get());
  AF_RETURN_IF_ERROR(AddEntry(subject, "O", "airfleet"));
  AF_RETURN_IF_ERROR(AddEntry(subject, "OU", std::string(RoleName(role))));
  AF_RETURN_IF_ERROR(AddEntry(subject, "CN", name));
  if (!X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert->get()))) {
    return SslError("setting the issuer");
  }

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, ca_cert->get(), cert.get(), nullptr, nullptr, 0);
  AF_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE"));
  // ECDSA keys sign (TLS 1.2 ECDHE-ECDSA and TLS 1.3); they never encipher keys.
  AF_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature"));
  AF_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  AF_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always"));
  if (role == Role::kCollector) {
    // Collectors also dial each other and sinks, so clientAuth is harmless and handy.
    AF_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_ext_key_usage, "serverAuth,clientAuth"));
    std::string san = IsIpv4(name) ? absl::StrCat("IP:", name) : absl::StrCat("DNS:", name);
    if (name == "localhost") san += ",IP:127.0.0.1";
    AF_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_subject_alt_name, san));
  } else {
    AF_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_ext_key_usage, "clientAuth"));
  }
  if (!X509_sign(cert.get(), ca_key->get(), EVP_sha256()))
    return SslError("signing the certificate");

  AF_ASSIGN_OR_RETURN(std::string key_pem, KeyToPem(key.get()));
  AF_ASSIGN_OR_RETURN(std::string cert_pem, CertToPem(cert.get()));
  AF_RETURN_IF_ERROR(WriteNewFile(files.key_path, key_pem, kKeyMode, options.force));
  absl::Status st = WriteNewFile(files.cert_path, cert_pem, kCertMode, options.force);
  if (!st.ok()) {
    ::unlink(files.key_path.c_str());
    return st;
  }
  return files;
}

absl::StatusOr<IssuedFiles> Issue(const std::string& dir, std::string_view role,
                                  const std::string& name, int days) {
  AF_ASSIGN_OR_RETURN(Role r, ParseRole(role));
  IssueOptions options;
  options.days = days;
  return Issue(dir, r, name, options);
}

absl::StatusOr<Identity> ReadIdentity(std::string_view pem) {
  AF_ASSIGN_OR_RETURN(X509Ptr cert, ParseCert(pem));
  Identity id;
  const X509_NAME* subject = X509_get_subject_name(cert.get());
  id.common_name = NameEntry(subject, NID_commonName);
  id.organizational_unit = NameEntry(subject, NID_organizationalUnitName);
  id.issuer = NameOneLine(X509_get_issuer_name(cert.get()));
  AF_ASSIGN_OR_RETURN(id.not_before_unix, AsnTimeToUnix(X509_get0_notBefore(cert.get())));
  AF_ASSIGN_OR_RETURN(id.not_after_unix, AsnTimeToUnix(X509_get0_notAfter(cert.get())));
  if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr)) {
    char* hex = BN_bn2hex(bn);
    id.serial_hex = hex;
    OPENSSL_free(hex);
    BN_free(bn);
  }
  std::unique_ptr<GENERAL_NAMES, GeneralNamesFree> sans(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr)));
  if (sans) {
    for (int i = 0; i < sk_GENERAL_NAME_num(sans.get()); ++i) {
      const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans.get(), i);
      if (gn->type == GEN_DNS) {
        id.dns_names.push_back(Asn1ToUtf8(gn->d.dNSName));
      } else if (gn->type == GEN_IPADD) {
        const ASN1_OCTET_STRING* ip = gn->d.iPAddress;
        char buf[INET6_ADDRSTRLEN] = {};
        int family = ASN1_STRING_length(ip) == 4 ? AF_INET : AF_INET6;
        if (::inet_ntop(family, ASN1_STRING_get0_data(ip), buf, sizeof(buf))) {
          id.ip_addresses.push_back(buf);
        }
      }
    }
  }
  ERR_clear_error();
  return id;
}

absl::StatusOr<Identity> ReadIdentityFile(const std::string& path) {
  AF_ASSIGN_OR_RETURN(std::string pem, ReadFile(path));
  auto id = ReadIdentity(pem);
  if (!id.ok())
    return absl::Status(id.status().code(), absl::StrCat(path, ": ", id.status().message()));
  return id;
}

absl::Status CheckKeyMatchesCert(std::string_view key_pem, std::string_view cert_pem) {
  AF_ASSIGN_OR_RETURN(X509Ptr cert, ParseCert(cert_pem));
  AF_ASSIGN_OR_RETURN(PkeyPtr key, ParseKey(key_pem));
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError("the private key does not belong to the certificate");
  }
  return absl::OkStatus();
}

}  // namespace airfleet::pki
