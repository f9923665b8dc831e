#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace airfleet {

// A 48-bit IEEE MAC address. Trivially copyable so frames can hold several without allocating.
struct Mac {
  std::array<uint8_t, 6> octets{};

  static Mac FromBytes(const uint8_t* p) {
    Mac m;
    for (int i = 0; i < 6; ++i) m.octets[i] = p[i];
    return m;
  }
  // The wire form (see proto/airfleet/v1/summary.proto): first octet most significant.
  static Mac FromU64(uint64_t v) {
    Mac m;
    for (int i = 5; i >= 0; --i) {
      m.octets[i] = static_cast<uint8_t>(v & 0xff);
      v >>= 8;
    }
    return m;
  }
  // Parses "aa:bb:cc:dd:ee:ff" (also '-' separated or 12 bare hex digits), any case.
  static std::optional<Mac> Parse(std::string_view text);

  uint64_t ToU64() const {
    uint64_t v = 0;
    for (uint8_t o : octets) v = (v << 8) | o;
    return v;
  }
  // Lower-case colon hex, as Wireshark prints it.
  std::string ToString() const;
  // Writes the 17 characters of ToString() into out (no terminator); no allocation.
  void Format(char* out) const;

  // Group (multicast/broadcast) addresses are never devices.
  bool IsGroup() const { return (octets[0] & 0x01) != 0; }
  // Locally administered: how randomised MACs present themselves.
  bool IsLocallyAdministered() const { return (octets[0] & 0x02) != 0; }
  bool IsBroadcast() const { return ToU64() == 0xffffffffffffULL; }
  bool IsZero() const { return ToU64() == 0; }

  friend bool operator==(const Mac& a, const Mac& b) { return a.octets == b.octets; }
  friend bool operator!=(const Mac& a, const Mac& b) { return !(a == b); }
  friend bool operator<(const Mac& a, const Mac& b) { return a.octets < b.octets; }
  template <typename H>
  friend H AbslHashValue(H h, const Mac& m) {
    return H::combine(std::move(h), m.ToU64());
  }
};

}  // namespace airfleet
