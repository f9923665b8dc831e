#include <cstdio>
#include <string>

#include "agent/cli/commands.h"
#include "agent/cli/exit_codes.h"
#include "agent/cli/frame_json.h"
#include "agent/cli/open_capture.h"
#include "agent/cli/replay_loop.h"

namespace airfleet::cli {

int RunInspect(const InspectOptions& options) {
  if (options.format != "ndjson") {
    std::fprintf(stderr, "airfleet-agent inspect: unknown format '%s' (supported: ndjson)\n",
                 options.format.c_str());
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
  out.reserve(1 << 16);
  ReplayResult result =
      DissectAll(**source, dissect_options, [&](uint64_t index, const dissect::Frame& frame) {
        AppendFrameJson(frame, index, &out);
        out.push_back('\n');
        if (out.size() > (1 << 15)) {
          std::fwrite(out.data(), 1, out.size(), stdout);
          out.clear();
        }
        return true;
      });
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  if (result.exit_code != kExitOk) {
    std::fprintf(stderr, "airfleet-agent: %s\n", result.message.c_str());
  }
  return result.exit_code;
}

}  // namespace airfleet::cli
