#include "agent/capture/capture_file_reader.h"

#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"

namespace airfleet::capture {
namespace {

constexpr uint32_t kPcapngShb = 0x0A0D0D0A;
constexpr uint32_t kPcapngIdb = 0x00000001;
constexpr uint32_t kPcapngPb = 0x00000002;  // obsolete Packet Block
constexpr uint32_t kPcapngSpb = 0x00000003;
constexpr uint32_t kPcapngEpb = 0x00000006;
constexpr uint32_t kByteOrderMagic = 0x1A2B3C4D;

constexpr size_t kPcapFileHeaderLen = 24;
constexpr size_t kPcapRecordHeaderLen = 16;
// Packet blocks carry options after the data; allow generous room for them.
constexpr uint32_t kMaxParsedBlockLen = kMaxCaptureLength + 64 * 1024;

constexpr uint16_t kOptEndOfOpt = 0;
constexpr uint16_t kOptIfTsresol = 9;
constexpr uint16_t kOptIfFcslen = 13;
constexpr uint16_t kOptIfTsoffset = 14;

uint32_t LoadLe32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
uint32_t LoadBe32(const uint8_t* p) {
  return uint32_t{p[3]} | uint32_t{p[2]} << 8 | uint32_t{p[1]} << 16 | uint32_t{p[0]} << 24;
}

std::string HexBytes(std::span<const uint8_t> bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i) {
    absl::StrAppend(&out, i ? " " : "",
                    absl::Hex(static_cast<unsigned>(bytes[i]), absl::kZeroPad2));
  }
  return out;
}

std::string BlockName(uint32_t type) {
  switch (type) {
    case kPcapngShb:
      return "section header block";
    case kPcapngIdb:
      return "interface description block";
    case kPcapngPb:
      return "packet block";
    case kPcapngSpb:
      return "simple packet block";
    case kPcapngEpb:
      return "enhanced packet block";
    default:
      return absl::StrFormat("block of type 0x%08x", type);
  }
}

uint32_t MinBlockLen(uint32_t type) {
  switch (type) {
    case kPcapngShb:
      return 28;
    case kPcapngIdb:
      return 20;
    case kPcapngPb:
    case kPcapngEpb:
      return 32;
    case kPcapngSpb:
      return 16;
    default:
      return 12;
  }
}

// Saturating int128 -> int64: absurd timestamps in hostile files must not be UB.
int64_t Saturate(__int128 v) {
  constexpr __int128 kMax = INT64_MAX;
  constexpr __int128 kMin = INT64_MIN;
  return static_cast<int64_t>(std::clamp(v, kMin, kMax));
}

}  // namespace

CaptureFileReader::CaptureFileReader(std::unique_ptr<ByteInput> input, std::string name)
    : input_(std::move(input)), name_(std::move(name)) {}

CaptureFileReader::~CaptureFileReader() = default;

absl::StatusOr<std::unique_ptr<CaptureFileReader>> CaptureFileReader::Open(
    const std::string& path) {
  AF_ASSIGN_OR_RETURN(std::unique_ptr<FileByteInput> input, FileByteInput::Open(path));
  return FromInput(std::move(input), path);
}

absl::StatusOr<std::unique_ptr<CaptureFileReader>> CaptureFileReader::FromInput(
    std::unique_ptr<ByteInput> input, std::string name) {
  std::unique_ptr<CaptureFileReader> reader(
      new CaptureFileReader(std::move(input), std::move(name)));
  AF_RETURN_IF_ERROR(reader->ReadFileHeader());
  return reader;
}

uint16_t CaptureFileReader::U16(const uint8_t* p) const {
  return big_endian_ ? static_cast<uint16_t>(p[0] << 8 | p[1])
                     : static_cast<uint16_t>(p[1] << 8 | p[0]);
}

uint32_t CaptureFileReader::U32(const uint8_t* p) const {
  return big_endian_ ? LoadBe32(p) : LoadLe32(p);
}

absl::Status CaptureFileReader::Fail(absl::Status status) {
  sticky_error_ = status;
  return status;
}

absl::Status CaptureFileReader::CutShort(uint64_t record_start, const char* what,
                                         uint64_t needed_end) {
  uint64_t size = input_->Size();
  uint64_t present = size > record_start ? size - record_start : 0;
  uint64_t missing = needed_end > size ? needed_end - size : 0;
  return Fail(absl::DataLossError(
      absl::StrCat(name_, ": file cut short at byte ", size, ": the ", what, " at byte ",
                   record_start, " needs ", needed_end - record_start, " bytes but only ", present,
                   " are there (", missing, " bytes missing)")));
}

absl::Status CaptureFileReader::ReadFileHeader() {
  AF_ASSIGN_OR_RETURN(auto head, input_->Read(4));
  if (head.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(name_, ": empty file (0 bytes)"));
  }
  if (head.size() < 4) {
    return absl::InvalidArgumentError(absl::StrCat(name_, ": not a capture file: only ",
                                                   head.size(), " bytes (", HexBytes(head), ")"));
  }
  uint32_t le = LoadLe32(head.data());
  uint32_t be = LoadBe32(head.data());
  if (le == kPcapngShb) {
    format_ = CaptureFormat::kPcapng;
    AF_RETURN_IF_ERROR(input_->Seek(0));
    Packet unused;
    AF_ASSIGN_OR_RETURN(BlockResult first, ReadBlock(false, &unused));
    if (first != BlockResult::kOther) return absl::InternalError("no section header");
    first_record_offset_ = input_->Position();
    return absl::OkStatus();
  }
  if (le == 0xa1b2c3d4 || le == 0xa1b23c4d) {
    big_endian_ = false;
    pcap_nanos_ = le == 0xa1b23c4d;
  } else if (be == 0xa1b2c3d4 || be == 0xa1b23c4d) {
    big_endian_ = true;
    pcap_nanos_ = be == 0xa1b23c4d;
  } else if (le == 0xa1b2cd34 || be == 0xa1b2cd34) {
    return absl::InvalidArgumentError(
        absl::StrCat(name_,
                     ": \"modified\" (Kuznetsov) pcap format is not supported; convert it with "
                     "`editcap -F pcap IN OUT`"));
  } else {
    AF_RETURN_IF_ERROR(input_->Seek(0));
    AF_ASSIGN_OR_RETURN(auto first, input_->Read(8));
    std::string hint;
    if (first[0] == 0x1f && first[1] == 0x8b) hint = " (gzip-compressed? decompress it first)";
    return absl::InvalidArgumentError(absl::StrCat(
        name_, ": not a pcap or pcapng file: it starts with bytes ", HexBytes(first), hint));
  }
  format_ = CaptureFormat::kPcap;
  AF_RETURN_IF_ERROR(input_->Seek(0));
  AF_ASSIGN_OR_RETURN(auto header, input_->Read(kPcapFileHeaderLen));
  if (header.size() < kPcapFileHeaderLen) {
    return CutShort(0, "pcap file header", kPcapFileHeaderLen);
  }
  return ReadPcapHeader(header);
}

absl::Status CaptureFileReader::ReadPcapHeader(std::span<const uint8_t> head) {
  uint16_t major = U16(head.data() + 4);
  uint16_t minor = U16(head.data() + 6);
  if (major != 2) {
    return absl::InvalidArgumentError(
        absl::StrCat(name_, ": unsupported pcap version ", major, ".", minor, " (expected 2.x)"));
  }
  uint32_t link_field = U32(head.data() + 20);
  InterfaceInfo iface;
  iface.snaplen = U32(head.data() + 16);
  iface.linktype = static_cast<int>(link_field & 0xFFFF);
  // The FCS length (in 16-bit words) is meaningful only when the P bit is set; the remaining
  // upper bits must be ignored (some writers leave junk there, e.g. 0x30000000).
  if (link_field & 0x04000000) iface.fcs_len = static_cast<int>((link_field >> 28) & 0xF) * 2;
  iface.ts_exponent = pcap_nanos_ ? 9 : 6;
  interfaces_ = {iface};
  first_record_offset_ = kPcapFileHeaderLen;
  return absl::OkStatus();
}

absl::StatusOr<bool> CaptureFileReader::Next(Packet* out) {
  if (!sticky_error_.ok()) return sticky_error_;
  if (format_ == CaptureFormat::kPcap) return NextPcap(out);
  while (true) {
    AF_ASSIGN_OR_RETURN(BlockResult r, ReadBlock(false, out));
    if (r == BlockResult::kPacket) return true;
    if (r == BlockResult::kEnd) return false;
  }
}

absl::StatusOr<bool> CaptureFileReader::NextPcap(Packet* out) {
  const uint64_t start = input_->Position();
  AF_ASSIGN_OR_RETURN(auto hdr, input_->Read(kPcapRecordHeaderLen));
  if (hdr.empty()) return false;
  if (hdr.size() < kPcapRecordHeaderLen) {
    return CutShort(start, "record header", start + kPcapRecordHeaderLen);
  }
  const uint32_t ts_sec = U32(hdr.data());
  const uint32_t ts_frac = U32(hdr.data() + 4);
  const uint32_t caplen = U32(hdr.data() + 8);
  const uint32_t origlen = U32(hdr.data() + 12);
  const InterfaceInfo& iface = interfaces_[0];
  if (caplen > kMaxCaptureLength) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat(name_, ": record at byte ", start, " claims a captured length of ", caplen,
                     " bytes, over the ", kMaxCaptureLength, "-byte limit: the file is corrupt")));
  }
  // caplen > snaplen is accepted, as libpcap and tshark do: the header's snaplen is advisory
  // and real files break it (tcpdump's ieee802.11_meshhdr-oobr.pcap: 86 bytes, snaplen 26).
  AF_ASSIGN_OR_RETURN(auto data, input_->Read(caplen));
  if (data.size() < caplen) {
    return CutShort(start, "record", start + kPcapRecordHeaderLen + caplen);
  }
  out->timestamp_ns =
      int64_t{ts_sec} * 1'000'000'000 + (pcap_nanos_ ? int64_t{ts_frac} : int64_t{ts_frac} * 1000);
  out->captured_len = caplen;
  out->original_len = origlen;
  out->linktype = iface.linktype;
  out->interface_id = 0;
  out->fcs_len = iface.fcs_len;
  out->data = data.data();
  out->position = input_->Position();
  return true;
}

int64_t CaptureFileReader::PcapngTimestampNs(const InterfaceInfo& iface, uint32_t high,
                                             uint32_t low) const {
  const unsigned __int128 units = (static_cast<unsigned __int128>(high) << 32) | low;
  unsigned __int128 ns;
  if (iface.ts_power_of_two) {
    ns = (units * 1'000'000'000u) >> iface.ts_exponent;  // exponent <= 127
  } else if (iface.ts_exponent <= 9) {
    unsigned __int128 mul = 1;
    for (int i = iface.ts_exponent; i < 9; ++i) mul *= 10;
    ns = units * mul;
  } else {
    unsigned __int128 div = 1;
    for (int i = 9; i < iface.ts_exponent && div <= units; ++i) div *= 10;
    ns = units / div;
  }
  return Saturate(static_cast<__int128>(ns) +
                  static_cast<__int128>(iface.ts_offset_s) * 1'000'000'000);
}

absl::StatusOr<CaptureFileReader::BlockResult> CaptureFileReader::ReadBlock(bool headers_only,
                                                                            Packet* out) {
  const uint64_t start = input_->Position();
  uint8_t head[12];
  {
    AF_ASSIGN_OR_RETURN(auto h, input_->Read(8));
    if (h.empty()) return BlockResult::kEnd;
    if (h.size() < 8) return CutShort(start, "block header", start + 8);
    std::memcpy(head, h.data(), 8);
  }
  // The SHB type reads the same in both byte orders; any other type is in the section's order.
  const uint32_t type = LoadLe32(head) == kPcapngShb ? kPcapngShb : U32(head);
  if (type == kPcapngShb) {
    AF_ASSIGN_OR_RETURN(auto bom, input_->Read(4));
    if (bom.size() < 4) return CutShort(start, "section header block", start + 12);
    if (LoadLe32(bom.data()) == kByteOrderMagic) {
      big_endian_ = false;
    } else if (LoadBe32(bom.data()) == kByteOrderMagic) {
      big_endian_ = true;
    } else {
      return Fail(absl::InvalidArgumentError(absl::StrCat(name_, ": section header block at byte ",
                                                          start, " has a bad byte-order magic (",
                                                          HexBytes(bom), ")")));
    }
  } else if (start == 0) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat(name_, ": pcapng file does not start with a section header block")));
  }
  const uint32_t len = U32(head + 4);
  if (len % 4 != 0 || len < MinBlockLen(type)) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat(name_, ": ", BlockName(type), " at byte ", start, " has a bad length of ", len,
                     " bytes (must be a multiple of 4 and at least ", MinBlockLen(type), ")")));
  }
  const uint64_t end = start + len;
  const bool is_packet = type == kPcapngEpb || type == kPcapngSpb || type == kPcapngPb;
  const bool parse = type == kPcapngShb || type == kPcapngIdb || (is_packet && !headers_only);

  if (!parse) {
    // Step over without reading the body; the trailing length is still checked when reading for
    // real (not during Seek's rebuild, which only revisits blocks already read once).
    if (end > input_->Size()) return CutShort(start, BlockName(type).c_str(), end);
    if (headers_only) {
      AF_RETURN_IF_ERROR(input_->Seek(end));
      return BlockResult::kOther;
    }
    AF_RETURN_IF_ERROR(input_->Seek(end - 4));
    AF_ASSIGN_OR_RETURN(auto trailer, input_->Read(4));
    if (trailer.size() < 4) return CutShort(start, BlockName(type).c_str(), end);
    if (U32(trailer.data()) != len) {
      return Fail(absl::InvalidArgumentError(absl::StrCat(
          name_, ": ", BlockName(type), " at byte ", start, " has length ", len,
          " but its trailing length is ", U32(trailer.data()), ": the file is corrupt")));
    }
    return BlockResult::kOther;
  }

  if (len > kMaxParsedBlockLen) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat(name_, ": ", BlockName(type), " at byte ", start, " claims ", len,
                     " bytes, over the ", kMaxParsedBlockLen, "-byte limit: the file is corrupt")));
  }
  AF_RETURN_IF_ERROR(input_->Seek(start));
  AF_ASSIGN_OR_RETURN(auto block, input_->Read(len));
  if (block.size() < len) return CutShort(start, BlockName(type).c_str(), end);
  if (U32(block.data() + len - 4) != len) {
    return Fail(absl::InvalidArgumentError(absl::StrCat(
        name_, ": ", BlockName(type), " at byte ", start, " has length ", len,
        " but its trailing length is ", U32(block.data() + len - 4), ": the file is corrupt")));
  }

  if (type == kPcapngShb) {
    AF_RETURN_IF_ERROR(ParseShb(block, start));
    return BlockResult::kOther;
  }
  if (type == kPcapngIdb) {
    AF_RETURN_IF_ERROR(ParseIdb(block, start));
    return BlockResult::kOther;
  }

  const uint8_t* b = block.data();
  uint32_t iface_id = 0;
  uint32_t caplen = 0;
  uint32_t origlen = 0;
  uint32_t ts_high = 0;
  uint32_t ts_low = 0;
  size_t data_off = 0;
  size_t room = 0;  // bytes available for packet data inside the block
  if (type == kPcapngSpb) {
    origlen = U32(b + 8);
    data_off = 12;
    room = len - 16;
  } else {
    iface_id = type == kPcapngEpb ? U32(b + 8) : U16(b + 8);
    ts_high = U32(b + 12);
    ts_low = U32(b + 16);
    caplen = U32(b + 20);
    origlen = U32(b + 24);
    data_off = 28;
    room = len - 32;
  }
  if (iface_id >= interfaces_.size()) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat(name_, ": ", BlockName(type), " at byte ", start, " refers to interface ",
                     iface_id, " but this section has only ", interfaces_.size(),
                     " interface description block(s) before it")));
  }
  const InterfaceInfo& iface = interfaces_[iface_id];
  if (type == kPcapngSpb) {
    // An SPB has no captured length: it is the original length cut to the snaplen.
    caplen = origlen;
    if (iface.snaplen != 0) caplen = std::min(caplen, iface.snaplen);
    caplen = static_cast<uint32_t>(std::min<size_t>(caplen, room));
  }
  if (caplen > room) {
    return Fail(absl::InvalidArgumentError(absl::StrCat(
        name_, ": ", BlockName(type), " at byte ", start, " claims a captured length of ", caplen,
        " bytes but the block has room for only ", room, ": the file is corrupt")));
  }
  if (caplen > kMaxCaptureLength) {
    return Fail(absl::InvalidArgumentError(absl::StrCat(
        name_, ": ", BlockName(type), " at byte ", start, " claims a captured length of ", caplen,
        " bytes, over the ", kMaxCaptureLength, "-byte limit: the file is corrupt")));
  }
  out->timestamp_ns = type == kPcapngSpb ? 0 : PcapngTimestampNs(iface, ts_high, ts_low);
  out->captured_len = caplen;
  out->original_len = origlen;
  out->linktype = iface.linktype;
  out->interface_id = iface_id;
  out->fcs_len = iface.fcs_len;
  out->data = b + data_off;
  out->position = end;
  return BlockResult::kPacket;
}

absl::Status CaptureFileReader::ParseShb(std::span<const uint8_t> block, uint64_t start) {
  uint16_t major = U16(block.data() + 12);
  uint16_t minor = U16(block.data() + 14);
  if (major != 1) {
    return Fail(absl::InvalidArgumentError(absl::StrCat(name_, ": section header block at byte ",
                                                        start, " has unsupported pcapng version ",
                                                        major, ".", minor, " (expected 1.x)")));
  }
  // A new section starts a new interface table.
  interfaces_.clear();
  return absl::OkStatus();
}

absl::Status CaptureFileReader::ParseIdb(std::span<const uint8_t> block, uint64_t start) {
  InterfaceInfo iface;
  iface.linktype = U16(block.data() + 8);
  iface.snaplen = U32(block.data() + 12);
  const size_t opts_end = block.size() - 4;
  size_t off = 16;
  while (off + 4 <= opts_end) {
    const uint16_t code = U16(block.data() + off);
    const uint16_t olen = U16(block.data() + off + 2);
    off += 4;
    if (code == kOptEndOfOpt) break;
    if (olen > opts_end - off) {
      return Fail(absl::InvalidArgumentError(
          absl::StrCat(name_, ": interface description block at byte ", start, ": option ", code,
                       " of ", olen, " bytes overruns the block")));
    }
    const uint8_t* v = block.data() + off;
    if (code == kOptIfTsresol && olen >= 1) {
      iface.ts_power_of_two = (v[0] & 0x80) != 0;
      iface.ts_exponent = v[0] & 0x7F;
    } else if (code == kOptIfFcslen && olen >= 1) {
      iface.fcs_len = v[0];
    } else if (code == kOptIfTsoffset && olen >= 8) {
      uint64_t lo = U32(v);
      uint64_t hi = U32(v + 4);
      // An 8-byte option is stored in the section's byte order as one 64-bit integer.
      uint64_t raw = big_endian_ ? (lo << 32 | hi) : (hi << 32 | lo);
      iface.ts_offset_s = static_cast<int64_t>(raw);
    }
    off += (olen + 3u) & ~3u;
  }
  interfaces_.push_back(iface);
  return absl::OkStatus();
}

absl::Status CaptureFileReader::Seek(uint64_t position) {
  sticky_error_ = absl::OkStatus();
  if (position == 0) position = first_record_offset_;
  if (position < first_record_offset_) {
    return absl::InvalidArgumentError(absl::StrCat(name_, ": cannot resume at byte ", position,
                                                   ": that is inside the file header"));
  }
  if (position > input_->Size()) {
    return absl::OutOfRangeError(absl::StrCat(name_, ": cannot resume at byte ", position,
                                              ": the file has only ", input_->Size(), " bytes"));
  }
  if (format_ == CaptureFormat::kPcap) return input_->Seek(position);

  // Rebuild the interface table (and byte order) in force at `position`.
  AF_RETURN_IF_ERROR(input_->Seek(0));
  interfaces_.clear();
  Packet unused;
  while (input_->Position() < position) {
    auto r = ReadBlock(/*headers_only=*/true, &unused);
    if (!r.ok()) {
      sticky_error_ = absl::OkStatus();
      return r.status();
    }
    if (*r == BlockResult::kEnd) break;
  }
  if (input_->Position() != position) {
    return absl::InvalidArgumentError(absl::StrCat(name_, ": cannot resume at byte ", position,
                                                   ": it is not the start of a block"));
  }
  return absl::OkStatus();
}

}  // namespace airfleet::capture
