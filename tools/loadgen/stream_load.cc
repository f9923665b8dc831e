// airfleet-stream-load: many agents at once against a real collector, for the concurrency test
// (tests/e2e/test_many_streams.py) and for measuring it.
//
//   airfleet-stream-load --collector HOST:PORT --pki DIR --agents N [--batches B] [--windows W]
//
// Agent i (0 <= i < N) presents DIR/load-<i>.pem / .key (issued beforehand with `airfleetctl pki
// issue agent load-<i>`), opens its own TLS connection and one Ingest.Stream, and then:
//   1. sends Hello and waits until all N streams are open (so the collector really holds N
//      concurrent streams, not N streams one after the other);
//   2. sends batches 1..B (W windows each; MACs agent-unique: (i+1) << 24 | b << 12 | w), then
//      batch B again (a duplicate, which must be acknowledged and not stored twice);
//   3. waits for the acknowledgement of B, waits until all N agents got theirs, closes.
// The truth is therefore known without asking the collector: agent i owns B*W windows.
//
// One thread per agent (sync gRPC API): simple, and 1,000 threads are cheap for a test driver.
// Prints one line of figures and exits 0 only if every agent got every acknowledgement.

#include <sys/resource.h>

#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "airfleet/v1/ingest.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "airfleet-stream-load: cannot read %s\n", path.c_str());
    std::exit(2);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Enough file descriptors for N client connections (each TLS channel needs a socket, plus
// gRPC's own wakeup fds).
void RaiseFileLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

struct Config {
  std::string collector, pki, server_name = "localhost";
  int agents = 100, batches = 3, windows = 20;
  int timeout_s = 300;
};

airfleet::v1::Batch MakeBatch(const std::string& agent_id, uint64_t stream_id, int agent,
                              int sequence, int windows) {
  airfleet::v1::Batch b;
  b.set_agent_id(agent_id);
  b.set_stream_id(stream_id);
  b.set_sequence(sequence);
  const int64_t window_start_ns = int64_t{1'700'000'040} * 1'000'000'000;
  b.set_created_ns(window_start_ns + 60'000'000'000);
  for (int w = 0; w < windows; ++w) {
    airfleet::v1::DeviceWindow* dw = b.add_windows();
    const uint64_t mac = (uint64_t(agent + 1) << 24) | (uint64_t(sequence) << 12) | uint64_t(w);
    dw->set_mac(mac);
    dw->set_window_start_ns(window_start_ns);
    dw->set_window_ms(60000);
    dw->set_first_offset_us(1000);
    dw->set_last_offset_us(59'000'000);
    dw->set_frames(static_cast<uint32_t>(1 + mac % 7));
    dw->set_bytes(100 * dw->frames());
    dw->add_channels_mhz(2437);
  }
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  Config c;
  CLI::App app{"open many concurrent agent streams against a collector"};
  app.add_option("--collector", c.collector, "HOST:PORT")->required();
  app.add_option("--pki", c.pki, "directory with ca.pem and load-<i>.pem/.key")->required();
  app.add_option("--server-name", c.server_name, "name in the collector's certificate");
  app.add_option("--agents", c.agents, "concurrent agent streams");
  app.add_option("--batches", c.batches, "batches per agent");
  app.add_option("--windows", c.windows, "windows per batch");
  app.add_option("--timeout", c.timeout_s, "give up after this many seconds");
  CLI11_PARSE(app, argc, argv);
  RaiseFileLimit();

  const std::string ca = ReadFile(c.pki + "/ca.pem");
  std::atomic<int> ok{0}, failed{0};
  std::barrier all_open(c.agents), all_acked(c.agents);
  const auto t0 = std::chrono::steady_clock::now();
  const auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(c.timeout_s);
  std::vector<std::thread> threads;
  threads.reserve(c.agents);
  for (int i = 0; i < c.agents; ++i) {
    threads.emplace_back([&, i] {
      const std::string id = "load-" + std::to_string(i);
      grpc::SslCredentialsOptions ssl;
      ssl.pem_root_certs = ca;
      ssl.pem_cert_chain = ReadFile(c.pki + "/" + id + ".pem");
      ssl.pem_private_key = ReadFile(c.pki + "/" + id + ".key");
      grpc::ChannelArguments args;
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // one connection per agent
      args.SetSslTargetNameOverride(c.server_name);
      auto stub = airfleet::v1::Ingest::NewStub(
          grpc::CreateCustomChannel(c.collector, grpc::SslCredentials(ssl), args));
      grpc::ClientContext ctx;
      ctx.set_deadline(deadline);
      // Like a real agent, retry a connection that fails (1,000 TLS handshakes at once on two
      // shared cores can take longer than gRPC's 20 s connect timeout) instead of giving up.
      ctx.set_wait_for_ready(true);
      auto stream = stub->Stream(&ctx);
      const uint64_t stream_id = 0x5eed0000'00000000ull | uint64_t(i + 1);
      airfleet::v1::AgentMessage hello;
      hello.mutable_hello()->set_agent_id(id);
      hello.mutable_hello()->set_stream_id(stream_id);
      hello.mutable_hello()->set_version("airfleet-stream-load");
      hello.mutable_hello()->set_first_unacked_sequence(1);
      bool good = stream->Write(hello);
      all_open.arrive_and_wait();
      for (int b = 1; good && b <= c.batches; ++b) {
        airfleet::v1::AgentMessage m;
        *m.mutable_batch() = MakeBatch(id, stream_id, i, b, c.windows);
        good = stream->Write(m);
        if (b == c.batches && good) good = stream->Write(m);  // the duplicate
      }
      uint64_t acked = 0;
      airfleet::v1::CollectorMessage in;
      while (good && acked < uint64_t(c.batches) && stream->Read(&in)) {
        if (in.has_ack() && in.ack().stream_id() == stream_id)
          acked = std::max<uint64_t>(acked, in.ack().committed_sequence());
      }
      all_acked.arrive_and_wait();
      stream->WritesDone();
      // Finish() blocks until every incoming message was read: drain the duplicate's re-ack.
      while (stream->Read(&in)) {
      }
      grpc::Status st = stream->Finish();
      if (acked == uint64_t(c.batches)) {
        ok++;
      } else {
        failed++;
        std::fprintf(stderr, "airfleet-stream-load: %s acked %llu of %d: %s\n", id.c_str(),
                     static_cast<unsigned long long>(acked), c.batches, st.error_message().c_str());
      }
    });
  }
  for (auto& t : threads) t.join();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("agents=%d ok=%d failed=%d batches_per_agent=%d windows_per_batch=%d seconds=%.2f\n",
              c.agents, ok.load(), failed.load(), c.batches, c.windows, s);
  return failed.load() == 0 ? 0 : 1;
}
