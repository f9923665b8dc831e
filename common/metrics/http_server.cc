#include "common/metrics/http_server.h"

#include <microhttpd.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/metrics/registry.h"

namespace airfleet::metrics {

struct HttpServerAccess {
  static std::string Render(HttpServer* server) { return server->render_(); }
};

namespace {

MHD_Result Reply(MHD_Connection* connection, unsigned int status, std::string_view body,
                 const char* content_type) {
  MHD_Response* response = MHD_create_response_from_buffer(
      body.size(), const_cast<char*>(body.data()), MHD_RESPMEM_MUST_COPY);
  if (response == nullptr) return MHD_NO;
  MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
  if (status == MHD_HTTP_METHOD_NOT_ALLOWED) {
    MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
  }
  MHD_Result result = MHD_queue_response(connection, status, response);
  MHD_destroy_response(response);
  return result;
}

MHD_Result Handle(void* cls, MHD_Connection* connection, const char* url, const char* method,
                  const char* /*version*/, const char* /*upload_data*/,
                  size_t* /*upload_data_size*/, void** /*con_cls*/) {
  const std::string_view m(method);
  if (m != MHD_HTTP_METHOD_GET && m != MHD_HTTP_METHOD_HEAD) {
    return Reply(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n", "text/plain");
  }
  // libmicrohttpd hands over the path without the query string.
  if (std::string_view(url) != "/metrics") {
    return Reply(connection, MHD_HTTP_NOT_FOUND, "not found; metrics are at /metrics\n",
                 "text/plain");
  }
  // HEAD gets the same headers; libmicrohttpd leaves the body out.
  const std::string body = HttpServerAccess::Render(static_cast<HttpServer*>(cls));
  return Reply(connection, MHD_HTTP_OK, body, kContentType);
}

std::string Numeric(const sockaddr* addr, socklen_t len) {
  char host[NI_MAXHOST];
  char port[NI_MAXSERV];
  if (getnameinfo(addr, len, host, sizeof(host), port, sizeof(port),
                  NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return "?";
  }
  return addr->sa_family == AF_INET6 ? absl::StrCat("[", host, "]:", port)
                                     : absl::StrCat(host, ":", port);
}

}  // namespace

absl::StatusOr<ListenAddress> ParseListenAddress(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  uint32_t port = 0;
  auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat("bad metrics listen address '", listen,
                                                   "': want HOST:PORT, e.g. 127.0.0.1:9464"));
  };
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size() ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port > 65535) {
    return bad();
  }
  std::string host = listen.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return bad();
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return bad();  // an IPv6 address needs brackets, or its last group reads as the port
  }
  return ListenAddress{std::move(host), static_cast<int>(port)};
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const std::string& listen,
                                                              std::function<std::string()> render) {
  absl::StatusOr<ListenAddress> parsed = ParseListenAddress(listen);
  if (!parsed.ok()) return parsed.status();

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(parsed->port);
  if (int rc = getaddrinfo(parsed->host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return absl::InvalidArgumentError(absl::StrCat("metrics listen address '", listen,
                                                   "': cannot resolve '", parsed->host,
                                                   "': ", gai_strerror(rc)));
  }
  // The socket is bound here rather than by libmicrohttpd so that a failure says why (errno)
  // and the port chosen for port 0 can be read back.
  int fd = -1;
  std::string why;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      why = std::strerror(errno);
      continue;
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, 16) != 0) {
      why = std::strerror(errno);
      ::close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat("cannot serve metrics on ", listen, ": ", why));
  }
  sockaddr_storage bound{};
  socklen_t bound_len = sizeof(bound);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_len);

  std::unique_ptr<HttpServer> server(new HttpServer());
  server->render_ = std::move(render);
  server->address_ = Numeric(reinterpret_cast<sockaddr*>(&bound), bound_len);
  // One internal thread; a handful of connections is plenty for scrapers, and the timeout keeps
  // an idle or slow client from holding one forever.
  server->daemon_ =
      MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, nullptr, nullptr, &Handle,
                       server.get(), MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT, 16u,
                       MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
  if (server->daemon_ == nullptr) {
    ::close(fd);
    return absl::InternalError(absl::StrCat("cannot start the metrics server on ", listen));
  }
  return server;
}

void HttpServer::Stop() {
  if (daemon_ != nullptr) {
    // Also closes the listening socket.
    MHD_stop_daemon(daemon_);
    daemon_ = nullptr;
  }
}

HttpServer::~HttpServer() { Stop(); }

}  // namespace airfleet::metrics
