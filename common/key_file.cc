#include "common/key_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/pseudonym.h"

namespace airfleet::pseudonym {

absl::StatusOr<std::string> ReadKeyFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    std::string msg = absl::StrCat("cannot open privacy key file ", path, ": ", strerror(e));
    return e == ENOENT ? absl::NotFoundError(msg) : absl::InvalidArgumentError(msg);
  }
  struct stat st {};
  // fstat on the open descriptor: the checked file is the one read.
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return absl::InvalidArgumentError(
        absl::StrCat("privacy key file ", path, " is not a regular file"));
  }
  if ((st.st_mode & 077) != 0) {
    close(fd);
    return absl::FailedPreconditionError(absl::StrFormat(
        "permissions %04o for privacy key file %s are too open: it must not be accessible by "
        "group or others (chmod 600 %s)",
        st.st_mode & 07777, path, path));
  }
  std::string key;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) key.append(buf, static_cast<size_t>(n));
  const int e = errno;
  close(fd);
  if (n < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read privacy key file ", path, ": ", strerror(e)));
  }
  if (key.size() < kMinKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("privacy key file ", path, " holds ", key.size(), " bytes; at least ",
                     kMinKeyBytes, " are needed (create one with: head -c 32 /dev/urandom > ", path,
                     "; chmod 600 ", path, ")"));
  }
  return key;
}

}  // namespace airfleet::pseudonym
