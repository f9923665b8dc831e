// Test helper for spool_crash_test: resumes an "import" from the spool's replay position and
// appends forever, writing the committed summary count (8 bytes) to stdout after each Append, until
// it is killed.
//
// Usage: spool_crash_writer SPOOL_DIR
// The replay position is the decimal count of summaries produced so far; summary n has mac n, so
// the checker can tell exactly what is present, missing or duplicated.

#include <unistd.h>

#include <cstdio>
#include <string>

#include "agent/spool/rocksdb_spool.h"
#include "agent/spool/spool_test_util.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s SPOOL_DIR\n", argv[0]);
    return 2;
  }
  airfleet::spool::RocksDbSpoolOptions options;
  options.path = argv[1];
  options.agent_id = "crash-writer";
  // Small batches so that one Append often spans several batches (the atomicity under test).
  options.max_batch_bytes = 8 * 1024;
  auto spool = airfleet::spool::RocksDbSpool::Open(options);
  if (!spool.ok()) {
    std::fprintf(stderr, "open: %s\n", spool.status().ToString().c_str());
    return 1;
  }
  const std::string position = (*spool)->ReplayPosition();
  uint64_t produced = position.empty() ? 0 : std::stoull(position);
  for (uint64_t round = 0;; ++round) {
    const size_t count = 1 + (produced * 7919 + round) % 400;
    auto windows = airfleet::spool::testing::MakeWindows(produced + 1, count, 0);
    auto r = (*spool)->Append(std::move(windows), {}, std::to_string(produced + count));
    if (!r.ok()) {
      std::fprintf(stderr, "append: %s\n", r.status().ToString().c_str());
      return 1;
    }
    produced += count;
    // Tell the parent how many summaries are committed (native-endian u64; same machine).
    if (write(STDOUT_FILENO, &produced, sizeof produced) != sizeof produced) return 1;
  }
}
