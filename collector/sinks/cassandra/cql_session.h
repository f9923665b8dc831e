#pragma once

// A CQL session over several contact points: keeps one pipelined connection to the first node that
// answers (trying the others in order when it fails), prepares statements once and caches their
// ids (re-preparing on UNPREPARED, which a node answers after a restart or a schema change), and
// runs idempotent writes as single EXECUTEs or unlogged batches with client-side timestamps.
//
// Retry rules (cql_frame.h ClassifyError, docs/sinks.md "Cassandra"): a write is retried inside
// the session, at most `max_attempts` times in all, only when the spec says it is safe: the node
// refused it before applying it (Unavailable, Is_bootstrapping -> another node) or it is idempotent
// and its outcome is unknown (timeouts, Overloaded, Server_error, a dropped connection). Every
// write the sink sends is idempotent: fixed values on a fixed primary key with a client timestamp
// chosen once, so a duplicate lands as the same cell version. What is still failing after that is
// returned, marked retryable or not, for the caller's backoff or dead-letter decision.
//
// Not thread-safe.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "collector/sinks/cassandra/cql_connection.h"
#include "collector/sinks/cassandra/cql_frame.h"

namespace airfleet::collector::sinks::cql {

struct SessionOptions {
  std::vector<std::string> contact_points;  // "host" or "host:port" ("[v6]:port"); port 9042
  ConnectionOptions connection;             // host/port are taken from each contact point
  Consistency consistency = Consistency::kLocalQuorum;
  int max_attempts = 2;
};

// "host[:port]" -> (host, port); "[::1]:9042" for IPv6.
absl::Status ParseContactPoint(std::string_view text, std::string* host, uint16_t* port);

struct Statement {
  std::string query;  // prepared once per session, by text
  std::vector<Value> values;
};

// One write: a single statement, or several in one partition sent as an UNLOGGED batch (atomic
// within a partition, and no batch-log round trip).
struct WriteGroup {
  std::vector<Statement> statements;
  int64_t timestamp_us = 0;  // client timestamp; the same on every attempt
};

struct WriteOutcome {
  absl::Status status;  // OK when applied
  bool retryable = false;
  int32_t error_code = -1;  // the node's ERROR code when it answered with one
};

class Session {
 public:
  // Connects to the first reachable contact point. Errors as Connection::Open; when every contact
  // point is down the message lists each one's failure.
  static absl::StatusOr<std::unique_ptr<Session>> Connect(const SessionOptions& options);

  // A simple (unprepared) statement: schema changes, reads in tests. A server ERROR becomes a
  // status whose message is ErrorBody::Describe(); FAILED_PRECONDITION for request errors,
  // UNAVAILABLE for retryable ones.
  absl::StatusOr<Response> Query(std::string_view cql, std::vector<Value> values = {});

  // Prepares `cql` (cached by text).
  absl::StatusOr<PreparedResult> Prepare(std::string_view cql);

  // Runs every group pipelined on one connection; one outcome per group, in order.
  std::vector<WriteOutcome> Write(const std::vector<WriteGroup>& groups);

  // Reads with a prepared statement (tests, benchmarks).
  absl::StatusOr<Response> Execute(std::string_view cql, std::vector<Value> values);

  // "host:port" of the node currently used, or "" when disconnected.
  std::string current_node() const;
  Connection* connection() { return connection_.get(); }
  int reprepares() const { return reprepares_; }

 private:
  explicit Session(SessionOptions options) : options_(std::move(options)) {}
  absl::Status EnsureConnected();
  absl::Status EnsurePrepared(const std::vector<std::string>& queries, bool force);
  absl::StatusOr<Request> BuildRequest(const WriteGroup& group) const;

  SessionOptions options_;
  std::unique_ptr<Connection> connection_;
  size_t next_contact_ = 0;  // where the next connection attempt starts
  std::map<std::string, PreparedResult> prepared_;
  int reprepares_ = 0;
};

}  // namespace airfleet::collector::sinks::cql
