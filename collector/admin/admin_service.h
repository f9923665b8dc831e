#pragma once

// The Admin gRPC service (callback API) for `airfleetctl`: views of agents and devices, enriched at
// query time with vendors and known-device names (collector/enrich/), and the known-device
// registry's edits, and the randomised-MAC clusters.
// Every call requires an `operator` certificate; anyone else gets PERMISSION_DENIED naming the
// role required. Served on the same port as Ingest.
//
// Threading: gRPC threads; the store and registry are thread-safe. Store reads run on the gRPC
// callback thread (admin traffic is small; ExportWindows reads one bounded page at a time).

#include <functional>
#include <string>
#include <vector>

#include "airfleet/v1/ingest.grpc.pb.h"
#include "collector/control/control_hub.h"
#include "collector/enrich/known_devices.h"
#include "collector/enrich/vendor_db.h"
#include "collector/ingest/agent_registry.h"
#include "collector/sinks/sink_hub.h"
#include "collector/store/store.h"

namespace airfleet::collector {

struct AdminOptions {
  uint32_t recent_windows = 60;  // GetDevice: newest windows returned
  uint32_t default_device_limit = 10'000;
  size_t export_page = 512;  // windows read from the store per page
  // The external sinks, when any are configured (else ListSinks answers an empty list).
  sinks::SinkHub* sink_hub = nullptr;
  // Builds fresh sinks and calls Initialise() on each (InitSinks); empty = nothing configured.
  std::function<absl::StatusOr<std::vector<std::string>>()> init_sinks;
  // ListClusters: probe observations held per query (the engine's memory cap, ~100 B each);
  // beyond it the answer is partial and says how many were left out.
  size_t max_cluster_observations = 2'000'000;
  // Remote control (SetAgentConfig, GetAgentConfig, ControlAgent); null: UNIMPLEMENTED.
  ControlHub* control = nullptr;
};

class AdminService final : public v1::Admin::CallbackService {
 public:
  // Every pointer must be non-null and outlive the service.
  AdminService(Store* store, const AgentRegistry* registry, const VendorDb* vendors,
               KnownDevices* known, AdminOptions options = {});

  grpc::ServerUnaryReactor* ListAgents(grpc::CallbackServerContext* context,
                                       const v1::ListAgentsRequest* request,
                                       v1::ListAgentsResponse* response) override;
  grpc::ServerUnaryReactor* ListDevices(grpc::CallbackServerContext* context,
                                        const v1::ListDevicesRequest* request,
                                        v1::ListDevicesResponse* response) override;
  grpc::ServerUnaryReactor* GetDevice(grpc::CallbackServerContext* context,
                                      const v1::GetDeviceRequest* request,
                                      v1::GetDeviceResponse* response) override;
  grpc::ServerWriteReactor<v1::StoredWindow>* ExportWindows(
      grpc::CallbackServerContext* context, const v1::ExportWindowsRequest* request) override;
  grpc::ServerUnaryReactor* PutKnownDevices(grpc::CallbackServerContext* context,
                                            const v1::PutKnownDevicesRequest* request,
                                            v1::PutKnownDevicesResponse* response) override;
  grpc::ServerUnaryReactor* RemoveKnownDevice(grpc::CallbackServerContext* context,
                                              const v1::RemoveKnownDeviceRequest* request,
                                              v1::RemoveKnownDeviceResponse* response) override;
  grpc::ServerUnaryReactor* ListKnownDevices(grpc::CallbackServerContext* context,
                                             const v1::ListKnownDevicesRequest* request,
                                             v1::ListKnownDevicesResponse* response) override;
  grpc::ServerUnaryReactor* ListSinks(grpc::CallbackServerContext* context,
                                      const v1::ListSinksRequest* request,
                                      v1::ListSinksResponse* response) override;
  grpc::ServerUnaryReactor* ListDeadLetters(grpc::CallbackServerContext* context,
                                            const v1::ListDeadLettersRequest* request,
                                            v1::ListDeadLettersResponse* response) override;
  grpc::ServerUnaryReactor* InitSinks(grpc::CallbackServerContext* context,
                                      const v1::InitSinksRequest* request,
                                      v1::InitSinksResponse* response) override;
  grpc::ServerUnaryReactor* BackfillSinks(grpc::CallbackServerContext* context,
                                          const v1::BackfillSinksRequest* request,
                                          v1::BackfillSinksResponse* response) override;
  // Randomised-MAC clusters (collector/analytics/clusters.h) over the stored probe observations
  // of the requested time range; INVALID_ARGUMENT for a negative gap or tolerance.
  grpc::ServerUnaryReactor* ListClusters(grpc::CallbackServerContext* context,
                                         const v1::ListClustersRequest* request,
                                         v1::ListClustersResponse* response) override;

  // Analytics (collector/analytics/ does the folding; these only scan, enrich and answer).
  grpc::ServerUnaryReactor* ProbeStats(grpc::CallbackServerContext* context,
                                       const v1::ProbeStatsRequest* request,
                                       v1::ProbeStatsResponse* response) override;
  grpc::ServerUnaryReactor* SubtypeStats(grpc::CallbackServerContext* context,
                                         const v1::SubtypeStatsRequest* request,
                                         v1::SubtypeStatsResponse* response) override;
  grpc::ServerUnaryReactor* Timeline(grpc::CallbackServerContext* context,
                                     const v1::TimelineRequest* request,
                                     v1::TimelineResponse* response) override;
  grpc::ServerUnaryReactor* FleetFrames(grpc::CallbackServerContext* context,
                                        const v1::FleetFramesRequest* request,
                                        v1::FleetFramesResponse* response) override;
  grpc::ServerUnaryReactor* DeviceGraph(grpc::CallbackServerContext* context,
                                        const v1::GraphRequest* request,
                                        v1::GraphResponse* response) override;

  // Remote control (collector/control/control_hub.h).
  grpc::ServerUnaryReactor* SetAgentConfig(grpc::CallbackServerContext* context,
                                           const v1::SetAgentConfigRequest* request,
                                           v1::SetAgentConfigResponse* response) override;
  grpc::ServerUnaryReactor* GetAgentConfig(grpc::CallbackServerContext* context,
                                           const v1::GetAgentConfigRequest* request,
                                           v1::GetAgentConfigResponse* response) override;
  // Finishes when the agent answers, the timeout passes or the agent disconnects; an agent's
  // error (ControlReply.code) becomes the call's status.
  grpc::ServerUnaryReactor* ControlAgent(grpc::CallbackServerContext* context,
                                         const v1::ControlAgentRequest* request,
                                         v1::ControlReply* response) override;

 private:
  Store* store_;
  const AgentRegistry* registry_;
  const VendorDb* vendors_;
  KnownDevices* known_;
  AdminOptions options_;
};

}  // namespace airfleet::collector
