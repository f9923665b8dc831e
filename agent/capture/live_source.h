#pragma once

// LivePcapSource: a PacketSource over a live interface through libpcap, normally a Wi-Fi radio in
// monitor mode delivering radiotap (linktype 127) frames.
//
// Next() never blocks (the handle is non-blocking): OK(false) with AtEnd() == false means "no
// packet right now", so the run loop can seal windows by wall clock while the air is quiet, and
// WaitForPacket(timeout) parks it on the capture fd until something may be there.
//
// Errors from pcap_activate are mapped to messages an operator can act on (missing interface,
// permission, monitor mode not supported, nl80211 missing, interface down); see
// DescribeActivateError. Activation warnings are kept in warnings().
//
// Threading: one thread calls every method (libpcap handles are not thread-safe).
// Live capture of real 802.11 is untested on the development machine (it has no radio); the
// tests exercise the error paths and a real capture on the loopback interface.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/capture/packet_source.h"

struct pcap;

namespace airfleet::capture {

struct LiveCaptureOptions {
  std::string interface;
  bool monitor_mode = true;  // pcap_set_rfmon(1); false for an interface already in monitor mode
  bool promiscuous = false;  // meaningless in monitor mode; for tests on wired interfaces
  int snaplen = 4096;        // bytes per frame: radio header + 802.11 header + elements
  int buffer_size_bytes = 4 << 20;  // kernel ring; bigger survives bursts, costs RAM
  int timeout_ms = 100;             // batching timeout when immediate_mode is false
  bool immediate_mode = true;       // deliver each frame at once instead of batching
  std::string bpf_filter;           // empty = everything
  // If set and the interface's linktype is unsupported, another supported linktype offered by the
  // interface is selected (radiotap preferred); if none, Open fails with a clear message.
  std::function<bool(int)> is_supported_linktype;
};

// Pure: the message for a pcap_activate() result `code` (< 0 error, > 0 warning) on `interface`,
// `pcap_text` being pcap_geterr() at the time.
std::string DescribeActivateError(int code, const std::string& interface,
                                  const std::string& pcap_text);

class LivePcapSource final : public PacketSource {
 public:
  // Errors: NotFound (no such interface), PermissionDenied, FailedPrecondition (monitor mode not
  // supported / nl80211 missing / interface down / unsupported linktype), InvalidArgument (bad
  // BPF filter or option), Unavailable (anything else libpcap reports).
  static absl::StatusOr<std::unique_ptr<LivePcapSource>> Open(LiveCaptureOptions options);
  ~LivePcapSource() override;
  LivePcapSource(const LivePcapSource&) = delete;
  LivePcapSource& operator=(const LivePcapSource&) = delete;

  absl::StatusOr<bool> Next(Packet* out) override;
  bool AtEnd() const override { return false; }
  void WaitForPacket(int64_t timeout_ns) override;
  // received = ps_recv, dropped_kernel = ps_drop, dropped_interface = ps_ifdrop (pcap_stats,
  // widened to 64 bits across 32-bit wrap-around if called at least once per 2^32 packets), and
  // truncated_records counted here. If pcap_stats fails, the last good values are returned.
  CaptureCounters Counters() const override;

  int linktype() const { return linktype_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  LivePcapSource(pcap* handle, LiveCaptureOptions options);

  pcap* handle_;
  LiveCaptureOptions options_;
  int linktype_ = 0;
  int selectable_fd_ = -1;
  bool nano_ = false;
  std::vector<std::string> warnings_;
  uint64_t truncated_ = 0;
  struct RawStats {
    uint32_t ps_recv = 0, ps_drop = 0, ps_ifdrop = 0;
  };
  mutable RawStats last_raw_;
  mutable CaptureCounters last_counters_;
};

}  // namespace airfleet::capture
