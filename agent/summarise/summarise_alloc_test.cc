// Steady state of the summariser allocates nothing per frame. This binary replaces the global
// operator new to count allocations, so it is a test of its own.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "agent/summarise/window_summariser.h"

namespace {
std::atomic<uint64_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace airfleet::summarise {
namespace {

constexpr int64_t kSec = 1'000'000'000;

// One window's worth of traffic: 3,000 devices sending a data frame, a probe request (a few
// SSIDs each, some over the cap) and receiving an ACK.
void Feed(WindowSummariser* s, int64_t base, const std::string* ssids) {
  dissect::Frame f;
  f.has_mac_header = true;
  f.has_ta = f.has_sa = f.has_ra = true;
  f.radio.has_signal = f.radio.has_freq = true;
  f.radio.signal_dbm = -50;
  f.mac_frame_len = 200;
  for (int i = 0; i < 3000; ++i) {
    const Mac mac = Mac::FromU64(0x020000000000ULL + static_cast<uint64_t>(i) * 104729);
    f.timestamp_ns = base + i * 1000;
    f.radio.freq_mhz = static_cast<uint16_t>(2412 + 5 * (i % 11));
    f.ta = f.sa = mac;
    f.type = dissect::kTypeData;
    f.subtype = static_cast<uint8_t>(i % 16);  // many distinct keys per window
    f.has_elements = false;
    s->Add(f);
    f.type = dissect::kTypeManagement;
    f.subtype = dissect::kMgmtProbeRequest;
    f.has_elements = true;
    f.elements.has_ssid = true;
    const std::string& ssid = ssids[i % 5];
    f.elements.ssid = reinterpret_cast<const uint8_t*>(ssid.data());
    f.elements.ssid_len = static_cast<uint8_t>(ssid.size());
    s->Add(f);
    dissect::Frame ack;
    ack.timestamp_ns = f.timestamp_ns;
    ack.has_mac_header = true;
    ack.type = dissect::kTypeControl;
    ack.subtype = 13;
    ack.has_ra = true;
    ack.ra = mac;
    s->Add(ack);
  }
}

TEST(SummariserAllocationTest, SteadyStateAddsAllocateNothing) {
  SummariserOptions o;
  o.max_probed_ssids = 2;
  o.initial_devices = 16;  // make the first windows grow their tables
  auto s = WindowSummariser::Create(o).value();
  const std::string ssids[5] = {"", "home", "office", "cafe", "a-much-longer-network-name"};
  Feed(s.get(), 1 * kSec, ssids);
  Feed(s.get(), 61 * kSec, ssids);
  Feed(s.get(), 122 * kSec, ssids);  // window 1 and 2 tables are in the pool now
  Feed(s.get(), 182 * kSec, ssids);
  s->TakeSealed();
  // The first frame of the next window seals the previous one (protos are built then);
  // everything after it must reuse memory.
  dissect::Frame first;
  first.timestamp_ns = 242 * kSec;
  s->Add(first);
  const uint64_t before = g_allocations.load();
  Feed(s.get(), 242 * kSec + 1, ssids);
  const uint64_t after = g_allocations.load();
  EXPECT_EQ(after - before, 0u);
  EXPECT_EQ(s->counters().late_frames, 0u);
  s->Flush();
  const auto out = s->TakeSealed();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].devices.size(), 3000u);
}

}  // namespace
}  // namespace airfleet::summarise
