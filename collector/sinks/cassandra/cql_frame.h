#pragma once

// CQL native protocol v4 framing: pure encode/decode, no I/O, so it can be unit-tested against
// hand-written bytes from the spec (apache/cassandra doc/native_protocol_v4.spec) and fuzzed.
//
// Why v4: it is the newest version every supported server (Cassandra 3.x-5.0, Scylla) speaks, and
// its frames are plain length-prefixed envelopes. v5 wraps envelopes in CRC'd segments; it adds
// nothing we need for idempotent writes (keyspace-per-query and now_in_seconds are unused here).
//
// The decoder treats every byte as hostile: every read is bounds-checked, collection and type
// nesting is capped, and a malformed body becomes an absl::Status naming what was wrong and where,
// never a crash or an over-read. Compressed frames are rejected (we never negotiate compression).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace airfleet::collector::sinks::cql {

inline constexpr uint8_t kRequestVersion = 0x04;
inline constexpr uint8_t kResponseVersion = 0x84;
inline constexpr size_t kHeaderSize = 9;
// The spec's hard limit on a frame body; anything larger is a corrupt stream.
inline constexpr uint32_t kMaxBodySize = 256u * 1024 * 1024;

enum class Opcode : uint8_t {
  kError = 0x00,
  kStartup = 0x01,
  kReady = 0x02,
  kAuthenticate = 0x03,
  kOptions = 0x05,
  kSupported = 0x06,
  kQuery = 0x07,
  kResult = 0x08,
  kPrepare = 0x09,
  kExecute = 0x0A,
  kRegister = 0x0B,
  kEvent = 0x0C,
  kBatch = 0x0D,
  kAuthChallenge = 0x0E,
  kAuthResponse = 0x0F,
  kAuthSuccess = 0x10,
};

enum FrameFlag : uint8_t {
  kFlagCompression = 0x01,
  kFlagTracing = 0x02,
  kFlagCustomPayload = 0x04,
  kFlagWarning = 0x08,
};

enum class Consistency : uint16_t {
  kAny = 0x0000,
  kOne = 0x0001,
  kTwo = 0x0002,
  kThree = 0x0003,
  kQuorum = 0x0004,
  kAll = 0x0005,
  kLocalQuorum = 0x0006,
  kEachQuorum = 0x0007,
  kSerial = 0x0008,
  kLocalSerial = 0x0009,
  kLocalOne = 0x000A,
};

// "LOCAL_QUORUM" etc. (case-insensitive) -> level; the error names the accepted spellings.
absl::StatusOr<Consistency> ParseConsistency(std::string_view name);
std::string_view ConsistencyName(Consistency c);

struct FrameHeader {
  uint8_t version = kResponseVersion;
  uint8_t flags = 0;
  int16_t stream = 0;
  Opcode opcode = Opcode::kError;
  uint32_t length = 0;
};

// Decodes the 9-byte header of a server frame. Rejects a version other than 0x84 (a v3/v5 server
// answering in its own version), compression and bodies above kMaxBodySize.
absl::StatusOr<FrameHeader> DecodeResponseHeader(std::string_view bytes);

// ---- Values ----------------------------------------------------------------------------------

// A bound value in its serialized form; nullopt is CQL null.
using Value = std::optional<std::string>;

Value TextValue(std::string_view s);
Value BlobValue(std::string_view b);
Value BigIntValue(int64_t v);
Value IntValue(int32_t v);
Value BooleanValue(bool v);
Value DoubleValue(double v);
Value TimestampValue(int64_t ms_since_epoch);
// list<text> and set<text> share one encoding; for a set the caller passes distinct sorted items.
Value TextListValue(const std::vector<std::string>& items);
Value BlobListValue(const std::vector<std::string>& items);
Value IntListValue(const std::vector<int32_t>& items);
Value BigIntListValue(const std::vector<int64_t>& items);
Value TextIntMapValue(const std::vector<std::pair<std::string, int32_t>>& entries);

// Decoders for reading results back (tests, schema checks).
absl::StatusOr<int64_t> DecodeBigInt(const Value& v);
absl::StatusOr<int32_t> DecodeInt(const Value& v);

// ---- Requests --------------------------------------------------------------------------------

struct QueryParameters {
  Consistency consistency = Consistency::kLocalQuorum;
  std::vector<Value> values;
  bool skip_metadata = false;
  std::optional<int32_t> page_size;
  std::optional<std::string> paging_state;
  std::optional<Consistency> serial_consistency;
  // Client-side write timestamp (µs since epoch): the same statement sent twice with the same
  // timestamp resolves to one cell version, which is what makes our retries safe.
  std::optional<int64_t> timestamp_us;
};

enum class BatchType : uint8_t { kLogged = 0, kUnlogged = 1, kCounter = 2 };

struct BatchStatement {
  // Exactly one of the two: a prepared id (kind 1) or query text (kind 0).
  std::optional<std::string> prepared_id;
  std::string query;
  std::vector<Value> values;
};

struct BatchRequest {
  BatchType type = BatchType::kUnlogged;
  std::vector<BatchStatement> statements;
  Consistency consistency = Consistency::kLocalQuorum;
  std::optional<Consistency> serial_consistency;
  std::optional<int64_t> timestamp_us;
};

// A request body ready to be framed with a stream id by the connection.
struct Request {
  Opcode opcode = Opcode::kOptions;
  std::string body;
};

Request StartupRequest(const std::map<std::string, std::string>& options);
Request AuthResponseRequest(std::string_view token);
// SASL PLAIN token for PasswordAuthenticator: "\0user\0password".
std::string PlainAuthToken(std::string_view user, std::string_view password);
Request OptionsRequest();
Request QueryRequest(std::string_view query, const QueryParameters& params);
Request PrepareRequest(std::string_view query);
Request ExecuteRequest(std::string_view prepared_id, const QueryParameters& params);
absl::StatusOr<Request> BatchRequestBody(const BatchRequest& batch);
Request RegisterRequest(const std::vector<std::string>& event_types);

// Header + body for `stream`.
std::string EncodeFrame(int16_t stream, const Request& request, uint8_t flags = 0);

// ---- Responses -------------------------------------------------------------------------------

// Error codes (spec section 9).
enum ErrorCode : int32_t {
  kServerError = 0x0000,
  kProtocolError = 0x000A,
  kBadCredentials = 0x0100,
  kUnavailable = 0x1000,
  kOverloaded = 0x1001,
  kIsBootstrapping = 0x1002,
  kTruncateError = 0x1003,
  kWriteTimeout = 0x1100,
  kReadTimeout = 0x1200,
  kReadFailure = 0x1300,
  kFunctionFailure = 0x1400,
  kWriteFailure = 0x1500,
  kSyntaxError = 0x2000,
  kUnauthorized = 0x2100,
  kInvalid = 0x2200,
  kConfigError = 0x2300,
  kAlreadyExists = 0x2400,
  kUnprepared = 0x2500,
};

std::string_view ErrorCodeName(int32_t code);

struct ErrorBody {
  int32_t code = 0;
  std::string message;
  // Error-specific fields; which are set depends on `code`.
  std::optional<Consistency> consistency;
  int32_t required_or_received = 0;  // Unavailable: required; timeouts/failures: received
  int32_t alive_or_block_for = 0;    // Unavailable: alive; timeouts/failures: block_for
  int32_t num_failures = 0;          // Read_failure / Write_failure
  bool data_present = false;         // Read_timeout / Read_failure
  std::string write_type;            // Write_timeout / Write_failure: SIMPLE, BATCH_LOG, ...
  std::string keyspace;              // Function_failure, Already_exists
  std::string table_or_function;     // Already_exists: table ("" for a keyspace); Function_failure
  std::vector<std::string> arg_types;
  std::string unprepared_id;  // Unprepared

  // "Write_timeout (0x1100): <message> [LOCAL_QUORUM received 0 of 2, write type SIMPLE]".
  std::string Describe() const;
};

struct Ready {};
struct Authenticate {
  std::string authenticator;
};
struct Supported {
  std::map<std::string, std::vector<std::string>> options;
};
struct AuthChallenge {
  Value token;
};
struct AuthSuccess {
  Value token;
};

struct ColumnType {
  uint16_t id = 0;                     // option id (0x0D varchar, 0x20 list, ...)
  std::string custom_class;            // id 0x0000
  std::vector<ColumnType> children;    // list/set: 1, map: 2, tuple: n, udt: fields
  std::string udt_keyspace, udt_name;  // UDT
  std::vector<std::string> udt_field_names;
};

struct ColumnSpec {
  std::string keyspace;
  std::string table;
  std::string name;
  ColumnType type;
};

struct RowsMetadata {
  int32_t flags = 0;
  int32_t column_count = 0;
  std::optional<std::string> paging_state;
  std::vector<ColumnSpec> columns;  // empty when the No_metadata flag is set
};

struct VoidResult {};
struct RowsResult {
  RowsMetadata metadata;
  std::vector<std::vector<Value>> rows;
};
struct SetKeyspaceResult {
  std::string keyspace;
};
struct SchemaChange {
  std::string change_type;  // CREATED, UPDATED, DROPPED
  std::string target;       // KEYSPACE, TABLE, TYPE, FUNCTION, AGGREGATE
  std::string keyspace;
  std::string name;  // table/type/function name; empty for KEYSPACE
  std::vector<std::string> arg_types;
};
struct PreparedResult {
  std::string id;
  std::vector<uint16_t> pk_indices;
  RowsMetadata bind_metadata;
  RowsMetadata result_metadata;
};

using Result =
    std::variant<VoidResult, RowsResult, SetKeyspaceResult, PreparedResult, SchemaChange>;

struct Event {
  std::string type;     // TOPOLOGY_CHANGE, STATUS_CHANGE, SCHEMA_CHANGE
  std::string change;   // NEW_NODE/REMOVED_NODE/UP/DOWN (topology/status)
  std::string address;  // "ip:port" (topology/status)
  SchemaChange schema;  // SCHEMA_CHANGE
};

using ResponseBody = std::variant<ErrorBody, Ready, Authenticate, Supported, Result, AuthChallenge,
                                  AuthSuccess, Event>;

struct Response {
  FrameHeader header;
  std::optional<std::string> tracing_id;  // 16 raw bytes
  std::vector<std::string> warnings;
  std::map<std::string, Value> custom_payload;
  ResponseBody body;
};

// Decodes a server frame's body given its already-decoded header. `body.size()` must equal
// header.length. Trailing bytes after a well-formed body are an error (a desynchronised stream).
absl::StatusOr<Response> DecodeResponse(const FrameHeader& header, std::string_view body);

// Convenience for tests and the fuzzer: header + body in one buffer (must be exactly one frame).
absl::StatusOr<Response> DecodeFrame(std::string_view frame);

// ---- Retry classification (test-servers.md section 4) -----------------------------------------

enum class RetryDecision {
  kRetry,          // safe to send again (same or another node, after a backoff)
  kRetryNextHost,  // this node cannot serve it (bootstrapping): another node may
  kReprepare,      // PREPARE the statement again on this node, then EXECUTE
  kNever,          // sending it again gives the same answer, or could apply it twice
};

// Whether an ERROR may be retried. `idempotent` means the statement has fixed values and a client
// timestamp (no counters, list appends or LWT), so applying it twice equals applying it once.
RetryDecision ClassifyError(const ErrorBody& error, bool idempotent);

// The same decision for a failure with no server answer (timeout, dropped connection): the
// statement may or may not have been applied.
RetryDecision ClassifyTransportFailure(bool idempotent);

}  // namespace airfleet::collector::sinks::cql
