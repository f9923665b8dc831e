#include "agent/cli/frame_json.h"

#include <string_view>

#include "absl/strings/str_cat.h"

namespace airfleet::cli {
namespace {

void AppendMac(std::string_view key, bool present, const Mac& mac, std::string* out) {
  if (!present) return;
  char text[17];
  mac.Format(text);
  out->append(",\"").append(key).append("\":\"").append(text, sizeof(text)).push_back('"');
}

void AppendHex(const uint8_t* data, size_t len, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < len; ++i) {
    out->push_back(kHex[data[i] >> 4]);
    out->push_back(kHex[data[i] & 0xf]);
  }
}

}  // namespace

void AppendFrameJson(const dissect::Frame& f, uint64_t index, std::string* out) {
  absl::StrAppend(out, "{\"frame\":", index, ",\"ts\":", f.timestamp_ns);
  // The frame control field alone gives type and subtype (tshark prints them for a header cut
  // right after it); protocol versions other than 0 have a different layout.
  if (f.has_mac_header || (f.mac_frame_len >= 2 && (f.frame_control & 0x3) == 0)) {
    absl::StrAppend(out, ",\"type\":", f.type, ",\"subtype\":", f.subtype);
  }
  AppendMac("ta", f.has_ta, f.ta, out);
  AppendMac("ra", f.has_ra, f.ra, out);
  AppendMac("sa", f.has_sa, f.sa, out);
  AppendMac("da", f.has_da, f.da, out);
  AppendMac("bssid", f.has_bssid, f.bssid, out);
  if (f.radio.has_signal) absl::StrAppend(out, ",\"dbm\":", f.radio.signal_dbm);
  if (f.radio.has_freq) absl::StrAppend(out, ",\"freq_mhz\":", f.radio.freq_mhz);
  if (f.has_elements && f.elements.has_ssid) {
    out->append(",\"ssid_hex\":\"");
    AppendHex(f.elements.ssid, f.elements.ssid_len, out);
    out->push_back('"');
  }
  if (f.has_seq) absl::StrAppend(out, ",\"seq\":", f.seq);
  if (f.has_fcs) out->append(",\"fcs\":true");
  if (f.protected_frame) out->append(",\"protected\":true");
  if (f.anomaly != dissect::Anomaly::kNone) {
    out->append(",\"anomaly\":\"").append(dissect::AnomalyName(f.anomaly)).push_back('"');
  }
  out->push_back('}');
}

}  // namespace airfleet::cli
