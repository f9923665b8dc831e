#include "agent/rings/ring_manager.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "agent/capture/bpf_filter.h"
#include "agent/capture/capture_file_reader.h"
#include "agent/rings/ring_file.h"
#include "agent/rings/ring_state.h"
#include "common/status_macros.h"

namespace airfleet::rings {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kNsPerSecond = 1'000'000'000;
constexpr int kRateSeconds = 10;
constexpr int kMaxNameSuffix = 1000;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// "name.pcap" + 2 -> "name-2.pcap"; no extension -> "name-2".
std::string WithSuffix(const std::string& name, int n) {
  const size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0) return absl::StrCat(name, "-", n);
  return absl::StrCat(name.substr(0, dot), "-", n, name.substr(dot));
}

// Reads a file the manager did not close (the agent died while writing it) with the agent's own
// reader. A record cut short is truncated away so the file is whole records again.
RingFileInfo ScanLeftoverFile(const std::string& path, const std::string& name) {
  RingFileInfo info;
  info.name = name;
  auto reader = capture::CaptureFileReader::Open(path);
  if (reader.ok()) {
    uint64_t good_end = (*reader)->first_record_offset();
    capture::Packet packet;
    while (true) {
      absl::StatusOr<bool> next = (*reader)->Next(&packet);
      if (!next.ok()) {
        if (absl::IsDataLoss(next.status())) {
          std::error_code ec;
          fs::resize_file(path, good_end, ec);
        }
        break;
      }
      if (!*next) break;
      if (info.packets == 0) info.first_packet_ns = packet.timestamp_ns;
      info.last_packet_ns = packet.timestamp_ns;
      ++info.packets;
      good_end = packet.position;
    }
  }
  std::error_code ec;
  const uintmax_t size = fs::file_size(path, ec);
  info.bytes = ec ? 0 : size;
  return info;
}

}  // namespace

struct RingManager::Ring {
  explicit Ring(RingSpec s)
      : spec(std::move(s)), filter(std::make_unique<capture::BpfFilter>(spec.bpf_filter)) {}
  RingSpec spec;
  bool running = false;
  std::unique_ptr<capture::BpfFilter> filter;
  std::vector<RingFileInfo> closed;  // oldest first
  std::unique_ptr<RingFileWriter> writer;
  RingFileInfo open_info;
  int64_t window_end_ns = 0;  // time rotation: first packet time that needs a new file
  int64_t retry_open_after_ns = INT64_MIN;
  // The last expanded name and the suffix it got: several files within one second of packet
  // time count on from there, so a name freed by keep_files is never given to a newer file.
  std::string last_base;
  int last_suffix = -1;
  uint64_t packets_written = 0, bytes_written = 0, packets_filtered_out = 0, write_errors = 0;
  std::string last_error;
  // Bytes per second of packet time for the rate; bucket i holds second rate_sec[i].
  int64_t rate_sec[kRateSeconds] = {};
  uint64_t rate_bytes[kRateSeconds] = {};
  int64_t first_rate_sec = INT64_MIN;
  int64_t last_rate_sec = INT64_MIN;

  double Rate() const {
    if (!running || last_rate_sec == INT64_MIN) return 0;
    uint64_t bytes = 0;
    for (int i = 0; i < kRateSeconds; ++i) {
      if (rate_sec[i] > last_rate_sec - kRateSeconds && rate_sec[i] <= last_rate_sec) {
        bytes += rate_bytes[i];
      }
    }
    const int64_t covered = std::min<int64_t>(kRateSeconds, last_rate_sec - first_rate_sec + 1);
    return static_cast<double>(bytes) / static_cast<double>(std::max<int64_t>(covered, 1));
  }
  void CountRate(int64_t timestamp_ns, uint64_t bytes) {
    const int64_t sec = FloorDiv(timestamp_ns, kNsPerSecond);
    if (first_rate_sec == INT64_MIN) first_rate_sec = sec;
    const int i = static_cast<int>(((sec % kRateSeconds) + kRateSeconds) % kRateSeconds);
    if (rate_sec[i] != sec) {
      rate_sec[i] = sec;
      rate_bytes[i] = 0;
    }
    rate_bytes[i] += bytes;
    last_rate_sec = std::max(last_rate_sec, sec);
  }
};

RingManager::RingManager(std::string dir, RingManagerOptions options)
    : dir_(std::move(dir)), options_(options) {}

RingManager::~RingManager() {
  absl::MutexLock lock(&mu_);
  // Leave running rings marked running (they restart with the agent) but close their files so
  // the list is complete without a scan.
  for (auto& [name, ring] : rings_) {
    if (ring->writer != nullptr) (void)CloseFile(*ring, /*sync=*/false);
  }
}

std::string RingManager::RingDir(const std::string& name) const { return dir_ + "/" + name; }

absl::StatusOr<std::unique_ptr<RingManager>> RingManager::Open(std::string dir,
                                                               RingManagerOptions options) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  auto manager = std::unique_ptr<RingManager>(new RingManager(dir, options));
  absl::MutexLock lock(&manager->mu_);
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_directory()) continue;
    const std::string name = entry.path().filename().string();
    if (!fs::exists(entry.path() / "ring.json")) continue;
    // A broken ring.json must not keep the agent from capturing: skip that ring, say why.
    if (absl::Status st = manager->LoadRing(name); !st.ok()) {
      manager->load_errors_.push_back(std::string(st.message()));
    }
  }
  if (ec) return absl::UnavailableError(absl::StrCat("cannot list ", dir, ": ", ec.message()));
  manager->UpdateRunningCount();
  return manager;
}

absl::Status RingManager::LoadRing(const std::string& name) {
  const std::string path = RingDir(name) + "/ring.json";
  AF_ASSIGN_OR_RETURN(std::string json, ReadWholeFile(path));
  AF_ASSIGN_OR_RETURN(RingState state, RingStateFromJson(json, path));
  if (state.spec.name != name) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": names ring \"", state.spec.name, "\" but sits in \"", name, "\""));
  }
  auto ring = std::make_unique<Ring>(state.spec);
  ring->running = state.running;
  const std::string files_dir = RingDir(name) + "/files";
  // Keep listed files that still exist; add, after them, files the list does not know (the one
  // that was open when the agent stopped) in modification order.
  std::map<std::string, bool> listed;
  for (RingFileInfo& f : state.files) {
    std::error_code ec;
    const uintmax_t size = fs::file_size(files_dir + "/" + f.name, ec);
    if (ec) continue;
    listed[f.name] = true;
    if (size != f.bytes) f = ScanLeftoverFile(files_dir + "/" + f.name, f.name);
    ring->closed.push_back(f);
  }
  std::vector<std::pair<fs::file_time_type, std::string>> leftovers;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(files_dir, ec)) {
    const std::string file = entry.path().filename().string();
    if (!entry.is_regular_file() || !IsPlainFileName(file) || listed.count(file)) continue;
    leftovers.emplace_back(entry.last_write_time(ec), file);
  }
  std::sort(leftovers.begin(), leftovers.end());
  for (const auto& [mtime, file] : leftovers) {
    ring->closed.push_back(ScanLeftoverFile(files_dir + "/" + file, file));
  }
  Ring& r = *ring;
  rings_[name] = std::move(ring);
  if (!leftovers.empty()) return CloseFile(r, /*sync=*/true);  // saves the rebuilt list
  return absl::OkStatus();
}

void RingManager::UpdateRunningCount() {
  int running = 0;
  for (const auto& [name, ring] : rings_) running += ring->running ? 1 : 0;
  running_.store(running, std::memory_order_relaxed);
}

absl::Status RingManager::Save(const Ring& ring, bool sync) const {
  RingState state{ring.spec, ring.running, ring.closed};
  return WriteFileAtomically(RingDir(ring.spec.name) + "/ring.json", RingStateToJson(state), sync);
}

absl::Status RingManager::Start(const RingSpec& spec) {
  AF_RETURN_IF_ERROR(ValidateRingSpec(spec));
  AF_RETURN_IF_ERROR(capture::BpfFilter::Check(spec.bpf_filter));
  absl::MutexLock lock(&mu_);
  auto it = rings_.find(spec.name);
  if (it != rings_.end()) {
    Ring& ring = *it->second;
    if (ring.running) {
      if (ring.spec == spec) return absl::OkStatus();
      return absl::AlreadyExistsError(
          absl::StrCat("ring \"", spec.name, "\" is running with another spec; stop it first"));
    }
    ring.spec = spec;
    ring.filter = std::make_unique<capture::BpfFilter>(spec.bpf_filter);
    ring.running = true;
    ring.last_error.clear();
    ring.retry_open_after_ns = INT64_MIN;
    AF_RETURN_IF_ERROR(CloseFile(ring, /*sync=*/true));  // trims to the new keep_files, saves
    UpdateRunningCount();
    return absl::OkStatus();
  }
  if (rings_.size() >= options_.max_rings) {
    return absl::ResourceExhaustedError(
        absl::StrCat("this agent already has ", rings_.size(), " rings (the most it keeps is ",
                     options_.max_rings, "); remove a stopped ring first"));
  }
  std::error_code ec;
  fs::create_directories(RingDir(spec.name) + "/files", ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot create ", RingDir(spec.name), ": ", ec.message()));
  }
  auto ring = std::make_unique<Ring>(spec);
  ring->running = true;
  AF_RETURN_IF_ERROR(Save(*ring, /*sync=*/true));
  rings_[spec.name] = std::move(ring);
  UpdateRunningCount();
  return absl::OkStatus();
}

absl::Status RingManager::Stop(const std::string& name) {
  absl::MutexLock lock(&mu_);
  auto it = rings_.find(name);
  if (it == rings_.end()) return absl::NotFoundError(absl::StrCat("no ring \"", name, "\""));
  Ring& ring = *it->second;
  if (!ring.running) return absl::OkStatus();
  ring.running = false;
  UpdateRunningCount();
  return CloseFile(ring, /*sync=*/true);
}

absl::Status RingManager::Rotate(const std::string& name) {
  absl::MutexLock lock(&mu_);
  auto it = rings_.find(name);
  if (it == rings_.end()) return absl::NotFoundError(absl::StrCat("no ring \"", name, "\""));
  if (it->second->writer == nullptr) return absl::OkStatus();
  return CloseFile(*it->second, /*sync=*/false);
}

absl::Status RingManager::Remove(const std::string& name) {
  absl::MutexLock lock(&mu_);
  auto it = rings_.find(name);
  if (it == rings_.end()) return absl::NotFoundError(absl::StrCat("no ring \"", name, "\""));
  if (it->second->running) {
    return absl::FailedPreconditionError(
        absl::StrCat("ring \"", name, "\" is running; stop it first"));
  }
  std::error_code ec;
  fs::remove_all(RingDir(name), ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot remove ", RingDir(name), ": ", ec.message()));
  }
  rings_.erase(it);
  return absl::OkStatus();
}

std::vector<RingInfo> RingManager::List() const {
  absl::MutexLock lock(&mu_);
  std::vector<RingInfo> out;
  for (const auto& [name, ring] : rings_) {
    RingInfo info;
    info.spec = ring->spec;
    info.running = ring->running;
    info.files = ring->closed;
    if (ring->writer != nullptr) info.files.push_back(ring->open_info);
    info.packets_written = ring->packets_written;
    info.bytes_written = ring->bytes_written;
    info.packets_filtered_out = ring->packets_filtered_out;
    info.write_errors = ring->write_errors;
    info.bytes_per_second = ring->Rate();
    info.last_error = ring->last_error;
    out.push_back(std::move(info));
  }
  return out;
}

void RingManager::OnPacket(const capture::Packet& packet) {
  if (running_.load(std::memory_order_relaxed) == 0) return;
  absl::MutexLock lock(&mu_);
  for (auto& [name, ring] : rings_) {
    if (ring->running) Deliver(*ring, packet);
  }
}

void RingManager::Deliver(Ring& ring, const capture::Packet& packet) {
  std::string filter_error;
  if (!ring.filter->Matches(packet, &filter_error)) {
    if (!filter_error.empty()) ring.last_error = filter_error;
    ++ring.packets_filtered_out;
    return;
  }
  const uint64_t record = RingFileWriter::RecordBytes(packet);
  if (ring.writer != nullptr) {
    const RingSpec& s = ring.spec;
    const bool other_linktype = ring.writer->linktype() != packet.linktype;
    // A step back by more than a whole period (a live clock corrected by NTP) also starts a new
    // file, else a time-only ring would write into one file until the old time came round again.
    // Smaller steps back (interleaved interfaces of a pcapng) stay in the file.
    const int64_t period = s.rotate_seconds * kNsPerSecond;
    const bool time_up =
        s.rotate_seconds > 0 && (packet.timestamp_ns >= ring.window_end_ns ||
                                 packet.timestamp_ns < ring.window_end_ns - 2 * period);
    const bool too_big = s.rotate_bytes > 0 && ring.open_info.packets > 0 &&
                         ring.writer->bytes() + record > s.rotate_bytes;
    if (other_linktype || time_up || too_big) {
      if (absl::Status st = CloseFile(ring, /*sync=*/false); !st.ok()) {
        ring.last_error = std::string(st.message());
      }
    }
  }
  if (ring.writer == nullptr) {
    if (packet.timestamp_ns < ring.retry_open_after_ns) {
      ++ring.write_errors;
      return;
    }
    if (absl::Status st = OpenFile(ring, packet); !st.ok()) {
      ++ring.write_errors;
      ring.last_error = std::string(st.message());
      ring.retry_open_after_ns = packet.timestamp_ns + kNsPerSecond;
      return;
    }
  }
  if (absl::Status st = ring.writer->Write(packet); !st.ok()) {
    ++ring.write_errors;
    ring.last_error = std::string(st.message());
    return;
  }
  RingFileInfo& f = ring.open_info;
  if (f.packets == 0) f.first_packet_ns = packet.timestamp_ns;
  f.last_packet_ns = packet.timestamp_ns;
  ++f.packets;
  f.bytes = ring.writer->bytes();
  ++ring.packets_written;
  ring.bytes_written += record;
  ring.CountRate(packet.timestamp_ns, record);
}

absl::Status RingManager::OpenFile(Ring& ring, const capture::Packet& packet) {
  const std::string files_dir = RingDir(ring.spec.name) + "/files";
  const std::string base = ExpandFilePattern(ring.spec.file_pattern, packet.timestamp_ns);
  if (!IsPlainFileName(base)) {
    return absl::InvalidArgumentError(
        absl::StrCat("file pattern expanded to \"", base, "\", not a plain file name"));
  }
  for (int n = base == ring.last_base ? ring.last_suffix + 1 : 0; n <= kMaxNameSuffix; ++n) {
    const std::string name = n == 0 ? base : WithSuffix(base, n);
    bool taken = false;
    for (const RingFileInfo& f : ring.closed) taken = taken || f.name == name;
    if (taken) continue;
    absl::StatusOr<std::unique_ptr<RingFileWriter>> writer =
        RingFileWriter::Create(files_dir + "/" + name, packet.linktype);
    if (absl::IsAlreadyExists(writer.status())) continue;
    if (!writer.ok()) return writer.status();
    ring.writer = std::move(*writer);
    ring.last_base = base;
    ring.last_suffix = n;
    ring.open_info = RingFileInfo{name, ring.writer->bytes(), 0, 0, 0, true};
    if (ring.spec.rotate_seconds > 0) {
      const int64_t period = ring.spec.rotate_seconds * kNsPerSecond;
      ring.window_end_ns = (FloorDiv(packet.timestamp_ns, period) + 1) * period;
    }
    return absl::OkStatus();
  }
  return absl::ResourceExhaustedError(
      absl::StrCat("more than ", kMaxNameSuffix, " files named like \"", base, "\""));
}

absl::Status RingManager::CloseFile(Ring& ring, bool sync) {
  if (ring.writer != nullptr) {
    ring.writer.reset();
    ring.open_info.open = false;
    ring.closed.push_back(ring.open_info);
    ring.open_info = RingFileInfo{};
  }
  const std::string files_dir = RingDir(ring.spec.name) + "/files";
  absl::Status result;
  while (ring.closed.size() > ring.spec.keep_files) {
    const std::string path = files_dir + "/" + ring.closed.front().name;
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      result =
          absl::UnavailableError(absl::StrCat("cannot delete ", path, ": ", std::strerror(errno)));
      break;
    }
    ring.closed.erase(ring.closed.begin());
  }
  absl::Status saved = Save(ring, sync);
  return result.ok() ? saved : result;
}

absl::StatusOr<FileChunk> RingManager::ReadChunk(const std::string& ring_name,
                                                 const std::string& file, uint64_t offset,
                                                 uint32_t max_bytes) const {
  std::string path;
  {
    absl::MutexLock lock(&mu_);
    auto it = rings_.find(ring_name);
    if (it == rings_.end()) {
      return absl::NotFoundError(absl::StrCat("no ring \"", ring_name, "\""));
    }
    const Ring& ring = *it->second;
    if (ring.writer != nullptr && ring.open_info.name == file) {
      return absl::FailedPreconditionError(
          absl::StrCat("file \"", file, "\" of ring \"", ring_name,
                       "\" is still being written; rotate the ring first"));
    }
    bool known = false;
    for (const RingFileInfo& f : ring.closed) known = known || f.name == file;
    // Only names from the list: "../x" or "/etc/passwd" can never be one.
    if (!known || !IsPlainFileName(file)) {
      return absl::NotFoundError(
          absl::StrCat("ring \"", ring_name, "\" has no file \"", file, "\""));
    }
    path = RingDir(ring_name) + "/files/" + file;
  }
  // Outside the lock: reading and hashing a large file must not stall the capture thread.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::NotFoundError(absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return absl::UnavailableError(absl::StrCat("cannot stat ", path));
  }
  FileChunk chunk;
  chunk.file_size = static_cast<uint64_t>(st.st_size);
  if (offset > chunk.file_size) {
    ::close(fd);
    return absl::OutOfRangeError(absl::StrCat("offset ", offset, " is past the end of ", file, " (",
                                              chunk.file_size, " bytes)"));
  }
  const uint64_t want =
      std::min<uint64_t>({max_bytes, options_.max_chunk_bytes, chunk.file_size - offset});
  chunk.data.resize(want);
  size_t got = 0;
  while (got < want) {
    const ssize_t n =
        ::pread(fd, chunk.data.data() + got, want - got, static_cast<off_t>(offset + got));
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      ::close(fd);
      return absl::UnavailableError(absl::StrCat("cannot read ", path));
    }
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  chunk.eof = offset + want == chunk.file_size;
  const std::string key = absl::StrCat(path, "\n", st.st_size, "\n", st.st_mtim.tv_sec, ".",
                                       st.st_mtim.tv_nsec, "\n", st.st_ino);
  {
    absl::MutexLock lock(&sha_mu_);
    auto it = sha_cache_.find(key);
    if (it != sha_cache_.end()) {
      chunk.sha256_hex = it->second;
      return chunk;
    }
  }
  AF_ASSIGN_OR_RETURN(chunk.sha256_hex, Sha256Of(path));
  absl::MutexLock lock(&sha_mu_);
  sha_cache_[key] = chunk.sha256_hex;
  return chunk;
}

absl::StatusOr<std::string> RingManager::Sha256Of(const std::string& path) const {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  std::string buf(1 << 16, '\0');
  ssize_t n;
  while ((n = ::read(fd, buf.data(), buf.size())) > 0) {
    EVP_DigestUpdate(ctx, buf.data(), static_cast<size_t>(n));
  }
  ::close(fd);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, digest, &len);
  EVP_MD_CTX_free(ctx);
  if (n < 0) return absl::UnavailableError(absl::StrCat("cannot read ", path));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 15]);
  }
  return hex;
}

}  // namespace airfleet::rings
