#pragma once

// RocksDB options for a spool on a 512 MB Raspberry Pi: a few MiB of memory in total.
//  * write buffer 2 MiB x 2, one shared 2 MiB LRU block cache (index/filter blocks charged to
//    it), max_open_files 64: the spool's working set is the newest and oldest batches only.
//  * LZ4 (cheap on ARM) for SST files when the library has it, else Snappy, else none. The
//    batches are protobuf varints and compress ~2x.
//  * OptimizeForSmallDb() as the base (small files, small level sizes, 1 opener thread).
//  * WAL recovery kPointInTimeRecovery: after a crash the spool is a consistent prefix.

#include <memory>

#include "rocksdb/cache.h"
#include "rocksdb/options.h"

namespace airfleet::spool {

struct RocksDbSpoolOptions;

rocksdb::Options SmallDeviceOptions(const RocksDbSpoolOptions& spool_options,
                                    std::shared_ptr<rocksdb::Cache>* cache);

}  // namespace airfleet::spool
