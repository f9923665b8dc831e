#pragma once

// The operator's side of the collector's Admin API over mTLS.
//
// Every failure comes back as an absl::Status whose message an operator can act on, and whose
// code maps to an exit code (exit_codes.h):
//   UNAVAILABLE        "cannot reach collector at ADDR: ..." or "TLS handshake with the collector
//                      at ADDR failed: ..." (with a hint about --ca / --cert)
//   PERMISSION_DENIED  "the collector refused: this command needs an operator certificate; CERT
//                      is a 'agent' certificate"
//   NOT_FOUND          the collector's message
// Threading: one AdminClient may be used from one thread at a time.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "airfleet/v1/ingest.grpc.pb.h"

namespace airfleet::ctl {

struct ConnectionOptions {
  std::string address;    // host:port of the collector
  std::string ca_path;    // fleet CA certificate (PEM)
  std::string cert_path;  // this operator's certificate (PEM)
  std::string key_path;   // its private key (PEM)
  // TLS name to expect in the collector's certificate when it differs from the dialled host.
  std::string server_name;
  // Per unary call; an export stream has no overall deadline (it may be long).
  std::chrono::milliseconds timeout{10000};
};

// What went wrong, in the operator's words, for a gRPC failure. `cert_role` is the OU of the
// certificate in use ("" if unknown). Exposed for tests.
absl::Status DescribeRpcError(const grpc::Status& status, const ConnectionOptions& options,
                              const std::string& cert_role);

class AdminClient {
 public:
  // Reads the CA, certificate and key (INVALID_ARGUMENT / NOT_FOUND with the flag's name when one
  // is missing, unreadable, or the key does not belong to the certificate). Does not connect yet.
  static absl::StatusOr<std::unique_ptr<AdminClient>> Create(const ConnectionOptions& options);

  absl::StatusOr<v1::ListAgentsResponse> ListAgents();
  absl::StatusOr<v1::ListDevicesResponse> ListDevices(const v1::ListDevicesRequest& request);
  absl::StatusOr<v1::GetDeviceResponse> GetDevice(uint64_t mac);
  absl::StatusOr<v1::PutKnownDevicesResponse> PutKnownDevices(
      const v1::PutKnownDevicesRequest& request);
  absl::Status RemoveKnownDevice(uint64_t mac);
  absl::StatusOr<v1::ListKnownDevicesResponse> ListKnownDevices();
  absl::StatusOr<v1::ListSinksResponse> ListSinks();
  absl::StatusOr<v1::ListDeadLettersResponse> ListDeadLetters(
      const v1::ListDeadLettersRequest& request);
  // Schema creation may take long (Cassandra): `timeout` replaces the usual deadline.
  absl::StatusOr<v1::InitSinksResponse> InitSinks(std::chrono::milliseconds timeout);
  absl::StatusOr<v1::BackfillSinksResponse> BackfillSinks(int64_t since_ns,
                                                          std::chrono::milliseconds timeout);
  // Remote control (control.proto).
  absl::StatusOr<v1::SetAgentConfigResponse> SetAgentConfig(
      const v1::SetAgentConfigRequest& request);
  absl::StatusOr<v1::GetAgentConfigResponse> GetAgentConfig(const std::string& agent_id);
  // Waits up to the agent's answer time (request.timeout_ms) plus the usual deadline.
  absl::StatusOr<v1::ControlReply> ControlAgent(const v1::ControlAgentRequest& request);
  absl::StatusOr<v1::ListClustersResponse> ListClusters(const v1::ListClustersRequest& request);
  // Analytics (analytics.proto).
  absl::StatusOr<v1::ProbeStatsResponse> ProbeStats(const v1::ProbeStatsRequest& request);
  absl::StatusOr<v1::SubtypeStatsResponse> SubtypeStats(const v1::SubtypeStatsRequest& request);
  absl::StatusOr<v1::TimelineResponse> Timeline(const v1::TimelineRequest& request);
  absl::StatusOr<v1::FleetFramesResponse> FleetFrames(const v1::FleetFramesRequest& request);
  absl::StatusOr<v1::GraphResponse> DeviceGraph(const v1::GraphRequest& request);
  // Calls `sink` for each stored window in order; stops (and cancels the stream) at the first
  // error from `sink`, which is returned.
  absl::Status ExportWindows(const v1::ExportWindowsRequest& request,
                             const std::function<absl::Status(const v1::StoredWindow&)>& sink);

 private:
  AdminClient(ConnectionOptions options, std::string cert_role,
              std::unique_ptr<v1::Admin::Stub> stub)
      : options_(std::move(options)), cert_role_(std::move(cert_role)), stub_(std::move(stub)) {}

  void PrepareUnary(grpc::ClientContext* ctx) const;

  ConnectionOptions options_;
  std::string cert_role_;
  std::unique_ptr<v1::Admin::Stub> stub_;
};

}  // namespace airfleet::ctl
