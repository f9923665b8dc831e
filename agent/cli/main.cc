// airfleet-agent: wiring only. Each subcommand's behaviour lives in its own *_command.cc.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "absl/time/time.h"
#include "agent/cli/commands.h"
#include "agent/cli/exit_codes.h"

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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? airfleet::cli::kExitOk : airfleet::cli::kExitUsage;
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
  return airfleet::cli::kExitUsage;
}
