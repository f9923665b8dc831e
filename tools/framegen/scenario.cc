#include "tools/framegen/scenario.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "tools/framegen/rng.h"

namespace airfleet::framegen {
namespace {

// proto EncryptionBits, restated here so the generator does not depend on the generated code.
constexpr uint32_t kEncOpen = 1, kEncWep = 2, kEncTkip = 4, kEncCcmp = 8;

enum class ApSecurity { kOpen, kCcmp, kTkip, kWep };

struct Ap {
  Mac bssid;
  std::string ssid;
  bool hidden = false;  // beacons carry an empty SSID; probe responses the real one
  int channel = 1;
  ApSecurity security = ApSecurity::kCcmp;
  int signal = -60;
};

struct Client {
  int persona = 0;
  bool randomised = false;
  Mac fixed_mac;
  int64_t rotation_ns = 0;
  int64_t phase_ns = 0;
  int ap = -1;  // associated AP index, or -1 (only probes)
  std::vector<std::string> preferred;
  int signal = -60;
};

// What the generator knows about one frame it wrote.
struct FrameTruth {
  int64_t ts = 0;
  bool bad_fcs = false;
  bool has_tx = false;
  Mac tx;
  bool rx_only = false;
  Mac rx;
  uint8_t type = 0, subtype = 0;
  bool retry = false;
  size_t mac_len = 0;
  bool has_signal = false;
  int signal = 0;
  bool has_noise = false;
  int noise = 0;
  uint16_t freq = 0;
  bool has_seq = false;
  uint16_t seq = 0;
  bool probe = false;
  std::string probe_ssid;
  int persona = -1;
  bool ap_frame = false;  // beacon or probe response
  std::string ap_ssid;
  Mac ap_bssid;
  bool has_client_bssid = false;
  Mac client_bssid;
  uint32_t encryption = 0;
};

const int kScanChannels[] = {1, 6, 11, 36, 40, 44, 48, 149};
const char* const kSsidWords[] = {"Home",    "Office", "Cafe",    "Guest",   "Lab",
                                  "Airport", "Hotel",  "Library", "Station", "Studio"};
const uint32_t kOuis[] = {0x001a2b, 0x3c2e00, 0xa4c360, 0x8c8590};

Mac MacFrom(uint32_t oui, uint32_t low) {
  return Mac::FromU64((static_cast<uint64_t>(oui) << 24) | (low & 0xffffff));
}

// A locally administered unicast address, derived from (seed, client, epoch).
Mac RandomisedMac(uint64_t seed, int client, int64_t epoch) {
  Mac m = Mac::FromU64(Mix(seed, static_cast<uint64_t>(client) + 1, static_cast<uint64_t>(epoch)) &
                       0xffffffffffffULL);
  m.octets[0] = static_cast<uint8_t>((m.octets[0] & 0xfc) | 0x02);
  return m;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Probe request elements of a persona: the same set (and so the same fingerprint) whatever the
// SSID; personas differ at least in their HT capabilities.
Bytes PersonaProbeElements(int persona, const std::string& ssid) {
  ElementWriter w;
  w.Ssid(ssid);
  if (persona % 3 == 0) {
    w.Rates({0x02, 0x04, 0x0b, 0x16, 0x0c, 0x12, 0x18, 0x24, 0x30, 0x48, 0x60, 0x6c});
  } else {
    w.Rates({0x0c, 0x12, 0x18, 0x24, 0x30, 0x48, 0x60, 0x6c});
  }
  if (persona % 4 == 1) w.DsChannel(6);
  w.HtCaps(static_cast<uint16_t>(0x0100 + persona));
  if (persona % 2 == 0) w.ExtCaps();
  if (persona % 5 == 2) w.VhtCaps();
  if (persona % 7 == 3) w.HeCaps();
  w.Vendor(0x0050f2, 8, {0x00, 0x10, 0x00});
  if (persona % 3 == 1) w.Vendor(0x0017f2, 10, {0x00, 0x01, 0x01});
  if (persona % 4 == 3) w.Vendor(0x506f9a, 9, {0x02});
  return w.bytes();
}

Bytes ApElements(const Ap& ap, bool beacon) {
  ElementWriter w;
  w.Ssid(beacon && ap.hidden ? "" : ap.ssid);
  w.Rates({0x82, 0x84, 0x8b, 0x96, 0x0c, 0x12, 0x18, 0x24});
  w.DsChannel(static_cast<uint8_t>(ap.channel));
  if (beacon) w.Tim();
  if (ap.security == ApSecurity::kCcmp) w.Rsn(4, {4}, {2});
  if (ap.security == ApSecurity::kTkip) w.Rsn(2, {2}, {2});
  w.HtCaps(0x19ef);
  w.Vendor(0x0050f2, 2, {0x00, 0x01, 0x00});  // WMM information element
  return w.bytes();
}

class Generator {
 public:
  explicit Generator(const ScenarioOptions& o) : o_(o), rng_(o.seed) {}

  Scenario Run() {
    Setup();
    std::vector<int64_t> times(static_cast<size_t>(std::max(o_.frames, 0)));
    const int64_t span = std::max<int64_t>(1, static_cast<int64_t>(o_.seconds * 1e9));
    for (int64_t& t : times)
      t = o_.start_ns + static_cast<int64_t>(rng_.Below(static_cast<uint64_t>(span)));
    std::sort(times.begin(), times.end());
    Scenario out;
    out.records.reserve(times.size());
    for (int64_t t : times) {
      FrameTruth ft;
      ft.ts = t;
      PacketSpec p = MakeEvent(t, &ft);
      out.records.push_back({t, BuildPacket(p)});
      Record(ft);
    }
    out.truth.window_ns = o_.window_ns;
    out.truth.frames_total = times.size();
    out.truth.bad_fcs_frames = bad_fcs_;
    out.truth.unattributed_frames = unattributed_;
    for (auto& [key, d] : devices_) out.truth.devices.push_back(std::move(d));
    return out;
  }

 private:
  void Setup() {
    const int n = std::max(o_.devices, 1);
    const int n_ap = std::max(1, n / 5);
    for (int i = 0; i < n_ap; ++i) {
      Ap ap;
      ap.bssid = MacFrom(kOuis[i % 4], static_cast<uint32_t>(i));
      ap.ssid = std::string(kSsidWords[i % 10]) + "-" + std::to_string(i);
      ap.hidden = rng_.Chance(0.15);
      ap.channel = kScanChannels[rng_.Below(8)];
      const uint64_t s = rng_.Below(10);
      ap.security = s < 6   ? ApSecurity::kCcmp
                    : s < 8 ? ApSecurity::kOpen
                    : s < 9 ? ApSecurity::kTkip
                            : ApSecurity::kWep;
      ap.signal = static_cast<int>(rng_.Range(-85, -35));
      aps_.push_back(ap);
    }
    for (int i = 0; i < n - n_ap; ++i) {
      Client c;
      c.persona = i;
      c.randomised = rng_.Chance(o_.randomised_fraction);
      c.fixed_mac = MacFrom(kOuis[(i + 1) % 4], 0x800000u | static_cast<uint32_t>(i));
      c.rotation_ns = rng_.Range(20, 150) * 1'000'000'000LL;
      c.phase_ns = static_cast<int64_t>(rng_.Below(static_cast<uint64_t>(c.rotation_ns)));
      if (rng_.Chance(0.7)) c.ap = static_cast<int>(rng_.Below(aps_.size()));
      const int np = static_cast<int>(rng_.Below(5));
      for (int k = 0; k < np; ++k) {
        c.preferred.push_back(rng_.Chance(0.5) ? aps_[rng_.Below(aps_.size())].ssid
                                               : std::string(kSsidWords[rng_.Below(10)]) + "_net" +
                                                     std::to_string(rng_.Below(100)));
      }
      c.signal = static_cast<int>(rng_.Range(-88, -30));
      clients_.push_back(c);
    }
  }

  Mac ClientMac(int i, int64_t t) const {
    const Client& c = clients_[static_cast<size_t>(i)];
    if (!c.randomised) return c.fixed_mac;
    return RandomisedMac(o_.seed, i, FloorDiv(t - o_.start_ns + c.phase_ns, c.rotation_ns));
  }

  uint16_t NextSeq(const Mac& m) { return seqs_[m.ToU64()]++ & 0x0fff; }

  int AnyClient() { return static_cast<int>(rng_.Below(clients_.size())); }
  // A client with an AP, or -1.
  int AssociatedClient() {
    for (int tries = 0; tries < 8 && !clients_.empty(); ++tries) {
      int c = AnyClient();
      if (clients_[static_cast<size_t>(c)].ap >= 0) return c;
    }
    return -1;
  }
  Mac AnyDeviceMac(int64_t t) {
    if (!clients_.empty() && rng_.Chance(0.6)) return ClientMac(AnyClient(), t);
    return aps_[rng_.Below(aps_.size())].bssid;
  }

  PacketSpec MakeEvent(int64_t t, FrameTruth* ft) {
    PacketSpec p;
    uint64_t roll = rng_.Below(100);
    if (clients_.empty()) roll = 0;  // only access points: beacons
    int signal_base = -60;
    uint16_t freq = ChannelToFreqMhz(kScanChannels[rng_.Below(8)]);
    if (roll < 30) {  // beacon
      const Ap& ap = aps_[rng_.Below(aps_.size())];
      p.mac = Beacon(ap.bssid, ApElements(ap, true), static_cast<uint64_t>(t / 1000));
      SetTx(ft, ap.bssid, &p.mac);
      ft->ap_frame = true;
      ft->ap_ssid = ap.hidden ? "" : ap.ssid;
      ft->ap_bssid = ap.bssid;
      signal_base = ap.signal;
      freq = ChannelToFreqMhz(ap.channel);
    } else if (roll < 50) {  // probe request
      const int ci = AnyClient();
      const Client& c = clients_[static_cast<size_t>(ci)];
      const Mac sa = ClientMac(ci, t);
      std::string ssid;
      if (!c.preferred.empty() && rng_.Chance(0.6))
        ssid = c.preferred[rng_.Below(c.preferred.size())];
      Mac da = kBroadcast;
      if (c.ap >= 0 && rng_.Chance(0.15)) da = aps_[static_cast<size_t>(c.ap)].bssid;
      p.mac = ProbeRequest(sa, PersonaProbeElements(c.persona, ssid), da, da);
      SetTx(ft, sa, &p.mac);
      ft->probe = true;
      ft->probe_ssid = ssid;
      ft->persona = c.persona;
      signal_base = c.signal;
    } else if (roll < 55) {  // probe response
      const Ap& ap = aps_[rng_.Below(aps_.size())];
      const Mac client = ClientMac(AnyClient(), t);
      p.mac =
          ProbeResponse(ap.bssid, client, ApElements(ap, false), static_cast<uint64_t>(t / 1000));
      SetTx(ft, ap.bssid, &p.mac);
      ft->ap_frame = true;
      ft->ap_ssid = ap.ssid;
      ft->ap_bssid = ap.bssid;
      signal_base = ap.signal;
      freq = ChannelToFreqMhz(ap.channel);
    } else if (roll < 80) {  // data
      const int ci = AssociatedClient();
      if (ci < 0) return MakeAck(t, ft, freq);
      const Client& c = clients_[static_cast<size_t>(ci)];
      const Ap& ap = aps_[static_cast<size_t>(c.ap)];
      const Mac sta = ClientMac(ci, t);
      const Mac peer = MacFrom(0x00005e, static_cast<uint32_t>(rng_.Below(4)));
      freq = ChannelToFreqMhz(ap.channel);
      const uint64_t kind = rng_.Below(20);
      if (kind < 2) {  // QoS Null from the station: no body, so no encryption bit
        p.mac.type = kTypeDataForNull;
        p.mac.subtype = 12;
        p.mac.flags = kFlagToDs | kFlagPowerMgmt;
        p.mac.addr1 = ap.bssid;
        p.mac.addr2 = sta;
        p.mac.addr3 = ap.bssid;
        SetTx(ft, sta, &p.mac);
        ft->has_client_bssid = true;
        ft->client_bssid = ap.bssid;
        signal_base = c.signal;
      } else {
        const bool up = kind < 11;
        const bool qos = rng_.Chance(0.7);
        Bytes payload(static_cast<size_t>(rng_.Range(20, 1400)), 0x42);
        p.mac = Data(sta, ap.bssid, peer, up, qos, payload);
        const Mac tx = up ? sta : ap.bssid;
        ft->encryption = Protect(ap.security, &p.mac, tx);
        SetTx(ft, tx, &p.mac);
        if (up) {
          ft->has_client_bssid = true;
          ft->client_bssid = ap.bssid;
        }
        signal_base = up ? c.signal : ap.signal;
      }
    } else if (roll < 92) {
      return MakeAck(t, ft, freq);
    } else if (roll < 94) {  // RTS from a station to its AP
      const int ci = AssociatedClient();
      if (ci < 0) return MakeAck(t, ft, freq);
      const Client& c = clients_[static_cast<size_t>(ci)];
      const Mac sta = ClientMac(ci, t);
      p.mac = Rts(aps_[static_cast<size_t>(c.ap)].bssid, sta);
      SetTx(ft, sta, &p.mac);
      signal_base = c.signal;
    } else if (roll < 96) {  // CTS: receiver only
      p.mac = Cts(AnyDeviceMac(t));
      ft->rx_only = true;
      ft->rx = p.mac.addr1;
    } else if (roll < 97) {  // block ack from an AP
      const int ci = AssociatedClient();
      if (ci < 0) return MakeAck(t, ft, freq);
      const Ap& ap = aps_[static_cast<size_t>(clients_[static_cast<size_t>(ci)].ap)];
      p.mac = BlockAck(ClientMac(ci, t), ap.bssid, static_cast<uint16_t>(rng_.Below(4096)));
      SetTx(ft, ap.bssid, &p.mac);
      signal_base = ap.signal;
      freq = ChannelToFreqMhz(ap.channel);
    } else {  // authentication / association
      const int ci = AssociatedClient();
      if (ci < 0) return MakeAck(t, ft, freq);
      const Client& c = clients_[static_cast<size_t>(ci)];
      const Ap& ap = aps_[static_cast<size_t>(c.ap)];
      const Mac sta = ClientMac(ci, t);
      freq = ChannelToFreqMhz(ap.channel);
      const uint64_t kind = rng_.Below(3);
      if (kind == 0) {
        p.mac = Authentication(sta, ap.bssid, ap.bssid, 1);
        SetTx(ft, sta, &p.mac);
        signal_base = c.signal;
      } else if (kind == 1) {
        p.mac = AssocRequest(sta, ap.bssid, PersonaProbeElements(c.persona, ap.ssid));
        SetTx(ft, sta, &p.mac);
        ft->has_client_bssid = true;
        ft->client_bssid = ap.bssid;
        signal_base = c.signal;
      } else {
        p.mac = AssocResponse(ap.bssid, sta, ApElements(ap, false));
        SetTx(ft, ap.bssid, &p.mac);
        signal_base = ap.signal;
      }
    }
    FinishRadio(&p, ft, signal_base, freq);
    return p;
  }

  PacketSpec MakeAck(int64_t t, FrameTruth* ft, uint16_t freq) {
    PacketSpec p;
    // A few ACKs to a group address: a device must never be made of those.
    p.mac = Ack(rng_.Chance(0.02) ? kBroadcast : AnyDeviceMac(t));
    ft->rx_only = true;
    ft->rx = p.mac.addr1;
    FinishRadio(&p, ft, -60, freq);
    return p;
  }

  void SetTx(FrameTruth* ft, const Mac& tx, MacFrameSpec* mac) {
    ft->has_tx = true;
    ft->tx = tx;
    if (mac->type != 1) {  // management and data frames carry a sequence number
      mac->seq = NextSeq(tx);
      ft->has_seq = true;
      ft->seq = mac->seq;
      // Beacons are never retried; other frames sometimes are.
      if (!(mac->type == 0 && mac->subtype == 8) && rng_.Chance(0.05)) mac->flags |= kFlagRetry;
    }
  }

  // Packet numbers count up per transmitter from 1, as a fresh session's do.
  uint32_t Protect(ApSecurity s, MacFrameSpec* mac, const Mac& tx) {
    uint64_t pn = ++packet_numbers_[tx.ToU64()];
    switch (s) {
      case ApSecurity::kOpen:
        return kEncOpen;
      case ApSecurity::kCcmp:
        ProtectCcmp(mac, pn);
        return kEncCcmp;
      case ApSecurity::kTkip:
        // A TKIP IV whose TSC0 is 0 is indistinguishable from a CCMP header without keys (see
        // ClassifyProtection in agent/dissect/ieee80211.cc, unit-tested there); scenarios skip
        // that one pattern so the golden truth stays observable.
        if ((pn & 0xff) == 0) pn = ++packet_numbers_[tx.ToU64()];
        ProtectTkip(mac, pn);
        return kEncTkip;
      case ApSecurity::kWep:
        ProtectWep(mac, static_cast<uint32_t>(pn) & 0xffffff);
        return kEncWep;
    }
    return 0;
  }

  // Radio header, FCS and the remaining truth fields.
  void FinishRadio(PacketSpec* p, FrameTruth* ft, int signal_base, uint16_t freq) {
    RadiotapSpec rt;
    if (rng_.Chance(0.5)) rt.tsft_us = static_cast<uint64_t>(ft->ts / 1000) & 0xffffffffffULL;
    rt.flags = 0;
    rt.freq_mhz = freq;
    if (p->mac.type == 2 && rng_.Chance(0.6)) {
      rt.mcs_index = static_cast<uint8_t>(rng_.Below(16));
    } else {
      rt.rate_500kbps = freq < 3000 ? 2 : 12;
    }
    ft->has_signal = rng_.Chance(0.97);
    if (ft->has_signal) {
      ft->signal = std::clamp(signal_base + static_cast<int>(rng_.Range(-6, 6)), -100, -10);
      rt.signal_dbm = static_cast<int8_t>(ft->signal);
      if (rng_.Chance(o_.multi_antenna_fraction)) {
        rt.chain_signals_dbm = {static_cast<int8_t>(ft->signal - 3),
                                static_cast<int8_t>(ft->signal + 4)};
      }
    }
    ft->has_noise = rng_.Chance(0.5);
    if (ft->has_noise) {
      ft->noise = static_cast<int>(rng_.Range(-97, -88));
      rt.noise_dbm = static_cast<int8_t>(ft->noise);
    }
    if (rng_.Chance(0.3)) rt.antenna = static_cast<uint8_t>(rng_.Below(2));
    p->radiotap = rt;
    p->with_fcs = o_.fcs;
    p->corrupt_fcs = o_.fcs && rng_.Chance(o_.bad_fcs_fraction);
    ft->bad_fcs = p->corrupt_fcs;
    ft->freq = freq;
    ft->type = p->mac.type;
    ft->subtype = p->mac.subtype;
    ft->retry = (p->mac.flags & kFlagRetry) != 0;
    ft->mac_len = MacHeaderLength(p->mac) + p->mac.body.size();
  }

  TruthDevice& Device(int64_t ts, const Mac& m) {
    const int64_t w = FloorDiv(ts, o_.window_ns) * o_.window_ns;
    auto [it, inserted] = devices_.try_emplace({w, m.ToU64()});
    if (inserted) {
      it->second.mac = m;
      it->second.window_start_ns = w;
      it->second.randomised = m.IsLocallyAdministered();
    }
    return it->second;
  }

  void Record(const FrameTruth& f) {
    if (f.bad_fcs) {
      ++bad_fcs_;
      return;
    }
    if (f.rx_only) {
      if (f.rx.IsGroup()) {
        ++unattributed_;
      } else {
        ++Device(f.ts, f.rx).received_only;
      }
      return;
    }
    if (!f.has_tx) {
      ++unattributed_;
      return;
    }
    TruthDevice& d = Device(f.ts, f.tx);
    if (d.frames == 0) d.first_ns = f.ts;
    d.last_ns = f.ts;
    ++d.frames;
    d.bytes += f.mac_len;
    if (f.retry) ++d.retries;
    ++d.subtype_counts[static_cast<uint32_t>(f.type << 4 | f.subtype)];
    if (f.type == 2) ++d.data_frames;
    if (f.has_signal) {
      if (d.signal_count == 0 || f.signal < d.signal_min) d.signal_min = f.signal;
      if (d.signal_count == 0 || f.signal > d.signal_max) d.signal_max = f.signal;
      d.signal_sum += f.signal;
      ++d.signal_count;
    }
    if (f.has_noise) {
      d.noise_sum += f.noise;
      ++d.noise_count;
    }
    auto ch = std::lower_bound(d.channels_mhz.begin(), d.channels_mhz.end(), f.freq);
    if (ch == d.channels_mhz.end() || *ch != f.freq) d.channels_mhz.insert(ch, f.freq);
    if (f.has_seq) {
      if (!d.has_seq) d.first_seq = f.seq;
      d.has_seq = true;
      d.last_seq = f.seq;
    }
    if (f.type == 0 && f.subtype == 8) ++d.beacons;
    if (f.probe) {
      ++d.probe_requests;
      ++d.probes_by_ssid[f.probe_ssid];
      d.persona = f.persona;
      if (f.probe_ssid.empty()) {
        ++d.wildcard_probes;
      } else if (std::find(d.probed_ssids.begin(), d.probed_ssids.end(), f.probe_ssid) ==
                 d.probed_ssids.end()) {
        d.probed_ssids.push_back(f.probe_ssid);
      }
    }
    if (f.ap_frame) {
      if (!f.ap_ssid.empty()) d.ap_ssid = f.ap_ssid;
      d.ap_bssid = f.ap_bssid.ToU64();
    }
    if (f.has_client_bssid) d.client_bssid = f.client_bssid.ToU64();
    d.encryption |= f.encryption;
  }

  static constexpr uint8_t kTypeDataForNull = 2;

  ScenarioOptions o_;
  Rng rng_;
  std::vector<Ap> aps_;
  std::vector<Client> clients_;
  std::map<uint64_t, uint16_t> seqs_;
  std::map<uint64_t, uint64_t> packet_numbers_;
  std::map<std::pair<int64_t, uint64_t>, TruthDevice> devices_;
  uint64_t bad_fcs_ = 0;
  uint64_t unattributed_ = 0;
};

}  // namespace

Scenario GenerateScenario(const ScenarioOptions& options) { return Generator(options).Run(); }

std::string TruthToJson(const Truth& truth) {
  nlohmann::ordered_json j;
  j["window_ms"] = truth.window_ns / 1'000'000;
  j["frames_total"] = truth.frames_total;
  j["bad_fcs_frames"] = truth.bad_fcs_frames;
  j["unattributed_frames"] = truth.unattributed_frames;
  auto& devs = j["devices"] = nlohmann::ordered_json::array();
  for (const TruthDevice& d : truth.devices) {
    nlohmann::ordered_json o;
    o["mac"] = d.mac.ToString();
    o["window_start_ns"] = d.window_start_ns;
    o["first_ns"] = d.first_ns;
    o["last_ns"] = d.last_ns;
    o["frames"] = d.frames;
    o["bytes"] = d.bytes;
    o["retries"] = d.retries;
    o["data_frames"] = d.data_frames;
    o["beacons"] = d.beacons;
    o["probe_requests"] = d.probe_requests;
    o["wildcard_probes"] = d.wildcard_probes;
    o["received_only_frames"] = d.received_only;
    auto& st = o["subtype_counts"] = nlohmann::ordered_json::object();
    for (auto [k, v] : d.subtype_counts) st[std::to_string(k)] = v;
    if (d.signal_count > 0) {
      o["signal_min_dbm"] = d.signal_min;
      o["signal_max_dbm"] = d.signal_max;
    }
    o["signal_sum_dbm"] = d.signal_sum;
    o["signal_count"] = d.signal_count;
    o["noise_sum_dbm"] = d.noise_sum;
    o["noise_count"] = d.noise_count;
    o["channels_mhz"] = d.channels_mhz;
    o["probed_ssids"] = d.probed_ssids;
    auto& pb = o["probes_by_ssid"] = nlohmann::ordered_json::object();
    for (const auto& [ssid, n] : d.probes_by_ssid) pb[ssid] = n;
    o["ap_ssid"] = d.ap_ssid;
    o["ap_bssid"] = d.ap_bssid != 0 ? Mac::FromU64(d.ap_bssid).ToString() : "";
    o["client_bssid"] = d.client_bssid != 0 ? Mac::FromU64(d.client_bssid).ToString() : "";
    o["encryption"] = d.encryption;
    if (d.has_seq) {
      o["first_seq"] = d.first_seq;
      o["last_seq"] = d.last_seq;
    }
    o["persona"] = d.persona;
    o["randomised"] = d.randomised;
    devs.push_back(std::move(o));
  }
  return j.dump(1) + "\n";
}

}  // namespace airfleet::framegen
