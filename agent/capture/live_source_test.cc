// Live capture tests. The development machine has no Wi-Fi stack at all (no cfg80211, no radio),
// so live capture of real 802.11 in monitor mode is UNTESTED here. What is tested: the error
// messages an operator sees, and a real libpcap capture on the loopback interface (non-blocking
// Next, WaitForPacket, BPF filter, pcap_stats counters).

#include "agent/capture/live_source.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace airfleet::capture {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

bool SpecLinktypes(int lt) { return lt == 105 || lt == 119 || lt == 127 || lt == 163 || lt == 192; }

TEST(LivePcapSourceTest, MissingInterface) {
  ASSERT_EQ(if_nametoindex("wlan9"), 0u) << "this test needs 'wlan9' to be absent";
  LiveCaptureOptions o;
  o.interface = "wlan9";
  auto src = LivePcapSource::Open(o);
  ASSERT_FALSE(src.ok());
  EXPECT_EQ(src.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(src.status().message()), StartsWith("interface 'wlan9' does not exist"));
}

TEST(LivePcapSourceTest, ActivateMessages) {
  EXPECT_THAT(DescribeActivateError(PCAP_ERROR_PERM_DENIED, "wlan0", ""),
              StartsWith("no permission to capture on 'wlan0': run as root or give the binary "
                         "CAP_NET_RAW,CAP_NET_ADMIN"));
  std::string rfmon = DescribeActivateError(PCAP_ERROR_RFMON_NOTSUP, "wlan0", "");
  EXPECT_THAT(rfmon, StartsWith("monitor mode is not supported by interface 'wlan0'"));
  EXPECT_THAT(rfmon, HasSubstr("iw dev wlan0 interface add mon0 type monitor"));
  EXPECT_THAT(DescribeActivateError(PCAP_ERROR_IFACE_NOT_UP, "mon0", ""),
              HasSubstr("ip link set mon0 up"));
  EXPECT_THAT(DescribeActivateError(PCAP_ERROR, "wlan0", "wlan0: nl80211 not found"),
              HasSubstr("nl80211 is not available: the kernel has no wireless support or the "
                        "cfg80211 module is not loaded"));
  EXPECT_THAT(DescribeActivateError(PCAP_ERROR, "wlan0", "socket: Address family not supported"),
              HasSubstr("Address family not supported"));
}

// Monitor mode on an interface that is not a radio: the message must say why, whichever of the
// two reasons applies (no wireless stack, or a wireless stack but a non-wireless interface).
TEST(LivePcapSourceTest, MonitorModeOnLoopback) {
  LiveCaptureOptions o;
  o.interface = "lo";
  o.monitor_mode = true;
  auto src = LivePcapSource::Open(o);
  if (src.ok()) GTEST_SKIP() << "'lo' accepted monitor mode: unexpected environment";
  if (src.status().code() == absl::StatusCode::kPermissionDenied) {
    GTEST_SKIP() << "needs CAP_NET_RAW: " << src.status();
  }
  EXPECT_EQ(src.status().code(), absl::StatusCode::kFailedPrecondition) << src.status();
  EXPECT_THAT(std::string(src.status().ToString()),
              AnyOf(HasSubstr("nl80211 is not available: the kernel has no wireless support or "
                              "the cfg80211 module is not loaded"),
                    HasSubstr("monitor mode is not supported by interface 'lo'")));
}

class UdpSender {
 public:
  UdpSender() {
    rx_ = socket(AF_INET, SOCK_DGRAM, 0);
    tx_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    bind(rx_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    socklen_t len = sizeof(a);
    getsockname(rx_, reinterpret_cast<sockaddr*>(&a), &len);
    addr_ = a;
  }
  ~UdpSender() {
    close(rx_);
    close(tx_);
  }
  int port() const { return ntohs(addr_.sin_port); }
  void Send(const std::string& payload) {
    sendto(tx_, payload.data(), payload.size(), 0, reinterpret_cast<const sockaddr*>(&addr_),
           sizeof(addr_));
  }

 private:
  int rx_, tx_;
  sockaddr_in addr_;
};

TEST(LivePcapSourceTest, CapturesOnLoopbackWithFilter) {
  UdpSender udp;
  LiveCaptureOptions o;
  o.interface = "lo";
  o.monitor_mode = false;
  o.bpf_filter = absl::StrCat("udp and dst port ", udp.port());
  auto src = LivePcapSource::Open(o);
  if (src.status().code() == absl::StatusCode::kPermissionDenied) {
    GTEST_SKIP() << "needs CAP_NET_RAW: " << src.status();
  }
  ASSERT_TRUE(src.ok()) << src.status();
  EXPECT_EQ((*src)->linktype(), DLT_EN10MB);  // Linux loopback is presented as Ethernet
  Packet p;
  // Nothing sent yet: a non-blocking "no packet now", not the end.
  auto none = (*src)->Next(&p);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);
  EXPECT_FALSE((*src)->AtEnd());

  const std::string payloads[] = {"airfleet-one", "airfleet-two", "airfleet-three"};
  for (const auto& s : payloads) udp.Send(s);
  udp.Send("x");  // a one-byte payload, to check the offset arithmetic on a short frame
  std::vector<std::string> seen;
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (seen.size() < 4 && absl::Now() < deadline) {
    auto got = (*src)->Next(&p);
    ASSERT_TRUE(got.ok()) << got.status();
    if (!*got) {
      (*src)->WaitForPacket(100'000'000);
      continue;
    }
    EXPECT_EQ(p.linktype, DLT_EN10MB);
    EXPECT_EQ(p.captured_len, p.original_len);
    EXPECT_EQ(p.position, 0u);
    EXPECT_GT(p.timestamp_ns, 0);
    // Ethernet 14 + IPv4 20 + UDP 8, then the payload.
    ASSERT_GE(p.captured_len, 42u);
    seen.emplace_back(reinterpret_cast<const char*>(p.data) + 42, p.captured_len - 42);
  }
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0], payloads[0]);
  EXPECT_EQ(seen[1], payloads[1]);
  EXPECT_EQ(seen[2], payloads[2]);
  EXPECT_EQ(seen[3], "x");
  CaptureCounters c = (*src)->Counters();
  EXPECT_GE(c.received, 4u);
  EXPECT_EQ(c.truncated_records, 0u);
}

TEST(LivePcapSourceTest, SnaplenTruncationIsCounted) {
  UdpSender udp;
  LiveCaptureOptions o;
  o.interface = "lo";
  o.monitor_mode = false;
  o.snaplen = 50;
  o.bpf_filter = absl::StrCat("udp and dst port ", udp.port());
  auto src = LivePcapSource::Open(o);
  if (src.status().code() == absl::StatusCode::kPermissionDenied) GTEST_SKIP();
  ASSERT_TRUE(src.ok()) << src.status();
  udp.Send(std::string(100, 'z'));
  Packet p;
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  bool got_one = false;
  while (!got_one && absl::Now() < deadline) {
    auto got = (*src)->Next(&p);
    ASSERT_TRUE(got.ok());
    if (*got) {
      got_one = true;
    } else {
      (*src)->WaitForPacket(100'000'000);
    }
  }
  ASSERT_TRUE(got_one);
  EXPECT_EQ(p.captured_len, 50u);
  EXPECT_EQ(p.original_len, 14u + 20u + 8u + 100u);
  EXPECT_EQ((*src)->Counters().truncated_records, 1u);
}

TEST(LivePcapSourceTest, BadFilterAndUnsupportedLinktype) {
  LiveCaptureOptions o;
  o.interface = "lo";
  o.monitor_mode = false;
  o.bpf_filter = "this is not bpf";
  auto bad = LivePcapSource::Open(o);
  if (bad.status().code() == absl::StatusCode::kPermissionDenied) GTEST_SKIP();
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().ToString(), HasSubstr("capture filter 'this is not bpf' is not valid"));

  LiveCaptureOptions e;
  e.interface = "lo";
  e.monitor_mode = false;
  e.is_supported_linktype = SpecLinktypes;
  auto eth = LivePcapSource::Open(e);
  EXPECT_EQ(eth.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(eth.status().ToString(),
              HasSubstr("interface 'lo': linktype 1 (Ethernet) is not an 802.11 linktype; "
                        "supported: 105, 119, 127, 163, 192"));
}

}  // namespace
}  // namespace airfleet::capture
