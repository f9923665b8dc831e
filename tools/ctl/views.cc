#include "tools/ctl/views.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/mac.h"
#include "common/window_json.h"
#include "tools/ctl/known_csv.h"

namespace airfleet::ctl {
namespace {

using Json = nlohmann::ordered_json;

Cell AgeCell(int64_t unix_ns, int64_t now_ns) {
  if (unix_ns == 0) return Cell(nullptr);
  return Cell(unix_ns, FormatAge(now_ns - unix_ns));
}

Cell TimeCell(int64_t unix_ns) {
  if (unix_ns == 0) return Cell(nullptr);
  return Cell(unix_ns, FormatTime(unix_ns));
}

Cell MacCell(uint64_t mac) { return Cell(Mac::FromU64(mac).ToString()); }

template <typename Repeated>
Json SsidList(const Repeated& ssids) {
  Json arr = Json::array();
  for (const std::string& s : ssids) arr.push_back(DisplayText(s));
  return arr;
}

Json SignalOrNull(bool has_signal, int32_t dbm) { return has_signal ? Json(dbm) : Json(nullptr); }

std::vector<Column> Columns(std::initializer_list<std::pair<const char*, const char*>> cols) {
  std::vector<Column> out;
  for (const auto& [key, header] : cols) out.push_back({key, header});
  return out;
}

std::vector<Cell> DeviceRow(const v1::DeviceInfo& d, int64_t now_ns) {
  Json channels = Json::array();
  for (uint32_t mhz : d.channels_mhz()) channels.push_back(mhz);
  Json agents = Json::array();
  for (const auto& s : d.sightings()) agents.push_back(s.agent_id());
  Json ssid = d.ap_ssid().empty() ? Json(nullptr) : Json(DisplayText(d.ap_ssid()));
  const v1::Sighting* strongest = StrongestSighting(d);
  auto text_or_null = [](const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); };
  // Names come from operators, vendors from files: still printed through DisplayText so a
  // stray control character cannot reach the terminal.
  return {MacCell(d.mac()),
          Cell(text_or_null(DisplayText(d.vendor()))),
          Cell(text_or_null(KnownKindName(d.known()))),
          Cell(text_or_null(DisplayText(d.name()))),
          Cell(d.randomised()),
          TimeCell(d.first_seen_ns()),
          AgeCell(d.last_seen_ns(), now_ns),
          Cell(d.frames()),
          Cell(d.probe_requests()),
          Cell(SignalOrNull(d.has_signal(), d.signal_min_dbm())),
          Cell(SignalOrNull(d.has_signal(), d.signal_max_dbm())),
          Cell(ssid),
          Cell(SsidList(d.probed_ssids())),
          Cell(channels),
          Cell(agents),
          Cell(strongest ? Json(strongest->agent_id()) : Json(nullptr)),
          Cell(strongest ? Json(strongest->last_signal_dbm()) : Json(nullptr))};
}

std::vector<Column> DeviceColumns() {
  return Columns({{"mac", "MAC"},
                  {"vendor", "VENDOR"},
                  {"known", "KNOWN"},
                  {"name", "NAME"},
                  {"randomised", "RANDOM"},
                  {"first_seen", "FIRST SEEN"},
                  {"last_seen", "LAST SEEN"},
                  {"frames", "FRAMES"},
                  {"probes", "PROBES"},
                  {"signal_min", "MIN dBm"},
                  {"signal_max", "MAX dBm"},
                  {"ssid", "SSID"},
                  {"probed_ssids", "PROBED SSIDS"},
                  {"channels", "CHANNELS"},
                  {"agents", "AGENTS"},
                  {"strongest_agent", "STRONGEST"},
                  {"strongest_signal", "dBm"}});
}

Table SightingsTable(const v1::DeviceInfo& d, int64_t now_ns) {
  Table t;
  t.columns = Columns({{"agent", "AGENT"},
                       {"last_seen", "LAST SEEN"},
                       {"last_signal", "SIGNAL dBm"},
                       {"frames", "FRAMES"}});
  for (const auto& s : d.sightings()) {
    t.rows.push_back({Cell(s.agent_id()), AgeCell(s.last_seen_ns(), now_ns),
                      Cell(SignalOrNull(s.has_signal(), s.last_signal_dbm())), Cell(s.frames())});
  }
  return t;
}

// The compact listing of windows used by `device` and `export` in table format.
std::vector<Column> WindowColumns() {
  return Columns({{"window_start", "WINDOW"},
                  {"agent", "AGENT"},
                  {"mac", "MAC"},
                  {"frames", "FRAMES"},
                  {"bytes", "BYTES"},
                  {"signal_avg", "AVG dBm"},
                  {"probe_requests", "PROBES"},
                  {"channels", "CHANNELS"}});
}

std::vector<Cell> WindowRow(const v1::DeviceWindow& w, const std::string& agent) {
  Json j = WindowToJson(w, agent);
  return {TimeCell(w.window_start_ns()),
          Cell(j["agent"]),
          Cell(j["mac"]),
          Cell(j["frames"]),
          Cell(j["bytes"]),
          Cell(j["signal_avg"]),
          Cell(j["probe_requests"]),
          Cell(j["channels"])};
}

}  // namespace

const v1::Sighting* StrongestSighting(const v1::DeviceInfo& d) {
  const v1::Sighting* best = nullptr;
  for (const auto& s : d.sightings()) {
    if (!s.has_signal()) continue;
    if (best == nullptr || s.last_signal_dbm() > best->last_signal_dbm() ||
        (s.last_signal_dbm() == best->last_signal_dbm() && s.agent_id() < best->agent_id())) {
      best = &s;
    }
  }
  return best;
}

std::string AgentStatusText(v1::AgentStatus status) {
  if (status == v1::AGENT_STATUS_UNSPECIFIED) return "";
  // "AGENT_STATUS_ONLINE" -> "online": protobuf's own names, one spelling everywhere.
  std::string text = v1::AgentStatus_Name(status);
  text = text.substr(std::min(text.size(), sizeof("AGENT_STATUS_") - 1));
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

Table AgentsTable(const v1::ListAgentsResponse& response, int64_t now_ns) {
  Table t;
  t.columns = Columns({{"agent", "AGENT"},
                       {"status", "STATUS"},
                       {"address", "ADDRESS"},
                       {"connected", "CONNECTED"},
                       {"last_seen", "LAST SEEN"},
                       {"frames_per_second", "FRAMES/S"},
                       {"batches", "BATCHES"},
                       {"summaries", "SUMMARIES"},
                       {"committed_seq", "COMMITTED"},
                       {"backlog_batches", "BACKLOG"},
                       {"backlog_bytes", "BACKLOG B"},
                       {"lost_batches", "LOST"},
                       {"lost_summaries", "LOST SUMM"},
                       {"backlog_age_s", "BACKLOG AGE s"},
                       {"capture_drops", "DROPS"},
                       {"rss_bytes", "RSS"},
                       {"temperature_c", "TEMP C"},
                       {"clock_offset_ms", "CLOCK ms"},
                       {"config", "CONFIG"},
                       {"version", "VERSION"},
                       {"status_reason", "WHY"}});
  for (const auto& a : response.agents()) {
    const bool has_health = a.has_last_health();
    const auto& h = a.last_health();
    uint64_t lost_batches = 0, lost_summaries = 0;
    for (const auto& loss : h.losses()) {
      lost_batches += loss.batches();
      lost_summaries += loss.summaries();
    }
    auto health = [&](uint64_t v) { return has_health ? Cell(v) : Cell(nullptr); };
    std::string version = !a.version().empty() ? a.version() : h.version();
    auto text_or_null = [](const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); };
    const std::string status = AgentStatusText(a.status());
    Cell fps = has_health && h.periodic() ? Cell(Json(std::round(h.frames_per_second() * 10) / 10))
                                          : Cell(nullptr);
    Cell backlog_age = has_health && h.spool_batches() > 0
                           ? Cell(Json(h.oldest_unsent_age_ms() / 1000))
                           : Cell(nullptr);
    Cell rss = has_health && h.rss_bytes() > 0 ? Cell(h.rss_bytes()) : Cell(nullptr);
    Cell temperature = has_health && h.has_temperature_millicelsius()
                           ? Cell(Json(h.temperature_millicelsius() / 100 / 10.0))
                           : Cell(nullptr);
    Cell clock = a.has_clock_offset() ? Cell(Json(a.clock_offset_ms())) : Cell(nullptr);
    // Remote configuration: "3" when the agent runs what the collector wants, "2->3" while a
    // push is pending or was refused (`airfleetctl agents config show` says why).
    Cell config = Cell(nullptr);
    if (a.config_desired_version() != 0) {
      config = a.config_applied_version() == a.config_desired_version()
                   ? Cell(Json(absl::StrCat(a.config_desired_version())))
                   : Cell(Json(absl::StrCat(a.config_applied_version(), "->",
                                            a.config_desired_version())));
    }
    t.rows.push_back({Cell(a.agent_id()),
                      Cell(text_or_null(status)),
                      Cell(text_or_null(a.peer_address())),
                      Cell(a.connected()),
                      AgeCell(a.last_seen_ns(), now_ns),
                      fps,
                      Cell(a.batches()),
                      Cell(a.summaries()),
                      Cell(a.committed_sequence()),
                      health(h.spool_batches()),
                      health(h.spool_bytes()),
                      health(lost_batches),
                      health(lost_summaries),
                      backlog_age,
                      health(h.capture().dropped_kernel() + h.capture().dropped_interface()),
                      rss,
                      temperature,
                      clock,
                      config,
                      Cell(text_or_null(version)),
                      Cell(text_or_null(a.status_reason()))});
  }
  return t;
}

Table DevicesTable(const v1::ListDevicesResponse& response, int64_t now_ns) {
  Table t;
  t.columns = DeviceColumns();
  for (const auto& d : response.devices()) t.rows.push_back(DeviceRow(d, now_ns));
  return t;
}

Table KnownTable(const v1::ListKnownDevicesResponse& response, int64_t now_ns) {
  Table t;
  t.columns = Columns({{"mac", "MAC"},
                       {"name", "NAME"},
                       {"owner", "OWNER"},
                       {"kind", "KIND"},
                       {"tags", "TAGS"},
                       {"updated", "UPDATED"}});
  for (const auto& k : response.devices()) {
    Json tags = Json::array();
    for (const std::string& tag : k.tags()) tags.push_back(DisplayText(tag));
    t.rows.push_back({MacCell(k.mac()), Cell(DisplayText(k.name())),
                      Cell(k.owner().empty() ? Json(nullptr) : Json(DisplayText(k.owner()))),
                      Cell(KnownKindName(k.kind())), Cell(tags), AgeCell(k.updated_ns(), now_ns)});
  }
  return t;
}

Table ClustersTable(const v1::ListClustersResponse& response) {
  Table t;
  t.columns = Columns({{"id", "ID"},
                       {"fingerprint", "FINGERPRINT"},
                       {"mac_count", "MACS"},
                       {"macs", "MAC LIST"},
                       {"probes", "PROBES"},
                       {"first_seen", "FIRST SEEN"},
                       {"last_seen", "LAST SEEN"},
                       {"probed_ssids", "PROBED SSIDS"},
                       {"wildcard_probes", "WILDCARD"},
                       {"signal_min", "MIN dBm"},
                       {"signal_max", "MAX dBm"},
                       {"histogram", "HISTOGRAM"},
                       {"seq_links", "SEQ LINKS"}});
  auto hex16 = [](uint64_t v) { return absl::StrCat(absl::Hex(v, absl::kZeroPad16)); };
  for (const v1::ProbeCluster& c : response.clusters()) {
    Json macs = Json::array();
    for (uint64_t m : c.macs()) macs.push_back(Mac::FromU64(m).ToString());
    std::string macs_display = macs.empty() ? "" : macs.front().get<std::string>();
    if (macs.size() > 1) absl::StrAppend(&macs_display, " +", macs.size() - 1);
    Json histogram = Json::array();
    std::string histogram_display;
    for (const v1::SignalBucket& b : c.signal_histogram()) {
      histogram.push_back(Json{{"low_dbm", b.low_dbm()}, {"probes", b.probes()}});
      absl::StrAppend(&histogram_display, histogram_display.empty() ? "" : " ", b.low_dbm(), ":",
                      b.probes());
    }
    t.rows.push_back({Cell(hex16(c.id())), Cell(hex16(c.fingerprint())), Cell(c.macs_size()),
                      Cell(macs, macs_display), Cell(c.probes()), TimeCell(c.first_seen_ns()),
                      TimeCell(c.last_seen_ns()), Cell(SsidList(c.probed_ssids())),
                      Cell(c.wildcard_probes()),
                      Cell(SignalOrNull(c.has_signal(), c.signal_min_dbm())),
                      Cell(SignalOrNull(c.has_signal(), c.signal_max_dbm())),
                      Cell(histogram, histogram_display), Cell(c.seq_links())});
  }
  return t;
}

void WriteDevice(const v1::GetDeviceResponse& response, Format format, int64_t now_ns,
                 std::ostream& out) {
  const v1::DeviceInfo& d = response.device();
  Table details;
  details.columns = DeviceColumns();
  details.rows.push_back(DeviceRow(d, now_ns));
  Table sightings = SightingsTable(d, now_ns);

  switch (format) {
    case Format::kTable: {
      WriteRecord(details, format, out);
      out << "\nSightings\n";
      WriteTable(sightings, format, out);
      out << "\nRecent windows\n";
      Table windows;
      windows.columns = WindowColumns();
      for (const auto& w : response.recent_windows()) windows.rows.push_back(WindowRow(w, ""));
      WriteTable(windows, format, out);
      return;
    }
    case Format::kCsv: {
      WindowExportWriter writer(format, out);
      for (const auto& w : response.recent_windows()) {
        v1::StoredWindow sw;
        *sw.mutable_window() = w;
        writer.Write(sw);
      }
      writer.Finish();
      return;
    }
    case Format::kJson:
    case Format::kNdjson: {
      Json obj = Json::object();
      Json device = Json::object();
      for (size_t i = 0; i < details.columns.size(); ++i) {
        device[details.columns[i].key] = details.rows[0][i].value;
      }
      obj["device"] = std::move(device);
      Json s = Json::array();
      for (const auto& row : sightings.rows) {
        Json o = Json::object();
        for (size_t i = 0; i < sightings.columns.size(); ++i)
          o[sightings.columns[i].key] = row[i].value;
        s.push_back(std::move(o));
      }
      obj["sightings"] = std::move(s);
      Json windows = Json::array();
      for (const auto& w : response.recent_windows()) windows.push_back(WindowToJson(w));
      obj["recent_windows"] = std::move(windows);
      out << obj.dump(format == Format::kJson ? 2 : -1, ' ', false, Json::error_handler_t::replace)
          << "\n";
      return;
    }
  }
}

void WindowExportWriter::Write(const v1::StoredWindow& sw) {
  switch (format_) {
    case Format::kNdjson:
      out_ << WindowToJsonLine(sw.window(), sw.agent_id()) << "\n";
      break;
    case Format::kJson:
      out_ << (count_ == 0 ? "[\n  " : ",\n  ") << WindowToJsonLine(sw.window(), sw.agent_id());
      break;
    case Format::kCsv: {
      Json j = WindowToJson(sw.window(), sw.agent_id());
      std::vector<std::string> fields;
      if (count_ == 0) {
        for (auto it = j.begin(); it != j.end(); ++it) fields.push_back(it.key());
        out_ << CsvLine(fields);
        fields.clear();
      }
      for (auto it = j.begin(); it != j.end(); ++it) {
        // Objects (subtypes) have no natural CSV form; keep them as compact JSON.
        fields.push_back(it->is_object() ? it->dump() : CsvText(*it));
      }
      out_ << CsvLine(fields);
      break;
    }
    case Format::kTable:
      if (table_.columns.empty()) table_.columns = WindowColumns();
      table_.rows.push_back(WindowRow(sw.window(), sw.agent_id()));
      break;
  }
  ++count_;
}

void WindowExportWriter::Finish() {
  switch (format_) {
    case Format::kJson:
      out_ << (count_ == 0 ? "[]\n" : "\n]\n");
      break;
    case Format::kTable:
      if (table_.columns.empty()) table_.columns = WindowColumns();
      WriteTable(table_, format_, out_);
      break;
    case Format::kCsv:
      if (count_ == 0) {
        // Still print the header: the keys do not depend on the data.
        std::vector<std::string> keys;
        Json j = WindowToJson(v1::DeviceWindow());
        for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
        out_ << CsvLine(keys);
      }
      break;
    case Format::kNdjson:
      break;
  }
  out_.flush();
}

}  // namespace airfleet::ctl
