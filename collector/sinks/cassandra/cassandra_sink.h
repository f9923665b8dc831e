#pragma once

// The Cassandra sink (issue 5): writes the collector's records into the tables of
// deploy/cassandra/schema.cql over our own CQL v4 client (Debian ships no C++ driver).
//
// Design (details in docs/sinks.md "Cassandra"):
//  * Identity: each table's primary key is the record's RecordId fields, so a record written
//    twice (retry, restart, a second collector) is one row.
//  * Idempotence: every write is an INSERT of the whole record with a client-side timestamp
//    (USING TIMESTAMP via the protocol flag), so a retry re-applies the same cell versions. No
//    counters, list appends or lightweight transactions are used, which is what lets the session
//    retry timeouts safely. Later writes of a merged record carry a later timestamp and win.
//  * Batching: records of one partition (a device's day of windows or probes) go in one UNLOGGED
//    batch (atomic and isolated within the partition, no batch log); everything else is a single
//    EXECUTE; all of them pipelined on one connection.
//  * Verdicts: applied -> kOk. Unavailable, timeouts, Overloaded, no node reachable, and errors
//  that
//    are the operator's to fix (bad credentials, Unauthorized, missing table) -> kRetry: the record
//    is fine and will go once the cluster is. Invalid/Syntax for this record -> kDrop with the
//    server's message (a batch that fails so is split to find the offending record).
//  * TTLs come from the table defaults in schema.cql (90 days of windows and probes, a year of
//    events); latest state (devices, agents) does not expire.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collector/sinks/sink.h"

namespace airfleet::collector::sinks {

struct CassandraConfig {
  // "host", "host:port" or "[v6addr]:port"; the first reachable one is used, the others on failure.
  std::vector<std::string> contact_points = {"127.0.0.1:9042"};
  std::string keyspace = "airfleet";
  std::string username;  // empty: no authentication
  // The password, or better a file holding it (first line; keeps it out of config files and
  // process listings). password_file wins when both are set.
  std::string password;
  std::string password_file;
  std::string ca_file;  // PEM CA bundle: turns TLS on and verifies the node's name/IP
  std::string consistency = "LOCAL_QUORUM";
  // CQL replication map for CreateSchema, e.g. "{'class': 'NetworkTopologyStrategy', 'dc1': 3}".
  std::string replication = "{'class': 'SimpleStrategy', 'replication_factor': 1}";
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration request_timeout = absl::Seconds(12);
  int max_in_flight = 128;
  // Records of one partition per unlogged batch at most (Cassandra warns above 5 KiB batches).
  int max_batch_statements = 16;
};

// Checks the config (consistency name, contact points, keyspace name, password file) and builds
// the sink; it connects in Open().
absl::StatusOr<std::unique_ptr<Sink>> MakeCassandraSink(const CassandraConfig& config);

// Applies deploy/cassandra/schema.cql (embedded at build time) with the configured keyspace and
// replication. Idempotent (IF NOT EXISTS). For `airfleetctl sinks init`.
absl::Status CreateSchema(const CassandraConfig& config);

// The embedded schema text with placeholders filled, one statement per element.
absl::StatusOr<std::vector<std::string>> SchemaStatements(const CassandraConfig& config);

}  // namespace airfleet::collector::sinks
