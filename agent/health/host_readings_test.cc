#include "agent/health/host_readings.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace airfleet::health {
namespace {

std::string WriteTemp(const std::string& name, const std::string& contents) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << contents;
  return path;
}

TEST(HostReadings, ResidentBytesIsTheSecondStatmFieldInPages) {
  const std::string path = WriteTemp("statm", "5000 1234 300 10 0 900 0\n");
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  EXPECT_EQ(ReadResidentBytes(path), 1234 * page);
}

TEST(HostReadings, OwnResidentMemoryIsReadable) {
  // This process certainly has some resident memory, and less than this machine has.
  const std::optional<uint64_t> rss = ReadResidentBytes();
  ASSERT_TRUE(rss.has_value());
  EXPECT_GT(*rss, 1u << 20);
  EXPECT_LT(*rss, static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE));
}

TEST(HostReadings, MissingOrGarbledFilesAreNoReading) {
  EXPECT_EQ(ReadResidentBytes("/nonexistent/statm"), std::nullopt);
  EXPECT_EQ(ReadResidentBytes(WriteTemp("statm-bad", "abc\n")), std::nullopt);
  EXPECT_EQ(ReadTemperatureMilliCelsius("/nonexistent/temp"), std::nullopt);
  EXPECT_EQ(ReadTemperatureMilliCelsius(WriteTemp("temp-bad", "\n")), std::nullopt);
}

TEST(HostReadings, TemperatureInMillidegrees) {
  // What a Raspberry Pi 4's thermal_zone0/temp holds at 48.3 degrees C.
  EXPECT_EQ(ReadTemperatureMilliCelsius(WriteTemp("temp", "48312\n")), 48312);
  EXPECT_EQ(ReadTemperatureMilliCelsius(WriteTemp("temp-cold", "-5000\n")), -5000);
}

TEST(HostReadings, SensorPlaceholdersAreNoReading) {
  EXPECT_EQ(ReadTemperatureMilliCelsius(WriteTemp("temp-off", "-273150\n")), std::nullopt);
  EXPECT_EQ(ReadTemperatureMilliCelsius(WriteTemp("temp-huge", "2147483647\n")), std::nullopt);
}

}  // namespace
}  // namespace airfleet::health
