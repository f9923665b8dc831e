#include "collector/store/keys.h"

namespace airfleet::collector::keys {

void AppendU64(std::string* out, uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out->append(buf, 8);
}

uint64_t ReadU64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

void AppendDeviceKey(std::string* out, uint64_t mac) { AppendU64(out, mac); }

void AppendWindowKey(std::string* out, uint64_t mac, int64_t window_start_ns,
                     std::string_view agent_id) {
  AppendU64(out, mac);
  AppendU64(out, TimeToKey(window_start_ns));
  out->append(agent_id);
}

void AppendProbeKey(std::string* out, uint64_t mac, int64_t window_start_ns,
                    std::string_view agent_id, std::string_view ssid) {
  AppendU64(out, mac);
  AppendU64(out, TimeToKey(window_start_ns));
  out->push_back(static_cast<char>(agent_id.size()));
  out->append(agent_id);
  out->append(ssid);
}

std::string DeviceKey(uint64_t mac) {
  std::string k;
  AppendDeviceKey(&k, mac);
  return k;
}

std::string WindowKey(uint64_t mac, int64_t window_start_ns, std::string_view agent_id) {
  std::string k;
  k.reserve(16 + agent_id.size());
  AppendWindowKey(&k, mac, window_start_ns, agent_id);
  return k;
}

std::string ProbeKey(uint64_t mac, int64_t window_start_ns, std::string_view agent_id,
                     std::string_view ssid) {
  std::string k;
  k.reserve(17 + agent_id.size() + ssid.size());
  AppendProbeKey(&k, mac, window_start_ns, agent_id, ssid);
  return k;
}

std::string StreamKey(std::string_view agent_id, uint64_t stream_id) {
  std::string k;
  k.push_back(static_cast<char>(agent_id.size()));
  k.append(agent_id);
  AppendU64(&k, stream_id);
  return k;
}

bool ParseWindowKey(std::string_view key, WindowKeyParts* parts) {
  if (key.size() < 16) return false;
  parts->mac = ReadU64(key.data());
  parts->window_start_ns = KeyToTime(ReadU64(key.data() + 8));
  parts->agent_id = key.substr(16);
  return true;
}

}  // namespace airfleet::collector::keys
