#include "common/metrics/registry.h"

#include <cmath>
#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace airfleet::metrics {
namespace {

// The examples are from the exposition format's text ("Text format example",
// https://prometheus.io/docs/instrumenting/exposition_formats/).
TEST(RegistryTest, RendersTheSpecExampleWithLabels) {
  Registry registry;
  registry.AddFamily("http_requests_total", "The total number of HTTP requests.",
                     MetricType::kCounter, [] {
                       return std::vector<Sample>{
                           {{{"method", "post"}, {"code", "200"}}, 1027},
                           {{{"method", "post"}, {"code", "400"}}, 3},
                       };
                     });
  EXPECT_EQ(registry.Render(),
            "# HELP http_requests_total The total number of HTTP requests.\n"
            "# TYPE http_requests_total counter\n"
            "http_requests_total{method=\"post\",code=\"200\"} 1027\n"
            "http_requests_total{method=\"post\",code=\"400\"} 3\n");
}

TEST(RegistryTest, EscapesLabelValuesLikeTheSpecExample) {
  // The spec: msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find
  // file:\n\"FILE.TXT\""} 1.458255915e9
  Registry registry;
  registry.AddFamily(
      "msdos_file_access_time_seconds", "Escaping in label values:", MetricType::kGauge, [] {
        return std::vector<Sample>{
            {{{"path", "C:\\DIR\\FILE.TXT"}, {"error", "Cannot find file:\n\"FILE.TXT\""}},
             1.458255915e9}};
      });
  EXPECT_EQ(registry.Render(),
            "# HELP msdos_file_access_time_seconds Escaping in label values:\n"
            "# TYPE msdos_file_access_time_seconds gauge\n"
            "msdos_file_access_time_seconds{path=\"C:\\\\DIR\\\\FILE.TXT\",error=\"Cannot find "
            "file:\\n\\\"FILE.TXT\\\"\"} 1458255915\n");
}

TEST(RegistryTest, EscapesBackslashAndLineFeedInHelpButNotQuotes) {
  // The spec's "metric_without_timestamp_and_labels" family has help text; HELP escapes only `\`
  // and line feed, a double quote stays as it is.
  EXPECT_EQ(EscapeHelp("a \\ b\nc \"d\""), "a \\\\ b\\nc \"d\"");
  EXPECT_EQ(EscapeLabelValue("a \\ b\nc \"d\""), "a \\\\ b\\nc \\\"d\\\"");
  Registry registry;
  registry.AddCounter("escaped_total", "line one\nline \\two\\", [] { return 1; });
  EXPECT_EQ(registry.Render(),
            "# HELP escaped_total line one\\nline \\\\two\\\\\n"
            "# TYPE escaped_total counter\n"
            "escaped_total 1\n");
}

TEST(RegistryTest, FormatsSpecialAndFractionalValues) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(-3), "-3");
  EXPECT_EQ(FormatValue(18446744073709551615.0), "1.8446744073709552e+19");
  EXPECT_EQ(FormatValue(9007199254740992.0), "9007199254740992");
  EXPECT_EQ(FormatValue(0.25), "0.25");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  // Round trip: the text reads back as the same double.
  EXPECT_EQ(std::stod(FormatValue(0.1 + 0.2)), 0.1 + 0.2);
}

TEST(RegistryTest, ReadsValuesAtEveryRenderInRegistrationOrder) {
  Registry registry;
  double value = 1;
  registry.AddGauge("b_gauge", "second in name order, first registered", [&] { return value; });
  registry.AddFamily("a_family", "no samples", MetricType::kGauge,
                     [] { return std::vector<Sample>{}; });
  EXPECT_EQ(registry.Render(),
            "# HELP b_gauge second in name order, first registered\n"
            "# TYPE b_gauge gauge\nb_gauge 1\n"
            "# HELP a_family no samples\n# TYPE a_family gauge\n");
  value = 2.5;
  EXPECT_THAT(registry.Render(), testing::HasSubstr("\nb_gauge 2.5\n"));
}

TEST(RegistryTest, NameRules) {
  EXPECT_TRUE(IsValidMetricName("airfleet_ingest_batches_committed_total"));
  EXPECT_TRUE(IsValidMetricName(":recorded:rule"));
  EXPECT_FALSE(IsValidMetricName(""));
  EXPECT_FALSE(IsValidMetricName("1abc"));
  EXPECT_FALSE(IsValidMetricName("a-b"));
  EXPECT_FALSE(IsValidMetricName("a.b"));
  EXPECT_TRUE(IsValidLabelName("sink"));
  EXPECT_FALSE(IsValidLabelName("__name__"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_FALSE(IsValidLabelName("0a"));
}

TEST(RegistryDeathTest, BadOrDuplicateNamesAbort) {
  Registry registry;
  EXPECT_DEATH(registry.AddCounter("bad-name", "", [] { return 0; }), "invalid metric name");
  registry.AddCounter("twice_total", "", [] { return 0; });
  EXPECT_DEATH(registry.AddGauge("twice_total", "", [] { return 0; }), "duplicate metric name");
  registry.AddFamily("labelled", "", MetricType::kGauge, [] {
    return std::vector<Sample>{{{{"bad-label", "x"}}, 1}};
  });
  EXPECT_DEATH(registry.Render(), "invalid label name");
}

}  // namespace
}  // namespace airfleet::metrics
