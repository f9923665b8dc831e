#include "common/mac.h"

namespace airfleet {
namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<Mac> Mac::Parse(std::string_view text) {
  Mac m;
  size_t pos = 0;
  for (int i = 0; i < 6; ++i) {
    if (i > 0 && pos < text.size() && (text[pos] == ':' || text[pos] == '-')) ++pos;
    if (pos + 2 > text.size()) return std::nullopt;
    int hi = HexValue(text[pos]), lo = HexValue(text[pos + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    m.octets[i] = static_cast<uint8_t>(hi << 4 | lo);
    pos += 2;
  }
  if (pos != text.size()) return std::nullopt;
  return m;
}

void Mac::Format(char* out) const {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 6; ++i) {
    out[i * 3] = kHex[octets[i] >> 4];
    out[i * 3 + 1] = kHex[octets[i] & 0xf];
    if (i < 5) out[i * 3 + 2] = ':';
  }
}

std::string Mac::ToString() const {
  std::string s(17, '\0');
  Format(s.data());
  return s;
}

}  // namespace airfleet
