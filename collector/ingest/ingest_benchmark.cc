// End-to-end ingest throughput of the collector: many simulated agent streams send batches over
// loopback gRPC with mTLS, each waiting for its ack before the next batch (as the agent's uplink
// does), into a real collector: IngestService -> CommitQueue (group commit) -> RocksDbStore with
// synced writes.
//
// Args: {streams, windows per batch, enrichment}. Each stream has its own agent certificate,
// stream id and contiguous sequences; every batch is the stream's next minute, devices drawn from
// a pool of 50,000 MACs. About 1,000,000 summaries per run. enrichment 0: no vendor files and an
// empty known-device registry; 1: Debian's ieee-data + Wireshark's manuf loaded and 10,000
// known devices registered (a fifth of the pool). Enrichment is applied when records are read
// (Admin, sink delivery), never on the ingest path, and the pair of runs shows that it stays so
// (issue 4's budget: enrichment costs ingest at most 20 %).
//
// The clients run in this process on the same cores, so `cpu_us/summary` (all threads: clients,
// gRPC, commit, RocksDB background) overstates the collector's own cost; `summaries/s` is the
// rate at which acks came back. `group` is the mean number of batches per group commit.

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "benchmark/benchmark.h"
#include "collector/enrich/known_devices.h"
#include "collector/server/collector_server.h"
#include "collector/server/test_client.h"
#include "collector/store/rocksdb_store.h"
#include "collector/testing/bench_load.h"
#include "collector/testing/test_pki.h"
#include "grpcpp/client_context.h"

namespace airfleet::collector {
namespace {

constexpr int64_t kT0 = 1'700'000'040'000'000'000;
constexpr int64_t kMinute = 60'000'000'000;
constexpr int64_t kTargetSummaries = 1'000'000;
constexpr int kMaxStreams = 64;

// Fills the store the collector will open with `count` known devices from the benchmark's MAC
// pool (every fifth), as `airfleetctl known import` would.
absl::Status RegisterKnownDevices(const std::string& data_dir, int count) {
  std::error_code created;
  std::filesystem::create_directories(data_dir, created);
  RocksDbStoreOptions store_options;
  store_options.path = data_dir + "/store";
  store_options.now_ns = [] { return kT0; };
  auto store = RocksDbStore::Open(store_options);
  if (!store.ok()) return store.status();
  auto known = KnownDevices::Open(store->get(), [] { return kT0; });
  if (!known.ok()) return known.status();
  std::vector<v1::KnownDevice> devices;
  for (int i = 0; i < count; ++i) {
    v1::KnownDevice d;
    d.set_mac(0x020000000000ULL + static_cast<uint64_t>(i) * 5);
    d.set_name("device-" + std::to_string(i));
    d.set_kind(v1::KNOWN_KIND_KNOWN);
    devices.push_back(std::move(d));
  }
  return (*known)->Put(std::move(devices)).status();
}

// One PKI for the whole binary: issuing a certificate shells out to openssl.
struct Fleet {
  std::filesystem::path root;
  std::unique_ptr<airfleet::testing::TestPki> pki;
  airfleet::testing::TestCert collector;
  std::vector<airfleet::testing::TestCert> agents;
  std::string error;
};

const Fleet& GetFleet() {
  static const Fleet* fleet = [] {
    auto* f = new Fleet;
    f->root = std::filesystem::temp_directory_path() /
              ("airfleet_ingest_benchmark_" + std::to_string(::getpid()));
    std::filesystem::remove_all(f->root);
    std::filesystem::create_directories(f->root / "pki");
    auto pki = airfleet::testing::TestPki::Create((f->root / "pki").string());
    if (!pki.ok()) {
      f->error = std::string(pki.status().message());
      return f;
    }
    f->pki = std::make_unique<airfleet::testing::TestPki>(std::move(*pki));
    auto collector = f->pki->IssueCollector();
    if (!collector.ok()) {
      f->error = std::string(collector.status().message());
      return f;
    }
    f->collector = *collector;
    for (int i = 0; i < kMaxStreams; ++i) {
      const std::string name = "agent-" + std::to_string(i);
      auto cert = f->pki->Issue(name, name, "agent");
      if (!cert.ok()) {
        f->error = std::string(cert.status().message());
        return f;
      }
      f->agents.push_back(*cert);
    }
    return f;
  }();
  return *fleet;
}

void BM_IngestStreams(benchmark::State& state) {
  const int streams = static_cast<int>(state.range(0));
  const int windows = static_cast<int>(state.range(1));
  const bool enrich = state.range(2) != 0;
  const Fleet& fleet = GetFleet();
  if (!fleet.error.empty()) {
    state.SkipWithError(fleet.error.c_str());
    return;
  }
  const int batches_per_stream =
      static_cast<int>(std::max<int64_t>(1, kTargetSummaries / (int64_t{streams} * windows)));
  const std::filesystem::path data_dir = fleet.root / "data";

  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(data_dir);
    CollectorOptions options;
    options.data_dir = data_dir.string();
    options.ca_file = fleet.pki->ca_path();
    options.cert_file = fleet.collector.cert_path;
    options.key_file = fleet.collector.key_path;
    options.retention_days = 0;  // the windows are from 2023
    if (!enrich) {
      options.ieee_data_dir = "";
      options.manuf_file = "";
    } else if (absl::Status s = RegisterKnownDevices(data_dir.string(), 10'000); !s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      return;
    }
    auto collector = Collector::Start(options);
    if (!collector.ok()) {
      state.SkipWithError(std::string(collector.status().message()).c_str());
      return;
    }
    // Connections and batches are ready before the clock starts: the TLS handshakes and the
    // agents' summarising are not what this measures.
    struct Client {
      std::unique_ptr<v1::Ingest::Stub> stub;
      grpc::ClientContext context;
      std::unique_ptr<grpc::ClientReaderWriter<v1::AgentMessage, v1::CollectorMessage>> stream;
      v1::AgentMessage batch;
      uint64_t stream_id = 0;
    };
    std::vector<std::unique_ptr<Client>> clients;
    std::mt19937_64 rng(42);
    for (int s = 0; s < streams; ++s) {
      const airfleet::testing::TestCert& cert = fleet.agents[s];
      auto c = std::make_unique<Client>();
      const std::string agent_id = "agent-" + std::to_string(s);
      c->stream_id = 1000 + s;
      c->stub = v1::Ingest::NewStub(testing::MakeChannel(
          (*collector)->address(), {fleet.pki->ca_pem(), cert.cert_pem, cert.key_pem}));
      c->stream = c->stub->Stream(&c->context);
      v1::AgentMessage hello;
      hello.mutable_hello()->set_agent_id(agent_id);
      hello.mutable_hello()->set_stream_id(c->stream_id);
      hello.mutable_hello()->set_version("bench");
      if (!c->stream->Write(hello)) {
        state.SkipWithError("hello failed");
        return;
      }
      // Its windows are re-stamped per send: only the sequence and minute change.
      *c->batch.mutable_batch() = testing::BenchBatch(agent_id, c->stream_id, windows, 0, rng);
      clients.push_back(std::move(c));
    }
    const double cpu_start = testing::ProcessCpuSeconds();
    state.ResumeTiming();

    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (auto& client : clients) {
      threads.emplace_back([&failures, batches_per_stream, c = client.get()] {
        v1::Batch* batch = c->batch.mutable_batch();
        for (int seq = 1; seq <= batches_per_stream; ++seq) {
          batch->set_sequence(static_cast<uint64_t>(seq));
          for (v1::DeviceWindow& w : *batch->mutable_windows()) {
            w.set_window_start_ns(kT0 + seq * kMinute);
          }
          v1::CollectorMessage ack;
          if (!c->stream->Write(c->batch) || !c->stream->Read(&ack) ||
              ack.ack().committed_sequence() != static_cast<uint64_t>(seq)) {
            failures++;
            return;
          }
        }
        c->stream->WritesDone();
      });
    }
    for (std::thread& t : threads) t.join();

    state.PauseTiming();
    const double cpu_seconds = testing::ProcessCpuSeconds() - cpu_start;
    for (auto& c : clients) c->stream->Finish().IgnoreError();
    const CommitQueueStats stats = (*collector)->commit_stats();
    const int64_t summaries = int64_t{streams} * batches_per_stream * windows;
    if (failures.load() > 0) {
      state.SkipWithError("a stream failed or was acked out of order");
    } else {
      state.counters["summaries/s"] =
          benchmark::Counter(static_cast<double>(summaries), benchmark::Counter::kIsRate);
      state.counters["cpu_us/summary"] = cpu_seconds * 1e6 / summaries;
      state.counters["group"] =
          stats.groups == 0 ? 0.0 : static_cast<double>(stats.batches) / stats.groups;
    }
    clients.clear();
    collector->reset();
    std::filesystem::remove_all(data_dir);
    state.ResumeTiming();
  }
}
BENCHMARK(BM_IngestStreams)
    ->ArgNames({"streams", "windows", "enrich"})
    ->Args({16, 500, 0})
    ->Args({16, 500, 1})
    ->Args({64, 500, 1})
    ->Args({64, 100, 1})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace airfleet::collector
