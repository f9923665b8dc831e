#include "common/metrics/process_metrics.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace airfleet::metrics {
namespace {

double ResidentBytes() {
  // statm: size resident shared text lib data dt, in pages.
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size = 0;
  unsigned long resident = 0;
  const int read = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  if (read != 2) return 0;
  return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

}  // namespace

const char* BuildVersion() { return AIRFLEET_VERSION; }

void RegisterProcessMetrics(const std::string& component, Registry* registry) {
  registry->AddFamily(
      "airfleet_build_info", "Always 1; the labels say what is running.", MetricType::kGauge,
      [component] {
        return std::vector<Sample>{{{{"component", component}, {"version", BuildVersion()}}, 1}};
      });
  registry->AddGauge("process_resident_memory_bytes", "Resident memory size in bytes.",
                     &ResidentBytes);
  // Registration happens at start, which is close enough to the process start for a restart
  // detector.
  const double started =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  registry->AddGauge("process_start_time_seconds",
                     "Start time of the process since the unix epoch in seconds.",
                     [started] { return started; });
}

}  // namespace airfleet::metrics
