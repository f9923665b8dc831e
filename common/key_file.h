#pragma once

// Reads the privacy key file (common/pseudonym.h). The key never comes from the command line
// (it would show in `ps` and shell history). Like ssh with private keys, a key file that group
// or others may read is refused: a pseudonym is only as private as its key.

#include <string>

#include "absl/status/statusor.h"

namespace airfleet::pseudonym {

// The file's exact bytes. FAILED_PRECONDITION naming the fix (chmod 600) when the file is
// readable or writable by group/others; NOT_FOUND / INVALID_ARGUMENT (too short, not a regular
// file) otherwise.
absl::StatusOr<std::string> ReadKeyFile(const std::string& path);

}  // namespace airfleet::pseudonym
