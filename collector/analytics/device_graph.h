#pragma once

// The device-to-SSID graph (`airfleetctl graph`) from stored windows and probe observations:
// per device, the SSIDs it probed for (with counts), the SSID it announces as an access point
// and the BSSID it last exchanged data with as a client. Pure; rendering to GraphML/DOT/Cypher
// is the CLI's job (tools/ctl/graph_export.h).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "airfleet/v1/analytics.pb.h"
#include "airfleet/v1/summary.pb.h"

namespace airfleet::collector::analytics {

class DeviceGraphBuilder {
 public:
  // Windows must be added in time order per device (store key order) so "last" is the latest.
  void AddWindow(const v1::DeviceWindow& window);
  void AddProbe(const v1::ProbeObservation& probe);  // wildcard probes are no edge
  std::vector<v1::GraphDevice> Finish() const;       // by MAC; enrichment fields left empty

 private:
  struct Node {
    std::map<std::string, uint64_t> probes_for;
    std::string ap_ssid;
    int64_t ap_ssid_time = 0;
    uint64_t client_bssid = 0;
    int64_t client_time = 0;
  };
  std::map<uint64_t, Node> nodes_;
};

}  // namespace airfleet::collector::analytics
