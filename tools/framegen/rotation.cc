#include "tools/framegen/rotation.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "tools/framegen/frame_builder.h"
#include "tools/framegen/rng.h"

namespace airfleet::framegen {
namespace {

constexpr int64_t kS = 1'000'000'000;

// Element sets per phone model; models differ in HT capabilities, extended capabilities, VHT/HE
// and vendor elements, so their fingerprints differ.
Bytes ModelElements(int model, const std::string& ssid) {
  ElementWriter w;
  w.Ssid(ssid);
  w.Rates({0x02, 0x04, 0x0b, 0x16, 0x0c, 0x12, 0x18, 0x24, 0x30, 0x48, 0x60, 0x6c});
  w.HtCaps(static_cast<uint16_t>(0x0160 + model));
  if (model % 2 == 0) w.ExtCaps();
  if (model % 3 == 0) w.VhtCaps();
  if (model >= 4) w.HeCaps();
  w.Vendor(0x0050f2, static_cast<uint8_t>(8 + model), {0x00});
  return w.bytes();
}

struct Phone {
  std::string name;
  int model = 0;
  int signal = -50;     // first MAC's base signal
  int signal_step = 0;  // added per new MAC (the walker)
  bool continue_seq = false;
  std::vector<std::vector<int64_t>> sessions;  // per session: start time of each MAC (s)
  int64_t mac_seconds = 60;                    // how long one MAC probes
  std::vector<std::string> ssids;
};

struct Emission {
  int64_t ts;
  Bytes bytes;
};

}  // namespace

RotationScenario GenerateRotationScenario(const RotationOptions& o) {
  Rng rng(o.seed);
  std::vector<Phone> phones = {
      {"near", 1, -40, 0, false, {{0, 60, 120, 180, 240}}, 60, {"home-net"}},
      {"far", 1, -72, 0, false, {{20, 95, 170, 245}}, 75, {"office"}},
      {"napper", 2, -55, 0, false, {{5, 50, 95}, {695, 740, 785}}, 45, {"cafe", "airport"}},
      {"pair", 3, -60, 0, false, {{10, 70}}, 60, {"library"}},
      {"walker", 4, -45, -8, true, {{30, 90, 150, 210}}, 60, {"station"}},
  };
  RotationScenario out;
  std::vector<Emission> emissions;
  // Sequence numbers: every MAC that starts afresh takes its own region of 190 numbers (at most
  // 22 regions fit in 4096; a MAC sends at most 10 frames, the walker 40 across its MACs), so no
  // MAC's first number ever follows another device's last one within the continuity gap.
  std::vector<uint32_t> seq(phones.size(), 0);
  uint32_t next_region = 0;
  auto new_seq_start = [&] { return (next_region++ * 190) & 0x0fff; };

  auto emit = [&](const Mac& sa, int model, const std::string& ssid, int signal, uint16_t seqno,
                  int64_t ts) {
    PacketSpec p;
    RadiotapSpec rt;
    rt.flags = 0;
    rt.freq_mhz = 2437;
    rt.rate_500kbps = 2;
    rt.signal_dbm = static_cast<int8_t>(signal);
    p.radiotap = rt;
    p.mac = ProbeRequest(sa, ModelElements(model, ssid));
    p.mac.seq = seqno;
    emissions.push_back({ts, BuildPacket(p)});
  };

  // Phones: one truth group per (phone, session).
  std::vector<TruthCluster> groups;
  for (size_t pi = 0; pi < phones.size(); ++pi) {
    const Phone& ph = phones[pi];
    int mac_index = 0;
    for (size_t si = 0; si < ph.sessions.size(); ++si) {
      TruthCluster g;
      g.phone = ph.name;
      g.session = static_cast<int>(si);
      for (int64_t start_s : ph.sessions[si]) {
        Mac mac = Mac::FromU64(rng.Next() & 0xffffffffffffULL);
        mac.octets[0] = static_cast<uint8_t>((mac.octets[0] & 0xfc) | 0x02);
        g.macs.push_back(mac);
        const int base = ph.signal + ph.signal_step * mac_index;
        if (!ph.continue_seq || mac_index == 0) seq[pi] = new_seq_start();
        // Bursts every 15 s while this MAC is in use (the next MAC takes over after mac_seconds).
        for (int64_t t = 0; t < ph.mac_seconds; t += 15) {
          const int64_t ts = o.start_ns + (start_s + t) * kS +
                             static_cast<int64_t>(rng.Below(1000)) * 1000;  // whole us
          const std::string& directed = ph.ssids[static_cast<size_t>(t / 15) % ph.ssids.size()];
          int k = 0;
          for (const std::string& ssid : {std::string(), directed}) {
            const int signal = base + static_cast<int>(rng.Range(-2, 2));
            const int64_t at = ts + k * 20'000'000;  // 20 ms apart
            emit(mac, ph.model, ssid, signal, static_cast<uint16_t>(seq[pi]), at);
            seq[pi] = (seq[pi] + 1) & 0x0fff;
            if (g.probes == 0 || at < g.first_ns) g.first_ns = at;
            if (g.probes == 0 || at > g.last_ns) g.last_ns = at;
            if (g.probes == 0 || signal < g.signal_min) g.signal_min = signal;
            if (g.probes == 0 || signal > g.signal_max) g.signal_max = signal;
            ++g.probes;
            if (ssid.empty()) {
              ++g.wildcard_probes;
            } else if (std::find(g.probed_ssids.begin(), g.probed_ssids.end(), ssid) ==
                       g.probed_ssids.end()) {
              g.probed_ssids.push_back(ssid);
            }
            ++k;
          }
        }
        ++mac_index;
      }
      groups.push_back(std::move(g));
    }
  }
  // Laptops: global MACs, their own models, probing every 20 s for 10 minutes.
  for (int l = 0; l < 3; ++l) {
    const Mac mac = Mac::FromU64(0x001b63000010ULL + static_cast<uint64_t>(l));
    out.truth.global_macs.push_back(mac);
    uint32_t s = static_cast<uint32_t>(l * 1000 + 300);
    for (int64_t t = l; t < 900; t += 20) {
      emit(mac, 5 + l, "", -50 - 5 * l, static_cast<uint16_t>(s++ & 0x0fff),
           o.start_ns + t * kS + 500'000'000);
    }
  }
  // An access point beaconing every 10 s.
  {
    const Mac bssid = Mac::FromU64(0x001b63aa0001ULL);
    ElementWriter w;
    w.Ssid("home-net").Rates({0x82, 0x84, 0x8b, 0x96}).DsChannel(6).Tim();
    uint16_t s = 0;
    for (int64_t t = 0; t < 900; t += 10) {
      PacketSpec p;
      RadiotapSpec rt;
      rt.flags = 0;
      rt.freq_mhz = 2437;
      rt.signal_dbm = -65;
      p.radiotap = rt;
      p.mac = Beacon(bssid, w.bytes(), static_cast<uint64_t>(t) * 1'000'000);
      p.mac.seq = s++;
      emissions.push_back({o.start_ns + t * kS + 250'000'000, BuildPacket(p)});
    }
  }
  std::stable_sort(emissions.begin(), emissions.end(),
                   [](const Emission& a, const Emission& b) { return a.ts < b.ts; });
  for (auto& e : emissions) out.records.push_back({e.ts, std::move(e.bytes)});

  for (auto& g : groups) {
    (g.macs.size() >= 3 ? out.truth.clusters : out.truth.below_min).push_back(std::move(g));
  }
  std::sort(out.truth.clusters.begin(), out.truth.clusters.end(),
            [](const TruthCluster& a, const TruthCluster& b) { return a.first_ns < b.first_ns; });
  return out;
}

std::string RotationTruthToJson(const RotationTruth& truth) {
  using Json = nlohmann::ordered_json;
  auto group = [](const TruthCluster& g) {
    Json macs = Json::array();
    for (const Mac& m : g.macs) macs.push_back(m.ToString());
    return Json{{"phone", g.phone},
                {"session", g.session},
                {"macs", macs},
                {"probes", g.probes},
                {"wildcard_probes", g.wildcard_probes},
                {"first_seen", g.first_ns},
                {"last_seen", g.last_ns},
                {"probed_ssids", g.probed_ssids},
                {"signal_min", g.signal_min},
                {"signal_max", g.signal_max}};
  };
  Json j{{"clusters", Json::array()}, {"below_min", Json::array()}, {"global_macs", Json::array()}};
  for (const auto& g : truth.clusters) j["clusters"].push_back(group(g));
  for (const auto& g : truth.below_min) j["below_min"].push_back(group(g));
  for (const Mac& m : truth.global_macs) j["global_macs"].push_back(m.ToString());
  return j.dump(2) + "\n";
}

}  // namespace airfleet::framegen
