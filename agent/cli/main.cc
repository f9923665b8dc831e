// airfleet-agent: wiring only. Each subcommand's behaviour lives in its own *_command.cc.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "agent/cli/commands.h"
#include "agent/cli/exit_codes.h"
#include "agent/config/agent_config.h"

namespace {

using airfleet::dissect::FcsMode;

const std::map<std::string, FcsMode> kFcsModes = {
    {"auto", FcsMode::kAuto}, {"present", FcsMode::kPresent}, {"absent", FcsMode::kAbsent}};

// Parses "60s", "1s", "500ms", "5m" into nanoseconds.
bool ParseWindow(const std::string& text, int64_t* ns) {
  absl::Duration d;
  if (!absl::ParseDuration(text, &d) || d < absl::Milliseconds(1)) return false;
  *ns = absl::ToInt64Nanoseconds(d);
  return *ns % 1'000'000 == 0;
}

void AddPrivacyFlags(CLI::App* cmd, airfleet::cli::PrivacyFlags* flags) {
  cmd->add_option("--privacy", flags->mode,
                  "off, or pseudonymise: MACs become keyed HMAC-SHA256 pseudonyms before they are "
                  "spooled or printed");
  cmd->add_option("--privacy-ssids", flags->ssids,
                  "With pseudonymise: keep, hash (\"hmac:\" + 16 hex) or drop SSIDs");
  cmd->add_option("--privacy-key-file", flags->key_file,
                  "Key file (at least 16 bytes, mode 600; never a command-line value)");
  cmd->add_flag("--privacy-keep-vendor", flags->keep_vendor,
                "Keep the 3-byte vendor prefix of globally administered addresses");
  cmd->add_option("--privacy-rotate", flags->rotate,
                  "Key rotation: daily, weekly, never, or a duration such as 6h (period start "
                  "is recorded in every batch)");
}

constexpr char kFooter[] =
    "Exit codes: 0 ok; 1 usage or configuration error; 2 input error (missing file, not a\n"
    "capture, not an 802.11 linktype); 3 capture cut short (everything before the cut was\n"
    "processed); 4 runtime failure (spool, uplink, capture device).";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"airfleet-agent: captures 802.11 frames and summarises devices per time window"};
  app.footer(kFooter);
  app.require_subcommand(1);

  airfleet::cli::InspectOptions inspect;
  auto* inspect_cmd = app.add_subcommand("inspect", "Print every frame of a capture as JSON");
  inspect_cmd->add_option("--pcap", inspect.pcap, "pcap or pcapng file")->required();
  inspect_cmd
      ->add_option("--fcs", inspect.fcs, "FCS on headers that do not say (auto|present|absent)")
      ->transform(CLI::CheckedTransformer(kFcsModes, CLI::ignore_case));
  inspect_cmd->add_flag("--verify-fcs", inspect.verify_fcs,
                        "Check the CRC-32 of frames with an FCS (default: trust the radio header)");
  inspect_cmd->add_option("--format", inspect.format, "Output format (ndjson)");

  airfleet::cli::SummariseOptions summarise;
  std::string window = "60s";
  auto* summarise_cmd =
      app.add_subcommand("summarise", "Summarise a capture per device per window, as JSON");
  summarise_cmd->alias("summarize");
  summarise_cmd->add_option("--pcap", summarise.pcap, "pcap or pcapng file")->required();
  summarise_cmd->add_option("--fcs", summarise.fcs, "auto|present|absent")
      ->transform(CLI::CheckedTransformer(kFcsModes, CLI::ignore_case));
  summarise_cmd->add_flag("--verify-fcs", summarise.verify_fcs,
                          "Check the CRC-32 of frames with an FCS; mismatches are not attributed");
  summarise_cmd->add_option("--window", window, "Window length, e.g. 60s, 1s, 500ms (whole ms)");
  summarise_cmd->add_option("--max-devices", summarise.max_devices,
                            "Devices tracked per window before the overflow counter takes over");
  summarise_cmd->add_option("--max-probed-ssids", summarise.max_probed_ssids,
                            "Distinct probed SSIDs kept per device window");
  summarise_cmd->add_flag("--probes", summarise.probes, "Also print probe observations");
  summarise_cmd->add_option("--format", summarise.format, "Output format (ndjson)");
  AddPrivacyFlags(summarise_cmd, &summarise.privacy);

  airfleet::cli::RunOptions run;
  std::string run_window = "60s", replay_speed = "max", dwell = "250ms", drain_timeout = "0s",
              keepalive = "60s", heartbeat = "10s";
  auto* run_cmd = app.add_subcommand(
      "run", "Capture (or replay), summarise, spool and stream to the collector");
  std::string run_config;
  run_cmd->add_option("--config", run_config,
                      "YAML configuration file (deploy/agent/agent.yaml documents every key); "
                      "flags given here override it");
  run_cmd->add_option("--pcap", run.pcap, "Replay this pcap/pcapng file (resumable)");
  run_cmd->add_option("--iface", run.iface, "Capture live on this monitor-mode interface");
  run_cmd->add_option("--replay-speed", replay_speed, "max, or N times real time");
  run_cmd->add_option("--window", run_window, "Window length (e.g. 60s)");
  run_cmd->add_option("--fcs", run.fcs, "auto|present|absent")
      ->transform(CLI::CheckedTransformer(kFcsModes, CLI::ignore_case));
  run_cmd->add_flag("--verify-fcs", run.verify_fcs, "Check FCS CRCs");
  run_cmd->add_option("--max-devices", run.max_devices, "Devices tracked per window");
  run_cmd->add_option("--collector", run.collector, "Collector HOST:PORT");
  run_cmd->add_option("--ca", run.ca, "Fleet CA certificate (PEM)");
  run_cmd->add_option("--cert", run.cert, "This agent's certificate (PEM); its CN is the agent id");
  run_cmd->add_option("--key", run.key, "This agent's private key (PEM)");
  run_cmd->add_option("--spool-dir", run.spool_dir, "Durable spool directory (RocksDB)");
  run_cmd->add_option("--rings-dir", run.rings_dir,
                      "Capture rings' files (default: SPOOL_DIR-rings)");
  run_cmd->add_option("--spool-quota-bytes", run.spool_quota_bytes,
                      "Spool byte quota; beyond it the oldest batches are dropped and recorded");
  run_cmd->add_flag("--exit-when-drained", run.exit_when_drained,
                    "Replay: exit 0 once every batch is acknowledged");
  run_cmd->add_option("--drain-timeout", drain_timeout, "Give up draining after this (0 = never)");
  run_cmd->add_option("--keepalive", keepalive,
                      "Ping the collector this often (>= 10s); a dead link is detected after "
                      "keepalive + min(20s, keepalive)");
  std::string log_format = "text";
  run_cmd
      ->add_option("--log-format", log_format, "text (default) or json: one JSON object per line")
      ->check(CLI::IsMember({"text", "json"}));
  run_cmd->add_flag("--progress", run.progress,
                    "Replay: print import and drain progress even when stderr is not a terminal");
  run_cmd->add_option("--heartbeat", heartbeat,
                      "Send health (capture rates, drops, backlog, memory, temperature) this "
                      "often; 0 = off. The collector's offline threshold must be longer");
  run_cmd->add_option("--channels", run.channels, "Live: channel plan, e.g. 1 6 11 or 2g:1 5g:36");
  run_cmd->add_option("--dwell", dwell, "Live: time on each channel (e.g. 250ms)");
  run_cmd->add_option("--bpf", run.bpf_filter, "Live: BPF filter");
  run_cmd->add_flag("!--no-monitor-mode", run.monitor_mode,
                    "Live: the interface is already in monitor mode; do not request rfmon");
  AddPrivacyFlags(run_cmd, &run.privacy);
  run_cmd->add_option("--metrics-listen", run.metrics_listen,
                      "HOST:PORT for Prometheus metrics over plain HTTP (GET /metrics; port 0 "
                      "picks a free one, logged on stderr); off by default");

  auto* config_cmd = app.add_subcommand("config", "Work with the configuration file");
  config_cmd->require_subcommand(1);
  std::string check_path;
  auto* check_cmd =
      config_cmd->add_subcommand("check", "Read FILE, print what is wrong with its line (exit 2)");
  check_cmd->add_option("FILE", check_path, "agent configuration file (YAML)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? airfleet::cli::kExitOk : airfleet::cli::kExitUsage;
  }

  if (check_cmd->parsed()) {
    airfleet::cli::RunOptions checked;
    if (absl::Status s = airfleet::agent_config::LoadAgentConfig(check_path, &checked); !s.ok()) {
      std::fprintf(stderr, "airfleet-agent: %s\n", std::string(s.message()).c_str());
      return airfleet::cli::kExitInput;
    }
    std::printf("configuration OK: %s (%s)\n", check_path.c_str(),
                airfleet::agent_config::DescribeRunOptions(checked).c_str());
    return airfleet::cli::kExitOk;
  }
  if (inspect_cmd->parsed()) return airfleet::cli::RunInspect(inspect);
  if (summarise_cmd->parsed()) {
    if (!ParseWindow(window, &summarise.window_ns)) {
      std::fprintf(stderr,
                   "airfleet-agent: --window '%s' is not a whole number of milliseconds "
                   "(examples: 60s, 1s, 500ms)\n",
                   window.c_str());
      return airfleet::cli::kExitUsage;
    }
    return airfleet::cli::RunSummarise(summarise);
  }
  if (run_cmd->parsed()) {
    int64_t ns = 0;
    if (!ParseWindow(run_window, &run.window_ns)) {
      std::fprintf(stderr, "airfleet-agent: --window '%s' is not a whole number of milliseconds\n",
                   run_window.c_str());
      return airfleet::cli::kExitUsage;
    }
    if (replay_speed != "max") {
      double speed = 0;
      if (!absl::SimpleAtod(replay_speed, &speed) || speed <= 0) {
        std::fprintf(stderr, "airfleet-agent: --replay-speed must be 'max' or a positive number\n");
        return airfleet::cli::kExitUsage;
      }
      run.replay_speed = speed;
    }
    if (!ParseWindow(dwell, &ns)) {
      std::fprintf(stderr, "airfleet-agent: --dwell '%s' is not a duration\n", dwell.c_str());
      return airfleet::cli::kExitUsage;
    }
    run.dwell_ns = ns;
    absl::Duration d;
    if (!absl::ParseDuration(drain_timeout, &d)) {
      std::fprintf(stderr, "airfleet-agent: --drain-timeout '%s' is not a duration\n",
                   drain_timeout.c_str());
      return airfleet::cli::kExitUsage;
    }
    run.drain_timeout_ns = absl::ToInt64Nanoseconds(d);
    if (!absl::ParseDuration(keepalive, &d) || d < absl::Seconds(10)) {
      std::fprintf(stderr,
                   "airfleet-agent: --keepalive '%s' must be a duration of at least 10s (the "
                   "collector refuses pings more often)\n",
                   keepalive.c_str());
      return airfleet::cli::kExitUsage;
    }
    run.keepalive_ns = absl::ToInt64Nanoseconds(d);
    run.log_json = log_format == "json";
    if (!absl::ParseDuration(heartbeat, &d) || d < absl::ZeroDuration() ||
        (d > absl::ZeroDuration() && d < absl::Seconds(1))) {
      std::fprintf(stderr,
                   "airfleet-agent: --heartbeat '%s' must be 0 (off) or a duration of at least "
                   "1s\n",
                   heartbeat.c_str());
      return airfleet::cli::kExitUsage;
    }
    run.heartbeat_ns = absl::ToInt64Nanoseconds(d);
    if (run_config.empty()) return airfleet::cli::RunAgent(run);
    // flag > file > default: start from the defaults, apply the file, then every flag given.
    airfleet::cli::RunOptions effective;
    if (absl::Status s = airfleet::agent_config::LoadAgentConfig(run_config, &effective); !s.ok()) {
      std::fprintf(stderr, "airfleet-agent: %s\n", std::string(s.message()).c_str());
      return airfleet::cli::kExitUsage;
    }
    for (const CLI::Option* flag : run_cmd->get_options()) {
      if (flag->count() == 0) continue;
      const std::string name = flag->get_name();
      if (name == "--pcap") effective.pcap = run.pcap, effective.iface.clear();
      if (name == "--iface") effective.iface = run.iface, effective.pcap.clear();
      if (name == "--replay-speed") effective.replay_speed = run.replay_speed;
      if (name == "--window") effective.window_ns = run.window_ns;
      if (name == "--fcs") effective.fcs = run.fcs;
      if (name == "--verify-fcs") effective.verify_fcs = run.verify_fcs;
      if (name == "--max-devices") effective.max_devices = run.max_devices;
      if (name == "--collector") effective.collector = run.collector;
      if (name == "--heartbeat") effective.heartbeat_ns = run.heartbeat_ns;
      if (name == "--progress") effective.progress = run.progress;
      if (name == "--privacy") effective.privacy.mode = run.privacy.mode;
      if (name == "--privacy-ssids") effective.privacy.ssids = run.privacy.ssids;
      if (name == "--privacy-key-file") effective.privacy.key_file = run.privacy.key_file;
      if (name == "--privacy-keep-vendor") effective.privacy.keep_vendor = run.privacy.keep_vendor;
      if (name == "--privacy-rotate") effective.privacy.rotate = run.privacy.rotate;
      if (name == "--log-format") effective.log_json = run.log_json;
      if (name == "--ca") effective.ca = run.ca;
      if (name == "--cert") effective.cert = run.cert;
      if (name == "--key") effective.key = run.key;
      if (name == "--spool-dir") effective.spool_dir = run.spool_dir;
      if (name == "--rings-dir") effective.rings_dir = run.rings_dir;
      if (name == "--spool-quota-bytes") effective.spool_quota_bytes = run.spool_quota_bytes;
      if (name == "--exit-when-drained") effective.exit_when_drained = run.exit_when_drained;
      if (name == "--drain-timeout") effective.drain_timeout_ns = run.drain_timeout_ns;
      if (name == "--channels") effective.channels = run.channels;
      if (name == "--dwell") effective.dwell_ns = run.dwell_ns;
      if (name == "--bpf") effective.bpf_filter = run.bpf_filter;
      if (name == "--no-monitor-mode") effective.monitor_mode = run.monitor_mode;
      if (name == "--metrics-listen") effective.metrics_listen = run.metrics_listen;
    }
    // Not in the file format yet: --keepalive always comes from its flag.
    effective.keepalive_ns = run.keepalive_ns;
    return airfleet::cli::RunAgent(effective);
  }
  return airfleet::cli::kExitUsage;
}
