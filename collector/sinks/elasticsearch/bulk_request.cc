#include "collector/sinks/elasticsearch/bulk_request.h"

#include <cmath>
#include <type_traits>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "common/known_kind.h"
#include "common/mac.h"
#include "common/window_json.h"

namespace airfleet::collector::sinks::elasticsearch {
namespace {

using nlohmann::json;

std::string MacString(uint64_t mac) { return Mac::FromU64(mac).ToString(); }

std::string Hex64(uint64_t v) { return absl::StrFormat("%016x", v); }

std::string Month(int64_t unix_ns) {
  return absl::FormatTime("%Y.%m", absl::FromUnixNanos(unix_ns), absl::UTCTimeZone());
}

// Strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF), as the engines require.
bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += len;
  }
  return true;
}

double RoundedAverage(int64_t sum, uint32_t count) {
  return std::round(static_cast<double>(sum) / count * 10.0) / 10.0;
}

json Signal(int32_t min, int32_t max, int64_t sum, uint32_t count) {
  return json{{"min", min}, {"max", max}, {"avg", RoundedAverage(sum, count)}, {"count", count}};
}

json Location(const std::optional<GeoPoint>& p) { return json{{"lat", p->lat}, {"lon", p->lon}}; }

void PutSsid(json& doc, const char* field, std::string_view raw) {
  bool hex = false;
  doc[field] = EncodeSsid(raw, &hex);
  doc[std::string(field) + "_hex"] = hex;
}

json SsidList(const google::protobuf::RepeatedPtrField<std::string>& ssids) {
  json out = json::array();
  for (const auto& s : ssids) out.push_back(EncodeSsid(s));
  return out;
}

template <typename Repeated>
json Array(const Repeated& values) {
  json out = json::array();
  for (auto v : values) out.push_back(v);
  return out;
}

json Subtypes(const v1::DeviceWindow& w) {
  static constexpr const char* kTypes[] = {"mgmt", "ctrl", "data", "ext"};
  json out = json::object();
  int n = std::min(w.subtype_keys_size(), w.subtype_counts_size());
  for (int i = 0; i < n; ++i) {
    uint32_t key = w.subtype_keys(i);
    // Keys are (type << 4 | subtype); anything wider is not an 802.11 subtype, kept visible.
    std::string name =
        key < 64 ? absl::StrCat(kTypes[key >> 4], "_", key & 0xf) : absl::StrCat("key_", key);
    out[name] = w.subtype_counts(i);
  }
  return out;
}

json WindowDocument(const WindowRecord& r) {
  const v1::DeviceWindow& w = r.window;
  int64_t start = w.window_start_ns();
  json doc = {
      {"agent_id", r.agent_id},
      {"mac", MacString(w.mac())},
      {"window_start", IsoTime(start)},
      {"window_end", IsoTime(start + int64_t{w.window_ms()} * 1'000'000)},
      {"window_ms", w.window_ms()},
      {"first_seen", IsoTime(start + int64_t{w.first_offset_us()} * 1000)},
      {"last_seen", IsoTime(start + int64_t{w.last_offset_us()} * 1000)},
      {"frames", w.frames()},
      {"data_frames", w.data_frames()},
      {"bytes", w.bytes()},
      {"retries", w.retries()},
      {"received_only_frames", w.received_only_frames()},
      {"subtypes", Subtypes(w)},
      {"channels_mhz", Array(w.channels_mhz())},
      {"probe_requests", w.probe_requests()},
      {"wildcard_probes", w.wildcard_probes()},
      {"probed_ssids", SsidList(w.probed_ssids())},
      {"probed_ssids_overflow", w.probed_ssids_overflow()},
      {"beacons", w.beacons()},
      {"encryption", EncryptionNames(w.encryption())},
      {"randomised", w.randomised()},
  };
  if (w.signal_count() > 0) {
    doc["signal"] =
        Signal(w.signal_min_dbm(), w.signal_max_dbm(), w.signal_sum_dbm(), w.signal_count());
  }
  if (w.noise_count() > 0) doc["noise_avg"] = RoundedAverage(w.noise_sum_dbm(), w.noise_count());
  if (!w.ap_ssid().empty()) PutSsid(doc, "ap_ssid", w.ap_ssid());
  if (w.ap_bssid() != 0) doc["ap_bssid"] = MacString(w.ap_bssid());
  if (w.client_bssid() != 0) doc["client_bssid"] = MacString(w.client_bssid());
  if (w.probe_fingerprint() != 0) doc["probe_fingerprint"] = Hex64(w.probe_fingerprint());
  if (w.has_seq()) {
    doc["first_seq"] = w.first_seq();
    doc["last_seq"] = w.last_seq();
  }
  if (r.agent_location) doc["location"] = Location(r.agent_location);
  return doc;
}

json ProbeDocument(const ProbeRecord& r) {
  const v1::ProbeObservation& p = r.probe;
  int64_t start = p.window_start_ns();
  json destinations = json::array();
  for (uint64_t d : p.destinations()) destinations.push_back(MacString(d));
  json doc = {
      {"agent_id", r.agent_id},
      {"mac", MacString(p.mac())},
      {"window_start", IsoTime(start)},
      {"first_seen", IsoTime(start + int64_t{p.first_offset_us()} * 1000)},
      {"last_seen", IsoTime(start + int64_t{p.last_offset_us()} * 1000)},
      {"wildcard", p.ssid().empty()},
      {"count", p.count()},
      {"destinations", std::move(destinations)},
      {"channels_mhz", Array(p.channels_mhz())},
      {"first_seq", p.first_seq()},
      {"last_seq", p.last_seq()},
  };
  PutSsid(doc, "ssid", p.ssid());
  if (p.signal_count() > 0) {
    doc["signal"] =
        Signal(p.signal_min_dbm(), p.signal_max_dbm(), p.signal_sum_dbm(), p.signal_count());
  }
  if (p.fingerprint() != 0) doc["fingerprint"] = Hex64(p.fingerprint());
  if (r.agent_location) doc["location"] = Location(r.agent_location);
  return doc;
}

json DeviceDocument(const DeviceRecord& r) {
  const v1::DeviceInfo& d = r.device;
  json sightings = json::array();
  for (const auto& s : d.sightings()) {
    json one = {{"agent_id", s.agent_id()},
                {"last_seen", IsoTime(s.last_seen_ns())},
                {"frames", s.frames()}};
    if (s.has_signal()) one["last_signal_dbm"] = s.last_signal_dbm();
    sightings.push_back(std::move(one));
  }
  json doc = {
      {"mac", MacString(d.mac())},
      {"first_seen", IsoTime(d.first_seen_ns())},
      {"last_seen", IsoTime(d.last_seen_ns())},
      {"frames", d.frames()},
      {"probe_requests", d.probe_requests()},
      {"randomised", d.randomised()},
      {"probed_ssids", SsidList(d.probed_ssids())},
      {"channels_mhz", Array(d.channels_mhz())},
      {"sightings", std::move(sightings)},
      {"agents", d.sightings_size()},
  };
  if (!d.ap_ssid().empty()) PutSsid(doc, "ap_ssid", d.ap_ssid());
  if (d.has_signal()) {
    doc["signal_min"] = d.signal_min_dbm();
    doc["signal_max"] = d.signal_max_dbm();
  }
  if (d.probe_fingerprint() != 0) doc["probe_fingerprint"] = Hex64(d.probe_fingerprint());
  if (!d.vendor().empty()) doc["vendor"] = d.vendor();
  if (d.known() != v1::KNOWN_KIND_UNSPECIFIED) doc["known"] = KnownKindName(d.known());
  if (!d.name().empty()) doc["name"] = d.name();
  return doc;
}

json AgentDocument(const AgentRecord& r) {
  const v1::AgentInfo& a = r.agent;
  json doc = {
      {"agent_id", a.agent_id()},
      {"peer_address", a.peer_address()},
      {"version", a.version()},
      {"first_seen", IsoTime(a.first_seen_ns())},
      {"last_seen", IsoTime(a.last_seen_ns())},
      {"connected", a.connected()},
      {"batches", a.batches()},
      {"summaries", a.summaries()},
      {"stream_id", Hex64(a.stream_id())},
      {"committed_sequence", a.committed_sequence()},
  };
  if (a.has_last_health()) {
    const v1::AgentHealth& h = a.last_health();
    uint64_t lost_batches = 0, lost_summaries = 0;
    for (const auto& l : h.losses()) {
      lost_batches += l.batches();
      lost_summaries += l.summaries();
    }
    doc["health"] = {
        {"time", IsoTime(h.time_ns())},
        {"spool_batches", h.spool_batches()},
        {"spool_bytes", h.spool_bytes()},
        {"oldest_unsent_age_ms", h.oldest_unsent_age_ms()},
        {"received", h.capture().received()},
        {"dropped_kernel", h.capture().dropped_kernel()},
        {"dropped_interface", h.capture().dropped_interface()},
        {"frames_ok", h.capture().frames_ok()},
        {"devices_overflow", h.capture().devices_overflow()},
        {"losses", h.losses_size()},
        {"lost_batches", lost_batches},
        {"lost_summaries", lost_summaries},
        {"agent_version", h.version()},
    };
  }
  if (r.location) doc["location"] = Location(r.location);
  return doc;
}

int64_t EventTimeNs(const AgentEventRecord& r) {
  return r.loss.recorded_ns() != 0 ? r.loss.recorded_ns() : r.time_ns;
}

json EventDocument(const AgentEventRecord& r) {
  const v1::LossRecord& l = r.loss;
  return json{
      {"agent_id", r.agent_id},
      {"time", IsoTime(EventTimeNs(r))},
      {"learnt", IsoTime(r.time_ns)},
      {"kind", r.kind},
      {"loss",
       {{"batches", l.batches()},
        {"summaries", l.summaries()},
        {"first_sequence", l.first_sequence()},
        {"last_sequence", l.last_sequence()},
        {"first_window", IsoTime(l.first_window_ns())},
        {"last_window", IsoTime(l.last_window_ns())},
        {"reason", l.reason()}}},
  };
}

}  // namespace

std::string IsoTime(int64_t unix_ns) {
  // Floor to the millisecond so pre-1970 values do not round towards zero.
  absl::Time t = absl::FromUnixMillis(unix_ns >= 0 ? unix_ns / 1'000'000
                                                   : -((-(unix_ns + 1)) / 1'000'000) - 1);
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

std::string EncodeSsid(std::string_view raw, bool* used_hex) {
  // Debian's abseil has its own string_view type, not std::string_view.
  absl::string_view bytes(raw.data(), raw.size());
  bool hex = !IsValidUtf8(raw) || absl::StartsWith(bytes, "hex:");
  if (used_hex != nullptr) *used_hex = hex;
  if (!hex) return std::string(raw);
  return absl::StrCat("hex:", absl::BytesToHexString(bytes));
}

std::string IndexName(const Record& record, std::string_view prefix_view) {
  const std::string prefix(prefix_view);
  return std::visit(
      [&](const auto& r) -> std::string {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, WindowRecord>) {
          return absl::StrCat(prefix, "-windows-", Month(r.window.window_start_ns()));
        } else if constexpr (std::is_same_v<T, ProbeRecord>) {
          return absl::StrCat(prefix, "-probes-", Month(r.probe.window_start_ns()));
        } else if constexpr (std::is_same_v<T, DeviceRecord>) {
          return absl::StrCat(prefix, "-devices-", Month(r.device.last_seen_ns()));
        } else if constexpr (std::is_same_v<T, AgentRecord>) {
          return absl::StrCat(prefix, "-agents");
        } else {
          return absl::StrCat(prefix, "-events-", Month(EventTimeNs(r)));
        }
      },
      record);
}

nlohmann::json Document(const Record& record) {
  return std::visit(
      [](const auto& r) -> json {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, WindowRecord>) {
          return WindowDocument(r);
        } else if constexpr (std::is_same_v<T, ProbeRecord>) {
          return ProbeDocument(r);
        } else if constexpr (std::is_same_v<T, DeviceRecord>) {
          return DeviceDocument(r);
        } else if constexpr (std::is_same_v<T, AgentRecord>) {
          return AgentDocument(r);
        } else {
          return EventDocument(r);
        }
      },
      record);
}

std::string BulkItem(const Record& record, const BulkOptions& options) {
  json meta = {{"_index", IndexName(record, options.prefix)}, {"_id", RecordId(record)}};
  if (options.legacy_type) meta["_type"] = "_doc";
  // Free-text fields (agent ids, vendor names) are not guaranteed UTF-8; replace, never throw.
  constexpr auto kReplace = json::error_handler_t::replace;
  std::string out = json{{"index", std::move(meta)}}.dump(-1, ' ', false, kReplace);
  out += '\n';
  out += Document(record).dump(-1, ' ', false, kReplace);
  out += '\n';
  return out;
}

std::string BulkBody(const std::vector<Record>& records, const BulkOptions& options) {
  std::string body;
  for (const Record& r : records) body += BulkItem(r, options);
  return body;
}

}  // namespace airfleet::collector::sinks::elasticsearch
