#include "agent/capture/channel_hopper.h"

#include <net/if.h>
#include <netlink/errno.h>

#include <set>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace airfleet::capture {
namespace {

using ::testing::AnyOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Expected values are the channel tables of IEEE 802.11-2020 Annex E / the Linux regdb.
TEST(ChannelTest, ChannelToFrequency) {
  struct Case {
    Band band;
    int ch;
    int mhz;
  } cases[] = {{Band::k2400, 1, 2412},   {Band::k2400, 6, 2437},   {Band::k2400, 11, 2462},
               {Band::k2400, 13, 2472},  {Band::k2400, 14, 2484},  {Band::k5000, 36, 5180},
               {Band::k5000, 52, 5260},  {Band::k5000, 100, 5500}, {Band::k5000, 149, 5745},
               {Band::k5000, 165, 5825}, {Band::k5000, 177, 5885}, {Band::k5000, 184, 4920},
               {Band::k6000, 1, 5955},   {Band::k6000, 2, 5935},   {Band::k6000, 5, 5975},
               {Band::k6000, 37, 6135},  {Band::k6000, 69, 6295},  {Band::k6000, 165, 6775},
               {Band::k6000, 233, 7115}, {Band::k60000, 1, 58320}, {Band::k60000, 2, 60480},
               {Band::k60000, 6, 69120}};
  for (const Case& c : cases) {
    auto f = ChannelToFrequency(c.band, c.ch);
    ASSERT_TRUE(f.ok()) << c.ch;
    EXPECT_EQ(*f, c.mhz) << "channel " << c.ch;
    auto back = FrequencyToChannel(c.mhz);
    ASSERT_TRUE(back.ok()) << c.mhz;
    EXPECT_EQ(back->band, c.band) << c.mhz;
    EXPECT_EQ(back->number, c.ch) << c.mhz;
  }
  EXPECT_FALSE(ChannelToFrequency(Band::k2400, 0).ok());
  EXPECT_FALSE(ChannelToFrequency(Band::k2400, 15).ok());
  EXPECT_FALSE(ChannelToFrequency(Band::k6000, 234).ok());
  EXPECT_FALSE(ChannelToFrequency(Band::k60000, 7).ok());
  EXPECT_FALSE(FrequencyToChannel(2485).ok());
  EXPECT_FALSE(FrequencyToChannel(5181).ok());
  EXPECT_FALSE(FrequencyToChannel(0).ok());
  EXPECT_FALSE(FrequencyToChannel(12345).ok());  // pcap4j's made-up radiotap frequency
}

TEST(ChannelTest, EveryChannelRoundTrips) {
  int checked = 0;
  for (Band band : {Band::k2400, Band::k5000, Band::k6000, Band::k60000}) {
    for (int ch = 0; ch <= 300; ++ch) {
      auto f = ChannelToFrequency(band, ch);
      if (!f.ok()) continue;
      auto back = FrequencyToChannel(*f);
      ASSERT_TRUE(back.ok()) << *f;
      EXPECT_EQ(back->band, band);
      EXPECT_EQ(back->number, ch);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 14 + 196 + 233 + 6);
}

TEST(ChannelTest, Parse) {
  EXPECT_EQ(ParseChannel("6")->freq_mhz, 2437);
  EXPECT_EQ(ParseChannel("36")->freq_mhz, 5180);
  EXPECT_EQ(ParseChannel("2437")->number, 6);
  EXPECT_EQ(ParseChannel("5745")->number, 149);
  EXPECT_EQ(ParseChannel("6g:37")->freq_mhz, 6135);
  EXPECT_EQ(ParseChannel("6g:1")->freq_mhz, 5955);
  EXPECT_EQ(ParseChannel("2g:14")->freq_mhz, 2484);
  EXPECT_EQ(ParseChannel("60g:2")->freq_mhz, 60480);
  EXPECT_EQ(ChannelName(*ParseChannel("11")), "2g:11 (2462 MHz)");
  EXPECT_THAT(ParseChannel("7g:1").status().ToString(), HasSubstr("2g, 5g, 6g or 60g"));
  EXPECT_THAT(ParseChannel("abc").status().ToString(), HasSubstr("channel 'abc' is not valid"));
  EXPECT_FALSE(ParseChannel("2g:15").ok());
  EXPECT_FALSE(ParseChannel("2400").ok());
  EXPECT_FALSE(ParseChannel("0").ok());
  EXPECT_FALSE(ParseChannel("").ok());
}

TEST(Nl80211Test, UnavailableOrMissingInterfaceIsExplained) {
  auto setter = Nl80211ChannelSetter::Open("wlan0");
  if (setter.ok()) GTEST_SKIP() << "this machine has nl80211 and a wlan0: a real radio";
  const std::string msg(setter.status().message());
  if (setter.status().code() == absl::StatusCode::kFailedPrecondition) {
    EXPECT_EQ(msg,
              "nl80211 is not available: the kernel has no wireless support or the cfg80211 "
              "module is not loaded");
  } else {
    EXPECT_EQ(setter.status().code(), absl::StatusCode::kNotFound) << msg;
    EXPECT_EQ(msg, "interface 'wlan0' does not exist");
  }
}

TEST(Nl80211Test, ErrorMessages) {
  EXPECT_THAT(DescribeNlError(-NLE_PERM, "mon0", 2412),
              HasSubstr("operation not permitted: tuning 'mon0' needs root or CAP_NET_ADMIN"));
  EXPECT_THAT(DescribeNlError(-NLE_NODEV, "mon0", 2412), HasSubstr("interface 'mon0' not found"));
  EXPECT_THAT(DescribeNlError(-NLE_INVAL, "mon0", 5825),
              HasSubstr("5825 MHz cannot be used on 'mon0'"));
  EXPECT_THAT(DescribeNlError(-NLE_BUSY, "mon0", 2412), HasSubstr("busy"));
}

// Records every tune; can be told to fail for some frequencies.
class RecordingSetter : public ChannelSetter {
 public:
  absl::Status SetFrequency(int freq_mhz) override {
    absl::MutexLock lock(&mu_);
    calls_.push_back(freq_mhz);
    if (freq_mhz == fail_mhz_) return absl::InvalidArgumentError("forbidden");
    return absl::OkStatus();
  }
  bool AwaitCalls(size_t n) {
    absl::MutexLock lock(&mu_);
    struct Arg {
      static bool Check(Arg* a) { return a->calls->size() >= a->n; }
      std::vector<int>* calls;
      size_t n;
    } arg{&calls_, n};
    return mu_.AwaitWithTimeout(absl::Condition(&Arg::Check, &arg), absl::Seconds(10));
  }
  std::vector<int> calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }
  void set_fail(int mhz) {
    absl::MutexLock lock(&mu_);
    fail_mhz_ = mhz;
  }

 private:
  absl::Mutex mu_;
  std::vector<int> calls_;
  int fail_mhz_ = -1;
};

HopperOptions Plan(std::initializer_list<const char*> specs, int64_t dwell_ns) {
  HopperOptions o;
  for (const char* s : specs) o.channels.push_back(*ParseChannel(s));
  o.dwell_ns = dwell_ns;
  return o;
}

TEST(ChannelHopperTest, HopsThroughThePlanOnTheClock) {
  RecordingSetter setter;
  FakeClock clock(5'000);
  ChannelHopper hopper(Plan({"1", "6", "11"}, 200'000'000), &setter, &clock);
  ASSERT_TRUE(hopper.Start().ok());
  EXPECT_THAT(setter.calls(), ElementsAre(2412));  // first channel set before Start returns
  EXPECT_EQ(hopper.current_freq_mhz(), 2412);
  ASSERT_TRUE(clock.AwaitSleepers(1, absl::Seconds(10)));
  EXPECT_EQ(clock.last_deadline_ns(), 5'000 + 200'000'000);
  clock.Advance(199'999'999);
  ASSERT_TRUE(clock.AwaitSleepers(1, absl::Seconds(10)));
  EXPECT_EQ(setter.calls().size(), 1u);  // not a nanosecond early
  clock.Advance(1);
  ASSERT_TRUE(setter.AwaitCalls(2));
  ASSERT_TRUE(clock.AwaitSleepers(1, absl::Seconds(10)));
  EXPECT_EQ(clock.last_deadline_ns(), 5'000 + 400'000'000);
  clock.Advance(200'000'000);
  ASSERT_TRUE(setter.AwaitCalls(3));
  ASSERT_TRUE(clock.AwaitSleepers(1, absl::Seconds(10)));
  clock.Advance(200'000'000);
  ASSERT_TRUE(setter.AwaitCalls(4));
  ASSERT_TRUE(clock.AwaitSleepers(1, absl::Seconds(10)));
  EXPECT_THAT(setter.calls(), ElementsAre(2412, 2437, 2462, 2412));  // wraps around
  EXPECT_EQ(hopper.hops(), 4u);
  // A stall of 10 dwell times causes one hop, not a burst of ten.
  clock.Advance(2'000'000'000);
  ASSERT_TRUE(setter.AwaitCalls(5));
  ASSERT_TRUE(clock.AwaitSleepers(1, absl::Seconds(10)));
  EXPECT_EQ(setter.calls().size(), 5u);
  EXPECT_EQ(clock.last_deadline_ns(), clock.NowNs() + 200'000'000);
  hopper.Stop();  // returns although the fake clock never reaches the next deadline
  EXPECT_EQ(clock.sleepers(), 0);
}

TEST(ChannelHopperTest, FailuresAreCountedAndHoppingGoesOn) {
  RecordingSetter setter;
  setter.set_fail(2437);
  FakeClock clock;
  ChannelHopper hopper(Plan({"1", "6", "11"}, 100), &setter, &clock);
  ASSERT_TRUE(hopper.Start().ok());
  ASSERT_TRUE(clock.AwaitSleepers(1, absl::Seconds(10)));
  clock.Advance(100);
  ASSERT_TRUE(setter.AwaitCalls(2));
  ASSERT_TRUE(clock.AwaitSleepers(1, absl::Seconds(10)));
  clock.Advance(100);
  ASSERT_TRUE(setter.AwaitCalls(3));
  ASSERT_TRUE(clock.AwaitSleepers(1, absl::Seconds(10)));
  EXPECT_EQ(hopper.failed_hops(), 1u);
  EXPECT_EQ(hopper.hops(), 2u);
  EXPECT_EQ(hopper.current_freq_mhz(), 2462);
  EXPECT_THAT(hopper.last_error().ToString(), HasSubstr("forbidden"));
}

TEST(ChannelHopperTest, StartFailsWhenTheFirstTuneFails) {
  RecordingSetter setter;
  setter.set_fail(2412);
  FakeClock clock;
  ChannelHopper hopper(Plan({"1", "6"}, 100), &setter, &clock);
  EXPECT_EQ(hopper.Start().code(), absl::StatusCode::kInvalidArgument);
  ChannelHopper empty(HopperOptions{}, &setter, &clock);
  EXPECT_THAT(empty.Start().ToString(), HasSubstr("empty"));
}

TEST(ChannelHopperTest, SingleChannelNeedsNoThread) {
  RecordingSetter setter;
  FakeClock clock;
  ChannelHopper hopper(Plan({"36"}, 0), &setter, &clock);
  ASSERT_TRUE(hopper.Start().ok());
  EXPECT_THAT(setter.calls(), ElementsAre(5180));
  EXPECT_EQ(clock.sleepers(), 0);
}

}  // namespace
}  // namespace airfleet::capture

namespace airfleet::capture {
namespace {

TEST(ChannelPlanTest, StaggeredAgentsAreNeverOnTheSameChannelAndVisitEveryOne) {
  constexpr int64_t kDwell = 250'000'000;
  constexpr size_t kChannels = 3;  // 1, 6, 11
  std::set<size_t> visited[3];
  // Sampled every 50 ms over 10 s, starting at an arbitrary unaligned unix time.
  for (int64_t t = 1'700'000'000'123'456'789; t < 1'700'000'010'123'456'789; t += 50'000'000) {
    size_t at[3];
    for (uint32_t agent = 0; agent < 3; ++agent) {
      at[agent] = PlanIndexAt(t, kDwell, agent, kChannels);
      visited[agent].insert(at[agent]);
    }
    EXPECT_NE(at[0], at[1]);
    EXPECT_NE(at[1], at[2]);
    EXPECT_NE(at[0], at[2]);
  }
  for (const auto& v : visited) EXPECT_EQ(v.size(), kChannels);
  // The slot changes exactly on a dwell boundary.
  EXPECT_EQ(PlanIndexAt(999'999'999, kDwell, 0, kChannels), 0u + (999'999'999 / kDwell) % 3);
  EXPECT_NE(PlanIndexAt(kDwell * 7 - 1, kDwell, 0, kChannels),
            PlanIndexAt(kDwell * 7, kDwell, 0, kChannels));
}

}  // namespace
}  // namespace airfleet::capture
