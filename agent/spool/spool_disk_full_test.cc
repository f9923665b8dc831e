// A full disk must give a clear error, store nothing partial, and heal once space is freed.
// Uses a small tmpfs (needs CAP_SYS_ADMIN, which the build containers have; skipped otherwise).

#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "agent/spool/rocksdb_spool.h"
#include "agent/spool/spool_test_util.h"
#include "gtest/gtest.h"

namespace airfleet::spool {
namespace {

namespace fs = std::filesystem;

// Parameter: min_free_bytes. 0 lets RocksDB itself hit ENOSPC (the reopen path); 3 MiB makes the
// spool's own free-space check refuse first.
class SpoolDiskFullTest : public ::testing::TestWithParam<uint64_t> {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("spool_disk_full");
    mnt_ = dir_ + "/mnt";
    fs::create_directories(mnt_);
    if (mount("tmpfs", mnt_.c_str(), "tmpfs", 0, "size=16m") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs (" << std::strerror(errno)
                   << "); run as root to exercise the disk-full path";
    }
    mounted_ = true;
  }
  void TearDown() override {
    if (mounted_) umount2(mnt_.c_str(), MNT_DETACH);
    fs::remove_all(dir_);
  }

  std::string dir_;
  std::string mnt_;
  bool mounted_ = false;
};

TEST_P(SpoolDiskFullTest, FullDiskFailsCleanlyAndRecoversWhenSpaceFrees) {
  // Ballast we can delete later to free space.
  const std::string ballast = mnt_ + "/ballast";
  {
    std::ofstream out(ballast, std::ios::binary);
    out << std::string(4 << 20, 'x');
  }
  RocksDbSpoolOptions options;
  options.path = mnt_ + "/spool";
  options.write_buffer_bytes = 1 << 20;
  options.min_free_bytes = GetParam();
  auto opened = RocksDbSpool::Open(options);
  ASSERT_TRUE(opened.ok()) << opened.status();
  auto& spool = *opened;

  uint64_t stored_appends = 0;
  absl::Status failure;
  for (int i = 0; i < 10000 && failure.ok(); ++i) {
    auto r = spool->Append(testing::MakeWindows(i * 1000 + 1, 200, 0), {}, std::to_string(i));
    if (r.ok()) {
      ++stored_appends;
    } else {
      failure = r.status();
    }
  }
  ASSERT_FALSE(failure.ok()) << "16 MiB tmpfs never filled up";
  EXPECT_EQ(failure.code(), absl::StatusCode::kResourceExhausted) << failure;
  EXPECT_TRUE(absl::StrContains(failure.message(), "spool disk full")) << failure;
  // Nothing of the failed append is visible.
  EXPECT_EQ(spool->Stats().next_sequence, stored_appends + 1);
  EXPECT_EQ(spool->ReplayPosition(), std::to_string(stored_appends - 1));

  fs::remove(ballast);
  auto healed = spool->Append(testing::MakeWindows(1, 10, 0), {}, "after");
  ASSERT_TRUE(healed.ok()) << healed.status();
  EXPECT_EQ(healed->first_sequence, stored_appends + 1);
  // The caller accounts for what it could not store.
  v1::LossRecord loss;
  loss.set_reason("disk_full");
  loss.set_summaries(200);
  ASSERT_TRUE(spool->RecordLoss(loss).ok());

  // Everything acknowledged as stored is there after a reopen.
  spool.reset();
  auto reopened = RocksDbSpool::Open(options);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_FALSE((*reopened)->quarantine().has_value());
  EXPECT_EQ((*reopened)->Stats().batches, stored_appends + 1);
  EXPECT_EQ((*reopened)->ReplayPosition(), "after");
  ASSERT_EQ((*reopened)->Losses().size(), 1u);
  EXPECT_EQ((*reopened)->Losses()[0].reason(), "disk_full");
}

INSTANTIATE_TEST_SUITE_P(MinFree, SpoolDiskFullTest, ::testing::Values(0, 3 << 20));

}  // namespace
}  // namespace airfleet::spool
