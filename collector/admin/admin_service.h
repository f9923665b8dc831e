#pragma once

// The Admin gRPC service (callback API) for `airfleetctl`: read-only views of agents and devices.
// Every call requires an `operator` certificate; anyone else gets PERMISSION_DENIED naming the
// role required. Served on the same port as Ingest.
//
// Threading: gRPC threads; the store and registry are thread-safe. Store reads run on the gRPC
// callback thread (admin traffic is small; ExportWindows reads one bounded page at a time).

#include "airfleet/v1/ingest.grpc.pb.h"
#include "collector/ingest/agent_registry.h"
#include "collector/store/store.h"

namespace airfleet::collector {

struct AdminOptions {
  uint32_t recent_windows = 60;  // GetDevice: newest windows returned
  uint32_t default_device_limit = 10'000;
  size_t export_page = 512;  // windows read from the store per page
};

class AdminService final : public v1::Admin::CallbackService {
 public:
  // `store` and `registry` must outlive the service.
  AdminService(Store* store, const AgentRegistry* registry, AdminOptions options = {});

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

 private:
  Store* store_;
  const AgentRegistry* registry_;
  AdminOptions options_;
};

}  // namespace airfleet::collector
