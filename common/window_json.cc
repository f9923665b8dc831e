#include "common/window_json.h"

#include <cmath>
#include <cstdint>

#include "common/mac.h"

namespace airfleet {
namespace {

constexpr int64_t kNsPerUs = 1000;

double RoundTenth(double v) { return std::round(v * 10.0) / 10.0; }

nlohmann::ordered_json MacOrNull(uint64_t mac) {
  if (mac == 0) return nullptr;
  return Mac::FromU64(mac).ToString();
}

}  // namespace

std::vector<std::string> EncryptionNames(uint32_t bits) {
  std::vector<std::string> out;
  if (bits & v1::ENCRYPTION_OPEN) out.push_back("open");
  if (bits & v1::ENCRYPTION_WEP) out.push_back("wep");
  if (bits & v1::ENCRYPTION_TKIP) out.push_back("tkip");
  if (bits & v1::ENCRYPTION_CCMP_GCMP) out.push_back("ccmp_gcmp");
  return out;
}

std::string BytesToHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

nlohmann::ordered_json WindowToJson(const v1::DeviceWindow& w, std::string_view agent_id) {
  nlohmann::ordered_json j;
  j["mac"] = Mac::FromU64(w.mac()).ToString();
  j["agent"] = agent_id.empty() ? nlohmann::ordered_json(nullptr)
                                : nlohmann::ordered_json(std::string(agent_id));
  j["window_start"] = w.window_start_ns();
  j["window_ms"] = w.window_ms();
  j["first_seen"] = w.window_start_ns() + static_cast<int64_t>(w.first_offset_us()) * kNsPerUs;
  j["last_seen"] = w.window_start_ns() + static_cast<int64_t>(w.last_offset_us()) * kNsPerUs;
  j["frames"] = w.frames();
  j["data_frames"] = w.data_frames();
  j["bytes"] = w.bytes();
  j["retries"] = w.retries();
  nlohmann::ordered_json subtypes = nlohmann::ordered_json::object();
  // A malformed window may carry fewer counts than keys; never read past either list.
  int n = std::min(w.subtype_keys_size(), w.subtype_counts_size());
  for (int i = 0; i < n; ++i) {
    uint32_t key = w.subtype_keys(i);
    subtypes[std::to_string(key >> 4) + "/" + std::to_string(key & 0xf)] = w.subtype_counts(i);
  }
  j["subtypes"] = std::move(subtypes);
  j["received_only_frames"] = w.received_only_frames();
  bool has_signal = w.signal_count() > 0;
  j["signal_min"] = has_signal ? nlohmann::ordered_json(w.signal_min_dbm()) : nullptr;
  j["signal_max"] = has_signal ? nlohmann::ordered_json(w.signal_max_dbm()) : nullptr;
  j["signal_avg"] = has_signal ? nlohmann::ordered_json(RoundTenth(
                                     static_cast<double>(w.signal_sum_dbm()) / w.signal_count()))
                               : nullptr;
  j["signal_count"] = w.signal_count();
  j["noise_avg"] = w.noise_count() > 0
                       ? nlohmann::ordered_json(
                             RoundTenth(static_cast<double>(w.noise_sum_dbm()) / w.noise_count()))
                       : nullptr;
  j["channels"] = nlohmann::ordered_json::array();
  for (uint32_t mhz : w.channels_mhz()) j["channels"].push_back(mhz);
  j["probe_requests"] = w.probe_requests();
  j["wildcard_probes"] = w.wildcard_probes();
  j["probed_ssids"] = nlohmann::ordered_json::array();
  for (const std::string& ssid : w.probed_ssids()) j["probed_ssids"].push_back(BytesToHex(ssid));
  j["probed_ssids_overflow"] = w.probed_ssids_overflow();
  // An AP is a device that sent beacons or probe responses; its SSID may legitimately be empty
  // (hidden network), which hex renders as "".
  bool is_ap = w.beacons() > 0 || !w.ap_ssid().empty() || w.ap_bssid() != 0;
  j["ap_ssid"] = is_ap ? nlohmann::ordered_json(BytesToHex(w.ap_ssid())) : nullptr;
  j["ap_bssid"] = MacOrNull(w.ap_bssid());
  j["beacons"] = w.beacons();
  j["client_bssid"] = MacOrNull(w.client_bssid());
  j["encryption"] = EncryptionNames(w.encryption());
  if (w.probe_fingerprint() != 0) {
    char buf[17];
    std::snprintf(buf, sizeof(buf), "%016llx",
                  static_cast<unsigned long long>(w.probe_fingerprint()));
    j["probe_fingerprint"] = std::string(buf);
  } else {
    j["probe_fingerprint"] = nullptr;
  }
  j["first_seq"] = w.has_seq() ? nlohmann::ordered_json(w.first_seq()) : nullptr;
  j["last_seq"] = w.has_seq() ? nlohmann::ordered_json(w.last_seq()) : nullptr;
  j["randomised"] = w.randomised();
  return j;
}

std::string WindowToJsonLine(const v1::DeviceWindow& window, std::string_view agent_id) {
  // `replace` keeps dump() from throwing on an agent id that is not valid UTF-8.
  return WindowToJson(window, agent_id)
      .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace airfleet
