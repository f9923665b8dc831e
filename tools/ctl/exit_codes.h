#pragma once

// airfleetctl's exit codes, a contract with scripts (also printed in `airfleetctl --help`).

#include "absl/status/status.h"

namespace airfleet::ctl {

enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 1,       // bad arguments, unreadable files, other errors
  kExitConnection = 2,  // collector unreachable, TLS failure
  kExitPermission = 3,  // the collector refused (wrong certificate role)
  kExitNotFound = 4,    // the asked-for device (or file) does not exist
};

inline constexpr char kExitCodesHelp[] =
    "Exit codes: 0 ok, 1 usage or other error, 2 cannot connect / TLS failure, "
    "3 permission denied (needs an operator certificate), 4 not found.";

// The exit code for a failed command's status (as produced by AdminClient and the pki commands).
inline int ExitCodeFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return kExitOk;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return kExitConnection;
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
      return kExitPermission;
    case absl::StatusCode::kNotFound:
      return kExitNotFound;
    default:
      return kExitUsage;
  }
}

}  // namespace airfleet::ctl
