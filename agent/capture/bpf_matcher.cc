#include "agent/capture/bpf_matcher.h"

#include <pcap/pcap.h>

#include "absl/strings/str_cat.h"

namespace airfleet::capture {
namespace {

constexpr int kSnaplen = 262'144;

// Compiles into *out; "" on success, libpcap's message otherwise.
std::string Compile(const std::string& expression, int linktype, bpf_program* out) {
  pcap_t* dead = pcap_open_dead(linktype, kSnaplen);
  if (dead == nullptr) return "libpcap cannot open a handle for this linktype";
  std::string error;
  if (pcap_compile(dead, out, expression.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    error = pcap_geterr(dead);
    if (error.empty()) error = "does not compile";
  }
  pcap_close(dead);
  return error;
}

}  // namespace

absl::Status CheckBpfExpression(const std::string& expression, int linktype) {
  bpf_program program{};
  const std::string error = Compile(expression, linktype, &program);
  if (!error.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("capture filter '", expression, "' is not valid: ", error));
  }
  pcap_freecode(&program);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<BpfMatcher>> BpfMatcher::Create(std::string expression,
                                                               int check_linktype) {
  if (absl::Status s = CheckBpfExpression(expression, check_linktype); !s.ok()) return s;
  return std::unique_ptr<BpfMatcher>(new BpfMatcher(std::move(expression)));
}

BpfMatcher::~BpfMatcher() {
  for (auto& [linktype, program] : programs_) {
    if (program) pcap_freecode(program.get());
  }
}

const bpf_program* BpfMatcher::ProgramFor(int linktype) {
  auto it = programs_.find(linktype);
  if (it == programs_.end()) {
    auto program = std::make_unique<bpf_program>();
    if (!Compile(expression_, linktype, program.get()).empty()) program.reset();
    it = programs_.emplace(linktype, std::move(program)).first;
  }
  return it->second.get();
}

bool BpfMatcher::Matches(const Packet& packet) {
  const bpf_program* program = ProgramFor(packet.linktype);
  if (program == nullptr) {
    ++compile_failures_;
    return false;
  }
  pcap_pkthdr header{};
  header.caplen = packet.captured_len;
  header.len = packet.original_len;
  return pcap_offline_filter(program, &header, packet.data) != 0;
}

}  // namespace airfleet::capture
