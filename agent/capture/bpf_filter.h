#pragma once

// A BPF filter (libpcap syntax) run in the agent on packets it already has: capture rings
// (agent/rings/) and filters pushed to a running agent (remote configuration), which apply on top
// of the capture's own kernel filter rather than reopening the capture. libpcap compiles a filter
// for one linktype, and the agent's packets can change linktype (pcapng replays mix interfaces), so
// the program is compiled lazily per linktype (pcap_open_dead(linktype, 65535) + pcap_compile) and
// applied with pcap_offline_filter. A filter that does not compile for a linktype met later (e.g.
// "wlan ..." on Ethernet) matches nothing there; the error is kept for the ring's last_error.
//
// Not thread-safe: one BpfFilter per user (a ring under its manager's lock, the capture loop).

#include <pcap/pcap.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "agent/capture/packet_source.h"

namespace airfleet::capture {

class BpfFilter {
 public:
  explicit BpfFilter(std::string expression);
  ~BpfFilter();
  BpfFilter(const BpfFilter&) = delete;
  BpfFilter& operator=(const BpfFilter&) = delete;

  // OK if `expression` compiles for at least one of the linktypes the agent captures (127
  // radiotap, 105 802.11, 192 PPI, 119 Prism); else InvalidArgument with libpcap's message for
  // radiotap. Validation at start, so a typo is reported to the operator, not to a log.
  static absl::Status Check(const std::string& expression);

  // True if the packet passes ("" passes everything). *error is set once per linktype whose
  // compilation failed.
  bool Matches(const Packet& packet, std::string* error);

 private:
  struct Program {
    int linktype;
    bool ok;
    bpf_program program;
  };
  std::string expression_;
  std::vector<Program> programs_;  // few linktypes: a vector beats a map
};

}  // namespace airfleet::capture
