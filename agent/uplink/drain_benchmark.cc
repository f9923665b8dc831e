// Backlog drain: fills a spool with 1,000,000 summaries (as after an outage), then measures the
// time for the uplink to deliver and have them acknowledged by an in-process mTLS collector on
// 127.0.0.1 (budget in docs/architecture.md: <= 10 s).
//
// Usage: uplink_drain_benchmark [SUMMARIES]   (uses $TEST_TMPDIR or /tmp)

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "agent/spool/rocksdb_spool.h"
#include "agent/spool/spool_test_util.h"
#include "agent/uplink/grpc_uplink.h"
#include "agent/uplink/testing/fake_collector.h"
#include "collector/testing/test_pki.h"

namespace {

using airfleet::spool::RocksDbSpool;
using Clock = std::chrono::steady_clock;

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "drain benchmark: %s\n", s.ToString().c_str());
  return 1;
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  const uint64_t total = argc > 1 ? std::stoull(argv[1]) : 1'000'000;
  constexpr uint64_t kPerAppend = 5000;  // one 60 s window of a busy site
  const std::string dir = airfleet::spool::testing::MakeTempDir("drain_bench");

  auto pki = airfleet::testing::TestPki::Create(dir);
  if (!pki.ok()) return Fail(pki.status());
  auto collector_cert = pki->IssueCollector();
  auto agent_cert = pki->Issue("agent", "bench-agent", "agent");
  if (!collector_cert.ok() || !agent_cert.ok()) return Fail(absl::InternalError("certs"));

  airfleet::spool::RocksDbSpoolOptions so;
  so.path = dir + "/spool";
  so.agent_id = "bench-agent";
  so.durability = airfleet::spool::Durability::kGroupCommit;
  so.quota_bytes = 1ull << 30;
  auto spool = RocksDbSpool::Open(so);
  if (!spool.ok()) return Fail(spool.status());

  const auto fill_start = Clock::now();
  for (uint64_t produced = 0; produced < total; produced += kPerAppend) {
    auto r = (*spool)->Append(
        airfleet::spool::testing::MakeWindows(
            produced + 1, kPerAppend, static_cast<int64_t>(produced / kPerAppend) * 60'000'000'000),
        {}, "");
    if (!r.ok()) return Fail(r.status());
  }
  const auto stats = (*spool)->Stats();
  std::printf("filled %llu summaries in %llu batches (%.1f MB logical, %.1f B/summary) in %.2f s\n",
              static_cast<unsigned long long>(stats.summaries),
              static_cast<unsigned long long>(stats.batches), stats.bytes / 1e6,
              static_cast<double>(stats.bytes) / stats.summaries,
              Seconds(Clock::now() - fill_start));

  airfleet::uplink::testing::FakeCollectorOptions co;
  co.ca_pem = pki->ca_pem();
  co.cert_pem = collector_cert->cert_pem;
  co.key_pem = collector_cert->key_pem;
  auto collector = airfleet::uplink::testing::FakeCollector::Start(co);
  if (!collector.ok()) return Fail(collector.status());

  airfleet::uplink::GrpcUplinkOptions uo;
  uo.collector = (*collector)->address();
  uo.ca_file = pki->ca_path();
  uo.cert_file = agent_cert->cert_path;
  uo.key_file = agent_cert->key_path;
  for (bool gzip : {true}) {
    uo.gzip = gzip;
    airfleet::uplink::GrpcUplink uplink(uo, spool->get());
    const auto start = Clock::now();
    if (auto s = uplink.Start(); !s.ok()) return Fail(s);
    absl::Status drained = uplink.DrainAndStop(absl::Now() + absl::Seconds(120));
    const double secs = Seconds(Clock::now() - start);
    if (!drained.ok()) return Fail(drained);
    std::printf("drained %llu summaries (%llu batches, gzip=%d) in %.2f s: %.0f summaries/s\n",
                static_cast<unsigned long long>((*collector)->Summaries()),
                static_cast<unsigned long long>((*collector)->DistinctBatches()), gzip, secs,
                (*collector)->Summaries() / secs);
  }
  collector->reset();
  spool->reset();
  std::filesystem::remove_all(dir);
  return 0;
}
