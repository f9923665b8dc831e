// libFuzzer target: the capture-file reader over arbitrary bytes from memory. Reads every record,
// touches every byte it returns (so ASan sees over-reads), then resumes at a record position.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "agent/capture/capture_file_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using airfleet::capture::CaptureFileReader;
  using airfleet::capture::MemoryByteInput;
  using airfleet::capture::Packet;
  std::span<const uint8_t> bytes(data, size);
  auto reader = CaptureFileReader::FromInput(std::make_unique<MemoryByteInput>(bytes), "fuzz");
  if (!reader.ok()) return 0;
  Packet p;
  uint64_t resume = 0;
  unsigned sum = 0;
  for (int i = 0; i < 10000; ++i) {
    auto got = (*reader)->Next(&p);
    if (!got.ok() || !*got) break;
    for (uint32_t j = 0; j < p.captured_len; ++j) sum += p.data[j];
    if (i == 1) resume = p.position;
  }
  if (resume != 0 && (*reader)->Seek(resume).ok()) {
    while (true) {
      auto got = (*reader)->Next(&p);
      if (!got.ok() || !*got) break;
      if (p.captured_len) sum += p.data[p.captured_len - 1];
    }
  }
  return static_cast<int>(sum & 0);
}
