#include "collector/sinks/elasticsearch/elasticsearch_sink.h"

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "collector/sinks/elasticsearch/bulk_response.h"
#include "collector/sinks/elasticsearch/index_templates.h"

namespace airfleet::collector::sinks::elasticsearch {
namespace {

// Keeps responses small: only what the classifier reads (test-servers.md §5).
constexpr const char* kBulkPath = "/_bulk?filter_path=errors,items.*.status,items.*.error";

absl::StatusOr<std::string> ReadSecret(const std::string& path, const char* what) {
  std::ifstream in(path);
  if (!in)
    return absl::NotFoundError(
        absl::StrCat("elasticsearch ", what, " file ", path, " cannot be read"));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  if (s.empty())
    return absl::InvalidArgumentError(
        absl::StrCat("elasticsearch ", what, " file ", path, " is empty"));
  return s;
}

}  // namespace

ElasticsearchSink::ElasticsearchSink(ElasticsearchConfig config, std::unique_ptr<HttpClient> http)
    : config_(std::move(config)), http_(std::move(http)) {
  bulk_options_.prefix = config_.index_prefix;
  bulk_options_.legacy_type = config_.legacy_type;
}

absl::Status ElasticsearchSink::Open() {
  for (const IndexTemplate& t : IndexTemplates(config_.index_prefix, config_.replicas)) {
    std::string path = absl::StrCat("/_index_template/", t.name);
    absl::StatusOr<HttpResponse> r = http_->Send("PUT", path, t.body.dump());
    if (!r.ok()) return r.status();
    if (r->status == 401 || r->status == 403) {
      return absl::PermissionDeniedError(absl::StrCat("elasticsearch at ", r->host, " refused PUT ",
                                                      path, " (HTTP ", r->status,
                                                      "): check username/password or api key"));
    }
    if (r->status >= 500) {
      return absl::UnavailableError(absl::StrCat("elasticsearch at ", r->host, " PUT ", path,
                                                 ": HTTP ", r->status, " ",
                                                 r->body.substr(0, 300)));
    }
    if (r->status < 200 || r->status >= 300) {
      return absl::FailedPreconditionError(absl::StrCat(
          "elasticsearch at ", r->host, " rejected index template ", t.name, " (HTTP ", r->status,
          "; composable templates need ES 7.8+ or OpenSearch 1+): ", r->body.substr(0, 500)));
    }
  }
  return absl::OkStatus();
}

bool ElasticsearchSink::SendBulk(const std::vector<std::string>& lines, size_t begin, size_t end,
                                 std::vector<ItemResult>& results) {
  std::string body;
  for (size_t i = begin; i < end; ++i) body += lines[i];
  ++stats_.bulk_requests;
  stats_.bytes_sent += body.size();
  absl::StatusOr<HttpResponse> r = http_->Send("POST", kBulkPath, body, "application/x-ndjson");
  if (!r.ok()) {
    for (size_t i = begin; i < end; ++i)
      results[i] = {Verdict::kRetry, std::string(r.status().message())};
    return false;
  }
  BulkOutcome outcome = ClassifyBulkResponse(static_cast<int>(r->status), r->body, end - begin);
  if (outcome.too_large) {
    if (end - begin == 1) {
      results[begin] = {Verdict::kDrop,
                        absl::StrCat("document of ", body.size(),
                                     " bytes is larger than the engine accepts (HTTP 413)")};
      return true;
    }
    ++stats_.splits;
    size_t mid = begin + (end - begin) / 2;
    return SendBulk(lines, begin, mid, results) && SendBulk(lines, mid, end, results);
  }
  for (size_t i = begin; i < end; ++i) results[i] = std::move(outcome.items[i - begin]);
  return true;
}

std::vector<ItemResult> ElasticsearchSink::Write(const std::vector<Record>& records) {
  std::vector<ItemResult> results(records.size());
  std::vector<std::string> lines;
  lines.reserve(records.size());
  for (const Record& r : records) lines.push_back(BulkItem(r, bulk_options_));

  size_t begin = 0;
  bool transport_ok = true;
  while (begin < records.size() && transport_ok) {
    size_t end = begin;
    size_t bytes = 0;
    while (end < records.size() && end - begin < config_.max_bulk_docs &&
           (end == begin || bytes + lines[end].size() <= config_.max_bulk_bytes)) {
      bytes += lines[end].size();
      ++end;
    }
    transport_ok = SendBulk(lines, begin, end, results);
    if (!transport_ok) {
      for (size_t i = end; i < records.size(); ++i) results[i] = results[begin];
    }
    begin = end;
  }
  for (const ItemResult& r : results) {
    if (r.verdict == Verdict::kOk) ++stats_.ok;
    if (r.verdict == Verdict::kRetry) ++stats_.retry;
    if (r.verdict == Verdict::kDrop) ++stats_.drop;
  }
  return results;
}

absl::StatusOr<std::unique_ptr<ElasticsearchSink>> MakeElasticsearchSink(
    const ElasticsearchConfig& config) {
  if (config.max_bulk_docs == 0 || config.max_bulk_bytes == 0) {
    return absl::InvalidArgumentError("elasticsearch max_bulk_docs and max_bulk_bytes must be > 0");
  }
  HttpClientOptions options;
  options.hosts = config.hosts;
  options.username = config.username;
  options.ca_file = config.ca_file;
  options.connect_timeout_ms = config.connect_timeout_ms;
  options.request_timeout_ms = config.request_timeout_ms;
  options.gzip = config.gzip;
  if (!config.password_file.empty()) {
    absl::StatusOr<std::string> password = ReadSecret(config.password_file, "password");
    if (!password.ok()) return password.status();
    options.password = *std::move(password);
  }
  if (!config.api_key_file.empty()) {
    absl::StatusOr<std::string> key = ReadSecret(config.api_key_file, "api key");
    if (!key.ok()) return key.status();
    options.api_key = *std::move(key);
  }
  absl::StatusOr<std::unique_ptr<HttpClient>> http = HttpClient::Create(std::move(options));
  if (!http.ok()) return http.status();
  return std::make_unique<ElasticsearchSink>(config, *std::move(http));
}

}  // namespace airfleet::collector::sinks::elasticsearch
