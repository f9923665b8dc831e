#include "agent/capture/channel_hopper.h"

#include <linux/nl80211.h>
#include <net/if.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace airfleet::capture {

std::string DescribeNlError(int err, const std::string& iface, int freq_mhz) {
  if (err < 0) err = -err;
  switch (err) {
    case NLE_PERM:
      return absl::StrCat("operation not permitted: tuning '", iface,
                          "' needs root or CAP_NET_ADMIN");
    case NLE_NODEV:
    case NLE_OBJ_NOTFOUND:
      return absl::StrCat("interface '", iface, "' not found (was it removed?)");
    case NLE_BUSY:
      return absl::StrCat("interface '", iface, "' is busy: another interface on the same radio ",
                          "(e.g. a connected station managed by NetworkManager or wpa_supplicant) "
                          "holds the channel; take it down or use a dedicated radio");
    case NLE_INVAL:
    case NLE_RANGE:
      return absl::StrCat(freq_mhz, " MHz cannot be used on '", iface,
                          "': the radio does not support it or the regulatory domain forbids it "
                          "(see `iw phy` and `iw reg get`)");
    case NLE_OPNOTSUPP:
      return absl::StrCat("'", iface, "' does not support setting the channel (is it a monitor ",
                          "interface?)");
    default:
      return absl::StrCat("tuning '", iface, "' to ", freq_mhz, " MHz failed: ", nl_geterror(err));
  }
}

absl::StatusOr<std::unique_ptr<Nl80211ChannelSetter>> Nl80211ChannelSetter::Open(
    const std::string& iface) {
  nl_sock* sock = nl_socket_alloc();
  if (sock == nullptr) return absl::ResourceExhaustedError("cannot allocate a netlink socket");
  if (int err = genl_connect(sock); err < 0) {
    nl_socket_free(sock);
    return absl::UnavailableError(
        absl::StrCat("cannot open a generic netlink socket: ", nl_geterror(err)));
  }
  int family = genl_ctrl_resolve(sock, "nl80211");
  if (family < 0) {
    nl_socket_free(sock);
    return absl::FailedPreconditionError(
        "nl80211 is not available: the kernel has no wireless support or the cfg80211 module is "
        "not loaded");
  }
  unsigned ifindex = if_nametoindex(iface.c_str());
  if (ifindex == 0) {
    nl_socket_free(sock);
    return absl::NotFoundError(absl::StrCat("interface '", iface, "' does not exist"));
  }
  return std::unique_ptr<Nl80211ChannelSetter>(
      new Nl80211ChannelSetter(sock, family, ifindex, iface));
}

Nl80211ChannelSetter::Nl80211ChannelSetter(nl_sock* sock, int family, unsigned ifindex,
                                           std::string iface)
    : sock_(sock), family_(family), ifindex_(ifindex), iface_(std::move(iface)) {}

Nl80211ChannelSetter::~Nl80211ChannelSetter() { nl_socket_free(sock_); }

absl::Status Nl80211ChannelSetter::SetFrequency(int freq_mhz) {
  nl_msg* msg = nlmsg_alloc();
  if (msg == nullptr) return absl::ResourceExhaustedError("cannot allocate a netlink message");
  int err = 0;
  if (genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family_, 0, 0, NL80211_CMD_SET_WIPHY, 0) ==
          nullptr ||
      nla_put_u32(msg, NL80211_ATTR_IFINDEX, ifindex_) < 0 ||
      nla_put_u32(msg, NL80211_ATTR_WIPHY_FREQ, static_cast<uint32_t>(freq_mhz)) < 0 ||
      nla_put_u32(msg, NL80211_ATTR_WIPHY_CHANNEL_TYPE, NL80211_CHAN_NO_HT) < 0) {
    nlmsg_free(msg);
    return absl::InternalError("cannot build the nl80211 message");
  }
  err = nl_send_auto(sock_, msg);
  nlmsg_free(msg);
  if (err >= 0) err = nl_wait_for_ack(sock_);
  if (err >= 0) return absl::OkStatus();
  std::string text = DescribeNlError(err, iface_, freq_mhz);
  switch (-err) {
    case NLE_PERM:
      return absl::PermissionDeniedError(text);
    case NLE_NODEV:
    case NLE_OBJ_NOTFOUND:
      return absl::NotFoundError(text);
    case NLE_INVAL:
    case NLE_RANGE:
      return absl::InvalidArgumentError(text);
    case NLE_BUSY:
    case NLE_OPNOTSUPP:
      return absl::FailedPreconditionError(text);
    default:
      return absl::UnavailableError(text);
  }
}

ChannelHopper::ChannelHopper(HopperOptions options, ChannelSetter* setter, Clock* clock)
    : options_(std::move(options)), setter_(setter), clock_(clock) {}

ChannelHopper::~ChannelHopper() { Stop(); }

absl::Status ChannelHopper::Start() {
  if (started_) return absl::FailedPreconditionError("channel hopper already started");
  if (options_.channels.empty()) return absl::InvalidArgumentError("the channel plan is empty");
  if (options_.channels.size() > 1 && options_.dwell_ns <= 0) {
    return absl::InvalidArgumentError("the dwell time must be positive");
  }
  const size_t first_index = options_.wall_ns
                                 ? PlanIndexAt(options_.wall_ns(), options_.dwell_ns,
                                               options_.stagger_offset, options_.channels.size())
                                 : 0;
  absl::Status first = setter_->SetFrequency(options_.channels[first_index].freq_mhz);
  if (!first.ok()) return first;
  current_freq_mhz_ = options_.channels[first_index].freq_mhz;
  ++hops_;
  started_ = true;
  if (options_.channels.size() > 1) thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void ChannelHopper::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

absl::Status ChannelHopper::last_error() const {
  absl::MutexLock lock(&mu_);
  return last_error_;
}

void ChannelHopper::Tune(size_t index) {
  const Channel& c = options_.channels[index];
  absl::Status s = setter_->SetFrequency(c.freq_mhz);
  if (s.ok()) {
    current_freq_mhz_ = c.freq_mhz;
    ++hops_;
    return;
  }
  // Keep hopping: a channel the regulatory domain forbids must not stop the others; the count and
  // the last error are exported for the agent's health report.
  ++failed_hops_;
  absl::MutexLock lock(&mu_);
  last_error_ = s;
}

size_t PlanIndexAt(int64_t wall_ns, int64_t dwell_ns, uint32_t stagger_offset, size_t channels) {
  if (channels == 0 || dwell_ns <= 0) return 0;
  const uint64_t slot = static_cast<uint64_t>(wall_ns < 0 ? 0 : wall_ns / dwell_ns);
  return static_cast<size_t>((slot + stagger_offset) % channels);
}

void ChannelHopper::Run() {
  if (options_.wall_ns) {
    // Clock-aligned: sleep to the next slot boundary of the wall clock, tune that slot's channel.
    while (true) {
      const int64_t wall = options_.wall_ns();
      const int64_t to_boundary = options_.dwell_ns - (wall % options_.dwell_ns);
      if (!clock_->SleepUntil(clock_->NowNs() + to_boundary, &stop_)) return;
      Tune(PlanIndexAt(options_.wall_ns(), options_.dwell_ns, options_.stagger_offset,
                       options_.channels.size()));
    }
  }
  size_t index = 0;
  int64_t next = clock_->NowNs() + options_.dwell_ns;
  while (clock_->SleepUntil(next, &stop_)) {
    index = (index + 1) % options_.channels.size();
    Tune(index);
    next += options_.dwell_ns;
    // After a stall (suspended process, slow netlink) restart the rhythm instead of hopping in a
    // burst to catch up.
    int64_t now = clock_->NowNs();
    if (next <= now) next = now + options_.dwell_ns;
  }
}

}  // namespace airfleet::capture
