#pragma once

// Entry point of the dissector: bytes of one captured packet + its linktype -> Frame.
// Pure: no I/O, no clock, no allocation, never throws, never reads outside `data`.

#include <cstddef>
#include <cstdint>

#include "agent/dissect/frame.h"

namespace airfleet::dissect {

struct DissectOptions {
  FcsMode fcs = FcsMode::kAuto;
  // Check the CRC-32 of frames that carry an FCS and flag mismatches as kBadFcs. Off by default,
  // as in Wireshark: Linux drivers already drop or flag (radiotap bad-FCS bit, PPI FCS-error bit)
  // frames that failed their check, and that flag is always honoured; while published captures
  // are often anonymised by rewriting MACs without fixing the FCS, which verification would turn
  // into total loss. kAuto's detection on headerless linktypes still uses the CRC.
  bool verify_fcs = false;
};

// True for the linktypes Dissect() understands.
bool IsSupportedLinktype(int linktype);

// Fills *out (reset first) and returns out->anomaly. timestamp/lengths of the record are the
// caller's to set; Dissect leaves timestamp_ns untouched and sets captured_len = len.
Anomaly Dissect(int linktype, const uint8_t* data, size_t len, const DissectOptions& options,
                Frame* out);

}  // namespace airfleet::dissect
