#pragma once

// Our own reader of pcap and pcapng capture files. libpcap cannot read a pcapng file whose
// interfaces have different linktypes, and cannot resume at a byte offset; this reader can.
//
// Formats (draft-ietf-opsawg-pcap, draft-ietf-opsawg-pcapng):
//  - pcap: both byte orders, microsecond (0xa1b2c3d4) and nanosecond (0xa1b23c4d) magic. The
//    linktype is the low 16 bits of the header's LinkType field; the FCS length is taken from the
//    top 4 bits (in 16-bit words) only when the P bit (0x04000000) is set; other bits are
//    ignored as the spec requires.
//  - pcapng: SHB (both byte orders, any section length incl. -1, several sections), IDB
//    (linktype, snaplen, if_tsresol incl. the power-of-2 form, if_tsoffset, if_fcslen), EPB,
//    SPB (interface 0, timestamp 0), obsolete Packet Block (type 2). Every other block (NRB,
//    ISB, DSB, custom, ...) is skipped.
// Every length is checked before use; the reader never reads outside what the input returned.
// A record claiming more than kMaxCaptureLength bytes, or a block with a bad length, is reported as
// InvalidArgument with the byte offset. A captured length above the snaplen is accepted (as
// libpcap and tshark do; the real corpus has such a file). A file that ends inside a record
// is reported as DataLoss ("cut short at byte N: ... M bytes missing") after every whole record
// before it was delivered.
//
// Resume: Packet::position is the byte offset of the next record. Seek(position) on a fresh
// reader of the same file continues there. For pcapng the interface table in force at that
// offset is rebuilt by walking the block headers from the start of the file, reading only SHB and
// IDB bodies (packet blocks are skipped without being read), which also proves that `position` is
// a block boundary. For pcap, Seek jumps directly.
//
// Ownership/threading: the reader owns its input; Packet::data points into the input's buffer and
// is valid until the next Next()/Seek(). Not thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/capture/byte_input.h"
#include "agent/capture/packet_source.h"

namespace airfleet::capture {

// Largest captured length accepted in one record (libpcap's own ceiling for 802.11 is 256 KiB).
inline constexpr uint32_t kMaxCaptureLength = 256 * 1024;

enum class CaptureFormat { kPcap, kPcapng };

struct InterfaceInfo {
  int linktype = 0;
  uint32_t snaplen = 0;  // 0 = no limit
  int fcs_len = -1;      // bytes, -1 unknown
  // Timestamp unit: ts_units / 10^ts_exp10 or / 2^ts_exp2 seconds; one of the two is used.
  bool ts_power_of_two = false;
  uint8_t ts_exponent = 6;  // default pcapng resolution: microseconds
  int64_t ts_offset_s = 0;  // if_tsoffset, seconds added to every timestamp
};

class CaptureFileReader {
 public:
  // Opens and validates the file header. Errors name the path and are distinct for: missing file
  // (NotFound), permission (PermissionDenied), empty file, not a capture file (bad magic: the first
  // bytes are shown), unsupported version, and a header cut short (all InvalidArgument except
  // as noted).
  static absl::StatusOr<std::unique_ptr<CaptureFileReader>> Open(const std::string& path);

  // Same over any input; `name` is used in error messages (e.g. the path or "<memory>").
  static absl::StatusOr<std::unique_ptr<CaptureFileReader>> FromInput(
      std::unique_ptr<ByteInput> input, std::string name);

  ~CaptureFileReader();
  CaptureFileReader(const CaptureFileReader&) = delete;
  CaptureFileReader& operator=(const CaptureFileReader&) = delete;

  // OK(true): next record in *out. OK(false): clean end of file. Error: see the header comment;
  // after an error the reader stays in error (Next repeats it).
  absl::StatusOr<bool> Next(Packet* out);

  // Continue after a record previously returned (its Packet::position), or at the first record
  // when `position` is 0.
  absl::Status Seek(uint64_t position);

  CaptureFormat format() const { return format_; }
  const std::string& name() const { return name_; }
  // Interfaces of the current section (pcap: exactly one). Grows as IDBs are read.
  const std::vector<InterfaceInfo>& interfaces() const { return interfaces_; }
  // Byte offset of the first record (just past the file header / first SHB).
  uint64_t first_record_offset() const { return first_record_offset_; }

 private:
  CaptureFileReader(std::unique_ptr<ByteInput> input, std::string name);

  absl::Status ReadFileHeader();
  absl::Status ReadPcapHeader(std::span<const uint8_t> head);
  absl::StatusOr<bool> NextPcap(Packet* out);
  absl::StatusOr<bool> NextPcapng(Packet* out);
  enum class BlockResult { kPacket, kOther, kEnd };
  // Reads the pcapng block at the current position. kPacket: *out is set. With `headers_only`
  // (Seek's table rebuild) only SHB and IDB bodies are read; other blocks are stepped over.
  absl::StatusOr<BlockResult> ReadBlock(bool headers_only, Packet* out);
  absl::Status ParseShb(std::span<const uint8_t> block, uint64_t block_start);
  absl::Status ParseIdb(std::span<const uint8_t> block, uint64_t block_start);
  absl::Status Fail(absl::Status status);
  absl::Status CutShort(uint64_t record_start, const char* what, uint64_t needed_end);
  uint16_t U16(const uint8_t* p) const;
  uint32_t U32(const uint8_t* p) const;
  int64_t PcapngTimestampNs(const InterfaceInfo& iface, uint32_t high, uint32_t low) const;

  std::unique_ptr<ByteInput> input_;
  std::string name_;
  CaptureFormat format_ = CaptureFormat::kPcap;
  bool big_endian_ = false;  // byte order of the file (of the current section for pcapng)
  bool pcap_nanos_ = false;
  uint64_t first_record_offset_ = 0;
  std::vector<InterfaceInfo> interfaces_;
  absl::Status sticky_error_;
};

}  // namespace airfleet::capture
