#pragma once

// Fully populated records of every kind, shared by the unit tests, the server test and the
// benchmark. Values are chosen by hand so expected document fields can be written down
// independently (MAC 0x0211223344aa -> "02:11:22:33:44:aa", 2026-11-23T10:00:00Z, ...).

#include <cstdint>
#include <vector>

#include "collector/sinks/sink.h"

namespace airfleet::collector::sinks::elasticsearch::testing {

// 2026-11-23T10:00:00Z in unix ns.
inline constexpr int64_t kNov23_10h = 1795428000LL * 1'000'000'000;

inline WindowRecord FullWindow(uint64_t mac = 0x0211223344aaULL, int64_t start = kNov23_10h) {
  WindowRecord r;
  r.agent_id = "pi-01";
  r.agent_location = GeoPoint{52.52, 13.405};
  auto& w = r.window;
  w.set_mac(mac);
  w.set_window_start_ns(start);
  w.set_window_ms(60000);
  w.set_first_offset_us(1500);
  w.set_last_offset_us(59'000'000);
  w.set_frames(12);
  w.set_bytes(3400);
  w.set_retries(2);
  w.add_subtype_keys(0x04);  // mgmt probe request
  w.add_subtype_counts(3);
  w.add_subtype_keys(0x28);  // data QoS data
  w.add_subtype_counts(9);
  w.set_signal_min_dbm(-70);
  w.set_signal_max_dbm(-40);
  w.set_signal_sum_dbm(-130);
  w.set_signal_count(3);
  w.set_noise_sum_dbm(-190);
  w.set_noise_count(2);
  w.add_channels_mhz(2412);
  w.add_channels_mhz(2437);
  w.add_probed_ssids("home");
  w.add_probed_ssids(std::string("\xff\xfe", 2));
  w.set_probe_requests(3);
  w.set_wildcard_probes(1);
  w.set_client_bssid(0x001122334455ULL);
  w.set_encryption(8);
  w.set_probe_fingerprint(0xfedcba9876543210ULL);
  w.set_first_seq(10);
  w.set_last_seq(99);
  w.set_has_seq(true);
  w.set_randomised(true);
  w.set_data_frames(9);
  return r;
}

inline ProbeRecord FullProbe() {
  ProbeRecord r;
  r.agent_id = "pi-01";
  auto& p = r.probe;
  p.set_mac(0x0211223344aaULL);
  p.set_window_start_ns(kNov23_10h);
  p.set_ssid("café");
  p.set_count(4);
  p.set_first_offset_us(2000);
  p.set_last_offset_us(3000);
  p.set_signal_min_dbm(-60);
  p.set_signal_max_dbm(-50);
  p.set_signal_sum_dbm(-220);
  p.set_signal_count(4);
  p.set_fingerprint(0x1234);
  p.add_destinations(0xffffffffffffULL);
  p.add_channels_mhz(2412);
  p.set_first_seq(5);
  p.set_last_seq(8);
  return r;
}

inline DeviceRecord FullDevice() {
  DeviceRecord r;
  auto& d = r.device;
  d.set_mac(0x001122334455ULL);
  d.set_first_seen_ns(kNov23_10h - 3600LL * 1'000'000'000);
  d.set_last_seen_ns(kNov23_10h);
  d.set_frames(500);
  d.set_probe_requests(7);
  d.set_ap_ssid("office");
  d.add_probed_ssids("office");
  d.set_signal_min_dbm(-80);
  d.set_signal_max_dbm(-30);
  d.set_has_signal(true);
  auto* s = d.add_sightings();
  s->set_agent_id("pi-01");
  s->set_last_seen_ns(kNov23_10h);
  s->set_last_signal_dbm(-45);
  s->set_has_signal(true);
  s->set_frames(500);
  d.add_channels_mhz(5180);
  d.set_probe_fingerprint(0xabc);
  d.set_vendor("Raspberry Pi Trading Ltd");
  d.set_known(static_cast<v1::KnownKind>(1));
  d.set_name("front door camera");
  return r;
}

inline AgentRecord FullAgent() {
  AgentRecord r;
  r.location = GeoPoint{48.1, 11.6};
  auto& a = r.agent;
  a.set_agent_id("pi-01");
  a.set_peer_address("10.0.0.5:51000");
  a.set_version("0.1.0");
  a.set_first_seen_ns(kNov23_10h - 86400LL * 1'000'000'000);
  a.set_last_seen_ns(kNov23_10h);
  a.set_connected(true);
  a.set_batches(100);
  a.set_summaries(4000);
  a.set_stream_id(0xdeadbeefcafef00dULL);
  a.set_committed_sequence(99);
  auto* h = a.mutable_last_health();
  h->set_time_ns(kNov23_10h);
  h->mutable_capture()->set_received(100000);
  h->mutable_capture()->set_dropped_kernel(3);
  h->set_spool_batches(2);
  h->set_spool_bytes(4096);
  h->set_oldest_unsent_age_ms(1500);
  auto* l = h->add_losses();
  l->set_batches(4);
  l->set_summaries(40);
  h->set_version("0.1.0");
  return r;
}

inline AgentEventRecord FullEvent() {
  AgentEventRecord r;
  r.agent_id = "pi-01";
  r.time_ns = kNov23_10h + 5'000'000'000;
  r.kind = "loss";
  r.loss.set_batches(4);
  r.loss.set_summaries(40);
  r.loss.set_first_sequence(10);
  r.loss.set_last_sequence(13);
  r.loss.set_first_window_ns(kNov23_10h - 240LL * 1'000'000'000);
  r.loss.set_last_window_ns(kNov23_10h - 60LL * 1'000'000'000);
  r.loss.set_reason("spool_quota");
  r.loss.set_recorded_ns(kNov23_10h);
  return r;
}

inline std::vector<Record> OneOfEachKind() {
  return {FullWindow(), FullProbe(), FullDevice(), FullAgent(), FullEvent()};
}

}  // namespace airfleet::collector::sinks::elasticsearch::testing
