#include "collector/enrich/known_devices.h"

#include <stdlib.h>

#include <filesystem>

#include "collector/store/rocksdb_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace airfleet::collector {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::KnownDevice Device(uint64_t mac, const std::string& name,
                       v1::KnownKind kind = v1::KNOWN_KIND_UNSPECIFIED) {
  v1::KnownDevice d;
  d.set_mac(mac);
  d.set_name(name);
  d.set_kind(kind);
  return d;
}

class KnownDevicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "known.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    Reopen();
  }
  void TearDown() override {
    known_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    known_.reset();
    store_.reset();
    auto store = RocksDbStore::Open({dir_ + "/store", [this] { return now_; }, true});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    auto known = KnownDevices::Open(store_.get(), [this] { return now_; });
    ASSERT_TRUE(known.ok()) << known.status();
    known_ = std::move(*known);
  }

  std::string dir_;
  int64_t now_ = 1'700'000'000'000'000'000;
  std::unique_ptr<RocksDbStore> store_;
  std::unique_ptr<KnownDevices> known_;
};

TEST_F(KnownDevicesTest, PutListRemoveAndPersist) {
  v1::KnownDevice laptop = Device(0x001122334455, "alice-laptop");
  laptop.set_owner("alice");
  laptop.add_tags("staff");
  laptop.add_tags("laptop");
  auto put = known_->Put({laptop, Device(0x001122334466, "visitor", v1::KNOWN_KIND_GUEST)});
  ASSERT_TRUE(put.ok()) << put.status();
  EXPECT_EQ(put->added, 2u);
  EXPECT_EQ(put->replaced, 0u);

  put = known_->Put({Device(0x001122334455, "alice-laptop-2")});
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(put->replaced, 1u);

  Reopen();  // from the store, not the cache
  std::vector<v1::KnownDevice> all = known_->List();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].mac(), 0x001122334455u);
  EXPECT_EQ(all[0].name(), "alice-laptop-2");
  EXPECT_EQ(all[0].kind(), v1::KNOWN_KIND_KNOWN);  // UNSPECIFIED stored as KNOWN
  EXPECT_TRUE(all[0].tags().empty());              // replaced, not merged
  EXPECT_EQ(all[0].updated_ns(), now_);
  EXPECT_EQ(all[1].kind(), v1::KNOWN_KIND_GUEST);

  ASSERT_TRUE(known_->Remove(0x001122334466).ok());
  EXPECT_EQ(known_->Remove(0x001122334466).code(), absl::StatusCode::kNotFound);
  Reopen();
  EXPECT_EQ(known_->List().size(), 1u);
  EXPECT_TRUE(known_->snapshot()->contains(0x001122334455));
}

TEST_F(KnownDevicesTest, SnapshotsAreImmutable) {
  ASSERT_TRUE(known_->Put({Device(0x001122334455, "a")}).ok());
  auto before = known_->snapshot();
  ASSERT_TRUE(known_->Put({Device(0x001122334466, "b")}).ok());
  EXPECT_EQ(before->size(), 1u);
  EXPECT_EQ(known_->snapshot()->size(), 2u);
}

TEST_F(KnownDevicesTest, InvalidRequestsChangeNothing) {
  auto put = known_->Put({Device(0x001122334455, "ok"), Device(0x011122334455, "multicast")});
  EXPECT_EQ(put.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(put.status().message(), HasSubstr("01:11:22:33:44:55: not a device address"));
  put = known_->Put({Device(0x001122334455, "a"), Device(0x001122334455, "b")});
  EXPECT_THAT(put.status().message(), HasSubstr("listed twice"));
  EXPECT_TRUE(known_->List().empty());
  Reopen();
  EXPECT_TRUE(known_->List().empty());
}

TEST(ValidateKnownDeviceTest, Rules) {
  v1::KnownDevice d = Device(0x001122334455, "name");
  EXPECT_TRUE(ValidateKnownDevice(d).ok());
  d.add_tags("a;b");
  EXPECT_THAT(ValidateKnownDevice(d).message(), HasSubstr("bad tag 'a;b'"));
  d.clear_tags();
  d.add_tags("");
  EXPECT_FALSE(ValidateKnownDevice(d).ok());
  EXPECT_THAT(ValidateKnownDevice(Device(0x001122334455, "")).message(),
              HasSubstr("name is empty"));
  EXPECT_FALSE(ValidateKnownDevice(Device(0, "zero")).ok());
  EXPECT_FALSE(ValidateKnownDevice(Device(0xffffffffffff, "broadcast")).ok());
  EXPECT_FALSE(ValidateKnownDevice(Device(uint64_t{1} << 50, "too wide")).ok());
  EXPECT_TRUE(ValidateKnownDevice(Device(0x021122334455, "randomised but pinned")).ok());
}

}  // namespace
}  // namespace airfleet::collector
