#pragma once

// In-memory capture corpora for the benchmarks, built by the scenario generator (a realistic
// mix: ~30% beacons, ~20% probe requests, ~25% data, ~15% ACK/CTS, the rest probe responses,
// RTS, block acks, authentication/association; radiotap with FCS). Records are packed into one
// contiguous buffer, as a capture ring would hold them.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace airfleet::bench {

struct CorpusRecord {
  int64_t timestamp_ns;
  uint32_t offset;        // into Corpus::data
  uint32_t captured_len;  // bytes present
  uint32_t original_len;  // bytes on air (> captured_len when snapped)
};

struct Corpus {
  std::vector<uint8_t> data;
  std::vector<CorpusRecord> records;
  int64_t span_ns = 0;  // last timestamp - first, rounded up to whole minutes
};

// frames frames from `devices` devices over 300 s. snaplen > 0 cuts records to that many bytes
// (what an agent capturing headers only would see).
Corpus BuildCorpus(int devices, int frames, uint32_t snaplen = 0);

}  // namespace airfleet::bench
