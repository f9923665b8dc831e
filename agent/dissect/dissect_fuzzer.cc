// libFuzzer target for the whole dissector. The first input byte picks the linktype and FCS mode so
// one corpus covers every header path; the rest is the packet. Seeds: tests/fuzz/seed_dissect/.
#include <cstddef>
#include <cstdint>

#include "agent/dissect/dissector.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace airfleet::dissect;
  if (size < 1) return 0;
  static constexpr int kLinktypes[] = {kLinktypeRadiotap, kLinktypeIeee80211, kLinktypePpi,
                                       kLinktypePrism, kLinktypeAvs};
  const uint8_t selector = data[0];
  DissectOptions options;
  options.fcs = static_cast<FcsMode>((selector >> 4) % 3);
  options.verify_fcs = (selector & 0x80) != 0;
  Frame frame;
  frame.original_len = (selector & 0x08) ? static_cast<uint32_t>(size + 16) : 0;
  Dissect(kLinktypes[selector % 5], data + 1, size - 1, options, &frame);
  // Touch what the summariser reads so out-of-bounds pointers would be caught here.
  volatile uint8_t sink = 0;
  if (frame.has_elements && frame.elements.has_ssid) {
    for (int i = 0; i < frame.elements.ssid_len; ++i) sink ^= frame.elements.ssid[i];
  }
  for (uint32_t i = 0; i < frame.mac_frame_len; ++i) sink ^= frame.mac_frame[i];
  (void)sink;
  return 0;
}
