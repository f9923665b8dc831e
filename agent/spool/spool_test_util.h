#pragma once

// Helpers shared by the spool tests, the crash writer and the benchmark.

#include <cstdint>
#include <string>
#include <vector>

#include "airfleet/v1/summary.pb.h"

namespace airfleet::spool::testing {

// A fresh directory under $TEST_TMPDIR or /tmp; the caller removes it.
std::string MakeTempDir(const std::string& tag);

// A window summary shaped like a real one (a client seen on one channel with a handful of
// management and data frames). `mac` identifies it in tests.
v1::DeviceWindow MakeWindow(uint64_t mac, int64_t window_start_ns);

// `count` windows with macs first_mac, first_mac + 1, ...
std::vector<v1::DeviceWindow> MakeWindows(uint64_t first_mac, size_t count,
                                          int64_t window_start_ns);

}  // namespace airfleet::spool::testing
