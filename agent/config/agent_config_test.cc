#include "agent/config/agent_config.h"

#include <cstdlib>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace airfleet::agent_config {
namespace {

using ::testing::HasSubstr;

absl::Status Parse(const std::string& text, cli::RunOptions* options = nullptr) {
  cli::RunOptions scratch;
  return ParseAgentConfig(text, "agent.yaml", options ? options : &scratch);
}

// The expected message for a bad file: its name, the 1-based line of the offending key or value,
// the dotted key, then what is wrong.
void ExpectError(const std::string& text, const std::string& prefix, const std::string& detail) {
  absl::Status s = Parse(text);
  ASSERT_FALSE(s.ok()) << text;
  EXPECT_THAT(std::string(s.message()), HasSubstr(prefix)) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr(detail)) << s;
}

TEST(AgentConfig, ReadsEverySetting) {
  cli::RunOptions o;
  ProvisioningSettings p;
  ASSERT_TRUE(ParseAgentConfig(R"(
collector: {address: "c.example:7443", heartbeat: 30s}
tls: {ca: /a/ca.pem, cert: /a/agent.pem, key: /a/agent.key}
spool: {dir: /var/spool/x, quota_mb: 3}
capture:
  iface: mon1
  phy: phy2
  monitor_mode: false
  channels: [1, "5g:36", 2437]
  dwell: 100ms
  bpf: "type mgt"
  replay_speed: 2.5
  fcs: present
  verify_fcs: true
summary: {window: 1s, max_devices: 7}
replay: {exit_when_drained: true, drain_timeout: 5m}
log_format: json
privacy: {mode: pseudonymise, key_file: /etc/k, ssids: hash, keep_vendor: true, rotate: daily}
metrics: {listen: "127.0.0.1:9465"}
)",
                               "agent.yaml", &o, &p)
                  .ok());
  EXPECT_EQ(o.collector, "c.example:7443");
  EXPECT_EQ(o.heartbeat_ns, 30'000'000'000);
  EXPECT_TRUE(o.log_json);
  EXPECT_EQ(o.privacy.mode, "pseudonymise");
  EXPECT_EQ(o.privacy.key_file, "/etc/k");
  EXPECT_EQ(o.privacy.ssids, "hash");
  EXPECT_TRUE(o.privacy.keep_vendor);
  EXPECT_EQ(o.privacy.rotate, "daily");
  EXPECT_EQ(o.ca, "/a/ca.pem");
  EXPECT_EQ(o.cert, "/a/agent.pem");
  EXPECT_EQ(o.key, "/a/agent.key");
  EXPECT_EQ(o.spool_dir, "/var/spool/x");
  EXPECT_EQ(o.spool_quota_bytes, 3u * 1024 * 1024);
  EXPECT_EQ(o.iface, "mon1");
  EXPECT_EQ(p.phy, "phy2");
  EXPECT_FALSE(o.monitor_mode);
  EXPECT_THAT(o.channels, ::testing::ElementsAre("1", "5g:36", "2437"));
  EXPECT_EQ(o.dwell_ns, 100'000'000);
  EXPECT_EQ(o.bpf_filter, "type mgt");
  EXPECT_DOUBLE_EQ(o.replay_speed, 2.5);
  EXPECT_EQ(o.fcs, dissect::FcsMode::kPresent);
  EXPECT_TRUE(o.verify_fcs);
  EXPECT_EQ(o.window_ns, 1'000'000'000);
  EXPECT_EQ(o.max_devices, 7u);
  EXPECT_TRUE(o.exit_when_drained);
  EXPECT_EQ(o.drain_timeout_ns, 300'000'000'000);
  EXPECT_EQ(o.metrics_listen, "127.0.0.1:9465");
}

TEST(AgentConfig, KeysNotInTheFileKeepTheirValues) {
  cli::RunOptions o;
  o.collector = "from-flag:1";
  o.window_ns = 5'000'000'000;
  ASSERT_TRUE(Parse("spool: {dir: /s}\n", &o).ok());
  EXPECT_EQ(o.collector, "from-flag:1");
  EXPECT_EQ(o.window_ns, 5'000'000'000);
  EXPECT_EQ(o.spool_dir, "/s");
  EXPECT_EQ(o.spool_quota_bytes, 256ull << 20);  // RunOptions' default
}

TEST(AgentConfig, EmptyFileIsValid) { EXPECT_TRUE(Parse("# nothing\n").ok()); }

TEST(AgentConfig, ReplaySpeedMax) {
  cli::RunOptions o;
  o.replay_speed = 3;
  ASSERT_TRUE(Parse("capture: {replay_speed: max}\n", &o).ok());
  EXPECT_EQ(o.replay_speed, 0);
}

TEST(AgentConfigErrors, UnknownTopLevelKeyNamesLineAndKey) {
  ExpectError("tls: {ca: x}\ncolector: {address: a:1}\n",
              "agent.yaml:2: colector: ", "unknown key (expected one of: collector, tls");
}

TEST(AgentConfigErrors, UnknownNestedKeyNamesDottedPath) {
  ExpectError("capture:\n  iface: mon0\n  chanels: [1]\n",
              "agent.yaml:3: capture.chanels: ", "unknown key");
}

TEST(AgentConfigErrors, NotValidYaml) {
  ExpectError("capture:\n  iface: [mon0\n", "agent.yaml:", "not valid YAML");
}

TEST(AgentConfigErrors, TopLevelNotAMapping) {
  ExpectError("- a\n- b\n", "agent.yaml:1: (top level): ", "expected a mapping");
}

TEST(AgentConfigErrors, SectionNotAMapping) {
  ExpectError("spool: /var/lib\n", "agent.yaml:1: spool: ", "expected a mapping");
}

TEST(AgentConfigErrors, WrongScalarType) {
  ExpectError("summary:\n  max_devices: lots\n",
              "agent.yaml:2: summary.max_devices: ", "expected a whole number, not 'lots'");
  ExpectError("capture:\n  verify_fcs: maybe\n",
              "agent.yaml:2: capture.verify_fcs: ", "expected true or false");
  ExpectError("tls:\n  ca: [a, b]\n", "agent.yaml:2: tls.ca: ", "expected a string");
}

TEST(AgentConfigErrors, BadDurations) {
  ExpectError("summary:\n  window: 1 minute\n",
              "agent.yaml:2: summary.window: ", "expected a duration");
  ExpectError("summary:\n  window: 1500us\n",
              "agent.yaml:2: summary.window: ", "whole number of milliseconds");
  ExpectError("capture:\n  dwell: 0s\n", "agent.yaml:2: capture.dwell: ", "expected a duration");
  ExpectError("replay:\n  drain_timeout: -1s\n",
              "agent.yaml:2: replay.drain_timeout: ", "expected a duration");
}

TEST(AgentConfigErrors, BadChannelNamesTheEntry) {
  ExpectError("capture:\n  channels:\n    - 6\n    - 999\n",
              "agent.yaml:4: capture.channels: ", "999");
  ExpectError("capture:\n  channels: 6\n", "agent.yaml:2: capture.channels: ", "expected a list");
}

TEST(AgentConfigErrors, OutOfRangeValues) {
  ExpectError("spool:\n  quota_mb: 0\n", "agent.yaml:2: spool.quota_mb: ", "between 1");
  ExpectError("summary:\n  max_devices: 0\n", "agent.yaml:2: summary.max_devices: ", "at least 1");
  ExpectError("capture:\n  replay_speed: -2\n",
              "agent.yaml:2: capture.replay_speed: ", "positive number");
  ExpectError("capture:\n  fcs: maybe\n", "agent.yaml:2: capture.fcs: ", "auto, present or absent");
  ExpectError("collector:\n  address: nocolon\n", "agent.yaml:2: collector.address: ", "HOST:PORT");
  ExpectError("log_format: xml\n", "agent.yaml:1: log_format: ", "text or json");
  ExpectError("privacy:\n  mode: scramble\n",
              "agent.yaml:2: privacy.mode: ", "off or pseudonymise");
  ExpectError("privacy:\n  mode: pseudonymise\n", "agent.yaml:2: privacy: ", "needs key_file");
  ExpectError("privacy:\n  ssids: shout\n", "agent.yaml:2: privacy.ssids: ", "keep, hash or drop");
  ExpectError("privacy:\n  rotate: sometimes\n", "agent.yaml:2: privacy.rotate: ", "");
  ExpectError("privacy:\n  key: abc\n", "agent.yaml:2: privacy.key: ", "unknown key");
  ExpectError("collector:\n  heartbeat: 200ms\n",
              "agent.yaml:2: collector.heartbeat: ", "0 (off) or at least 1s");
}

TEST(AgentConfigErrors, BadMetricsListen) {
  ExpectError("metrics:\n  listen: 9465\n", "agent.yaml:2: metrics.listen: ", "expected HOST:PORT");
  ExpectError("metrics: {port: 1}\n", "agent.yaml:1: metrics.port: ", "unknown key");
  cli::RunOptions o;
  ASSERT_TRUE(Parse("metrics: {listen: \"\"}\n", &o).ok());
  EXPECT_EQ(o.metrics_listen, "");  // off
}

TEST(AgentConfigErrors, LiveAndReplayTogether) {
  ExpectError("capture:\n  iface: mon0\n  pcap: /x.pcap\n",
              "agent.yaml:3: capture.pcap: ", "not both");
}

TEST(AgentConfigErrors, MissingFile) {
  cli::RunOptions o;
  absl::Status s = LoadAgentConfig("/nonexistent/agent.yaml", &o);
  EXPECT_TRUE(absl::IsNotFound(s)) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("/nonexistent/agent.yaml"));
}

// The documented example must stay a valid file that says what its comments say.
TEST(AgentConfig, DocumentedExampleParses) {
  const char* source = std::getenv("AIRFLEET_SOURCE_DIR");
  ASSERT_NE(source, nullptr) << "ctest sets AIRFLEET_SOURCE_DIR";
  cli::RunOptions o;
  ProvisioningSettings p;
  absl::Status s = LoadAgentConfig(std::string(source) + "/deploy/agent/agent.yaml", &o, &p);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(o.collector, "collector.example.net:7443");
  EXPECT_EQ(o.cert, "/etc/airfleet/agent.pem");
  EXPECT_EQ(o.spool_dir, "/var/lib/airfleet/spool");
  EXPECT_EQ(o.iface, "mon0");
  EXPECT_EQ(p.phy, "phy0");
  EXPECT_THAT(o.channels, ::testing::ElementsAre("1", "6", "11"));
  // The documented defaults are RunOptions' defaults.
  cli::RunOptions defaults;
  EXPECT_EQ(o.spool_quota_bytes, defaults.spool_quota_bytes);
  EXPECT_EQ(o.window_ns, defaults.window_ns);
  EXPECT_EQ(o.dwell_ns, defaults.dwell_ns);
  EXPECT_EQ(o.max_devices, defaults.max_devices);
  EXPECT_EQ(o.fcs, defaults.fcs);
  EXPECT_EQ(o.verify_fcs, defaults.verify_fcs);
  EXPECT_EQ(o.replay_speed, defaults.replay_speed);
  EXPECT_EQ(o.drain_timeout_ns, defaults.drain_timeout_ns);
}

}  // namespace
}  // namespace airfleet::agent_config
