#pragma once

// Test helper: builds pcap and pcapng bytes by hand, in either byte order, straight from the
// format specifications, so reader tests compare against what was written, not against the
// reader. Records where each block/record starts and ends.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace airfleet::capture::testing {

class ByteWriter {
 public:
  explicit ByteWriter(bool big_endian) : big_endian_(big_endian) {}
  void U8(uint8_t v) { bytes_.push_back(v); }
  void U16(uint16_t v);
  void U32(uint32_t v);
  void U64(uint64_t v);
  void Bytes(const std::vector<uint8_t>& v) { bytes_.insert(bytes_.end(), v.begin(), v.end()); }
  void Pad4() {
    while (bytes_.size() % 4) bytes_.push_back(0);
  }
  void PatchU32(size_t at, uint32_t v);
  std::vector<uint8_t>& bytes() { return bytes_; }
  bool big_endian() const { return big_endian_; }

 private:
  bool big_endian_;
  std::vector<uint8_t> bytes_;
};

struct TestRecord {
  TestRecord(uint32_t sec = 0, uint32_t frac = 0, std::vector<uint8_t> bytes = {},
             std::optional<uint32_t> orig = std::nullopt)
      : ts_sec(sec), ts_frac(frac), data(std::move(bytes)), orig_len(orig) {}
  uint32_t ts_sec = 0;
  uint32_t ts_frac = 0;  // microseconds or nanoseconds per the magic
  std::vector<uint8_t> data;
  std::optional<uint32_t> orig_len;  // default data.size()
  std::optional<uint32_t> caplen;    // default data.size() (to write lies)
};

struct PcapFile {
  std::vector<uint8_t> bytes;
  std::vector<size_t> record_end;  // byte offset just past each record
};

PcapFile BuildPcap(bool big_endian, bool nanos, uint32_t snaplen, uint32_t linktype_field,
                   const std::vector<TestRecord>& records);

struct IdbOptions {
  std::optional<uint8_t> tsresol;
  std::optional<int64_t> tsoffset;
  std::optional<uint8_t> fcslen;
  bool comment = false;  // adds an opt_comment before the others (an option we ignore)
};

class PcapngBuilder {
 public:
  PcapngBuilder() = default;
  // Starts a new section in the given byte order.
  PcapngBuilder& Shb(bool big_endian, int64_t section_length = -1);
  PcapngBuilder& Idb(uint16_t linktype, uint32_t snaplen, const IdbOptions& opts = {});
  PcapngBuilder& Epb(uint32_t iface, uint64_t ts_units, const std::vector<uint8_t>& data,
                     std::optional<uint32_t> orig_len = std::nullopt, bool with_option = false);
  PcapngBuilder& Spb(const std::vector<uint8_t>& data, uint32_t orig_len);
  PcapngBuilder& ObsoletePb(uint16_t iface, uint64_t ts_units, const std::vector<uint8_t>& data);
  // Any block with an opaque body (padded to 4).
  PcapngBuilder& Raw(uint32_t type, const std::vector<uint8_t>& body);

  const std::vector<uint8_t>& bytes() const { return out_; }
  // End offsets of packet blocks (EPB, SPB, PB) in file order.
  const std::vector<size_t>& packet_end() const { return packet_end_; }
  // Start offsets of every block.
  const std::vector<size_t>& block_start() const { return block_start_; }

 private:
  void Emit(uint32_t type, ByteWriter& body, bool is_packet);
  bool big_endian_ = false;
  std::vector<uint8_t> out_;
  std::vector<size_t> packet_end_;
  std::vector<size_t> block_start_;
};

std::vector<uint8_t> Payload(size_t n, uint8_t seed);

}  // namespace airfleet::capture::testing
