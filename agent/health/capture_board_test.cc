#include "agent/health/capture_board.h"

#include <atomic>
#include <thread>

#include "gtest/gtest.h"

namespace airfleet::health {
namespace {

TEST(CaptureBoard, EmptyUntilPublished) {
  CaptureBoard board;
  EXPECT_FALSE(board.has_published());
  EXPECT_EQ(board.Latest().received(), 0u);
}

TEST(CaptureBoard, LatestIsTheLastPublished) {
  CaptureBoard board;
  v1::CaptureStats s;
  s.set_received(10);
  board.Publish(s);
  s.set_received(25);
  (*s.mutable_anomalies())["truncated"] = 3;
  board.Publish(s);
  EXPECT_TRUE(board.has_published());
  EXPECT_EQ(board.Latest().received(), 25u);
  EXPECT_EQ(board.Latest().anomalies().at("truncated"), 3u);
}

// A reader on another thread sees whole snapshots, never a torn mix (received and frames_ok are
// published equal). Run under ThreadSanitizer/ASan this also checks the locking.
TEST(CaptureBoard, ReadersSeeWholeSnapshots) {
  CaptureBoard board;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    v1::CaptureStats s;
    for (uint64_t i = 1; i <= 20'000; ++i) {
      s.set_received(i);
      s.set_frames_ok(i);
      board.Publish(s);
    }
    done = true;
  });
  uint64_t last = 0;
  while (!done.load()) {
    const v1::CaptureStats s = board.Latest();
    ASSERT_EQ(s.received(), s.frames_ok());
    ASSERT_GE(s.received(), last);  // never goes back
    last = s.received();
  }
  writer.join();
  EXPECT_EQ(board.Latest().received(), 20'000u);
}

}  // namespace
}  // namespace airfleet::health
