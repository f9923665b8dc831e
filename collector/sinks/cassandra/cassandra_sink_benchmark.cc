// Throughput of the Cassandra sink into a real Cassandra (tests/servers/cassandra.sh): device
// windows per second through Sink::Write, pipelined unlogged batches over one connection.
//
//   tests/servers/cassandra.sh start /tmp/cass
//   AIRFLEET_CASSANDRA_ENV=/tmp/cass/cassandra.env
//   build/collector/sinks/cassandra/cassandra_sink_benchmark
//
// Skips (reports an error) when no server is configured.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <map>

#include "collector/sinks/cassandra/cassandra_sink.h"

namespace airfleet::collector::sinks {
namespace {

std::map<std::string, std::string> ServerEnv() {
  std::map<std::string, std::string> kv;
  const char* path = std::getenv("AIRFLEET_CASSANDRA_ENV");
  if (!path) return kv;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return kv;
}

// Arg 0: records per Write call; arg 1: distinct devices among them (windows of one device and
// day share a partition, so fewer devices means bigger unlogged batches).
void BM_WriteWindows(benchmark::State& state) {
  auto env = ServerEnv();
  if (env.empty()) {
    state.SkipWithError("set AIRFLEET_CASSANDRA_ENV (tests/servers/cassandra.sh start DIR)");
    return;
  }
  CassandraConfig c;
  c.contact_points = {env["AIRFLEET_CASSANDRA_HOST"] + ":" + env["AIRFLEET_CASSANDRA_PORT"]};
  c.username = env["AIRFLEET_CASSANDRA_USER"];
  c.password = env["AIRFLEET_CASSANDRA_PASSWORD"];
  c.keyspace = "airfleet_bench";
  if (auto s = CreateSchema(c); !s.ok()) {
    state.SkipWithError(std::string(s.message()).c_str());
    return;
  }
  auto sink = MakeCassandraSink(c);
  if (!sink.ok() || !(*sink)->Open().ok()) {
    state.SkipWithError("cannot open the sink");
    return;
  }
  const int per_call = state.range(0);
  const int devices = state.range(1);
  int64_t window = 0;
  int64_t written = 0;
  for (auto _ : state) {
    std::vector<Record> records;
    records.reserve(per_call);
    for (int i = 0; i < per_call; ++i) {
      WindowRecord w;
      w.agent_id = "bench-agent";
      w.window.set_mac(0x020000000000 + (i % devices));
      w.window.set_window_start_ns(1'763'942'400'000'000'000 +
                                   (window + i / devices) * 1'000'000'000);
      w.window.set_window_ms(1000);
      w.window.set_frames(10 + i);
      w.window.set_bytes(1500 * (10 + i));
      w.window.add_channels_mhz(2412);
      w.window.set_signal_min_dbm(-70);
      w.window.set_signal_max_dbm(-50);
      records.push_back(std::move(w));
    }
    window += per_call / devices + 1;
    auto results = (*sink)->Write(records);
    for (const auto& r : results) {
      if (r.verdict != Verdict::kOk) {
        state.SkipWithError(r.reason.c_str());
        return;
      }
    }
    written += per_call;
  }
  state.counters["windows_per_s"] = benchmark::Counter(written, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_WriteWindows)
    ->Args({1000, 1000})  // every window its own partition: 1000 pipelined EXECUTEs
    ->Args({1000, 100})   // 10 windows per partition: unlogged batches of 10
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(5);

}  // namespace
}  // namespace airfleet::collector::sinks
