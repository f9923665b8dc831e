#include "collector/testing/store_fixture.h"

#include <string>

namespace airfleet::collector::testing {

void StoreTest::SetUp() {
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  dir_ = std::filesystem::path(::testing::TempDir()) /
         (std::string(test->test_suite_name()) + "_" + test->name());
  std::filesystem::remove_all(dir_);
  Reopen();
}

void StoreTest::TearDown() {
  store_.reset();
  std::filesystem::remove_all(dir_);
}

void StoreTest::Reopen(bool outbox) {
  store_.reset();
  RocksDbStoreOptions options{dir_.string(), [this] { return now_.load(); }, true, outbox};
  auto store = RocksDbStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  store_ = std::move(*store);
}

v1::Batch OneDeviceBatch(uint64_t stream_id, uint64_t sequence, uint64_t mac, uint32_t frames) {
  v1::Batch b;
  b.set_stream_id(stream_id);
  b.set_sequence(sequence);
  v1::DeviceWindow* w = b.add_windows();
  w->set_mac(mac);
  w->set_window_start_ns(kT0);
  w->set_window_ms(60000);
  w->set_frames(frames);
  v1::ProbeObservation* p = b.add_probes();
  p->set_mac(mac);
  p->set_window_start_ns(kT0);
  p->set_ssid("cafe");
  p->set_count(frames);
  v1::LossRecord* loss = b.mutable_health()->add_losses();
  loss->set_reason("spool_quota");
  loss->set_recorded_ns(kT0);
  loss->set_first_sequence(3);
  loss->set_batches(2);
  return b;
}

}  // namespace airfleet::collector::testing
