#include "agent/capture/pcap_builder.h"

namespace airfleet::capture::testing {

void ByteWriter::U16(uint16_t v) {
  if (big_endian_) {
    U8(v >> 8);
    U8(v & 0xFF);
  } else {
    U8(v & 0xFF);
    U8(v >> 8);
  }
}

void ByteWriter::U32(uint32_t v) {
  if (big_endian_) {
    U16(v >> 16);
    U16(v & 0xFFFF);
  } else {
    U16(v & 0xFFFF);
    U16(v >> 16);
  }
}

void ByteWriter::U64(uint64_t v) {
  if (big_endian_) {
    U32(v >> 32);
    U32(v & 0xFFFFFFFF);
  } else {
    U32(v & 0xFFFFFFFF);
    U32(v >> 32);
  }
}

void ByteWriter::PatchU32(size_t at, uint32_t v) {
  ByteWriter tmp(big_endian_);
  tmp.U32(v);
  for (int i = 0; i < 4; ++i) bytes_[at + i] = tmp.bytes()[i];
}

PcapFile BuildPcap(bool big_endian, bool nanos, uint32_t snaplen, uint32_t linktype_field,
                   const std::vector<TestRecord>& records) {
  ByteWriter w(big_endian);
  w.U32(nanos ? 0xa1b23c4d : 0xa1b2c3d4);
  w.U16(2);
  w.U16(4);
  w.U32(0);  // thiszone
  w.U32(0);  // sigfigs
  w.U32(snaplen);
  w.U32(linktype_field);
  PcapFile f;
  for (const TestRecord& r : records) {
    w.U32(r.ts_sec);
    w.U32(r.ts_frac);
    w.U32(r.caplen.value_or(static_cast<uint32_t>(r.data.size())));
    w.U32(r.orig_len.value_or(static_cast<uint32_t>(r.data.size())));
    w.Bytes(r.data);
    f.record_end.push_back(w.bytes().size());
  }
  f.bytes = std::move(w.bytes());
  return f;
}

void PcapngBuilder::Emit(uint32_t type, ByteWriter& body, bool is_packet) {
  body.Pad4();
  ByteWriter w(big_endian_);
  uint32_t total = static_cast<uint32_t>(body.bytes().size() + 12);
  w.U32(type);
  w.U32(total);
  w.Bytes(body.bytes());
  w.U32(total);
  block_start_.push_back(out_.size());
  out_.insert(out_.end(), w.bytes().begin(), w.bytes().end());
  if (is_packet) packet_end_.push_back(out_.size());
}

PcapngBuilder& PcapngBuilder::Shb(bool big_endian, int64_t section_length) {
  big_endian_ = big_endian;
  ByteWriter b(big_endian_);
  b.U32(0x1A2B3C4D);
  b.U16(1);
  b.U16(0);
  b.U64(static_cast<uint64_t>(section_length));
  Emit(0x0A0D0D0A, b, false);
  return *this;
}

PcapngBuilder& PcapngBuilder::Idb(uint16_t linktype, uint32_t snaplen, const IdbOptions& opts) {
  ByteWriter b(big_endian_);
  b.U16(linktype);
  b.U16(0);
  b.U32(snaplen);
  bool any = opts.comment || opts.tsresol || opts.tsoffset || opts.fcslen;
  if (opts.comment) {
    b.U16(1);
    b.U16(5);
    b.Bytes({'h', 'e', 'l', 'l', 'o'});
    b.Pad4();
  }
  if (opts.tsresol) {
    b.U16(9);
    b.U16(1);
    b.U8(*opts.tsresol);
    b.Pad4();
  }
  if (opts.fcslen) {
    b.U16(13);
    b.U16(1);
    b.U8(*opts.fcslen);
    b.Pad4();
  }
  if (opts.tsoffset) {
    b.U16(14);
    b.U16(8);
    b.U64(static_cast<uint64_t>(*opts.tsoffset));
  }
  if (any) {
    b.U16(0);
    b.U16(0);
  }
  Emit(1, b, false);
  return *this;
}

PcapngBuilder& PcapngBuilder::Epb(uint32_t iface, uint64_t ts, const std::vector<uint8_t>& data,
                                  std::optional<uint32_t> orig_len, bool with_option) {
  ByteWriter b(big_endian_);
  b.U32(iface);
  b.U32(static_cast<uint32_t>(ts >> 32));
  b.U32(static_cast<uint32_t>(ts));
  b.U32(static_cast<uint32_t>(data.size()));
  b.U32(orig_len.value_or(static_cast<uint32_t>(data.size())));
  b.Bytes(data);
  b.Pad4();
  if (with_option) {
    b.U16(2);  // epb_flags
    b.U16(4);
    b.U32(1);
    b.U16(0);
    b.U16(0);
  }
  Emit(6, b, true);
  return *this;
}

PcapngBuilder& PcapngBuilder::Spb(const std::vector<uint8_t>& data, uint32_t orig_len) {
  ByteWriter b(big_endian_);
  b.U32(orig_len);
  b.Bytes(data);
  Emit(3, b, true);
  return *this;
}

PcapngBuilder& PcapngBuilder::ObsoletePb(uint16_t iface, uint64_t ts,
                                         const std::vector<uint8_t>& data) {
  ByteWriter b(big_endian_);
  b.U16(iface);
  b.U16(0);  // drops
  b.U32(static_cast<uint32_t>(ts >> 32));
  b.U32(static_cast<uint32_t>(ts));
  b.U32(static_cast<uint32_t>(data.size()));
  b.U32(static_cast<uint32_t>(data.size()));
  b.Bytes(data);
  Emit(2, b, true);
  return *this;
}

PcapngBuilder& PcapngBuilder::Raw(uint32_t type, const std::vector<uint8_t>& body) {
  ByteWriter b(big_endian_);
  b.Bytes(body);
  Emit(type, b, false);
  return *this;
}

std::vector<uint8_t> Payload(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7);
  return v;
}

}  // namespace airfleet::capture::testing
