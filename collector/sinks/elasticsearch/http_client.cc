#include "collector/sinks/elasticsearch/http_client.h"

#include <curl/curl.h>
#include <zlib.h>

#include <mutex>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace airfleet::collector::sinks::elasticsearch {
namespace {

size_t AppendBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

bool IsTlsError(CURLcode code) {
  switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return true;
    default:
      return false;
  }
}

struct CurlSlist {
  curl_slist* list = nullptr;
  ~CurlSlist() { curl_slist_free_all(list); }
  void Add(const std::string& header) { list = curl_slist_append(list, header.c_str()); }
};

}  // namespace

std::string Gzip(std::string_view data) {
  z_stream zs{};
  // windowBits 15 + 16: gzip wrapper instead of zlib's. Level 1: bulk NDJSON compresses ~10x
  // even at the fastest level, and the collector's CPU is better spent elsewhere.
  deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, data.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

absl::StatusOr<std::unique_ptr<HttpClient>> HttpClient::Create(HttpClientOptions options) {
  if (options.hosts.empty())
    return absl::InvalidArgumentError("elasticsearch: no hosts configured");
  for (std::string& h : options.hosts) {
    while (!h.empty() && h.back() == '/') h.pop_back();
    if (!absl::StartsWith(h, "http://") && !absl::StartsWith(h, "https://")) {
      return absl::InvalidArgumentError(
          absl::StrCat("elasticsearch host '", h, "' must start with http:// or https://"));
    }
  }
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(options), curl));
}

HttpClient::HttpClient(HttpClientOptions options, void* curl)
    : options_(std::move(options)), curl_(curl) {}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

absl::StatusOr<HttpResponse> HttpClient::Send(std::string_view method, std::string_view path,
                                              std::string_view body,
                                              std::string_view content_type) {
  CURL* curl = static_cast<CURL*>(curl_);
  // Debian's abseil string_view is not std::string_view; keep std::string copies for StrCat.
  const std::string method_s(method), path_s(path), content_type_s(content_type);
  std::string payload = options_.gzip && !body.empty() ? Gzip(body) : std::string(body);
  CurlSlist headers;
  headers.Add(absl::StrCat("Content-Type: ", content_type_s));
  if (options_.gzip && !body.empty()) headers.Add("Content-Encoding: gzip");
  if (!options_.api_key.empty())
    headers.Add(absl::StrCat("Authorization: ApiKey ", options_.api_key));
  headers.Add("Expect:");  // no 100-continue round trip before each bulk body

  std::string errors;
  bool tls_error = false;
  for (size_t attempt = 0; attempt < options_.hosts.size(); ++attempt) {
    size_t host_index = (current_ + attempt) % options_.hosts.size();
    const std::string& host = options_.hosts[host_index];
    std::string url = absl::StrCat(host, path_s);
    HttpResponse response;
    response.host = host;
    char error_buffer[CURL_ERROR_SIZE] = {0};

    curl_easy_reset(curl);  // keeps the connection cache; clears the previous request's options
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method_s.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
    if (!payload.empty() || method != "GET") {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
    }
    if (method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &AppendBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, options_.request_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    if (!options_.username.empty()) {
      curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
      curl_easy_setopt(curl, CURLOPT_USERNAME, options_.username.c_str());
      curl_easy_setopt(curl, CURLOPT_PASSWORD, options_.password.c_str());
    }
    if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());

    CURLcode code = curl_easy_perform(curl);
    if (code == CURLE_OK) {
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
      bool gateway_error =
          response.status == 502 || response.status == 503 || response.status == 504;
      if (!gateway_error || attempt + 1 == options_.hosts.size()) {
        current_ = host_index;
        return response;
      }
      absl::StrAppend(&errors, errors.empty() ? "" : "; ", host, ": HTTP ", response.status);
    } else {
      tls_error = tls_error || IsTlsError(code);
      absl::StrAppend(&errors, errors.empty() ? "" : "; ", host, ": ",
                      error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code));
    }
    if (options_.hosts.size() > 1) ++failovers_;
  }
  std::string message = absl::StrCat("elasticsearch ", method_s, " ", path_s, " failed: ", errors);
  if (tls_error)
    return absl::FailedPreconditionError(absl::StrCat(message, " (TLS: check ca_file)"));
  return absl::UnavailableError(message);
}

}  // namespace airfleet::collector::sinks::elasticsearch
