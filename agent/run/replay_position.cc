#include "agent/run/replay_position.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace airfleet::run {

absl::StatusOr<std::string> FileIdentity(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return absl::NotFoundError(absl::StrCat(path, ": ", std::strerror(errno)));
  }
  std::vector<unsigned char> head(64 * 1024);
  size_t n = std::fread(head.data(), 1, head.size(), f);
  std::fseek(f, 0, SEEK_END);
  long size = std::ftell(f);
  std::fclose(f);
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < n; ++i) hash = (hash ^ head[i]) * 0x100000001b3ULL;
  return absl::StrCat(size, ":", absl::Hex(hash, absl::kZeroPad16));
}

std::string EncodeReplayPosition(const ReplayPosition& p) {
  return absl::StrCat("v1 ", p.file_identity, " ", p.resume_offset, " ", p.watermark_ns, " ",
                      p.finished ? 1 : 0);
}

std::optional<ReplayPosition> DecodeReplayPosition(const std::string& text) {
  std::vector<std::string> parts = absl::StrSplit(text, ' ');
  if (parts.size() != 5 || parts[0] != "v1") return std::nullopt;
  ReplayPosition p;
  p.file_identity = parts[1];
  int finished = 0;
  if (!absl::SimpleAtoi(parts[2], &p.resume_offset) ||
      !absl::SimpleAtoi(parts[3], &p.watermark_ns) || !absl::SimpleAtoi(parts[4], &finished)) {
    return std::nullopt;
  }
  p.finished = finished != 0;
  return p;
}

ResumePlan PlanResume(const std::string& stored_position, const std::string& file_identity) {
  ResumePlan plan;
  std::optional<ReplayPosition> p = DecodeReplayPosition(stored_position);
  if (!p || p->file_identity != file_identity) return plan;
  plan.already_finished = p->finished;
  if (!p->finished) {
    plan.start_offset = p->resume_offset;
    plan.start_watermark_ns = p->watermark_ns;
  }
  return plan;
}

}  // namespace airfleet::run
