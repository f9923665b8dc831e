#include "agent/rings/ring_state.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace airfleet::rings {

std::string RingStateToJson(const RingState& state) {
  nlohmann::json files = nlohmann::json::array();
  for (const RingFileInfo& f : state.files) {
    files.push_back({{"name", f.name},
                     {"bytes", f.bytes},
                     {"packets", f.packets},
                     {"first_packet_ns", f.first_packet_ns},
                     {"last_packet_ns", f.last_packet_ns}});
  }
  const RingSpec& s = state.spec;
  nlohmann::json j = {{"spec",
                       {{"name", s.name},
                        {"bpf_filter", s.bpf_filter},
                        {"file_pattern", s.file_pattern},
                        {"rotate_seconds", s.rotate_seconds},
                        {"rotate_bytes", s.rotate_bytes},
                        {"keep_files", s.keep_files}}},
                      {"running", state.running},
                      {"files", files}};
  return j.dump(1) + "\n";
}

absl::StatusOr<RingState> RingStateFromJson(const std::string& json, const std::string& origin) {
  // nlohmann throws on malformed input and on type mismatches: this is a third-party boundary.
  try {
    const nlohmann::json j = nlohmann::json::parse(json);
    RingState state;
    const nlohmann::json& s = j.at("spec");
    state.spec.name = s.at("name").get<std::string>();
    state.spec.bpf_filter = s.at("bpf_filter").get<std::string>();
    state.spec.file_pattern = s.at("file_pattern").get<std::string>();
    state.spec.rotate_seconds = s.at("rotate_seconds").get<int64_t>();
    state.spec.rotate_bytes = s.at("rotate_bytes").get<uint64_t>();
    state.spec.keep_files = s.at("keep_files").get<uint32_t>();
    state.running = j.at("running").get<bool>();
    for (const nlohmann::json& f : j.at("files")) {
      RingFileInfo info;
      info.name = f.at("name").get<std::string>();
      info.bytes = f.at("bytes").get<uint64_t>();
      info.packets = f.at("packets").get<uint64_t>();
      info.first_packet_ns = f.at("first_packet_ns").get<int64_t>();
      info.last_packet_ns = f.at("last_packet_ns").get<int64_t>();
      if (!IsPlainFileName(info.name)) {
        return absl::InvalidArgumentError(
            absl::StrCat(origin, ": file name \"", info.name, "\" is not a plain name"));
      }
      state.files.push_back(std::move(info));
    }
    if (absl::Status st = ValidateRingSpec(state.spec); !st.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(origin, ": ", st.message()));
    }
    return state;
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(origin, ": ", e.what()));
  }
}

absl::Status WriteFileAtomically(const std::string& path, const std::string& contents, bool sync) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat("cannot create ", tmp, ": ", std::strerror(errno)));
  }
  const ssize_t n = ::write(fd, contents.data(), contents.size());
  const int write_errno = errno;
  const bool synced = !sync || ::fsync(fd) == 0;
  ::close(fd);
  if (n != static_cast<ssize_t>(contents.size()) || !synced) {
    ::unlink(tmp.c_str());
    return absl::UnavailableError(absl::StrCat(
        "cannot write ", tmp, ": ", n < 0 ? std::strerror(write_errno) : "short write or fsync"));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return absl::UnavailableError(absl::StrCat("cannot rename ", tmp, ": ", std::strerror(err)));
  }
  if (sync) {
    const std::string parent = path.substr(0, path.rfind('/'));
    const int dfd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace airfleet::rings
