// Sink throughput into a real Elasticsearch/OpenSearch: writes N distinct device windows through
// ElasticsearchSink in delivery-loop-sized batches and prints windows per second.
//   es_sink_throughput http://127.0.0.1:9280 [windows=100000] [batch=1000] [prefix=bench]
// Numbers are reported in docs/sinks.md; this is a measuring tool, not a test.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "collector/sinks/elasticsearch/elasticsearch_sink.h"
#include "collector/sinks/elasticsearch/test_records.h"

using namespace airfleet::collector::sinks;
using namespace airfleet::collector::sinks::elasticsearch;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s URL [windows] [batch] [prefix]\n", argv[0]);
    return 2;
  }
  size_t total = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 100000;
  size_t batch = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1000;
  ElasticsearchConfig config;
  config.hosts = {argv[1]};
  config.index_prefix = argc > 4 ? argv[4] : "bench";
  auto sink = MakeElasticsearchSink(config);
  if (!sink.ok()) {
    std::fprintf(stderr, "%s\n", std::string(sink.status().message()).c_str());
    return 1;
  }
  if (absl::Status s = (*sink)->Open(); !s.ok()) {
    std::fprintf(stderr, "open: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  size_t ok = 0, other = 0;
  auto start = std::chrono::steady_clock::now();
  for (size_t done = 0; done < total;) {
    std::vector<Record> records;
    for (size_t i = 0; i < batch && done < total; ++i, ++done) {
      records.push_back(testing::FullWindow(0x020000000000ULL + done));
    }
    for (const ItemResult& r : (*sink)->Write(records)) (r.verdict == Verdict::kOk ? ok : other)++;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto& st = (*sink)->stats();
  std::printf(
      "windows=%zu ok=%zu not_ok=%zu batch=%zu seconds=%.2f windows_per_s=%.0f "
      "bulk_requests=%llu ndjson_bytes_per_window=%.0f\n",
      total, ok, other, batch, seconds, total / seconds,
      static_cast<unsigned long long>(st.bulk_requests),
      static_cast<double>(st.bytes_sent) / total);
  return other == 0 ? 0 : 1;
}
