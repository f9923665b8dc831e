// Remote control across the real parts in one process: the collector (Ingest + Admin over mTLS,
// RocksDB store, ControlHub), and an agent's GrpcUplink with AgentControl persisting into a real
// RocksDB spool and a real RingManager answering ring commands. The e2e tests drive the same
// path with separate processes; this one runs under the sanitizers as well.

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/time/clock.h"
#include "agent/control/agent_control.h"
#include "agent/control/ring_commands.h"
#include "agent/rings/ring_manager.h"
#include "agent/spool/rocksdb_spool.h"
#include "agent/uplink/grpc_uplink.h"
#include "collector/server/collector_server.h"
#include "collector/server/test_client.h"
#include "collector/testing/test_pki.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "openssl/sha.h"

namespace airfleet::collector {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kT0 = 1'700'000'040'000'000'000;

class RemoteControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::path(::testing::TempDir()) /
            ("remote_control_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ / "pki");
    auto pki = airfleet::testing::TestPki::Create((root_ / "pki").string());
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_.emplace(std::move(*pki));
    auto collector_cert = pki_->IssueCollector();
    auto agent_cert = pki_->Issue("pi-1", "pi-1", "agent");
    auto op_cert = pki_->Issue("op", "alice", "operator");
    ASSERT_TRUE(collector_cert.ok() && agent_cert.ok() && op_cert.ok());
    agent_cert_ = *agent_cert;
    op_cert_ = *op_cert;

    CollectorOptions options;
    options.data_dir = (root_ / "collector").string();
    options.ca_file = pki_->ca_path();
    options.cert_file = collector_cert->cert_path;
    options.key_file = collector_cert->key_path;
    options.now_ns = [] { return kT0; };
    auto c = Collector::Start(options);
    ASSERT_TRUE(c.ok()) << c.status();
    collector_ = std::move(*c);

    spool::RocksDbSpoolOptions so;
    so.path = (root_ / "spool").string();
    so.agent_id = "pi-1";
    auto s = spool::RocksDbSpool::Open(so);
    ASSERT_TRUE(s.ok()) << s.status();
    spool_ = std::move(*s);
    auto rings = rings::RingManager::Open((root_ / "rings").string());
    ASSERT_TRUE(rings.ok()) << rings.status();
    rings_ = std::move(*rings);
    StartAgent();
    admin_ = v1::Admin::NewStub(testing::MakeChannel(
        collector_->address(), {pki_->ca_pem(), op_cert_.cert_pem, op_cert_.key_pem}));
  }

  void StartAgent() {
    auto control = control::AgentControl::Open(spool_.get());
    ASSERT_TRUE(control.ok()) << control.status();
    control_ = std::move(*control);
    control_->SetHooks({.check =
                            [](const v1::AgentConfig& c) {
                              return c.window_ms() == 30'000
                                         ? absl::InvalidArgumentError("30 s is not allowed here")
                                         : absl::OkStatus();
                            },
                        .apply =
                            [this](const v1::AgentConfig& c) {
                              applied_windows_.push_back(c.window_ms());
                              return std::string("applied in test");
                            },
                        .command =
                            [this](const v1::ControlRequest& r) {
                              return control::HandleRingCommand(rings_.get(), r);
                            }});
    uplink::GrpcUplinkOptions o;
    o.collector = collector_->address();
    o.ca_file = pki_->ca_path();
    o.cert_file = agent_cert_.cert_path;
    o.key_file = agent_cert_.key_path;
    o.heartbeat_interval_ms = 0;
    o.on_control = [c = control_.get()](const v1::CollectorMessage& m) { return c->Handle(m); };
    o.applied_config_version = [c = control_.get()] { return c->applied_version(); };
    uplink_ = std::make_unique<uplink::GrpcUplink>(o, spool_.get());
    ASSERT_TRUE(uplink_->Start().ok());
    ASSERT_TRUE(uplink_->WaitForState([](const uplink::UplinkState& s) { return s.connected; },
                                      absl::Seconds(30)));
  }

  void TearDown() override {
    uplink_.reset();
    control_.reset();
    rings_.reset();
    spool_.reset();
    collector_.reset();
    std::filesystem::remove_all(root_);
  }

  grpc::Status SetWindow(uint32_t ms, v1::SetAgentConfigResponse* out) {
    grpc::ClientContext ctx;
    ctx.set_deadline(testing::DeadlineIn(std::chrono::seconds(30)));
    v1::SetAgentConfigRequest r;
    r.set_agent_id("pi-1");
    r.mutable_config()->set_window_ms(ms);
    return admin_->SetAgentConfig(&ctx, r, out);
  }

  v1::AgentConfigState ConfigState() {
    grpc::ClientContext ctx;
    ctx.set_deadline(testing::DeadlineIn(std::chrono::seconds(30)));
    v1::GetAgentConfigRequest r;
    r.set_agent_id("pi-1");
    v1::GetAgentConfigResponse out;
    EXPECT_TRUE(admin_->GetAgentConfig(&ctx, r, &out).ok());
    return out.agents_size() == 1 ? out.agents(0) : v1::AgentConfigState();
  }

  // Polls the collector's view until `pred` holds (the agent answers asynchronously).
  bool WaitForState(const std::function<bool(const v1::AgentConfigState&)>& pred) {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (absl::Now() < deadline) {
      if (pred(ConfigState())) return true;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return false;
  }

  grpc::Status Control(const std::string& agent, v1::ControlRequest request,
                       v1::ControlReply* reply) {
    grpc::ClientContext ctx;
    ctx.set_deadline(testing::DeadlineIn(std::chrono::seconds(30)));
    v1::ControlAgentRequest r;
    r.set_agent_id(agent);
    *r.mutable_request() = std::move(request);
    return admin_->ControlAgent(&ctx, r, reply);
  }

  std::filesystem::path root_;
  std::optional<airfleet::testing::TestPki> pki_;
  airfleet::testing::TestCert agent_cert_, op_cert_;
  std::unique_ptr<Collector> collector_;
  std::unique_ptr<spool::RocksDbSpool> spool_;
  std::unique_ptr<rings::RingManager> rings_;
  std::unique_ptr<control::AgentControl> control_;
  std::unique_ptr<uplink::GrpcUplink> uplink_;
  std::unique_ptr<v1::Admin::Stub> admin_;
  std::vector<uint32_t> applied_windows_;  // written by the uplink thread, read after waits
};

TEST_F(RemoteControlTest, ConfigIsAppliedPersistedRefusedWithAReasonAndNotPushedTwice) {
  v1::SetAgentConfigResponse set;
  ASSERT_TRUE(SetWindow(10'000, &set).ok());
  ASSERT_EQ(set.agents_size(), 1);
  EXPECT_TRUE(set.agents(0).delivered());
  ASSERT_TRUE(WaitForState([](const auto& s) { return s.applied_version() == 1; }));
  EXPECT_EQ(ConfigState().last_result(), "applied in test");
  EXPECT_EQ(control_->applied().window_ms(), 10'000u);
  EXPECT_EQ(applied_windows_, std::vector<uint32_t>{10'000});

  ASSERT_TRUE(SetWindow(30'000, &set).ok());
  ASSERT_TRUE(WaitForState([](const auto& s) {
    return s.last_result() == "refused version 2: 30 s is not allowed here";
  }));
  EXPECT_EQ(ConfigState().applied_version(), 1u);

  // The agent restarts with its spool: its Hello says version 1, the collector wants 2, so it
  // pushes 2 again (refused again), and version 1's apply hook is not run a second time.
  uplink_.reset();
  StartAgent();
  EXPECT_EQ(control_->applied_version(), 1u);
  ASSERT_TRUE(WaitForState([](const auto& s) {
    return s.applied_version() == 1 && s.last_result().find("refused version 2") == 0;
  }));
  EXPECT_EQ(applied_windows_, std::vector<uint32_t>{10'000});
}

TEST_F(RemoteControlTest, RingCommandsAndAVerifiedFetchTravelThroughTheCollector) {
  v1::ControlRequest start;
  start.mutable_ring_start()->mutable_spec()->set_name("all");
  start.mutable_ring_start()->mutable_spec()->set_rotate_bytes(8192);
  v1::ControlReply reply;
  ASSERT_TRUE(Control("pi-1", start, &reply).ok());

  // Packets as the capture loop would hand them over (the tap).
  std::vector<uint8_t> frame(200, 0xab);
  capture::Packet p;
  p.data = frame.data();
  p.captured_len = p.original_len = static_cast<uint32_t>(frame.size());
  p.linktype = 127;
  for (int i = 0; i < 100; ++i) {
    p.timestamp_ns = kT0 + i * 1'000'000;
    rings_->OnPacket(p);
  }
  v1::ControlRequest rotate;
  rotate.mutable_ring_rotate()->set_name("all");
  ASSERT_TRUE(Control("pi-1", rotate, &reply).ok());
  v1::ControlRequest list;
  list.mutable_ring_list();
  ASSERT_TRUE(Control("pi-1", list, &reply).ok());
  ASSERT_EQ(reply.ring_list().rings_size(), 1);
  const v1::RingInfo ring = reply.ring_list().rings(0);
  EXPECT_EQ(ring.packets_written(), 100u);
  ASSERT_GE(ring.files_size(), 3);  // 100 x (200 + 16) bytes in files of at most 8 KiB

  // Fetch the first file in small chunks and check the hash against the agent's.
  const v1::RingFile& file = ring.files(0);
  std::string fetched, sha;
  for (bool eof = false; !eof;) {
    v1::ControlRequest chunk;
    chunk.mutable_fetch_chunk()->set_ring("all");
    chunk.mutable_fetch_chunk()->set_file(file.name());
    chunk.mutable_fetch_chunk()->set_offset(fetched.size());
    chunk.mutable_fetch_chunk()->set_max_bytes(1000);
    ASSERT_TRUE(Control("pi-1", chunk, &reply).ok());
    fetched += reply.fetch_chunk().data();
    sha = reply.fetch_chunk().sha256_hex();
    eof = reply.fetch_chunk().eof();
  }
  EXPECT_EQ(fetched.size(), file.bytes());
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(fetched.data()), fetched.size(), digest);
  std::string hex;
  for (unsigned char b : digest) absl::StrAppend(&hex, absl::Hex(b, absl::kZeroPad2));
  EXPECT_EQ(hex, sha);

  // The agent's own refusals come back as the call's status, with its words.
  v1::ControlRequest bad;
  bad.mutable_fetch_chunk()->set_ring("all");
  bad.mutable_fetch_chunk()->set_file("../../etc/passwd");
  grpc::Status st = Control("pi-1", bad, &reply);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << st.error_message();

  // An agent that is not connected.
  st = Control("pi-9", list, &reply);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(st.error_message(), HasSubstr("agent pi-9 is not connected"));
}

}  // namespace
}  // namespace airfleet::collector
