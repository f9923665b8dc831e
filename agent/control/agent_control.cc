#include "agent/control/agent_control.h"

#include "absl/strings/str_cat.h"

namespace airfleet::control {
namespace {

constexpr char kConfigKey[] = "remote_config";

}  // namespace

absl::StatusOr<std::unique_ptr<AgentControl>> AgentControl::Open(spool::Spool* spool) {
  auto stored = spool->GetMetadata(kConfigKey);
  if (!stored.ok()) return stored.status();
  v1::AgentConfig applied;
  if (stored->has_value() && !applied.ParseFromString(**stored)) {
    return absl::DataLossError(
        "the remote configuration stored in the spool is unreadable; remove the spool's "
        "remote_config or let the collector push it again");
  }
  return std::unique_ptr<AgentControl>(new AgentControl(spool, std::move(applied)));
}

v1::AgentConfig AgentControl::applied() const {
  std::lock_guard<std::mutex> lock(mu_);
  return applied_;
}

uint64_t AgentControl::applied_version() const {
  std::lock_guard<std::mutex> lock(mu_);
  return applied_.version();
}

v1::ConfigResult AgentControl::TakeConfig(const v1::AgentConfig& config) {
  v1::ConfigResult result;
  result.set_version(config.version());
  if (config.version() == applied_version()) {
    result.set_applied(true);
    result.set_message("applied (already running this version)");
    return result;
  }
  if (hooks_.check) {
    if (absl::Status s = hooks_.check(config); !s.ok()) {
      result.set_message(std::string(s.message()));
      return result;
    }
  }
  if (absl::Status s = spool_->PutMetadata(kConfigKey, config.SerializeAsString()); !s.ok()) {
    result.set_message(absl::StrCat("cannot persist the configuration: ", s.message()));
    return result;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    applied_ = config;
  }
  result.set_applied(true);
  if (hooks_.apply) result.set_message(hooks_.apply(config));
  return result;
}

v1::AgentMessage AgentControl::Handle(const v1::CollectorMessage& message) {
  v1::AgentMessage reply;
  if (message.has_config()) {
    *reply.mutable_config_result() = TakeConfig(message.config());
    return reply;
  }
  const v1::ControlRequest& request = message.control();
  v1::ControlReply* out = reply.mutable_control_reply();
  if (hooks_.command) {
    *out = hooks_.command(request);
  } else {
    out->set_code(static_cast<int>(absl::StatusCode::kUnimplemented));
    out->set_message("this agent runs no capture rings");
  }
  out->set_request_id(request.request_id());
  return reply;
}

}  // namespace airfleet::control
