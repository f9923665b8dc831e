#pragma once

// Readings of the host an agent runs on, for its heartbeat. Each returns nullopt where the
// system does not offer the value (a container without /sys/class/thermal, a non-Linux /proc):
// a missing reading is normal, never an error.

#include <cstdint>
#include <optional>
#include <string>

namespace airfleet::health {

// Resident memory of this process in bytes, from the second field of /proc/self/statm (pages).
std::optional<uint64_t> ReadResidentBytes(const std::string& statm_path = "/proc/self/statm");

// SoC temperature in millidegrees Celsius. A Raspberry Pi exposes it as thermal_zone0 (the
// kernel's "cpu-thermal" zone) in millidegrees already.
std::optional<int32_t> ReadTemperatureMilliCelsius(
    const std::string& path = "/sys/class/thermal/thermal_zone0/temp");

}  // namespace airfleet::health
