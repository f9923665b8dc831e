// airfleet-framegen: writes deterministic synthetic 802.11 captures (and their ground truth) for
// tests, benchmarks and demos. Only wiring lives here; see scenario.h and frame_builder.h.

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "tools/framegen/edge_cases.h"
#include "tools/framegen/pcap_writer.h"
#include "tools/framegen/rotation.h"
#include "tools/framegen/scenario.h"

namespace {

constexpr int kLinktypeRadiotap = 127;

int RunScenario(const airfleet::framegen::ScenarioOptions& options, const std::string& format,
                const std::string& out, const std::string& truth_path) {
  using airfleet::framegen::TimestampResolution;
  const airfleet::framegen::Scenario s = airfleet::framegen::GenerateScenario(options);
  std::string bytes;
  if (format == "pcapng") {
    airfleet::framegen::PcapngWriter w;
    const uint32_t iface =
        w.AddInterface(kLinktypeRadiotap, TimestampResolution::kNano, 0, "framegen0");
    for (const auto& r : s.records) w.Add(iface, r.timestamp_ns, r.bytes.data(), r.bytes.size());
    bytes = w.data();
  } else {
    airfleet::framegen::PcapWriter w(kLinktypeRadiotap, format == "pcap-ns"
                                                            ? TimestampResolution::kNano
                                                            : TimestampResolution::kMicro);
    for (const auto& r : s.records) w.Add(r.timestamp_ns, r.bytes.data(), r.bytes.size());
    bytes = w.data();
  }
  if (auto st = airfleet::framegen::WriteFile(out, bytes); !st.ok()) {
    std::fprintf(stderr, "airfleet-framegen: %s\n", st.ToString().c_str());
    return 1;
  }
  if (!truth_path.empty()) {
    if (auto st = airfleet::framegen::WriteFile(truth_path, TruthToJson(s.truth)); !st.ok()) {
      std::fprintf(stderr, "airfleet-framegen: %s\n", st.ToString().c_str());
      return 1;
    }
  }
  std::fprintf(stderr, "wrote %zu frames (%zu device-windows in truth) to %s\n", s.records.size(),
               s.truth.devices.size(), out.c_str());
  return 0;
}

// One record per edge case (see edge_cases.h), then a last record cut short, as a capture
// interrupted mid-write ends.
int RunEdgeCases(const std::string& out) {
  airfleet::framegen::PcapWriter w(kLinktypeRadiotap,
                                   airfleet::framegen::TimestampResolution::kMicro);
  int64_t ts = 1'700'000'000'000'000'000;
  for (const auto& c : airfleet::framegen::EdgeCases()) {
    std::fprintf(stderr, "record %zu: %s (%s)\n", w.records() + 1, c.name.c_str(),
                 c.expected_anomaly.c_str());
    w.Add(ts, c.bytes.data(), c.bytes.size());
    ts += 1'000'000;
  }
  const auto last = airfleet::framegen::EdgeCases().front().bytes;
  w.Add(ts, last.data(), last.size());
  std::string bytes = w.data();
  bytes.resize(bytes.size() - last.size() / 2);
  std::fprintf(stderr, "record %zu: cut short\n", w.records());
  if (auto st = airfleet::framegen::WriteFile(out, bytes); !st.ok()) {
    std::fprintf(stderr, "airfleet-framegen: %s\n", st.ToString().c_str());
    return 1;
  }
  return 0;
}

// Phones rotating randomised MACs (rotation.h), with the clusters they must form as truth.
int RunRotation(const airfleet::framegen::RotationOptions& options, const std::string& out,
                const std::string& truth_path) {
  const auto s = airfleet::framegen::GenerateRotationScenario(options);
  airfleet::framegen::PcapWriter w(kLinktypeRadiotap,
                                   airfleet::framegen::TimestampResolution::kMicro);
  for (const auto& r : s.records) w.Add(r.timestamp_ns, r.bytes.data(), r.bytes.size());
  if (auto st = airfleet::framegen::WriteFile(out, w.data()); !st.ok()) {
    std::fprintf(stderr, "airfleet-framegen: %s\n", st.ToString().c_str());
    return 1;
  }
  if (!truth_path.empty()) {
    if (auto st = airfleet::framegen::WriteFile(truth_path,
                                                airfleet::framegen::RotationTruthToJson(s.truth));
        !st.ok()) {
      std::fprintf(stderr, "airfleet-framegen: %s\n", st.ToString().c_str());
      return 1;
    }
  }
  std::fprintf(stderr, "wrote %zu frames (%zu clusters in truth) to %s\n", s.records.size(),
               s.truth.clusters.size(), out.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"airfleet-framegen: deterministic synthetic 802.11 captures"};
  app.require_subcommand(1);
  airfleet::framegen::ScenarioOptions o;
  std::string out, truth, format = "pcap";
  int64_t window_ms = 60000;
  int64_t start_s = o.start_ns / 1'000'000'000;
  CLI::App* sc = app.add_subcommand("scenario", "APs, probing clients, data, ACKs");
  sc->add_option("--devices", o.devices, "physical devices (about 1/5 are APs)");
  sc->add_option("--frames", o.frames, "frames to write");
  sc->add_option("--seconds", o.seconds, "time span");
  sc->add_option("--seed", o.seed, "random seed (same seed, same file)");
  sc->add_option("--start", start_s, "unix seconds of the first possible frame");
  sc->add_option("--window-ms", window_ms, "window length of the truth")
      ->check(CLI::PositiveNumber);
  sc->add_option("--bad-fcs", o.bad_fcs_fraction, "fraction of frames with a corrupt FCS");
  sc->add_option("--multi-antenna", o.multi_antenna_fraction,
                 "fraction of frames with per-chain signals");
  sc->add_option("--randomised", o.randomised_fraction, "fraction of clients rotating MACs");
  sc->add_flag("!--no-fcs", o.fcs, "frames without FCS");
  sc->add_option("--format", format, "pcap | pcap-ns | pcapng")
      ->check(CLI::IsMember({"pcap", "pcap-ns", "pcapng"}));
  sc->add_option("--out", out, "capture file")->required();
  sc->add_option("--truth", truth, "ground truth JSON file");
  std::string edge_out;
  CLI::App* ec = app.add_subcommand("edge-cases", "one deliberately broken frame per anomaly");
  ec->add_option("--out", edge_out, "capture file")->required();
  airfleet::framegen::RotationOptions rot;
  std::string rot_out, rot_truth;
  int64_t rot_start_s = rot.start_ns / 1'000'000'000;
  CLI::App* rc = app.add_subcommand(
      "rotation", "phones rotating randomised MACs; truth = the clusters they must form");
  rc->add_option("--seed", rot.seed, "random seed (same seed, same file)");
  rc->add_option("--start", rot_start_s, "unix seconds of the first frame (a minute boundary)");
  rc->add_option("--out", rot_out, "capture file (pcap)")->required();
  rc->add_option("--truth", rot_truth, "ground truth JSON file");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (ec->parsed()) return RunEdgeCases(edge_out);
  if (rc->parsed()) {
    rot.start_ns = rot_start_s * 1'000'000'000;
    return RunRotation(rot, rot_out, rot_truth);
  }
  o.window_ns = window_ms * 1'000'000;
  o.start_ns = start_s * 1'000'000'000;
  return RunScenario(o, format, out, truth);
}
