#include "agent/control/agent_control.h"

#include <filesystem>

#include "agent/spool/rocksdb_spool.h"
#include "gtest/gtest.h"

namespace airfleet::control {
namespace {

class AgentControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    OpenSpool();
  }
  void TearDown() override {
    spool_.reset();
    std::filesystem::remove_all(dir_);
  }
  void OpenSpool() {
    spool_.reset();
    spool::RocksDbSpoolOptions o;
    o.path = dir_.string();
    o.agent_id = "pi-1";
    auto opened = spool::RocksDbSpool::Open(o);
    ASSERT_TRUE(opened.ok()) << opened.status();
    spool_ = std::move(*opened);
  }
  static v1::CollectorMessage Push(uint64_t version, uint32_t window_ms) {
    v1::CollectorMessage m;
    m.mutable_config()->set_version(version);
    m.mutable_config()->set_window_ms(window_ms);
    return m;
  }

  std::filesystem::path dir_;
  std::unique_ptr<spool::RocksDbSpool> spool_;
};

TEST_F(AgentControlTest, AnAcceptedConfigIsPersistedAppliedOnceAndSurvivesARestart) {
  auto control = AgentControl::Open(spool_.get());
  ASSERT_TRUE(control.ok()) << control.status();
  int applied = 0;
  (*control)->SetHooks({.check = nullptr,
                        .apply =
                            [&](const v1::AgentConfig&) {
                              ++applied;
                              return std::string("window applies from the next window");
                            },
                        .command = nullptr});
  const v1::AgentMessage reply = (*control)->Handle(Push(4, 10'000));
  ASSERT_TRUE(reply.has_config_result());
  EXPECT_TRUE(reply.config_result().applied());
  EXPECT_EQ(reply.config_result().version(), 4u);
  EXPECT_EQ(reply.config_result().message(), "window applies from the next window");
  EXPECT_EQ(applied, 1);
  // The collector re-sends the same version (its answer got lost): no second apply.
  EXPECT_TRUE((*control)->Handle(Push(4, 10'000)).config_result().applied());
  EXPECT_EQ(applied, 1);

  control->reset();
  OpenSpool();
  auto reopened = AgentControl::Open(spool_.get());
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->applied_version(), 4u);
  EXPECT_EQ((*reopened)->applied().window_ms(), 10'000u);
}

TEST_F(AgentControlTest, ARefusedConfigChangesNothing) {
  auto control = AgentControl::Open(spool_.get());
  ASSERT_TRUE(control.ok());
  bool applied = false;
  (*control)->SetHooks({.check =
                            [](const v1::AgentConfig& c) {
                              return c.window_ms() == 7'000
                                         ? absl::InvalidArgumentError("7 s does not divide a day")
                                         : absl::OkStatus();
                            },
                        .apply =
                            [&](const v1::AgentConfig&) {
                              applied = true;
                              return std::string();
                            },
                        .command = nullptr});
  ASSERT_TRUE((*control)->Handle(Push(1, 10'000)).config_result().applied());
  applied = false;
  const v1::ConfigResult refused = (*control)->Handle(Push(2, 7'000)).config_result();
  EXPECT_FALSE(refused.applied());
  EXPECT_EQ(refused.message(), "7 s does not divide a day");
  EXPECT_FALSE(applied);
  EXPECT_EQ((*control)->applied_version(), 1u);
  control->reset();
  OpenSpool();
  EXPECT_EQ((*AgentControl::Open(spool_.get()))->applied().window_ms(), 10'000u);
}

TEST_F(AgentControlTest, CommandsWithoutRingsAreRefusedWithTheirRequestId) {
  auto control = AgentControl::Open(spool_.get());
  ASSERT_TRUE(control.ok());
  v1::CollectorMessage m;
  m.mutable_control()->set_request_id(77);
  m.mutable_control()->mutable_ring_list();
  const v1::AgentMessage reply = (*control)->Handle(m);
  EXPECT_EQ(reply.control_reply().request_id(), 77u);
  EXPECT_EQ(reply.control_reply().code(), static_cast<int>(absl::StatusCode::kUnimplemented));
}

}  // namespace
}  // namespace airfleet::control
