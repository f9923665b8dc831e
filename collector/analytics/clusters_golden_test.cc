// The cluster engine against the rotation generator's ground truth (tools/framegen/rotation.h):
// frames built by the generator, dissected and summarised by the agent's code in process, then
// clustered. The truth is which phone and session the generator made each MAC belong to, so this
// compares two independent computations. tests/e2e/test_clusters.py checks the same through real
// agent, collector and airfleetctl processes.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "agent/dissect/dissector.h"
#include "agent/summarise/window_summariser.h"
#include "collector/analytics/clusters.h"
#include "tools/framegen/rotation.h"

namespace airfleet::analytics {
namespace {

v1::ListClustersResponse ClusterScenario(const framegen::RotationScenario& s) {
  auto summ = summarise::WindowSummariser::Create({});
  EXPECT_TRUE(summ.ok());
  dissect::Frame f;
  for (const auto& rec : s.records) {
    f.timestamp_ns = rec.timestamp_ns;
    f.original_len = static_cast<uint32_t>(rec.bytes.size());
    dissect::Dissect(dissect::kLinktypeRadiotap, rec.bytes.data(), rec.bytes.size(), {}, &f);
    (*summ)->Add(f);
  }
  (*summ)->Flush();
  ClusterEngine engine;
  for (auto& w : (*summ)->TakeSealed()) {
    for (auto& p : w.probes) engine.Add(p);
  }
  return engine.Finish();
}

TEST(ClustersGoldenTest, ClustersAreExactlyTheGeneratorsPhonesAndSessions) {
  const framegen::RotationScenario s = framegen::GenerateRotationScenario({});
  const v1::ListClustersResponse r = ClusterScenario(s);
  ASSERT_EQ(r.clusters_size(), static_cast<int>(s.truth.clusters.size()));
  for (size_t i = 0; i < s.truth.clusters.size(); ++i) {
    const framegen::TruthCluster& t = s.truth.clusters[i];
    const v1::ProbeCluster& c = r.clusters(static_cast<int>(i));
    SCOPED_TRACE(t.phone + " session " + std::to_string(t.session));
    std::vector<uint64_t> want;
    for (const Mac& m : t.macs) want.push_back(m.ToU64());
    EXPECT_THAT(std::vector<uint64_t>(c.macs().begin(), c.macs().end()),
                ::testing::ElementsAreArray(want));
    EXPECT_EQ(c.probes(), t.probes);
    EXPECT_EQ(c.wildcard_probes(), t.wildcard_probes);
    EXPECT_EQ(c.first_seen_ns(), t.first_ns);
    EXPECT_EQ(c.last_seen_ns(), t.last_ns);
    EXPECT_THAT(std::vector<std::string>(c.probed_ssids().begin(), c.probed_ssids().end()),
                ::testing::ElementsAreArray(t.probed_ssids));
    EXPECT_EQ(c.signal_min_dbm(), t.signal_min);
    EXPECT_EQ(c.signal_max_dbm(), t.signal_max);
    uint64_t in_histogram = 0;
    for (const auto& b : c.signal_histogram()) in_histogram += b.probes();
    EXPECT_EQ(in_histogram, t.probes);
    // Only the walker's MACs are linked by sequence continuity (the others never continue).
    EXPECT_EQ(c.seq_links(), t.phone == "walker" ? t.macs.size() - 1 : 0u);
  }
  EXPECT_EQ(r.groups_below_min_macs(), s.truth.below_min.size());
  std::set<uint64_t> clustered;
  for (const auto& c : r.clusters()) clustered.insert(c.macs().begin(), c.macs().end());
  for (const Mac& m : s.truth.global_macs) EXPECT_FALSE(clustered.count(m.ToU64()));
}

TEST(ClustersGoldenTest, SameSeedSameIds) {
  const auto a = ClusterScenario(framegen::GenerateRotationScenario({}));
  const auto b = ClusterScenario(framegen::GenerateRotationScenario({}));
  ASSERT_EQ(a.clusters_size(), b.clusters_size());
  for (int i = 0; i < a.clusters_size(); ++i) EXPECT_EQ(a.clusters(i).id(), b.clusters(i).id());
}

}  // namespace
}  // namespace airfleet::analytics
