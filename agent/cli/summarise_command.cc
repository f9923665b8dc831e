#include <cstdio>
#include <string>

#include "agent/cli/commands.h"
#include "agent/cli/exit_codes.h"
#include "agent/cli/open_capture.h"
#include "agent/cli/replay_loop.h"
#include "agent/summarise/window_summariser.h"
#include "common/probe_json.h"
#include "common/window_json.h"

namespace airfleet::cli {
namespace {

void PrintSealed(std::vector<summarise::SealedWindow> sealed, privacy::EdgePrivacy& privacy,
                 bool probes, std::string* out) {
  for (auto& w : sealed) {
    privacy.Apply(&w);
    for (const auto& d : w.devices) {
      out->append(WindowToJsonLine(d));
      out->push_back('\n');
    }
    if (!probes) continue;
    for (const auto& p : w.probes) {
      out->append(ProbeToJsonLine(p));
      out->push_back('\n');
    }
  }
  std::fwrite(out->data(), 1, out->size(), stdout);
  out->clear();
}

}  // namespace

int RunSummarise(const SummariseOptions& options) {
  if (options.format != "ndjson") {
    std::fprintf(stderr, "airfleet-agent summarise: unknown format '%s' (supported: ndjson)\n",
                 options.format.c_str());
    return kExitUsage;
  }
  summarise::SummariserOptions summariser_options;
  summariser_options.window_ms = options.window_ns / 1'000'000;
  summariser_options.max_devices_per_window = options.max_devices;
  summariser_options.max_probed_ssids = options.max_probed_ssids;
  auto summariser = summarise::WindowSummariser::Create(summariser_options);
  if (!summariser.ok()) {
    std::fprintf(stderr, "airfleet-agent: %s\n",
                 std::string(summariser.status().message()).c_str());
    return kExitUsage;
  }
  auto privacy_options = PrivacyFromFlags(options.privacy);
  if (!privacy_options.ok()) {
    std::fprintf(stderr, "airfleet-agent: %s\n",
                 std::string(privacy_options.status().message()).c_str());
    return kExitUsage;
  }
  auto privacy = privacy::EdgePrivacy::Create(std::move(*privacy_options));
  if (!privacy.ok()) {
    std::fprintf(stderr, "airfleet-agent: %s\n", std::string(privacy.status().message()).c_str());
    return kExitUsage;
  }
  auto source = OpenCaptureForReplay(options.pcap, /*speed=*/0);
  if (!source.ok()) {
    std::fprintf(stderr, "airfleet-agent: %s\n", std::string(source.status().message()).c_str());
    return kExitInput;
  }
  dissect::DissectOptions dissect_options;
  dissect_options.fcs = options.fcs;
  dissect_options.verify_fcs = options.verify_fcs;
  std::string out;
  ReplayResult result =
      DissectAll(**source, dissect_options, [&](uint64_t, const dissect::Frame& f) {
        (*summariser)->Add(f);
        PrintSealed((*summariser)->TakeSealed(), **privacy, options.probes, &out);
        return true;
      });
  // A file cut short still yields every window it holds.
  (*summariser)->Flush();
  PrintSealed((*summariser)->TakeSealed(), **privacy, options.probes, &out);
  std::fflush(stdout);

  const auto& c = (*summariser)->counters();
  std::fprintf(stderr,
               "airfleet-agent: %llu frames, %llu attributed, %llu bad FCS, %llu unattributed, "
               "%llu late, %llu over the device cap; %llu device windows\n",
               static_cast<unsigned long long>(c.frames_in),
               static_cast<unsigned long long>(c.frames_attributed),
               static_cast<unsigned long long>(c.bad_fcs),
               static_cast<unsigned long long>(c.unattributed),
               static_cast<unsigned long long>(c.late_frames),
               static_cast<unsigned long long>(c.devices_overflow),
               static_cast<unsigned long long>(c.device_windows));
  if (result.exit_code != kExitOk) {
    std::fprintf(stderr, "airfleet-agent: %s\n", result.message.c_str());
  }
  return result.exit_code;
}

}  // namespace airfleet::cli
