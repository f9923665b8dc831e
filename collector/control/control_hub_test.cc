#include "collector/control/control_hub.h"

#include <atomic>
#include <vector>

#include "absl/synchronization/notification.h"
#include "collector/testing/store_fixture.h"
#include "gtest/gtest.h"

namespace airfleet::collector {
namespace {

class ControlHubTest : public testing::StoreTest {
 protected:
  std::unique_ptr<ControlHub> NewHub() {
    auto hub = ControlHub::Create(store_.get(), [this] { return now_.load(); });
    EXPECT_TRUE(hub.ok()) << hub.status();
    return std::move(*hub);
  }
  static v1::SetAgentConfigRequest WindowFor(const std::string& agent, uint32_t ms) {
    v1::SetAgentConfigRequest r;
    r.set_agent_id(agent);
    r.mutable_config()->set_window_ms(ms);
    return r;
  }
  const std::vector<std::string> known_ = {"pi-1", "pi-2", "pi-3"};
};

TEST_F(ControlHubTest, ConfigIsPushedToAConnectedAgentAndAgainAfterARestartUntilApplied) {
  auto hub = NewHub();
  std::vector<v1::CollectorMessage> sent;
  const uint64_t token = hub->Attach("pi-1", [&](v1::CollectorMessage m) { sent.push_back(m); });
  auto states = hub->SetConfig(WindowFor("pi-1", 10'000), known_);
  ASSERT_TRUE(states.ok()) << states.status();
  ASSERT_EQ(states->size(), 1u);
  EXPECT_TRUE((*states)[0].delivered());
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].config().version(), 1u);
  EXPECT_EQ(sent[0].config().window_ms(), 10'000u);
  hub->Detach("pi-1", token);

  // The collector restarts: the desired config comes back from the store, and a Hello that says
  // "applied 0" gets it again; one that says "applied 1" does not.
  hub.reset();
  Reopen();
  hub = NewHub();
  sent.clear();
  hub->Attach("pi-1", [&](v1::CollectorMessage m) { sent.push_back(m); });
  hub->OnHello("pi-1", 0);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].config().window_ms(), 10'000u);
  hub->OnHello("pi-1", 1);
  EXPECT_EQ(sent.size(), 1u);

  v1::ConfigResult result;
  result.set_version(1);
  result.set_applied(true);
  hub->OnConfigResult("pi-1", result);
  v1::AgentInfo info;
  info.set_agent_id("pi-1");
  hub->Annotate(&info);
  EXPECT_EQ(info.config_desired_version(), 1u);
  EXPECT_EQ(info.config_applied_version(), 1u);
  EXPECT_EQ(info.config_message(), "applied");
}

TEST_F(ControlHubTest, ARefusalKeepsTheAppliedVersionAndSaysWhy) {
  auto hub = NewHub();
  ASSERT_TRUE(hub->SetConfig(WindowFor("pi-2", 10'000), known_).ok());
  hub->OnHello("pi-2", 0);
  v1::ConfigResult refused;
  refused.set_version(1);
  refused.set_message("no privacy key file on this agent");
  hub->OnConfigResult("pi-2", refused);
  const auto states = hub->GetConfig("pi-2");
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].applied_version(), 0u);
  EXPECT_EQ(states[0].last_result(), "refused version 1: no privacy key file on this agent");
}

TEST_F(ControlHubTest, FleetPlanStaggersAgentsAndMergesWithEarlierPushes) {
  auto hub = NewHub();
  ASSERT_TRUE(hub->SetConfig(WindowFor("pi-3", 30'000), known_).ok());
  v1::SetAgentConfigRequest fleet;
  fleet.set_all_agents(true);
  for (const char* c : {"1", "6", "11"})
    fleet.mutable_config()->mutable_channel_plan()->add_channels(c);
  fleet.mutable_config()->mutable_channel_plan()->set_dwell_ms(250);
  auto states = hub->SetConfig(fleet, known_);
  ASSERT_TRUE(states.ok()) << states.status();
  ASSERT_EQ(states->size(), 3u);
  for (uint32_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*states)[i].agent_id(), known_[i]);
    EXPECT_EQ((*states)[i].desired().channel_plan().stagger_offset(), i);
    EXPECT_FALSE((*states)[i].delivered());  // nobody connected
  }
  EXPECT_EQ((*states)[2].desired().window_ms(), 30'000u);  // kept from the earlier push
  EXPECT_EQ((*states)[2].desired().version(), 2u);
}

TEST_F(ControlHubTest, BadOrUnknownTargetsAreRefusedWithoutStoringAnything) {
  auto hub = NewHub();
  EXPECT_EQ(hub->SetConfig(WindowFor("pi-9", 10'000), known_).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(hub->SetConfig(WindowFor("pi-1", 7'000), known_).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::SetAgentConfigRequest empty;
  empty.set_agent_id("pi-1");
  EXPECT_EQ(hub->SetConfig(empty, known_).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(hub->GetConfig("").empty());
}

TEST_F(ControlHubTest, CommandsGetTheirReplyOrFailWhenTheAgentIsGoneOrSilent) {
  auto hub = NewHub();
  // Not connected.
  absl::StatusOr<v1::ControlReply> got;
  hub->Call("pi-1", v1::ControlRequest(), absl::Seconds(5),
            [&](absl::StatusOr<v1::ControlReply> r) { got = std::move(r); });
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnavailable);

  // Connected: the reply with the request's id completes the call; a stray reply is ignored.
  std::vector<v1::CollectorMessage> sent;
  const uint64_t token = hub->Attach("pi-1", [&](v1::CollectorMessage m) { sent.push_back(m); });
  absl::Notification answered;
  hub->Call("pi-1", v1::ControlRequest(), absl::Seconds(5),
            [&](absl::StatusOr<v1::ControlReply> r) {
              got = std::move(r);
              answered.Notify();
            });
  ASSERT_EQ(sent.size(), 1u);
  v1::ControlReply reply;
  reply.set_request_id(sent[0].control().request_id());
  reply.set_message("done");
  v1::ControlReply stray = reply;
  stray.set_request_id(reply.request_id() + 100);
  hub->OnControlReply("pi-1", stray);
  EXPECT_FALSE(answered.HasBeenNotified());
  hub->OnControlReply("pi-2", reply);  // wrong agent
  EXPECT_FALSE(answered.HasBeenNotified());
  hub->OnControlReply("pi-1", reply);
  ASSERT_TRUE(answered.HasBeenNotified());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->message(), "done");

  // Disconnect with a call outstanding.
  absl::Notification failed;
  hub->Call("pi-1", v1::ControlRequest(), absl::Seconds(5),
            [&](absl::StatusOr<v1::ControlReply> r) {
              got = std::move(r);
              failed.Notify();
            });
  hub->Detach("pi-1", token);
  ASSERT_TRUE(failed.HasBeenNotified());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnavailable);

  // Silent agent: the deadline fails the call.
  hub->Attach("pi-1", [](v1::CollectorMessage) {});
  absl::Notification timed_out;
  hub->Call("pi-1", v1::ControlRequest(), absl::Milliseconds(50),
            [&](absl::StatusOr<v1::ControlReply> r) {
              got = std::move(r);
              timed_out.Notify();
            });
  ASSERT_TRUE(timed_out.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(got.status().code(), absl::StatusCode::kDeadlineExceeded);
}

TEST_F(ControlHubTest, AnOldStreamEndingDoesNotDetachItsReplacement) {
  auto hub = NewHub();
  const uint64_t old_token = hub->Attach("pi-1", [](v1::CollectorMessage) {});
  int sent = 0;
  hub->Attach("pi-1", [&](v1::CollectorMessage) { ++sent; });
  hub->Detach("pi-1", old_token);
  ASSERT_TRUE(hub->SetConfig(WindowFor("pi-1", 10'000), known_).ok());
  EXPECT_EQ(sent, 1);
}

}  // namespace
}  // namespace airfleet::collector
