#pragma once

// Turns gRPC failures into sentences an operator can act on ("the collector refused our
// certificate ..."), because gRPC's own text names OpenSSL internals.

#include <string>

#include "grpcpp/support/status.h"

namespace airfleet::uplink {

struct ErrorContext {
  std::string collector;  // host:port as configured
  std::string ca_file;
  std::string cert_file;
};

std::string DescribeStreamFailure(const grpc::Status& status, const ErrorContext& context);

}  // namespace airfleet::uplink
