#include "collector/sinks/cassandra/cql_connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/openssl_errors.h"

namespace airfleet::collector::sinks::cql {
namespace {

int PollMs(absl::Time deadline) {
  absl::Duration left = deadline - absl::Now();
  if (left <= absl::ZeroDuration()) return 0;
  return static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(left) + 1, 60'000));
}

bool IsIpAddress(const std::string& host) {
  in6_addr buf;
  return inet_pton(AF_INET, host.c_str(), &buf) == 1 ||
         inet_pton(AF_INET6, host.c_str(), &buf) == 1;
}

}  // namespace

// A non-blocking byte pipe: plain TCP or TLS over it.
class Connection::Transport {
 public:
  enum class Io { kProgress, kWouldBlock, kClosed, kError };

  ~Transport() {
    if (ssl_) SSL_free(ssl_);
    if (ctx_) SSL_CTX_free(ctx_);
    if (fd_ >= 0) close(fd_);
  }

  static absl::StatusOr<std::unique_ptr<Transport>> Connect(const ConnectionOptions& o,
                                                            const std::string& address) {
    auto t = std::make_unique<Transport>();
    absl::Time deadline = absl::Now() + o.connect_timeout;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    std::string port = std::to_string(o.port);
    if (int rc = getaddrinfo(o.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
      return absl::UnavailableError(
          absl::StrFormat("Cassandra node %s: cannot resolve host: %s", address, gai_strerror(rc)));
    }
    std::string last_error = "no address";
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
      int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) continue;
      int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
      if (rc != 0 && errno == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        rc = poll(&p, 1, PollMs(deadline));
        if (rc == 1) {
          int err = 0;
          socklen_t len = sizeof(err);
          getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
          rc = err == 0 ? 0 : -1;
          errno = err;
        } else {
          rc = -1;
          errno = ETIMEDOUT;
        }
      }
      if (rc == 0) {
        t->fd_ = fd;
        break;
      }
      last_error = strerror(errno);
      close(fd);
    }
    freeaddrinfo(res);
    if (t->fd_ < 0) {
      return absl::UnavailableError(
          absl::StrFormat("Cassandra node %s: cannot connect: %s", address, last_error));
    }
    int one = 1;
    setsockopt(t->fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (!o.ca_file.empty()) {
      if (auto s = t->StartTls(o, address, deadline); !s.ok()) return s;
    }
    return t;
  }

  Io Write(const char* data, size_t n, size_t* written) {
    *written = 0;
    if (ssl_) {
      ERR_clear_error();
      int rc = SSL_write(ssl_, data, static_cast<int>(std::min<size_t>(n, 1 << 30)));
      if (rc > 0) {
        *written = rc;
        return Io::kProgress;
      }
      return SslIo(rc);
    }
    ssize_t rc = send(fd_, data, n, MSG_NOSIGNAL);
    if (rc > 0) {
      *written = rc;
      return Io::kProgress;
    }
    if (rc < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
      return Io::kWouldBlock;
    error_ = strerror(errno);
    return Io::kError;
  }

  Io Read(std::string* out) {
    char buf[64 * 1024];
    if (ssl_) {
      ERR_clear_error();
      int rc = SSL_read(ssl_, buf, sizeof(buf));
      if (rc > 0) {
        out->append(buf, rc);
        return Io::kProgress;
      }
      return SslIo(rc);
    }
    ssize_t rc = recv(fd_, buf, sizeof(buf), 0);
    if (rc > 0) {
      out->append(buf, rc);
      return Io::kProgress;
    }
    if (rc == 0) return Io::kClosed;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return Io::kWouldBlock;
    error_ = strerror(errno);
    return Io::kError;
  }

  int fd() const { return fd_; }
  bool wants_write() const { return wants_write_; }
  const std::string& error() const { return error_; }

 private:
  absl::Status StartTls(const ConnectionOptions& o, const std::string& address,
                        absl::Time deadline) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    if (SSL_CTX_load_verify_locations(ctx_, o.ca_file.c_str(), nullptr) != 1) {
      return absl::InvalidArgumentError(
          absl::StrFormat("Cassandra TLS: cannot load CA file %s: %s", o.ca_file, OpenSslErrors()));
    }
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    ssl_ = SSL_new(ctx_);
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
    if (IsIpAddress(o.host)) {
      X509_VERIFY_PARAM_set1_ip_asc(param, o.host.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl_, o.host.c_str());
      SSL_set1_host(ssl_, o.host.c_str());
    }
    SSL_set_fd(ssl_, fd_);
    for (;;) {
      ERR_clear_error();
      int rc = SSL_connect(ssl_);
      if (rc == 1) return absl::OkStatus();
      int err = SSL_get_error(ssl_, rc);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        pollfd p{fd_, static_cast<short>(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT), 0};
        if (poll(&p, 1, PollMs(deadline)) <= 0) {
          return absl::UnavailableError(
              absl::StrFormat("Cassandra node %s: TLS handshake timed out", address));
        }
        continue;
      }
      long verify = SSL_get_verify_result(ssl_);
      if (verify != X509_V_OK) {
        return absl::FailedPreconditionError(absl::StrFormat(
            "Cassandra node %s: TLS certificate verification failed: %s (CA file %s; the "
            "certificate must be signed by it and name %s)",
            address, X509_verify_cert_error_string(verify), o.ca_file, o.host));
      }
      return absl::UnavailableError(absl::StrFormat(
          "Cassandra node %s: TLS handshake failed: %s (is client TLS enabled on the node?)",
          address, OpenSslErrors()));
    }
  }

  Io SslIo(int rc) {
    int err = SSL_get_error(ssl_, rc);
    wants_write_ = err == SSL_ERROR_WANT_WRITE;
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return Io::kWouldBlock;
    if (err == SSL_ERROR_ZERO_RETURN) return Io::kClosed;
    if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
      if (rc == 0) return Io::kClosed;
      error_ = strerror(errno);
      return Io::kError;
    }
    error_ = "TLS: " + OpenSslErrors();
    return Io::kError;
  }

  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  bool wants_write_ = false;
  std::string error_;
};

Connection::Connection(std::unique_ptr<Transport> transport, ConnectionOptions options,
                       std::string address)
    : transport_(std::move(transport)),
      options_(std::move(options)),
      address_(std::move(address)) {}

Connection::~Connection() = default;

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(const ConnectionOptions& options) {
  if (options.max_in_flight < 1 || options.max_in_flight > 32768) {
    return absl::InvalidArgumentError(
        absl::StrFormat("Cassandra max_in_flight must be 1..32768, not %d", options.max_in_flight));
  }
  std::string address = IsIpAddress(options.host) && options.host.find(':') != std::string::npos
                            ? absl::StrCat("[", options.host, "]:", options.port)
                            : absl::StrCat(options.host, ":", options.port);
  auto transport = Transport::Connect(options, address);
  if (!transport.ok()) return transport.status();
  std::unique_ptr<Connection> conn(new Connection(std::move(*transport), options, address));
  if (auto s = conn->Handshake(); !s.ok()) return s;
  return conn;
}

absl::Status Connection::Handshake() {
  // The handshake shares Send()'s deadline logic but is bounded by the connect timeout.
  absl::Duration request_timeout = options_.request_timeout;
  options_.request_timeout = options_.connect_timeout;
  auto restore = [&] { options_.request_timeout = request_timeout; };

  auto ready = Send(StartupRequest({{"CQL_VERSION", "3.0.0"}}));
  if (!ready.ok()) {
    restore();
    return ready.status();
  }
  if (auto* auth = std::get_if<Authenticate>(&ready->body)) {
    if (options_.username.empty()) {
      restore();
      return absl::UnauthenticatedError(absl::StrFormat(
          "Cassandra node %s requires authentication (%s) but no username is configured", address_,
          auth->authenticator));
    }
    ready = Send(AuthResponseRequest(PlainAuthToken(options_.username, options_.password)));
    if (!ready.ok()) {
      restore();
      return ready.status();
    }
    if (auto* err = std::get_if<ErrorBody>(&ready->body)) {
      restore();
      return absl::UnauthenticatedError(
          absl::StrFormat("Cassandra node %s: authentication failed for user \"%s\": %s", address_,
                          options_.username, err->Describe()));
    }
    if (!std::holds_alternative<AuthSuccess>(ready->body)) {
      restore();
      return absl::FailedPreconditionError(absl::StrFormat(
          "Cassandra node %s: unexpected answer to AUTH_RESPONSE (only PasswordAuthenticator's "
          "single-step SASL PLAIN is supported)",
          address_));
    }
  } else if (auto* err = std::get_if<ErrorBody>(&ready->body)) {
    restore();
    return absl::FailedPreconditionError(
        absl::StrFormat("Cassandra node %s refused STARTUP: %s", address_, err->Describe()));
  } else if (!std::holds_alternative<Ready>(ready->body)) {
    restore();
    return absl::FailedPreconditionError(
        absl::StrFormat("Cassandra node %s: unexpected answer to STARTUP", address_));
  }
  if (!options_.keyspace.empty()) {
    QueryParameters p;
    p.consistency = Consistency::kOne;
    auto use = Send(QueryRequest(absl::StrCat("USE \"", options_.keyspace, "\""), p));
    if (!use.ok()) {
      restore();
      return use.status();
    }
    if (auto* err = std::get_if<ErrorBody>(&use->body)) {
      restore();
      return absl::FailedPreconditionError(
          absl::StrFormat("Cassandra node %s: cannot use keyspace \"%s\": %s", address_,
                          options_.keyspace, err->Describe()));
    }
  }
  restore();
  return absl::OkStatus();
}

absl::StatusOr<Response> Connection::Send(const Request& request) {
  return std::move(Send(std::vector<Request>{request})[0]);
}

std::vector<absl::StatusOr<Response>> Connection::Send(const std::vector<Request>& requests) {
  const size_t n = requests.size();
  std::vector<absl::StatusOr<Response>> results(n, absl::UnavailableError("not sent"));
  std::vector<bool> answered(n, false);
  if (broken_) {
    for (auto& r : results) {
      r = absl::UnavailableError(absl::StrFormat("Cassandra connection to %s is broken", address_));
    }
    return results;
  }
  std::vector<int16_t> free_streams;
  for (int s = options_.max_in_flight - 1; s >= 0; --s) free_streams.push_back(s);
  std::map<int16_t, size_t> in_flight;  // stream id -> request index
  size_t next = 0, done = 0;
  std::string out, in;
  size_t out_pos = 0;
  peak_in_flight_ = 0;
  absl::Time deadline = absl::Now() + options_.request_timeout;

  auto fail_rest = [&](absl::Status status) {
    broken_ = true;
    for (size_t i = 0; i < n; ++i) {
      if (!answered[i]) results[i] = status;
    }
    return results;
  };

  while (done < n) {
    while (next < n && !free_streams.empty()) {
      int16_t stream = free_streams.back();
      free_streams.pop_back();
      in_flight[stream] = next;
      out += EncodeFrame(stream, requests[next]);
      ++next;
    }
    peak_in_flight_ = std::max<int>(peak_in_flight_, in_flight.size());

    bool progress = false;
    while (out_pos < out.size()) {
      size_t written = 0;
      auto io = transport_->Write(out.data() + out_pos, out.size() - out_pos, &written);
      if (io == Transport::Io::kProgress) {
        out_pos += written;
        progress = true;
        continue;
      }
      if (io == Transport::Io::kWouldBlock) break;
      return fail_rest(absl::UnavailableError(absl::StrFormat(
          "Cassandra node %s: send failed: %s", address_,
          io == Transport::Io::kClosed ? "connection closed" : transport_->error())));
    }
    if (out_pos == out.size()) {
      out.clear();
      out_pos = 0;
    }
    // A node may answer and close at once: consume what arrived before reporting the close.
    std::optional<std::string> read_failure;
    for (;;) {
      auto io = transport_->Read(&in);
      if (io == Transport::Io::kProgress) {
        progress = true;
        continue;
      }
      if (io == Transport::Io::kWouldBlock) break;
      read_failure = io == Transport::Io::kClosed ? "connection closed by the node"
                                                  : "receive failed: " + transport_->error();
      break;
    }
    // Consume every complete frame.
    size_t pos = 0;
    while (in.size() - pos >= kHeaderSize) {
      auto header = DecodeResponseHeader(std::string_view(in).substr(pos, kHeaderSize));
      if (!header.ok()) {
        return fail_rest(absl::FailedPreconditionError(
            absl::StrFormat("Cassandra node %s: %s", address_, header.status().message())));
      }
      if (in.size() - pos - kHeaderSize < header->length) break;
      std::string_view body = std::string_view(in).substr(pos + kHeaderSize, header->length);
      pos += kHeaderSize + header->length;
      if (header->stream < 0) continue;  // EVENT pushed by the node: we registered for none
      auto it = in_flight.find(header->stream);
      if (it == in_flight.end()) {
        return fail_rest(absl::FailedPreconditionError(absl::StrFormat(
            "Cassandra node %s answered on stream %d, which has no request in flight", address_,
            header->stream)));
      }
      size_t index = it->second;
      in_flight.erase(it);
      free_streams.push_back(header->stream);
      auto decoded = DecodeResponse(*header, body);
      if (!decoded.ok()) {
        return fail_rest(absl::FailedPreconditionError(
            absl::StrFormat("Cassandra node %s: %s", address_, decoded.status().message())));
      }
      results[index] = std::move(*decoded);
      answered[index] = true;
      ++done;
    }
    in.erase(0, pos);
    if (done == n) break;
    if (read_failure) {
      return fail_rest(absl::UnavailableError(absl::StrFormat(
          "Cassandra node %s: %s with %d request(s) unanswered (they may or may not have been "
          "applied)",
          address_, *read_failure, n - done)));
    }

    if (progress) deadline = absl::Now() + options_.request_timeout;
    if (absl::Now() >= deadline) {
      return fail_rest(absl::DeadlineExceededError(absl::StrFormat(
          "Cassandra node %s: no answer within %s (%d request(s) unanswered; they may or may not "
          "have been applied)",
          address_, absl::FormatDuration(options_.request_timeout), n - done)));
    }
    if (progress && !free_streams.empty() && next < n) continue;
    pollfd p{transport_->fd(), POLLIN, 0};
    if (out_pos < out.size() || transport_->wants_write()) p.events |= POLLOUT;
    if (poll(&p, 1, PollMs(deadline)) < 0 && errno != EINTR) {
      return fail_rest(absl::UnavailableError(
          absl::StrFormat("Cassandra node %s: poll failed: %s", address_, strerror(errno))));
    }
  }
  return results;
}

}  // namespace airfleet::collector::sinks::cql
