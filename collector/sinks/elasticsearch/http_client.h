#pragma once

// A small blocking HTTP/1.1 client for the Elasticsearch/OpenSearch REST API on libcurl.
//
//  * One reusable easy handle: curl keeps the connection alive between requests (and reuses the
//    TLS session), which matters at one `_bulk` per batch.
//  * Request bodies are gzip-compressed (Content-Encoding: gzip; both engines accept it) when
//    `gzip` is set, and responses may come back compressed (Accept-Encoding: every encoding curl
//    was built with).
//  * Several hosts: a request starts at the host that last answered and moves to the next on a
//    connection failure (refused, unresolvable, timeout, reset) or a 502/503/504, so one node
//    going away costs one failed connect, not one per request. Our writes are idempotent
//    (deterministic ids), so resending a request whose outcome was unknown is safe.
//  * TLS problems (unknown CA, bad certificate, handshake failure) are reported as
//    FAILED_PRECONDITION with curl's message: they are configuration errors that retrying will
//    not fix. Connection problems on every host are UNAVAILABLE.
//  * Not thread-safe (one handle); the sink is called from one delivery thread.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace airfleet::collector::sinks::elasticsearch {

struct HttpClientOptions {
  std::vector<std::string> hosts;  // "http://host:9200", "https://es1:9200"
  std::string username;            // basic auth when non-empty
  std::string password;
  std::string api_key;  // "Authorization: ApiKey <api_key>" (base64 id:key) when non-empty
  std::string ca_file;  // PEM bundle to verify the server; empty: the system store
  long connect_timeout_ms = 2000;
  long request_timeout_ms = 30000;
  bool gzip = true;
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::string host;  // which host answered
};

class HttpClient {
 public:
  static absl::StatusOr<std::unique_ptr<HttpClient>> Create(HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // `path` starts with '/'. An empty `body` sends none.
  absl::StatusOr<HttpResponse> Send(std::string_view method, std::string_view path,
                                    std::string_view body,
                                    std::string_view content_type = "application/json");

  // Hosts tried after a failure, since creation (a counter for operators and tests).
  uint64_t failovers() const { return failovers_; }
  const std::string& current_host() const { return options_.hosts[current_]; }

 private:
  explicit HttpClient(HttpClientOptions options, void* curl);

  HttpClientOptions options_;
  void* curl_;  // CURL*
  size_t current_ = 0;
  uint64_t failovers_ = 0;
};

// gzip (RFC 1952) of `data`; exposed for tests.
std::string Gzip(std::string_view data);

}  // namespace airfleet::collector::sinks::elasticsearch
