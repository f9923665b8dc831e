#pragma once

// A BPF filter (libpcap syntax) run in the agent on packets it already has: pcap_compile on a
// "dead" handle per linktype, pcap_offline_filter per packet. Used where the kernel cannot
// filter: a replayed file, and filters pushed to a running agent (remote configuration), which
// apply on top of the capture's own kernel filter rather than reopening the capture.
//
// A capture file may mix linktypes (pcapng interfaces), so the expression is compiled lazily for
// each linktype met. An expression that does not compile for a linktype met later (e.g. "wlan"
// on Ethernet) matches nothing of that linktype, and compile_failures() counts those packets.
//
// Threading: one thread.

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "agent/capture/packet_source.h"
#include "pcap/bpf.h"

namespace airfleet::capture {

class BpfMatcher {
 public:
  // InvalidArgument with libpcap's message when `expression` does not compile for
  // `check_linktype` (the linktype the caller expects, e.g. 127 radiotap).
  static absl::StatusOr<std::unique_ptr<BpfMatcher>> Create(std::string expression,
                                                            int check_linktype);
  ~BpfMatcher();
  BpfMatcher(const BpfMatcher&) = delete;
  BpfMatcher& operator=(const BpfMatcher&) = delete;

  bool Matches(const Packet& packet);
  const std::string& expression() const { return expression_; }
  uint64_t compile_failures() const { return compile_failures_; }

 private:
  explicit BpfMatcher(std::string expression) : expression_(std::move(expression)) {}
  // Null when the expression does not compile for `linktype`.
  const bpf_program* ProgramFor(int linktype);

  std::string expression_;
  std::map<int, std::unique_ptr<bpf_program>> programs_;
  uint64_t compile_failures_ = 0;
};

// Compiles `expression` for `linktype` only to check it (InvalidArgument with libpcap's words).
absl::Status CheckBpfExpression(const std::string& expression, int linktype);

}  // namespace airfleet::capture
