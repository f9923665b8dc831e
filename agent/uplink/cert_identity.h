#pragma once

// The agent's identity is the Subject CN of its own certificate (fleet convention), so the agent
// id cannot disagree with what the collector authenticates.

#include <string>

#include "absl/status/statusor.h"

namespace airfleet::uplink {

// Subject CN of the first certificate in a PEM file. NotFound if the file cannot be read,
// InvalidArgument if it holds no certificate or the certificate has no CN.
absl::StatusOr<std::string> CommonNameFromCertificateFile(const std::string& pem_path);

}  // namespace airfleet::uplink
