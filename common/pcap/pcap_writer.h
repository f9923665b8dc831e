#pragma once

// Capture-file encoders shared by the agent (capture rings, agent/rings/) and the frame generator
// (tools/framegen/): classic pcap (microsecond or nanosecond timestamps) and pcapng (section
// header, any number of interfaces with their own linktype and timestamp resolution, enhanced
// packet blocks). Little-endian, as written by a little-endian host.
//
// Two shapes: PcapFileHeader()/EncodePcapRecordHeader() give the raw bytes for a writer that
// streams to a file (the ring writes each record with one writev), and PcapWriter/PcapngWriter
// keep a whole file in a std::string so tests can corrupt it (e.g. cut the last record) before
// saving it. One encoding for both, so a ring file and a generated file cannot drift apart.
//
// Not thread-safe. No I/O.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace airfleet::pcap {

enum class TimestampResolution { kMicro, kNano };

inline constexpr size_t kPcapFileHeaderSize = 24;
inline constexpr size_t kPcapRecordHeaderSize = 16;

// The 24-byte classic pcap file header (version 2.4, thiszone 0, sigfigs 0).
std::string PcapFileHeader(int linktype, TimestampResolution resolution, uint32_t snaplen = 65535);

// The 16-byte record header for a record of `captured_len` bytes at unix time `timestamp_ns`
// (floored to the resolution; 0 original_len means "same as captured_len") into `out`.
void EncodePcapRecordHeader(TimestampResolution resolution, int64_t timestamp_ns,
                            uint32_t captured_len, uint32_t original_len,
                            uint8_t out[kPcapRecordHeaderSize]);

class PcapWriter {
 public:
  PcapWriter(int linktype, TimestampResolution resolution, uint32_t snaplen = 65535);

  // Appends one record. original_len == 0 means "same as len". The timestamp is unix ns and is
  // truncated (floored) to the file's resolution.
  void Add(int64_t timestamp_ns, const uint8_t* data, size_t len, uint32_t original_len = 0);

  const std::string& data() const { return data_; }
  std::string* mutable_data() { return &data_; }
  size_t records() const { return records_; }

 private:
  TimestampResolution resolution_;
  std::string data_;
  size_t records_ = 0;
};

class PcapngWriter {
 public:
  PcapngWriter();  // writes the section header block

  // Adds an interface description block; returns its interface id (0, 1, ...).
  uint32_t AddInterface(int linktype, TimestampResolution resolution, uint32_t snaplen = 0,
                        std::string_view name = {});
  // Appends an enhanced packet block on interface `interface_id`.
  void Add(uint32_t interface_id, int64_t timestamp_ns, const uint8_t* data, size_t len,
           uint32_t original_len = 0);

  const std::string& data() const { return data_; }
  std::string* mutable_data() { return &data_; }

 private:
  std::string data_;
  std::string resolutions_;  // per interface: 'u' or 'n'
};

}  // namespace airfleet::pcap
