#include "agent/config/agent_config.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <type_traits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "agent/capture/channel.h"
#include "common/metrics/http_server.h"
#include "common/pseudonym.h"
#include "common/status_macros.h"
#include "common/yaml_config.h"
#include "yaml-cpp/yaml.h"

namespace airfleet::agent_config {
namespace {

using ::airfleet::config::CheckKeys;
using ::airfleet::config::Where;

absl::Status Error(const std::string& name, const YAML::Node& node, const std::string& key,
                   const std::string& what) {
  return absl::InvalidArgumentError(Where(name, node, key) + what);
}

// Typed reads of one scalar; `path` is the dotted key used in messages.
template <typename T>
absl::Status Read(const YAML::Node& node, const std::string& name, const std::string& path,
                  T* out) {
  const char* expected = std::is_same_v<T, std::string> ? "a string"
                         : std::is_same_v<T, bool>      ? "true or false"
                                                        : "a whole number";
  if (!node.IsScalar()) return Error(name, node, path, absl::StrCat("expected ", expected));
  try {
    *out = node.as<T>();
  } catch (const YAML::Exception&) {
    return Error(name, node, path,
                 absl::StrCat("expected ", expected, ", not '", node.Scalar(), "'"));
  }
  return absl::OkStatus();
}

absl::Status ReadDuration(const YAML::Node& node, const std::string& name, const std::string& path,
                          bool allow_zero, int64_t* ns) {
  absl::Duration d;
  if (!node.IsScalar() || !absl::ParseDuration(node.Scalar(), &d) || d < absl::ZeroDuration() ||
      (!allow_zero && d == absl::ZeroDuration())) {
    return Error(name, node, path,
                 absl::StrCat("expected a duration such as 60s, 500ms or 5m",
                              allow_zero ? " (0s = none)" : "", ", not '", node.Scalar(), "'"));
  }
  *ns = absl::ToInt64Nanoseconds(d);
  return absl::OkStatus();
}

// Window and dwell are handled in whole milliseconds by the summariser and hopper.
absl::Status ReadWholeMs(const YAML::Node& node, const std::string& name, const std::string& path,
                         int64_t* ns) {
  AF_RETURN_IF_ERROR(ReadDuration(node, name, path, /*allow_zero=*/false, ns));
  if (*ns % 1'000'000 != 0) {
    return Error(name, node, path, "must be a whole number of milliseconds");
  }
  return absl::OkStatus();
}

absl::Status ParseCollector(const YAML::Node& s, const std::string& name, cli::RunOptions* o) {
  AF_RETURN_IF_ERROR(CheckKeys(s, name, "collector", {"address", "heartbeat"}));
  if (s["address"]) {
    AF_RETURN_IF_ERROR(Read(s["address"], name, "collector.address", &o->collector));
    if (o->collector.find(':') == std::string::npos) {
      return Error(name, s["address"], "collector.address", "expected HOST:PORT");
    }
  }
  if (s["heartbeat"]) {
    AF_RETURN_IF_ERROR(ReadDuration(s["heartbeat"], name, "collector.heartbeat",
                                    /*allow_zero=*/true, &o->heartbeat_ns));
    if (o->heartbeat_ns > 0 && o->heartbeat_ns < 1'000'000'000) {
      return Error(name, s["heartbeat"], "collector.heartbeat", "must be 0 (off) or at least 1s");
    }
  }
  return absl::OkStatus();
}

absl::Status ParseTls(const YAML::Node& s, const std::string& name, cli::RunOptions* o) {
  AF_RETURN_IF_ERROR(CheckKeys(s, name, "tls", {"ca", "cert", "key"}));
  if (s["ca"]) AF_RETURN_IF_ERROR(Read(s["ca"], name, "tls.ca", &o->ca));
  if (s["cert"]) AF_RETURN_IF_ERROR(Read(s["cert"], name, "tls.cert", &o->cert));
  if (s["key"]) AF_RETURN_IF_ERROR(Read(s["key"], name, "tls.key", &o->key));
  return absl::OkStatus();
}

absl::Status ParseSpool(const YAML::Node& s, const std::string& name, cli::RunOptions* o) {
  AF_RETURN_IF_ERROR(CheckKeys(s, name, "spool", {"dir", "quota_mb"}));
  if (s["dir"]) AF_RETURN_IF_ERROR(Read(s["dir"], name, "spool.dir", &o->spool_dir));
  if (s["quota_mb"]) {
    uint64_t mb = 0;
    AF_RETURN_IF_ERROR(Read(s["quota_mb"], name, "spool.quota_mb", &mb));
    if (mb == 0 || mb > (1ull << 30)) {
      return Error(name, s["quota_mb"], "spool.quota_mb", "must be between 1 and 2^30 MiB");
    }
    o->spool_quota_bytes = mb << 20;
  }
  return absl::OkStatus();
}

absl::Status ParseRings(const YAML::Node& s, const std::string& name, cli::RunOptions* o) {
  AF_RETURN_IF_ERROR(CheckKeys(s, name, "rings", {"dir"}));
  if (s["dir"]) AF_RETURN_IF_ERROR(Read(s["dir"], name, "rings.dir", &o->rings_dir));
  return absl::OkStatus();
}

absl::Status ParseCapture(const YAML::Node& s, const std::string& name, cli::RunOptions* o,
                          ProvisioningSettings* provisioning) {
  AF_RETURN_IF_ERROR(CheckKeys(s, name, "capture",
                               {"iface", "phy", "monitor_mode", "channels", "dwell", "bpf", "pcap",
                                "replay_speed", "fcs", "verify_fcs"}));
  if (s["iface"]) AF_RETURN_IF_ERROR(Read(s["iface"], name, "capture.iface", &o->iface));
  if (s["pcap"]) AF_RETURN_IF_ERROR(Read(s["pcap"], name, "capture.pcap", &o->pcap));
  if (!o->iface.empty() && !o->pcap.empty()) {
    return Error(name, s["pcap"], "capture.pcap",
                 "give either capture.iface (live) or capture.pcap (replay), not both");
  }
  if (s["phy"]) {
    std::string phy;
    AF_RETURN_IF_ERROR(Read(s["phy"], name, "capture.phy", &phy));
    if (provisioning) provisioning->phy = phy;
  }
  if (s["monitor_mode"]) {
    AF_RETURN_IF_ERROR(Read(s["monitor_mode"], name, "capture.monitor_mode", &o->monitor_mode));
  }
  if (const YAML::Node ch = s["channels"]) {
    if (!ch.IsSequence()) {
      return Error(name, ch, "capture.channels", "expected a list such as [1, 6, 11]");
    }
    o->channels.clear();
    for (const auto& entry : ch) {
      std::string spec;
      AF_RETURN_IF_ERROR(Read(entry, name, "capture.channels", &spec));
      if (auto parsed = capture::ParseChannel(spec); !parsed.ok()) {
        return Error(name, entry, "capture.channels", std::string(parsed.status().message()));
      }
      o->channels.push_back(spec);
    }
  }
  if (s["dwell"]) AF_RETURN_IF_ERROR(ReadWholeMs(s["dwell"], name, "capture.dwell", &o->dwell_ns));
  if (s["bpf"]) AF_RETURN_IF_ERROR(Read(s["bpf"], name, "capture.bpf", &o->bpf_filter));
  if (const YAML::Node speed = s["replay_speed"]) {
    double value = 0;
    if (!speed.IsScalar() ||
        (speed.Scalar() != "max" && (!absl::SimpleAtod(speed.Scalar(), &value) || value <= 0))) {
      return Error(name, speed, "capture.replay_speed", "expected max or a positive number");
    }
    o->replay_speed = speed.Scalar() == "max" ? 0 : value;
  }
  if (const YAML::Node fcs = s["fcs"]) {
    const std::string v = fcs.IsScalar() ? fcs.Scalar() : "";
    if (v == "auto")
      o->fcs = dissect::FcsMode::kAuto;
    else if (v == "present")
      o->fcs = dissect::FcsMode::kPresent;
    else if (v == "absent")
      o->fcs = dissect::FcsMode::kAbsent;
    else
      return Error(name, fcs, "capture.fcs", "expected auto, present or absent");
  }
  if (s["verify_fcs"]) {
    AF_RETURN_IF_ERROR(Read(s["verify_fcs"], name, "capture.verify_fcs", &o->verify_fcs));
  }
  return absl::OkStatus();
}

absl::Status ParseSummary(const YAML::Node& s, const std::string& name, cli::RunOptions* o) {
  AF_RETURN_IF_ERROR(CheckKeys(s, name, "summary", {"window", "max_devices"}));
  if (s["window"])
    AF_RETURN_IF_ERROR(ReadWholeMs(s["window"], name, "summary.window", &o->window_ns));
  if (s["max_devices"]) {
    AF_RETURN_IF_ERROR(Read(s["max_devices"], name, "summary.max_devices", &o->max_devices));
    if (o->max_devices == 0) {
      return Error(name, s["max_devices"], "summary.max_devices", "must be at least 1");
    }
  }
  return absl::OkStatus();
}

absl::Status ParseReplay(const YAML::Node& s, const std::string& name, cli::RunOptions* o) {
  AF_RETURN_IF_ERROR(CheckKeys(s, name, "replay", {"exit_when_drained", "drain_timeout"}));
  if (s["exit_when_drained"]) {
    AF_RETURN_IF_ERROR(
        Read(s["exit_when_drained"], name, "replay.exit_when_drained", &o->exit_when_drained));
  }
  if (s["drain_timeout"]) {
    AF_RETURN_IF_ERROR(ReadDuration(s["drain_timeout"], name, "replay.drain_timeout",
                                    /*allow_zero=*/true, &o->drain_timeout_ns));
  }
  return absl::OkStatus();
}

// Privacy at the edge (docs/privacy.md). The key file is named here, never the key; whether it
// exists and is private is checked when the agent starts (like the TLS files).
absl::Status ParsePrivacy(const YAML::Node& s, const std::string& name, cli::RunOptions* o) {
  AF_RETURN_IF_ERROR(
      CheckKeys(s, name, "privacy", {"mode", "key_file", "ssids", "keep_vendor", "rotate"}));
  cli::PrivacyFlags& p = o->privacy;
  if (s["mode"]) {
    AF_RETURN_IF_ERROR(Read(s["mode"], name, "privacy.mode", &p.mode));
    if (p.mode != "off" && p.mode != "pseudonymise" && p.mode != "pseudonymize") {
      return Error(name, s["mode"], "privacy.mode", "must be off or pseudonymise");
    }
  }
  if (s["key_file"]) AF_RETURN_IF_ERROR(Read(s["key_file"], name, "privacy.key_file", &p.key_file));
  if (s["ssids"]) {
    AF_RETURN_IF_ERROR(Read(s["ssids"], name, "privacy.ssids", &p.ssids));
    if (p.ssids != "keep" && p.ssids != "hash" && p.ssids != "drop") {
      return Error(name, s["ssids"], "privacy.ssids", "must be keep, hash or drop");
    }
  }
  if (s["keep_vendor"]) {
    AF_RETURN_IF_ERROR(Read(s["keep_vendor"], name, "privacy.keep_vendor", &p.keep_vendor));
  }
  if (s["rotate"]) {
    AF_RETURN_IF_ERROR(Read(s["rotate"], name, "privacy.rotate", &p.rotate));
    if (auto period = pseudonym::ParseRotation(p.rotate); !period.ok()) {
      return Error(name, s["rotate"], "privacy.rotate", std::string(period.status().message()));
    }
  }
  if (p.mode != "off" && p.key_file.empty()) {
    return Error(name, s, "privacy", "mode pseudonymise needs key_file");
  }
  return absl::OkStatus();
}

absl::Status ParseMetrics(const YAML::Node& s, const std::string& name, cli::RunOptions* o) {
  AF_RETURN_IF_ERROR(CheckKeys(s, name, "metrics", {"listen"}));
  if (s["listen"]) {
    AF_RETURN_IF_ERROR(Read(s["listen"], name, "metrics.listen", &o->metrics_listen));
    if (!o->metrics_listen.empty() && !metrics::ParseListenAddress(o->metrics_listen).ok()) {
      return Error(name, s["listen"], "metrics.listen",
                   "expected HOST:PORT, e.g. 127.0.0.1:9465, or \"\" (off)");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseAgentConfig(const std::string& text, const std::string& name,
                              cli::RunOptions* options, ProvisioningSettings* provisioning) {
  AF_ASSIGN_OR_RETURN(YAML::Node root, config::LoadYaml(text, name));
  if (root.IsNull()) return absl::OkStatus();  // an empty file configures nothing
  AF_RETURN_IF_ERROR(CheckKeys(root, name, "",
                               {"collector", "tls", "spool", "capture", "summary", "replay",
                                "privacy", "log_format", "metrics", "rings"}));
  if (root["log_format"]) {
    std::string format;
    AF_RETURN_IF_ERROR(Read(root["log_format"], name, "log_format", &format));
    if (format != "text" && format != "json") {
      return Error(name, root["log_format"], "log_format", "must be text or json");
    }
    options->log_json = format == "json";
  }
  if (root["collector"]) AF_RETURN_IF_ERROR(ParseCollector(root["collector"], name, options));
  if (root["tls"]) AF_RETURN_IF_ERROR(ParseTls(root["tls"], name, options));
  if (root["spool"]) AF_RETURN_IF_ERROR(ParseSpool(root["spool"], name, options));
  if (root["capture"]) {
    AF_RETURN_IF_ERROR(ParseCapture(root["capture"], name, options, provisioning));
  }
  if (root["summary"]) AF_RETURN_IF_ERROR(ParseSummary(root["summary"], name, options));
  if (root["replay"]) AF_RETURN_IF_ERROR(ParseReplay(root["replay"], name, options));
  if (root["privacy"]) AF_RETURN_IF_ERROR(ParsePrivacy(root["privacy"], name, options));
  if (root["metrics"]) AF_RETURN_IF_ERROR(ParseMetrics(root["metrics"], name, options));
  if (root["rings"]) AF_RETURN_IF_ERROR(ParseRings(root["rings"], name, options));
  return absl::OkStatus();
}

absl::Status LoadAgentConfig(const std::string& path, cli::RunOptions* options,
                             ProvisioningSettings* provisioning) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read config file ", path));
  std::stringstream text;
  text << in.rdbuf();
  return ParseAgentConfig(text.str(), path, options, provisioning);
}

std::string DescribeRunOptions(const cli::RunOptions& o) {
  const std::string source = !o.iface.empty()  ? absl::StrCat("live on ", o.iface)
                             : !o.pcap.empty() ? absl::StrCat("replay of ", o.pcap)
                                               : "no capture source";
  return absl::StrCat(
      source, ", collector ", o.collector.empty() ? "(none)" : o.collector, ", window ",
      absl::FormatDuration(absl::Nanoseconds(o.window_ns)), ", spool ",
      o.spool_dir.empty() ? "(none)" : o.spool_dir, " (", o.spool_quota_bytes >> 20, " MiB)",
      o.channels.empty() ? "" : absl::StrCat(", channels ", absl::StrJoin(o.channels, " ")),
      o.metrics_listen.empty() ? "" : absl::StrCat(", metrics on ", o.metrics_listen));
}

}  // namespace airfleet::agent_config
