#include "tools/framegen/edge_cases.h"

#include <utility>

namespace airfleet::framegen {
namespace {

const Mac kSta = Mac::FromU64(0x3c2e00800002);
const Mac kAp = Mac::FromU64(0x001a2b000001);

RadiotapSpec Plain() {
  RadiotapSpec rt;
  rt.flags = 0;
  rt.signal_dbm = -50;
  return rt;
}

}  // namespace

std::vector<EdgeCase> EdgeCases() {
  std::vector<EdgeCase> out;
  auto add = [&out](std::string name, std::string anomaly, Bytes b) {
    out.push_back({std::move(name), std::move(anomaly), std::move(b)});
  };
  const Bytes probe_ies = ElementWriter().Ssid("x").Rates({2, 4}).bytes();

  {  // it_len claims more bytes than the packet has
    RadiotapSpec rt = Plain();
    rt.override_length = 200;
    PacketSpec p{rt, ProbeRequest(kSta, probe_ies)};
    add("radiotap_length_past_packet", "radiotap_truncated", BuildPacket(p));
  }
  {  // it_len below the 8-byte fixed header
    RadiotapSpec rt = Plain();
    rt.override_length = 4;
    PacketSpec p{rt, ProbeRequest(kSta, probe_ies)};
    add("radiotap_length_below_header", "radiotap_bad_length", BuildPacket(p));
  }
  {  // version must be 0
    PacketSpec p{Plain(), ProbeRequest(kSta, probe_ies)};
    Bytes b = BuildPacket(p);
    b[0] = 1;
    add("radiotap_version_1", "radiotap_bad_version", std::move(b));
  }
  {  // TSFT announced, but it_len ends before its 8 bytes
    RadiotapSpec rt;
    rt.tsft_us = 1;
    rt.override_length = 12;
    Bytes b = BuildRadiotap(rt);
    b.resize(12);
    const Bytes mac = BuildMacFrame(Ack(kSta));
    b.insert(b.end(), mac.begin(), mac.end());
    add("radiotap_field_overrun", "radiotap_field_overrun", std::move(b));
  }
  {  // a QoS data header cut after 20 of its 26 bytes
    PacketSpec p{Plain(), Data(kSta, kAp, kAp, true, true, {})};
    add("mac_header_truncated", "mac_header_truncated", Truncate(BuildPacket(p), 10 + 20));
  }
  {  // FCS announced, frame of 2 bytes
    RadiotapSpec rt = Plain();
    rt.fcs_at_end = true;
    Bytes b = BuildRadiotap(rt);
    b.insert(b.end(), {0xd4, 0x00});
    add("fcs_truncated", "fcs_truncated", std::move(b));
  }
  {  // FCS present and wrong
    PacketSpec p{Plain(), ProbeRequest(kSta, probe_ies), /*with_fcs=*/true, /*corrupt_fcs=*/true};
    add("bad_fcs", "bad_fcs", BuildPacket(p));
  }
  {  // radiotap flags say the FCS failed (no FCS in the frame)
    RadiotapSpec rt = Plain();
    rt.bad_fcs_flag = true;
    PacketSpec p{rt, ProbeRequest(kSta, probe_ies)};
    add("radiotap_bad_fcs_flag", "bad_fcs", BuildPacket(p));
  }
  {  // beacon with 8 of its 12 bytes of fixed parameters
    MacFrameSpec m = Beacon(kAp, {});
    m.body.resize(8);
    PacketSpec p{Plain(), m};
    add("beacon_body_truncated", "body_truncated", BuildPacket(p));
  }
  {  // vendor element claiming 40 bytes with 2 present
    PacketSpec p{Plain(),
                 ProbeRequest(kSta, ElementWriter().Ssid("x").Overrun(221, 40, {0, 0x50}).bytes())};
    add("element_overrun", "element_overrun", BuildPacket(p));
  }
  {  // HT capabilities element of 5 bytes (its fixed part is 26)
    PacketSpec p{Plain(),
                 ProbeRequest(kSta, ElementWriter().Ssid("x").Raw(45, {1, 2, 3, 4, 5}).bytes())};
    add("ht_caps_too_short", "element_malformed", BuildPacket(p));
  }
  {  // management subtype 7 is reserved
    MacFrameSpec m = ProbeRequest(kSta, probe_ies);
    m.subtype = 7;
    PacketSpec p{Plain(), m};
    add("reserved_subtype", "reserved_frame_type", BuildPacket(p));
  }
  return out;
}

}  // namespace airfleet::framegen
