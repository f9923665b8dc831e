#include "collector/admin/admin_service.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "collector/analytics/clusters.h"
#include "collector/analytics/device_graph.h"
#include "collector/analytics/fleet_frames.h"
#include "collector/analytics/probe_stats.h"
#include "collector/analytics/window_stats.h"
#include "collector/auth/peer_identity.h"
#include "collector/enrich/enrich.h"
#include "collector/sinks/backfill.h"
#include "common/known_kind.h"

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

grpc::Status BadRange(int64_t since_ns, int64_t until_ns) {
  if (until_ns != 0 && until_ns <= since_ns) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "the time range is empty: --until must be after --since");
  }
  return grpc::Status::OK;
}

// Vendor, known-kind and name of `mac` from one snapshot of each source.
template <typename Message>
void EnrichInto(const OuiTable& vendors, const KnownDevices::Map& known, uint64_t mac,
                Message* out) {
  v1::DeviceInfo d;
  d.set_mac(mac);
  EnrichDevice(vendors, known, &d);
  out->set_vendor(d.vendor());
  out->set_known(KnownKindName(d.known()));
  out->set_name(d.name());
}

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
      for (auto& a : registry_->Overlay(std::move(*agents))) {
        if (options_.control) options_.control->Annotate(&a);
        *response->add_agents() = std::move(a);
      }
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

grpc::ServerUnaryReactor* AdminService::ListSinks(grpc::CallbackServerContext* context,
                                                  const v1::ListSinksRequest* /*request*/,
                                                  v1::ListSinksResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status = CheckOperator(context);
  if (status.ok() && options_.sink_hub != nullptr) {
    for (const sinks::SinkStatus& s : options_.sink_hub->Status()) {
      v1::SinkStatus* out = response->add_sinks();
      out->set_name(s.name);
      out->set_open(s.open);
      out->set_cursor(s.cursor);
      out->set_written(s.written);
      out->set_retried(s.retried);
      out->set_dead_lettered(s.dead_lettered);
      out->set_pending_entries(s.pending_entries);
      out->set_lag_ms(s.lag_ms);
      out->set_last_error(s.last_error);
    }
    OutboxStats outbox = store_->GetOutboxStats();
    response->set_outbox_entries(outbox.entries);
    response->set_outbox_bytes(outbox.bytes);
    response->set_outbox_quota_bytes(options_.sink_hub->quota_bytes());
    response->set_ingest_held(options_.sink_hub->OverQuota());
  }
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* AdminService::ListDeadLetters(grpc::CallbackServerContext* context,
                                                        const v1::ListDeadLettersRequest* request,
                                                        v1::ListDeadLettersResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status = CheckOperator(context);
  if (status.ok()) {
    auto letters = sinks::ListDeadLetters(*store_, request->sink(), request->limit());
    if (!letters.ok()) {
      status = ToGrpc(letters.status());
    } else {
      for (auto& l : *letters) *response->add_letters() = std::move(l);
    }
  }
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* AdminService::InitSinks(grpc::CallbackServerContext* context,
                                                  const v1::InitSinksRequest* /*request*/,
                                                  v1::InitSinksResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status = CheckOperator(context);
  if (status.ok()) {
    if (!options_.init_sinks) {
      status = grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                            "no external sinks are configured on this collector");
    } else {
      // Schema creation can take seconds (Cassandra); admin calls are rare, so it runs here.
      auto results = options_.init_sinks();
      if (!results.ok()) {
        status = ToGrpc(results.status());
      } else {
        for (auto& line : *results) response->add_results(std::move(line));
      }
    }
  }
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* AdminService::BackfillSinks(grpc::CallbackServerContext* context,
                                                      const v1::BackfillSinksRequest* request,
                                                      v1::BackfillSinksResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status = CheckOperator(context);
  if (status.ok() && options_.sink_hub == nullptr) {
    status =
        grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                     "no external sinks are configured on this collector: nothing to backfill");
  }
  if (status.ok()) {
    // A scan of the store; rare and operator-driven, so it runs on this callback thread.
    auto done = sinks::BackfillOutbox(store_, request->since_ns(), absl::ToUnixNanos(absl::Now()));
    if (!done.ok()) {
      status = ToGrpc(done.status());
    } else {
      response->set_entries(done->entries);
      response->set_windows(done->windows);
      response->set_probes(done->probes);
    }
  }
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* AdminService::ListClusters(grpc::CallbackServerContext* context,
                                                     const v1::ListClustersRequest* request,
                                                     v1::ListClustersResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status = CheckOperator(context);
  if (status.ok() && (request->session_gap_ns() < 0 || request->signal_tolerance_db() < 0 ||
                      !std::isfinite(request->signal_tolerance_db()))) {
    status = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "session gap and signal tolerance must be positive (0 = default)");
  }
  if (status.ok()) {
    ::airfleet::analytics::ClusterOptions options;
    if (request->min_macs() != 0) options.min_macs = request->min_macs();
    if (request->session_gap_ns() != 0) options.session_gap_ns = request->session_gap_ns();
    if (request->signal_tolerance_db() != 0) {
      options.signal_tolerance_db = request->signal_tolerance_db();
    }
    options.max_observations = options_.max_cluster_observations;
    ::airfleet::analytics::ClusterEngine engine(options);
    ScanRange range;
    range.since_ns = request->since_ns();
    range.until_ns = request->until_ns();
    absl::Status scanned =
        store_->ScanProbes(range, [&](std::string_view, const v1::ProbeObservation& p) {
          engine.Add(p);
          return absl::OkStatus();
        });
    if (!scanned.ok()) {
      status = ToGrpc(scanned);
    } else {
      *response = engine.Finish();
      if (request->mac() != 0) {
        auto* clusters = response->mutable_clusters();
        clusters->erase(std::remove_if(clusters->begin(), clusters->end(),
                                       [&](const v1::ProbeCluster& c) {
                                         return std::find(c.macs().begin(), c.macs().end(),
                                                          request->mac()) == c.macs().end();
                                       }),
                        clusters->end());
      }
    }
  }
  reactor->Finish(status);
  return reactor;
}

// ---- analytics ----

grpc::ServerUnaryReactor* AdminService::ProbeStats(grpc::CallbackServerContext* context,
                                                   const v1::ProbeStatsRequest* request,
                                                   v1::ProbeStatsResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status = CheckOperator(context);
  if (status.ok()) status = BadRange(request->since_ns(), request->until_ns());
  if (status.ok()) {
    ScanRange range{request->since_ns(), request->until_ns(), request->mac(), request->agent_id()};
    analytics::ProbeStatsBuilder builder;
    status = ToGrpc(store_->ScanProbes(range, [&](std::string_view, const v1::ProbeObservation& p) {
      builder.Add(p);
      return absl::OkStatus();
    }));
    if (status.ok()) {
      std::shared_ptr<const OuiTable> vendors = vendors_->table();
      std::shared_ptr<const KnownDevices::Map> known = known_->snapshot();
      for (auto& s : builder.Finish()) {
        EnrichInto(*vendors, *known, s.mac(), &s);
        *response->add_devices() = std::move(s);
      }
    }
  }
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* AdminService::SubtypeStats(grpc::CallbackServerContext* context,
                                                     const v1::SubtypeStatsRequest* request,
                                                     v1::SubtypeStatsResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status = CheckOperator(context);
  if (status.ok()) status = BadRange(request->since_ns(), request->until_ns());
  if (status.ok()) {
    ScanRange range{request->since_ns(), request->until_ns(), 0, request->agent_id()};
    analytics::SubtypeStatsBuilder builder;
    status =
        ToGrpc(store_->ScanWindows(range, [&](std::string_view agent, const v1::DeviceWindow& w) {
          builder.Add(std::string(agent), w);
          return absl::OkStatus();
        }));
    if (status.ok()) {
      for (auto& c : builder.Finish()) *response->add_counts() = std::move(c);
    }
  }
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* AdminService::Timeline(grpc::CallbackServerContext* context,
                                                 const v1::TimelineRequest* request,
                                                 v1::TimelineResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status = CheckOperator(context);
  if (status.ok()) status = BadRange(request->since_ns(), request->until_ns());
  if (status.ok() && request->interval_ns() <= 0) {
    status = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the interval must be positive");
  }
  if (status.ok()) {
    ScanRange range{request->since_ns(), request->until_ns(), 0, request->agent_id()};
    analytics::TimelineBuilder builder(request->interval_ns());
    status =
        ToGrpc(store_->ScanWindows(range, [&](std::string_view agent, const v1::DeviceWindow& w) {
          builder.Add(std::string(agent), w);
          return absl::OkStatus();
        }));
    if (status.ok()) {
      for (auto& p : builder.Finish()) *response->add_points() = std::move(p);
    }
  }
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* AdminService::FleetFrames(grpc::CallbackServerContext* context,
                                                    const v1::FleetFramesRequest* request,
                                                    v1::FleetFramesResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status = CheckOperator(context);
  if (status.ok()) status = BadRange(request->since_ns(), request->until_ns());
  if (status.ok()) {
    ScanRange range{request->since_ns(), request->until_ns(), request->mac(), ""};
    analytics::FleetFramesBuilder builder;
    status =
        ToGrpc(store_->ScanWindows(range, [&](std::string_view agent, const v1::DeviceWindow& w) {
          builder.Add(std::string(agent), w);
          return absl::OkStatus();
        }));
    if (status.ok()) {
      for (auto& d : builder.Finish()) *response->add_devices() = std::move(d);
    }
  }
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* AdminService::DeviceGraph(grpc::CallbackServerContext* context,
                                                    const v1::GraphRequest* request,
                                                    v1::GraphResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status = CheckOperator(context);
  if (status.ok()) status = BadRange(request->since_ns(), request->until_ns());
  if (status.ok()) {
    ScanRange range{request->since_ns(), request->until_ns(), 0, ""};
    analytics::DeviceGraphBuilder builder;
    status = ToGrpc(store_->ScanWindows(range, [&](std::string_view, const v1::DeviceWindow& w) {
      builder.AddWindow(w);
      return absl::OkStatus();
    }));
    if (status.ok()) {
      status =
          ToGrpc(store_->ScanProbes(range, [&](std::string_view, const v1::ProbeObservation& p) {
            builder.AddProbe(p);
            return absl::OkStatus();
          }));
    }
    if (status.ok()) {
      std::shared_ptr<const OuiTable> vendors = vendors_->table();
      std::shared_ptr<const KnownDevices::Map> known = known_->snapshot();
      for (auto& d : builder.Finish()) {
        EnrichInto(*vendors, *known, d.mac(), &d);
        *response->add_devices() = std::move(d);
      }
    }
  }
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* AdminService::SetAgentConfig(grpc::CallbackServerContext* context,
                                                       const v1::SetAgentConfigRequest* request,
                                                       v1::SetAgentConfigResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status = CheckOperator(context);
  if (status.ok() && !options_.control) {
    status = grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "remote control is not enabled");
  }
  if (status.ok()) {
    absl::StatusOr<std::vector<v1::AgentInfo>> agents = store_->ListAgents();
    if (!agents.ok()) {
      status = ToGrpc(agents.status());
    } else {
      std::vector<std::string> known;
      for (const auto& a : registry_->Overlay(std::move(*agents))) known.push_back(a.agent_id());
      auto states = options_.control->SetConfig(*request, known);
      if (!states.ok()) {
        status = ToGrpc(states.status());
      } else {
        for (auto& st : *states) *response->add_agents() = std::move(st);
      }
    }
  }
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* AdminService::GetAgentConfig(grpc::CallbackServerContext* context,
                                                       const v1::GetAgentConfigRequest* request,
                                                       v1::GetAgentConfigResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status = CheckOperator(context);
  if (status.ok() && !options_.control) {
    status = grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "remote control is not enabled");
  }
  if (status.ok()) {
    for (auto& st : options_.control->GetConfig(request->agent_id())) {
      *response->add_agents() = std::move(st);
    }
  }
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* AdminService::ControlAgent(grpc::CallbackServerContext* context,
                                                     const v1::ControlAgentRequest* request,
                                                     v1::ControlReply* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status = CheckOperator(context);
  if (status.ok() && !options_.control) {
    status = grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "remote control is not enabled");
  }
  if (!status.ok()) {
    reactor->Finish(status);
    return reactor;
  }
  const absl::Duration timeout =
      absl::Milliseconds(request->timeout_ms() != 0 ? request->timeout_ms() : 10'000);
  options_.control->Call(request->agent_id(), request->request(), timeout,
                         [reactor, response](absl::StatusOr<v1::ControlReply> reply) {
                           if (!reply.ok()) {
                             reactor->Finish(ToGrpc(reply.status()));
                             return;
                           }
                           if (reply->code() != 0) {
                             reactor->Finish(grpc::Status(
                                 static_cast<grpc::StatusCode>(reply->code()), reply->message()));
                             return;
                           }
                           *response = std::move(*reply);
                           reactor->Finish(grpc::Status::OK);
                         });
  return reactor;
}

}  // namespace airfleet::collector
