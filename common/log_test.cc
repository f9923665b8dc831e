#include "common/log.h"

#include <nlohmann/json.hpp>

#include "gtest/gtest.h"

namespace airfleet::log {
namespace {

constexpr int64_t kMs = 1'796'281'445'123;  // 2026-12-03T07:04:05.123Z

TEST(Log, TextIsProgramColonMessage) {
  EXPECT_EQ(FormatLine(Format::kText, "airfleet-agent", Level::kWarning, "disk full", {}, kMs),
            "airfleet-agent: disk full");
  EXPECT_EQ(FormatLine(Format::kText, "p", Level::kInfo, "m", {{"lost", "3"}}, kMs), "p: m lost=3");
}

TEST(Log, JsonHasTimeLevelProgramMessageAndFields) {
  const std::string line = FormatLine(Format::kJson, "airfleet-collector", Level::kError,
                                      "store commit failed", {{"agent", "pi-7"}}, kMs);
  EXPECT_EQ(line,
            R"({"ts":"2026-12-03T07:04:05.123Z","level":"error","program":"airfleet-collector",)"
            R"("msg":"store commit failed","agent":"pi-7"})");
}

TEST(Log, JsonEscapesAndSurvivesBadUtf8) {
  const std::string line =
      FormatLine(Format::kJson, "p", Level::kInfo, "quote \" newline \n bad \xff end", {}, kMs);
  EXPECT_EQ(line.find('\n'), std::string::npos);  // one line, always
  const nlohmann::json j = nlohmann::json::parse(line);
  EXPECT_EQ(j["msg"], "quote \" newline \n bad \xEF\xBF\xBD end");
}

TEST(Log, ParseFormat) {
  EXPECT_EQ(*ParseFormat("json"), Format::kJson);
  EXPECT_EQ(*ParseFormat("text"), Format::kText);
  EXPECT_EQ(ParseFormat("xml").status().message(), "log format 'xml' is not one of: text, json");
}

}  // namespace
}  // namespace airfleet::log
