#pragma once

// ProbeObservation -> JSON (`airfleet-agent summarise --probes`, exports). Keys, in order:
//   kind "probe", mac, agent (null when unknown), window_start (unix ns), ssid_hex ("" = wildcard),
//   count, first_seen / last_seen (unix ns), signal_min, signal_max, signal_avg (null without
//   signal), fingerprint (16 hex digits or null), destinations (MACs), channels (MHz),
//   first_seq, last_seq.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "airfleet/v1/summary.pb.h"

namespace airfleet {

nlohmann::ordered_json ProbeToJson(const v1::ProbeObservation& probe,
                                   std::string_view agent_id = {});
std::string ProbeToJsonLine(const v1::ProbeObservation& probe, std::string_view agent_id = {});

}  // namespace airfleet
