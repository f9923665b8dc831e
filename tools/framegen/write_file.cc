#include <cerrno>
#include <cstdio>
#include <cstring>

#include "tools/framegen/pcap_writer.h"

namespace airfleet::framegen {

absl::Status WriteFile(const std::string& path, std::string_view bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    return absl::UnavailableError("cannot open " + path + ": " + std::strerror(errno));
  }
  const size_t written = std::fwrite(bytes.data(), 1, bytes.size(), f);
  const bool closed = std::fclose(f) == 0;
  if (written != bytes.size() || !closed) {
    return absl::DataLossError("short write to " + path);
  }
  return absl::OkStatus();
}

}  // namespace airfleet::framegen
