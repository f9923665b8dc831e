#pragma once

// Prometheus metrics, read at scrape time. A metric family is a name, help text, a type and a
// function that returns its samples when /metrics is read; nothing is counted here. Code that
// already keeps counters (IngestCounters, SpoolStats, UplinkState, SinkStatus, ...) registers a
// function that reads them, so the hot paths (ingest, dissect) pay nothing for metrics.
//
// Render() writes the text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/): per family "# HELP" (with `\`
// and line feed escaped), "# TYPE", then one line per sample with label values escaped (`\`, `"`,
// line feed). Families appear in registration order.
//
// Names are checked at registration: a metric name must match [a-zA-Z_:][a-zA-Z0-9_:]*, a label
// name [a-zA-Z_][a-zA-Z0-9_]* and not start with "__". A bad name is a programming error
// (names are literals in the code), so Add* aborts with a message rather than returning a status.
//
// Threading: register before serving; Render() may then run on any thread, concurrently with
// itself. The read functions run on the scraping thread and must be thread-safe themselves.

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace airfleet::metrics {

enum class MetricType { kCounter, kGauge };

using Labels = std::vector<std::pair<std::string, std::string>>;

struct Sample {
  Labels labels;
  double value = 0;
};

class Registry {
 public:
  // One unlabelled sample, read by `read` at every scrape.
  void AddCounter(std::string name, std::string help, std::function<double()> read);
  void AddGauge(std::string name, std::string help, std::function<double()> read);
  // Any number of samples (e.g. one per sink), read together at every scrape. A family with no
  // samples is rendered as its HELP and TYPE lines only.
  void AddFamily(std::string name, std::string help, MetricType type,
                 std::function<std::vector<Sample>()> read);

  std::string Render() const;

 private:
  struct Family {
    std::string name;
    std::string help;
    MetricType type;
    std::function<std::vector<Sample>()> read;
  };
  mutable std::mutex mu_;
  std::vector<Family> families_;  // guarded by mu_
};

// The exposition format's escaping, exposed for tests.
std::string EscapeHelp(std::string_view help);
std::string EscapeLabelValue(std::string_view value);
// Integers (up to 2^53) without a fraction, others with full precision; NaN, +Inf, -Inf.
std::string FormatValue(double value);
bool IsValidMetricName(std::string_view name);
bool IsValidLabelName(std::string_view name);

// "text/plain; version=0.0.4; charset=utf-8"
inline constexpr char kContentType[] = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace airfleet::metrics
