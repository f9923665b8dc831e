#include "collector/analytics/clusters.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

#include "common/mix64.h"

namespace airfleet::analytics {
namespace {

constexpr int64_t kUsToNs = 1000;

// Deterministic across builds and platforms (std::hash is not).
uint64_t ClusterId(uint64_t fingerprint, uint64_t first_mac, int64_t session_start_ns) {
  uint64_t h = 0x27D4EB2F165667C5ULL;
  for (uint64_t w : {fingerprint, first_mac, static_cast<uint64_t>(session_start_ns)}) {
    h = Mix64(h ^ w) * 0x9E3779B185EBCA87ULL;
  }
  h = Mix64(h);
  return h == 0 ? 1 : h;
}

int32_t FloorTo(int32_t v, int32_t step) {
  int32_t q = v / step;
  if (v % step != 0 && v < 0) --q;
  return q * step;
}

}  // namespace

// One MAC within one session of one fingerprint.
struct ClusterEngine::MacAgg {
  uint64_t mac = 0;
  int64_t first_ns = 0, last_ns = 0;
  uint32_t first_seq = 0, last_seq = 0;
  uint64_t probes = 0;
  int64_t signal_sum = 0;
  uint64_t signal_count = 0;
  std::vector<const Obs*> obs;
  double AverageSignal() const {
    return static_cast<double>(signal_sum) / static_cast<double>(signal_count);
  }
};

// A likely physical device being assembled from MACs.
struct ClusterEngine::Device {
  std::vector<const MacAgg*> macs;
  std::vector<double> mac_signals;  // per-MAC averages, for the running median
  int64_t last_ns = 0;
  const MacAgg* newest = nullptr;  // the MAC that started last
  uint32_t seq_links = 0;
  double median = 0;  // of mac_signals, updated when a MAC joins
  void AddSignal(double s) {
    mac_signals.insert(std::upper_bound(mac_signals.begin(), mac_signals.end(), s), s);
    const size_t n = mac_signals.size();
    median = n % 2 == 1 ? mac_signals[n / 2] : (mac_signals[n / 2 - 1] + mac_signals[n / 2]) / 2;
  }
};

ClusterEngine::ClusterEngine(ClusterOptions options) : options_(options) {}

void ClusterEngine::Add(const v1::ProbeObservation& p) {
  ++seen_;
  if (!IsRandomisedMac(p.mac()) || p.fingerprint() == 0 || p.count() == 0) return;
  ++randomised_;
  if (observations_.size() >= options_.max_observations) {
    ++dropped_;
    return;
  }
  Obs o;
  o.mac = p.mac();
  o.fingerprint = p.fingerprint();
  o.first_ns = p.window_start_ns() + static_cast<int64_t>(p.first_offset_us()) * kUsToNs;
  o.last_ns = p.window_start_ns() + static_cast<int64_t>(p.last_offset_us()) * kUsToNs;
  o.count = p.count();
  o.signal_min = p.signal_min_dbm();
  o.signal_max = p.signal_max_dbm();
  o.signal_sum = p.signal_sum_dbm();
  o.signal_count = p.signal_count();
  o.first_seq = p.first_seq();
  o.last_seq = p.last_seq();
  if (!p.ssid().empty()) {
    auto [it, fresh] = ssid_index_.try_emplace(p.ssid(), static_cast<int32_t>(ssids_.size()));
    if (fresh) ssids_.push_back(p.ssid());
    o.ssid = it->second;
  }
  observations_.push_back(o);
}

v1::ListClustersResponse ClusterEngine::Finish() {
  v1::ListClustersResponse out;
  out.set_observations(seen_);
  out.set_randomised_observations(randomised_);
  out.set_observations_dropped(dropped_);

  std::vector<const Obs*> order;
  order.reserve(observations_.size());
  for (const Obs& o : observations_) order.push_back(&o);
  // Fingerprint, then time; the MAC and SSID break ties so the input order never matters.
  std::sort(order.begin(), order.end(), [](const Obs* a, const Obs* b) {
    return std::tie(a->fingerprint, a->first_ns, a->mac, a->ssid, a->last_ns) <
           std::tie(b->fingerprint, b->first_ns, b->mac, b->ssid, b->last_ns);
  });
  {
    std::vector<uint64_t> macs;
    macs.reserve(observations_.size());
    for (const Obs& o : observations_) macs.push_back(o.mac);
    std::sort(macs.begin(), macs.end());
    out.set_randomised_macs(
        static_cast<uint64_t>(std::unique(macs.begin(), macs.end()) - macs.begin()));
  }

  std::vector<const Obs*> session;
  int64_t session_last = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    const Obs* o = order[i];
    const bool new_session = session.empty() || o->fingerprint != session.front()->fingerprint ||
                             o->first_ns > session_last + options_.session_gap_ns;
    if (new_session && !session.empty()) {
      ClusterSession(session, &out);
      session.clear();
    }
    if (session.empty()) session_last = o->last_ns;
    session.push_back(o);
    session_last = std::max(session_last, o->last_ns);
  }
  if (!session.empty()) ClusterSession(session, &out);

  std::sort(out.mutable_clusters()->begin(), out.mutable_clusters()->end(),
            [](const v1::ProbeCluster& a, const v1::ProbeCluster& b) {
              return std::make_pair(a.first_seen_ns(), a.id()) <
                     std::make_pair(b.first_seen_ns(), b.id());
            });
  return out;
}

void ClusterEngine::ClusterSession(const std::vector<const Obs*>& session,
                                   v1::ListClustersResponse* out) {
  const int64_t session_start = session.front()->first_ns;
  // Aggregate per MAC; `session` is in time order, so the first observation of a MAC gives its
  // first sequence number and the one that ends last its last.
  std::vector<MacAgg> macs;
  absl::flat_hash_map<uint64_t, size_t> index;
  for (const Obs* o : session) {
    auto [it, fresh] = index.try_emplace(o->mac, macs.size());
    if (fresh) {
      MacAgg& m = macs.emplace_back();
      m.mac = o->mac;
      m.first_ns = o->first_ns;
      m.last_ns = o->last_ns;
      m.first_seq = o->first_seq;
      m.last_seq = o->last_seq;
    }
    MacAgg& m = macs[it->second];
    if (o->last_ns >= m.last_ns) {
      m.last_ns = o->last_ns;
      m.last_seq = o->last_seq;
    }
    m.probes += o->count;
    m.signal_sum += o->signal_sum;
    m.signal_count += o->signal_count;
    m.obs.push_back(o);
  }
  // `macs` is already in order of first probe (the session is time-ordered).

  std::vector<Device> devices;
  // Devices that may still take a MAC (indexes into `devices`): one silent for longer than the
  // session gap is closed, which also keeps a busy session's matching linear in its open devices.
  std::vector<size_t> open;
  for (const MacAgg& m : macs) {
    open.erase(std::remove_if(open.begin(), open.end(),
                              [&](size_t i) {
                                return devices[i].last_ns + options_.session_gap_ns < m.first_ns;
                              }),
               open.end());
    Device* chosen = nullptr;
    bool by_seq = false;
    // a. sequence continuity
    uint32_t best_delta = std::numeric_limits<uint32_t>::max();
    for (size_t i : open) {
      Device& d = devices[i];
      const MacAgg* prev = d.newest;
      if (prev->last_ns > m.first_ns + options_.seq_overlap_ns) continue;
      const uint32_t delta = (m.first_seq - prev->last_seq) & 0x0fff;
      if (delta >= 1 && delta <= options_.seq_gap && delta < best_delta) {
        best_delta = delta;
        chosen = &d;
        by_seq = true;
      }
    }
    // b. signal / c. no signal
    if (chosen == nullptr) {
      if (m.signal_count > 0) {
        double best = options_.signal_tolerance_db;
        for (size_t i : open) {
          Device& d = devices[i];
          if (d.mac_signals.empty()) continue;
          if (options_.one_mac_at_a_time &&
              d.newest->last_ns > m.first_ns + options_.seq_overlap_ns) {
            continue;
          }
          const double diff = std::fabs(d.median - m.AverageSignal());
          // Ties go to the older device (strict < once one is chosen).
          if (diff < best || (chosen == nullptr && diff <= best)) {
            best = diff;
            chosen = &d;
          }
        }
      } else {
        for (size_t i : open) {
          if (chosen == nullptr || devices[i].last_ns > chosen->last_ns) chosen = &devices[i];
        }
      }
    }
    if (chosen == nullptr) {
      open.push_back(devices.size());
      chosen = &devices.emplace_back();
    }
    chosen->macs.push_back(&m);
    if (m.signal_count > 0) chosen->AddSignal(m.AverageSignal());
    chosen->last_ns = std::max(chosen->last_ns, m.last_ns);
    chosen->newest = &m;
    if (by_seq) ++chosen->seq_links;
  }

  for (const Device& d : devices) {
    if (d.macs.size() < options_.min_macs) {
      out->set_groups_below_min_macs(out->groups_below_min_macs() + 1);
      continue;
    }
    v1::ProbeCluster& c = *out->add_clusters();
    c.set_fingerprint(session.front()->fingerprint);
    c.set_session_start_ns(session_start);
    c.set_seq_links(d.seq_links);
    int64_t first = std::numeric_limits<int64_t>::max(), last = std::numeric_limits<int64_t>::min();
    uint64_t probes = 0, wildcard = 0;
    std::vector<const Obs*> all;
    std::map<int32_t, uint64_t> histogram;
    for (const MacAgg* m : d.macs) {
      c.add_macs(m->mac);
      for (const Obs* o : m->obs) all.push_back(o);
    }
    std::sort(all.begin(), all.end(), [](const Obs* a, const Obs* b) {
      return std::tie(a->first_ns, a->mac, a->ssid) < std::tie(b->first_ns, b->mac, b->ssid);
    });
    std::vector<bool> ssid_seen(ssids_.size(), false);
    for (const Obs* o : all) {
      first = std::min(first, o->first_ns);
      last = std::max(last, o->last_ns);
      probes += o->count;
      if (o->ssid < 0) {
        wildcard += o->count;
      } else if (!ssid_seen[static_cast<size_t>(o->ssid)]) {
        ssid_seen[static_cast<size_t>(o->ssid)] = true;
        c.add_probed_ssids(ssids_[static_cast<size_t>(o->ssid)]);
      }
      if (o->signal_count > 0) {
        if (!c.has_signal() || o->signal_min < c.signal_min_dbm())
          c.set_signal_min_dbm(o->signal_min);
        if (!c.has_signal() || o->signal_max > c.signal_max_dbm())
          c.set_signal_max_dbm(o->signal_max);
        c.set_has_signal(true);
        const double avg =
            static_cast<double>(o->signal_sum) / static_cast<double>(o->signal_count);
        const int32_t bucket =
            FloorTo(static_cast<int32_t>(std::floor(avg)), options_.histogram_bucket_db);
        histogram[bucket] += o->count;
      }
    }
    c.set_probes(probes);
    c.set_wildcard_probes(wildcard);
    c.set_first_seen_ns(first);
    c.set_last_seen_ns(last);
    for (const auto& [low, n] : histogram) {
      v1::SignalBucket& b = *c.add_signal_histogram();
      b.set_low_dbm(low);
      b.set_probes(n);
    }
    c.set_id(ClusterId(c.fingerprint(), c.macs(0), session_start));
  }
}

}  // namespace airfleet::analytics
