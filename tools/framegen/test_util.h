#pragma once

// Helpers shared by the framegen tests: a per-test temporary directory and running tshark (the
// independent decoder the builder is checked against). Test-only; not part of the library.

#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace airfleet::framegen::testing {

// A fresh directory under the gtest temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::path(::testing::TempDir()) /
            ("framegen_" + std::to_string(::getpid()) + "_" + info->test_suite_name() + "_" +
             info->name());
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline bool HaveTshark() { return std::system("tshark -v >/dev/null 2>&1") == 0; }

// Runs `tshark <args>` and returns its stdout split into lines (stderr discarded).
inline std::vector<std::string> Tshark(const std::string& args) {
  std::vector<std::string> lines;
  const std::string cmd = "tshark " + args + " 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return lines;
  std::string cur;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) {
    for (size_t i = 0; i < n; ++i) {
      if (buf[i] == '\n') {
        lines.push_back(cur);
        cur.clear();
      } else {
        cur.push_back(buf[i]);
      }
    }
  }
  if (!cur.empty()) lines.push_back(cur);
  ::pclose(p);
  return lines;
}

// Splits a tshark -T fields line (separator '|').
inline std::vector<std::string> Fields(const std::string& line) {
  std::vector<std::string> out(1);
  for (char c : line) {
    if (c == '|') {
      out.emplace_back();
    } else {
      out.back().push_back(c);
    }
  }
  return out;
}

}  // namespace airfleet::framegen::testing
