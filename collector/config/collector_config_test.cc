#include "collector/config/collector_config.h"

#include <cstdlib>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace airfleet::collector {
namespace {

using ::testing::HasSubstr;

// A sink engine for the parser's plumbing: accepts `url:` and builds a sink that writes nothing.
class NamedSink : public sinks::Sink {
 public:
  explicit NamedSink(std::string url) : url_(std::move(url)) {}
  std::string_view name() const override { return "test"; }
  absl::Status Open() override { return absl::OkStatus(); }
  std::vector<sinks::ItemResult> Write(const std::vector<sinks::Record>& r) override {
    return std::vector<sinks::ItemResult>(r.size());
  }
  std::string url_;
};

SinkParsers TestParsers() {
  return {{"test",
           [](const YAML::Node& section, const std::string& name)
               -> absl::StatusOr<std::function<absl::StatusOr<std::unique_ptr<sinks::Sink>>()>> {
             auto keys = CheckKeys(section, name, "sinks.test", {"enabled", "url"});
             if (!keys.ok()) return keys;
             auto url = Read<std::string>(section["url"], name, "sinks.test.url");
             if (!url.ok()) return url.status();
             return [u = *url]() -> absl::StatusOr<std::unique_ptr<sinks::Sink>> {
               return std::make_unique<NamedSink>(u);
             };
           }}};
}

TEST(CollectorConfig, ReadsEveryTopLevelSetting) {
  CollectorOptions o;
  absl::Status s = ParseCollectorConfig(R"(
listen: 0.0.0.0:7443
data_dir: /var/lib/airfleet/collector
retention_days: 7
tls: {ca: /etc/ca.pem, cert: /etc/c.pem, key: /etc/c.key}
vendors: {ieee_data_dir: /x, manuf: /y, check_seconds: 5}
agents:
  pi-01: {location: {lat: 52.5, lon: 13.25}}
  pi-02: {}
agent_status: {offline_after_seconds: 45, lagging_after_seconds: 600}
log_format: json
sinks:
  outbox_quota_mb: 64
  test: {url: "http://es:9200"}
)",
                                        "c.yaml", TestParsers(), &o);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(o.listen, "0.0.0.0:7443");
  EXPECT_EQ(o.data_dir, "/var/lib/airfleet/collector");
  EXPECT_EQ(o.retention_days, 7);
  EXPECT_EQ(o.ca_file, "/etc/ca.pem");
  EXPECT_EQ(o.cert_file, "/etc/c.pem");
  EXPECT_EQ(o.key_file, "/etc/c.key");
  EXPECT_EQ(o.ieee_data_dir, "/x");
  EXPECT_EQ(o.manuf_file, "/y");
  EXPECT_EQ(o.vendor_check_interval, std::chrono::seconds(5));
  ASSERT_EQ(o.agent_locations.size(), 1u);
  EXPECT_DOUBLE_EQ(o.agent_locations.at("pi-01").lat, 52.5);
  EXPECT_DOUBLE_EQ(o.agent_locations.at("pi-01").lon, 13.25);
  EXPECT_EQ(o.log_format, "json");
  EXPECT_EQ(o.agent_status.offline_after_ns, int64_t{45} * 1'000'000'000);
  EXPECT_EQ(o.agent_status.lagging_after_ns, int64_t{600} * 1'000'000'000);
  EXPECT_EQ(o.sink_options.outbox_quota_bytes, uint64_t{64} << 20);
  ASSERT_TRUE(o.make_sinks);
  auto built = o.make_sinks();
  ASSERT_TRUE(built.ok());
  ASSERT_EQ(built->size(), 1u);
  EXPECT_EQ(static_cast<NamedSink&>(*built->front()).url_, "http://es:9200");
}

TEST(CollectorConfig, DisabledOrAbsentSinksMeanNoOutbox) {
  CollectorOptions o;
  ASSERT_TRUE(
      ParseCollectorConfig("sinks: {test: {enabled: false, url: x}}\n", "c.yaml", TestParsers(), &o)
          .ok());
  EXPECT_FALSE(o.make_sinks);
  ASSERT_TRUE(ParseCollectorConfig("", "c.yaml", TestParsers(), &o).ok());
  EXPECT_FALSE(o.make_sinks);
}

TEST(CollectorConfig, RetentionPerKindFallsBackToRetentionDays) {
  CollectorOptions o;
  absl::Status s = ParseCollectorConfig(R"(
retention_days: 14
retention:
  windows_days: 7
  probes_days: 0
  dead_letters_days: 90
)",
                                        "c.yaml", TestParsers(), &o);
  ASSERT_TRUE(s.ok()) << s;
  RetentionPlan plan = ResolveRetention(o);
  EXPECT_EQ(plan.store.windows_days, 7);
  EXPECT_EQ(plan.store.probes_days, 0);  // kept forever although retention_days is 14
  EXPECT_EQ(plan.store.devices_days, 14);
  EXPECT_EQ(plan.dead_letters_days, 90);
  EXPECT_FALSE(plan.KeepsEverything());

  // Without a retention: section every kind uses retention_days, and 0 keeps everything.
  CollectorOptions plain;
  ASSERT_TRUE(ParseCollectorConfig("retention_days: 0\n", "c.yaml", TestParsers(), &plain).ok());
  EXPECT_TRUE(ResolveRetention(plain).KeepsEverything());
  // The section alone works with the built-in default (30) for the kinds it does not name.
  CollectorOptions section_only;
  ASSERT_TRUE(ParseCollectorConfig("retention: {devices_days: 365}\n", "c.yaml", TestParsers(),
                                   &section_only)
                  .ok());
  RetentionPlan defaults = ResolveRetention(section_only);
  EXPECT_EQ(defaults.store.windows_days, 30);
  EXPECT_EQ(defaults.store.devices_days, 365);
}

TEST(CollectorConfig, ErrorsNameFileLineAndKey) {
  struct Case {
    const char* text;
    const char* want;
  };
  const Case cases[] = {
      {"listen: a:1\nretention_dayz: 3\n", "c.yaml:2: retention_dayz: unknown key"},
      {"retention_days: lots\n", "c.yaml:1: retention_days: expected a whole number"},
      {"retention_days: -1\n", "c.yaml:1: retention_days: must be 0"},
      {"retention:\n  windows_days: 7\n  probes_days: -3\n",
       "c.yaml:3: retention.probes_days: must be 0 (keep this kind) or more"},
      {"retention:\n  devices_days: forever\n",
       "c.yaml:2: retention.devices_days: expected a whole number"},
      {"retention:\n  window_days: 7\n",
       "c.yaml:2: retention.window_days: unknown key (expected one of: windows_days, "
       "probes_days, devices_days, dead_letters_days)"},
      {"retention: 7\n", "c.yaml:1: retention"},
      {"tls:\n  ca: a\n  crt: b\n",
       "c.yaml:3: tls.crt: unknown key (expected one of: ca, cert, key)"},
      {"agents:\n  pi: {location: {lat: 95, lon: 0}}\n", "agents.pi.location: lat must be in"},
      {"agents:\n  pi: {location: {lat: 5}}\n", "needs both lat and lon"},
      {"sinks:\n  elastic: {}\n", "c.yaml:2: sinks.elastic: unknown key"},
      {"sinks:\n  test: {url: [1, 2]}\n", "c.yaml:2: sinks.test.url: expected a string"},
      {"sinks: {outbox_quota_mb: 0}\n", "sinks.outbox_quota_mb: must be at least 1"},
      {"agent_status:\n  offline_after_seconds: 0\n",
       "c.yaml:2: agent_status.offline_after_seconds: must be at least 1"},
      {"log_format: yaml\n", "c.yaml:1: log_format: must be text or json"},
      {"agent_status: {offline_after: 5}\n", "c.yaml:1: agent_status.offline_after: unknown key"},
      {"listen: [\n", "c.yaml:2: not valid YAML"},
      {"listen: a:1\nmetrics_listen: 9464\n", "c.yaml:2: metrics_listen: expected HOST:PORT"},
      {"metrics_listen: [a, 1]\n", "c.yaml:1: metrics_listen: "},
  };
  for (const Case& c : cases) {
    CollectorOptions o;
    absl::Status s = ParseCollectorConfig(c.text, "c.yaml", TestParsers(), &o);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.want)) << c.text;
  }
}

TEST(CollectorConfig, MissingFileIsNotFound) {
  CollectorOptions o;
  absl::Status s = LoadCollectorConfig("/nonexistent/c.yaml", BuiltinSinkParsers(), &o);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(s.message()), HasSubstr("/nonexistent/c.yaml"));
}

// The documented example is part of the product: it must parse with this build's engines.
TEST(CollectorConfig, DocumentedExampleParses) {
  const char* src = std::getenv("AIRFLEET_SOURCE_DIR");
  ASSERT_NE(src, nullptr);
  CollectorOptions o;
  absl::Status s = LoadCollectorConfig(std::string(src) + "/deploy/collector/collector.yaml",
                                       BuiltinSinkParsers(), &o);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_FALSE(o.data_dir.empty());
  // It shows the retention: section, every kind named.
  EXPECT_TRUE(o.retention.windows_days && o.retention.probes_days && o.retention.devices_days &&
              o.retention.dead_letters_days);
  EXPECT_EQ(o.metrics_listen, "127.0.0.1:9464");
}

TEST(CollectorConfig, MetricsListenAndPrivacyKeyAreTopLevelKeys) {
  CollectorOptions o;
  EXPECT_EQ(o.metrics_listen, "");  // off unless asked for
  absl::Status s = ParseCollectorConfig(
      "metrics_listen: \"[::1]:0\"\nprivacy_key_file: /etc/airfleet/privacy.key\n", "c.yaml",
      TestParsers(), &o);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(o.metrics_listen, "[::1]:0");
  EXPECT_EQ(o.privacy_key_file, "/etc/airfleet/privacy.key");
}

}  // namespace
}  // namespace airfleet::collector
