#pragma once

// The spool's on-disk layout (one RocksDB column family). Keys sort so that each kind is a
// contiguous range and sequences iterate in order:
//
//   "b" + seq (8 bytes big-endian)   -> serialized airfleet.v1.Batch
//   "i" + seq (8 bytes big-endian)   -> BatchInfo (fixed 36 bytes), read by quota/ack/stats so
//                                       they never have to load the (up to 1 MiB) batch itself
//   "l" + index (8 bytes big-endian) -> serialized airfleet.v1.LossRecord (the ledger)
//   "m/" + name                      -> spool metadata (see kMeta* below)
//   "u/" + name                      -> caller metadata (Spool::PutMetadata)
//
// Integers are big-endian so that byte order equals numeric order.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace airfleet::spool::format {

inline constexpr char kBatchPrefix = 'b';
inline constexpr char kInfoPrefix = 'i';
inline constexpr char kLossPrefix = 'l';

inline constexpr std::string_view kMetaFormatVersion = "m/format_version";
inline constexpr std::string_view kMetaStreamId = "m/stream_id";
inline constexpr std::string_view kMetaNextSequence = "m/next_sequence";
inline constexpr std::string_view kMetaAckedSequence = "m/acked_sequence";
inline constexpr std::string_view kMetaReplayPosition = "m/replay_position";
inline constexpr std::string_view kMetaCreatedNs = "m/created_ns";
inline constexpr std::string_view kUserMetaPrefix = "u/";

inline constexpr uint64_t kFormatVersion = 1;

std::string EncodeU64(uint64_t v);
std::optional<uint64_t> DecodeU64(std::string_view bytes);

// prefix + 8-byte big-endian number.
std::string NumberedKey(char prefix, uint64_t n);
// The number in a key made by NumberedKey, if it has that shape.
std::optional<uint64_t> KeyNumber(std::string_view key);

// What the spool needs to know about a batch without reading it.
struct BatchInfo {
  int64_t created_ns = 0;
  uint64_t bytes = 0;
  uint32_t summaries = 0;
  // Earliest and latest window_start_ns among its summaries (0 when it has none).
  int64_t first_window_ns = 0;
  int64_t last_window_ns = 0;
};

std::string EncodeBatchInfo(const BatchInfo& info);
std::optional<BatchInfo> DecodeBatchInfo(std::string_view bytes);

}  // namespace airfleet::spool::format
