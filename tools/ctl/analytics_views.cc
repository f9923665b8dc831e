#include "tools/ctl/analytics_views.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "collector/analytics/window_stats.h"
#include "common/mac.h"

namespace airfleet::ctl {
namespace {

using Json = nlohmann::ordered_json;

std::vector<Column> Columns(std::initializer_list<std::pair<const char*, const char*>> cols) {
  std::vector<Column> out;
  for (const auto& [key, header] : cols) out.push_back({key, header});
  return out;
}

Cell TimeCell(int64_t unix_ns) { return Cell(unix_ns, FormatTime(unix_ns)); }
Json TextOrNull(const std::string& s) { return s.empty() ? Json(nullptr) : Json(DisplayText(s)); }

std::string Day(int64_t unix_ns) { return FormatTime(unix_ns).substr(0, 10); }

}  // namespace

Table ProbeStatsTable(const v1::ProbeStatsResponse& response) {
  Table t;
  t.columns = Columns({{"mac", "MAC"},
                       {"vendor", "VENDOR"},
                       {"known", "KNOWN"},
                       {"name", "NAME"},
                       {"randomised", "RANDOM"},
                       {"probes", "PROBES"},
                       {"wildcard", "WILDCARD"},
                       {"first_probe", "FIRST"},
                       {"last_probe", "LAST"},
                       {"signal_min", "MIN dBm"},
                       {"signal_avg", "AVG dBm"},
                       {"signal_max", "MAX dBm"},
                       {"ssid_count", "#SSIDS"},
                       {"ssids", "SSIDS"},
                       {"destination_count", "#DESTS"},
                       {"destinations", "DESTINATIONS"}});
  for (const auto& s : response.devices()) {
    Json ssids = Json::array();
    for (const std::string& ssid : s.ssids()) ssids.push_back(DisplayText(ssid));
    Json dests = Json::array();
    for (uint64_t d : s.destinations()) dests.push_back(Mac::FromU64(d).ToString());
    auto signal = [&](Json v) { return s.has_signal() ? v : Json(nullptr); };
    const double avg = std::round(s.signal_avg_dbm() * 10) / 10;
    t.rows.push_back({Cell(Mac::FromU64(s.mac()).ToString()), Cell(TextOrNull(s.vendor())),
                      Cell(TextOrNull(s.known())), Cell(TextOrNull(s.name())), Cell(s.randomised()),
                      Cell(s.probes()), Cell(s.wildcard_probes()), TimeCell(s.first_ns()),
                      TimeCell(s.last_ns()), Cell(signal(s.signal_min_dbm())), Cell(signal(avg)),
                      Cell(signal(s.signal_max_dbm())), Cell(s.ssids_size()), Cell(ssids),
                      Cell(s.destinations_size()), Cell(dests)});
  }
  return t;
}

Table SubtypeTable(const v1::SubtypeStatsResponse& response) {
  Table t;
  t.columns = Columns({{"day", "DAY"},
                       {"agent", "AGENT"},
                       {"subtype", "SUBTYPE"},
                       {"subtype_key", "KEY"},
                       {"frames", "FRAMES"}});
  for (const auto& c : response.counts()) {
    t.rows.push_back({Cell(Day(c.day_start_ns())), Cell(c.agent_id()),
                      Cell(collector::analytics::SubtypeName(c.subtype_key())),
                      Cell(c.subtype_key()), Cell(c.frames())});
  }
  return t;
}

Table TimelineTable(const v1::TimelineResponse& response) {
  Table t;
  t.columns = Columns({{"interval_start", "INTERVAL"}, {"agent", "AGENT"}, {"devices", "DEVICES"}});
  for (const auto& p : response.points()) {
    t.rows.push_back({TimeCell(p.interval_start_ns()),
                      Cell(p.agent_id().empty() ? "fleet" : p.agent_id()), Cell(p.devices())});
  }
  return t;
}

std::string TimelineChart(const v1::TimelineResponse& response, int width) {
  // series name -> [(interval, devices)], fleet first.
  std::map<std::string, std::vector<std::pair<int64_t, uint32_t>>> series;
  uint32_t max = 0;
  for (const auto& p : response.points()) {
    series[p.agent_id()].emplace_back(p.interval_start_ns(), p.devices());
    max = std::max(max, p.devices());
  }
  static const char* const kEighths[8] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
  std::string out;
  for (const auto& [agent, points] : series) {
    absl::StrAppend(&out, agent.empty() ? "fleet" : agent, "\n");
    for (const auto& [start, n] : points) {
      const int eighths = max == 0 ? 0 : static_cast<int>(uint64_t{n} * width * 8 / max);
      std::string bar;
      for (int i = 0; i < eighths / 8; ++i) bar += "█";
      bar += kEighths[eighths % 8];
      std::string count = absl::StrCat(n);
      absl::StrAppend(&out, "  ", FormatTime(start), " ",
                      std::string(6 - std::min<size_t>(6, count.size()), ' '), count, " ", bar,
                      "\n");
    }
  }
  return out;
}

Table FleetFramesTable(const v1::FleetFramesResponse& response) {
  Table t;
  t.columns = Columns({{"mac", "MAC"},
                       {"fleet_frames", "FLEET FRAMES"},
                       {"frames_sum", "SUM OVER AGENTS"},
                       {"agents", "AGENTS"}});
  for (const auto& d : response.devices()) {
    Json agents = Json::array();
    for (const auto& a : d.agents()) agents.push_back(absl::StrCat(a.agent_id(), "=", a.frames()));
    t.rows.push_back({Cell(Mac::FromU64(d.mac()).ToString()), Cell(d.fleet_frames()),
                      Cell(d.frames_sum()), Cell(agents)});
  }
  return t;
}

}  // namespace airfleet::ctl
