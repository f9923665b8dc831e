#pragma once

// Families every airfleet process exposes: build info and the process' resident memory, named
// as the Prometheus client libraries name them so that existing dashboards work.

#include <string>

#include "common/metrics/registry.h"

namespace airfleet::metrics {

// airfleet_build_info{component=...,version=...} 1, process_resident_memory_bytes (Linux,
// /proc/self/statm) and process_start_time_seconds.
void RegisterProcessMetrics(const std::string& component, Registry* registry);

// The project version CMake was configured with ("0.1.0").
const char* BuildVersion();

}  // namespace airfleet::metrics
