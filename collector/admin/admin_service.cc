#include "collector/admin/admin_service.h"

#include <deque>
#include <string>

#include "absl/strings/str_cat.h"
#include "collector/auth/peer_identity.h"
#include "collector/enrich/enrich.h"

namespace airfleet::collector {
namespace {

grpc::Status ToGrpc(const absl::Status& s) {
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

grpc::Status CheckOperator(grpc::CallbackServerContext* context) {
  PeerIdentity identity;
  return RequireRole(context->auth_context().get(), kRoleOperator, &identity);
}

// Streams pages of windows from the store; one write in flight, next page read when the current
// one is drained. Deletes itself in OnDone.
class ExportReactor : public grpc::ServerWriteReactor<v1::StoredWindow> {
 public:
  ExportReactor(Store* store, const v1::ExportWindowsRequest& request, size_t page_size)
      : store_(store), request_(request), page_size_(page_size) {
    Next();
  }
  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
      return;
    }
    Next();
  }
  void OnDone() override { delete this; }

 private:
  void Next() {
    if (pending_.empty() && !done_) {
      absl::StatusOr<ExportPage> page =
          store_->ExportWindows(request_.since_ns(), request_.until_ns(), cursor_, page_size_);
      if (!page.ok()) {
        Finish(ToGrpc(page.status()));
        return;
      }
      for (auto& w : page->windows) pending_.push_back(std::move(w));
      cursor_ = std::move(page->next_cursor);
      done_ = cursor_.empty();
    }
    if (pending_.empty()) {
      Finish(grpc::Status::OK);
      return;
    }
    current_ = std::move(pending_.front());
    pending_.pop_front();
    StartWrite(&current_);
  }

  Store* store_;
  const v1::ExportWindowsRequest request_;
  const size_t page_size_;
  std::string cursor_;
  bool done_ = false;
  std::deque<v1::StoredWindow> pending_;
  v1::StoredWindow current_;
};

}  // namespace

AdminService::AdminService(Store* store, const AgentRegistry* registry, const VendorDb* vendors,
                           KnownDevices* known, AdminOptions options)
    : store_(store), registry_(registry), vendors_(vendors), known_(known), options_(options) {}

grpc::ServerUnaryReactor* AdminService::ListAgents(grpc::CallbackServerContext* context,
                                                   const v1::ListAgentsRequest* /*request*/,
                                                   v1::ListAgentsResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status = CheckOperator(context);
  if (status.ok()) {
    absl::StatusOr<std::vector<v1::AgentInfo>> agents = store_->ListAgents();
    if (!agents.ok()) {
      status = ToGrpc(agents.status());
    } else {
      for (auto& a : registry_->Overlay(std::move(*agents))) *response->add_agents() = std::move(a);
    }
  }
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* AdminService::ListDevices(grpc::CallbackServerContext* context,
                                                    const v1::ListDevicesRequest* request,
                                                    v1::ListDevicesResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status = CheckOperator(context);
  if (status.ok()) {
    DeviceQuery query;
    query.since_ns = request->since_ns();
    query.agent_id = request->agent_id();
    query.limit = request->limit() != 0 ? request->limit() : options_.default_device_limit;
    // One snapshot of each source for the whole answer; filtering inside the store's scan keeps
    // the limit counting matching devices.
    std::shared_ptr<const OuiTable> vendors = vendors_->table();
    std::shared_ptr<const KnownDevices::Map> known = known_->match_snapshot();
    const DeviceFilter filter = DeviceFilter::FromRequest(*request);
    query.keep = [&](v1::DeviceInfo* d) {
      EnrichDevice(*vendors, *known, d);
      return MatchesFilter(*d, filter);
    };
    absl::StatusOr<std::vector<v1::DeviceInfo>> devices = store_->ListDevices(query);
    if (!devices.ok()) {
      status = ToGrpc(devices.status());
    } else {
      for (auto& d : *devices) *response->add_devices() = std::move(d);
    }
  }
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* AdminService::GetDevice(grpc::CallbackServerContext* context,
                                                  const v1::GetDeviceRequest* request,
                                                  v1::GetDeviceResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status = CheckOperator(context);
  if (status.ok()) {
    absl::StatusOr<v1::GetDeviceResponse> device =
        store_->GetDevice(request->mac(), options_.recent_windows);
    if (!device.ok()) {
      status = ToGrpc(device.status());
    } else {
      *response = std::move(*device);
      EnrichDevice(*vendors_->table(), *known_->match_snapshot(), response->mutable_device());
    }
  }
  reactor->Finish(status);
  return reactor;
}

grpc::ServerWriteReactor<v1::StoredWindow>* AdminService::ExportWindows(
    grpc::CallbackServerContext* context, const v1::ExportWindowsRequest* request) {
  grpc::Status status = CheckOperator(context);
  if (!status.ok()) {
    // A reactor that only reports the error.
    class Denied : public grpc::ServerWriteReactor<v1::StoredWindow> {
     public:
      explicit Denied(grpc::Status s) { Finish(std::move(s)); }
      void OnDone() override { delete this; }
    };
    return new Denied(std::move(status));
  }
  return new ExportReactor(store_, *request, options_.export_page);
}

grpc::ServerUnaryReactor* AdminService::PutKnownDevices(grpc::CallbackServerContext* context,
                                                        const v1::PutKnownDevicesRequest* request,
                                                        v1::PutKnownDevicesResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status = CheckOperator(context);
  if (status.ok()) {
    absl::StatusOr<KnownDevices::PutResult> put = known_->Put(
        std::vector<v1::KnownDevice>(request->devices().begin(), request->devices().end()));
    if (!put.ok()) {
      status = ToGrpc(put.status());
    } else {
      response->set_added(put->added);
      response->set_replaced(put->replaced);
    }
  }
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* AdminService::RemoveKnownDevice(
    grpc::CallbackServerContext* context, const v1::RemoveKnownDeviceRequest* request,
    v1::RemoveKnownDeviceResponse* /*response*/) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status = CheckOperator(context);
  if (status.ok()) status = ToGrpc(known_->Remove(request->mac()));
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* AdminService::ListKnownDevices(
    grpc::CallbackServerContext* context, const v1::ListKnownDevicesRequest* /*request*/,
    v1::ListKnownDevicesResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status = CheckOperator(context);
  if (status.ok()) {
    for (auto& d : known_->List()) *response->add_devices() = std::move(d);
  }
  reactor->Finish(status);
  return reactor;
}

}  // namespace airfleet::collector
