#include "common/probe_json.h"

#include <cmath>
#include <cstdio>

#include "common/mac.h"
#include "common/window_json.h"

namespace airfleet {

nlohmann::ordered_json ProbeToJson(const v1::ProbeObservation& p, std::string_view agent_id) {
  nlohmann::ordered_json j;
  j["kind"] = "probe";
  j["mac"] = Mac::FromU64(p.mac()).ToString();
  j["agent"] = agent_id.empty() ? nlohmann::ordered_json(nullptr)
                                : nlohmann::ordered_json(std::string(agent_id));
  j["window_start"] = p.window_start_ns();
  j["ssid_hex"] = BytesToHex(p.ssid());
  j["count"] = p.count();
  j["first_seen"] = p.window_start_ns() + static_cast<int64_t>(p.first_offset_us()) * 1000;
  j["last_seen"] = p.window_start_ns() + static_cast<int64_t>(p.last_offset_us()) * 1000;
  if (p.signal_count() > 0) {
    j["signal_min"] = p.signal_min_dbm();
    j["signal_max"] = p.signal_max_dbm();
    j["signal_avg"] =
        std::round(static_cast<double>(p.signal_sum_dbm()) / p.signal_count() * 10.0) / 10.0;
  } else {
    j["signal_min"] = j["signal_max"] = j["signal_avg"] = nullptr;
  }
  if (p.fingerprint() != 0) {
    char hex[17];
    std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(p.fingerprint()));
    j["fingerprint"] = hex;
  } else {
    j["fingerprint"] = nullptr;
  }
  j["destinations"] = nlohmann::ordered_json::array();
  for (uint64_t d : p.destinations()) j["destinations"].push_back(Mac::FromU64(d).ToString());
  j["channels"] = nlohmann::ordered_json::array();
  for (uint32_t c : p.channels_mhz()) j["channels"].push_back(c);
  j["first_seq"] = p.first_seq();
  j["last_seq"] = p.last_seq();
  return j;
}

std::string ProbeToJsonLine(const v1::ProbeObservation& probe, std::string_view agent_id) {
  return ProbeToJson(probe, agent_id)
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace airfleet
