#include "collector/store/merge_operators.h"

#include <deque>
#include <iterator>
#include <string>
#include <vector>

#include "collector/store/device_merge.h"
#include "collector/store/window_merge.h"

namespace airfleet::collector {
namespace {

// Message is the stored proto; Fn folds (in, acc). Fn is associative, so full and partial merges
// are the same fold. A value that does not parse makes the merge fail, which RocksDB reports as
// Corruption on read: better than silently dropping counts.
//
// All operands of a key are folded into one parsed accumulator and serialised once. (An
// AssociativeMergeOperator merges pairwise, re-parsing and re-serialising the growing result per
// operand; device records collect one operand per group commit, so flushes and compactions spent
// most of their time there.)
template <typename Message, void (*Fn)(const Message&, Message*)>
class ProtoMergeOperator : public rocksdb::MergeOperator {
 public:
  explicit ProtoMergeOperator(const char* name) : name_(name) {}

  bool FullMergeV2(const MergeOperationInput& merge_in,
                   MergeOperationOutput* merge_out) const override {
    const std::vector<rocksdb::Slice>& operands = merge_in.operand_list;
    if (merge_in.existing_value == nullptr && operands.size() == 1) {
      merge_out->existing_operand = operands.front();  // nothing to fold: no copy
      return true;
    }
    return Fold(merge_in.existing_value, operands.begin(), operands.end(), &merge_out->new_value);
  }

  bool PartialMergeMulti(const rocksdb::Slice& /*key*/, const std::deque<rocksdb::Slice>& operands,
                         std::string* new_value, rocksdb::Logger* /*logger*/) const override {
    return Fold(nullptr, operands.begin(), operands.end(), new_value);
  }

  bool PartialMerge(const rocksdb::Slice& /*key*/, const rocksdb::Slice& left,
                    const rocksdb::Slice& right, std::string* new_value,
                    rocksdb::Logger* /*logger*/) const override {
    const rocksdb::Slice operands[] = {right};
    return Fold(&left, std::begin(operands), std::end(operands), new_value);
  }

  const char* Name() const override { return name_; }

 private:
  // Folds `base` (may be null) and then each operand in order, as the pairwise merge did.
  template <typename It>
  static bool Fold(const rocksdb::Slice* base, It begin, It end, std::string* out) {
    Message acc;
    Message in;
    if (base != nullptr && !acc.ParseFromArray(base->data(), static_cast<int>(base->size()))) {
      return false;
    }
    for (It it = begin; it != end; ++it) {
      if (base == nullptr && it == begin) {
        // The first operand is the accumulator as stored, exactly as a pairwise merge with no
        // existing value would copy it.
        if (!acc.ParseFromArray(it->data(), static_cast<int>(it->size()))) return false;
        continue;
      }
      in.Clear();
      if (!in.ParseFromArray(it->data(), static_cast<int>(it->size()))) return false;
      Fn(in, &acc);
    }
    out->clear();
    return acc.SerializeToString(out);
  }

  const char* name_;
};

}  // namespace

std::shared_ptr<rocksdb::MergeOperator> NewDeviceWindowMergeOperator() {
  return std::make_shared<ProtoMergeOperator<v1::DeviceWindow, &MergeDeviceWindow>>(
      "airfleet.DeviceWindowMerge.v1");
}
std::shared_ptr<rocksdb::MergeOperator> NewProbeObservationMergeOperator() {
  return std::make_shared<ProtoMergeOperator<v1::ProbeObservation, &MergeProbeObservation>>(
      "airfleet.ProbeObservationMerge.v1");
}
std::shared_ptr<rocksdb::MergeOperator> NewDeviceInfoMergeOperator() {
  return std::make_shared<ProtoMergeOperator<v1::DeviceInfo, &MergeDeviceInfo>>(
      "airfleet.DeviceInfoMerge.v1");
}

}  // namespace airfleet::collector
