// airfleetctl against the real collector process: start `airfleet-collector` on 127.0.0.1:0 with
// certificates from tools/pki, upload one batch as an agent over the Ingest stream (real mTLS),
// then run the airfleetctl binary with an operator certificate (allowed) and an agent
// certificate (refused, exit 3). The collector reads its vendor names from a small IEEE-style
// oui.csv the test writes, so the enrichment checks do not depend on the machine's ieee-data.

#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "airfleet/v1/ingest.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/pki/pki.h"

namespace airfleet::ctl {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;
constexpr int64_t kS = 1000000000;

std::string ReadAll(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class CtlE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ctl_e2e.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    pki_ = root_ + "/pki";
    data_ = root_ + "/data";
    std::filesystem::create_directories(data_);
    ASSERT_TRUE(pki::InitCa(pki_).ok());
    ASSERT_TRUE(pki::Issue(pki_, pki::Role::kCollector, "localhost").ok());
    ASSERT_TRUE(pki::Issue(pki_, pki::Role::kOperator, "alice").ok());
    ASSERT_TRUE(pki::Issue(pki_, pki::Role::kAgent, "agent-01").ok());
    std::filesystem::create_directories(root_ + "/ieee");
    WriteOui("Test Vendor Inc");
    StartCollector();
  }

  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    std::filesystem::remove_all(root_);
  }

  void WriteOui(const std::string& vendor_of_001122) {
    std::ofstream(root_ + "/ieee/oui.csv")
        << "Registry,Assignment,Organization Name,Organization Address\r\n"
        << "MA-L,001122,\"" << vendor_of_001122 << "\",Somewhere \r\n";
  }

  void WriteFile(const std::string& name, const std::string& text) {
    std::ofstream(root_ + "/" + name) << text;
  }

  void StartCollector() {
    std::string log = root_ + "/collector.log";
    std::vector<std::string> args = {AIRFLEET_COLLECTOR_PATH,
                                     "--listen",
                                     "127.0.0.1:0",
                                     "--data-dir",
                                     data_,
                                     "--ca",
                                     pki_ + "/ca.pem",
                                     "--cert",
                                     pki_ + "/localhost.pem",
                                     "--key",
                                     pki_ + "/localhost.key",
                                     "--ieee-data-dir",
                                     root_ + "/ieee",
                                     "--manuf",
                                     root_ + "/no-manuf"};
    pid_ = ::fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 2);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    // Wait for the address file (written once the port is bound), or for the process to die.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::string addr_file = data_ + "/collector.addr";
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        FAIL() << "collector exited early: " << ReadAll(log);
      }
      address_ = ReadAll(addr_file);
      while (!address_.empty() && (address_.back() == '\n' || address_.back() == ' ')) {
        address_.pop_back();
      }
      if (!address_.empty()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling the condition
    }
    FAIL() << "collector did not write " << addr_file << ": " << ReadAll(log);
  }

  Result Ctl(const std::string& args) {
    std::string err_path = root_ + "/ctl.err";
    std::string cmd = std::string(AIRFLEETCTL_PATH) + " " + args + " 2>" + err_path;
    Result r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) return r;
    std::array<char, 4096> buf;
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
    int status = ::pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.err = ReadAll(err_path);
    return r;
  }

  std::string As(const std::string& name) const {
    return "--collector " + address_ + " --ca " + pki_ + "/ca.pem --cert " + pki_ + "/" + name +
           ".pem --key " + pki_ + "/" + name + ".key";
  }

  // Uploads one batch as agent-01 and waits for the collector's acknowledgement.
  void UploadBatch(int64_t window_start_ns) {
    grpc::SslCredentialsOptions o{ReadAll(pki_ + "/ca.pem"), ReadAll(pki_ + "/agent-01.key"),
                                  ReadAll(pki_ + "/agent-01.pem")};
    auto stub = v1::Ingest::NewStub(grpc::CreateChannel(address_, grpc::SslCredentials(o)));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    auto stream = stub->Stream(&ctx);
    constexpr uint64_t kStream = 0x5eed;
    v1::AgentMessage hello;
    hello.mutable_hello()->set_agent_id("agent-01");
    hello.mutable_hello()->set_stream_id(kStream);
    hello.mutable_hello()->set_version("test");
    hello.mutable_hello()->set_first_unacked_sequence(1);
    ASSERT_TRUE(stream->Write(hello));
    v1::AgentMessage msg;
    v1::Batch* b = msg.mutable_batch();
    b->set_agent_id("agent-01");
    b->set_stream_id(kStream);
    b->set_sequence(1);
    b->set_created_ns(window_start_ns);
    for (uint64_t mac : {0x021122334455ULL, 0x001122334466ULL}) {
      v1::DeviceWindow* w = b->add_windows();
      w->set_mac(mac);
      w->set_window_start_ns(window_start_ns);
      w->set_window_ms(60000);
      w->set_frames(mac == 0x021122334455ULL ? 7 : 3);
      w->set_bytes(700);
      w->set_signal_min_dbm(-70);
      w->set_signal_max_dbm(-50);
      w->set_signal_sum_dbm(-120);
      w->set_signal_count(2);
      w->add_channels_mhz(2437);
      w->set_randomised((mac >> 40) & 0x02);
    }
    ASSERT_TRUE(stream->Write(msg));
    v1::CollectorMessage reply;
    bool acked = false;
    while (stream->Read(&reply)) {
      if (reply.has_ack() && reply.ack().stream_id() == kStream &&
          reply.ack().committed_sequence() >= 1) {
        acked = true;
        break;
      }
    }
    ASSERT_TRUE(acked) << "no acknowledgement for sequence 1";
    stream->WritesDone();
    ctx.TryCancel();
    stream->Finish();
  }

  std::string root_, pki_, data_, address_;
  pid_t pid_ = -1;
};

TEST_F(CtlE2eTest, OperatorSeesAgentsDevicesAndWindows) {
  int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  int64_t window_start = now / (60 * kS) * (60 * kS);
  ASSERT_NO_FATAL_FAILURE(UploadBatch(window_start));

  Result agents = Ctl("agents -o json " + As("alice"));
  ASSERT_EQ(agents.exit_code, 0) << agents.err;
  Json a = Json::parse(agents.out);
  ASSERT_EQ(a.size(), 1u) << agents.out;
  EXPECT_EQ(a[0]["agent"], "agent-01");
  EXPECT_EQ(a[0]["batches"], 1);
  EXPECT_EQ(a[0]["summaries"], 2);
  EXPECT_EQ(a[0]["committed_seq"], 1);

  Result table = Ctl("agents " + As("alice"));
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("agent-01"));

  Result devices = Ctl("devices --since 1h -o json " + As("alice"));
  ASSERT_EQ(devices.exit_code, 0) << devices.err;
  Json d = Json::parse(devices.out);
  std::vector<std::string> macs;
  for (const auto& row : d) macs.push_back(row["mac"]);
  EXPECT_THAT(macs, ::testing::UnorderedElementsAre("02:11:22:33:44:55", "00:11:22:33:44:66"));

  Result device = Ctl("device 02:11:22:33:44:55 -o json " + As("alice"));
  ASSERT_EQ(device.exit_code, 0) << device.err;
  Json dj = Json::parse(device.out);
  EXPECT_EQ(dj["device"]["mac"], "02:11:22:33:44:55");
  EXPECT_EQ(dj["device"]["frames"], 7);

  Result missing = Ctl("device 02:00:00:00:00:99 " + As("alice"));
  EXPECT_EQ(missing.exit_code, 4) << missing.err;

  Result exported = Ctl("export windows --since 1h " + As("alice"));
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  std::istringstream lines(exported.out);
  std::string line;
  std::vector<Json> windows;
  while (std::getline(lines, line)) windows.push_back(Json::parse(line));
  ASSERT_EQ(windows.size(), 2u) << exported.out;
  for (const auto& w : windows) {
    EXPECT_EQ(w["agent"], "agent-01");
    EXPECT_EQ(w["window_start"].get<int64_t>(), window_start);
    EXPECT_EQ(w["window_ms"], 60000);
    EXPECT_EQ(w["signal_avg"], -60.0);
  }
}

// `top` against the real collector: two screens (not a terminal, so no clear sequence), each
// with the agent and the devices it heard.
TEST_F(CtlE2eTest, TopShowsTheFleetUntilItsIterationsAreDone) {
  int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  ASSERT_NO_FATAL_FAILURE(UploadBatch(now / (60 * kS) * (60 * kS)));
  Result top = Ctl("top --iterations 2 --interval 100ms --since 1h " + As("alice"));
  ASSERT_EQ(top.exit_code, 0) << top.err;
  EXPECT_THAT(top.out, ::testing::Not(HasSubstr("\x1b[")));
  size_t screens = 0;
  for (size_t at = top.out.find("airfleet top "); at != std::string::npos;
       at = top.out.find("airfleet top ", at + 1)) {
    ++screens;
  }
  EXPECT_EQ(screens, 2u) << top.out;
  // The test's stream ended, so the agent is offline, with the reason on its row.
  EXPECT_THAT(top.out, HasSubstr("agents 1: 0 online, 0 lagging, 1 offline")) << top.out;
  EXPECT_THAT(top.out, HasSubstr("disconnected; last heard"));
  EXPECT_THAT(top.out, HasSubstr("02:11:22:33:44:55"));
  EXPECT_THAT(top.out, HasSubstr("00:11:22:33:44:66"));

  Result bad = Ctl("top --interval 5ms --iterations 1 " + As("alice"));
  EXPECT_EQ(bad.exit_code, 1) << bad.out;
  EXPECT_THAT(bad.err, HasSubstr("--interval '5ms' must be a duration of at least 100ms"));
}

// Known-device registry via the CLI, and devices enriched with vendor / known / name.
TEST_F(CtlE2eTest, KnownDevicesAndVendorsLabelDevices) {
  int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  ASSERT_NO_FATAL_FAILURE(UploadBatch(now / (60 * kS) * (60 * kS)));

  Result add = Ctl("known add 00:11:22:33:44:66 --name printer --owner it --tag office --tag f2 " +
                   As("alice"));
  ASSERT_EQ(add.exit_code, 0) << add.err;
  WriteFile("known.csv",
            "mac,name,owner,kind,tags\n"
            "02:11:22:33:44:55,visitor phone,,guest,lobby\n");
  Result import = Ctl("known import " + root_ + "/known.csv " + As("alice"));
  ASSERT_EQ(import.exit_code, 0) << import.err;
  EXPECT_THAT(import.err, HasSubstr("1 added, 0 replaced"));

  WriteFile("bad.csv",
            "mac,name,owner,kind,tags\n"
            "00:11:22:33:44:77,ok,,,\n"
            "zz:11:22:33:44:55,bad,,,\n");
  Result bad = Ctl("known import " + root_ + "/bad.csv " + As("alice"));
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("line 3: 'zz:11:22:33:44:55' is not a MAC address"));

  Result list = Ctl("known list -o json " + As("alice"));
  ASSERT_EQ(list.exit_code, 0) << list.err;
  Json k = Json::parse(list.out);
  ASSERT_EQ(k.size(), 2u) << list.out;  // the bad file added nothing
  EXPECT_EQ(k[0]["mac"], "00:11:22:33:44:66");
  EXPECT_EQ(k[0]["owner"], "it");
  EXPECT_EQ(k[0]["tags"], Json::array({"office", "f2"}));
  EXPECT_EQ(k[1]["kind"], "guest");

  auto devices = [&](const std::string& flags) {
    Result r = Ctl("devices -o json " + flags + " " + As("alice"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, Json> by_mac;
    for (const auto& row : Json::parse(r.out.empty() ? "[]" : r.out)) by_mac[row["mac"]] = row;
    return by_mac;
  };
  auto all = devices("");
  ASSERT_EQ(all.size(), 2u);
  const Json& printer = all["00:11:22:33:44:66"];
  EXPECT_EQ(printer["vendor"], "Test Vendor Inc");
  EXPECT_EQ(printer["known"], "known");
  EXPECT_EQ(printer["name"], "printer");
  const Json& phone = all["02:11:22:33:44:55"];
  EXPECT_TRUE(phone["vendor"].is_null());  // randomised: its prefix names nobody
  EXPECT_EQ(phone["known"], "guest");
  EXPECT_EQ(phone["name"], "visitor phone");

  EXPECT_EQ(devices("--vendor 'test VENDOR'").size(), 1u);
  EXPECT_EQ(devices("--randomised").count("02:11:22:33:44:55"), 1u);
  EXPECT_EQ(devices("--randomised").size(), 1u);
  EXPECT_EQ(devices("--known").size(), 2u);

  Result table = Ctl("devices " + As("alice"));
  EXPECT_THAT(table.out, HasSubstr("VENDOR"));
  EXPECT_THAT(table.out, HasSubstr("Test Vendor Inc"));

  ASSERT_EQ(Ctl("known remove 02:11:22:33:44:55 " + As("alice")).exit_code, 0);
  Result again = Ctl("known remove 02:11:22:33:44:55 " + As("alice"));
  EXPECT_EQ(again.exit_code, 4) << again.err;
  EXPECT_THAT(again.err, HasSubstr("not in the known-device registry"));
  EXPECT_EQ(devices("--known").size(), 1u);

  // SIGHUP re-reads the vendor files; the device answers change without a restart.
  WriteOui("Renamed Vendor");
  ASSERT_EQ(::kill(pid_, SIGHUP), 0);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::string vendor;
  while (std::chrono::steady_clock::now() < deadline && vendor != "Renamed Vendor") {
    Result d = Ctl("device 00:11:22:33:44:66 -o json " + As("alice"));
    ASSERT_EQ(d.exit_code, 0) << d.err;
    vendor = Json::parse(d.out)["device"]["vendor"];
  }
  EXPECT_EQ(vendor, "Renamed Vendor");
}

TEST_F(CtlE2eTest, AgentCertificateIsRefused) {
  for (const char* cmd : {"agents", "devices", "export windows", "known list",
                          "known remove 00:11:22:33:44:55", "clusters"}) {
    Result r = Ctl(std::string(cmd) + " " + As("agent-01"));
    EXPECT_EQ(r.exit_code, 3) << cmd << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("needs an operator certificate; " + pki_ +
                                 "/agent-01.pem is a 'agent' certificate"))
        << cmd;
  }
}

}  // namespace
}  // namespace airfleet::ctl
