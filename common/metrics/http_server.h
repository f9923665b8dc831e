#pragma once

// A tiny HTTP server for Prometheus scrapes (libmicrohttpd): GET or HEAD /metrics answers 200
// with `render()` as text/plain; version=0.0.4; any other path is 404 and any other method 405.
// Plain HTTP without authentication, which is why both binaries leave it off by default and the
// documented address is loopback: the numbers say how busy a sensor or collector is, never what
// it saw.
//
// Threading: one libmicrohttpd thread serves every request, so `render` never runs twice at once
// from this server; it must still be safe against the threads that update what it reads.
// Stop() (or the destructor) returns after the thread has ended.

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

struct MHD_Daemon;

namespace airfleet::metrics {

struct ListenAddress {
  std::string host;  // as written, without IPv6 brackets
  int port = 0;
};

// "HOST:PORT" with a numeric port 0..65535; an IPv6 host is written "[::1]:9464". HOST may be a
// name (resolved at Start). InvalidArgument says what is wrong and what is wanted.
absl::StatusOr<ListenAddress> ParseListenAddress(const std::string& listen);

class HttpServer {
 public:
  // Binds `listen` (port 0 picks a free port) and starts serving. Errors: InvalidArgument for a
  // malformed address or an unresolvable host, Unavailable when binding fails (in use, not a
  // local address, permission), each naming the address.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const std::string& listen,
                                                           std::function<std::string()> render);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound address, numeric, port resolved: "127.0.0.1:40123" or "[::1]:40123".
  const std::string& address() const { return address_; }
  // Idempotent.
  void Stop();

 private:
  HttpServer() = default;
  std::function<std::string()> render_;
  std::string address_;
  MHD_Daemon* daemon_ = nullptr;

  friend struct HttpServerAccess;
};

}  // namespace airfleet::metrics
