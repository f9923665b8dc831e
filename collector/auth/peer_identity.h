#pragma once

// Who is on the other end of a TLS connection, as the fleet's certificates say: the identity is
// the Subject CN, the role is a Subject OU (`agent`, `collector`, `operator`).
//
// The handshake (GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY) already proved the
// certificate chains to the fleet CA and is in date; these functions only read it.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/security/auth_context.h"
#include "grpcpp/support/status.h"

namespace airfleet::collector {

inline constexpr char kRoleAgent[] = "agent";
inline constexpr char kRoleCollector[] = "collector";
inline constexpr char kRoleOperator[] = "operator";

struct PeerIdentity {
  std::string common_name;
  std::vector<std::string> organizational_units;

  bool HasRole(std::string_view role) const;
};

// Parses a PEM certificate's subject. InvalidArgument if it is not a certificate or has no CN.
absl::StatusOr<PeerIdentity> PeerIdentityFromPem(std::string_view pem);

// Reads the verified peer certificate from a call's auth context (nullptr-safe).
absl::StatusOr<PeerIdentity> PeerIdentityFromAuthContext(const grpc::AuthContext* context);

// OK and fills `identity` if the caller holds `role`; otherwise PERMISSION_DENIED naming the role
// required and the one presented (UNAUTHENTICATED if there is no certificate at all).
grpc::Status RequireRole(const grpc::AuthContext* context, std::string_view role,
                         PeerIdentity* identity);

}  // namespace airfleet::collector
