#include "agent/rings/ring_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/capture/bpf_filter.h"

namespace airfleet::rings {
namespace {

using ::testing::HasSubstr;

RingSpec Good() {
  RingSpec s;
  s.name = "probes_5GHz-1";
  s.rotate_seconds = 60;
  return s;
}

// Each bad spec is rejected as InvalidArgument with a message that names what to fix.
void ExpectRejected(const RingSpec& spec, const std::string& words) {
  const absl::Status st = ValidateRingSpec(spec);
  EXPECT_TRUE(absl::IsInvalidArgument(st)) << st;
  EXPECT_THAT(std::string(st.message()), HasSubstr(words));
}

TEST(RingSpecTest, AcceptsAGoodSpec) { EXPECT_TRUE(ValidateRingSpec(Good()).ok()); }

TEST(RingSpecTest, BadSpecsSayWhatToFix) {
  RingSpec s = Good();
  s.name = "";
  ExpectRejected(s, "ring name \"\" must be 1 to 64 characters");
  s.name = "../etc";
  ExpectRejected(s, "A-Z a-z 0-9 _ -");
  s.name = std::string(65, 'a');
  ExpectRejected(s, "1 to 64");
  s = Good();
  s.file_pattern = "../%Y.pcap";
  ExpectRejected(s, "no '/', no \"..\"");
  s.file_pattern = "sub/%Y.pcap";
  ExpectRejected(s, "plain file name");
  s.file_pattern = ".hidden.pcap";
  ExpectRejected(s, "no leading '.'");
  s.file_pattern = "%Y%T.pcap";
  ExpectRejected(s, "unsupported field at position 2");
  s.file_pattern = "x%";
  ExpectRejected(s, "unsupported field");
  s = Good();
  s.rotate_seconds = 0;
  ExpectRejected(s, "needs a rotation rule");
  s.rotate_bytes = 100;
  ExpectRejected(s, "at least 4096");
  s = Good();
  s.rotate_seconds = -5;
  ExpectRejected(s, "not be negative");
  s = Good();
  s.keep_files = 0;
  ExpectRejected(s, "keep_files must be between 1");
}

TEST(RingSpecTest, FilterErrorsComeFromLibpcap) {
  EXPECT_TRUE(capture::BpfFilter::Check("").ok());
  EXPECT_TRUE(capture::BpfFilter::Check("wlan type mgt subtype probe-req").ok());
  const absl::Status st = capture::BpfFilter::Check("wlan type nonsense");
  EXPECT_TRUE(absl::IsInvalidArgument(st)) << st;
  EXPECT_THAT(std::string(st.message()),
              HasSubstr("filter \"wlan type nonsense\" does not compile for linktype 127: "));
}

TEST(RingSpecTest, PatternExpandsInUtcAtTheGivenTime) {
  const int64_t t = 1'700'000'000'123'456'789;  // 2023-11-14 22:13:20.123 UTC
  EXPECT_EQ(ExpandFilePattern("%Y%m%d-%H%M%S.pcap", t), "20231114-221320.pcap");
  EXPECT_EQ(ExpandFilePattern("ring_%F_%j_%s%%.pcap", t), "ring_2023-11-14_318_1700000000%.pcap");
  EXPECT_EQ(ExpandFilePattern("%y", -1), "69");  // just before the epoch floors to 1969
}

TEST(RingSpecTest, PlainFileNames) {
  EXPECT_TRUE(IsPlainFileName("a.pcap"));
  for (const char* bad : {"", ".", "..", "../a", "a/b", "/etc/passwd", ".x"}) {
    EXPECT_FALSE(IsPlainFileName(bad)) << bad;
  }
}

}  // namespace
}  // namespace airfleet::rings
