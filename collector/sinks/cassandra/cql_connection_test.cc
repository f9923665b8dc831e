// Connection behaviour a real Cassandra rarely shows on demand: answers in reverse order, a node
// that goes silent, an answer on a stream nobody asked on. The peer is a real TCP socket in this
// process that speaks raw v4 bytes written by hand here (the real-server tests are in
// cassandra_server_test.cc).
#include "collector/sinks/cassandra/cql_connection.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <thread>

namespace airfleet::collector::sinks::cql {
namespace {

using ::testing::HasSubstr;

struct RawFrame {
  int16_t stream;
  uint8_t opcode;
  std::string body;
};

bool ReadExactly(int fd, char* buf, size_t n) {
  while (n > 0) {
    ssize_t r = read(fd, buf, n);
    if (r <= 0) return false;
    buf += r;
    n -= r;
  }
  return true;
}

bool ReadFrame(int fd, RawFrame* f) {
  unsigned char h[9];
  if (!ReadExactly(fd, reinterpret_cast<char*>(h), 9)) return false;
  f->stream = static_cast<int16_t>((h[2] << 8) | h[3]);
  f->opcode = h[4];
  uint32_t len = (uint32_t(h[5]) << 24) | (h[6] << 16) | (h[7] << 8) | h[8];
  f->body.resize(len);
  return ReadExactly(fd, f->body.data(), len);
}

void WriteFrame(int fd, int16_t stream, uint8_t opcode, const std::string& body) {
  std::string out = {char(0x84),
                     0,
                     char((stream >> 8) & 0xff),
                     char(stream & 0xff),
                     char(opcode),
                     char(body.size() >> 24),
                     char((body.size() >> 16) & 0xff),
                     char((body.size() >> 8) & 0xff),
                     char(body.size() & 0xff)};
  out += body;
  ASSERT_EQ(write(fd, out.data(), out.size()), static_cast<ssize_t>(out.size()));
}

// A one-connection peer: answers STARTUP with READY, then runs `script` on the socket.
class FakePeer {
 public:
  explicit FakePeer(std::function<void(int)> script) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    listen(listen_fd_, 1);
    socklen_t len = sizeof(a);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this, script] {
      int fd = accept(listen_fd_, nullptr, nullptr);
      RawFrame startup;
      if (ReadFrame(fd, &startup) && startup.opcode == 0x01) {
        WriteFrame(fd, startup.stream, 0x02, "");
        script(fd);
      }
      close(fd);
    });
  }
  ~FakePeer() {
    thread_.join();
    close(listen_fd_);
  }
  uint16_t port() const { return port_; }

 private:
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

ConnectionOptions Options(uint16_t port) {
  ConnectionOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.request_timeout = absl::Seconds(2);
  return o;
}

// RESULT Rows with one int column "v" holding `value` (no metadata).
std::string RowsWithInt(int32_t value) {
  std::string b = {0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 4};
  for (int s = 24; s >= 0; s -= 8) b.push_back(char((value >> s) & 0xff));
  return b;
}

TEST(CqlConnectionTest, AnswersInReverseOrderAreMatchedByStreamId) {
  constexpr int kRequests = 50;
  FakePeer peer([](int fd) {
    std::vector<RawFrame> frames(kRequests);
    for (auto& f : frames) ASSERT_TRUE(ReadFrame(fd, &f));
    // Echo each query's text length back, last request first.
    for (int i = kRequests - 1; i >= 0; --i) {
      WriteFrame(fd, frames[i].stream, 0x08, RowsWithInt(frames[i].body.size()));
    }
  });
  auto conn = Connection::Open(Options(peer.port()));
  ASSERT_TRUE(conn.ok()) << conn.status();
  std::vector<Request> requests;
  for (int i = 0; i < kRequests; ++i) {
    requests.push_back(QueryRequest(std::string(i + 1, 'x'), {}));
  }
  auto results = (*conn)->Send(requests);
  ASSERT_EQ(results.size(), size_t{kRequests});
  for (int i = 0; i < kRequests; ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].status();
    const auto& rows = std::get<RowsResult>(std::get<Result>(results[i]->body));
    // body = [long string] (4 + len) + consistency (2) + flags (1)
    EXPECT_EQ(*DecodeInt(rows.rows[0][0]), 4 + (i + 1) + 3) << i;
  }
  EXPECT_EQ((*conn)->peak_in_flight(), kRequests);
}

TEST(CqlConnectionTest, MoreRequestsThanStreamsReuseFreedIds) {
  FakePeer peer([](int fd) {
    RawFrame f;
    while (ReadFrame(fd, &f)) WriteFrame(fd, f.stream, 0x08, std::string{0, 0, 0, 1});
  });
  auto o = Options(peer.port());
  o.max_in_flight = 4;
  auto conn = Connection::Open(o);
  ASSERT_TRUE(conn.ok()) << conn.status();
  std::vector<Request> requests(100, OptionsRequest());
  auto results = (*conn)->Send(requests);
  for (const auto& r : results) ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_LE((*conn)->peak_in_flight(), 4);
  conn->reset();  // closes the socket, which ends the peer's loop
}

TEST(CqlConnectionTest, SilentNodeTimesOutAndBreaksTheConnection) {
  FakePeer peer([](int fd) {
    RawFrame f;
    ReadFrame(fd, &f);
    char c;
    read(fd, &c, 1);  // wait for the client to give up and close
  });
  auto o = Options(peer.port());
  o.request_timeout = absl::Milliseconds(300);
  auto conn = Connection::Open(o);
  ASSERT_TRUE(conn.ok()) << conn.status();
  auto r = (*conn)->Send(OptionsRequest());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsDeadlineExceeded(r.status())) << r.status();
  EXPECT_THAT(r.status().message(), HasSubstr("may or may not have been applied"));
  EXPECT_TRUE((*conn)->broken());
  EXPECT_FALSE((*conn)->Send(OptionsRequest()).ok());
  conn->reset();
}

TEST(CqlConnectionTest, AnswerOnAnUnknownStreamIsAProtocolError) {
  FakePeer peer([](int fd) {
    RawFrame f;
    ReadFrame(fd, &f);
    WriteFrame(fd, static_cast<int16_t>(f.stream + 7), 0x08, std::string{0, 0, 0, 1});
  });
  auto conn = Connection::Open(Options(peer.port()));
  ASSERT_TRUE(conn.ok()) << conn.status();
  auto r = (*conn)->Send(OptionsRequest());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("no request in flight"));
}

TEST(CqlConnectionTest, ClosedConnectionMidRequestIsUnavailable) {
  FakePeer peer([](int fd) {
    RawFrame f;
    ReadFrame(fd, &f);  // then close without answering
  });
  auto conn = Connection::Open(Options(peer.port()));
  ASSERT_TRUE(conn.ok()) << conn.status();
  auto r = (*conn)->Send(OptionsRequest());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsUnavailable(r.status())) << r.status();
  EXPECT_THAT(r.status().message(), HasSubstr("closed"));
}

TEST(CqlConnectionTest, NothingListeningIsUnavailable) {
  auto conn = Connection::Open(Options(1));
  ASSERT_FALSE(conn.ok());
  EXPECT_TRUE(absl::IsUnavailable(conn.status()));
  EXPECT_THAT(conn.status().message(), HasSubstr("127.0.0.1:1"));
}

}  // namespace
}  // namespace airfleet::collector::sinks::cql
