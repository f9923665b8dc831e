#include "collector/analytics/fleet_frames.h"

#include <algorithm>
#include <numeric>

namespace airfleet::collector::analytics {
namespace {

constexpr uint32_t kSeqModulo = 4096;

// Whether x lies on the arc from `first` forward to `last` (mod 4096).
bool OnArc(uint32_t x, uint32_t first, uint32_t last) {
  return (x - first) % kSeqModulo <= (last - first) % kSeqModulo;
}

}  // namespace

bool SameFrames(const v1::DeviceWindow& a, const v1::DeviceWindow& b) {
  const bool times_meet =
      a.first_offset_us() <= b.last_offset_us() && b.first_offset_us() <= a.last_offset_us();
  if (!times_meet) return false;
  if (!a.has_seq() || !b.has_seq()) return true;
  return OnArc(b.first_seq(), a.first_seq(), a.last_seq()) ||
         OnArc(a.first_seq(), b.first_seq(), b.last_seq());
}

uint64_t FleetFramesOfWindow(const std::vector<const v1::DeviceWindow*>& ws) {
  const size_t n = ws.size();
  std::vector<size_t> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      if (SameFrames(*ws[i], *ws[j])) parent[find(i)] = find(j);
    }
  }
  std::vector<uint64_t> max_of(n, 0);
  for (size_t i = 0; i < n; ++i) {
    uint64_t& m = max_of[find(i)];
    m = std::max<uint64_t>(m, ws[i]->frames());
  }
  return std::accumulate(max_of.begin(), max_of.end(), uint64_t{0});
}

void FleetFramesBuilder::Add(const std::string& agent_id, const v1::DeviceWindow& w) {
  windows_[{w.mac(), w.window_start_ns()}].push_back(w);
  per_agent_[w.mac()][agent_id] += w.frames();
}

std::vector<v1::DeviceFleetFrames> FleetFramesBuilder::Finish() const {
  std::map<uint64_t, uint64_t> fleet;
  for (const auto& [key, windows] : windows_) {
    std::vector<const v1::DeviceWindow*> ptrs;
    for (const auto& w : windows) ptrs.push_back(&w);
    fleet[key.first] += FleetFramesOfWindow(ptrs);
  }
  std::vector<v1::DeviceFleetFrames> out;
  for (const auto& [mac, agents] : per_agent_) {
    v1::DeviceFleetFrames& d = out.emplace_back();
    d.set_mac(mac);
    d.set_fleet_frames(fleet[mac]);
    uint64_t sum = 0;
    for (const auto& [agent, frames] : agents) {
      v1::AgentFrames* a = d.add_agents();
      a->set_agent_id(agent);
      a->set_frames(frames);
      sum += frames;
    }
    d.set_frames_sum(sum);
  }
  return out;
}

}  // namespace airfleet::collector::analytics
