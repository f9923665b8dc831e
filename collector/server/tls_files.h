#pragma once

// Loads the collector's TLS material from files and checks it before gRPC sees it, so a mistake
// gives a message naming the file instead of a handshake failure later.

#include <string>

#include "absl/status/statusor.h"

namespace airfleet::collector {

struct TlsMaterial {
  std::string ca_pem;
  std::string cert_pem;
  std::string key_pem;
};

// Errors: NotFound/PermissionDenied for unreadable files, InvalidArgument for a file that is not
// a PEM certificate / key, or a key that does not belong to the certificate.
absl::StatusOr<TlsMaterial> LoadTlsMaterial(const std::string& ca_file,
                                            const std::string& cert_file,
                                            const std::string& key_file);

}  // namespace airfleet::collector
