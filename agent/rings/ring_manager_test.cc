#include "agent/rings/ring_manager.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "agent/capture/capture_file_reader.h"
#include "agent/rings/ring_state.h"
#include "tools/framegen/frame_builder.h"
#include "tools/framegen/test_util.h"

namespace airfleet::rings {
namespace {

namespace fs = std::filesystem;
using framegen::Bytes;
using framegen::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kT0 = 1'700'000'040'000'000'000;  // 2023-11-14 22:14:00 UTC, a whole minute

Bytes ProbeRequest(uint64_t mac) {
  framegen::PacketSpec p;
  p.radiotap = framegen::RadiotapSpec{};
  p.radiotap->freq_mhz = 2412;
  p.radiotap->signal_dbm = -50;
  p.mac = framegen::ProbeRequest(Mac::FromU64(0x020000000000 | mac), Bytes(150, 0xdd));
  return framegen::BuildPacket(p);
}

Bytes Beacon(uint64_t mac, bool radiotap = true) {
  framegen::PacketSpec p;
  if (radiotap) p.radiotap = framegen::RadiotapSpec{};
  p.mac = framegen::Beacon(Mac::FromU64(0x000c42000000 | mac), Bytes(60, 0xdd));
  return framegen::BuildPacket(p);
}

capture::Packet At(const Bytes& bytes, int64_t ts_ns, int linktype = 127) {
  capture::Packet p;
  p.timestamp_ns = ts_ns;
  p.captured_len = static_cast<uint32_t>(bytes.size());
  p.original_len = p.captured_len;
  p.linktype = linktype;
  p.data = bytes.data();
  return p;
}

struct ReadBack {
  std::vector<int64_t> timestamps;
  std::vector<Bytes> data;
  int linktype = 0;
  std::string error;
};

// The agent's own reader.
ReadBack Read(const std::string& path) {
  ReadBack out;
  auto reader = capture::CaptureFileReader::Open(path);
  if (!reader.ok()) {
    out.error = reader.status().ToString();
    return out;
  }
  capture::Packet p;
  while (true) {
    absl::StatusOr<bool> next = (*reader)->Next(&p);
    if (!next.ok()) {
      out.error = next.status().ToString();
      break;
    }
    if (!*next) break;
    out.linktype = p.linktype;
    out.timestamps.push_back(p.timestamp_ns);
    out.data.emplace_back(p.data, p.data + p.captured_len);
  }
  return out;
}

// tshark, the independent oracle: number of frames it reads from `path`, -1 on failure.
int TsharkCount(const std::string& path, const std::string& display_filter = "") {
  std::string args = "-r '" + path + "' -T fields -e frame.number";
  if (!display_filter.empty()) args += " -Y '" + display_filter + "'";
  return static_cast<int>(framegen::testing::Tshark(args).size());
}

std::string FilePath(const std::string& rings_dir, const std::string& ring,
                     const std::string& file) {
  return rings_dir + "/" + ring + "/files/" + file;
}

RingInfo Only(const RingManager& m) {
  std::vector<RingInfo> all = m.List();
  EXPECT_EQ(all.size(), 1u);
  return all.empty() ? RingInfo{} : all[0];
}

std::vector<std::string> Names(const RingInfo& info) {
  std::vector<std::string> names;
  for (const RingFileInfo& f : info.files) names.push_back(f.name);
  return names;
}

std::vector<std::string> FilesOnDisk(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

class RingManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto m = RingManager::Open(dir_.File("rings"));
    ASSERT_TRUE(m.ok()) << m.status();
    manager_ = std::move(*m);
  }
  std::string Dir() const { return dir_.File("rings"); }

  TempDir dir_;
  std::unique_ptr<RingManager> manager_;
};

TEST_F(RingManagerTest, RotatesBySizeAndKeepsTheNewestFiles) {
  RingSpec spec;
  spec.name = "size";
  spec.rotate_bytes = 4096;
  spec.keep_files = 3;
  ASSERT_TRUE(manager_->Start(spec).ok());
  const Bytes frame = ProbeRequest(1);
  const uint64_t record = 16 + frame.size();
  const uint64_t per_file = (4096 - 24) / record;
  ASSERT_GE(per_file, 2u);
  const int fed = static_cast<int>(per_file * 5 + 2);  // 5 full files + an open one of 2
  for (int i = 0; i < fed; ++i) manager_->OnPacket(At(frame, kT0 + i * 1'000'000));

  RingInfo info = Only(*manager_);
  EXPECT_TRUE(info.running);
  EXPECT_EQ(info.packets_written, static_cast<uint64_t>(fed));
  EXPECT_EQ(info.write_errors, 0u);
  // 6 files were made within the same second: the later ones get -N; the 2 oldest are gone
  // (3 closed files kept + the open one).
  EXPECT_THAT(Names(info), ElementsAre("20231114-221400-2.pcap", "20231114-221400-3.pcap",
                                       "20231114-221400-4.pcap", "20231114-221400-5.pcap"));
  ASSERT_EQ(info.files.size(), 4u);
  EXPECT_FALSE(info.files[2].open);
  EXPECT_TRUE(info.files[3].open);
  EXPECT_EQ(info.files[3].packets, 2u);
  EXPECT_EQ(FilesOnDisk(Dir() + "/size/files"),
            (std::vector<std::string>{"20231114-221400-2.pcap", "20231114-221400-3.pcap",
                                      "20231114-221400-4.pcap", "20231114-221400-5.pcap"}));
  for (const RingFileInfo& f : info.files) {
    const std::string path = FilePath(Dir(), "size", f.name);
    EXPECT_LE(fs::file_size(path), 4096u);
    EXPECT_EQ(fs::file_size(path), f.bytes);
    const ReadBack rb = Read(path);
    EXPECT_EQ(rb.error, "");
    EXPECT_EQ(rb.timestamps.size(), f.packets) << f.name;
    EXPECT_EQ(TsharkCount(path), static_cast<int>(f.packets)) << f.name;
  }
  EXPECT_EQ(info.files[0].packets, per_file);
  // Nanoseconds survive: the 3rd file made starts with packet number 2 * per_file.
  EXPECT_EQ(info.files[0].first_packet_ns, kT0 + static_cast<int64_t>(2 * per_file) * 1'000'000);
}

TEST_F(RingManagerTest, RotatesByPacketTimeOnMinuteBoundaries) {
  RingSpec spec;
  spec.name = "time";
  spec.rotate_seconds = 60;
  spec.keep_files = 2;
  spec.file_pattern = "air-%F_%H%M%S.pcap";
  ASSERT_TRUE(manager_->Start(spec).ok());
  const Bytes frame = Beacon(7);
  // Every 25 s from 22:14:05: minutes 14 (05, 30, 55), 15 (20, 45), 16 (10, 35), 17 (00).
  for (int i = 0; i < 8; ++i) {
    manager_->OnPacket(At(frame, kT0 + 5'000'000'000 + i * 25'000'000'000LL));
  }
  RingInfo info = Only(*manager_);
  EXPECT_THAT(Names(info), ElementsAre("air-2023-11-14_221520.pcap", "air-2023-11-14_221610.pcap",
                                       "air-2023-11-14_221700.pcap"));
  ASSERT_EQ(info.files.size(), 3u);
  EXPECT_EQ(info.files[0].packets, 2u);
  EXPECT_EQ(info.files[1].packets, 2u);
  EXPECT_EQ(info.files[2].packets, 1u);
  EXPECT_FALSE(fs::exists(FilePath(Dir(), "time", "air-2023-11-14_221405.pcap")));
  for (const RingFileInfo& f : info.files) {
    EXPECT_EQ(TsharkCount(FilePath(Dir(), "time", f.name)), static_cast<int>(f.packets));
  }
  // Rate: 8 records over the last 10 s of packet time: only the packet at 22:17:00 is inside.
  EXPECT_DOUBLE_EQ(info.bytes_per_second, static_cast<double>(16 + frame.size()) / 10.0);
}

TEST_F(RingManagerTest, AClockStepBackByMoreThanAPeriodStartsANewFile) {
  RingSpec spec;
  spec.name = "step";
  spec.rotate_seconds = 60;
  ASSERT_TRUE(manager_->Start(spec).ok());
  const Bytes frame = Beacon(1);
  manager_->OnPacket(At(frame, kT0 + 30'000'000'000LL));
  manager_->OnPacket(At(frame, kT0 - 10'000'000'000LL));    // 40 s back: same file
  manager_->OnPacket(At(frame, kT0 - 3600'000'000'000LL));  // an hour back: new file
  manager_->OnPacket(At(frame, kT0 - 3599'000'000'000LL));
  EXPECT_THAT(Names(Only(*manager_)), ElementsAre("20231114-221430.pcap", "20231114-211400.pcap"));
  EXPECT_EQ(Only(*manager_).files[0].packets, 2u);
  EXPECT_EQ(Only(*manager_).files[1].packets, 2u);
}

TEST_F(RingManagerTest, BpfFilterKeepsProbeRequestsAndLinktypeChangeStartsANewFile) {
  RingSpec spec;
  spec.name = "probes";
  spec.rotate_seconds = 3600;
  spec.bpf_filter = "wlan type mgt subtype probe-req";
  ASSERT_TRUE(manager_->Start(spec).ok());
  const Bytes probe = ProbeRequest(2), beacon = Beacon(3);
  for (int i = 0; i < 30; ++i) {
    manager_->OnPacket(At(i % 3 == 0 ? probe : beacon, kT0 + i * 1'000'000));
  }
  // The same filter on plain 802.11 (DLT 105) frames: compiled again for that linktype.
  framegen::PacketSpec plain;
  plain.mac = framegen::ProbeRequest(Mac::FromU64(0x020000000009), Bytes(20, 0xdd));
  const Bytes plain_probe = framegen::BuildPacket(plain);
  const Bytes plain_beacon = Beacon(4, /*radiotap=*/false);
  manager_->OnPacket(At(plain_probe, kT0 + 2'000'000'000, 105));
  manager_->OnPacket(At(plain_beacon, kT0 + 2'001'000'000, 105));
  ASSERT_TRUE(manager_->Stop("probes").ok());

  RingInfo info = Only(*manager_);
  EXPECT_FALSE(info.running);
  EXPECT_EQ(info.packets_written, 11u);
  EXPECT_EQ(info.packets_filtered_out, 21u);
  EXPECT_EQ(info.last_error, "");
  ASSERT_EQ(info.files.size(), 2u);
  const std::string radiotap_file = FilePath(Dir(), "probes", info.files[0].name);
  const std::string plain_file = FilePath(Dir(), "probes", info.files[1].name);
  EXPECT_EQ(Read(radiotap_file).linktype, 127);
  EXPECT_EQ(Read(plain_file).linktype, 105);
  EXPECT_EQ(TsharkCount(radiotap_file), 10);
  EXPECT_EQ(TsharkCount(radiotap_file, "wlan.fc.type_subtype == 4"), 10);
  EXPECT_EQ(TsharkCount(plain_file, "wlan.fc.type_subtype == 4"), 1);
  EXPECT_EQ(TsharkCount(plain_file), 1);
}

TEST_F(RingManagerTest, FilterThatCannotCompileForALaterLinktypeMatchesNothingThereAndSaysWhy) {
  RingSpec spec;
  spec.name = "radio";
  spec.rotate_seconds = 60;
  spec.bpf_filter = "wlan type mgt";  // 802.11 linktypes only
  ASSERT_TRUE(manager_->Start(spec).ok());
  const Bytes beacon = Beacon(1);
  manager_->OnPacket(At(beacon, kT0, 127));
  manager_->OnPacket(At(beacon, kT0 + 1, 1));  // Ethernet
  RingInfo info = Only(*manager_);
  EXPECT_EQ(info.packets_written, 1u);
  EXPECT_EQ(info.packets_filtered_out, 1u);
  EXPECT_THAT(info.last_error,
              HasSubstr("does not compile for linktype 1: 802.11 link-layer types supported only"));
}

TEST_F(RingManagerTest, WrittenFilesMatchRealCapturesPacketForPacket) {
  const char* env = std::getenv("AIRFLEET_REAL_PCAPS");
  const std::string corpus = env != nullptr ? env : "/work/shared/testdata/pcaps";
  if (!fs::is_directory(corpus)) GTEST_SKIP() << "no real captures at " << corpus;
  std::vector<std::string> inputs;
  for (const auto& e : fs::directory_iterator(corpus)) {
    const std::string n = e.path().filename().string();
    if (n.find(".pcap") != std::string::npos || n.find(".cap") != std::string::npos) {
      inputs.push_back(e.path().string());
    }
  }
  std::sort(inputs.begin(), inputs.end());
  ASSERT_FALSE(inputs.empty());
  RingSpec spec;
  spec.name = "all";
  spec.rotate_bytes = 1024 * 1024;
  spec.keep_files = kMaxKeepFiles;
  ASSERT_TRUE(manager_->Start(spec).ok());
  std::vector<int64_t> fed_ts;
  std::vector<Bytes> fed_data;
  for (const std::string& path : inputs) {
    auto reader = capture::CaptureFileReader::Open(path);
    if (!reader.ok()) continue;
    capture::Packet p;
    while (true) {
      absl::StatusOr<bool> next = (*reader)->Next(&p);
      if (!next.ok() || !*next) break;  // a cut-short file: keep its whole records
      manager_->OnPacket(p);
      fed_ts.push_back(p.timestamp_ns);
      fed_data.emplace_back(p.data, p.data + p.captured_len);
    }
  }
  ASSERT_TRUE(manager_->Stop("all").ok());
  RingInfo info = Only(*manager_);
  EXPECT_EQ(info.write_errors, 0u);
  EXPECT_EQ(info.packets_written, fed_ts.size());
  std::vector<int64_t> got_ts;
  std::vector<Bytes> got_data;
  int tshark_total = 0;
  for (const RingFileInfo& f : info.files) {
    const std::string path = FilePath(Dir(), "all", f.name);
    ReadBack rb = Read(path);
    EXPECT_EQ(rb.error, "") << f.name;
    EXPECT_EQ(rb.timestamps.size(), f.packets) << f.name;
    got_ts.insert(got_ts.end(), rb.timestamps.begin(), rb.timestamps.end());
    got_data.insert(got_data.end(), rb.data.begin(), rb.data.end());
    const int n = TsharkCount(path);
    EXPECT_EQ(n, static_cast<int>(f.packets)) << f.name;
    tshark_total += n;
  }
  EXPECT_EQ(tshark_total, static_cast<int>(fed_ts.size()));
  EXPECT_EQ(got_ts, fed_ts);
  EXPECT_TRUE(got_data == fed_data);
  std::cout << inputs.size() << " captures, " << fed_ts.size() << " packets, " << info.files.size()
            << " ring files\n";
}

TEST_F(RingManagerTest, ReadChunkReassemblesTheFileAndItsHashMatchesSha256sum) {
  RingSpec spec;
  spec.name = "fetch";
  spec.rotate_seconds = 60;
  ASSERT_TRUE(manager_->Start(spec).ok());
  for (int i = 0; i < 50; ++i) manager_->OnPacket(At(ProbeRequest(i), kT0 + i * 1000));
  const std::string open_name = Only(*manager_).files.at(0).name;
  absl::StatusOr<FileChunk> refused = manager_->ReadChunk("fetch", open_name, 0, 1000);
  EXPECT_TRUE(absl::IsFailedPrecondition(refused.status())) << refused.status();
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("rotate the ring first"));

  ASSERT_TRUE(manager_->Rotate("fetch").ok());
  const RingFileInfo file = Only(*manager_).files.at(0);
  EXPECT_FALSE(file.open);
  std::string whole;
  std::string sha;
  for (int chunks = 0;; ++chunks) {
    ASSERT_LT(chunks, 100);
    absl::StatusOr<FileChunk> c = manager_->ReadChunk("fetch", file.name, whole.size(), 1000);
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_EQ(c->file_size, file.bytes);
    if (!sha.empty()) {
      EXPECT_EQ(c->sha256_hex, sha);
    }
    sha = c->sha256_hex;
    whole += c->data;
    if (c->eof) break;
    EXPECT_EQ(c->data.size(), 1000u);
  }
  const std::string path = FilePath(Dir(), "fetch", file.name);
  std::ifstream in(path, std::ios::binary);
  const std::string on_disk((std::istreambuf_iterator<char>(in)), {});
  EXPECT_TRUE(whole == on_disk);
  FILE* p = ::popen(("sha256sum '" + path + "'").c_str(), "r");
  ASSERT_NE(p, nullptr);
  char line[256] = {};
  ASSERT_NE(std::fgets(line, sizeof line, p), nullptr);
  ::pclose(p);
  EXPECT_EQ(sha, std::string(line, 64));

  EXPECT_TRUE(
      absl::IsOutOfRange(manager_->ReadChunk("fetch", file.name, file.bytes + 1, 10).status()));
  absl::StatusOr<FileChunk> end = manager_->ReadChunk("fetch", file.name, file.bytes, 10);
  ASSERT_TRUE(end.ok());
  EXPECT_TRUE(end->eof);
  EXPECT_EQ(end->data, "");
}

TEST_F(RingManagerTest, ReadChunkRejectsUnknownNamesAndPathTraversal) {
  RingSpec spec;
  spec.name = "r";
  spec.rotate_seconds = 60;
  ASSERT_TRUE(manager_->Start(spec).ok());
  manager_->OnPacket(At(Beacon(1), kT0));
  ASSERT_TRUE(manager_->Rotate("r").ok());
  // A file the traversal would reach if names were joined blindly.
  std::ofstream(Dir() + "/secret") << "secret";
  for (const char* bad : {"../ring.json", "../../secret", "/etc/passwd", "", ".", "..",
                          "files/../ring.json", "20231114-221400.pcap/"}) {
    absl::StatusOr<FileChunk> c = manager_->ReadChunk("r", bad, 0, 100);
    EXPECT_TRUE(absl::IsNotFound(c.status())) << bad << ": " << c.status();
  }
  EXPECT_TRUE(manager_->ReadChunk("r", "20231114-221400.pcap", 0, 100).ok());
  EXPECT_TRUE(absl::IsNotFound(manager_->ReadChunk("../r", "x", 0, 100).status()));
  EXPECT_TRUE(absl::IsNotFound(manager_->ReadChunk("nope", "x", 0, 100).status()));
}

TEST_F(RingManagerTest, RingsComeBackRunningAfterReopenWithTheirOldFiles) {
  RingSpec spec;
  spec.name = "persist";
  spec.rotate_seconds = 60;
  spec.bpf_filter = "wlan type mgt subtype beacon";
  ASSERT_TRUE(manager_->Start(spec).ok());
  RingSpec stopped = spec;
  stopped.name = "stopped";
  ASSERT_TRUE(manager_->Start(stopped).ok());
  ASSERT_TRUE(manager_->Stop("stopped").ok());
  for (int i = 0; i < 5; ++i) manager_->OnPacket(At(Beacon(i), kT0 + i));
  manager_.reset();  // an orderly agent stop

  auto reopened = RingManager::Open(Dir());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  manager_ = std::move(*reopened);
  std::vector<RingInfo> rings = manager_->List();
  ASSERT_EQ(rings.size(), 2u);
  EXPECT_EQ(rings[0].spec, spec);
  EXPECT_TRUE(rings[0].running);
  EXPECT_FALSE(rings[1].running);
  ASSERT_EQ(rings[0].files.size(), 1u);
  EXPECT_FALSE(rings[0].files[0].open);
  EXPECT_EQ(rings[0].files[0].packets, 5u);
  // The restarted ring writes a new file; the old one stays listed.
  manager_->OnPacket(At(Beacon(9), kT0 + 1'000'000'000));
  manager_->OnPacket(At(ProbeRequest(9), kT0 + 1'000'000'001));  // filtered out
  RingInfo after = manager_->List()[0];
  ASSERT_EQ(after.files.size(), 2u);
  EXPECT_EQ(after.files[1].name, "20231114-221401.pcap");
  EXPECT_TRUE(after.files[1].open);
  EXPECT_EQ(after.packets_filtered_out, 1u);
}

TEST_F(RingManagerTest, ADamagedRingJsonSkipsThatRingOnlyAndSaysWhy) {
  RingSpec spec;
  spec.rotate_seconds = 60;
  for (const char* name : {"good", "bad"}) {
    spec.name = name;
    ASSERT_TRUE(manager_->Start(spec).ok());
  }
  manager_.reset();
  std::ofstream(Dir() + "/bad/ring.json", std::ios::trunc) << "{\"spec\": {\"na";  // torn
  auto m = RingManager::Open(Dir());
  ASSERT_TRUE(m.ok()) << m.status();
  RingInfo info = Only(**m);
  EXPECT_EQ(info.spec.name, "good");
  EXPECT_TRUE(info.running);
  ASSERT_EQ((*m)->load_errors().size(), 1u);
  EXPECT_THAT((*m)->load_errors()[0], HasSubstr("/bad/ring.json: "));
}

TEST_F(RingManagerTest, AFileOpenWhenTheAgentDiedIsScannedAndACutRecordTruncated) {
  RingSpec spec;
  spec.name = "crash";
  spec.rotate_seconds = 60;
  ASSERT_TRUE(manager_->Start(spec).ok());
  manager_->OnPacket(At(Beacon(1), kT0));
  ASSERT_TRUE(manager_->Rotate("crash").ok());
  for (int i = 0; i < 7; ++i) manager_->OnPacket(At(Beacon(i), kT0 + 1'000'000'000 + i));
  // Copy the state as a kill -9 leaves it: ring.json lists only the closed file; the open one
  // is on disk. Then a power cut tears the last record.
  const std::string copy = dir_.File("after_crash");
  fs::copy(Dir(), copy, fs::copy_options::recursive);
  const std::string torn = copy + "/crash/files/20231114-221401.pcap";
  const uintmax_t whole = fs::file_size(torn);
  std::ofstream(torn, std::ios::app) << std::string(10, 'x');  // half a record header
  auto m = RingManager::Open(copy);
  ASSERT_TRUE(m.ok()) << m.status();
  RingInfo info = Only(**m);
  ASSERT_EQ(info.files.size(), 2u);
  EXPECT_EQ(info.files[1].name, "20231114-221401.pcap");
  EXPECT_EQ(info.files[1].packets, 7u);
  EXPECT_EQ(info.files[1].first_packet_ns, kT0 + 1'000'000'000);
  EXPECT_EQ(info.files[1].last_packet_ns, kT0 + 1'000'000'006);
  EXPECT_EQ(fs::file_size(torn), whole);
  EXPECT_EQ(info.files[1].bytes, whole);
  EXPECT_EQ(TsharkCount(torn), 7);
  // The rebuilt list was saved.
  auto state = RingStateFromJson(*ReadWholeFile(copy + "/crash/ring.json"), "ring.json");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->files.size(), 2u);
}

TEST_F(RingManagerTest, StartStopRotateRemoveContracts) {
  RingSpec spec;
  spec.name = "a";
  spec.rotate_seconds = 60;
  ASSERT_TRUE(manager_->Start(spec).ok());
  EXPECT_TRUE(manager_->Start(spec).ok()) << "a retried start is not an error";
  RingSpec other = spec;
  other.bpf_filter = "wlan type data";
  absl::Status st = manager_->Start(other);
  EXPECT_TRUE(absl::IsAlreadyExists(st)) << st;
  EXPECT_THAT(std::string(st.message()), HasSubstr("stop it first"));
  RingSpec bad = spec;
  bad.bpf_filter = "wlan type nonsense";
  EXPECT_TRUE(absl::IsInvalidArgument(manager_->Start(bad)));
  bad = spec;
  bad.name = "../x";
  EXPECT_TRUE(absl::IsInvalidArgument(manager_->Start(bad)));
  EXPECT_TRUE(absl::IsNotFound(manager_->Stop("b")));
  EXPECT_TRUE(absl::IsNotFound(manager_->Rotate("b")));
  EXPECT_TRUE(absl::IsNotFound(manager_->Remove("b")));
  EXPECT_TRUE(manager_->Rotate("a").ok()) << "nothing open: nothing to do";
  st = manager_->Remove("a");
  EXPECT_TRUE(absl::IsFailedPrecondition(st)) << st;
  manager_->OnPacket(At(Beacon(1), kT0));
  ASSERT_TRUE(manager_->Stop("a").ok());
  EXPECT_TRUE(manager_->Stop("a").ok()) << "stopping twice is not an error";
  // A stopped ring restarts with a new spec and keeps its file.
  ASSERT_TRUE(manager_->Start(other).ok());
  EXPECT_EQ(Only(*manager_).files.size(), 1u);
  ASSERT_TRUE(manager_->Stop("a").ok());
  ASSERT_TRUE(manager_->Remove("a").ok());
  EXPECT_TRUE(manager_->List().empty());
  EXPECT_FALSE(fs::exists(Dir() + "/a"));
}

TEST_F(RingManagerTest, MaxRingsIsEnforced) {
  auto m = RingManager::Open(dir_.File("few"), RingManagerOptions{.max_rings = 2});
  ASSERT_TRUE(m.ok());
  RingSpec spec;
  spec.rotate_seconds = 60;
  for (const char* name : {"a", "b"}) {
    spec.name = name;
    ASSERT_TRUE((*m)->Start(spec).ok());
  }
  spec.name = "c";
  absl::Status st = (*m)->Start(spec);
  EXPECT_TRUE(absl::IsResourceExhausted(st)) << st;
  EXPECT_THAT(std::string(st.message()), HasSubstr("remove a stopped ring first"));
}

TEST_F(RingManagerTest, ListAndRotateFromAnotherThreadWhileCapturing) {
  RingSpec spec;
  spec.name = "busy";
  spec.rotate_bytes = 8192;
  spec.keep_files = kMaxKeepFiles;
  ASSERT_TRUE(manager_->Start(spec).ok());
  std::atomic<bool> done{false};
  std::thread control([&] {
    while (!done.load()) {
      (void)manager_->Rotate("busy");
      (void)manager_->List();
    }
  });
  const Bytes frame = Beacon(5);
  constexpr int kPackets = 20000;
  for (int i = 0; i < kPackets; ++i) manager_->OnPacket(At(frame, kT0 + i * 1000));
  done = true;
  control.join();
  ASSERT_TRUE(manager_->Stop("busy").ok());
  uint64_t total = 0;
  RingInfo info = Only(*manager_);
  for (const RingFileInfo& f : info.files) total += f.packets;
  EXPECT_EQ(total, static_cast<uint64_t>(kPackets));
  EXPECT_EQ(info.packets_written, static_cast<uint64_t>(kPackets));
}

// Disk full, for real: a 64 KiB tmpfs. Needs root (mount); skipped otherwise.
TEST(RingManagerDiskFullTest, AFullDiskCountsErrorsAndKeepsFilesWhole) {
  TempDir dir;
  const std::string mnt = dir.File("small");
  fs::create_directories(mnt);
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=64k") != 0) {
    GTEST_SKIP() << "cannot mount a 64 KiB tmpfs (not root?): " << std::strerror(errno);
  }
  struct Unmount {
    std::string path;
    ~Unmount() { ::umount(path.c_str()); }
  } unmount{mnt};
  {
    auto m = RingManager::Open(mnt + "/rings");
    ASSERT_TRUE(m.ok()) << m.status();
    RingSpec spec;
    spec.name = "full";
    spec.rotate_bytes = 16384;
    spec.keep_files = 100;
    ASSERT_TRUE((*m)->Start(spec).ok());
    const Bytes frame = ProbeRequest(3);
    constexpr int kPackets = 2000;  // ~400 KB: far more than fits
    for (int i = 0; i < kPackets; ++i) (*m)->OnPacket(At(frame, kT0 + i * 10'000'000LL));
    RingInfo info = Only(**m);
    EXPECT_GT(info.write_errors, 0u);
    EXPECT_GT(info.packets_written, 0u);
    EXPECT_EQ(info.packets_written + info.write_errors, static_cast<uint64_t>(kPackets));
    EXPECT_THAT(info.last_error, HasSubstr("No space left on device"));
    uint64_t listed = 0;
    for (const RingFileInfo& f : info.files) {
      const std::string path = mnt + "/rings/full/files/" + f.name;
      const ReadBack rb = Read(path);
      EXPECT_EQ(rb.error, "") << f.name << " must hold whole records only";
      EXPECT_EQ(rb.timestamps.size(), f.packets);
      listed += f.packets;
    }
    EXPECT_EQ(listed, info.packets_written);
    // Space comes back (an operator removes a ring, or keep_files trims): writing resumes.
    // The stop applies even though ring.json may not fit on the full disk; the error says so.
    absl::Status stopped = (*m)->Stop("full");
    if (!stopped.ok()) {
      EXPECT_THAT(std::string(stopped.message()), HasSubstr("ring.json"));
    }
    EXPECT_FALSE(Only(**m).running);
    ASSERT_TRUE((*m)->Remove("full").ok());
    spec.name = "again";
    ASSERT_TRUE((*m)->Start(spec).ok());
    (*m)->OnPacket(At(frame, kT0 + 100'000'000'000LL));
    EXPECT_EQ(Only(**m).packets_written, 1u);
  }
}

}  // namespace
}  // namespace airfleet::rings
