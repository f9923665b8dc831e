#include "collector/sinks/cassandra/cql_session.h"

#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace airfleet::collector::sinks::cql {
namespace {

absl::Status StatusFromError(const ErrorBody& e, RetryDecision d) {
  std::string text = e.Describe();
  switch (d) {
    case RetryDecision::kRetry:
    case RetryDecision::kRetryNextHost:
    case RetryDecision::kReprepare:
      return absl::UnavailableError(text);
    case RetryDecision::kNever:
      break;
  }
  if (e.code == kBadCredentials) return absl::UnauthenticatedError(text);
  if (e.code == kUnauthorized) return absl::PermissionDeniedError(text);
  if (e.code == kAlreadyExists) return absl::AlreadyExistsError(text);
  return absl::FailedPreconditionError(text);
}

}  // namespace

absl::Status ParseContactPoint(std::string_view text, std::string* host, uint16_t* port) {
  *port = 9042;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrFormat("bad Cassandra contact point \"%s\"", text));
    }
    *host = std::string(text.substr(1, close - 1));
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') {
        return absl::InvalidArgumentError(
            absl::StrFormat("bad Cassandra contact point \"%s\"", text));
      }
      port_text = text.substr(close + 2);
    }
  } else if (size_t colon = text.rfind(':');
             colon != std::string_view::npos && text.find(':') == colon) {
    *host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  } else {
    *host = std::string(text);
  }
  if (host->empty()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("Cassandra contact point \"%s\" has no host", text));
  }
  if (!port_text.empty()) {
    uint32_t p = 0;
    if (!absl::SimpleAtoi(absl::string_view(port_text.data(), port_text.size()), &p) || p == 0 ||
        p > 65535) {
      return absl::InvalidArgumentError(
          absl::StrFormat("Cassandra contact point \"%s\": bad port", text));
    }
    *port = static_cast<uint16_t>(p);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Session>> Session::Connect(const SessionOptions& options) {
  if (options.contact_points.empty()) {
    return absl::InvalidArgumentError("no Cassandra contact points configured");
  }
  for (const auto& cp : options.contact_points) {
    std::string host;
    uint16_t port;
    if (auto s = ParseContactPoint(cp, &host, &port); !s.ok()) return s;
  }
  std::unique_ptr<Session> session(new Session(options));
  if (auto s = session->EnsureConnected(); !s.ok()) return s;
  return session;
}

absl::Status Session::EnsureConnected() {
  if (connection_ && !connection_->broken()) return absl::OkStatus();
  connection_.reset();
  std::vector<std::string> failures;
  absl::Status first_config_error;
  const size_t n = options_.contact_points.size();
  for (size_t i = 0; i < n; ++i) {
    size_t index = (next_contact_ + i) % n;
    ConnectionOptions co = options_.connection;
    if (auto s = ParseContactPoint(options_.contact_points[index], &co.host, &co.port); !s.ok()) {
      return s;
    }
    auto conn = Connection::Open(co);
    if (conn.ok()) {
      connection_ = std::move(*conn);
      next_contact_ = index;  // stay on this node until it fails
      return absl::OkStatus();
    }
    failures.push_back(std::string(conn.status().message()));
    // Wrong password / CA is a configuration problem; report it as such rather than as "down".
    if (!absl::IsUnavailable(conn.status()) && !absl::IsDeadlineExceeded(conn.status()) &&
        first_config_error.ok()) {
      first_config_error = conn.status();
    }
  }
  next_contact_ = (next_contact_ + 1) % n;
  if (!first_config_error.ok()) return first_config_error;
  return absl::UnavailableError(
      absl::StrCat("no Cassandra contact point reachable: ", absl::StrJoin(failures, "; ")));
}

std::string Session::current_node() const {
  return connection_ && !connection_->broken() ? connection_->address() : "";
}

absl::Status Session::EnsurePrepared(const std::vector<std::string>& queries, bool force) {
  std::vector<std::string> missing;
  std::set<std::string> seen;
  for (const auto& q : queries) {
    if ((force || !prepared_.count(q)) && seen.insert(q).second) missing.push_back(q);
  }
  if (missing.empty()) return absl::OkStatus();
  if (auto s = EnsureConnected(); !s.ok()) return s;
  std::vector<Request> requests;
  for (const auto& q : missing) requests.push_back(PrepareRequest(q));
  auto responses = connection_->Send(requests);
  for (size_t i = 0; i < missing.size(); ++i) {
    if (!responses[i].ok()) return responses[i].status();
    if (auto* e = std::get_if<ErrorBody>(&responses[i]->body)) {
      return StatusFromError(*e, ClassifyError(*e, true));
    }
    auto* result = std::get_if<Result>(&responses[i]->body);
    auto* prepared = result ? std::get_if<PreparedResult>(result) : nullptr;
    if (!prepared) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "Cassandra node %s answered PREPARE without a Prepared result", connection_->address()));
    }
    prepared_[missing[i]] = std::move(*prepared);
  }
  return absl::OkStatus();
}

absl::StatusOr<PreparedResult> Session::Prepare(std::string_view cql) {
  std::string q(cql);
  if (auto s = EnsurePrepared({q}, false); !s.ok()) return s;
  return prepared_.at(q);
}

absl::StatusOr<Request> Session::BuildRequest(const WriteGroup& group) const {
  if (group.statements.empty()) return absl::InvalidArgumentError("empty Cassandra write");
  if (group.statements.size() == 1) {
    QueryParameters p;
    p.consistency = options_.consistency;
    p.values = group.statements[0].values;
    p.skip_metadata = true;
    if (group.timestamp_us != 0) p.timestamp_us = group.timestamp_us;
    return ExecuteRequest(prepared_.at(group.statements[0].query).id, p);
  }
  BatchRequest b;
  b.type = BatchType::kUnlogged;
  b.consistency = options_.consistency;
  if (group.timestamp_us != 0) b.timestamp_us = group.timestamp_us;
  for (const auto& s : group.statements) {
    b.statements.push_back({prepared_.at(s.query).id, "", s.values});
  }
  return BatchRequestBody(b);
}

std::vector<WriteOutcome> Session::Write(const std::vector<WriteGroup>& groups) {
  std::vector<WriteOutcome> outcomes(groups.size());
  std::vector<size_t> pending;
  std::vector<std::string> queries;
  for (size_t i = 0; i < groups.size(); ++i) {
    pending.push_back(i);
    for (const auto& s : groups[i].statements) queries.push_back(s.query);
  }
  bool force_prepare = false;
  int extra_rounds = 0;
  for (int attempt = 0; attempt < std::max(1, options_.max_attempts) && !pending.empty();
       ++attempt) {
    auto fail_pending = [&](const absl::Status& s) {
      for (size_t i : pending) {
        outcomes[i] = {s, absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s)};
      }
    };
    if (auto s = EnsureConnected(); !s.ok()) {
      fail_pending(s);
      // Connect() already tried every contact point; another round now would find them the same.
      break;
    }
    if (auto s = EnsurePrepared(queries, force_prepare); !s.ok()) {
      fail_pending(s);
      continue;
    }
    force_prepare = false;
    std::vector<Request> requests;
    std::vector<size_t> sent;
    for (size_t i : pending) {
      auto req = BuildRequest(groups[i]);
      if (!req.ok()) {
        outcomes[i] = {req.status(), false};
        continue;
      }
      requests.push_back(std::move(*req));
      sent.push_back(i);
    }
    auto responses = connection_->Send(requests);
    std::vector<size_t> again;
    bool next_host = false;
    for (size_t k = 0; k < sent.size(); ++k) {
      size_t i = sent[k];
      if (!responses[k].ok()) {
        // No answer: the write may or may not be applied; ours are idempotent, so send again.
        outcomes[i] = {responses[k].status(), true};
        again.push_back(i);
        continue;
      }
      if (auto* e = std::get_if<ErrorBody>(&responses[k]->body)) {
        RetryDecision d = ClassifyError(*e, /*idempotent=*/true);
        outcomes[i] = {StatusFromError(*e, d), d != RetryDecision::kNever, e->code};
        if (d == RetryDecision::kReprepare) {
          force_prepare = true;
          ++reprepares_;
        }
        if (d == RetryDecision::kRetryNextHost) next_host = true;
        if (d != RetryDecision::kNever) again.push_back(i);
        continue;
      }
      outcomes[i] = {absl::OkStatus(), false};
    }
    if (next_host && connection_) {
      connection_.reset();
      next_contact_ = (next_contact_ + 1) % options_.contact_points.size();
    }
    // An UNPREPARED answer gets one extra round even on the last attempt: nothing was applied.
    if (force_prepare && attempt + 1 >= std::max(1, options_.max_attempts) && extra_rounds < 2) {
      ++extra_rounds;
      --attempt;
    }
    pending = std::move(again);
  }
  return outcomes;
}

absl::StatusOr<Response> Session::Query(std::string_view cql, std::vector<Value> values) {
  for (int attempt = 0;; ++attempt) {
    if (auto s = EnsureConnected(); !s.ok()) return s;
    QueryParameters p;
    p.consistency = options_.consistency;
    p.values = std::move(values);
    auto r = connection_->Send(QueryRequest(cql, p));
    if (!r.ok()) {
      if (attempt + 1 < options_.max_attempts) continue;
      return r.status();
    }
    if (auto* e = std::get_if<ErrorBody>(&r->body)) {
      // Schema statements are not idempotent in general (CREATE without IF NOT EXISTS): no retry.
      return StatusFromError(*e, ClassifyError(*e, false));
    }
    return r;
  }
}

absl::StatusOr<Response> Session::Execute(std::string_view cql, std::vector<Value> values) {
  std::string q(cql);
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (auto s = EnsurePrepared({q}, attempt > 0); !s.ok()) return s;
    QueryParameters p;
    p.consistency = options_.consistency;
    p.values = values;
    auto r = connection_->Send(ExecuteRequest(prepared_.at(q).id, p));
    if (!r.ok()) return r.status();
    if (auto* e = std::get_if<ErrorBody>(&r->body)) {
      if (e->code == kUnprepared) {
        ++reprepares_;
        continue;
      }
      return StatusFromError(*e, ClassifyError(*e, false));
    }
    return r;
  }
  return absl::UnavailableError("Cassandra kept answering UNPREPARED after re-preparing");
}

}  // namespace airfleet::collector::sinks::cql
