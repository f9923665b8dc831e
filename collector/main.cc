// airfleet-collector: flags -> CollectorOptions, SIGTERM/SIGINT -> graceful shutdown, SIGHUP ->
// re-read the vendor files.
// Everything else lives in collector/server/collector_server.h.

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "CLI/CLI.hpp"
#include "collector/server/collector_server.h"

int main(int argc, char** argv) {
  airfleet::collector::CollectorOptions options;
  CLI::App app{"airfleet collector: receives agent batches over mTLS gRPC and stores them"};
  app.add_option("--listen", options.listen, "HOST:PORT to serve on (port 0 picks a free one)")
      ->capture_default_str();
  app.add_option("--data-dir", options.data_dir, "directory for the store and collector.addr")
      ->required();
  app.add_option("--ca", options.ca_file, "fleet CA certificate (PEM)")->required();
  app.add_option("--cert", options.cert_file, "collector certificate (PEM)")->required();
  app.add_option("--key", options.key_file, "collector private key (PEM)")->required();
  app.add_option("--retention-days", options.retention_days,
                 "delete windows older than this many days (0 = keep)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--ieee-data-dir", options.ieee_data_dir,
                 "IEEE registry CSVs for vendor names (Debian package ieee-data; '' = none)")
      ->capture_default_str();
  app.add_option("--manuf", options.manuf_file, "Wireshark manuf file for vendor names ('' = none)")
      ->capture_default_str();
  app.add_option("--privacy-key-file", options.privacy_key_file,
                 "the agents' privacy key file (mode 600): known devices then match in "
                 "pseudonymised batches");
  int vendor_check_s = 60;
  app.add_option("--vendor-check-seconds", vendor_check_s,
                 "reload the vendor files when they change, checking this often (0 = only on "
                 "SIGHUP)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  options.vendor_check_interval = std::chrono::seconds(vendor_check_s);

  // Block the signals in every thread (gRPC's included) and take them synchronously below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto collector = airfleet::collector::Collector::Start(options);
  if (!collector.ok()) {
    std::fprintf(stderr, "airfleet-collector: %s\n",
                 std::string(collector.status().message()).c_str());
    return 1;
  }
  std::fprintf(stderr, "airfleet-collector listening on %s\n", (*collector)->address().c_str());
  std::fflush(stderr);

  int sig = 0;
  while (sigwait(&signals, &sig) == 0 && sig == SIGHUP) {
    // Errors are reported by the collector and leave the previous table in place.
    (*collector)->ReloadVendors().IgnoreError();
  }
  std::fprintf(stderr, "airfleet-collector: signal %d, shutting down\n", sig);
  (*collector)->Shutdown();
  return 0;
}
