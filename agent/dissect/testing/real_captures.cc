#include "agent/dissect/testing/real_captures.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace airfleet::dissect::fixtures {
namespace {

// Reads the packets of a classic little- or big-endian pcap file; enough for these fixtures.
std::vector<std::vector<uint8_t>> ReadPcap(const std::string& path, uint32_t* linktype) {
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::vector<uint8_t>> packets;
  if (file.size() < 24) return packets;
  const bool swapped = file[0] == 0xa1;
  auto u32 = [&](size_t off) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      v |= static_cast<uint32_t>(file[off + (swapped ? 3 - i : i)]) << (8 * i);
    }
    return v;
  };
  *linktype = u32(20);
  for (size_t off = 24; off + 16 <= file.size();) {
    const uint32_t caplen = u32(off + 8);
    off += 16;
    if (caplen > file.size() - off) break;
    packets.emplace_back(file.begin() + off, file.begin() + off + caplen);
    off += caplen;
  }
  return packets;
}

std::string CaptureDir() {
  if (const char* d = std::getenv("AIRFLEET_REAL_PCAPS")) return d;
  if (const char* s = std::getenv("AIRFLEET_SOURCE_DIR")) {
    return std::string(s) + "/../shared/testdata/pcaps";
  }
  return "";
}

}  // namespace

std::vector<std::vector<uint8_t>> LoadRealCapture(const std::string& name, uint32_t want_linktype) {
  const std::string dir = CaptureDir();
  const std::string path = dir + "/" + name;
  if (dir.empty() || !std::filesystem::exists(path)) return {};
  uint32_t linktype = 0;
  auto packets = ReadPcap(path, &linktype);
  EXPECT_EQ(linktype, want_linktype) << name;
  return packets;
}

}  // namespace airfleet::dissect::fixtures
