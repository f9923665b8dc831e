#pragma once

// One CQL v4 connection to one node: TCP, optional TLS (OpenSSL, CA-file verification and a
// hostname/IP check), the STARTUP handshake with SASL PLAIN for PasswordAuthenticator, and
// pipelining: Send() puts up to `max_in_flight` requests on the wire at once, each on its own
// stream id, and matches answers to requests by stream id in whatever order the node sends them.
//
// Timeouts: connect + handshake are bounded by connect_timeout; Send fails when no byte arrives for
// request_timeout. After any transport failure or timeout the connection is broken() (answers to
// abandoned stream ids could otherwise be mistaken for new ones) and the session opens another.
//
// Not thread-safe: one caller at a time (the sink is driven from one delivery thread).

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collector/sinks/cassandra/cql_frame.h"

namespace airfleet::collector::sinks::cql {

struct ConnectionOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 9042;
  std::string username;  // empty: the node must not ask for authentication
  std::string password;
  // PEM file of the CA(s) that signed the node's certificate; non-empty turns TLS on. The
  // certificate must name `host` (as a DNS name or, for an address, an IP SAN).
  std::string ca_file;
  std::string keyspace;  // when set, USE it after the handshake
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration request_timeout = absl::Seconds(12);
  int max_in_flight = 128;  // concurrent stream ids; the v4 protocol allows up to 32768
};

class Connection {
 public:
  // Connects and completes the handshake. Errors: UNAVAILABLE (cannot reach the node, timeout),
  // UNAUTHENTICATED (the node rejected the credentials), FAILED_PRECONDITION (TLS verification
  // failed; wrong protocol), INVALID_ARGUMENT (bad options, unreadable CA file). Messages name the
  // node, and for TLS the verification error.
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const ConnectionOptions& options);

  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends all requests pipelined and waits for every answer. Result i answers request i; an ERROR
  // from the node is a successful Response whose body holds the ErrorBody. A transport failure or
  // timeout fails every unanswered request with UNAVAILABLE or DEADLINE_EXCEEDED (the statement may
  // or may not have been applied) and breaks the connection.
  std::vector<absl::StatusOr<Response>> Send(const std::vector<Request>& requests);
  absl::StatusOr<Response> Send(const Request& request);

  bool broken() const { return broken_; }
  // "host:port".
  const std::string& address() const { return address_; }
  // Number of requests that were in flight at once at the peak of the last Send (for tests).
  int peak_in_flight() const { return peak_in_flight_; }

 private:
  class Transport;
  Connection(std::unique_ptr<Transport> transport, ConnectionOptions options, std::string address);
  absl::Status Handshake();

  std::unique_ptr<Transport> transport_;
  ConnectionOptions options_;
  std::string address_;
  bool broken_ = false;
  int peak_in_flight_ = 0;
};

}  // namespace airfleet::collector::sinks::cql
