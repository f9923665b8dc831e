#include "common/metrics/http_server.h"

#include <curl/curl.h>

#include <atomic>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace airfleet::metrics {
namespace {

struct Response {
  long status = 0;
  std::string content_type;
  std::string body;
};

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// A real HTTP client (libcurl), as a Prometheus server would scrape.
Response Fetch(const std::string& url, const char* method = "GET") {
  Response r;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
  if (std::string(method) == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  CURLcode rc = curl_easy_perform(curl);
  EXPECT_EQ(rc, CURLE_OK) << curl_easy_strerror(rc);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  char* type = nullptr;
  curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
  if (type != nullptr) r.content_type = type;
  curl_easy_cleanup(curl);
  return r;
}

TEST(ParseListenAddressTest, AcceptsHostPortAndBracketedIpv6) {
  auto v4 = ParseListenAddress("127.0.0.1:9464");
  ASSERT_TRUE(v4.ok()) << v4.status();
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 9464);
  auto v6 = ParseListenAddress("[::1]:0");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  for (const char* bad :
       {"", "9464", ":9464", "host:", "host:x", "host:65536", "::1:9464", "[::1:9464", "[]:1"}) {
    auto parsed = ParseListenAddress(bad);
    EXPECT_TRUE(absl::IsInvalidArgument(parsed.status())) << bad;
    EXPECT_THAT(parsed.status().message(), testing::HasSubstr("want HOST:PORT")) << bad;
  }
}

TEST(HttpServerTest, ServesMetricsAt404ElsewhereAnd405ForOtherMethods) {
  std::atomic<int> renders{0};
  auto server = HttpServer::Start("127.0.0.1:0", [&] {
    return std::string("# TYPE up gauge\nup ") + std::to_string(++renders) + "\n";
  });
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string base = "http://" + (*server)->address();
  EXPECT_THAT((*server)->address(), testing::StartsWith("127.0.0.1:"));
  EXPECT_NE((*server)->address(), "127.0.0.1:0");

  Response metrics = Fetch(base + "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(metrics.body, "# TYPE up gauge\nup 1\n");
  // Read again at every scrape; a query string does not change the path.
  EXPECT_EQ(Fetch(base + "/metrics?x=1").body, "# TYPE up gauge\nup 2\n");

  Response head = Fetch(base + "/metrics", "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");

  for (const char* path : {"/", "/metrics/", "/metricsx", "/favicon.ico"}) {
    EXPECT_EQ(Fetch(base + path).status, 404) << path;
  }
  EXPECT_EQ(Fetch(base + "/metrics", "POST").status, 405);
  EXPECT_EQ(Fetch(base + "/metrics", "DELETE").status, 405);
}

TEST(HttpServerTest, ServesOnIpv6Loopback) {
  auto server = HttpServer::Start("[::1]:0", [] { return std::string("up 1\n"); });
  if (!server.ok() && absl::IsUnavailable(server.status())) {
    GTEST_SKIP() << "no IPv6 loopback here: " << server.status();
  }
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_THAT((*server)->address(), testing::StartsWith("[::1]:"));
  EXPECT_EQ(Fetch("http://" + (*server)->address() + "/metrics").body, "up 1\n");
}

TEST(HttpServerTest, ClearErrorsForBadAddressesAndPortsInUse) {
  auto malformed = HttpServer::Start("localhost", [] { return std::string(); });
  EXPECT_TRUE(absl::IsInvalidArgument(malformed.status()));
  EXPECT_THAT(malformed.status().message(), testing::HasSubstr("'localhost'"));

  auto unresolvable = HttpServer::Start("no-such-host.invalid:0", [] { return std::string(); });
  EXPECT_TRUE(absl::IsInvalidArgument(unresolvable.status()));
  EXPECT_THAT(unresolvable.status().message(), testing::HasSubstr("cannot resolve"));

  auto first = HttpServer::Start("127.0.0.1:0", [] { return std::string(); });
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = HttpServer::Start((*first)->address(), [] { return std::string(); });
  EXPECT_TRUE(absl::IsUnavailable(second.status()));
  EXPECT_THAT(second.status().message(), testing::HasSubstr("Address already in use"));

  // Not an address of this machine (TEST-NET-1, RFC 5737).
  auto foreign = HttpServer::Start("192.0.2.1:0", [] { return std::string(); });
  EXPECT_TRUE(absl::IsUnavailable(foreign.status()));
  EXPECT_THAT(foreign.status().message(), testing::HasSubstr("192.0.2.1:0"));
}

TEST(HttpServerTest, StopClosesThePort) {
  auto server = HttpServer::Start("127.0.0.1:0", [] { return std::string("up 1\n"); });
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string address = (*server)->address();
  (*server)->Stop();
  (*server)->Stop();  // idempotent
  // The port is free again: a new server can take exactly that address.
  auto again = HttpServer::Start(address, [] { return std::string("up 2\n"); });
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(Fetch("http://" + address + "/metrics").body, "up 2\n");
}

}  // namespace
}  // namespace airfleet::metrics
