// Clusters on the real ProbingPatternsDataset captures (one file per physical phone, see
// ../shared/testdata/pcaps/MANIFEST.tsv): each file is summarised by the agent's own code
// (dissector + window summariser, as `airfleet-agent summarise` does), the files are shifted onto
// one common start time (so they overlap as if all phones were in one room), and the whole fleet
// is clustered at once. The file a MAC came from is the truth. What holds (asserted): a cluster
// only mixes files that send the same fingerprint, and phones with a fingerprint of their own come
// out pure. Prints the per-file figures quoted in docs/analytics.md.
//
// Needs the captures: AIRFLEET_REAL_PCAPS, or AIRFLEET_SOURCE_DIR/../shared/testdata/pcaps
// (ctest sets AIRFLEET_SOURCE_DIR); skipped when absent.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "agent/cli/open_capture.h"
#include "agent/cli/replay_loop.h"
#include "agent/summarise/window_summariser.h"
#include "collector/analytics/clusters.h"

namespace airfleet::analytics {
namespace {

constexpr int64_t kWindowNs = 60'000'000'000;
constexpr int64_t kCommonStartNs = 1'700'000'000'000'000'000 / kWindowNs * kWindowNs;

std::string RealPcapDir() {
  if (const char* d = std::getenv("AIRFLEET_REAL_PCAPS")) return d;
  if (const char* s = std::getenv("AIRFLEET_SOURCE_DIR"))
    return std::string(s) + "/../shared/testdata/pcaps";
  return "";
}

std::vector<std::string> PhoneFiles(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("ProbingPatternsDataset__", 0) == 0) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The agent's probe observations of one capture, in 60 s windows.
std::vector<v1::ProbeObservation> Summarise(const std::string& path) {
  std::vector<v1::ProbeObservation> out;
  auto summariser = summarise::WindowSummariser::Create({});
  EXPECT_TRUE(summariser.ok());
  auto source = cli::OpenCaptureForReplay(path, 0);
  EXPECT_TRUE(source.ok()) << source.status();
  if (!summariser.ok() || !source.ok()) return out;
  auto take = [&] {
    for (auto& w : (*summariser)->TakeSealed()) {
      for (auto& p : w.probes) out.push_back(std::move(p));
    }
  };
  cli::ReplayResult r = cli::DissectAll(**source, {}, [&](uint64_t, const dissect::Frame& f) {
    (*summariser)->Add(f);
    take();
    return true;
  });
  (*summariser)->Flush();
  take();
  EXPECT_EQ(r.exit_code, 0) << r.message;
  return out;
}

struct PhoneFigures {
  size_t randomised_macs = 0;
  size_t fingerprints = 0;
  int clusters_alone = 0;
  size_t macs_in_clusters_alone = 0;
  int clusters_in_fleet = 0;
  size_t macs_in_fleet_clusters = 0;
};

TEST(ClustersRealDataTest, ClustersOnlyMixPhonesThatShareAFingerprint) {
  const std::string dir = RealPcapDir();
  const std::vector<std::string> files = dir.empty() ? std::vector<std::string>{} : PhoneFiles(dir);
  if (files.empty()) GTEST_SKIP() << "real captures not found; set AIRFLEET_REAL_PCAPS";

  std::map<uint64_t, std::set<std::string>> files_of_mac;
  std::map<std::string, std::set<uint64_t>> fingerprints_of_file;
  std::map<uint64_t, std::set<std::string>> files_with_fingerprint;
  std::map<std::string, PhoneFigures> figures;
  ClusterEngine fleet;
  for (const std::string& file : files) {
    std::vector<v1::ProbeObservation> probes = Summarise(dir + "/" + file);
    ASSERT_FALSE(probes.empty()) << file;
    int64_t first = probes.front().window_start_ns();
    for (const auto& p : probes) first = std::min(first, p.window_start_ns());
    // Whole windows, so offsets inside windows stay as the agent wrote them.
    const int64_t shift = kCommonStartNs - first;
    ClusterEngine alone;
    std::set<uint64_t> macs, fps;
    for (auto& p : probes) {
      p.set_window_start_ns(p.window_start_ns() + shift);
      alone.Add(p);
      fleet.Add(p);
      if (IsRandomisedMac(p.mac()) && p.fingerprint() != 0) {
        macs.insert(p.mac());
        fps.insert(p.fingerprint());
        files_of_mac[p.mac()].insert(file);
        fingerprints_of_file[file].insert(p.fingerprint());
        files_with_fingerprint[p.fingerprint()].insert(file);
      }
    }
    PhoneFigures& f = figures[file];
    f.randomised_macs = macs.size();
    f.fingerprints = fps.size();
    const v1::ListClustersResponse own = alone.Finish();
    f.clusters_alone = own.clusters_size();
    for (const auto& c : own.clusters()) f.macs_in_clusters_alone += c.macs_size();
  }
  // The same (anonymised) MAC in two files would make the check below meaningless.
  for (const auto& [mac, in] : files_of_mac) ASSERT_EQ(in.size(), 1u) << std::hex << mac;

  const v1::ListClustersResponse result = fleet.Finish();
  ASSERT_GT(result.clusters_size(), 0);
  int mixed = 0;
  size_t misplaced_macs = 0;
  for (const v1::ProbeCluster& c : result.clusters()) {
    std::map<std::string, size_t> per_file;
    for (uint64_t mac : c.macs()) ++per_file[*files_of_mac[mac].begin()];
    auto majority =
        std::max_element(per_file.begin(), per_file.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; });
    PhoneFigures& f = figures[majority->first];
    ++f.clusters_in_fleet;
    f.macs_in_fleet_clusters += majority->second;
    if (per_file.size() == 1) continue;
    ++mixed;
    misplaced_macs += static_cast<size_t>(c.macs_size()) - majority->second;
    // What holds: a cluster only ever mixes phones that send the same fingerprint (same model and
    // OS); two such phones at a similar distance are indistinguishable by fingerprint and signal
    // once their MACs stop overlapping in time (docs/analytics.md).
    for (const auto& [file, n] : per_file) {
      EXPECT_TRUE(fingerprints_of_file[file].count(c.fingerprint()))
          << "cluster " << std::hex << c.id() << " holds MACs of " << file
          << " which never sent its fingerprint";
    }
  }
  // Phones whose fingerprint no other file sends must come out pure.
  for (const v1::ProbeCluster& c : result.clusters()) {
    std::set<std::string> in;
    for (uint64_t mac : c.macs()) in.insert(*files_of_mac[mac].begin());
    for (const std::string& file : in) {
      if (files_with_fingerprint[c.fingerprint()].size() == 1) {
        EXPECT_EQ(in.size(), 1u) << file << " has a unique fingerprint but was merged";
      }
    }
  }
  std::printf("%-56s %8s %4s %6s %11s %6s %11s\n", "file", "rnd_macs", "fps", "alone", "macs_alone",
              "fleet", "macs_fleet");
  for (const auto& [file, f] : figures) {
    std::printf("%-56s %8zu %4zu %6d %11zu %6d %11zu\n", file.c_str(), f.randomised_macs,
                f.fingerprints, f.clusters_alone, f.macs_in_clusters_alone, f.clusters_in_fleet,
                f.macs_in_fleet_clusters);
  }
  std::printf(
      "fleet: %d clusters (%d mixing phones of one model, %zu MACs in a cluster of another "
      "phone), %llu groups below min MACs, %llu randomised MACs\n",
      result.clusters_size(), mixed, misplaced_macs,
      static_cast<unsigned long long>(result.groups_below_min_macs()),
      static_cast<unsigned long long>(result.randomised_macs()));
}

}  // namespace
}  // namespace airfleet::analytics
