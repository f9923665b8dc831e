#include "agent/spool/spool_format.h"

namespace airfleet::spool::format {
namespace {

void AppendBe(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t ReadBe(std::string_view in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(in[at + i]);
  return v;
}

constexpr size_t kBatchInfoSize = 8 + 8 + 4 + 8 + 8;

}  // namespace

std::string EncodeU64(uint64_t v) {
  std::string out;
  AppendBe(&out, v, 8);
  return out;
}

std::optional<uint64_t> DecodeU64(std::string_view bytes) {
  if (bytes.size() != 8) return std::nullopt;
  return ReadBe(bytes, 0, 8);
}

std::string NumberedKey(char prefix, uint64_t n) {
  std::string out(1, prefix);
  AppendBe(&out, n, 8);
  return out;
}

std::optional<uint64_t> KeyNumber(std::string_view key) {
  if (key.size() != 9) return std::nullopt;
  return ReadBe(key, 1, 8);
}

std::string EncodeBatchInfo(const BatchInfo& info) {
  std::string out;
  out.reserve(kBatchInfoSize);
  AppendBe(&out, static_cast<uint64_t>(info.created_ns), 8);
  AppendBe(&out, info.bytes, 8);
  AppendBe(&out, info.summaries, 4);
  AppendBe(&out, static_cast<uint64_t>(info.first_window_ns), 8);
  AppendBe(&out, static_cast<uint64_t>(info.last_window_ns), 8);
  return out;
}

std::optional<BatchInfo> DecodeBatchInfo(std::string_view bytes) {
  if (bytes.size() != kBatchInfoSize) return std::nullopt;
  BatchInfo info;
  info.created_ns = static_cast<int64_t>(ReadBe(bytes, 0, 8));
  info.bytes = ReadBe(bytes, 8, 8);
  info.summaries = static_cast<uint32_t>(ReadBe(bytes, 16, 4));
  info.first_window_ns = static_cast<int64_t>(ReadBe(bytes, 20, 8));
  info.last_window_ns = static_cast<int64_t>(ReadBe(bytes, 28, 8));
  return info;
}

}  // namespace airfleet::spool::format
