#include "tools/ctl/top_view.h"

#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace airfleet::ctl {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kS = 1'000'000'000;
constexpr int64_t kNow = 1'800'000'000 * kS;

v1::AgentInfo Agent(const std::string& id, v1::AgentStatus status, uint64_t summaries, double fps) {
  v1::AgentInfo a;
  a.set_agent_id(id);
  a.set_status(status);
  a.set_summaries(summaries);
  a.set_last_seen_ns(kNow - 4 * kS);
  a.mutable_last_health()->set_periodic(true);
  a.mutable_last_health()->set_frames_per_second(fps);
  return a;
}

v1::DeviceInfo Device(uint64_t mac, std::vector<std::pair<std::string, int>> sightings) {
  v1::DeviceInfo d;
  d.set_mac(mac);
  d.set_last_seen_ns(kNow - 30 * kS);
  for (const auto& [agent, dbm] : sightings) {
    v1::Sighting* s = d.add_sightings();
    s->set_agent_id(agent);
    s->set_has_signal(true);
    s->set_last_signal_dbm(dbm);
  }
  return d;
}

// The lines of `text` that contain `needle`.
std::vector<std::string> LinesWith(const std::string& text, const std::string& needle) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find(needle) != std::string::npos) out.push_back(line);
  }
  return out;
}

// The agent table's row of `agent` (device rows name agents too, but not at the line start).
std::string AgentRow(const std::string& text, const std::string& agent) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(agent + " ", 0) == 0) return line;
  }
  return "";
}

class TopViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    before_.taken_ns = kNow - 2 * kS;
    *before_.agents.add_agents() = Agent("pi-a", v1::AGENT_STATUS_ONLINE, 100, 0);
    *before_.agents.add_agents() = Agent("pi-b", v1::AGENT_STATUS_LAGGING, 50, 0);

    now_.taken_ns = kNow;
    v1::AgentInfo a = Agent("pi-a", v1::AGENT_STATUS_ONLINE, 300, 120.5);
    a.mutable_last_health()->set_spool_batches(2);
    a.mutable_last_health()->set_oldest_unsent_age_ms(3'400);
    a.mutable_last_health()->mutable_capture()->set_dropped_kernel(7);
    *now_.agents.add_agents() = a;
    v1::AgentInfo b = Agent("pi-b", v1::AGENT_STATUS_LAGGING, 50, 30);
    b.set_status_reason("9 batches waiting, the oldest 6m old (lagging after 5m)");
    *now_.agents.add_agents() = b;
    v1::AgentInfo c = Agent("pi-c", v1::AGENT_STATUS_OFFLINE, 10, 999);
    c.set_status_reason("disconnected; last heard 2m ago");
    *now_.agents.add_agents() = c;

    *now_.devices.add_devices() = Device(0x001122334455, {{"pi-a", -70}, {"pi-b", -48}});
    *now_.devices.add_devices() = Device(0x021122334466, {{"pi-a", -40}});
    *now_.devices.add_devices() = Device(0x0211223344aa, {{"pi-c", -80}});
    v1::DeviceInfo silent = Device(0x0211223344bb, {});  // no signal: cannot be ranked
    *now_.devices.add_devices() = silent;
  }

  TopSnapshot before_, now_;
};

TEST_F(TopViewTest, SummaryLineCountsStatusesAndLiveRatesOnly) {
  const std::string screen = RenderTop(now_, &before_, kNow, TopOptions{});
  // 120.5 + 30: the offline agent's last rate is history, not part of the fleet's rate.
  EXPECT_THAT(screen, HasSubstr("agents 3: 1 online, 1 lagging, 1 offline  |  150.5 frames/s  |  "
                                "backlog 2 batches"));
}

TEST_F(TopViewTest, AgentRowsShowRatesBacklogAndWhy) {
  const std::string screen = RenderTop(now_, &before_, kNow, TopOptions{});
  const std::string a = AgentRow(screen, "pi-a");
  // 120.5 frames/s; (300 - 100) summaries over 2 s; backlog 2 batches, 3 s old; 7 kernel drops.
  EXPECT_THAT(a, ::testing::ContainsRegex("^pi-a +online +120.5 +100(.0)? +2 +3 +7 +4s")) << screen;
  const std::string b = AgentRow(screen, "pi-b");
  EXPECT_THAT(b, HasSubstr("lagging")) << screen;
  EXPECT_THAT(b, HasSubstr("9 batches waiting"));
  EXPECT_THAT(AgentRow(screen, "pi-c"), HasSubstr("disconnected; last heard 2m ago"));
}

TEST_F(TopViewTest, FirstScreenHasNoSummaryRate) {
  const std::string first = RenderTop(now_, nullptr, kNow, TopOptions{});
  EXPECT_THAT(AgentRow(first, "pi-a"), ::testing::ContainsRegex("^pi-a +online +120.5 +- "))
      << first;
}

TEST_F(TopViewTest, StrongestDevicesRankedBySignalAndCapped) {
  TopOptions options;
  options.max_devices = 2;
  const std::string screen = RenderTop(now_, &before_, kNow, options);
  const size_t heading = screen.find("strongest devices, last 5m");
  ASSERT_NE(heading, std::string::npos) << screen;
  const std::string devices = screen.substr(heading);
  const size_t first = devices.find("02:11:22:33:44:66");   // -40 at pi-a
  const size_t second = devices.find("00:11:22:33:44:55");  // -48 at pi-b (its strongest)
  ASSERT_NE(first, std::string::npos) << devices;
  ASSERT_NE(second, std::string::npos) << devices;
  EXPECT_LT(first, second);
  EXPECT_THAT(devices, Not(HasSubstr("02:11:22:33:44:aa")));  // third: cut by max_devices
  EXPECT_THAT(devices, Not(HasSubstr("02:11:22:33:44:bb")));  // no signal
  EXPECT_THAT(LinesWith(devices, "00:11:22:33:44:55")[0], HasSubstr("pi-b"));
}

TEST_F(TopViewTest, HostileAgentIdsCannotReachTheTerminal) {
  now_.agents.mutable_agents(0)->set_agent_id("pi\x1b[2Jevil");
  const std::string screen = RenderTop(now_, nullptr, kNow, TopOptions{});
  EXPECT_THAT(screen, Not(HasSubstr("\x1b")));
  EXPECT_THAT(screen, HasSubstr("pi\\x1b[2Jevil"));
}

}  // namespace
}  // namespace airfleet::ctl
