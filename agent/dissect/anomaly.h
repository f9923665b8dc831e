#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace airfleet::dissect {

// Everything that can be wrong with a captured frame. Each one has a stable snake_case name that
// appears in `inspect` output, in agent health (CaptureStats.anomalies) and in metrics, so names
// are never reused or renamed. A frame carries at most one anomaly: the first one found.
enum class Anomaly : uint8_t {
  kNone = 0,
  kUnsupportedLinktype,     // the capture's linktype is not an 802.11 one
  kRadiotapTruncated,       // fewer bytes than the radiotap header or its length field claims
  kRadiotapBadVersion,      // radiotap version is not 0
  kRadiotapBadLength,       // it_len smaller than the fixed header / the present words
  kRadiotapFieldOverrun,    // a present field runs past it_len
  kRadiotapUnknownField,    // a present bit we cannot size; later fields are skipped
  kPpiTruncated,            // PPI header or field list cut short
  kPpiBadLength,            // pph_len / field length inconsistent
  kPpiUnsupportedDlt,       // PPI wraps something other than 802.11
  kPrismTruncated,          // Prism (DLT 119) header cut short
  kAvsTruncated,            // AVS (DLT 163) header cut short or bad length
  kMacHeaderTruncated,      // fewer bytes than the 802.11 header for this type needs
  kFcsTruncated,            // FCS announced but the frame is shorter than 4 bytes
  kBadFcs,                  // FCS does not match, or the radio header flags it as bad
  kBodyTruncated,           // management fixed parameters cut short
  kElementOverrun,          // an information element's length runs past the body
  kElementMalformed,        // an element shorter than its fixed part (e.g. RSN, HT caps)
  kReservedFrameType,       // frame type/subtype that the standard reserves
  kCount
};

inline constexpr std::array<std::string_view, static_cast<size_t>(Anomaly::kCount)> kAnomalyNames = {
    "none",
    "unsupported_linktype",
    "radiotap_truncated",
    "radiotap_bad_version",
    "radiotap_bad_length",
    "radiotap_field_overrun",
    "radiotap_unknown_field",
    "ppi_truncated",
    "ppi_bad_length",
    "ppi_unsupported_dlt",
    "prism_truncated",
    "avs_truncated",
    "mac_header_truncated",
    "fcs_truncated",
    "bad_fcs",
    "body_truncated",
    "element_overrun",
    "element_malformed",
    "reserved_frame_type",
};

inline std::string_view AnomalyName(Anomaly a) {
  auto i = static_cast<size_t>(a);
  return i < kAnomalyNames.size() ? kAnomalyNames[i] : "unknown";
}

// Per-anomaly counters; cheap enough to bump on the hot path.
struct AnomalyCounters {
  std::array<uint64_t, static_cast<size_t>(Anomaly::kCount)> counts{};
  void Add(Anomaly a) { ++counts[static_cast<size_t>(a)]; }
  uint64_t Get(Anomaly a) const { return counts[static_cast<size_t>(a)]; }
};

}  // namespace airfleet::dissect
