#include "agent/dissect/dissector.h"

#include <zlib.h>

#include "agent/dissect/ieee80211.h"
#include "agent/dissect/radio_header.h"

namespace airfleet::dissect {
namespace {

// Smallest 802.11 frame (ACK/CTS: frame control, duration, addr1) plus an FCS.
constexpr size_t kMinFrameWithFcs = 10 + 4;

uint32_t ReadLe32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

bool FcsMatches(const uint8_t* frame, size_t len_with_fcs) {
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, frame, static_cast<uInt>(len_with_fcs - 4));
  return static_cast<uint32_t>(crc) == ReadLe32(frame + len_with_fcs - 4);
}

Anomaly First(Anomaly current, Anomaly next) { return current != Anomaly::kNone ? current : next; }

}  // namespace

bool IsSupportedLinktype(int linktype) {
  switch (linktype) {
    case kLinktypeIeee80211:
    case kLinktypePrism:
    case kLinktypeRadiotap:
    case kLinktypeAvs:
    case kLinktypePpi:
      return true;
    default:
      return false;
  }
}

Anomaly Dissect(int linktype, const uint8_t* data, size_t len, const DissectOptions& options,
                Frame* out) {
  const int64_t timestamp_ns = out->timestamp_ns;
  const uint32_t original_len = out->original_len;
  *out = Frame{};
  out->timestamp_ns = timestamp_ns;
  out->original_len = original_len;
  out->captured_len = static_cast<uint32_t>(len);

  size_t header_len = 0;
  Anomaly anomaly = Anomaly::kNone;
  // Radiotap and PPI state whether an FCS is present; the others leave it to the FCS setting.
  bool header_says_fcs = false;
  switch (linktype) {
    case kLinktypeRadiotap:
      anomaly = ParseRadiotap(data, len, &out->radio, &header_len);
      header_says_fcs = true;
      break;
    case kLinktypePpi:
      anomaly = ParsePpi(data, len, &out->radio, &header_len);
      header_says_fcs = true;
      break;
    case kLinktypePrism:
      anomaly = ParsePrism(data, len, &out->radio, &header_len);
      break;
    case kLinktypeAvs:
      anomaly = ParseAvs(data, len, &out->radio, &header_len);
      break;
    case kLinktypeIeee80211:
      break;
    default:
      out->anomaly = Anomaly::kUnsupportedLinktype;
      return out->anomaly;
  }
  // A radio header we could not size leaves nothing to dissect.
  if (anomaly != Anomaly::kNone && (header_len == 0 || header_len > len) &&
      linktype != kLinktypeIeee80211) {
    out->anomaly = anomaly;
    return anomaly;
  }
  if (anomaly == Anomaly::kPpiUnsupportedDlt) {
    out->anomaly = anomaly;
    return anomaly;
  }

  const uint8_t* frame = data + header_len;
  size_t frame_len = len - header_len;

  // A record cut by the snap length has lost its tail, FCS included.
  const bool snapped = original_len > len;
  bool has_fcs = false;
  if (header_says_fcs) {
    has_fcs = out->radio.fcs_at_end;
  } else if (options.fcs == FcsMode::kPresent) {
    has_fcs = true;
  } else if (options.fcs == FcsMode::kAuto) {
    has_fcs = !snapped && frame_len >= kMinFrameWithFcs && FcsMatches(frame, frame_len);
  }
  if (has_fcs && !snapped) {
    if (frame_len < 4) {
      anomaly = First(anomaly, Anomaly::kFcsTruncated);
    } else {
      if (out->radio.bad_fcs || (options.verify_fcs && !FcsMatches(frame, frame_len))) {
        anomaly = First(anomaly, Anomaly::kBadFcs);
      }
      frame_len -= 4;
      out->has_fcs = true;
    }
  } else if (out->radio.bad_fcs) {
    anomaly = First(anomaly, Anomaly::kBadFcs);
  }

  out->mac_frame = frame;
  out->mac_frame_len = static_cast<uint32_t>(frame_len);
  anomaly = First(anomaly, ParseMacFrame(frame, frame_len, out));
  out->anomaly = anomaly;
  return anomaly;
}

}  // namespace airfleet::dissect
