#include "agent/cli/progress.h"

#include <cstdio>
#include <string>

#include "gtest/gtest.h"

namespace airfleet::cli {
namespace {

TEST(Progress, ImportShowsShareOfTheFileAndRate) {
  EXPECT_EQ(FormatImportProgress("a.pcap", 12'897'485, 28'730'982, 123'456, absl::Seconds(2)),
            "importing a.pcap: 44% (12.3 of 27.4 MiB), 123456 packets, 61728 packets/s");
}

TEST(Progress, ImportWithoutKnownSizeOrTime) {
  EXPECT_EQ(FormatImportProgress("pipe", 5000, 0, 10, absl::ZeroDuration()),
            "importing pipe: 10 packets");
}

TEST(Progress, ImportNeverPassesAHundredPercent) {
  // The last record's end can lie past a size read before a writer appended to the file.
  EXPECT_EQ(FormatImportProgress("a.pcap", 3 << 20, 2 << 20, 7, absl::Seconds(1)),
            "importing a.pcap: 100% (2.0 of 2.0 MiB), 7 packets, 7 packets/s");
}

TEST(Progress, Drain) {
  EXPECT_EQ(FormatDrainProgress(34, 2300, 118),
            "draining: 34 batches (2300 summaries) waiting for the collector, acknowledged up to "
            "118");
}

std::string Written(bool terminal, void (*write)(ProgressLine&)) {
  char* buffer = nullptr;
  size_t size = 0;
  std::FILE* f = open_memstream(&buffer, &size);
  {
    ProgressLine line(f, terminal, absl::Hours(1));
    write(line);
  }
  std::fclose(f);
  std::string out(buffer, size);
  free(buffer);
  return out;
}

TEST(Progress, TerminalRewritesOneLineInPlace) {
  EXPECT_EQ(Written(true,
                    [](ProgressLine& l) {
                      l.Update("one");
                      l.Update("two");  // within the interval: skipped
                      l.Update("three", /*force=*/true);
                      l.Finish();
                    }),
            "\r\x1b[Kone\r\x1b[Kthree\n");
}

TEST(Progress, PipeGetsWholeLinesAndNoEscapes) {
  EXPECT_EQ(Written(false,
                    [](ProgressLine& l) {
                      l.Update("one");
                      l.Update("two");
                      l.Update("three", true);
                      l.Finish();
                    }),
            "one\nthree\n");
}

}  // namespace
}  // namespace airfleet::cli
