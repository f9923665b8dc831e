// Bytes on the wire per device-window summary (docs/architecture.md budget: <= 64 B, compressed).
//
// For each capture: dissect + summarise exactly as `airfleet-agent run --pcap` does (same replay
// loop, same summariser defaults), and, per TakeSealed() result (one spool Append, as the
// runner does; in a replay usually one window), seal batches with spool::SealBatches (1 MiB
// limit, the spool's default), fill in the header fields the spool sets (agent id, stream id,
// sequence, created time, and an AgentHealth on the first batch of each append), wrap each batch in
// the AgentMessage the uplink streams, and measure its serialized size and its gzip size (zlib
// deflate, default level, gzip wrapper: what gRPC's GRPC_COMPRESS_GZIP does per message). gRPC's
// 5-byte message prefix is added to both. HTTP/2 framing and TLS records are not counted.
//
// "Summaries" are DeviceWindows (the unit the spool and collector count); the ProbeObservations
// sealed alongside them are included in the bytes, not in the count.
//
// Usage: wire_size [--window-s N] [--agent-id ID] CAPTURE...
// Prints one line per capture and a total line; exit 1 on an unreadable capture.

#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

#include "agent/cli/open_capture.h"
#include "agent/cli/replay_loop.h"
#include "agent/spool/batch_sealer.h"
#include "agent/summarise/window_summariser.h"
#include "airfleet/v1/ingest.pb.h"

namespace {

using airfleet::v1::AgentMessage;
using airfleet::v1::Batch;

constexpr size_t kGrpcPrefix = 5;  // compressed flag + 4-byte length
constexpr size_t kMaxBatchBytes = 1u << 20;

size_t GzipSize(const std::string& in) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 | 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    std::fprintf(stderr, "wire_size: deflateInit2 failed\n");
    std::exit(1);
  }
  std::string out(deflateBound(&z, in.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  const size_t n = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) {
    std::fprintf(stderr, "wire_size: deflate failed\n");
    std::exit(1);
  }
  return n;
}

struct Totals {
  uint64_t frames = 0;
  uint64_t windows = 0;    // sealed time windows (= spool appends)
  uint64_t summaries = 0;  // DeviceWindows
  uint64_t probes = 0;     // ProbeObservations
  uint64_t batches = 0;
  uint64_t content_bytes = 0;  // serialized DeviceWindows + ProbeObservations alone
  uint64_t probe_bytes = 0;    // of which ProbeObservations
  uint64_t raw_bytes = 0;      // serialized AgentMessage{batch} + gRPC prefix
  uint64_t gzip_bytes = 0;     // gzip(AgentMessage{batch}) + gRPC prefix

  void Add(const Totals& o) {
    frames += o.frames;
    windows += o.windows;
    summaries += o.summaries;
    probes += o.probes;
    batches += o.batches;
    content_bytes += o.content_bytes;
    probe_bytes += o.probe_bytes;
    raw_bytes += o.raw_bytes;
    gzip_bytes += o.gzip_bytes;
  }
};

void Print(const char* name, const Totals& t) {
  const double s = t.summaries ? static_cast<double>(t.summaries) : 1.0;
  std::printf(
      "%-70s frames=%llu windows=%llu summaries=%llu probes=%llu batches=%llu "
      "content_B/summary=%.1f (probes %.1f) raw_B/summary=%.1f gzip_B/summary=%.1f\n",
      name, static_cast<unsigned long long>(t.frames), static_cast<unsigned long long>(t.windows),
      static_cast<unsigned long long>(t.summaries), static_cast<unsigned long long>(t.probes),
      static_cast<unsigned long long>(t.batches), t.content_bytes / s, t.probe_bytes / s,
      t.raw_bytes / s, t.gzip_bytes / s);
}

class Meter {
 public:
  explicit Meter(std::string agent_id) : agent_id_(std::move(agent_id)) {}

  // One TakeSealed() result = one spool Append, as agent/run/agent_runner.cc SpoolSealed does.
  void Seal(std::vector<airfleet::summarise::SealedWindow> sealed, Totals* t) {
    std::vector<airfleet::v1::DeviceWindow> windows;
    std::vector<airfleet::v1::ProbeObservation> probes;
    int64_t created = 0;
    for (auto& w : sealed) {
      if (w.devices.empty() && w.probes.empty()) continue;
      ++t->windows;
      created = w.window_start_ns + int64_t{w.window_ms} * 1'000'000 + 1'000'000'000;
      std::move(w.devices.begin(), w.devices.end(), std::back_inserter(windows));
      std::move(w.probes.begin(), w.probes.end(), std::back_inserter(probes));
    }
    if (windows.empty() && probes.empty()) return;
    t->summaries += windows.size();
    t->probes += probes.size();
    for (const auto& d : windows) t->content_bytes += d.ByteSizeLong();
    for (const auto& p : probes) {
      t->probe_bytes += p.ByteSizeLong();
      t->content_bytes += p.ByteSizeLong();
    }
    {
      std::vector<Batch> batches =
          airfleet::spool::SealBatches(std::move(windows), std::move(probes), kMaxBatchBytes);
      for (size_t i = 0; i < batches.size(); ++i) {
        AgentMessage m;
        Batch* b = m.mutable_batch();
        *b = std::move(batches[i]);
        b->set_agent_id(agent_id_);
        b->set_stream_id(0x9e3779b97f4a7c15ULL);
        b->set_sequence(++sequence_);
        b->set_created_ns(created);
        if (i == 0) {  // the runner attaches its health to every append's first batch
          auto* h = b->mutable_health();
          h->set_time_ns(created);
          h->mutable_capture()->set_received(frames_seen_);
          h->mutable_capture()->set_frames_ok(frames_seen_);
          h->set_spool_batches(1);
          h->set_spool_bytes(b->ByteSizeLong());
        }
        std::string bytes;
        m.SerializeToString(&bytes);
        ++t->batches;
        t->raw_bytes += bytes.size() + kGrpcPrefix;
        t->gzip_bytes += GzipSize(bytes) + kGrpcPrefix;
      }
    }
  }
  void set_frames_seen(uint64_t n) { frames_seen_ = n; }

 private:
  std::string agent_id_;
  uint64_t sequence_ = 0;
  uint64_t frames_seen_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  int64_t window_s = 60;
  std::string agent_id = "pi-01";
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--window-s") == 0 && i + 1 < argc) {
      window_s = std::atoll(argv[++i]);
    } else if (std::strcmp(argv[i], "--agent-id") == 0 && i + 1 < argc) {
      agent_id = argv[++i];
    } else if (argv[i][0] == '-') {
      std::fprintf(stderr, "usage: wire_size [--window-s N] [--agent-id ID] CAPTURE...\n");
      return 1;
    } else {
      files.push_back(argv[i]);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: wire_size [--window-s N] [--agent-id ID] CAPTURE...\n");
    return 1;
  }
  Totals all;
  int rc = 0;
  for (const std::string& path : files) {
    airfleet::summarise::SummariserOptions so;
    so.window_ms = window_s * 1000;
    auto summariser = airfleet::summarise::WindowSummariser::Create(so);
    if (!summariser.ok()) {
      std::fprintf(stderr, "wire_size: %s\n", std::string(summariser.status().message()).c_str());
      return 1;
    }
    auto source = airfleet::cli::OpenCaptureForReplay(path, 0);
    if (!source.ok()) {
      std::fprintf(stderr, "wire_size: %s: %s\n", path.c_str(),
                   std::string(source.status().message()).c_str());
      rc = 1;
      continue;
    }
    Meter meter(agent_id);
    Totals t;
    airfleet::dissect::DissectOptions dopt;
    airfleet::cli::DissectAll(**source, dopt,
                              [&](uint64_t index, const airfleet::dissect::Frame& f) {
                                (*summariser)->Add(f);
                                meter.set_frames_seen(index);
                                meter.Seal((*summariser)->TakeSealed(), &t);
                                return true;
                              });
    (*summariser)->Flush();
    meter.Seal((*summariser)->TakeSealed(), &t);
    t.frames = (*summariser)->counters().frames_in;
    const char* base = std::strrchr(path.c_str(), '/');
    Print(base ? base + 1 : path.c_str(), t);
    all.Add(t);
  }
  if (files.size() > 1) Print("TOTAL", all);
  return rc;
}
