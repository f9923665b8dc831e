#pragma once

// The agent's side of remote control (proto/airfleet/v1/control.proto): takes the configuration
// the collector pushes, checks it, persists it in the spool's metadata and applies it; answers
// relayed commands (capture rings).
//
// A pushed AgentConfig is the whole remote layer: its unset fields return to the agent's own
// settings (flags, then file). Persisting happens before applying and before answering
// "applied", so an agent that restarts (or crashes) comes back with the same settings and says
// so in its Hello; the collector only pushes again when the versions differ. A config whose
// version the agent already runs is answered "applied" again without re-applying (the collector
// re-sends after a lost answer).
//
// Threading: Handle() on the uplink's supervisor thread; applied() from any thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "agent/spool/spool.h"
#include "airfleet/v1/control.pb.h"
#include "airfleet/v1/ingest.pb.h"

namespace airfleet::control {

struct ControlHooks {
  // InvalidArgument (or any error) when this agent cannot run `config`; the message goes to the
  // operator as the refusal. Unset: everything is accepted.
  std::function<absl::Status(const v1::AgentConfig& config)> check;
  // Applies an accepted config (already persisted). Returns a note for the operator ("" = none),
  // e.g. what only takes effect on live capture.
  std::function<std::string(const v1::AgentConfig& config)> apply;
  // Capture-ring commands; unset: UNIMPLEMENTED.
  std::function<v1::ControlReply(const v1::ControlRequest& request)> command;
};

class AgentControl {
 public:
  // Reads the persisted config (none: version 0). DataLoss if it is unreadable.
  static absl::StatusOr<std::unique_ptr<AgentControl>> Open(spool::Spool* spool);

  // Set once, before the uplink starts.
  void SetHooks(ControlHooks hooks) { hooks_ = std::move(hooks); }

  v1::AgentConfig applied() const;
  uint64_t applied_version() const;

  // The answer to a CollectorMessage carrying a config or a control request.
  v1::AgentMessage Handle(const v1::CollectorMessage& message);

 private:
  AgentControl(spool::Spool* spool, v1::AgentConfig applied)
      : spool_(spool), applied_(std::move(applied)) {}
  v1::ConfigResult TakeConfig(const v1::AgentConfig& config);

  spool::Spool* const spool_;
  ControlHooks hooks_;
  mutable std::mutex mu_;
  v1::AgentConfig applied_;  // guarded by mu_
};

}  // namespace airfleet::control
