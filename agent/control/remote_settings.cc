#include "agent/control/remote_settings.h"

namespace airfleet::control {

EffectiveSettings Overlay(const LocalSettings& local, const v1::AgentConfig& pushed) {
  EffectiveSettings e;
  e.window_ms = pushed.has_window_ms() ? pushed.window_ms() : local.window_ms;
  if (pushed.channel_plan().channels_size() > 0) {
    const v1::ChannelPlan& plan = pushed.channel_plan();
    e.channels.assign(plan.channels().begin(), plan.channels().end());
    e.dwell_ns = int64_t{plan.dwell_ms()} * 1'000'000;
    e.clock_aligned = true;
    e.stagger_offset = plan.stagger_offset();
  } else {
    e.channels = local.channels;
    e.dwell_ns = local.dwell_ns;
  }
  e.privacy_mode = pushed.has_privacy_mode() ? pushed.privacy_mode() : local.privacy_mode;
  e.pushed_bpf_filter = pushed.has_bpf_filter() ? pushed.bpf_filter() : "";
  return e;
}

}  // namespace airfleet::control
