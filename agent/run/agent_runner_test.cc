#include "agent/run/agent_runner.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "agent/capture/file_source.h"
#include "agent/run/replay_position.h"
#include "agent/spool/rocksdb_spool.h"
#include "common/pseudonym.h"
#include "tools/framegen/pcap_writer.h"
#include "tools/framegen/scenario.h"

namespace airfleet::run {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("agent_runner_test." + std::to_string(::getpid()) + "." + std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string Sub(const std::string& name) const { return (path_ / name).string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

// Stops the runner (through its stop flag) once `limit` packets were delivered: an interruption
// at an exact, reproducible point.
class StopAfter final : public capture::PacketSource {
 public:
  StopAfter(capture::PacketSource* inner, uint64_t limit, std::atomic<bool>* stop)
      : inner_(inner), limit_(limit), stop_(stop) {}
  absl::StatusOr<bool> Next(capture::Packet* out) override {
    auto got = inner_->Next(out);
    if (got.ok() && *got && ++delivered_ >= limit_) stop_->store(true);
    return got;
  }
  bool AtEnd() const override { return inner_->AtEnd(); }
  capture::CaptureCounters Counters() const override { return inner_->Counters(); }

 private:
  capture::PacketSource* inner_;
  uint64_t limit_;
  uint64_t delivered_ = 0;
  std::atomic<bool>* stop_;
};

framegen::ScenarioOptions ScenarioFor(uint64_t seed) {
  framegen::ScenarioOptions options;
  options.devices = 80;
  options.frames = 30'000;
  options.seconds = 900;  // 15 windows of 60 s
  options.seed = seed;
  return options;
}

std::string WriteScenario(const std::string& path, uint64_t seed) {
  framegen::Scenario scenario = framegen::GenerateScenario(ScenarioFor(seed));
  framegen::PcapWriter writer(127, framegen::TimestampResolution::kMicro);
  for (const auto& r : scenario.records) writer.Add(r.timestamp_ns, r.bytes.data(), r.bytes.size());
  EXPECT_TRUE(framegen::WriteFile(path, writer.data()).ok());
  return path;
}

std::unique_ptr<spool::RocksDbSpool> OpenSpool(const std::string& dir) {
  spool::RocksDbSpoolOptions options;
  options.path = dir;
  options.agent_id = "test-agent";
  options.durability = spool::Durability::kGroupCommit;
  auto spool = spool::RocksDbSpool::Open(options);
  EXPECT_TRUE(spool.ok()) << spool.status();
  return std::move(*spool);
}

// Every DeviceWindow and ProbeObservation in the spool, serialized deterministically and sorted,
// so two spools compare as multisets regardless of how summaries were split into batches.
std::vector<std::string> SpooledSummaries(spool::Spool& spool) {
  auto batches = spool.Peek(1, 1'000'000);
  EXPECT_TRUE(batches.ok()) << batches.status();
  std::vector<std::string> out;
  for (const auto& b : *batches) {
    v1::Batch batch;
    EXPECT_TRUE(batch.ParseFromString(b.data));
    for (const auto& w : batch.windows()) out.push_back("w" + w.SerializeAsString());
    for (const auto& p : batch.probes()) out.push_back("p" + p.SerializeAsString());
  }
  std::sort(out.begin(), out.end());
  return out;
}

RunnerOptions ReplayOptions(const std::string& pcap, const ResumePlan& plan) {
  RunnerOptions o;
  o.replay = true;
  o.file_identity = *FileIdentity(pcap);
  o.start_offset = plan.start_offset;
  o.start_watermark_ns = plan.start_watermark_ns;
  o.now_ns = [] { return int64_t{1'800'000'000'000'000'000}; };
  return o;
}

// Runs (or resumes) the import of `pcap` into the spool at `spool_dir`, stopping after `limit`
// packets (0 = run to the end). Returns the runner's status.
absl::Status ImportOnce(const std::string& pcap, const std::string& spool_dir, uint64_t limit,
                        const privacy::PrivacyOptions& privacy = {}) {
  auto spool = OpenSpool(spool_dir);
  const ResumePlan plan = PlanResume(spool->ReplayPosition(), *FileIdentity(pcap));
  if (plan.already_finished) return absl::OkStatus();
  capture::FileReplayOptions file_options;
  file_options.start_position = plan.start_offset;
  auto file = capture::FileReplaySource::Open(pcap, file_options, nullptr);
  EXPECT_TRUE(file.ok()) << file.status();
  std::atomic<bool> stop{false};
  StopAfter source(file->get(), limit == 0 ? UINT64_MAX : limit, &stop);
  RunnerOptions options = ReplayOptions(pcap, plan);
  options.privacy = privacy;
  auto runner = AgentRunner::Create(options, &source, spool.get());
  EXPECT_TRUE(runner.ok()) << runner.status();
  return (*runner)->Run(stop);
}

// The heartbeat's capture counters: published as the replay goes (at most every 100 ms, so how
// many copies depends on the machine's speed) and once more at the end, so the last copy equals
// the runner's own final count.
TEST(AgentRunnerTest, PublishesCaptureCountersAsItGoesAndAtTheEnd) {
  TempDir tmp;
  const std::string pcap = WriteScenario(tmp.Sub("scenario.pcap"), 11);
  auto spool = OpenSpool(tmp.Sub("spool"));
  auto file = capture::FileReplaySource::Open(pcap, {}, nullptr);
  ASSERT_TRUE(file.ok()) << file.status();
  RunnerOptions options = ReplayOptions(pcap, ResumePlan{});
  std::vector<v1::CaptureStats> published;
  options.publish_capture = [&](const v1::CaptureStats& s) { published.push_back(s); };
  auto runner = AgentRunner::Create(options, file->get(), spool.get());
  ASSERT_TRUE(runner.ok()) << runner.status();
  std::atomic<bool> stop{false};
  ASSERT_TRUE((*runner)->Run(stop).ok());
  const RunnerCounters& c = (*runner)->counters();
  ASSERT_EQ(c.packets, 30'000u);
  ASSERT_GE(published.size(), 1u);
  for (size_t i = 1; i < published.size(); ++i) {
    EXPECT_GE(published[i].received(), published[i - 1].received());
  }
  EXPECT_EQ(published.back().received(), c.packets);
  EXPECT_EQ(published.back().frames_ok(), c.frames_ok);
  EXPECT_GT(c.frames_ok, 0u);
}

// A live source without a radio: the scenario's frames, stamped with the wall clock as they are
// delivered, a few per millisecond, forever. Only the capture device is simulated; spool, runner
// and the crash are real.
class FakeLiveSource final : public capture::PacketSource {
 public:
  explicit FakeLiveSource(framegen::Scenario scenario) : scenario_(std::move(scenario)) {}
  absl::StatusOr<bool> Next(capture::Packet* out) override {
    if (++calls_ % 4 == 0) return false;  // idle now and then: the runner seals by wall clock
    const auto& r = scenario_.records[next_++ % scenario_.records.size()];
    out->linktype = 127;
    out->timestamp_ns = absl::GetCurrentTimeNanos();
    out->data = r.bytes.data();
    out->captured_len = out->original_len = static_cast<uint32_t>(r.bytes.size());
    ++counters_.received;
    return true;
  }
  bool AtEnd() const override { return false; }
  void WaitForPacket(int64_t) override { absl::SleepFor(absl::Milliseconds(1)); }
  capture::CaptureCounters Counters() const override { return counters_; }

 private:
  framegen::Scenario scenario_;
  uint64_t next_ = 0, calls_ = 0;
  capture::CaptureCounters counters_;
};

RunnerOptions LiveOptions() {
  RunnerOptions o;
  o.replay = false;
  o.summariser.window_ms = 1000;
  o.live_delay_ns = 100'000'000;
  return o;
}

// Runs live capture into `spool_dir` in a child process and SIGKILLs it right after its
// `appends`-th spool append (a crash at an arbitrary point between two seals).
void RunLiveAndKill(const std::string& spool_dir, int appends) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(pipe_fds[0]);
    auto spool = OpenSpool(spool_dir);
    spool->SetAppendListener([fd = pipe_fds[1]] { (void)!::write(fd, "a", 1); });
    FakeLiveSource source(framegen::GenerateScenario(ScenarioFor(3)));
    auto runner = AgentRunner::Create(LiveOptions(), &source, spool.get());
    std::atomic<bool> never{false};
    if (runner.ok()) (void)(*runner)->Run(never);
    ::_exit(1);
  }
  ::close(pipe_fds[1]);
  char c;
  for (int seen = 0; seen < appends;) {
    pollfd p{pipe_fds[0], POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 60'000), 1) << "no spool append from the live child in 60 s";
    ASSERT_EQ(::read(pipe_fds[0], &c, 1), 1);
    ++seen;
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(pipe_fds[0]);
  ASSERT_TRUE(WIFSIGNALED(status));
}

// Starts live capture on the spool and stops it at once (the start is what checks the marker).
void StartAndStopLive(const std::string& spool_dir) {
  auto spool = OpenSpool(spool_dir);
  FakeLiveSource source(framegen::GenerateScenario(ScenarioFor(3)));
  auto runner = AgentRunner::Create(LiveOptions(), &source, spool.get());
  ASSERT_TRUE(runner.ok());
  std::atomic<bool> stop{true};
  ASSERT_TRUE((*runner)->Run(stop).ok());
}

std::vector<v1::LossRecord> CrashLosses(const std::string& spool_dir) {
  auto spool = OpenSpool(spool_dir);
  std::vector<v1::LossRecord> out;
  for (const auto& l : spool->Losses()) {
    if (l.reason() == "crash_open_window") out.push_back(l);
  }
  return out;
}

// Live capture loses at most its open window at a crash, and says so: the next start records a
// "crash_open_window" loss from the end of the last sealed window to the last sign of life.
TEST(AgentRunnerLiveTest, KillNineRecordsTheOpenWindowAsLost) {
  TempDir tmp;
  const std::string dir = tmp.Sub("spool");
  ASSERT_NO_FATAL_FAILURE(RunLiveAndKill(dir, 2));
  int64_t sealed_end = 0;
  {
    auto spool = OpenSpool(dir);
    ASSERT_GE(spool->Stats().batches, 2u);
    auto batches = spool->Peek(1, 1000);
    ASSERT_TRUE(batches.ok());
    for (const auto& b : *batches) {
      v1::Batch batch;
      ASSERT_TRUE(batch.ParseFromString(b.data));
      for (const auto& w : batch.windows()) {
        sealed_end = std::max(sealed_end, w.window_start_ns() + int64_t{w.window_ms()} * 1'000'000);
      }
    }
  }
  EXPECT_TRUE(CrashLosses(dir).empty());  // nobody has looked yet
  ASSERT_NO_FATAL_FAILURE(StartAndStopLive(dir));
  const auto losses = CrashLosses(dir);
  ASSERT_EQ(losses.size(), 1u);
  // From the end of the last window that reached the spool to the child's last append.
  EXPECT_EQ(losses[0].first_window_ns(), sealed_end);
  EXPECT_GE(losses[0].last_window_ns(), losses[0].first_window_ns());
  EXPECT_GT(losses[0].recorded_ns(), 0);
  // A clean stop clears the marker: starting again records nothing new.
  ASSERT_NO_FATAL_FAILURE(StartAndStopLive(dir));
  EXPECT_EQ(CrashLosses(dir).size(), 1u);
}

// Reads the runner's published snapshot before every packet it hands over, as the metrics
// endpoint would from its own thread (here on the capture thread, so the points are exact).
class SnapshotProbe final : public capture::PacketSource {
 public:
  explicit SnapshotProbe(capture::PacketSource* inner) : inner_(inner) {}
  absl::StatusOr<bool> Next(capture::Packet* out) override {
    if (runner != nullptr) {
      const RunnerSnapshot s = runner->Snapshot();
      // Never ahead of the loop, never going backwards.
      EXPECT_LE(s.runner.packets, delivered_);
      EXPECT_GE(s.runner.packets, last_seen_);
      last_seen_ = s.runner.packets;
      mid_run_publications_ += s.runner.packets > 0 && s.runner.packets < delivered_ ? 1 : 0;
    }
    auto got = inner_->Next(out);
    if (got.ok() && *got) ++delivered_;
    return got;
  }
  bool AtEnd() const override { return inner_->AtEnd(); }
  capture::CaptureCounters Counters() const override { return inner_->Counters(); }

  const AgentRunner* runner = nullptr;
  uint64_t mid_run_publications_ = 0;

 private:
  capture::PacketSource* inner_;
  uint64_t delivered_ = 0;
  uint64_t last_seen_ = 0;
};

// Publication mid-run does not depend on time here: every spool append (15 windows) publishes.
TEST(AgentRunnerTest, SnapshotIsPublishedMidRunNeverRunsAheadAndEndsExact) {
  TempDir tmp;
  const std::string pcap = WriteScenario(tmp.Sub("scenario.pcap"), 3);
  auto spool = OpenSpool(tmp.Sub("spool"));
  auto file = capture::FileReplaySource::Open(pcap, {}, nullptr);
  ASSERT_TRUE(file.ok()) << file.status();
  SnapshotProbe probe(file->get());
  auto runner = AgentRunner::Create(ReplayOptions(pcap, {}), &probe, spool.get());
  ASSERT_TRUE(runner.ok()) << runner.status();
  probe.runner = runner->get();
  std::atomic<bool> stop{false};
  ASSERT_TRUE((*runner)->Run(stop).ok());
  EXPECT_GT(probe.mid_run_publications_, 0u);
  const RunnerSnapshot end = (*runner)->Snapshot();
  const RunnerCounters& c = (*runner)->counters();
  EXPECT_EQ(end.runner.packets, 30'000u);
  EXPECT_EQ(end.runner.packets, c.packets);
  EXPECT_EQ(end.runner.frames_ok, c.frames_ok);
  EXPECT_EQ(end.runner.summaries_spooled, c.summaries_spooled);
  EXPECT_EQ(end.summariser.windows_sealed, (*runner)->summariser().counters().windows_sealed);
  EXPECT_EQ(end.capture.received, 30'000u);
}

TEST(AgentRunnerTest, InterruptedReplayResumesToTheSameSummaries) {
  TempDir tmp;
  const std::string pcap = WriteScenario(tmp.Sub("scenario.pcap"), 7);

  ASSERT_TRUE(ImportOnce(pcap, tmp.Sub("whole"), 0).ok());
  auto whole_spool = OpenSpool(tmp.Sub("whole"));
  const std::vector<std::string> whole = SpooledSummaries(*whole_spool);
  ASSERT_GT(whole.size(), 500u);

  // Interrupt at awkward points: mid-window, right after the first seal, near the end.
  for (uint64_t limit : {1234u, 2100u, 9999u, 17'000u, 29'500u}) {
    ASSERT_TRUE(ImportOnce(pcap, tmp.Sub("pieces"), limit).ok()) << "stopped after " << limit;
  }
  ASSERT_TRUE(ImportOnce(pcap, tmp.Sub("pieces"), 0).ok());
  auto pieces_spool = OpenSpool(tmp.Sub("pieces"));
  EXPECT_EQ(SpooledSummaries(*pieces_spool), whole);

  // Running the finished import again adds nothing.
  const uint64_t next = pieces_spool->Stats().next_sequence;
  pieces_spool.reset();
  ASSERT_TRUE(ImportOnce(pcap, tmp.Sub("pieces"), 0).ok());
  EXPECT_EQ(OpenSpool(tmp.Sub("pieces"))->Stats().next_sequence, next);
}

// Pseudonymisation happens before the spool: the spooled MACs are the generator's true MACs
// mapped by common/pseudonym.h (itself checked against Python's hmac in pseudonym_test) with the
// key of each window's rotation period, every batch says which period, and an interrupted import
// still resumes to exactly the same summaries.
TEST(AgentRunnerTest, PseudonymisesBeforeTheSpoolAndRecordsTheRotationPeriod) {
  TempDir tmp;
  const std::string pcap = WriteScenario(tmp.Sub("scenario.pcap"), 11);
  privacy::PrivacyOptions privacy;
  privacy.mode = privacy::PrivacyMode::kPseudonymise;
  privacy.ssids = privacy::SsidMode::kHash;
  privacy.rotation_period_ns = 300'000'000'000;  // 5 min: three or four periods in 15 min
  for (int i = 0; i < 32; ++i) privacy.key.push_back(static_cast<char>(i));
  ASSERT_TRUE(ImportOnce(pcap, tmp.Sub("whole"), 0, privacy).ok());

  std::multiset<std::pair<int64_t, uint64_t>> want;
  for (const auto& d : framegen::GenerateScenario(ScenarioFor(11)).truth.devices) {
    auto key = pseudonym::DerivePeriodKey(
        privacy.key, pseudonym::PeriodStart(d.window_start_ns, 300'000'000'000));
    want.emplace(d.window_start_ns, pseudonym::PseudonymiseMac(*key, d.mac.ToU64(), false));
  }
  auto spool = OpenSpool(tmp.Sub("whole"));
  auto batches = spool->Peek(1, 1'000'000);
  ASSERT_TRUE(batches.ok());
  std::multiset<std::pair<int64_t, uint64_t>> got;
  std::set<int64_t> periods;
  for (const auto& b : *batches) {
    v1::Batch batch;
    ASSERT_TRUE(batch.ParseFromString(b.data));
    ASSERT_TRUE(batch.has_privacy()) << "batch " << b.sequence;
    EXPECT_EQ(batch.privacy().mode(), v1::PRIVACY_MODE_PSEUDONYMISE);
    EXPECT_EQ(batch.privacy().ssids(), v1::SSID_PRIVACY_HASH);
    EXPECT_EQ(batch.privacy().rotation_period_ns(), 300'000'000'000);
    periods.insert(batch.privacy().rotation_start_ns());
    for (const auto& w : batch.windows()) {
      EXPECT_EQ(batch.privacy().rotation_start_ns(),
                pseudonym::PeriodStart(w.window_start_ns(), 300'000'000'000));
      for (const auto& s : w.probed_ssids()) EXPECT_EQ(s.rfind("hmac:", 0), 0u) << s;
      got.emplace(w.window_start_ns(), w.mac());
    }
    for (const auto& p : batch.probes()) {
      EXPECT_EQ(batch.privacy().rotation_start_ns(),
                pseudonym::PeriodStart(p.window_start_ns(), 300'000'000'000));
    }
  }
  EXPECT_GE(periods.size(), 3u);
  EXPECT_EQ(got, want);

  for (uint64_t limit : {2100u, 17'000u}) {
    ASSERT_TRUE(ImportOnce(pcap, tmp.Sub("pieces"), limit, privacy).ok());
  }
  ASSERT_TRUE(ImportOnce(pcap, tmp.Sub("pieces"), 0, privacy).ok());
  EXPECT_EQ(SpooledSummaries(*OpenSpool(tmp.Sub("pieces"))), SpooledSummaries(*spool));
}

TEST(AgentRunnerTest, AnotherFileStartsFromTheTop) {
  TempDir tmp;
  const std::string first = WriteScenario(tmp.Sub("a.pcap"), 1);
  const std::string second = WriteScenario(tmp.Sub("b.pcap"), 2);
  ASSERT_TRUE(ImportOnce(first, tmp.Sub("spool"), 5000).ok());
  auto spool = OpenSpool(tmp.Sub("spool"));
  const ResumePlan plan = PlanResume(spool->ReplayPosition(), *FileIdentity(second));
  EXPECT_EQ(plan.start_offset, 0u);
  EXPECT_FALSE(plan.already_finished);
  const ResumePlan same = PlanResume(spool->ReplayPosition(), *FileIdentity(first));
  EXPECT_GT(same.start_offset, 0u);
}

TEST(AgentRunnerTest, ReplayPositionRoundTripsAndRejectsGarbage) {
  ReplayPosition p{"123:00000000deadbeef", 4096, 1'700'000'000'000'000'000, false};
  auto decoded = DecodeReplayPosition(EncodeReplayPosition(p));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->file_identity, p.file_identity);
  EXPECT_EQ(decoded->resume_offset, 4096u);
  EXPECT_EQ(decoded->watermark_ns, p.watermark_ns);
  EXPECT_FALSE(DecodeReplayPosition("").has_value());
  EXPECT_FALSE(DecodeReplayPosition("v1 x notanumber 0 0").has_value());
  EXPECT_FALSE(DecodeReplayPosition("v2 x 1 2 0").has_value());
}

}  // namespace
}  // namespace airfleet::run
