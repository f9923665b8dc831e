#include "tools/ctl/top_view.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/mac.h"
#include "tools/ctl/output.h"
#include "tools/ctl/views.h"

namespace airfleet::ctl {
namespace {

using Json = nlohmann::ordered_json;

Json OneDecimal(double v) { return Json(std::round(v * 10) / 10); }

Table AgentRows(const TopSnapshot& current, const TopSnapshot* previous, int64_t now_ns) {
  absl::flat_hash_map<std::string, uint64_t> summaries_before;
  double seconds = 0;
  if (previous != nullptr && current.taken_ns > previous->taken_ns) {
    seconds = static_cast<double>(current.taken_ns - previous->taken_ns) / 1e9;
    for (const auto& a : previous->agents.agents()) summaries_before[a.agent_id()] = a.summaries();
  }
  Table t;
  t.columns = {{"agent", "AGENT"},
               {"status", "STATUS"},
               {"frames_per_second", "FRAMES/S"},
               {"summaries_per_second", "SUMM/S"},
               {"backlog", "BACKLOG"},
               {"backlog_age_s", "AGE s"},
               {"drops", "DROPS"},
               {"last_seen", "LAST SEEN"},
               {"why", "WHY"}};
  for (const auto& a : current.agents.agents()) {
    const v1::AgentHealth& h = a.last_health();
    const bool has_health = a.has_last_health();
    Cell rate(nullptr);
    if (auto it = summaries_before.find(a.agent_id());
        it != summaries_before.end() && a.summaries() >= it->second) {
      rate = Cell(OneDecimal(static_cast<double>(a.summaries() - it->second) / seconds));
    }
    t.rows.push_back(
        {Cell(DisplayText(a.agent_id())), Cell(AgentStatusText(a.status())),
         has_health && h.periodic() ? Cell(OneDecimal(h.frames_per_second())) : Cell(nullptr), rate,
         has_health ? Cell(h.spool_batches()) : Cell(nullptr),
         has_health && h.spool_batches() > 0 ? Cell(h.oldest_unsent_age_ms() / 1000)
                                             : Cell(nullptr),
         has_health ? Cell(h.capture().dropped_kernel() + h.capture().dropped_interface())
                    : Cell(nullptr),
         a.last_seen_ns() > 0 ? Cell(a.last_seen_ns(), FormatAge(now_ns - a.last_seen_ns()))
                              : Cell(nullptr),
         a.status_reason().empty() ? Cell(nullptr) : Cell(DisplayText(a.status_reason()))});
  }
  return t;
}

Table DeviceRows(const TopSnapshot& current, int64_t now_ns, size_t max_devices) {
  struct Ranked {
    const v1::DeviceInfo* device;
    const v1::Sighting* strongest;
  };
  std::vector<Ranked> ranked;
  for (const auto& d : current.devices.devices()) {
    if (const v1::Sighting* s = StrongestSighting(d)) ranked.push_back({&d, s});
  }
  std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    if (a.strongest->last_signal_dbm() != b.strongest->last_signal_dbm()) {
      return a.strongest->last_signal_dbm() > b.strongest->last_signal_dbm();
    }
    return a.device->mac() < b.device->mac();
  });
  if (ranked.size() > max_devices) ranked.resize(max_devices);
  Table t;
  t.columns = {
      {"mac", "MAC"},   {"signal", "dBm"},    {"agent", "STRONGEST AT"}, {"vendor", "VENDOR"},
      {"name", "NAME"}, {"probes", "PROBES"}, {"last_seen", "LAST SEEN"}};
  for (const Ranked& r : ranked) {
    const v1::DeviceInfo& d = *r.device;
    t.rows.push_back({Cell(Mac::FromU64(d.mac()).ToString()), Cell(r.strongest->last_signal_dbm()),
                      Cell(DisplayText(r.strongest->agent_id())),
                      d.vendor().empty() ? Cell(nullptr) : Cell(DisplayText(d.vendor())),
                      d.name().empty() ? Cell(nullptr) : Cell(DisplayText(d.name())),
                      Cell(d.probe_requests()),
                      Cell(d.last_seen_ns(), FormatAge(now_ns - d.last_seen_ns()))});
  }
  return t;
}

}  // namespace

std::string RenderTop(const TopSnapshot& current, const TopSnapshot* previous, int64_t now_ns,
                      const TopOptions& options) {
  int online = 0, lagging = 0, offline = 0;
  double fps = 0;
  uint64_t backlog = 0;
  for (const auto& a : current.agents.agents()) {
    online += a.status() == v1::AGENT_STATUS_ONLINE;
    lagging += a.status() == v1::AGENT_STATUS_LAGGING;
    offline += a.status() == v1::AGENT_STATUS_OFFLINE;
    // Only connected agents' rates count: an offline agent's last report is history.
    if (a.status() != v1::AGENT_STATUS_OFFLINE && a.last_health().periodic()) {
      fps += a.last_health().frames_per_second();
    }
    backlog += a.last_health().spool_batches();
  }
  std::ostringstream out;
  out << "airfleet top  " << FormatTime(now_ns) << "  agents " << current.agents.agents_size()
      << ": " << online << " online, " << lagging << " lagging, " << offline << " offline  |  "
      << absl::StrFormat("%.1f", fps) << " frames/s  |  backlog " << backlog << " batches\n\n";
  WriteTable(AgentRows(current, previous, now_ns), Format::kTable, out);
  out << "\nstrongest devices, last " << options.devices_window << "\n";
  WriteTable(DeviceRows(current, now_ns, options.max_devices), Format::kTable, out);
  return out.str();
}

}  // namespace airfleet::ctl
