#include "common/service_notify.h"

#include <systemd/sd-daemon.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace airfleet {

ServiceNotifier::ServiceNotifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  enabled_ = socket != nullptr && socket[0] != '\0';
  uint64_t usec = 0;
  // > 0 only when WATCHDOG_USEC is set and WATCHDOG_PID (if set) is this process.
  if (enabled_ && sd_watchdog_enabled(/*unset_environment=*/0, &usec) > 0) {
    watchdog_ = absl::Microseconds(static_cast<int64_t>(usec));
  }
}

void ServiceNotifier::Send(const std::string& state) {
  if (!enabled_) return;
  // Failures are not actionable here: systemd gone means the unit is being torn down anyway.
  (void)sd_notify(/*unset_environment=*/0, state.c_str());
}

void ServiceNotifier::Ready(const std::string& status) {
  Send(absl::StrCat("READY=1\nSTATUS=", status));
}

void ServiceNotifier::Status(const std::string& status) { Send(absl::StrCat("STATUS=", status)); }

void ServiceNotifier::Stopping() { Send("STOPPING=1"); }

void ServiceNotifier::PetWatchdog() {
  if (!enabled_ || watchdog_ == absl::ZeroDuration()) return;
  const int64_t now = absl::GetCurrentTimeNanos();
  int64_t last = last_pet_ns_.load(std::memory_order_relaxed);
  if (now - last < absl::ToInt64Nanoseconds(watchdog_) / 2) return;
  // One pinger per due period even when several threads call at once.
  if (!last_pet_ns_.compare_exchange_strong(last, now)) return;
  Send("WATCHDOG=1");
}

}  // namespace airfleet
