#include "agent/capture/linktype.h"

#include "absl/strings/str_cat.h"

namespace airfleet::capture {

const char* LinktypeName(int linktype) {
  switch (linktype) {
    case 0:
      return "BSD loopback";
    case 1:
      return "Ethernet";
    case 101:
      return "raw IP";
    case 105:
      return "IEEE 802.11";
    case 113:
      return "Linux cooked";
    case 119:
      return "802.11 Prism";
    case 127:
      return "802.11 radiotap";
    case 163:
      return "802.11 AVS";
    case 192:
      return "PPI";
    case 228:
      return "IPv4";
    case 229:
      return "IPv6";
    case 276:
      return "Linux cooked v2";
    default:
      return "unknown";
  }
}

std::string UnsupportedLinktypeMessage(const std::string& name, int linktype,
                                       const std::function<bool(int)>& is_supported,
                                       const std::string& where) {
  // Linktypes are 16 bits: asking the predicate about each keeps the list in one place.
  std::string supported;
  for (int lt = 0; lt <= 0xFFFF; ++lt) {
    if (is_supported(lt)) absl::StrAppend(&supported, supported.empty() ? "" : ", ", lt);
  }
  return absl::StrCat(name, ": linktype ", linktype, " (", LinktypeName(linktype),
                      ") is not an 802.11 linktype; supported: ", supported,
                      where.empty() ? "" : " (", where, where.empty() ? "" : ")");
}

}  // namespace airfleet::capture
