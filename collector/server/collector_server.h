#pragma once

// The whole collector process minus flag parsing and signals: store, commit queue, Ingest and
// Admin on one mTLS port, the address file, periodic retention, the enrichment sources (vendor
// table, known-device registry) and, when asked for, the Prometheus metrics endpoint. main.cc only
// wires flags to CollectorOptions, SIGTERM to Shutdown() and SIGHUP to ReloadVendors(); tests start
// it in-process the same way.

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "collector/admin/admin_service.h"
#include "collector/control/control_hub.h"
#include "collector/enrich/known_devices.h"
#include "collector/enrich/vendor_db.h"
#include "collector/ingest/agent_registry.h"
#include "collector/ingest/commit_queue.h"
#include "collector/ingest/ingest_service.h"
#include "collector/sinks/sink_hub.h"
#include "collector/store/store.h"
#include "common/metrics/http_server.h"
#include "common/metrics/registry.h"
#include "grpcpp/server.h"

namespace airfleet::collector {

// Per-kind retention in days (the config file's `retention:` section; 0 keeps that kind). A kind
// left unset uses CollectorOptions::retention_days. Agents are never removed by retention.
struct RetentionDays {
  std::optional<int> windows_days;
  std::optional<int> probes_days;
  std::optional<int> devices_days;
  std::optional<int> dead_letters_days;  // the sinks' dead letters, by when they were dropped
};

struct CollectorOptions {
  std::string listen = "127.0.0.1:0";
  std::string data_dir;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  int retention_days = 30;  // the default of every kind below; 0 keeps everything
  RetentionDays retention;  // per-kind overrides (docs/retention.md)
  NowNsFn now_ns;           // defaults to the system clock
  // How often retention runs (it also runs once at start).
  std::chrono::milliseconds retention_interval = std::chrono::hours(1);
  int max_message_bytes = 16 << 20;
  // Bound on memory used by all gRPC streams together (backpressure beyond it).
  size_t grpc_memory_bytes = size_t{512} << 20;
  // Vendor registry files (collector/enrich/vendor_files.h); "" leaves that source out. Missing
  // files are fine: devices then simply have no vendor.
  std::string ieee_data_dir = "/usr/share/ieee-data";
  std::string manuf_file = "/usr/share/wireshark/manuf";
  // How often the vendor files' mtimes are checked for a reload; 0 = only ReloadVendors().
  std::chrono::milliseconds vendor_check_interval = std::chrono::seconds(60);

  // External sinks (docs/sinks.md). `make_sinks` builds the configured sinks: once at start for
  // delivery, and again for each `airfleetctl sinks init`. Unset = no sinks and no outbox.
  std::function<absl::StatusOr<std::vector<std::unique_ptr<sinks::Sink>>>()> make_sinks;
  sinks::SinkHubOptions sink_options;
  // Fixed agent positions from the configuration, for geo fields in the sinks.
  std::map<std::string, sinks::GeoPoint> agent_locations;
  // The agents' privacy key file (common/key_file.h); "" = pseudonymised batches are stored but
  // known devices cannot be matched in them.
  std::string privacy_key_file;
  // When `airfleetctl agents` calls an agent offline or lagging (collector/ingest/agent_status.h).
  AgentStatusPolicy agent_status;
  // "text" or "json" (common/log.h); applied by main().
  std::string log_format = "text";
  // Prometheus /metrics over plain HTTP (collector_metrics.h), "HOST:PORT" (port 0 picks a free
  // one); "" = off, the default: the endpoint has no authentication, so serving it is the
  // operator's decision and address (README "Monitoring").
  std::string metrics_listen;
};

// Each kind's retention after precedence: its own setting, else retention_days.
struct RetentionPlan {
  StoreRetention store;
  int dead_letters_days = 0;
  bool KeepsEverything() const {
    return store.windows_days <= 0 && store.probes_days <= 0 && store.devices_days <= 0 &&
           dead_letters_days <= 0;
  }
};
RetentionPlan ResolveRetention(const CollectorOptions& options);

class Collector {
 public:
  // Validates options (readable TLS files, key matches certificate, writable data dir, usable
  // listen address), opens the store, starts serving and writes `<data_dir>/collector.addr`.
  static absl::StatusOr<std::unique_ptr<Collector>> Start(CollectorOptions options);
  ~Collector();

  // "host:port" actually bound (port 0 resolved).
  const std::string& address() const { return address_; }
  // The metrics endpoint actually bound ("" when off); also in `<data_dir>/metrics.addr`.
  const std::string& metrics_address() const { return metrics_address_; }
  // Stops accepting, ends streams (in-flight commits complete and are acked if possible), closes
  // the store. Idempotent.
  void Shutdown();

  // Re-reads the vendor files now (SIGHUP). On error the previous table stays.
  absl::Status ReloadVendors();

  Store& store() { return *store_; }
  const IngestCounters& ingest_counters() const { return ingest_->counters(); }
  CommitQueueStats commit_stats() const { return queue_->stats(); }
  // Null when no sinks are configured.
  sinks::SinkHub* sink_hub() { return sink_hub_.get(); }

 private:
  Collector() = default;
  void RetentionLoop();
  void VendorCheckLoop();

  CollectorOptions options_;
  std::string address_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<sinks::SinkHub> sink_hub_;
  std::unique_ptr<CommitQueue> queue_;
  std::unique_ptr<AgentRegistry> registry_;
  std::unique_ptr<VendorDb> vendors_;
  std::unique_ptr<KnownDevices> known_;
  std::unique_ptr<ControlHub> control_;  // outlives the streams that attach to it
  std::unique_ptr<IngestService> ingest_;
  std::unique_ptr<AdminService> admin_;
  std::unique_ptr<grpc::Server> server_;
  metrics::Registry metrics_;
  std::unique_ptr<metrics::HttpServer> metrics_server_;
  std::string metrics_address_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread retention_;
  std::thread vendor_check_;
};

// Writes `contents` to `path` via a temp file and rename, so readers never see a partial file.
absl::Status WriteFileAtomically(const std::string& path, const std::string& contents);

}  // namespace airfleet::collector
