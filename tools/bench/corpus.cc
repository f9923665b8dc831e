#include "tools/bench/corpus.h"

#include "tools/framegen/scenario.h"

namespace airfleet::bench {

Corpus BuildCorpus(int devices, int frames, uint32_t snaplen) {
  framegen::ScenarioOptions o;
  o.devices = devices;
  o.frames = frames;
  o.seconds = 300;
  o.seed = 2024;
  o.bad_fcs_fraction = 0.01;
  const framegen::Scenario s = framegen::GenerateScenario(o);
  Corpus c;
  c.records.reserve(s.records.size());
  for (const auto& r : s.records) {
    const uint32_t len = static_cast<uint32_t>(r.bytes.size());
    const uint32_t cap = (snaplen > 0 && len > snaplen) ? snaplen : len;
    c.records.push_back({r.timestamp_ns, static_cast<uint32_t>(c.data.size()), cap, len});
    c.data.insert(c.data.end(), r.bytes.begin(), r.bytes.begin() + cap);
  }
  const int64_t minute = 60'000'000'000;
  const int64_t span =
      s.records.empty() ? 0 : s.records.back().timestamp_ns - s.records.front().timestamp_ns;
  c.span_ns = (span / minute + 1) * minute;
  return c;
}

}  // namespace airfleet::bench
