#include "tools/ctl/admin_client.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/ctl/exit_codes.h"

namespace airfleet::ctl {
namespace {

using ::testing::HasSubstr;

ConnectionOptions Options() {
  ConnectionOptions o;
  o.address = "collector.example:50051";
  o.cert_path = "/etc/airfleet/me.pem";
  o.timeout = std::chrono::milliseconds(2500);
  return o;
}

std::string Message(const absl::Status& s) { return std::string(s.message()); }

TEST(DescribeRpcErrorTest, UnreachableCollector) {
  absl::Status s = DescribeRpcError(
      grpc::Status(grpc::StatusCode::UNAVAILABLE, "failed to connect to all addresses"), Options(),
      "operator");
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(
      Message(s),
      "cannot reach collector at collector.example:50051: failed to connect to all addresses");
  EXPECT_EQ(ExitCodeFor(s), kExitConnection);
}

TEST(DescribeRpcErrorTest, HandshakeFailureIsCalledTls) {
  absl::Status s = DescribeRpcError(
      grpc::Status(grpc::StatusCode::UNAVAILABLE,
                   "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:1: "
                   "Ssl handshake failed: SSL_ERROR_SSL: certificate verify failed"),
      Options(), "operator");
  EXPECT_THAT(Message(s),
              HasSubstr("TLS handshake with the collector at collector.example:50051 failed"));
  EXPECT_THAT(Message(s), HasSubstr("--ca"));
  EXPECT_EQ(ExitCodeFor(s), kExitConnection);
}

TEST(DescribeRpcErrorTest, DeadlineNamesTheTimeout) {
  absl::Status s = DescribeRpcError(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "x"),
                                    Options(), "operator");
  EXPECT_EQ(Message(s),
            "cannot reach collector at collector.example:50051: no answer within 2500 ms");
  EXPECT_EQ(ExitCodeFor(s), kExitConnection);
}

TEST(DescribeRpcErrorTest, PermissionDeniedNamesTheCertificateRole) {
  absl::Status s = DescribeRpcError(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "nope"),
                                    Options(), "agent");
  EXPECT_THAT(Message(s), ::testing::StartsWith(
                              "the collector refused: this command needs an operator certificate; "
                              "/etc/airfleet/me.pem is a 'agent' certificate"));
  EXPECT_EQ(ExitCodeFor(s), kExitPermission);
  // An operator refused for another reason sees the collector's own words.
  absl::Status op = DescribeRpcError(
      grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "operator alice is suspended"), Options(),
      "operator");
  EXPECT_EQ(Message(op), "the collector refused: operator alice is suspended");
  EXPECT_EQ(ExitCodeFor(op), kExitPermission);
}

TEST(DescribeRpcErrorTest, NotFoundAndOthers) {
  absl::Status nf = DescribeRpcError(grpc::Status(grpc::StatusCode::NOT_FOUND, "no such device"),
                                     Options(), "operator");
  EXPECT_EQ(ExitCodeFor(nf), kExitNotFound);
  absl::Status internal = DescribeRpcError(grpc::Status(grpc::StatusCode::INTERNAL, "store broke"),
                                           Options(), "operator");
  EXPECT_EQ(Message(internal), "the collector at collector.example:50051 failed: store broke");
  EXPECT_EQ(ExitCodeFor(internal), kExitUsage);
}

}  // namespace
}  // namespace airfleet::ctl
