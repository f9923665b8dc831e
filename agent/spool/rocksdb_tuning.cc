#include "agent/spool/rocksdb_tuning.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <memory>

#include "agent/spool/rocksdb_spool.h"
#include "rocksdb/convenience.h"
#include "rocksdb/env.h"
#include "rocksdb/table.h"

namespace airfleet::spool {
namespace {

rocksdb::CompressionType BestCheapCompression() {
  const auto supported = rocksdb::GetSupportedCompressions();
  for (auto want : {rocksdb::kLZ4Compression, rocksdb::kSnappyCompression}) {
    if (std::find(supported.begin(), supported.end(), want) != supported.end()) return want;
  }
  return rocksdb::kNoCompression;
}

// RocksDB's info LOG would live on the spool's own disk. When that disk fills, RocksDB 7.8 (as
// Debian builds it, with assertions on) can abort the whole process on an assertion while
// appending to the LOG after a failed write (the full-tmpfs spool test hit it in about one run in
// five). So RocksDB never writes a LOG file here: fatal messages go to stderr, the rest is
// dropped (write errors reach the spool as statuses and are reported by it, e.g. "spool disk
// full").
class StderrFatalLogger : public rocksdb::Logger {
 public:
  StderrFatalLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::FATAL_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[1024];
    std::vsnprintf(line, sizeof(line), format, ap);
    std::fprintf(stderr, "airfleet-agent: spool (rocksdb): %s\n", line);
  }
};

}  // namespace

rocksdb::Options SmallDeviceOptions(const RocksDbSpoolOptions& spool_options,
                                    std::shared_ptr<rocksdb::Cache>* cache) {
  if (!*cache) *cache = rocksdb::NewLRUCache(spool_options.block_cache_bytes);
  rocksdb::Options options;
  // Options::OptimizeForSmallDb() would make its own 16 MB cache; pass ours to both halves.
  options.DBOptions::OptimizeForSmallDb(cache);
  options.ColumnFamilyOptions::OptimizeForSmallDb(cache);
  options.create_if_missing = true;
  options.paranoid_checks = true;
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  options.max_open_files = spool_options.max_open_files;
  options.write_buffer_size = spool_options.write_buffer_bytes;
  options.max_write_buffer_number = 2;
  options.target_file_size_base = 4u << 20;
  options.max_total_wal_size = 4 * spool_options.write_buffer_bytes;
  options.compression = BestCheapCompression();
  // After a write error (full disk) the spool calls DB::Resume() itself on the next write; the
  // background auto-resume thread would make that call fail with Busy for up to a second.
  options.max_bgerror_resume_count = 0;
  // No info LOG file on the spool's disk (see StderrFatalLogger).
  options.info_log = std::make_shared<StderrFatalLogger>();
  options.info_log_level = rocksdb::InfoLogLevel::FATAL_LEVEL;

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = *cache;
  table.cache_index_and_filter_blocks = true;
  table.block_size = 16u << 10;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

}  // namespace airfleet::spool
