#include "collector/control/control_hub.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "collector/control/config_merge.h"

namespace airfleet::collector {
namespace {

constexpr char kConfigPrefix[] = "agentcfg/";

}  // namespace

absl::StatusOr<std::unique_ptr<ControlHub>> ControlHub::Create(Store* store, NowNsFn now_ns) {
  std::unique_ptr<ControlHub> hub(new ControlHub(store, std::move(now_ns)));
  auto rows = store->ScanMeta(kConfigPrefix);
  if (!rows.ok()) return rows.status();
  for (const auto& [key, value] : *rows) {
    v1::AgentConfig config;
    if (!config.ParseFromString(value)) {
      return absl::DataLossError(
          absl::StrCat("stored agent configuration ", key, " is unreadable"));
    }
    hub->agents_[key.substr(sizeof(kConfigPrefix) - 1)].desired = std::move(config);
  }
  return hub;
}

ControlHub::ControlHub(Store* store, NowNsFn now_ns) : store_(store), now_ns_(std::move(now_ns)) {
  expire_thread_ = std::thread([this] { ExpireLoop(); });
}

ControlHub::~ControlHub() {
  std::map<uint64_t, Pending> failed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    failed.swap(pending_);
    cv_.notify_all();
  }
  expire_thread_.join();
  for (auto& [id, p] : failed) p.done(absl::UnavailableError("the collector is shutting down"));
}

uint64_t ControlHub::Attach(const std::string& agent_id, Sender sender) {
  std::lock_guard<std::mutex> lock(mu_);
  Agent& agent = agents_[agent_id];
  agent.stream_token = next_token_++;
  agent.sender = std::move(sender);
  return agent.stream_token;
}

void ControlHub::Detach(const std::string& agent_id, uint64_t token) {
  std::vector<ReplyCallback> failed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = agents_.find(agent_id);
    if (it == agents_.end() || it->second.stream_token != token) return;  // replaced already
    it->second.stream_token = 0;
    it->second.sender = nullptr;
    for (auto p = pending_.begin(); p != pending_.end();) {
      if (p->second.agent_id == agent_id) {
        failed.push_back(std::move(p->second.done));
        p = pending_.erase(p);
      } else {
        ++p;
      }
    }
  }
  for (auto& done : failed) {
    done(absl::UnavailableError(
        absl::StrCat("agent ", agent_id, " disconnected before answering; retry when it is back")));
  }
}

void ControlHub::OnHello(const std::string& agent_id, uint64_t applied_version) {
  std::lock_guard<std::mutex> lock(mu_);
  Agent& agent = agents_[agent_id];
  agent.applied_version = applied_version;
  if (agent.desired.version() != 0 && agent.desired.version() != applied_version && agent.sender) {
    v1::CollectorMessage message;
    *message.mutable_config() = agent.desired;
    agent.sender(std::move(message));
  }
}

void ControlHub::OnConfigResult(const std::string& agent_id, const v1::ConfigResult& result) {
  std::lock_guard<std::mutex> lock(mu_);
  Agent& agent = agents_[agent_id];
  if (result.applied()) agent.applied_version = result.version();
  agent.last_result =
      result.applied() ? (result.message().empty() ? "applied" : result.message())
                       : absl::StrCat("refused version ", result.version(), ": ", result.message());
}

void ControlHub::OnControlReply(const std::string& agent_id, const v1::ControlReply& reply) {
  ReplyCallback done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = pending_.find(reply.request_id());
    // An answer after the deadline, or from another agent than asked: nobody waits for it.
    if (it == pending_.end() || it->second.agent_id != agent_id) return;
    done = std::move(it->second.done);
    pending_.erase(it);
  }
  done(reply);
}

absl::StatusOr<std::vector<v1::AgentConfigState>> ControlHub::SetConfig(
    const v1::SetAgentConfigRequest& request, const std::vector<std::string>& known_agents) {
  if (IsEmptyAgentConfig(request.config()) && !request.replace()) {
    return absl::InvalidArgumentError(
        "nothing to set: give a window, a channel plan, a privacy mode or a BPF filter (or "
        "--reset to return the agent to its own settings)");
  }
  if (absl::Status s = CheckAgentConfig(request.config()); !s.ok()) return s;
  std::vector<std::pair<std::string, uint32_t>> targets;
  if (request.all_agents()) {
    targets = StaggerOffsets(known_agents);
    if (targets.empty()) return absl::FailedPreconditionError("the collector knows no agents yet");
  } else {
    if (request.agent_id().empty()) return absl::InvalidArgumentError("no agent named");
    if (std::find(known_agents.begin(), known_agents.end(), request.agent_id()) ==
        known_agents.end()) {
      return absl::NotFoundError(
          absl::StrCat("agent ", request.agent_id(), " has never connected to this collector"));
    }
    targets.emplace_back(request.agent_id(), request.config().channel_plan().stagger_offset());
  }

  std::lock_guard<std::mutex> lock(mu_);
  std::vector<MetaWrite> writes;
  std::vector<std::pair<std::string, v1::AgentConfig>> next;
  for (const auto& [agent_id, offset] : targets) {
    auto it = agents_.find(agent_id);
    v1::AgentConfig config =
        MergeAgentConfig(it == agents_.end() ? v1::AgentConfig() : it->second.desired,
                         request.config(), request.replace());
    if (config.has_channel_plan() && request.config().has_channel_plan()) {
      config.mutable_channel_plan()->set_stagger_offset(offset);
    }
    // Versions only grow, also across a reset, so an agent never mistakes a new push for the
    // one it has.
    config.set_version((it == agents_.end() ? 0 : it->second.desired.version()) + 1);
    config.set_set_ns(now_ns_());
    writes.push_back(MetaWrite{absl::StrCat(kConfigPrefix, agent_id), config.SerializeAsString()});
    next.emplace_back(agent_id, std::move(config));
  }
  // Persist first: a push the collector forgets on restart would be undone silently.
  if (absl::Status s = store_->WriteMeta(writes); !s.ok()) return s;
  std::vector<v1::AgentConfigState> states;
  for (auto& [agent_id, config] : next) {
    Agent& agent = agents_[agent_id];
    agent.desired = std::move(config);
    bool delivered = false;
    if (agent.sender) {
      v1::CollectorMessage message;
      *message.mutable_config() = agent.desired;
      agent.sender(std::move(message));
      delivered = true;
    }
    v1::AgentConfigState state = StateOf(agent_id, agent);
    state.set_delivered(delivered);
    states.push_back(std::move(state));
  }
  return states;
}

v1::AgentConfigState ControlHub::StateOf(const std::string& agent_id, const Agent& agent) const {
  v1::AgentConfigState state;
  state.set_agent_id(agent_id);
  *state.mutable_desired() = agent.desired;
  state.set_applied_version(agent.applied_version);
  state.set_last_result(agent.last_result);
  return state;
}

std::vector<v1::AgentConfigState> ControlHub::GetConfig(const std::string& agent_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<v1::AgentConfigState> out;
  for (const auto& [id, agent] : agents_) {
    if (!agent_id.empty() && id != agent_id) continue;
    if (agent_id.empty() && agent.desired.version() == 0) continue;
    out.push_back(StateOf(id, agent));
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.agent_id() < b.agent_id(); });
  return out;
}

void ControlHub::Annotate(v1::AgentInfo* info) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = agents_.find(info->agent_id());
  if (it == agents_.end()) return;
  info->set_config_desired_version(it->second.desired.version());
  info->set_config_applied_version(it->second.applied_version);
  info->set_config_message(it->second.last_result);
}

void ControlHub::Call(const std::string& agent_id, v1::ControlRequest request,
                      absl::Duration timeout, ReplyCallback done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = agents_.find(agent_id);
    if (it != agents_.end() && it->second.sender) {
      const uint64_t id = next_request_id_++;
      request.set_request_id(id);
      pending_.emplace(id, Pending{agent_id, absl::Now() + timeout, std::move(done)});
      v1::CollectorMessage message;
      *message.mutable_control() = std::move(request);
      it->second.sender(std::move(message));
      cv_.notify_all();  // a new, possibly earlier, deadline
      return;
    }
  }
  done(absl::UnavailableError(absl::StrCat("agent ", agent_id, " is not connected")));
}

void ControlHub::ExpireLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    absl::Time earliest = absl::InfiniteFuture();
    for (const auto& [id, p] : pending_) earliest = std::min(earliest, p.deadline);
    if (earliest == absl::InfiniteFuture()) {
      cv_.wait(lock);
    } else {
      cv_.wait_until(lock, absl::ToChronoTime(earliest));
    }
    std::vector<std::pair<std::string, ReplyCallback>> expired;
    const absl::Time now = absl::Now();
    for (auto p = pending_.begin(); p != pending_.end();) {
      if (p->second.deadline <= now) {
        expired.emplace_back(p->second.agent_id, std::move(p->second.done));
        p = pending_.erase(p);
      } else {
        ++p;
      }
    }
    if (expired.empty()) continue;
    lock.unlock();
    for (auto& [agent, done] : expired) {
      done(absl::DeadlineExceededError(
          absl::StrCat("agent ", agent,
                       " did not answer in time (it may be busy or on a slow "
                       "link); the command may still take effect")));
    }
    lock.lock();
  }
}

}  // namespace airfleet::collector
