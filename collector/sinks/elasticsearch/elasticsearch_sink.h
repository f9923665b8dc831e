#pragma once

// Sink into Elasticsearch (7.8+, 8, 9) or OpenSearch (2.x) over the REST `_bulk` API.
//
//  * Open(): PUT one composable index template per record kind (index_templates.h). A connection
//    failure is UNAVAILABLE (try later); 401/403 is PERMISSION_DENIED; a TLS failure or a refused
//    template is FAILED_PRECONDITION with the engine's / curl's message.
//  * Write(records): records are cut into `_bulk` requests of at most max_bulk_docs documents and
//    max_bulk_bytes of NDJSON (uncompressed; a single larger document goes alone). Each request's
//    items are classified by bulk_response.h. HTTP 413 (request too large for the engine's
//    http.max_content_length) halves the request and resends both halves, down to one document,
//    which is then kDrop ("document too large"). A transport failure is kRetry for every record
//    of that request and stops the call (the rest are kRetry too: the engine is gone, do not wait
//    for one timeout per request).
//  * Secrets are read from files (password_file, api_key_file; one line, trailing newline
//    stripped) so they never appear in the collector's config file, command line or logs.
//  * Not thread-safe: the delivery loop calls one sink from one thread (sink.h).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "collector/sinks/elasticsearch/bulk_request.h"
#include "collector/sinks/elasticsearch/http_client.h"
#include "collector/sinks/sink.h"

namespace airfleet::collector::sinks::elasticsearch {

struct ElasticsearchConfig {
  std::vector<std::string> hosts;  // "https://es1:9200"; tried in order, failover on failure
  std::string index_prefix = "airfleet";
  std::string username;       // basic auth (with password_file)
  std::string password_file;  // file holding the password
  std::string api_key_file;   // file holding the base64 "id:key" API key (instead of basic auth)
  std::string ca_file;        // PEM CA bundle for https hosts; empty: system store
  int replicas = 0;           // number_of_replicas in the templates (0 suits one node)
  size_t max_bulk_bytes = 5 << 20;
  size_t max_bulk_docs = 2000;
  long connect_timeout_ms = 2000;
  long request_timeout_ms = 30000;
  bool legacy_type = false;  // "_type":"_doc" for Elasticsearch 7
  bool gzip = true;          // gzip request bodies
};

struct ElasticsearchStats {
  uint64_t bulk_requests = 0;
  uint64_t bytes_sent = 0;  // uncompressed NDJSON
  uint64_t ok = 0;
  uint64_t retry = 0;
  uint64_t drop = 0;
  uint64_t splits = 0;  // HTTP 413 halvings
};

class ElasticsearchSink final : public Sink {
 public:
  ElasticsearchSink(ElasticsearchConfig config, std::unique_ptr<HttpClient> http);

  std::string_view name() const override { return "elasticsearch"; }
  absl::Status Open() override;
  // Templates are (re)installed by Open() anyway; this makes `airfleetctl sinks init` say so.
  absl::StatusOr<std::string> Initialise() override {
    absl::Status opened = Open();
    if (!opened.ok()) return opened;
    return "index templates " + config_.index_prefix + "-* installed";
  }
  std::vector<ItemResult> Write(const std::vector<Record>& records) override;

  const ElasticsearchStats& stats() const { return stats_; }
  const HttpClient& http() const { return *http_; }

 private:
  // Sends items [begin, end) of `lines` as one `_bulk`; fills `results` for them. Returns false on
  // a transport failure.
  bool SendBulk(const std::vector<std::string>& lines, size_t begin, size_t end,
                std::vector<ItemResult>& results);

  ElasticsearchConfig config_;
  BulkOptions bulk_options_;
  std::unique_ptr<HttpClient> http_;
  ElasticsearchStats stats_;
};

// Reads the secret files and builds the HTTP client; no network traffic until Open().
absl::StatusOr<std::unique_ptr<ElasticsearchSink>> MakeElasticsearchSink(
    const ElasticsearchConfig& config);

}  // namespace airfleet::collector::sinks::elasticsearch
