#include "collector/store/merge_operators.h"

#include <string>

#include "collector/store/device_merge.h"
#include "collector/store/window_merge.h"

namespace airfleet::collector {
namespace {

// Message is the stored proto; Fn folds (in, acc). Associative, so one operator class covers
// full and partial merges. A value that does not parse makes the merge fail, which RocksDB
// reports as Corruption on read: better than silently dropping counts.
template <typename Message, void (*Fn)(const Message&, Message*)>
class ProtoMergeOperator : public rocksdb::AssociativeMergeOperator {
 public:
  explicit ProtoMergeOperator(const char* name) : name_(name) {}

  bool Merge(const rocksdb::Slice& /*key*/, const rocksdb::Slice* existing,
             const rocksdb::Slice& value, std::string* new_value,
             rocksdb::Logger* /*logger*/) const override {
    if (existing == nullptr) {
      new_value->assign(value.data(), value.size());
      return true;
    }
    Message acc;
    Message in;
    if (!acc.ParseFromArray(existing->data(), static_cast<int>(existing->size())) ||
        !in.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      return false;
    }
    Fn(in, &acc);
    return acc.SerializeToString(new_value);
  }

  const char* Name() const override { return name_; }

 private:
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
