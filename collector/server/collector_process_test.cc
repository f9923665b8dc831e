// Tests of the real airfleet-collector binary: startup contract (one stderr line + address file),
// SIGTERM, configuration errors, and kill -9 during ingest (nothing acknowledged is lost, nothing
// re-sent is stored twice).

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "collector/server/test_client.h"
#include "collector/testing/test_pki.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"

namespace airfleet::collector {
namespace {

using testing::ClientTls;
using testing::DeadlineIn;
using ::testing::HasSubstr;
using testing::MakeBatch;
using testing::MakeChannel;

// Windows from the current minute: the binary runs retention (default 30 days) at start, and a
// fixed old date would be deleted by it.
const int64_t kT0 = [] {
  constexpr int64_t kMinuteNs = 60'000'000'000;
  int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  return now / kMinuteNs * kMinuteNs;
}();
constexpr char kListening[] = "airfleet-collector listening on ";

std::string CollectorBinary() {
  if (const char* dir = std::getenv("AIRFLEET_BINARY_DIR")) {
    return std::string(dir) + "/collector/airfleet-collector";
  }
  return AIRFLEET_COLLECTOR_BINARY;
}

// A child airfleet-collector with its stderr on a pipe.
struct Child {
  pid_t pid = -1;
  int err_fd = -1;
  std::string stderr_text;

  // Reads stderr until `needle` appears, EOF, or the deadline. True if it appeared.
  bool WaitForStderr(const std::string& needle, std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (stderr_text.find(needle) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{err_fd, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      ssize_t n = ::read(err_fd, buf, sizeof buf);
      if (n <= 0) return stderr_text.find(needle) != std::string::npos;
      stderr_text.append(buf, static_cast<size_t>(n));
    }
    return true;
  }
  // Waits for exit; returns the wait status.
  int Wait() {
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (err_fd >= 0) ::close(err_fd);
    err_fd = -1;
    pid = -1;
    return status;
  }
};

// `stdout_path`: where the child's stdout goes ("" = this process's stdout).
Child Spawn(const std::vector<std::string>& args, const std::string& stdout_path = "") {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  Child child;
  child.pid = ::fork();
  if (child.pid == 0) {
    ::dup2(fds[1], 2);
    if (!stdout_path.empty()) {
      int out = ::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (out >= 0) ::dup2(out, 1);
    }
    ::close(fds[0]);
    ::close(fds[1]);
    std::vector<char*> argv;
    std::string bin = CollectorBinary();
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    std::string msg = "cannot exec " + bin + "\n";
    (void)!::write(2, msg.data(), msg.size());
    ::_exit(127);
  }
  ::close(fds[1]);
  child.err_fd = fds[0];
  return child;
}

class CollectorProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::path(::testing::TempDir()) /
            (std::string("collector_proc_") +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ / "pki");
    auto pki = airfleet::testing::TestPki::Create((root_ / "pki").string());
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = std::make_unique<airfleet::testing::TestPki>(std::move(*pki));
    auto server = pki_->IssueCollector();
    auto agent = pki_->Issue("pi-1", "pi-1", "agent");
    auto op = pki_->Issue("op", "alice", "operator");
    ASSERT_TRUE(server.ok() && agent.ok() && op.ok());
    server_ = *server;
    agent_ = *agent;
    op_ = *op;
  }
  void TearDown() override {
    if (child_.pid > 0) {
      ::kill(child_.pid, SIGKILL);
      child_.Wait();
    }
    std::filesystem::remove_all(root_);
  }

  std::vector<std::string> Args() const {
    return {"--listen", "127.0.0.1:0",   "--data-dir", (root_ / "data").string(),
            "--ca",     pki_->ca_path(), "--cert",     server_.cert_path,
            "--key",    server_.key_path};
  }
  // Starts the collector and returns its address from the stderr line.
  std::string StartCollector() {
    child_ = Spawn(Args());
    EXPECT_TRUE(child_.WaitForStderr("\n", std::chrono::seconds(30))) << child_.stderr_text;
    size_t at = child_.stderr_text.find(kListening);
    EXPECT_NE(at, std::string::npos) << child_.stderr_text;
    if (at == std::string::npos) return "";
    std::string rest = child_.stderr_text.substr(at + sizeof(kListening) - 1);
    return rest.substr(0, rest.find('\n'));
  }

  std::filesystem::path root_;
  std::unique_ptr<airfleet::testing::TestPki> pki_;
  airfleet::testing::TestCert server_, agent_, op_;
  Child child_;
};

TEST_F(CollectorProcessTest, AnnouncesAddressAndStopsCleanlyOnSigterm) {
  std::string address = StartCollector();
  EXPECT_THAT(address, ::testing::MatchesRegex("127\\.0\\.0\\.1:[0-9]+"));
  EXPECT_NE(address, "127.0.0.1:0");
  auto file = airfleet::testing::ReadFileToString((root_ / "data" / "collector.addr").string());
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(*file, address);
  // Exactly one line before any signal.
  EXPECT_EQ(std::count(child_.stderr_text.begin(), child_.stderr_text.end(), '\n'), 1);
  ::kill(child_.pid, SIGTERM);
  int status = child_.Wait();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_F(CollectorProcessTest, MismatchedKeyFailsWithClearMessage) {
  auto other = pki_->IssueCollector("other");
  ASSERT_TRUE(other.ok());
  std::vector<std::string> args = Args();
  args.back() = other->key_path;
  child_ = Spawn(args);
  child_.WaitForStderr("\n", std::chrono::seconds(30));
  int status = child_.Wait();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_THAT(child_.stderr_text, HasSubstr("does not match certificate"));
}

TEST_F(CollectorProcessTest, KillDashNineDuringIngestLosesNothingAcknowledged) {
  constexpr uint64_t kStream = 0xfeed;
  constexpr int kBatches = 300;
  constexpr int kWindows = 40;
  auto batch = [&](int seq) {
    v1::AgentMessage m;
    *m.mutable_batch() = MakeBatch("pi-1", kStream, seq, uint64_t(seq) * 1000, kWindows, kT0);
    return m;
  };
  v1::AgentMessage hello;
  hello.mutable_hello()->set_agent_id("pi-1");
  hello.mutable_hello()->set_stream_id(kStream);
  ClientTls agent_tls{pki_->ca_pem(), agent_.cert_pem, agent_.key_pem};

  // Phase 1: stream without waiting for acks and kill -9 once some are acknowledged.
  std::string address = StartCollector();
  uint64_t last_acked = 0;
  {
    auto stub = v1::Ingest::NewStub(MakeChannel(address, agent_tls));
    grpc::ClientContext ctx;
    ctx.set_deadline(DeadlineIn(std::chrono::seconds(60)));
    auto stream = stub->Stream(&ctx);
    std::mutex mu;
    std::condition_variable cv;
    bool reader_done = false;
    std::thread reader([&] {
      v1::CollectorMessage reply;
      while (stream->Read(&reply)) {
        std::lock_guard<std::mutex> lock(mu);
        last_acked = std::max(last_acked, reply.ack().committed_sequence());
        cv.notify_all();
      }
      std::lock_guard<std::mutex> lock(mu);
      reader_done = true;
      cv.notify_all();
    });
    std::thread writer([&] {
      if (!stream->Write(hello)) return;
      for (int seq = 1; seq <= kBatches; ++seq) {
        if (!stream->Write(batch(seq))) return;
      }
    });
    {
      std::unique_lock<std::mutex> lock(mu);
      ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60),
                              [&] { return last_acked >= 30 || reader_done; }));
    }
    ::kill(child_.pid, SIGKILL);
    child_.Wait();
    ctx.TryCancel();
    writer.join();
    reader.join();
  }
  ASSERT_GE(last_acked, 30u);
  // Usually the kill lands mid-stream; if all were acked the test still checks dedup below.
  RecordProperty("acked_before_kill", static_cast<int>(last_acked));

  // Phase 2: restart on the same data dir; the mark covers everything acknowledged.
  address = StartCollector();
  auto stub = v1::Ingest::NewStub(MakeChannel(address, agent_tls));
  grpc::ClientContext ctx;
  ctx.set_deadline(DeadlineIn(std::chrono::seconds(60)));
  auto stream = stub->Stream(&ctx);
  ASSERT_TRUE(stream->Write(hello));
  v1::CollectorMessage reply;
  ASSERT_TRUE(stream->Read(&reply));
  const uint64_t mark = reply.ack().committed_sequence();
  EXPECT_GE(mark, last_acked);
  // The agent re-sends everything it still holds (here: all of it, the worst case for dedup).
  for (int seq = 1; seq <= kBatches; ++seq) {
    ASSERT_TRUE(stream->Write(batch(seq)));
    ASSERT_TRUE(stream->Read(&reply));
    EXPECT_EQ(reply.ack().committed_sequence(), std::max<uint64_t>(seq, mark));
  }
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());

  // Every window exactly once, with its original frame count (a double store would sum).
  auto admin = v1::Admin::NewStub(
      MakeChannel(address, ClientTls{pki_->ca_pem(), op_.cert_pem, op_.key_pem}));
  grpc::ClientContext actx;
  actx.set_deadline(DeadlineIn(std::chrono::seconds(60)));
  auto reader = admin->ExportWindows(&actx, v1::ExportWindowsRequest());
  std::map<uint64_t, uint32_t> frames_by_mac;
  v1::StoredWindow w;
  while (reader->Read(&w)) {
    EXPECT_TRUE(frames_by_mac.emplace(w.window().mac(), w.window().frames()).second)
        << "window stored twice for mac " << w.window().mac();
  }
  ASSERT_TRUE(reader->Finish().ok());
  for (int seq = 1; seq <= kBatches; ++seq) {
    EXPECT_EQ(frames_by_mac.count(uint64_t(seq) * 1000), 1u)
        << "batch " << seq << " missing; acked before kill " << last_acked << ", mark " << mark;
  }
  ASSERT_EQ(frames_by_mac.size(), size_t{kBatches} * kWindows);
  for (const auto& [mac, frames] : frames_by_mac) {
    ASSERT_EQ(frames, 1 + mac % 7) << "mac " << mac;
  }
  ::kill(child_.pid, SIGTERM);
  int status = child_.Wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

// Per-kind retention in the real binary: the precedence --check-config reports, then a restart
// whose start-up pass cuts the windows at their own age and keeps the devices (kept longer).
TEST_F(CollectorProcessTest, RetentionCutsEachKindAtItsOwnAgeAfterARestart) {
  constexpr int64_t kDayNs = int64_t{86'400} * 1'000'000'000;
  constexpr int kWindows = 40;
  const std::string config = (root_ / "retention.yaml").string();
  {
    std::ofstream out(config);
    out << "retention:\n  windows_days: 2\n";
  }
  auto checked = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = Args();
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back("--check-config");
    const std::string out = (root_ / "check.out").string();
    Child c = Spawn(args, out);
    c.WaitForStderr("\n", std::chrono::seconds(30));  // EOF at exit
    int status = c.Wait();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << c.stderr_text;
    return airfleet::testing::ReadFileToString(out).value_or("");
  };
  // The file's kind wins over the built-in default; the flag wins over the file, for every kind.
  EXPECT_THAT(checked({"--config", config}),
              HasSubstr("retention in days (0 = keep): windows 2, probes 30, devices 30, dead "
                        "letters 30\n"));
  EXPECT_THAT(checked({"--config", config, "--retention-days", "0"}),
              HasSubstr("windows 0, probes 0, devices 0, dead letters 0\n"));

  // Phase 1, keeping everything: windows of 10 days ago (macs 1000+) and of now (macs 5000+).
  child_ = Spawn([&] {
    auto a = Args();
    a.insert(a.end(), {"--retention-days", "0"});
    return a;
  }());
  ASSERT_TRUE(child_.WaitForStderr(kListening, std::chrono::seconds(30))) << child_.stderr_text;
  auto address = [&] {
    auto file = airfleet::testing::ReadFileToString((root_ / "data" / "collector.addr").string());
    return file.value_or("");
  };
  {
    ClientTls agent_tls{pki_->ca_pem(), agent_.cert_pem, agent_.key_pem};
    auto stub = v1::Ingest::NewStub(MakeChannel(address(), agent_tls));
    grpc::ClientContext ctx;
    ctx.set_deadline(DeadlineIn(std::chrono::seconds(60)));
    auto stream = stub->Stream(&ctx);
    v1::AgentMessage m;
    m.mutable_hello()->set_agent_id("pi-1");
    m.mutable_hello()->set_stream_id(7);
    ASSERT_TRUE(stream->Write(m));  // a new stream: the hello is not answered
    v1::CollectorMessage reply;
    const int64_t starts[] = {kT0 - 10 * kDayNs, kT0};
    for (int seq = 1; seq <= 2; ++seq) {
      *m.mutable_batch() =
          MakeBatch("pi-1", 7, seq, seq == 1 ? 1000 : 5000, kWindows, starts[seq - 1]);
      ASSERT_TRUE(stream->Write(m));
      ASSERT_TRUE(stream->Read(&reply));
      ASSERT_EQ(reply.ack().committed_sequence(), uint64_t(seq));
    }
    stream->WritesDone();
    EXPECT_TRUE(stream->Finish().ok());
  }
  ::kill(child_.pid, SIGTERM);
  child_.Wait();

  // Phase 2, with the file: the pass at start deletes the old windows and nothing else.
  child_ = Spawn([&] {
    auto a = Args();
    a.insert(a.end(), {"--config", config});
    return a;
  }());
  ASSERT_TRUE(
      child_.WaitForStderr("retention deleted 40 windows, 0 probes, 0 devices, 0 dead letters\n",
                           std::chrono::seconds(30)))
      << child_.stderr_text;
  auto admin = v1::Admin::NewStub(
      MakeChannel(address(), ClientTls{pki_->ca_pem(), op_.cert_pem, op_.key_pem}));
  grpc::ClientContext ectx;
  ectx.set_deadline(DeadlineIn(std::chrono::seconds(60)));
  auto reader = admin->ExportWindows(&ectx, v1::ExportWindowsRequest());
  int windows = 0;
  v1::StoredWindow w;
  while (reader->Read(&w)) {
    EXPECT_EQ(w.window().window_start_ns(), kT0);
    ++windows;
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(windows, kWindows);
  grpc::ClientContext dctx;
  dctx.set_deadline(DeadlineIn(std::chrono::seconds(60)));
  v1::ListDevicesResponse devices;
  ASSERT_TRUE(admin->ListDevices(&dctx, v1::ListDevicesRequest(), &devices).ok());
  EXPECT_EQ(devices.devices_size(), 2 * kWindows);  // last seen 10 days ago, kept 30
  ::kill(child_.pid, SIGTERM);
  int status = child_.Wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

}  // namespace
}  // namespace airfleet::collector
