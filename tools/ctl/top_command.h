#pragma once

// `airfleetctl top`: a live view of the fleet that refreshes until interrupted (Ctrl-C), or for
// --iterations screens (scripts, tests). Renders with top_view.h; table format only.

#include <cstdint>
#include <string>

#include "tools/ctl/admin_commands.h"

namespace airfleet::ctl {

struct TopArgs {
  std::string interval = "2s";  // a duration
  uint32_t iterations = 0;      // 0 = until interrupted
  uint32_t devices = 10;        // strongest devices shown
  std::string since = "5m";     // devices seen within this duration
};

// `clear_screen`: start each screen with the ANSI home + clear sequence (when stdout is a
// terminal); otherwise screens follow one another, separated by a blank line.
int RunTop(const CommandContext& ctx, const TopArgs& args, bool clear_screen);

}  // namespace airfleet::ctl
