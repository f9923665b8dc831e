#pragma once

// Channel hopping: a thread that tunes a monitor interface through a channel plan, staying
// `dwell` on each channel, so one radio samples every configured channel in turn.
//
// The tuning itself goes through ChannelSetter; Nl80211ChannelSetter does it with nl80211
// (NL80211_CMD_SET_WIPHY + NL80211_ATTR_IFINDEX + NL80211_ATTR_WIPHY_FREQ, as `iw dev X set freq`
// does). Time goes through the injected Clock so tests drive the schedule by hand.
//
// Threading: Start/Stop from one owner thread; the getters may be called from any thread.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "agent/capture/channel.h"
#include "agent/capture/clock.h"

struct nl_sock;

namespace airfleet::capture {

class ChannelSetter {
 public:
  virtual ~ChannelSetter() = default;
  virtual absl::Status SetFrequency(int freq_mhz) = 0;
};

// Pure: the message for a libnl error code (negative NLE_*) returned when tuning `iface`.
std::string DescribeNlError(int nl_error, const std::string& iface, int freq_mhz);

class Nl80211ChannelSetter final : public ChannelSetter {
 public:
  // Errors: FailedPrecondition "nl80211 is not available: the kernel has no wireless support or
  // the cfg80211 module is not loaded"; NotFound "interface 'X' does not exist"; Unavailable when
  // no generic netlink socket can be opened.
  static absl::StatusOr<std::unique_ptr<Nl80211ChannelSetter>> Open(const std::string& iface);
  ~Nl80211ChannelSetter() override;
  Nl80211ChannelSetter(const Nl80211ChannelSetter&) = delete;
  Nl80211ChannelSetter& operator=(const Nl80211ChannelSetter&) = delete;

  // PermissionDenied (needs CAP_NET_ADMIN), NotFound (interface gone), InvalidArgument
  // (frequency not allowed on this radio/regulatory domain), FailedPrecondition (busy), ...
  absl::Status SetFrequency(int freq_mhz) override;

 private:
  Nl80211ChannelSetter(nl_sock* sock, int family, unsigned ifindex, std::string iface);

  nl_sock* sock_;
  int family_;
  unsigned ifindex_;
  std::string iface_;
};

struct HopperOptions {
  std::vector<Channel> channels;   // the plan, visited in order, cyclically
  int64_t dwell_ns = 250'000'000;  // time on each channel
  // A fleet plan (remote configuration, proto ChannelPlan): hop on wall-clock slot boundaries,
  // channel PlanIndexAt(wall_ns(), ...), so that NTP-synced agents with different offsets are on
  // different channels at the same moment. Unset: start with the first channel, now.
  std::function<int64_t()> wall_ns;
  uint32_t stagger_offset = 0;
};

// The channel index of a clock-aligned plan at unix time `wall_ns`:
// (floor(wall_ns / dwell_ns) + stagger_offset) mod channels.
size_t PlanIndexAt(int64_t wall_ns, int64_t dwell_ns, uint32_t stagger_offset, size_t channels);

class ChannelHopper {
 public:
  // `setter` and `clock` must outlive the hopper.
  ChannelHopper(HopperOptions options, ChannelSetter* setter, Clock* clock);
  ~ChannelHopper();  // stops the thread

  // Tunes to the first channel synchronously (so a broken setup fails here, with the setter's
  // message) and, with more than one channel, starts the hopping thread.
  absl::Status Start();
  void Stop();

  // 0 before the first successful tune.
  int current_freq_mhz() const { return current_freq_mhz_.load(); }
  uint64_t hops() const { return hops_.load(); }  // successful tunes
  uint64_t failed_hops() const { return failed_hops_.load(); }
  absl::Status last_error() const;

 private:
  void Run();
  void Tune(size_t index);

  HopperOptions options_;
  ChannelSetter* setter_;
  Clock* clock_;
  std::thread thread_;
  absl::Notification stop_;
  bool started_ = false;
  std::atomic<int> current_freq_mhz_{0};
  std::atomic<uint64_t> hops_{0};
  std::atomic<uint64_t> failed_hops_{0};
  mutable absl::Mutex mu_;
  absl::Status last_error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace airfleet::capture
