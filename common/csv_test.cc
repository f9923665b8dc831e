#include "common/csv.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace airfleet {
namespace {

using ::testing::ElementsAre;

std::vector<CsvRecord> ReadAll(std::string_view text, absl::Status* status = nullptr) {
  CsvReader reader(text);
  std::vector<CsvRecord> out;
  CsvRecord r;
  while (reader.Next(&r)) out.push_back(r);
  if (status != nullptr) *status = reader.status();
  return out;
}

TEST(CsvReaderTest, PlainQuotedAndCrlf) {
  auto records = ReadAll(
      "Registry,Assignment,Organization Name,Organization Address\r\n"
      "MA-L,F4BD9E,\"Cisco Systems, Inc\",80 West Tasman Drive \r\n"
      "MA-L,A047D7,Best,\"Road \"\"A\"\", Andheri\"\r\n");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_THAT(records[1].fields,
              ElementsAre("MA-L", "F4BD9E", "Cisco Systems, Inc", "80 West Tasman Drive "));
  EXPECT_THAT(records[2].fields, ElementsAre("MA-L", "A047D7", "Best", "Road \"A\", Andheri"));
  EXPECT_EQ(records[2].line, 3);
}

TEST(CsvReaderTest, LineNumbersSkipBlankLinesAndCountQuotedBreaks) {
  auto records = ReadAll("a,b\n\n\"x\ny\",z\nlast,\n");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].line, 1);
  EXPECT_EQ(records[1].line, 3);
  EXPECT_THAT(records[1].fields, ElementsAre("x\ny", "z"));
  EXPECT_EQ(records[2].line, 5);
  EXPECT_THAT(records[2].fields, ElementsAre("last", ""));
}

TEST(CsvReaderTest, NoTrailingNewlineAndInnerQuotesKept) {
  auto records = ReadAll("a,b\"c,d");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(records[0].fields, ElementsAre("a", "b\"c", "d"));
}

TEST(CsvReaderTest, UnterminatedQuoteIsAnError) {
  absl::Status status;
  auto records = ReadAll("ok,1\nbad,\"open\n", &status);
  EXPECT_EQ(records.size(), 1u);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "line 2: unterminated quoted field");
}

}  // namespace
}  // namespace airfleet
