#include "common/pseudonym.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace airfleet::pseudonym {
namespace {

constexpr std::string_view kPeriodLabel = "airfleet/pseudonym/v1";
constexpr std::string_view kSsidLabel = "ssid:";

std::array<uint8_t, 32> Hmac(const uint8_t* key, size_t key_len, const uint8_t* data,
                             size_t data_len) {
  std::array<uint8_t, 32> out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key, static_cast<int>(key_len), data, data_len, out.data(), &len);
  return out;
}

}  // namespace

int64_t PeriodStart(int64_t t_ns, int64_t period_ns) {
  if (period_ns <= 0) return 0;
  int64_t rel = t_ns - kPeriodAnchorNs;
  int64_t q = rel / period_ns;
  if (rel % period_ns < 0) --q;  // floor for times before the anchor
  return kPeriodAnchorNs + q * period_ns;
}

absl::StatusOr<PeriodKey> DerivePeriodKey(std::string_view file_key, int64_t period_start_ns) {
  if (file_key.size() < kMinKeyBytes) {
    return absl::InvalidArgumentError(absl::StrCat("the privacy key is ", file_key.size(),
                                                   " bytes; at least ", kMinKeyBytes,
                                                   " are needed (e.g. head -c 32 /dev/urandom)"));
  }
  std::string message(kPeriodLabel);
  for (int shift = 56; shift >= 0; shift -= 8) {
    message.push_back(static_cast<char>((static_cast<uint64_t>(period_start_ns) >> shift) & 0xff));
  }
  PeriodKey key;
  key.period_start_ns = period_start_ns;
  key.bytes = Hmac(reinterpret_cast<const uint8_t*>(file_key.data()), file_key.size(),
                   reinterpret_cast<const uint8_t*>(message.data()), message.size());
  return key;
}

uint64_t PseudonymiseMac(const PeriodKey& key, uint64_t mac, bool keep_vendor_prefix) {
  if (mac == 0 || mac == 0xffffffffffffULL) return mac;
  uint8_t in[6];
  for (int i = 0; i < 6; ++i) in[i] = static_cast<uint8_t>(mac >> (8 * (5 - i)));
  const std::array<uint8_t, 32> h = Hmac(key.bytes.data(), key.bytes.size(), in, sizeof in);
  uint8_t out[6];
  const bool unicast_global = (in[0] & 0x03) == 0;
  if (keep_vendor_prefix && unicast_global) {
    out[0] = in[0];
    out[1] = in[1];
    out[2] = in[2];
    out[3] = h[0];
    out[4] = h[1];
    out[5] = h[2];
  } else {
    for (int i = 0; i < 6; ++i) out[i] = h[i];
    out[0] = static_cast<uint8_t>((h[0] & ~0x03) | (in[0] & 0x03));
  }
  uint64_t v = 0;
  for (uint8_t o : out) v = (v << 8) | o;
  return v;
}

std::string HashSsid(const PeriodKey& key, std::string_view ssid) {
  if (ssid.empty()) return "";
  std::string message(kSsidLabel);
  message.append(ssid);
  const std::array<uint8_t, 32> h =
      Hmac(key.bytes.data(), key.bytes.size(), reinterpret_cast<const uint8_t*>(message.data()),
           message.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(kSsidHashPrefix);
  for (int i = 0; i < 8; ++i) {
    out.push_back(kHex[h[i] >> 4]);
    out.push_back(kHex[h[i] & 0xf]);
  }
  return out;
}

absl::StatusOr<int64_t> ParseRotation(std::string_view text) {
  if (text == "never") return 0;
  if (text == "daily") return kNsPerDay;
  if (text == "weekly") return 7 * kNsPerDay;
  absl::Duration d;
  if (!absl::ParseDuration(std::string(text), &d) || d < absl::Minutes(1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--privacy-rotate '", std::string(text),
                     "' is not daily, weekly, never or a duration of at least 1m (e.g. 6h)"));
  }
  return absl::ToInt64Nanoseconds(d);
}

}  // namespace airfleet::pseudonym
