// airfleet-collector: flags -> CollectorOptions, SIGTERM/SIGINT -> graceful shutdown, SIGHUP ->
// re-read the vendor files.
// Everything else lives in collector/server/collector_server.h.

#include <signal.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <utility>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "collector/config/collector_config.h"
#include "collector/server/collector_server.h"
#include "common/log.h"
#include "common/metrics/http_server.h"
#include "common/service_notify.h"

int main(int argc, char** argv) {
  airfleet::collector::CollectorOptions defaults;
  // Flags are parsed into their own variables and applied over the config file only when given,
  // so the precedence is: flag > file > built-in default.
  airfleet::collector::CollectorOptions flags = defaults;
  std::string config_path;
  bool check_config = false;
  int vendor_check_s = 60;
  CLI::App app{"airfleet collector: receives agent batches over mTLS gRPC and stores them"};
  app.add_option("--config", config_path,
                 "YAML configuration file (deploy/collector/collector.yaml documents it); flags "
                 "override it");
  app.add_flag("--check-config", check_config,
               "only read and check the configuration, print what is wrong, and exit");
  auto* listen =
      app.add_option("--listen", flags.listen, "HOST:PORT to serve on (port 0 picks a free one)")
          ->capture_default_str();
  auto* metrics_listen = app.add_option(
      "--metrics-listen", flags.metrics_listen,
      "HOST:PORT for Prometheus metrics over plain HTTP (GET /metrics; port 0 picks a free one, "
      "written to <data-dir>/metrics.addr; '' = off, the default)");
  auto* data_dir =
      app.add_option("--data-dir", flags.data_dir, "directory for the store and collector.addr");
  auto* ca = app.add_option("--ca", flags.ca_file, "fleet CA certificate (PEM)");
  auto* cert = app.add_option("--cert", flags.cert_file, "collector certificate (PEM)");
  auto* key = app.add_option("--key", flags.key_file, "collector private key (PEM)");
  auto* retention = app.add_option("--retention-days", flags.retention_days,
                                   "delete records older than this many days (0 = keep); sets "
                                   "every kind, overriding the file's retention: section")
                        ->capture_default_str()
                        ->check(CLI::NonNegativeNumber);
  auto* ieee = app.add_option("--ieee-data-dir", flags.ieee_data_dir,
                              "IEEE registry CSVs for vendor names (Debian package ieee-data; "
                              "'' = none)")
                   ->capture_default_str();
  auto* manuf = app.add_option("--manuf", flags.manuf_file,
                               "Wireshark manuf file for vendor names ('' = none)")
                    ->capture_default_str();
  auto* vendor_check = app.add_option("--vendor-check-seconds", vendor_check_s,
                                      "reload the vendor files when they change, checking this "
                                      "often (0 = only on SIGHUP)")
                           ->capture_default_str()
                           ->check(CLI::NonNegativeNumber);
  std::string log_format;
  auto* log_format_flag = app.add_option("--log-format", log_format,
                                         "text (default) or json: one JSON object per log line")
                              ->check(CLI::IsMember({"text", "json"}));
  auto* privacy_key = app.add_option("--privacy-key-file", flags.privacy_key_file,
                                     "the agents' privacy key file (mode 600): known devices then "
                                     "match in pseudonymised batches");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  airfleet::collector::CollectorOptions options = defaults;
  if (!config_path.empty()) {
    absl::Status loaded = airfleet::collector::LoadCollectorConfig(
        config_path, airfleet::collector::BuiltinSinkParsers(), &options);
    if (!loaded.ok()) {
      std::fprintf(stderr, "airfleet-collector: %s\n", std::string(loaded.message()).c_str());
      return 2;
    }
  }
  if (*listen) options.listen = flags.listen;
  if (*metrics_listen) options.metrics_listen = flags.metrics_listen;
  if (*data_dir) options.data_dir = flags.data_dir;
  if (*ca) options.ca_file = flags.ca_file;
  if (*cert) options.cert_file = flags.cert_file;
  if (*key) options.key_file = flags.key_file;
  if (*retention) {
    // The flag beats the file for every kind, so `--retention-days 0` always keeps everything.
    options.retention_days = flags.retention_days;
    options.retention = {};
  }
  if (*ieee) options.ieee_data_dir = flags.ieee_data_dir;
  if (*manuf) options.manuf_file = flags.manuf_file;
  if (*privacy_key) options.privacy_key_file = flags.privacy_key_file;
  if (*log_format_flag) options.log_format = log_format;
  airfleet::log::SetProgram("airfleet-collector");
  airfleet::log::SetFormat(*airfleet::log::ParseFormat(options.log_format));  // checked above
  if (*vendor_check) options.vendor_check_interval = std::chrono::seconds(vendor_check_s);
  for (auto [value, name] : {std::pair{&options.data_dir, "--data-dir (or data_dir:)"},
                             std::pair{&options.ca_file, "--ca (or tls.ca:)"},
                             std::pair{&options.cert_file, "--cert (or tls.cert:)"},
                             std::pair{&options.key_file, "--key (or tls.key:)"}}) {
    if (value->empty()) {
      std::fprintf(stderr, "airfleet-collector: %s is required\n", name);
      return 2;
    }
  }
  // A malformed address is a configuration error (2) like the others; one that cannot be bound
  // (in use, not local) is found at start and is a runtime error (1), like --listen's.
  if (!options.metrics_listen.empty()) {
    if (auto parsed = airfleet::metrics::ParseListenAddress(options.metrics_listen); !parsed.ok()) {
      std::fprintf(stderr, "airfleet-collector: --metrics-listen (or metrics_listen:): %s\n",
                   std::string(parsed.status().message()).c_str());
      return 2;
    }
  }
  if (check_config) {
    std::printf("configuration OK: listen %s, data dir %s, %s, metrics %s\n",
                options.listen.c_str(), options.data_dir.c_str(),
                options.make_sinks ? "external sinks enabled" : "no external sinks",
                options.metrics_listen.empty() ? "off" : options.metrics_listen.c_str());
    // After precedence (flag, retention: section, retention_days), so an operator sees what runs.
    const airfleet::collector::RetentionPlan plan = airfleet::collector::ResolveRetention(options);
    std::printf(
        "retention in days (0 = keep): windows %d, probes %d, devices %d, dead letters %d\n",
        plan.store.windows_days, plan.store.probes_days, plan.store.devices_days,
        plan.dead_letters_days);
    return 0;
  }

  // Every agent holds one TLS connection (one socket) for as long as it runs, and RocksDB keeps
  // its table files open: the usual soft limit of 1024 descriptors would cap a collector at
  // fewer than a thousand agents. Take what the hard limit allows, and say what it is.
  if (rlimit fds{}; getrlimit(RLIMIT_NOFILE, &fds) == 0) {
    if (fds.rlim_cur < fds.rlim_max) {
      rlimit raised = fds;
      raised.rlim_cur = fds.rlim_max;
      if (setrlimit(RLIMIT_NOFILE, &raised) == 0) fds = raised;
    }
    if (fds.rlim_cur < 4096) {
      airfleet::log::Warning(absl::StrCat(
          "only ", fds.rlim_cur,
          " file descriptors allowed (ulimit -n); each agent needs one, so raise the hard limit "
          "for fleets near that size"));
    }
  }

  // Block the signals in every thread (gRPC's included) and take them synchronously below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto collector = airfleet::collector::Collector::Start(options);
  if (!collector.ok()) {
    airfleet::log::Error(std::string(collector.status().message()));
    return 1;
  }
  if (options.log_format == "json") {
    airfleet::log::Info(absl::StrCat("listening on ", (*collector)->address()),
                        {{"address", (*collector)->address()}});
  } else {
    // Exactly this line: scripts and tests wait for it.
    std::fprintf(stderr, "airfleet-collector listening on %s\n", (*collector)->address().c_str());
    std::fflush(stderr);
  }

  airfleet::ServiceNotifier notifier;
  notifier.Ready(absl::StrCat("serving on ", (*collector)->address()));
  // Under a systemd watchdog the main thread wakes at a third of the interval and pets it only when
  // the store answers a read: a wedged store or a stuck main loop gets the collector restarted.
  const absl::Duration watchdog = notifier.watchdog_interval();
  const timespec wake =
      absl::ToTimespec(watchdog > absl::ZeroDuration() ? watchdog / 3 : absl::Hours(1));
  int sig = 0;
  while (true) {
    sig = sigtimedwait(&signals, nullptr, &wake);
    if (sig == SIGHUP) {
      // Errors are reported by the collector and leave the previous table in place.
      (*collector)->ReloadVendors().IgnoreError();
    } else if (sig < 0) {  // timeout (EAGAIN) or EINTR
      if ((*collector)->store().ListAgents().ok()) notifier.PetWatchdog();
    } else {
      break;
    }
  }
  notifier.Stopping();
  airfleet::log::Info(absl::StrCat("signal ", sig, ", shutting down"));
  (*collector)->Shutdown();
  return 0;
}
