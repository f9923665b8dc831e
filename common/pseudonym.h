#pragma once

// The ONE definition of how airfleet pseudonymises addresses and SSIDs (privacy at the edge,
// docs/privacy.md). The agent applies it before summaries reach its spool; the collector applies
// it to the known-device registry so known devices still match. Pure: no I/O, no clock.
//
// Keys:
//  * The operator's key is the exact bytes of a key file (at least kMinKeyBytes; no trimming, so
//    `head -c 32 /dev/urandom > key` and `openssl rand -hex 32 > key` both work as written).
//  * Rotation needs no new file: the key used for a rotation period is
//      period_key = HMAC-SHA256(file_key, "airfleet/pseudonym/v1" || int64_be(period_start_ns))
//    Periods are aligned to Monday 1970-01-05 00:00 UTC, so "daily" starts at 00:00 UTC and
//    "weekly" on Mondays 00:00 UTC. No rotation ("never") is the single period starting at 0.
//
// Addresses (48-bit, wire form of summary.proto):
//  * h = HMAC-SHA256(period_key, the 6 address octets); the pseudonym is the first 6 octets of h,
//    then the locally administered bit (0x02) and the group bit (0x01) of the first octet are set
//    back to those of the real address, so randomised MACs still look randomised and a pseudonym
//    never turns into a group address.
//  * With keep_vendor_prefix, a globally administered unicast address keeps its 3-octet OUI and
//    only its last 3 octets become h[0..2] (vendor lookups still work; 24 bits of pseudonym).
//  * Zero (the wire's "none") and broadcast ff:ff:ff:ff:ff:ff are kept: they name no device.
//    Other group addresses ARE pseudonymised (group bit kept): IPv6 multicast 33:33:ff:xx:xx:xx
//    carries the low 24 bits of an address that SLAAC may have derived from a device MAC.
//
// SSIDs (hash mode): "hmac:" + 16 lower-case hex digits of HMAC-SHA256(period_key, "ssid:" ||
// ssid) — 21 bytes, still a bytes field on the wire, readable in every tool and visibly not the
// network's name. The empty (wildcard) SSID stays empty: it names nothing and marks wildcards.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace airfleet::pseudonym {

inline constexpr size_t kMinKeyBytes = 16;
inline constexpr int64_t kNsPerDay = 86'400'000'000'000;
// Monday 1970-01-05 00:00 UTC, the anchor of every rotation period.
inline constexpr int64_t kPeriodAnchorNs = 4 * kNsPerDay;
inline constexpr std::string_view kSsidHashPrefix = "hmac:";

// The key of one rotation period.
struct PeriodKey {
  int64_t period_start_ns = 0;
  std::array<uint8_t, 32> bytes{};
};

// Start of the rotation period holding `t_ns`; 0 when period_ns == 0 (no rotation).
int64_t PeriodStart(int64_t t_ns, int64_t period_ns);

// INVALID_ARGUMENT when `file_key` is shorter than kMinKeyBytes.
absl::StatusOr<PeriodKey> DerivePeriodKey(std::string_view file_key, int64_t period_start_ns);

// See the header comment. `mac` is the 48-bit wire form.
uint64_t PseudonymiseMac(const PeriodKey& key, uint64_t mac, bool keep_vendor_prefix);

// "hmac:" + 16 hex digits; "" stays "".
std::string HashSsid(const PeriodKey& key, std::string_view ssid);

// "daily", "weekly", "never" (0) or an absl duration ("6h", "30m") of at least one minute.
absl::StatusOr<int64_t> ParseRotation(std::string_view text);

}  // namespace airfleet::pseudonym
