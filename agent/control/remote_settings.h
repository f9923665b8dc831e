#pragma once

// Pure: the settings an agent runs = its own (flags over file over defaults) with the pushed
// AgentConfig's set fields over them. Kept apart from applying so that restarts (persisted
// config over the command line) and live pushes compute the same thing.

#include <cstdint>
#include <string>
#include <vector>

#include "airfleet/v1/control.pb.h"

namespace airfleet::control {

struct LocalSettings {
  uint32_t window_ms = 60'000;
  std::vector<std::string> channels;
  int64_t dwell_ns = 250'000'000;
  std::string privacy_mode = "off";
};

struct EffectiveSettings {
  uint32_t window_ms = 60'000;
  std::vector<std::string> channels;
  int64_t dwell_ns = 250'000'000;
  // A pushed plan hops on wall-clock slots with this offset (ChannelPlan); a local one does not.
  bool clock_aligned = false;
  uint32_t stagger_offset = 0;
  std::string privacy_mode = "off";
  // A pushed filter, applied in the agent on top of the capture's own kernel filter ("" none).
  std::string pushed_bpf_filter;

  bool operator==(const EffectiveSettings&) const = default;
};

EffectiveSettings Overlay(const LocalSettings& local, const v1::AgentConfig& pushed);

}  // namespace airfleet::control
