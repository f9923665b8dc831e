#include "agent/rings/ring_file.h"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/pcap/pcap_writer.h"

namespace airfleet::rings {
namespace {

constexpr uint32_t kSnaplen = 262144;  // libpcap's ceiling for 802.11; the reader's too

absl::Status ErrnoStatus(int err, const std::string& what) {
  std::string message = absl::StrCat(what, ": ", std::strerror(err));
  if (err == EEXIST) return absl::AlreadyExistsError(message);
  if (err == ENOSPC || err == EDQUOT) return absl::ResourceExhaustedError(message);
  return absl::UnavailableError(message);
}

}  // namespace

absl::StatusOr<std::unique_ptr<RingFileWriter>> RingFileWriter::Create(const std::string& path,
                                                                       int linktype) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus(errno, "cannot create " + path);
  const std::string header =
      pcap::PcapFileHeader(linktype, pcap::TimestampResolution::kNano, kSnaplen);
  const ssize_t n = ::write(fd, header.data(), header.size());
  if (n != static_cast<ssize_t>(header.size())) {
    const int err = n < 0 ? errno : ENOSPC;
    ::close(fd);
    ::unlink(path.c_str());
    return ErrnoStatus(err, "cannot write the header of " + path);
  }
  return std::unique_ptr<RingFileWriter>(new RingFileWriter(fd, path, linktype, header.size()));
}

RingFileWriter::RingFileWriter(int fd, std::string path, int linktype, uint64_t bytes)
    : fd_(fd), path_(std::move(path)), linktype_(linktype), bytes_(bytes) {}

RingFileWriter::~RingFileWriter() { ::close(fd_); }

uint64_t RingFileWriter::RecordBytes(const capture::Packet& packet) {
  return pcap::kPcapRecordHeaderSize + packet.captured_len;
}

absl::Status RingFileWriter::Write(const capture::Packet& packet) {
  uint8_t header[pcap::kPcapRecordHeaderSize];
  pcap::EncodePcapRecordHeader(pcap::TimestampResolution::kNano, packet.timestamp_ns,
                               packet.captured_len, packet.original_len, header);
  iovec iov[2] = {{header, sizeof header},
                  {const_cast<uint8_t*>(packet.data), packet.captured_len}};
  const size_t want = sizeof header + packet.captured_len;
  const ssize_t n = ::writev(fd_, iov, 2);
  if (n == static_cast<ssize_t>(want)) {
    bytes_ += want;
    return absl::OkStatus();
  }
  const int err = n < 0 ? errno : ENOSPC;  // a short write on a regular file means "full"
  if (n > 0) {
    // Undo the partial record so the file stays whole records, and put the offset back.
    if (::ftruncate(fd_, static_cast<off_t>(bytes_)) != 0 ||
        ::lseek(fd_, static_cast<off_t>(bytes_), SEEK_SET) < 0) {
      return ErrnoStatus(errno, "cannot undo a partial write to " + path_);
    }
  }
  return ErrnoStatus(err, "cannot write to " + path_);
}

}  // namespace airfleet::rings
