#pragma once

// The seam between the collector and an external store (Elasticsearch/OpenSearch, Cassandra).
//
// Contract (issue 5, docs/sinks.md):
//  * Sinks never sit on the ingest path. The collector records what changed in a durable outbox
//    in its own store; a delivery loop materialises the *current, merged* state of each changed
//    record from the embedded store and hands it to Sink::Write. Because a record is written as a
//    whole under a deterministic id (RecordId), writing it twice, after a retry, a restart, or from
//    a second collector, converges to one copy; a window merged from two partial batches is
//    written as the merged window, never as two documents.
//  * Write answers per record: kOk (durable in the engine, or already there), kRetry (transient:
//    engine down, overloaded, timeout; the caller retries with capped exponential backoff), or
//    kDrop (the engine will never accept this record as it is: mapping error, invalid value; the
//    caller moves it to the dead-letter store with `reason`). A transport failure for the whole
//    call is kRetry for every record.
//  * Sinks are not thread-safe unless they say so; the delivery loop calls one sink from one
//  thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "airfleet/v1/batch.pb.h"
#include "airfleet/v1/ingest.pb.h"
#include "airfleet/v1/summary.pb.h"

namespace airfleet::collector::sinks {

enum class Verdict { kOk, kRetry, kDrop };

struct ItemResult {
  Verdict verdict = Verdict::kOk;
  std::string reason;  // for kRetry and kDrop: what the engine said, readable by an operator
};

// An agent's fixed position from its configuration (issue 5: geo_point), when it has one.
struct GeoPoint {
  double lat = 0;
  double lon = 0;
};

// One device window as stored (merged across partial batches), with the reporting agent.
struct WindowRecord {
  std::string agent_id;
  v1::DeviceWindow window;
  std::optional<GeoPoint> agent_location;
};

// One probe observation as stored: (device, window, SSID, agent) is its identity.
struct ProbeRecord {
  std::string agent_id;
  v1::ProbeObservation probe;
  std::optional<GeoPoint> agent_location;
};

// The latest merged state of a device across agents, enriched (vendor, known, name).
struct DeviceRecord {
  v1::DeviceInfo device;
};

// An agent's identity and counters.
struct AgentRecord {
  v1::AgentInfo agent;
  std::optional<GeoPoint> location;
};

// Something that happened to an agent, kept as history (the "events" index/table): a loss it
// reported (kind "loss", with `loss` set). `time_ns` is when the collector learnt of it.
struct AgentEventRecord {
  std::string agent_id;
  int64_t time_ns = 0;
  std::string kind;
  v1::LossRecord loss;
};

using Record = std::variant<WindowRecord, ProbeRecord, DeviceRecord, AgentRecord, AgentEventRecord>;

// Deterministic identity of a record, the same in every collector and every run: used as the
// Elasticsearch `_id`. Cassandra uses the same fields as its primary key. Only [A-Za-z0-9_.:-].
std::string RecordId(const Record& record);

// "window", "probe", "device", "agent", "event".
std::string_view RecordKind(const Record& record);

class Sink {
 public:
  virtual ~Sink() = default;

  // A short name for counters, logs and `airfleetctl sinks` ("elasticsearch", "cassandra").
  virtual std::string_view name() const = 0;

  // Gets the engine ready before the first Write: connect, install index templates, check the
  // schema. UNAVAILABLE means try again later; any other error is a configuration problem
  // (wrong password, wrong CA, missing keyspace) and its message says which.
  virtual absl::Status Open() = 0;

  // Writes `records`; returns exactly one result per record, in order.
  virtual std::vector<ItemResult> Write(const std::vector<Record>& records) = 0;

  // Creates what the engine needs and the operator asked for (`airfleetctl sinks init`: a
  // Cassandra keyspace and tables, say); says what it did. Called on a sink of its own, never
  // concurrently with Write.
  virtual absl::StatusOr<std::string> Initialise() { return std::string("nothing to create"); }
};

}  // namespace airfleet::collector::sinks
