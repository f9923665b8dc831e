#pragma once

// Time as the capture module sees it: replay pacing and channel dwell go through a Clock so tests
// can drive time by hand (FakeClock) instead of sleeping.
//
// Threading: every method may be called from any thread.

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace airfleet::capture {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic nanoseconds; only differences are meaningful.
  virtual int64_t NowNs() = 0;
  // Blocks until NowNs() >= deadline_ns (returns true) or `cancel` (may be null) is notified
  // (returns false).
  virtual bool SleepUntil(int64_t deadline_ns, absl::Notification* cancel) = 0;
};

// CLOCK_MONOTONIC.
class SystemClock final : public Clock {
 public:
  int64_t NowNs() override;
  bool SleepUntil(int64_t deadline_ns, absl::Notification* cancel) override;
};

// Time moves only when Advance()/Set() is called. SleepUntil blocks the caller until another
// thread moves time past the deadline or cancels.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_ns = 0) : now_ns_(start_ns) {}

  int64_t NowNs() override;
  bool SleepUntil(int64_t deadline_ns, absl::Notification* cancel) override;

  void Advance(int64_t delta_ns);
  // Number of SleepUntil calls currently blocked (lets a test wait until a sleeper is parked).
  int sleepers();
  // Waits (real time, at most `timeout`) until exactly `n` callers are blocked in SleepUntil.
  bool AwaitSleepers(int n, absl::Duration timeout);
  // Deadline of the most recent SleepUntil call (0 if none).
  int64_t last_deadline_ns();

 private:
  absl::Mutex mu_;
  int64_t now_ns_ ABSL_GUARDED_BY(mu_);
  int sleepers_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t last_deadline_ns_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace airfleet::capture
