#include "agent/capture/byte_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace airfleet::capture {
namespace {

constexpr size_t kMinBuffer = 64 * 1024;

absl::Status ErrnoStatus(int err, const std::string& what, const std::string& path) {
  std::string msg = absl::StrCat(path, ": ", what, ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(absl::StrCat(path, ": no such file"));
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(
          absl::StrCat(path, ": permission denied (cannot read the file as this user)"));
    default:
      return absl::UnavailableError(msg);
  }
}

}  // namespace

absl::StatusOr<std::span<const uint8_t>> MemoryByteInput::Read(size_t n) {
  if (pos_ >= data_.size()) return std::span<const uint8_t>();
  size_t take = std::min<uint64_t>(n, data_.size() - pos_);
  auto view = data_.subspan(pos_, take);
  pos_ += take;
  return view;
}

absl::Status MemoryByteInput::Seek(uint64_t offset) {
  pos_ = offset;
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<FileByteInput>> FileByteInput::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "cannot open", path);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoStatus(err, "cannot stat", path);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": not a regular file", S_ISDIR(st.st_mode) ? " (a directory)" : ""));
  }
  return std::unique_ptr<FileByteInput>(
      new FileByteInput(fd, path, static_cast<uint64_t>(st.st_size)));
}

FileByteInput::FileByteInput(int fd, std::string path, uint64_t size)
    : fd_(fd), path_(std::move(path)), size_(size) {}

FileByteInput::~FileByteInput() { ::close(fd_); }

absl::StatusOr<std::span<const uint8_t>> FileByteInput::Read(size_t n) {
  if (pos_ < window_start_ || pos_ > window_start_ + window_len_) {
    window_start_ = pos_;
    window_len_ = 0;
  }
  size_t off = static_cast<size_t>(pos_ - window_start_);
  if (window_len_ - off < n && pos_ + (window_len_ - off) < size_) {
    // Slide the unread tail to the front, then fill behind it.
    size_t have = window_len_ - off;
    if (off > 0 && have > 0) std::memmove(buffer_.data(), buffer_.data() + off, have);
    window_start_ = pos_;
    window_len_ = have;
    off = 0;
    size_t want = std::max(n, kMinBuffer);
    if (buffer_.size() < want) buffer_.resize(want);
    while (window_len_ < n) {
      ssize_t got = ::pread(fd_, buffer_.data() + window_len_, buffer_.size() - window_len_,
                            static_cast<off_t>(window_start_ + window_len_));
      if (got < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus(errno, "read failed", path_);
      }
      if (got == 0) break;  // end of file (it may have shrunk since Open)
      window_len_ += static_cast<size_t>(got);
    }
  }
  size_t take = std::min(n, window_len_ - off);
  pos_ += take;
  return std::span<const uint8_t>(buffer_.data() + off, take);
}

absl::Status FileByteInput::Seek(uint64_t offset) {
  pos_ = offset;
  return absl::OkStatus();
}

}  // namespace airfleet::capture
