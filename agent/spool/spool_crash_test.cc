// kill -9 at random points while a child process appends; after each kill the spool must hold a
// complete, contiguous prefix whose replay position matches its last batch exactly.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "agent/spool/rocksdb_spool.h"
#include "agent/spool/spool_test_util.h"
#include "gtest/gtest.h"

namespace airfleet::spool {
namespace {

// Starts the writer with its stdout on a pipe; returns the pid and the pipe's read end.
std::pair<pid_t, int> StartWriter(const std::string& spool_dir) {
  // A cross build runs this test under an emulator (qemu-user), and the kernel cannot exec the
  // writer, a foreign binary, on its own: the writer runs under the same emulator.
  std::vector<std::string> args =
      absl::StrSplit(AIRFLEET_SPOOL_CRASH_LAUNCHER, '|', absl::SkipEmpty());
  args.push_back(AIRFLEET_SPOOL_CRASH_WRITER);
  args.push_back(spool_dir);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int fds[2];
  if (pipe(fds) != 0) return {-1, -1};
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  return {pid, fds[0]};
}

// Reads `appends` commit reports (8 bytes each: summaries committed so far) and returns the last;
// nullopt if the writer died first.
std::optional<uint64_t> WaitForAppends(int fd, int appends) {
  uint64_t committed = 0;
  for (int i = 0; i < appends; ++i) {
    size_t got = 0;
    while (got < sizeof committed) {
      ssize_t n = read(fd, reinterpret_cast<char*>(&committed) + got, sizeof committed - got);
      if (n <= 0) return std::nullopt;
      got += static_cast<size_t>(n);
    }
  }
  return committed;
}

TEST(SpoolCrashTest, KillNineLeavesACompleteContiguousPrefix) {
  const std::string dir = testing::MakeTempDir("spool_crash");
  const std::string spool_dir = dir + "/spool";
  const uint32_t seed = std::random_device{}();
  std::mt19937 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  constexpr int kKills = 20;
  uint64_t committed_summaries_floor = 0;
  for (int kill_round = 0; kill_round < kKills; ++kill_round) {
    auto [pid, fd] = StartWriter(spool_dir);
    ASSERT_GT(pid, 0);
    const int appends = std::uniform_int_distribution<int>(1, 30)(rng);
    const std::optional<uint64_t> reported = WaitForAppends(fd, appends);
    ASSERT_TRUE(reported.has_value()) << "writer died early in round " << kill_round;
    kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status));
    close(fd);

    RocksDbSpoolOptions options;
    options.path = spool_dir;
    auto spool = RocksDbSpool::Open(options);
    ASSERT_TRUE(spool.ok()) << spool.status();
    ASSERT_FALSE((*spool)->quarantine().has_value());
    auto batches = (*spool)->Peek(0, SIZE_MAX);
    ASSERT_TRUE(batches.ok());
    const SpoolStats stats = (*spool)->Stats();
    ASSERT_EQ(stats.first_sequence, 1u);
    ASSERT_EQ(batches->size(), stats.next_sequence - 1);
    uint64_t expected_mac = 1;
    for (size_t i = 0; i < batches->size(); ++i) {
      ASSERT_EQ((*batches)[i].sequence, i + 1) << "gap in sequences";
      v1::Batch b;
      ASSERT_TRUE(b.ParseFromString((*batches)[i].data)) << "partial batch " << i + 1;
      ASSERT_EQ(b.sequence(), i + 1);
      for (const auto& w : b.windows()) ASSERT_EQ(w.mac(), expected_mac++) << "batch " << i + 1;
    }
    const uint64_t stored = expected_mac - 1;
    // The replay position names exactly the last stored summary: resuming from it neither
    // skips nor repeats anything.
    EXPECT_EQ((*spool)->ReplayPosition(), std::to_string(stored));
    EXPECT_EQ(stats.summaries, stored);
    // Every append the writer saw return OK survived the kill, and nothing went backwards.
    EXPECT_GE(stored, *reported);
    EXPECT_GE(stored, committed_summaries_floor);
    committed_summaries_floor = stored;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace airfleet::spool
