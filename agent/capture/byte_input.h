#pragma once

// A small abstract, seekable byte input for the capture-file reader, so the parser never touches
// file descriptors: FileByteInput reads a file through a reusable buffer, MemoryByteInput reads a
// caller-owned span without copying (tests, fuzzing: ASan then sees every over-read).
//
// Threading: not thread-safe; one reader owns one input.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace airfleet::capture {

class ByteInput {
 public:
  virtual ~ByteInput() = default;

  // Returns a view of the next min(n, bytes left) bytes and advances past them. The view is
  // valid until the next call on this input. A short view means end of input.
  virtual absl::StatusOr<std::span<const uint8_t>> Read(size_t n) = 0;

  // Moves to absolute byte offset `offset` (may be past the end: the next Read is then empty).
  virtual absl::Status Seek(uint64_t offset) = 0;

  virtual uint64_t Position() const = 0;

  // Total size in bytes (taken when the input was opened).
  virtual uint64_t Size() const = 0;
};

// Reads a caller-owned buffer. `data` must outlive the input.
class MemoryByteInput final : public ByteInput {
 public:
  explicit MemoryByteInput(std::span<const uint8_t> data) : data_(data) {}

  absl::StatusOr<std::span<const uint8_t>> Read(size_t n) override;
  absl::Status Seek(uint64_t offset) override;
  uint64_t Position() const override { return pos_; }
  uint64_t Size() const override { return data_.size(); }

 private:
  std::span<const uint8_t> data_;
  uint64_t pos_ = 0;
};

// Reads a regular file through one reusable buffer (grown to the largest record asked for), so a
// record costs a memcpy at most and usually one read(2) per 64 KiB.
class FileByteInput final : public ByteInput {
 public:
  // Errors: NotFound (no such file), PermissionDenied, FailedPrecondition (a directory or not a
  // regular file); messages name the path.
  static absl::StatusOr<std::unique_ptr<FileByteInput>> Open(const std::string& path);
  ~FileByteInput() override;
  FileByteInput(const FileByteInput&) = delete;
  FileByteInput& operator=(const FileByteInput&) = delete;

  absl::StatusOr<std::span<const uint8_t>> Read(size_t n) override;
  absl::Status Seek(uint64_t offset) override;
  uint64_t Position() const override { return pos_; }
  uint64_t Size() const override { return size_; }

 private:
  FileByteInput(int fd, std::string path, uint64_t size);

  int fd_;
  std::string path_;
  uint64_t size_;
  uint64_t pos_ = 0;  // logical position of the caller
  // buffer_[0, window_len_) holds file bytes [window_start_, window_start_ + window_len_).
  std::vector<uint8_t> buffer_;
  uint64_t window_start_ = 0;
  size_t window_len_ = 0;
};

}  // namespace airfleet::capture
