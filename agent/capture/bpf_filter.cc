#include "agent/capture/bpf_filter.h"

#include "absl/strings/str_cat.h"

namespace airfleet::capture {
namespace {

constexpr int kSnaplen = 65535;

// Compiles `expression` for `linktype`; on failure returns false and sets *error.
bool Compile(const std::string& expression, int linktype, bpf_program* program,
             std::string* error) {
  pcap_t* dead = pcap_open_dead(linktype, kSnaplen);
  if (dead == nullptr) {
    *error = absl::StrCat("libpcap cannot handle linktype ", linktype);
    return false;
  }
  const bool ok = pcap_compile(dead, program, expression.c_str(), 1, PCAP_NETMASK_UNKNOWN) == 0;
  if (!ok) {
    *error = absl::StrCat("filter \"", expression, "\" does not compile for linktype ", linktype,
                          ": ", pcap_geterr(dead));
  }
  pcap_close(dead);
  return ok;
}

}  // namespace

BpfFilter::BpfFilter(std::string expression) : expression_(std::move(expression)) {}

BpfFilter::~BpfFilter() {
  for (Program& p : programs_) {
    if (p.ok) pcap_freecode(&p.program);
  }
}

absl::Status BpfFilter::Check(const std::string& expression) {
  if (expression.empty()) return absl::OkStatus();
  std::string first_error;
  for (int linktype : {127, 105, 192, 119}) {
    bpf_program program;
    std::string error;
    if (Compile(expression, linktype, &program, &error)) {
      pcap_freecode(&program);
      return absl::OkStatus();
    }
    if (first_error.empty()) first_error = error;
  }
  return absl::InvalidArgumentError(first_error);
}

bool BpfFilter::Matches(const Packet& packet, std::string* error) {
  if (expression_.empty()) return true;
  Program* found = nullptr;
  for (Program& p : programs_) {
    if (p.linktype == packet.linktype) {
      found = &p;
      break;
    }
  }
  if (found == nullptr) {
    Program p{packet.linktype, false, {}};
    p.ok = Compile(expression_, packet.linktype, &p.program, error);
    programs_.push_back(p);
    found = &programs_.back();
  }
  if (!found->ok) return false;
  pcap_pkthdr header{};
  header.ts.tv_sec = static_cast<time_t>(packet.timestamp_ns / 1'000'000'000);
  header.ts.tv_usec = static_cast<suseconds_t>((packet.timestamp_ns % 1'000'000'000) / 1000);
  header.caplen = packet.captured_len;
  header.len = packet.original_len != 0 ? packet.original_len : packet.captured_len;
  return pcap_offline_filter(&found->program, &header, packet.data) != 0;
}

}  // namespace airfleet::capture
