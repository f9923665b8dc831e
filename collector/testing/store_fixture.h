#pragma once

// A real RocksDbStore for the tests of the store and of what reads it (outbox, sink delivery,
// retention): a directory of its own per test, a clock the test sets, and the batch most of those
// tests commit.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>

#include "collector/store/rocksdb_store.h"
#include "gtest/gtest.h"

namespace airfleet::collector::testing {

inline constexpr int64_t kT0 = 1'700'000'040'000'000'000;  // a window boundary
inline constexpr int64_t kMinute = 60'000'000'000;
inline constexpr int64_t kDay = 24 * 60 * kMinute;

// Opens the store in `<TempDir>/<suite>_<test>` (emptied first, removed after), with the outbox on
// unless Reopen(false). The store's clock reads `now_`, which tests may move at any time.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  // Closes the store and opens it again on the same directory (restarts, outbox on or off).
  void Reopen(bool outbox = true);

  std::filesystem::path dir_;
  std::atomic<int64_t> now_{kT0 + 5 * kMinute};
  std::unique_ptr<RocksDbStore> store_;
};

// A batch of stream `stream_id` naming one device in the window at kT0: a window with `frames`
// frames, a probe of SSID "cafe" counted `frames` times, and one loss record ("spool_quota",
// recorded at kT0, from sequence 3, 2 batches).
v1::Batch OneDeviceBatch(uint64_t stream_id, uint64_t sequence, uint64_t mac, uint32_t frames);

}  // namespace airfleet::collector::testing
