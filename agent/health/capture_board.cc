#include "agent/health/capture_board.h"

namespace airfleet::health {

void CaptureBoard::Publish(const v1::CaptureStats& stats) {
  std::lock_guard<std::mutex> lock(mu_);
  latest_ = stats;
  published_ = true;
}

v1::CaptureStats CaptureBoard::Latest() const {
  std::lock_guard<std::mutex> lock(mu_);
  return latest_;
}

bool CaptureBoard::has_published() const {
  std::lock_guard<std::mutex> lock(mu_);
  return published_;
}

}  // namespace airfleet::health
