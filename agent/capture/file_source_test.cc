#include "agent/capture/file_source.h"

#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/capture/pcap_builder.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace airfleet::capture {
namespace {

using ::airfleet::capture::testing::BuildPcap;
using ::airfleet::capture::testing::Payload;
using ::airfleet::capture::testing::PcapngBuilder;
using ::testing::HasSubstr;

// The linktypes architecture.md lists for the agent (radiotap, plain 802.11, PPI, Prism, AVS).
bool SpecLinktypes(int lt) { return lt == 105 || lt == 119 || lt == 127 || lt == 163 || lt == 192; }

std::unique_ptr<CaptureFileReader> Reader(const std::vector<uint8_t>& bytes, std::string name) {
  auto r = CaptureFileReader::FromInput(
      std::make_unique<MemoryByteInput>(std::span<const uint8_t>(bytes.data(), bytes.size())),
      std::move(name));
  EXPECT_TRUE(r.ok()) << r.status();
  return std::move(r).value();
}

TEST(ParseReplaySpeedTest, Forms) {
  EXPECT_EQ(*ParseReplaySpeed("max"), 0.0);
  EXPECT_EQ(*ParseReplaySpeed("1"), 1.0);
  EXPECT_EQ(*ParseReplaySpeed("10x"), 10.0);
  EXPECT_EQ(*ParseReplaySpeed("0.5"), 0.5);
  EXPECT_FALSE(ParseReplaySpeed("0").ok());
  EXPECT_FALSE(ParseReplaySpeed("-2").ok());
  EXPECT_FALSE(ParseReplaySpeed("fast").ok());
  EXPECT_THAT(ParseReplaySpeed("fast").status().ToString(), HasSubstr("'max'"));
}

TEST(FileReplaySourceTest, MaxSpeedDeliversEverythingAndCounts) {
  testing::TestRecord cut{2, 0, Payload(4, 2), 1500};
  auto file = BuildPcap(false, false, 0, 127, {{1, 0, Payload(9, 1)}, cut, {3, 0, Payload(5, 3)}});
  FileReplayOptions opts;
  opts.is_supported_linktype = SpecLinktypes;
  auto src = FileReplaySource::FromReader(Reader(file.bytes, "a.pcap"), opts, nullptr);
  ASSERT_TRUE(src.ok()) << src.status();
  Packet p;
  int n = 0;
  while (true) {
    auto got = (*src)->Next(&p);
    ASSERT_TRUE(got.ok()) << got.status();
    if (!*got) break;
    ++n;
    EXPECT_FALSE((*src)->AtEnd());
  }
  EXPECT_EQ(n, 3);
  EXPECT_TRUE((*src)->AtEnd());
  EXPECT_FALSE(*(*src)->Next(&p));  // stays at end
  CaptureCounters c = (*src)->Counters();
  EXPECT_EQ(c.received, 3u);
  EXPECT_EQ(c.truncated_records, 1u);
  EXPECT_EQ(c.dropped_kernel, 0u);
}

TEST(FileReplaySourceTest, EthernetCaptureIsRejectedClearly) {
  auto file = BuildPcap(false, false, 0, 1, {{1, 0, Payload(60, 1)}});
  FileReplayOptions opts;
  opts.is_supported_linktype = SpecLinktypes;
  auto src = FileReplaySource::FromReader(Reader(file.bytes, "FILE"), opts, nullptr);
  ASSERT_FALSE(src.ok());
  EXPECT_EQ(src.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(src.status().message(),
            "FILE: linktype 1 (Ethernet) is not an 802.11 linktype; supported: 105, 119, 127, "
            "163, 192");
}

TEST(FileReplaySourceTest, PcapngInterfaceWithEthernetIsRejectedAtItsFirstPacket) {
  PcapngBuilder b;
  b.Shb(false).Idb(127, 0).Idb(1, 0).Epb(0, 1, Payload(5, 1)).Epb(1, 2, Payload(60, 2));
  FileReplayOptions opts;
  opts.is_supported_linktype = SpecLinktypes;
  auto src = FileReplaySource::FromReader(Reader(b.bytes(), "x.pcapng"), opts, nullptr);
  ASSERT_TRUE(src.ok()) << src.status();
  Packet p;
  ASSERT_TRUE(*(*src)->Next(&p));
  auto second = (*src)->Next(&p);
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().ToString(),
              HasSubstr("x.pcapng: linktype 1 (Ethernet) is not an 802.11 linktype"));
  EXPECT_THAT(second.status().ToString(), HasSubstr("pcapng interface 1"));
}

TEST(FileReplaySourceTest, ResumesAtStartPosition) {
  auto file = BuildPcap(false, false, 0, 127,
                        {{1, 0, Payload(9, 1)}, {2, 0, Payload(4, 2)}, {3, 0, Payload(5, 3)}});
  FileReplayOptions opts;
  opts.start_position = file.record_end[0];
  auto src = FileReplaySource::FromReader(Reader(file.bytes, "a.pcap"), opts, nullptr);
  ASSERT_TRUE(src.ok());
  Packet p;
  ASSERT_TRUE(*(*src)->Next(&p));
  EXPECT_EQ(p.timestamp_ns, 2'000'000'000);
}

// Packets at 0 s, 1 s, 1 s and 3 s replayed at 2x must come out at +0, +0.5, +0.5 and +1.5 s on
// the clock, and not before.
TEST(FileReplaySourceTest, PacedReplayFollowsTheClock) {
  auto file = BuildPcap(false, false, 0, 127,
                        {{100, 0, Payload(3, 1)},
                         {101, 0, Payload(3, 2)},
                         {101, 0, Payload(3, 3)},
                         {103, 0, Payload(3, 4)}});
  FakeClock clock(1'000'000);
  FileReplayOptions opts;
  opts.speed = 2;
  auto src = FileReplaySource::FromReader(Reader(file.bytes, "a.pcap"), opts, &clock);
  ASSERT_TRUE(src.ok());

  absl::Mutex mu;
  std::vector<int64_t> delivered_at;  // clock time at delivery
  bool done = false;
  std::thread replay([&] {
    Packet p;
    while (true) {
      auto got = (*src)->Next(&p);
      int64_t now = clock.NowNs();
      absl::MutexLock lock(&mu);
      if (!got.ok() || !*got) {
        done = true;
        return;
      }
      delivered_at.push_back(now);
    }
  });
  auto wait_for = [&](size_t n) {
    absl::MutexLock lock(&mu);
    return mu.AwaitWithTimeout(
        absl::Condition(
            +[](std::pair<std::vector<int64_t>*, size_t>* a) {
              return a->first->size() >= a->second;
            },
            std::make_unique<std::pair<std::vector<int64_t>*, size_t>>(&delivered_at, n).get()),
        absl::Seconds(10));
  };
  auto wait_sleeping = [&] { return clock.AwaitSleepers(1, absl::Seconds(10)); };
  ASSERT_TRUE(wait_for(1));
  ASSERT_TRUE(wait_sleeping());
  EXPECT_EQ(clock.last_deadline_ns(), 1'000'000 + 500'000'000);
  {
    absl::MutexLock lock(&mu);
    EXPECT_EQ(delivered_at.size(), 1u);  // nothing early
  }
  clock.Advance(499'999'999);
  ASSERT_TRUE(wait_sleeping());
  {
    absl::MutexLock lock(&mu);
    EXPECT_EQ(delivered_at.size(), 1u);
  }
  clock.Advance(1);
  ASSERT_TRUE(wait_for(3));
  ASSERT_TRUE(wait_sleeping());
  EXPECT_EQ(clock.last_deadline_ns(), 1'000'000 + 1'500'000'000);
  clock.Advance(1'000'000'000);
  ASSERT_TRUE(wait_for(4));
  replay.join();
  EXPECT_TRUE(done);
  EXPECT_EQ(delivered_at,
            (std::vector<int64_t>{1'000'000, 501'000'000, 501'000'000, 1'501'000'000}));
}

// With max_block_ns, a long gap in a paced replay comes back as "nothing yet" every 100 ms (the
// packet kept, AtEnd false) instead of one long block, and the packet still leaves when due.
TEST(FileReplaySourceTest, BoundedBlockingReturnsWhileAPacketIsNotYetDue) {
  auto file =
      BuildPcap(false, false, 0, 127, {{100, 0, Payload(3, 1)}, {100, 250'000, Payload(3, 2)}});
  constexpr int64_t kT0 = 1'000'000;
  constexpr int64_t kMs = 1'000'000;
  FakeClock clock(kT0);
  FileReplayOptions opts;
  opts.speed = 1;
  opts.max_block_ns = 100 * kMs;
  auto src = FileReplaySource::FromReader(Reader(file.bytes, "a.pcap"), opts, &clock);
  ASSERT_TRUE(src.ok());
  Packet p;
  ASSERT_TRUE(*(*src)->Next(&p));  // the first packet is due at once
  // One Next() on another thread while this one moves the clock by `advance`.
  auto step = [&](int64_t expected_deadline, int64_t advance) {
    absl::StatusOr<bool> got;
    std::thread t([&] { got = (*src)->Next(&p); });
    EXPECT_TRUE(clock.AwaitSleepers(1, absl::Seconds(10)));
    EXPECT_EQ(clock.last_deadline_ns(), expected_deadline);
    clock.Advance(advance);
    t.join();
    EXPECT_TRUE(got.ok()) << got.status();
    return got.ok() && *got;
  };
  EXPECT_FALSE(step(kT0 + 100 * kMs, 100 * kMs));
  EXPECT_FALSE((*src)->AtEnd());
  EXPECT_FALSE(step(kT0 + 200 * kMs, 100 * kMs));
  EXPECT_TRUE(step(kT0 + 250 * kMs, 50 * kMs));  // due before the block's end: exactly on time
  EXPECT_EQ(p.timestamp_ns, 100'250'000'000);
  EXPECT_EQ((*src)->Counters().received, 2u);
  EXPECT_FALSE(*(*src)->Next(&p));
  EXPECT_TRUE((*src)->AtEnd());
}

TEST(FileReplaySourceTest, CancelInterruptsAPacedWait) {
  auto file = BuildPcap(false, false, 0, 127, {{100, 0, Payload(3, 1)}, {200, 0, Payload(3, 2)}});
  FakeClock clock;
  FileReplayOptions opts;
  opts.speed = 1;
  auto src = FileReplaySource::FromReader(Reader(file.bytes, "a.pcap"), opts, &clock);
  ASSERT_TRUE(src.ok());
  Packet p;
  ASSERT_TRUE(*(*src)->Next(&p));
  absl::Status second;
  std::thread t([&] { second = (*src)->Next(&p).status(); });
  EXPECT_TRUE(clock.AwaitSleepers(1, absl::Seconds(10)));
  (*src)->Cancel();
  t.join();
  EXPECT_EQ(second.code(), absl::StatusCode::kCancelled);
}

}  // namespace
}  // namespace airfleet::capture
