#pragma once

// RocksDB merge operators that apply the pure merge functions (window_merge.h, device_merge.h) to
// serialized protos, so the write path never reads before writing: a commit issues Merge(key,
// summary) and RocksDB folds operands on read and compaction.

#include <memory>

#include "rocksdb/merge_operator.h"

namespace airfleet::collector {

std::shared_ptr<rocksdb::MergeOperator> NewDeviceWindowMergeOperator();
std::shared_ptr<rocksdb::MergeOperator> NewProbeObservationMergeOperator();
std::shared_ptr<rocksdb::MergeOperator> NewDeviceInfoMergeOperator();

}  // namespace airfleet::collector
