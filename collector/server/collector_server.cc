#include "collector/server/collector_server.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "collector/enrich/enrich.h"
#include "collector/server/collector_metrics.h"
#include "collector/server/tls_files.h"
#include "collector/store/rocksdb_store.h"
#include "common/key_file.h"
#include "common/log.h"
#include "common/metrics/process_metrics.h"
#include "common/status_macros.h"
#include "grpcpp/resource_quota.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace airfleet::collector {
namespace {

int64_t SystemNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "host:port" with a numeric port; host may be "[v6]".
absl::Status CheckListenAddress(const std::string& listen, std::string* host) {
  size_t colon = listen.rfind(':');
  uint32_t port = 0;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad listen address '", listen, "': want HOST:PORT, e.g. 127.0.0.1:0"));
  }
  *host = listen.substr(0, colon);
  return absl::OkStatus();
}

absl::Status CheckWritableDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot create data dir ", dir, ": ", ec.message()));
  }
  std::string probe = absl::StrCat(dir, "/.write-test");
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("data dir ", dir, " is not writable: ", std::strerror(errno)));
  }
  ::close(fd);
  ::unlink(probe.c_str());
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteFileAtomically(const std::string& path, const std::string& contents) {
  std::string tmp = absl::StrCat(path, ".tmp.", ::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0)
    return absl::InternalError(absl::StrCat("cannot write ", tmp, ": ", std::strerror(errno)));
  bool ok = ::write(fd, contents.data(), contents.size()) == static_cast<ssize_t>(contents.size());
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return absl::InternalError(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Collector>> Collector::Start(CollectorOptions options) {
  if (!options.now_ns) options.now_ns = SystemNowNs;
  if (options.data_dir.empty()) return absl::InvalidArgumentError("--data-dir is required");
  std::string host;
  AF_RETURN_IF_ERROR(CheckListenAddress(options.listen, &host));
  if (!options.metrics_listen.empty()) {
    AF_RETURN_IF_ERROR(metrics::ParseListenAddress(options.metrics_listen).status());
  }
  AF_ASSIGN_OR_RETURN(TlsMaterial tls,
                      LoadTlsMaterial(options.ca_file, options.cert_file, options.key_file));
  AF_RETURN_IF_ERROR(CheckWritableDir(options.data_dir));

  std::unique_ptr<Collector> c(new Collector());
  c->options_ = options;
  const bool with_sinks = static_cast<bool>(options.make_sinks);
  AF_ASSIGN_OR_RETURN(c->store_, RocksDbStore::Open({absl::StrCat(options.data_dir, "/store"),
                                                     options.now_ns, true, with_sinks}));
  c->registry_ = std::make_unique<AgentRegistry>(options.now_ns, options.agent_status);
  AF_ASSIGN_OR_RETURN(c->known_, KnownDevices::Open(c->store_.get(), options.now_ns));
  if (!options.privacy_key_file.empty()) {
    AF_ASSIGN_OR_RETURN(std::string privacy_key, pseudonym::ReadKeyFile(options.privacy_key_file));
    AF_RETURN_IF_ERROR(c->known_->SetPseudonymKey(std::move(privacy_key)));
  }
  c->vendors_ =
      std::make_unique<VendorDb>(DefaultVendorFiles(options.ieee_data_dir, options.manuf_file));
  AF_ASSIGN_OR_RETURN(c->control_, ControlHub::Create(c->store_.get(), options.now_ns));
  CommitQueueOptions queue_options;
  AdminOptions admin_options;
  admin_options.control = c->control_.get();
  if (with_sinks) {
    AF_ASSIGN_OR_RETURN(std::vector<std::unique_ptr<sinks::Sink>> built, options.make_sinks());
    sinks::MaterialiseContext context;
    // Sinks get devices enriched the way the Admin API shows them, as of delivery time.
    context.enrich_device = [raw = c.get()](v1::DeviceInfo* device) {
      EnrichDevice(*raw->vendors_->table(), *raw->known_->match_snapshot(), device);
    };
    context.agent_location = [locations = options.agent_locations](
                                 const std::string& agent) -> std::optional<sinks::GeoPoint> {
      auto it = locations.find(agent);
      if (it == locations.end()) return std::nullopt;
      return it->second;
    };
    sinks::SinkHubOptions hub_options = options.sink_options;
    hub_options.delivery.now_ns = options.now_ns;
    AF_ASSIGN_OR_RETURN(c->sink_hub_, sinks::SinkHub::Create(c->store_.get(), std::move(built),
                                                             std::move(context), hub_options));
    queue_options.hold = [hub = c->sink_hub_.get()] { return hub->OverQuota(); };
    admin_options.sink_hub = c->sink_hub_.get();
    admin_options.init_sinks =
        [make = options.make_sinks]() -> absl::StatusOr<std::vector<std::string>> {
      AF_ASSIGN_OR_RETURN(std::vector<std::unique_ptr<sinks::Sink>> fresh, make());
      std::vector<std::string> lines;
      for (auto& sink : fresh) {
        absl::StatusOr<std::string> done = sink->Initialise();
        if (!done.ok()) {
          return absl::Status(done.status().code(), absl::StrCat(std::string(sink->name()), ": ",
                                                                 done.status().message()));
        }
        lines.push_back(absl::StrCat(std::string(sink->name()), ": ", *done));
      }
      return lines;
    };
  }
  c->queue_ = std::make_unique<CommitQueue>(c->store_.get(), queue_options);
  // A broken vendor file costs vendor names, not the collector: warn and serve without them.
  // Success is quiet: the "listening on" line is the only one before a signal (a contract
  // collector_process_test checks); SIGHUP reloads report their counts.
  if (absl::StatusOr<VendorLoad> load = c->vendors_->Reload(); !load.ok()) {
    log::Warning(absl::StrCat("vendor files not loaded: ", load.status().message()));
  }
  c->ingest_ =
      std::make_unique<IngestService>(c->store_.get(), c->queue_.get(), c->registry_.get());
  c->ingest_->SetControlHub(c->control_.get());
  c->ingest_->SetPrivacyListener([known = c->known_.get()](const v1::PrivacyInfo& info) {
    static std::atomic<bool> warned_no_key{false};
    if (!known->has_pseudonym_key() && !warned_no_key.exchange(true)) {
      log::Warning(
          "agents send pseudonymised batches but no --privacy-key-file was given: known devices "
          "cannot be matched in them");
    }
    if (absl::Status s = known->NotePseudonymPeriod(info); !s.ok()) {
      log::Warning(absl::StrCat("pseudonym period not recorded: ", s.message()));
    }
  });
  c->admin_ = std::make_unique<AdminService>(c->store_.get(), c->registry_.get(), c->vendors_.get(),
                                             c->known_.get(), admin_options);

  grpc::SslServerCredentialsOptions ssl(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  ssl.pem_root_certs = tls.ca_pem;
  ssl.pem_key_cert_pairs.push_back({tls.key_pem, tls.cert_pem});

  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options.listen, grpc::SslServerCredentials(ssl), &port);
  builder.RegisterService(c->ingest_.get());
  builder.RegisterService(c->admin_.get());
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  grpc::ResourceQuota quota("airfleet-collector");
  quota.Resize(options.grpc_memory_bytes);
  builder.SetResourceQuota(quota);
  // Find agents that vanished without closing (power loss, NAT timeout) within ~1.5 minutes.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60'000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20'000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10'000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  c->server_ = builder.BuildAndStart();
  if (!c->server_ || port == 0) {
    c->server_.reset();
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen,
                                               " (address in use or not a local address?)"));
  }
  c->address_ = absl::StrCat(host, ":", port);
  if (!options.metrics_listen.empty()) {
    metrics::RegisterProcessMetrics("collector", &c->metrics_);
    RegisterCollectorMetrics({&c->ingest_->counters(), c->queue_.get(), c->registry_.get(),
                              c->store_.get(), c->sink_hub_.get(), with_sinks},
                             &c->metrics_);
    AF_ASSIGN_OR_RETURN(c->metrics_server_,
                        metrics::HttpServer::Start(options.metrics_listen, [raw = c.get()] {
                          return raw->metrics_.Render();
                        }));
    c->metrics_address_ = c->metrics_server_->address();
    // Like collector.addr: how a test or a local scraper finds a port-0 endpoint, while the
    // "listening on" line stays the only line on stderr.
    AF_RETURN_IF_ERROR(
        WriteFileAtomically(absl::StrCat(options.data_dir, "/metrics.addr"), c->metrics_address_));
  } else {
    // A file left by an earlier run with metrics on would name a port nobody serves.
    std::error_code ignored;
    std::filesystem::remove(absl::StrCat(options.data_dir, "/metrics.addr"), ignored);
  }
  // Last: collector.addr means "started" to scripts and tests, so nothing may fail after it.
  AF_RETURN_IF_ERROR(
      WriteFileAtomically(absl::StrCat(options.data_dir, "/collector.addr"), c->address_));
  if (c->sink_hub_) c->sink_hub_->Start();
  if (!ResolveRetention(options).KeepsEverything()) {
    c->retention_ = std::thread([raw = c.get()] { raw->RetentionLoop(); });
  }
  if (options.vendor_check_interval.count() > 0) {
    c->vendor_check_ = std::thread([raw = c.get()] { raw->VendorCheckLoop(); });
  }
  return c;
}

absl::Status Collector::ReloadVendors() {
  absl::StatusOr<VendorLoad> load = vendors_->Reload();
  if (!load.ok()) {
    log::Warning(absl::StrCat("vendor files not (re)loaded: ", load.status().message()));
    return load.status();
  }
  log::Info(
      absl::StrCat(load->table->size(), " vendor prefixes from ", load->loaded.size(), " file(s)"));
  return absl::OkStatus();
}

void Collector::VendorCheckLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, options_.vendor_check_interval, [this] { return stopping_; })) {
    lock.unlock();
    absl::StatusOr<bool> reloaded = vendors_->ReloadIfChanged();
    if (!reloaded.ok()) {
      log::Warning(
          absl::StrCat("vendor files changed but not reloaded: ", reloaded.status().message()));
    } else if (*reloaded) {
      log::Info(
          absl::StrCat("vendor files changed; ", vendors_->table()->size(), " prefixes loaded"));
    }
    lock.lock();
  }
}

RetentionPlan ResolveRetention(const CollectorOptions& options) {
  const RetentionDays& r = options.retention;
  const int fallback = options.retention_days;
  RetentionPlan plan;
  plan.store.windows_days = r.windows_days.value_or(fallback);
  plan.store.probes_days = r.probes_days.value_or(fallback);
  plan.store.devices_days = r.devices_days.value_or(fallback);
  plan.dead_letters_days = r.dead_letters_days.value_or(fallback);
  return plan;
}

void Collector::RetentionLoop() {
  const RetentionPlan plan = ResolveRetention(options_);
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    // Errors are reported and retried next interval; retention is housekeeping, never fatal.
    absl::StatusOr<RetentionResult> deleted = store_->ApplyRetention(plan.store);
    if (!deleted.ok()) {
      std::fprintf(stderr, "airfleet-collector: retention: %s\n",
                   deleted.status().ToString().c_str());
    }
    uint64_t letters = 0;
    if (plan.dead_letters_days > 0) {
      // Every sink's, also of sinks no longer configured, so their letters expire too.
      auto per_sink = sinks::ExpireDeadLetters(
          *store_, RetentionCutoffNs(options_.now_ns(), plan.dead_letters_days));
      if (!per_sink.ok()) {
        std::fprintf(stderr, "airfleet-collector: retention of dead letters: %s\n",
                     per_sink.status().ToString().c_str());
      } else {
        if (sink_hub_) sink_hub_->ForgetDeadLetters(*per_sink);
        for (const auto& [sink, n] : *per_sink) letters += n;
      }
    }
    const RetentionResult d = deleted.value_or(RetentionResult{});
    if (d.total() + letters > 0) {
      std::fprintf(
          stderr,
          "airfleet-collector: retention deleted %llu windows, %llu probes, %llu devices, "
          "%llu dead letters\n",
          static_cast<unsigned long long>(d.windows), static_cast<unsigned long long>(d.probes),
          static_cast<unsigned long long>(d.devices), static_cast<unsigned long long>(letters));
    }
    lock.lock();
    cv_.wait_for(lock, options_.retention_interval, [this] { return stopping_; });
  }
}

void Collector::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    cv_.notify_all();
  }
  // First: scrapes read the parts stopped below.
  if (metrics_server_) metrics_server_->Stop();
  if (retention_.joinable()) retention_.join();
  if (vendor_check_.joinable()) vendor_check_.join();
  if (server_) {
    // Streams are cancelled at the deadline; their in-flight commits still finish on the queue.
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    server_->Wait();
  }
  if (queue_) queue_->Stop();
  // After the queue: a held group is committed at shutdown, and its outbox entry stays for the
  // next start. Sinks stop mid-backoff; their cursor is where the last full round ended.
  if (sink_hub_) sink_hub_->Stop();
  store_.reset();
}

Collector::~Collector() { Shutdown(); }

}  // namespace airfleet::collector
