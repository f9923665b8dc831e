#include "agent/capture/live_source.h"

#include <net/if.h>
#include <pcap/pcap.h>
#include <poll.h>

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agent/capture/linktype.h"

namespace airfleet::capture {
namespace {

constexpr int kLinktypeRadiotap = 127;

std::string MonitorHelp(const std::string& iface) {
  return absl::StrCat(
      "create a monitor interface with `iw dev ", iface,
      " interface add mon0 type monitor && ip link set mon0 up`, then capture on mon0 with "
      "monitor mode off (it is already a monitor interface)");
}

std::string NoNl80211(const std::string& iface) {
  return absl::StrCat("cannot enable monitor mode on '", iface,
                      "': nl80211 is not available: the kernel has no wireless support or the "
                      "cfg80211 module is not loaded");
}

absl::Status ActivateStatus(int code, const std::string& iface, const std::string& text) {
  std::string msg = DescribeActivateError(code, iface, text);
  switch (code) {
    case PCAP_ERROR_NO_SUCH_DEVICE:
      return absl::NotFoundError(msg);
    case PCAP_ERROR_PERM_DENIED:
    case PCAP_ERROR_PROMISC_PERM_DENIED:
      return absl::PermissionDeniedError(msg);
    case PCAP_ERROR_RFMON_NOTSUP:
    case PCAP_ERROR_IFACE_NOT_UP:
      return absl::FailedPreconditionError(msg);
    default:
      if (absl::StrContains(text, "nl80211 not found")) return absl::FailedPreconditionError(msg);
      return absl::UnavailableError(msg);
  }
}

}  // namespace

std::string DescribeActivateError(int code, const std::string& iface,
                                  const std::string& pcap_text) {
  switch (code) {
    case PCAP_ERROR_NO_SUCH_DEVICE:
      return absl::StrCat("interface '", iface,
                          "' does not exist (list interfaces with `ip link` or `iw dev`)");
    case PCAP_ERROR_PERM_DENIED:
    case PCAP_ERROR_PROMISC_PERM_DENIED:
      return absl::StrCat("no permission to capture on '", iface,
                          "': run as root or give the binary CAP_NET_RAW,CAP_NET_ADMIN (sudo "
                          "setcap cap_net_raw,cap_net_admin=eip BINARY)");
    case PCAP_ERROR_RFMON_NOTSUP:
      return absl::StrCat("monitor mode is not supported by interface '", iface,
                          "' or its driver; ", MonitorHelp(iface));
    case PCAP_ERROR_IFACE_NOT_UP:
      return absl::StrCat("interface '", iface, "' is down: bring it up with `ip link set ", iface,
                          " up`");
    case PCAP_ERROR_ACTIVATED:
      return absl::StrCat("capture on '", iface, "' was already activated (internal error)");
    case PCAP_ERROR_TSTAMP_PRECISION_NOTSUP:
    case PCAP_ERROR_CANTSET_TSTAMP_TYPE:
      return absl::StrCat("interface '", iface,
                          "' does not support the requested timestamp settings: ", pcap_text);
    case PCAP_WARNING_PROMISC_NOTSUP:
      return absl::StrCat("interface '", iface, "' does not support promiscuous mode (", pcap_text,
                          ")");
    case PCAP_WARNING_TSTAMP_TYPE_NOTSUP:
      return absl::StrCat("interface '", iface, "' does not support the requested timestamp type");
    case PCAP_WARNING:
      return absl::StrCat("capture on '", iface, "': ", pcap_text);
    default:
      if (absl::StrContains(pcap_text, "nl80211 not found")) return NoNl80211(iface);
      return absl::StrCat("cannot capture on '", iface, "': ", pcap_text);
  }
}

absl::StatusOr<std::unique_ptr<LivePcapSource>> LivePcapSource::Open(LiveCaptureOptions options) {
  const std::string iface = options.interface;  // a copy: options is moved below
  if (iface.empty()) return absl::InvalidArgumentError("no capture interface given");
  if (options.snaplen <= 0 || options.buffer_size_bytes <= 0 || options.timeout_ms < 0) {
    return absl::InvalidArgumentError("snaplen and buffer size must be positive");
  }
  // libpcap's own verdict for a missing device depends on the build and on monitor mode (it may
  // report nl80211 first); asking the kernel makes the message the same everywhere.
  if (if_nametoindex(iface.c_str()) == 0) {
    return ActivateStatus(PCAP_ERROR_NO_SUCH_DEVICE, iface, "");
  }
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_create(iface.c_str(), errbuf);
  if (p == nullptr) return absl::UnavailableError(absl::StrCat("pcap_create: ", errbuf));
  std::unique_ptr<LivePcapSource> src(new LivePcapSource(p, std::move(options)));
  const LiveCaptureOptions& o = src->options_;

  if (o.monitor_mode) pcap_set_rfmon(p, 1);
  pcap_set_promisc(p, o.promiscuous ? 1 : 0);
  pcap_set_snaplen(p, o.snaplen);
  pcap_set_buffer_size(p, o.buffer_size_bytes);
  pcap_set_timeout(p, o.timeout_ms);
  pcap_set_immediate_mode(p, o.immediate_mode ? 1 : 0);
  src->nano_ = pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO) == 0;

  int rc = pcap_activate(p);
  if (rc < 0) return ActivateStatus(rc, iface, pcap_geterr(p));
  if (rc > 0) src->warnings_.push_back(DescribeActivateError(rc, iface, pcap_geterr(p)));
  // The precision actually granted (activation may fall back to microseconds).
  src->nano_ = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;

  src->linktype_ = pcap_datalink(p);
  if (o.is_supported_linktype && !o.is_supported_linktype(src->linktype_)) {
    int* dlts = nullptr;
    int n = pcap_list_datalinks(p, &dlts);
    int pick = -1;
    for (int i = 0; i < n; ++i) {
      if (!o.is_supported_linktype(dlts[i])) continue;
      if (pick < 0 || dlts[i] == kLinktypeRadiotap) pick = dlts[i];
    }
    if (n > 0) pcap_free_datalinks(dlts);
    if (pick < 0 || pcap_set_datalink(p, pick) != 0) {
      return absl::FailedPreconditionError(UnsupportedLinktypeMessage(
          absl::StrCat("interface '", iface, "'"), src->linktype_, o.is_supported_linktype,
          o.monitor_mode ? "" : "is it in monitor mode?"));
    }
    src->linktype_ = pick;
  }

  if (!o.bpf_filter.empty()) {
    bpf_program prog;
    if (pcap_compile(p, &prog, o.bpf_filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("capture filter '", o.bpf_filter, "' is not valid: ", pcap_geterr(p)));
    }
    int set = pcap_setfilter(p, &prog);
    pcap_freecode(&prog);
    if (set != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot install capture filter '", o.bpf_filter, "': ", pcap_geterr(p)));
    }
  }
  if (pcap_setnonblock(p, 1, errbuf) != 0) {
    return absl::UnavailableError(absl::StrCat("pcap_setnonblock on '", iface, "': ", errbuf));
  }
  src->selectable_fd_ = pcap_get_selectable_fd(p);
  return src;
}

LivePcapSource::LivePcapSource(pcap* handle, LiveCaptureOptions options)
    : handle_(handle), options_(std::move(options)) {}

LivePcapSource::~LivePcapSource() { pcap_close(handle_); }

absl::StatusOr<bool> LivePcapSource::Next(Packet* out) {
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  int rc = pcap_next_ex(handle_, &hdr, &data);
  if (rc == 0) return false;
  if (rc < 0) {
    return absl::UnavailableError(
        absl::StrCat("capture on '", options_.interface, "' failed: ", pcap_geterr(handle_)));
  }
  out->timestamp_ns = int64_t{hdr->ts.tv_sec} * 1'000'000'000 +
                      (nano_ ? int64_t{hdr->ts.tv_usec} : int64_t{hdr->ts.tv_usec} * 1000);
  out->captured_len = hdr->caplen;
  out->original_len = hdr->len;
  out->linktype = linktype_;
  out->interface_id = 0;
  out->fcs_len = -1;
  out->data = data;
  out->position = 0;
  if (hdr->caplen < hdr->len) ++truncated_;
  return true;
}

void LivePcapSource::WaitForPacket(int64_t timeout_ns) {
  if (selectable_fd_ < 0 || timeout_ns <= 0) return;
  pollfd pfd{selectable_fd_, POLLIN, 0};
  int64_t ms = std::min<int64_t>((timeout_ns + 999'999) / 1'000'000, 60'000);
  ::poll(&pfd, 1, static_cast<int>(ms));
}

CaptureCounters LivePcapSource::Counters() const {
  pcap_stat st{};
  if (pcap_stats(handle_, &st) == 0) {
    // pcap_stat fields are 32-bit and wrap after 4 Gi packets (hours at full rate on a busy
    // channel): accumulate the unsigned 32-bit differences into 64-bit totals.
    last_counters_.received += static_cast<uint32_t>(st.ps_recv - last_raw_.ps_recv);
    last_counters_.dropped_kernel += static_cast<uint32_t>(st.ps_drop - last_raw_.ps_drop);
    last_counters_.dropped_interface += static_cast<uint32_t>(st.ps_ifdrop - last_raw_.ps_ifdrop);
    last_raw_ = {st.ps_recv, st.ps_drop, st.ps_ifdrop};
  }
  last_counters_.truncated_records = truncated_;
  return last_counters_;
}

}  // namespace airfleet::capture
