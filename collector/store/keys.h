#pragma once

// Key layout of the RocksDB store's column families. Integers are big-endian so that byte order is
// numeric order; signed times have their sign bit flipped for the same reason.
//
//   windows: mac(8) | window_start(8) | agent_id          -> DeviceWindow (time-ordered per device)
//   probes:  mac(8) | window_start(8) | len(1) | agent_id | ssid -> ProbeObservation
//   streams: len(1) | agent_id | stream_id(8)             -> StreamState (4 x u64)
//   devices: mac(8)                                       -> DeviceInfo
//   agents:  agent_id                                     -> AgentInfo
//
// Agent ids are at most 255 bytes (certificate CNs are at most 64).

#include <cstdint>
#include <string>
#include <string_view>

namespace airfleet::collector::keys {

inline constexpr size_t kMaxAgentIdLength = 255;

void AppendU64(std::string* out, uint64_t v);
uint64_t ReadU64(const char* p);
inline uint64_t TimeToKey(int64_t t) { return static_cast<uint64_t>(t) ^ (uint64_t{1} << 63); }
inline int64_t KeyToTime(uint64_t k) { return static_cast<int64_t>(k ^ (uint64_t{1} << 63)); }

std::string DeviceKey(uint64_t mac);
std::string WindowKey(uint64_t mac, int64_t window_start_ns, std::string_view agent_id);
std::string ProbeKey(uint64_t mac, int64_t window_start_ns, std::string_view agent_id,
                     std::string_view ssid);
std::string StreamKey(std::string_view agent_id, uint64_t stream_id);

// The same keys appended to `out`, so the commit path can reuse one buffer per key instead of
// allocating a string per stored record.
void AppendDeviceKey(std::string* out, uint64_t mac);
void AppendWindowKey(std::string* out, uint64_t mac, int64_t window_start_ns,
                     std::string_view agent_id);
void AppendProbeKey(std::string* out, uint64_t mac, int64_t window_start_ns,
                    std::string_view agent_id, std::string_view ssid);

// Fields of a windows/probes key; false if the key is too short to be one.
struct WindowKeyParts {
  uint64_t mac = 0;
  int64_t window_start_ns = 0;
  std::string_view agent_id;  // windows keys only; points into the key
};
bool ParseWindowKey(std::string_view key, WindowKeyParts* parts);

}  // namespace airfleet::collector::keys
