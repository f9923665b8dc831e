#pragma once

// The fleet's PKI: one CA per fleet, and leaf certificates whose Subject carries the identity.
//
// Conventions every part of airfleet relies on (see docs/architecture.md, "Identity comes from
// certificates"):
//  * Identity = Subject CN (the agent id is its certificate's CN); role = Subject OU, one of
//    "agent", "collector", "operator".
//  * A collector certificate for NAME has SAN DNS:NAME (plus DNS:localhost and IP:127.0.0.1 when
//    NAME is "localhost") and EKU serverAuth+clientAuth; agent and operator certificates have EKU
//    clientAuth.
//  * Keys are ECDSA P-256. Private keys are written with mode 0600 from the moment the file exists;
//    certificates 0644. Serials are 128-bit random. CA validity 10 years, leaves 825 days default.
//
// File layout of a PKI directory DIR: DIR/ca.pem, DIR/ca.key, and DIR/NAME.pem, DIR/NAME.key for
// each issued certificate.
//
// Threading: the functions are independent and re-entrant; two processes issuing the same NAME in
// the same DIR race, and one of them gets ALREADY_EXISTS.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace airfleet::pki {

enum class Role { kAgent, kCollector, kOperator };

// "agent", "collector", "operator": the OU string of the role.
std::string_view RoleName(Role role);
// Parses the OU string; INVALID_ARGUMENT for anything else.
absl::StatusOr<Role> ParseRole(std::string_view name);

inline constexpr int kCaValidityDays = 3650;
inline constexpr int kDefaultLeafDays = 825;

struct InitCaOptions {
  // The CA's Subject CN.
  std::string common_name = "airfleet fleet CA";
  int days = kCaValidityDays;
  // Replace an existing CA (every certificate issued by the old one stops verifying).
  bool force = false;
  // Issue time, unix seconds; 0 means the system clock. Lets tests pin validity dates.
  int64_t now_unix = 0;
};

struct IssueOptions {
  int days = kDefaultLeafDays;
  // Replace an existing NAME.pem / NAME.key.
  bool force = false;
  // Issue time, unix seconds; 0 means the system clock.
  int64_t now_unix = 0;
};

// Paths of what a call wrote.
struct IssuedFiles {
  std::string cert_path;
  std::string key_path;
};

// Creates DIR (if missing) and writes DIR/ca.pem and DIR/ca.key. Refuses with ALREADY_EXISTS when
// either file exists, unless options.force.
absl::StatusOr<IssuedFiles> InitCa(const std::string& dir, const InitCaOptions& options = {});

// Issues a certificate for `name` with `role`, signed by the CA in DIR, and writes DIR/NAME.pem and
// DIR/NAME.key. FAILED_PRECONDITION when DIR has no CA; ALREADY_EXISTS when NAME exists (unless
// options.force); INVALID_ARGUMENT for a name that is not a plain file name or days <= 0.
absl::StatusOr<IssuedFiles> Issue(const std::string& dir, Role role, const std::string& name,
                                  const IssueOptions& options = {});
// Same, with the role as its OU string ("agent", "collector", "operator").
absl::StatusOr<IssuedFiles> Issue(const std::string& dir, std::string_view role,
                                  const std::string& name, int days = kDefaultLeafDays);

// What airfleet reads from a certificate.
struct Identity {
  std::string common_name;          // Subject CN
  std::string organizational_unit;  // Subject OU: the role, "" if absent
  int64_t not_before_unix = 0;      // seconds
  int64_t not_after_unix = 0;       // seconds
  std::string issuer;               // Issuer as one line, e.g. "CN=airfleet fleet CA, O=airfleet"
  std::string serial_hex;           // upper-case hex
  std::vector<std::string> dns_names;     // SAN DNS entries
  std::vector<std::string> ip_addresses;  // SAN IP entries, textual
};

// Parses the first certificate of a PEM string. INVALID_ARGUMENT if it holds none.
absl::StatusOr<Identity> ReadIdentity(std::string_view pem);
// Reads and parses a PEM file. NOT_FOUND if the file is missing.
absl::StatusOr<Identity> ReadIdentityFile(const std::string& path);

// OK when the PEM private key belongs to the PEM certificate; INVALID_ARGUMENT otherwise.
absl::Status CheckKeyMatchesCert(std::string_view key_pem, std::string_view cert_pem);

// Reads a whole file (certificates and keys are small). NOT_FOUND / PERMISSION_DENIED with the
// path in the message.
absl::StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace airfleet::pki
