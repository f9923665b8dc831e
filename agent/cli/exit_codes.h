#pragma once

// Exit codes of airfleet-agent, documented in `airfleet-agent --help` and the README.
namespace airfleet::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 1;      // bad command line or configuration
inline constexpr int kExitInput = 2;      // missing/unreadable file, not a capture, not 802.11
inline constexpr int kExitTruncated = 3;  // capture cut short: everything before the cut was used
inline constexpr int kExitRuntime = 4;    // spool, uplink or capture device failure

}  // namespace airfleet::cli
