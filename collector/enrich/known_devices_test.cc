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

// Pseudonyms from Python's hmac module (recipe in common/pseudonym_test.cc), key =
// bytes(range(32)): 00:11:22:33:44:55 is a8:00:77:4a:83:85 with no rotation, 00:11:22:aa:00:77
// with the vendor prefix kept, and d0:68:88:43:1e:97 in the day starting 2024-10-08 00:00 UTC.
std::string PrivacyTestKey() {
  std::string k;
  for (int i = 0; i < 32; ++i) k.push_back(static_cast<char>(i));
  return k;
}

TEST_F(KnownDevicesTest, PseudonymisedBatchesMatchTheRegistryWithTheSameKey) {
  ASSERT_TRUE(known_->Put({Device(0x001122334455, "alice-phone")}).ok());
  // Without a key or without a noted period, only the raw MAC matches.
  EXPECT_FALSE(known_->match_snapshot()->contains(0xa800774a8385));
  ASSERT_TRUE(known_->SetPseudonymKey(PrivacyTestKey()).ok());
  EXPECT_FALSE(known_->match_snapshot()->contains(0xa800774a8385));

  v1::PrivacyInfo never;
  never.set_mode(v1::PRIVACY_MODE_PSEUDONYMISE);
  v1::PrivacyInfo daily = never;
  daily.set_rotation_start_ns(1728345600000000000);
  daily.set_rotation_period_ns(86400000000000);
  v1::PrivacyInfo vendor = never;
  vendor.set_keep_vendor_prefix(true);
  for (const auto* info : {&never, &daily, &vendor}) {
    ASSERT_TRUE(known_->NotePseudonymPeriod(*info).ok());
  }
  auto view = known_->match_snapshot();
  for (uint64_t mac :
       {0x001122334455ull, 0xa800774a8385ull, 0xd06888431e97ull, 0x001122aa0077ull}) {
    ASSERT_TRUE(view->contains(mac)) << std::hex << mac;
    EXPECT_EQ(view->at(mac).name(), "alice-phone");
    EXPECT_EQ(view->at(mac).mac(), 0x001122334455u);  // the registry's own address
  }
  PseudonymParams params{1728345600000000000, false};
  auto found = known_->Lookup(0xd06888431e97, &params);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->name(), "alice-phone");
  params.rotation_start_ns += 86400000000000;  // the next day's key gives another pseudonym
  EXPECT_FALSE(known_->Lookup(0xd06888431e97, &params).has_value());

  // Periods survive a restart (meta table); the key comes from the file again.
  Reopen();
  ASSERT_TRUE(known_->SetPseudonymKey(PrivacyTestKey()).ok());
  EXPECT_TRUE(known_->match_snapshot()->contains(0xd06888431e97));
  // Registry edits apply to pseudonyms too.
  ASSERT_TRUE(known_->Remove(0x001122334455).ok());
  EXPECT_FALSE(known_->match_snapshot()->contains(0xd06888431e97));
}

TEST_F(KnownDevicesTest, ShortPseudonymKeyIsRefused) {
  EXPECT_EQ(known_->SetPseudonymKey("short").code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace airfleet::collector
