#include "common/pcap/pcap_writer.h"

#include <cstring>

namespace airfleet::pcap {
namespace {

void PutLe16(std::string* s, uint16_t v) {
  s->push_back(static_cast<char>(v));
  s->push_back(static_cast<char>(v >> 8));
}
void PutLe32(std::string* s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s->push_back(static_cast<char>(v >> (8 * i)));
}
void SetLe32(std::string* s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) (*s)[at + static_cast<size_t>(i)] = static_cast<char>(v >> (8 * i));
}
void Pad4(std::string* s) {
  while (s->size() % 4 != 0) s->push_back('\0');
}

// Floor division, so timestamps before 1970 still split into (seconds, fraction >= 0).
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

constexpr uint32_t kPcapMagicMicro = 0xa1b2c3d4;
constexpr uint32_t kPcapMagicNano = 0xa1b23c4d;
constexpr uint32_t kBlockShb = 0x0a0d0d0a;
constexpr uint32_t kBlockIdb = 0x00000001;
constexpr uint32_t kBlockEpb = 0x00000006;
constexpr uint32_t kByteOrderMagic = 0x1a2b3c4d;
constexpr uint16_t kOptEnd = 0, kOptIfName = 2, kOptIfTsresol = 9;

}  // namespace

std::string PcapFileHeader(int linktype, TimestampResolution resolution, uint32_t snaplen) {
  std::string h;
  PutLe32(&h, resolution == TimestampResolution::kNano ? kPcapMagicNano : kPcapMagicMicro);
  PutLe16(&h, 2);  // version 2.4
  PutLe16(&h, 4);
  PutLe32(&h, 0);  // thiszone
  PutLe32(&h, 0);  // sigfigs
  PutLe32(&h, snaplen);
  PutLe32(&h, static_cast<uint32_t>(linktype));
  return h;
}

void EncodePcapRecordHeader(TimestampResolution resolution, int64_t timestamp_ns,
                            uint32_t captured_len, uint32_t original_len,
                            uint8_t out[kPcapRecordHeaderSize]) {
  const int64_t sec = FloorDiv(timestamp_ns, 1'000'000'000);
  int64_t frac = timestamp_ns - sec * 1'000'000'000;
  if (resolution == TimestampResolution::kMicro) frac /= 1000;
  const uint32_t fields[4] = {static_cast<uint32_t>(sec), static_cast<uint32_t>(frac), captured_len,
                              original_len != 0 ? original_len : captured_len};
  for (int f = 0; f < 4; ++f) {
    for (int i = 0; i < 4; ++i) out[4 * f + i] = static_cast<uint8_t>(fields[f] >> (8 * i));
  }
}

PcapWriter::PcapWriter(int linktype, TimestampResolution resolution, uint32_t snaplen)
    : resolution_(resolution), data_(PcapFileHeader(linktype, resolution, snaplen)) {}

void PcapWriter::Add(int64_t timestamp_ns, const uint8_t* data, size_t len, uint32_t original_len) {
  uint8_t header[kPcapRecordHeaderSize];
  EncodePcapRecordHeader(resolution_, timestamp_ns, static_cast<uint32_t>(len), original_len,
                         header);
  data_.append(reinterpret_cast<const char*>(header), sizeof header);
  data_.append(reinterpret_cast<const char*>(data), len);
  ++records_;
}

PcapngWriter::PcapngWriter() {
  PutLe32(&data_, kBlockShb);
  PutLe32(&data_, 28);
  PutLe32(&data_, kByteOrderMagic);
  PutLe16(&data_, 1);  // version 1.0
  PutLe16(&data_, 0);
  PutLe32(&data_, 0xffffffff);  // section length unknown (-1)
  PutLe32(&data_, 0xffffffff);
  PutLe32(&data_, 28);
}

uint32_t PcapngWriter::AddInterface(int linktype, TimestampResolution resolution, uint32_t snaplen,
                                    std::string_view name) {
  const size_t start = data_.size();
  PutLe32(&data_, kBlockIdb);
  PutLe32(&data_, 0);  // length, patched
  PutLe16(&data_, static_cast<uint16_t>(linktype));
  PutLe16(&data_, 0);
  PutLe32(&data_, snaplen);
  if (!name.empty()) {
    PutLe16(&data_, kOptIfName);
    PutLe16(&data_, static_cast<uint16_t>(name.size()));
    data_.append(name);
    Pad4(&data_);
  }
  if (resolution == TimestampResolution::kNano) {
    // if_tsresol: 10^-9. Without the option readers assume 10^-6.
    PutLe16(&data_, kOptIfTsresol);
    PutLe16(&data_, 1);
    data_.push_back(9);
    Pad4(&data_);
  }
  if (!name.empty() || resolution == TimestampResolution::kNano) {
    PutLe16(&data_, kOptEnd);
    PutLe16(&data_, 0);
  }
  const uint32_t total = static_cast<uint32_t>(data_.size() - start + 4);
  PutLe32(&data_, total);
  SetLe32(&data_, start + 4, total);
  resolutions_.push_back(resolution == TimestampResolution::kNano ? 'n' : 'u');
  return static_cast<uint32_t>(resolutions_.size() - 1);
}

void PcapngWriter::Add(uint32_t interface_id, int64_t timestamp_ns, const uint8_t* data, size_t len,
                       uint32_t original_len) {
  const bool nano = interface_id < resolutions_.size() && resolutions_[interface_id] == 'n';
  const uint64_t units = static_cast<uint64_t>(nano ? timestamp_ns : FloorDiv(timestamp_ns, 1000));
  const size_t start = data_.size();
  PutLe32(&data_, kBlockEpb);
  PutLe32(&data_, 0);
  PutLe32(&data_, interface_id);
  PutLe32(&data_, static_cast<uint32_t>(units >> 32));
  PutLe32(&data_, static_cast<uint32_t>(units));
  PutLe32(&data_, static_cast<uint32_t>(len));
  PutLe32(&data_, original_len != 0 ? original_len : static_cast<uint32_t>(len));
  data_.append(reinterpret_cast<const char*>(data), len);
  Pad4(&data_);
  const uint32_t total = static_cast<uint32_t>(data_.size() - start + 4);
  PutLe32(&data_, total);
  SetLe32(&data_, start + 4, total);
}

}  // namespace airfleet::pcap
