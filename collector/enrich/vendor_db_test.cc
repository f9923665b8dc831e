#include "collector/enrich/vendor_db.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "gtest/gtest.h"

namespace airfleet::collector {
namespace {

constexpr char kHeader[] = "Registry,Assignment,Organization Name,Organization Address\n";

class VendorDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vendor_db.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes oui.csv and gives it an explicit mtime, so a change is visible without waiting for
  // the clock to tick.
  void WriteOui(const std::string& rows, int64_t mtime_s) {
    std::string path = dir_ + "/oui.csv";
    std::ofstream(path) << kHeader << rows;
    struct timespec times[2] = {{mtime_s, 0}, {mtime_s, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  }

  std::string dir_;
};

TEST_F(VendorDbTest, ReloadsWhenTheFileChanges) {
  WriteOui("MA-L,00000C,Old Name,\n", 1000);
  VendorDb db(DefaultVendorFiles(dir_, ""));
  EXPECT_EQ(db.table()->Lookup(0x00000C000001), "");  // nothing read yet
  auto first = db.ReloadIfChanged();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(*first);
  std::shared_ptr<const OuiTable> old_table = db.table();
  EXPECT_EQ(old_table->Lookup(0x00000C000001), "Old Name");

  auto unchanged = db.ReloadIfChanged();
  ASSERT_TRUE(unchanged.ok());
  EXPECT_FALSE(*unchanged);

  WriteOui("MA-L,00000C,New Name,\n", 2000);
  auto changed = db.ReloadIfChanged();
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(*changed);
  EXPECT_EQ(db.table()->Lookup(0x00000C000001), "New Name");
  // A reader holding the old snapshot keeps consistent answers.
  EXPECT_EQ(old_table->Lookup(0x00000C000001), "Old Name");
}

TEST_F(VendorDbTest, BrokenFileKeepsThePreviousTable) {
  WriteOui("MA-L,00000C,Good,\n", 1000);
  VendorDb db(DefaultVendorFiles(dir_, ""));
  ASSERT_TRUE(db.Reload().ok());
  std::ofstream(dir_ + "/oui.csv") << "garbage without a header\n";
  auto changed = db.ReloadIfChanged();
  EXPECT_EQ(changed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(db.table()->Lookup(0x00000C000001), "Good");
  // Not retried until the file changes again.
  auto again = db.ReloadIfChanged();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
}

TEST_F(VendorDbTest, ExplicitReloadAndRemovedFile) {
  WriteOui("MA-L,00000C,Cisco,\n", 1000);
  VendorDb db(DefaultVendorFiles(dir_, ""));
  auto load = db.Reload();
  ASSERT_TRUE(load.ok());
  EXPECT_EQ(load->loaded.size(), 1u);
  EXPECT_EQ(load->missing.size(), 3u);
  std::filesystem::remove(dir_ + "/oui.csv");
  auto changed = db.ReloadIfChanged();
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(*changed);
  EXPECT_EQ(db.table()->size(), 0u);
}

TEST_F(VendorDbTest, ReadersRaceReloads) {
  WriteOui("MA-L,00000C,A,\n", 1000);
  VendorDb db(DefaultVendorFiles(dir_, ""));
  ASSERT_TRUE(db.Reload().ok());
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::thread reader([&] {
    while (!stop.load()) {
      auto t = db.table();
      std::string_view v = t->Lookup(0x00000C000001);
      if (v != "A" && v != "B") bad.fetch_add(1);
    }
  });
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(db.Reload().ok());
    WriteOui(i % 2 ? "MA-L,00000C,A,\n" : "MA-L,00000C,B,\n", 1000 + i);
  }
  stop = true;
  reader.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace airfleet::collector
