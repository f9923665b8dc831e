#include "collector/analytics/device_graph.h"

namespace airfleet::collector::analytics {

void DeviceGraphBuilder::AddWindow(const v1::DeviceWindow& w) {
  if (w.frames() == 0) return;  // only received an ACK: not a node of its own
  Node& n = nodes_[w.mac()];
  if (!w.ap_ssid().empty() && w.window_start_ns() >= n.ap_ssid_time) {
    n.ap_ssid = w.ap_ssid();
    n.ap_ssid_time = w.window_start_ns();
  }
  if (w.client_bssid() != 0 && w.window_start_ns() >= n.client_time) {
    n.client_bssid = w.client_bssid();
    n.client_time = w.window_start_ns();
  }
}

void DeviceGraphBuilder::AddProbe(const v1::ProbeObservation& p) {
  if (p.ssid().empty() || p.count() == 0) return;
  nodes_[p.mac()].probes_for[p.ssid()] += p.count();
}

std::vector<v1::GraphDevice> DeviceGraphBuilder::Finish() const {
  std::vector<v1::GraphDevice> out;
  out.reserve(nodes_.size());
  for (const auto& [mac, n] : nodes_) {
    v1::GraphDevice& d = out.emplace_back();
    d.set_mac(mac);
    d.set_randomised(((mac >> 40) & 0x02) != 0);
    for (const auto& [ssid, count] : n.probes_for) {
      v1::GraphProbeEdge* e = d.add_probes_for();
      e->set_ssid(ssid);
      e->set_probes(count);
    }
    d.set_ap_ssid(n.ap_ssid);
    d.set_client_bssid(n.client_bssid);
  }
  return out;
}

}  // namespace airfleet::collector::analytics
