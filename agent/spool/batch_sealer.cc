#include "agent/spool/batch_sealer.h"

#include <utility>

#include "google/protobuf/io/coded_stream.h"

namespace airfleet::spool {
namespace {

// Serialized cost of one repeated message field element: tag (1 byte for fields 5 and 6),
// length varint, body.
size_t ElementCost(size_t body) {
  return 1 + google::protobuf::io::CodedOutputStream::VarintSize64(body) + body;
}

}  // namespace

std::vector<v1::Batch> SealBatches(std::vector<v1::DeviceWindow> windows,
                                   std::vector<v1::ProbeObservation> probes, size_t max_batch_bytes,
                                   const PrivacyForWindow& privacy) {
  const size_t budget = max_batch_bytes > kBatchHeaderReserve * 2
                            ? max_batch_bytes - kBatchHeaderReserve
                            : max_batch_bytes / 2;
  std::vector<v1::Batch> out;
  size_t used = 0;
  const v1::PrivacyInfo* current = nullptr;
  auto room_for = [&](size_t cost, int64_t window_start_ns) {
    const v1::PrivacyInfo* info = privacy ? privacy(window_start_ns) : nullptr;
    if (out.empty() || (used + cost > budget && used > 0) || info != current) {
      out.emplace_back();
      used = 0;
      current = info;
      if (info != nullptr) *out.back().mutable_privacy() = *info;
    }
    used += cost;
    return &out.back();
  };
  for (auto& w : windows) {
    room_for(ElementCost(w.ByteSizeLong()), w.window_start_ns())
        ->mutable_windows()
        ->Add(std::move(w));
  }
  for (auto& p : probes) {
    room_for(ElementCost(p.ByteSizeLong()), p.window_start_ns())
        ->mutable_probes()
        ->Add(std::move(p));
  }
  return out;
}

}  // namespace airfleet::spool
