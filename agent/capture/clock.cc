#include "agent/capture/clock.h"

#include <time.h>

#include "absl/time/time.h"

namespace airfleet::capture {

int64_t SystemClock::NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

bool SystemClock::SleepUntil(int64_t deadline_ns, absl::Notification* cancel) {
  while (true) {
    int64_t left = deadline_ns - NowNs();
    if (left <= 0) return true;
    if (cancel != nullptr) {
      if (cancel->WaitForNotificationWithTimeout(absl::Nanoseconds(left))) return false;
    } else {
      absl::SleepFor(absl::Nanoseconds(left));
    }
  }
}

int64_t FakeClock::NowNs() {
  absl::MutexLock lock(&mu_);
  return now_ns_;
}

bool FakeClock::SleepUntil(int64_t deadline_ns, absl::Notification* cancel) {
  absl::MutexLock lock(&mu_);
  last_deadline_ns_ = deadline_ns;
  ++sleepers_;
  struct Reached {
    static bool Check(Reached* r) { return *r->now >= r->deadline; }
    const int64_t* now;
    int64_t deadline;
  } arg{&now_ns_, deadline_ns};
  bool reached = false;
  while (true) {
    if (now_ns_ >= deadline_ns) {
      reached = true;
      break;
    }
    if (cancel != nullptr && cancel->HasBeenNotified()) break;
    // Advance() wakes us through the mutex; a cancel does not touch our mutex, so look again
    // every few milliseconds for it.
    mu_.AwaitWithTimeout(absl::Condition(&Reached::Check, &arg), absl::Milliseconds(5));
  }
  --sleepers_;
  return reached;
}

void FakeClock::Advance(int64_t delta_ns) {
  absl::MutexLock lock(&mu_);
  now_ns_ += delta_ns;
}

int FakeClock::sleepers() {
  absl::MutexLock lock(&mu_);
  return sleepers_;
}

bool FakeClock::AwaitSleepers(int n, absl::Duration timeout) {
  struct Arg {
    static bool Check(Arg* a) { return *a->sleepers == a->n; }
    const int* sleepers;
    int n;
  } arg{&sleepers_, n};
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(&Arg::Check, &arg), timeout);
}

int64_t FakeClock::last_deadline_ns() {
  absl::MutexLock lock(&mu_);
  return last_deadline_ns_;
}

}  // namespace airfleet::capture
