#include "tools/framegen/pcap_writer.h"

#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <string>
#include <vector>

#include "tools/framegen/test_util.h"

namespace airfleet::framegen {
namespace {

struct Record {
  int64_t ts_ns;
  uint32_t caplen, len;
  std::vector<uint8_t> data;
};

// Reads a file back with libpcap, an independent reader. *error gets pcap's message if reading
// stopped early.
std::vector<Record> ReadWithLibpcap(const std::string& path, int* linktype, std::string* error) {
  char err[PCAP_ERRBUF_SIZE] = {};
  std::vector<Record> out;
  pcap_t* p =
      pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
  if (p == nullptr) {
    *error = err;
    return out;
  }
  *linktype = pcap_datalink(p);
  pcap_pkthdr* h;
  const u_char* d;
  int rc;
  while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
    out.push_back({static_cast<int64_t>(h->ts.tv_sec) * 1'000'000'000 + h->ts.tv_usec, h->caplen,
                   h->len, std::vector<uint8_t>(d, d + h->caplen)});
  }
  if (rc == PCAP_ERROR) *error = pcap_geterr(p);
  pcap_close(p);
  return out;
}

const std::vector<uint8_t> kA = {1, 2, 3, 4, 5};
const std::vector<uint8_t> kB = {9, 8, 7};

TEST(PcapWriterTest, MicrosecondFileReadsBackTruncatedToMicroseconds) {
  testing::TempDir dir;
  PcapWriter w(127, TimestampResolution::kMicro, 256);
  w.Add(1'700'000'000'123'456'789, kA.data(), kA.size());
  w.Add(1'700'000'001'000'000'999, kB.data(), kB.size(), 1500);  // snapped record
  ASSERT_TRUE(WriteFile(dir.File("a.pcap"), w.data()).ok());
  int lt = 0;
  std::string err;
  const auto recs = ReadWithLibpcap(dir.File("a.pcap"), &lt, &err);
  EXPECT_EQ(err, "");
  EXPECT_EQ(lt, 127);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].ts_ns, 1'700'000'000'123'456'000);
  EXPECT_EQ(recs[0].data, kA);
  EXPECT_EQ(recs[1].ts_ns, 1'700'000'001'000'000'000);
  EXPECT_EQ(recs[1].caplen, 3u);
  EXPECT_EQ(recs[1].len, 1500u);
  EXPECT_EQ(w.records(), 2u);
}

TEST(PcapWriterTest, NanosecondFileKeepsNanoseconds) {
  testing::TempDir dir;
  PcapWriter w(105, TimestampResolution::kNano);
  w.Add(1'700'000'000'123'456'789, kA.data(), kA.size());
  ASSERT_TRUE(WriteFile(dir.File("n.pcap"), w.data()).ok());
  int lt = 0;
  std::string err;
  const auto recs = ReadWithLibpcap(dir.File("n.pcap"), &lt, &err);
  EXPECT_EQ(lt, 105);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].ts_ns, 1'700'000'000'123'456'789);
}

TEST(PcapWriterTest, CutLastRecordIsReportedAfterTheWholeOnes) {
  testing::TempDir dir;
  PcapWriter w(127, TimestampResolution::kMicro);
  w.Add(1'000, kA.data(), kA.size());
  w.Add(2'000, kB.data(), kB.size());
  std::string bytes = w.data();
  bytes.resize(bytes.size() - 2);  // the second record ends mid-data
  ASSERT_TRUE(WriteFile(dir.File("cut.pcap"), bytes).ok());
  int lt = 0;
  std::string err;
  const auto recs = ReadWithLibpcap(dir.File("cut.pcap"), &lt, &err);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_NE(err, "");  // libpcap: "truncated dump file"
}

TEST(PcapngWriterTest, SingleInterfaceReadsBackWithLibpcap) {
  testing::TempDir dir;
  PcapngWriter w;
  const uint32_t id = w.AddInterface(127, TimestampResolution::kNano, 0, "mon0");
  EXPECT_EQ(id, 0u);
  w.Add(id, 1'700'000'000'000'000'001, kA.data(), kA.size());
  w.Add(id, 1'700'000'000'000'000'002, kB.data(), kB.size(), 99);
  ASSERT_TRUE(WriteFile(dir.File("a.pcapng"), w.data()).ok());
  int lt = 0;
  std::string err;
  const auto recs = ReadWithLibpcap(dir.File("a.pcapng"), &lt, &err);
  EXPECT_EQ(err, "");
  EXPECT_EQ(lt, 127);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].ts_ns, 1'700'000'000'000'000'001);
  EXPECT_EQ(recs[0].data, kA);
  EXPECT_EQ(recs[1].data, kB);  // 3 bytes, padded to 4 in the block
  EXPECT_EQ(recs[1].len, 99u);
}

// libpcap refuses mixed linktypes in one pcapng section; tshark reads them.
TEST(PcapngWriterTest, SeveralInterfacesWithDifferentLinktypes) {
  if (!testing::HaveTshark()) GTEST_SKIP() << "tshark not installed";
  testing::TempDir dir;
  PcapngWriter w;
  const uint32_t rt = w.AddInterface(127, TimestampResolution::kMicro);
  const uint32_t plain = w.AddInterface(105, TimestampResolution::kNano, 65535, "wlan1");
  // A radiotap header (flags only) + ACK, and a bare ACK.
  const std::vector<uint8_t> rt_ack = {0, 0, 9, 0,    2,    0,    0,    0,    0,   0xd4,
                                       0, 0, 0, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
  const std::vector<uint8_t> ack = {0xd4, 0, 0, 0, 0x00, 0x11, 0x22, 0x33, 0x44, 0x66};
  w.Add(rt, 1'700'000'000'000'001'000, rt_ack.data(), rt_ack.size());
  w.Add(plain, 1'700'000'000'000'001'234, ack.data(), ack.size());
  ASSERT_TRUE(WriteFile(dir.File("multi.pcapng"), w.data()).ok());
  const auto lines = testing::Tshark("-r " + dir.File("multi.pcapng") +
                                     " -T fields -E separator='|' -e frame.interface_id"
                                     " -e frame.encap_type -e frame.time_epoch -e wlan.ra");
  ASSERT_EQ(lines.size(), 2u);
  // Wireshark encapsulation numbers: 23 = 802.11 + radiotap, 20 = plain 802.11.
  EXPECT_EQ(lines[0], "0|23|1700000000.000001000|00:11:22:33:44:55");
  EXPECT_EQ(lines[1], "1|20|1700000000.000001234|00:11:22:33:44:66");
}

}  // namespace
}  // namespace airfleet::framegen
