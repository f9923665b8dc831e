#include "agent/health/host_readings.h"

#include <unistd.h>

#include <fstream>
#include <limits>

namespace airfleet::health {

std::optional<uint64_t> ReadResidentBytes(const std::string& statm_path) {
  std::ifstream in(statm_path);
  uint64_t size_pages = 0, resident_pages = 0;
  if (!(in >> size_pages >> resident_pages)) return std::nullopt;
  const long page = sysconf(_SC_PAGESIZE);
  if (page <= 0) return std::nullopt;
  return resident_pages * static_cast<uint64_t>(page);
}

std::optional<int32_t> ReadTemperatureMilliCelsius(const std::string& path) {
  std::ifstream in(path);
  int64_t value = 0;
  if (!(in >> value)) return std::nullopt;
  // Anything outside what silicon survives is a driver placeholder (some report -273150 or a
  // huge sentinel when the sensor is off), not a temperature.
  if (value < -100'000 || value > 200'000) return std::nullopt;
  return static_cast<int32_t>(value);
}

}  // namespace airfleet::health
