#pragma once

// Writes capture files in memory: classic pcap (microsecond or nanosecond timestamps) and pcapng
// (section header, any number of interfaces with their own linktype and timestamp resolution,
// enhanced packet blocks). Little-endian, as written by a little-endian host. The whole file is
// kept in a std::string so tests can corrupt it (e.g. cut the last record) before saving it.
//
// Not thread-safe. No I/O except WriteFile().

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace airfleet::framegen {

enum class TimestampResolution { kMicro, kNano };

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

// Writes bytes to path (replacing it).
absl::Status WriteFile(const std::string& path, std::string_view bytes);

}  // namespace airfleet::framegen
