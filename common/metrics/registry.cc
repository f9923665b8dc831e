#include "common/metrics/registry.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace airfleet::metrics {
namespace {

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

[[noreturn]] void BadName(std::string_view what, std::string_view name) {
  std::fprintf(stderr, "metrics: invalid %.*s '%.*s'\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(name.size()), name.data());
  std::abort();
}

const char* TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
  }
  return "untyped";
}

}  // namespace

bool IsValidMetricName(std::string_view name) {
  if (name.empty() || !(IsNameStart(name[0]) || name[0] == ':')) return false;
  for (char c : name) {
    if (!(IsNameStart(c) || IsDigit(c) || c == ':')) return false;
  }
  return true;
}

bool IsValidLabelName(std::string_view name) {
  // Names starting with "__" are reserved for Prometheus' own use.
  if (name.empty() || !IsNameStart(name[0]) || name.substr(0, 2) == "__") return false;
  for (char c : name) {
    if (!(IsNameStart(c) || IsDigit(c))) return false;
  }
  return true;
}

// The exposition format escapes backslash and newline in HELP text, and also '"' in label values.
std::string Escape(std::string_view text, bool quotes) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quotes && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view help) { return Escape(help, /*quotes=*/false); }

std::string EscapeLabelValue(std::string_view value) { return Escape(value, /*quotes=*/true); }

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[32];
  // Counters are integers; print them exactly and without an exponent while a double holds them
  // exactly (2^53), so that scrapers and tests compare them as the numbers they are.
  if (value == std::floor(value) && std::fabs(value) <= 9007199254740992.0) {
    std::snprintf(buf, sizeof(buf), "%.0f", value);
  } else {
    std::snprintf(buf, sizeof(buf), "%.17g", value);
  }
  return buf;
}

void Registry::AddCounter(std::string name, std::string help, std::function<double()> read) {
  AddFamily(std::move(name), std::move(help), MetricType::kCounter, [read = std::move(read)] {
    return std::vector<Sample>{Sample{{}, read()}};
  });
}

void Registry::AddGauge(std::string name, std::string help, std::function<double()> read) {
  AddFamily(std::move(name), std::move(help), MetricType::kGauge, [read = std::move(read)] {
    return std::vector<Sample>{Sample{{}, read()}};
  });
}

void Registry::AddFamily(std::string name, std::string help, MetricType type,
                         std::function<std::vector<Sample>()> read) {
  if (!IsValidMetricName(name)) BadName("metric name", name);
  std::lock_guard<std::mutex> lock(mu_);
  for (const Family& f : families_) {
    // The format allows one TYPE line per name: a second family of the same name is a bug.
    if (f.name == name) BadName("duplicate metric name", name);
  }
  families_.push_back({std::move(name), std::move(help), type, std::move(read)});
}

std::string Registry::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const Family& f : families_) {
    out += "# HELP ";
    out += f.name;
    out += ' ';
    out += EscapeHelp(f.help);
    out += "\n# TYPE ";
    out += f.name;
    out += ' ';
    out += TypeName(f.type);
    out += '\n';
    for (const Sample& s : f.read()) {
      out += f.name;
      if (!s.labels.empty()) {
        out += '{';
        bool first = true;
        for (const auto& [label, value] : s.labels) {
          // Label names come from code, but values often from outside (sink names from the
          // configuration): only the names can be a programming error.
          if (!IsValidLabelName(label)) BadName("label name", label);
          if (!first) out += ',';
          first = false;
          out += label;
          out += "=\"";
          out += EscapeLabelValue(value);
          out += '"';
        }
        out += '}';
      }
      out += ' ';
      out += FormatValue(s.value);
      out += '\n';
    }
  }
  return out;
}

}  // namespace airfleet::metrics
