#pragma once

// `airfleetctl known add|remove|import|list`: the collector's known-device registry.
// Same conventions as admin_commands.h (output to ctx.out, "airfleetctl: ..." to ctx.err, exit
// codes from exit_codes.h).

#include <string>
#include <vector>

#include "tools/ctl/admin_commands.h"

namespace airfleet::ctl {

struct KnownAddArgs {
  std::string mac;
  std::string name;
  std::string owner;
  bool guest = false;
  std::vector<std::string> tags;
};

// Adds or replaces one device.
int RunKnownAdd(const CommandContext& ctx, const KnownAddArgs& args);
// Exit 4 if the MAC is not registered.
int RunKnownRemove(const CommandContext& ctx, const std::string& mac);
// Reads FILE.csv (known_csv.h); nothing is sent unless every line is good, and the collector
// applies the whole file atomically.
int RunKnownImport(const CommandContext& ctx, const std::string& path);
int RunKnownList(const CommandContext& ctx);

}  // namespace airfleet::ctl
