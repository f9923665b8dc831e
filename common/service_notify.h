#pragma once

// Tells systemd how a service is doing (sd_notify(3)): READY=1 once it serves, STATUS= lines for
// `systemctl status`, WATCHDOG=1 pings while it is healthy, STOPPING=1 on the way out. The units
// in deploy/systemd are Type=notify with WatchdogSec=, so a process that hangs (a wedged capture
// loop, a deadlock) is restarted by systemd instead of sitting there looking alive.
//
// Outside systemd (no NOTIFY_SOCKET) every call is a cheap no-op. Which thread pets the watchdog
// is the caller's decision and the point of it: pet from the loop whose progress means "healthy".
//
// Thread-safe.

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace airfleet {

class ServiceNotifier {
 public:
  // Reads NOTIFY_SOCKET and WATCHDOG_USEC (WATCHDOG_PID must be ours when set).
  ServiceNotifier();

  bool enabled() const { return enabled_; }
  // Zero when systemd asked for no watchdog.
  absl::Duration watchdog_interval() const { return watchdog_; }

  void Ready(const std::string& status);
  void Status(const std::string& status);
  void Stopping();
  // Sends WATCHDOG=1 when half the watchdog interval has passed since the last ping (so callers
  // may call it from a hot loop); does nothing without a watchdog.
  void PetWatchdog();

 private:
  void Send(const std::string& state);

  bool enabled_ = false;
  absl::Duration watchdog_ = absl::ZeroDuration();
  std::atomic<int64_t> last_pet_ns_{0};
};

}  // namespace airfleet
