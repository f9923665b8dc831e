#include "common/pseudonym.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/key_file.h"

namespace airfleet::pseudonym {
namespace {

// Known answers computed independently with Python's hmac module, not with this code:
//   key = bytes(range(32))
//   pk  = hmac.new(key, b"airfleet/pseudonym/v1" + struct.pack(">q", start), sha256).digest()
//   h   = hmac.new(pk, mac.to_bytes(6, "big"), sha256).digest()
//   keep vendor (globally administered unicast): mac[:3] + h[:3]
//   otherwise: bytes([(h[0] & 0xfc) | (mac[0] & 3)]) + h[1:6]
//   ssid: "hmac:" + hmac.new(pk, b"ssid:" + ssid, sha256).hexdigest()[:16]
std::string TestKey() {
  std::string k;
  for (int i = 0; i < 32; ++i) k.push_back(static_cast<char>(i));
  return k;
}

constexpr int64_t kTuesday = 1728345600000000000;      // 2024-10-08 00:00 UTC (anchor + 20000 days)
constexpr int64_t kMonday = kTuesday + 6 * kNsPerDay;  // 2024-10-14 00:00 UTC

TEST(PseudonymTest, KnownAnswersWithoutRotation) {
  auto key = DerivePeriodKey(TestKey(), 0);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(PseudonymiseMac(*key, 0x001122334455, false), 0xa800774a8385u);
  EXPECT_EQ(PseudonymiseMac(*key, 0x001122334455, true), 0x001122aa0077u);
  EXPECT_EQ(PseudonymiseMac(*key, 0xdaa1b2c3d4e5, true), 0x6a3e85a75b40u);
  EXPECT_EQ(PseudonymiseMac(*key, 0x3333ff123456, false), 0x636bf7c20633u);
  EXPECT_EQ(HashSsid(*key, "eduroam"), "hmac:afb6df165e3d2f0b");
}

TEST(PseudonymTest, KnownAnswersForADailyPeriod) {
  auto key = DerivePeriodKey(TestKey(), kTuesday);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(PseudonymiseMac(*key, 0x001122334455, false), 0xd06888431e97u);
  EXPECT_EQ(PseudonymiseMac(*key, 0x001122334455, true), 0x001122d26888u);
  EXPECT_EQ(PseudonymiseMac(*key, 0xdaa1b2c3d4e5, true), 0x0638193f7aecu);
  EXPECT_EQ(PseudonymiseMac(*key, 0x3333ff123456, false), 0x37e1be04c375u);
  EXPECT_EQ(HashSsid(*key, "eduroam"), "hmac:83b2f71e81f0fa8d");
}

TEST(PseudonymTest, LocallyAdministeredAndGroupBitsArePreserved) {
  auto key = DerivePeriodKey(TestKey(), 0);
  ASSERT_TRUE(key.ok());
  for (uint64_t mac = 0x000000000001; mac < 0x400000000000; mac += 0x010203040507) {
    const uint64_t p = PseudonymiseMac(*key, mac, false);
    EXPECT_EQ((p >> 40) & 0x03, (mac >> 40) & 0x03) << std::hex << mac;
    EXPECT_NE(p, mac);
  }
}

TEST(PseudonymTest, VendorPrefixKeptOnlyForGloballyAdministeredUnicast) {
  auto key = DerivePeriodKey(TestKey(), 0);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(PseudonymiseMac(*key, 0xa4c3f0112233, true) >> 24, 0xa4c3f0u);
  // Locally administered: the prefix is random, keeping it would keep the whole identity.
  EXPECT_NE(PseudonymiseMac(*key, 0xa6c3f0112233, true) >> 24, 0xa6c3f0u);
}

TEST(PseudonymTest, NoneAndBroadcastAreKept) {
  auto key = DerivePeriodKey(TestKey(), 0);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(PseudonymiseMac(*key, 0, false), 0u);
  EXPECT_EQ(PseudonymiseMac(*key, 0xffffffffffff, true), 0xffffffffffffu);
  EXPECT_EQ(HashSsid(*key, ""), "");
}

TEST(PseudonymTest, RotationChangesPseudonymsAtThePeriodBoundaryAndNotBefore) {
  const int64_t day = kNsPerDay;
  EXPECT_EQ(PeriodStart(kMonday, day), kMonday);
  EXPECT_EQ(PeriodStart(kMonday + day - 1, day), kMonday);
  EXPECT_EQ(PeriodStart(kMonday + day, day), kMonday + day);
  EXPECT_EQ(PeriodStart(kMonday + 3 * day, 7 * day), kMonday);  // weekly starts on Monday
  EXPECT_EQ(PeriodStart(kMonday - 1, 7 * day), kMonday - 7 * day);
  EXPECT_EQ(PeriodStart(kMonday + 5 * day, 0), 0);
  EXPECT_EQ(PeriodStart(1, day), 0);      // 1970-01-01 belongs to the day of 0
  EXPECT_EQ(PeriodStart(-1, day), -day);  // floor, not truncation

  auto at = [&](int64_t t) {
    auto k = DerivePeriodKey(TestKey(), PeriodStart(t, day));
    return PseudonymiseMac(*k, 0x001122334455, false);
  };
  EXPECT_EQ(at(kMonday), at(kMonday + day - 1));
  EXPECT_NE(at(kMonday + day - 1), at(kMonday + day));
  EXPECT_EQ(at(kMonday + day), at(kMonday + 2 * day - 1));
}

TEST(PseudonymTest, ShortKeysAreRefused) {
  EXPECT_FALSE(DerivePeriodKey("fifteen bytes!!", 0).ok());
  EXPECT_TRUE(DerivePeriodKey("sixteen bytes!!!", 0).ok());
}

TEST(PseudonymTest, ParseRotation) {
  EXPECT_EQ(*ParseRotation("never"), 0);
  EXPECT_EQ(*ParseRotation("daily"), kNsPerDay);
  EXPECT_EQ(*ParseRotation("weekly"), 7 * kNsPerDay);
  EXPECT_EQ(*ParseRotation("6h"), 6 * 3600 * int64_t{1'000'000'000});
  EXPECT_FALSE(ParseRotation("10s").ok());
  EXPECT_FALSE(ParseRotation("monthly").ok());
}

class KeyFileTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& content, mode_t mode) {
    const std::string path =
        (std::filesystem::temp_directory_path() /
         ("airfleet_key_" + std::to_string(getpid()) + "_" + std::to_string(n_++)))
            .string();
    std::ofstream(path, std::ios::binary) << content;
    chmod(path.c_str(), mode);
    paths_.push_back(path);
    return path;
  }
  void TearDown() override {
    for (const auto& p : paths_) std::remove(p.c_str());
  }
  std::vector<std::string> paths_;
  int n_ = 0;
};

TEST_F(KeyFileTest, ReadsExactBytes) {
  const std::string key = TestKey() + "\n";
  auto got = ReadKeyFile(Write(key, 0600));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, key);
}

TEST_F(KeyFileTest, RefusesGroupOrWorldAccessLikeSsh) {
  auto got = ReadKeyFile(Write(TestKey(), 0644));
  ASSERT_EQ(got.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(got.status().message().find("too open"), std::string::npos);
  EXPECT_NE(got.status().message().find("chmod 600"), std::string::npos);
  EXPECT_EQ(ReadKeyFile(Write(TestKey(), 0640)).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(KeyFileTest, RefusesShortAndMissingFiles) {
  auto got = ReadKeyFile(Write("short", 0600));
  ASSERT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(got.status().message().find("at least 16"), std::string::npos);
  EXPECT_EQ(ReadKeyFile("/nonexistent/airfleet.key").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace airfleet::pseudonym
