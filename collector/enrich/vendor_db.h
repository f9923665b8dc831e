#pragma once

// The collector's current vendor table, reloadable without a restart.
//
// Readers call table() once per request and keep the shared_ptr for the request: the table it
// points to is immutable, so lookups need no lock and a concurrent reload cannot change a
// request's answers halfway. A reload builds a whole new table off to the side and swaps the
// pointer; if it fails (a file became malformed) the previous table stays.
//
// Who triggers reloads is the owner's business: the collector calls ReloadIfChanged() every
// `--vendor-check-seconds` and Reload() on SIGHUP (collector_server.h).
//
// Threading: all methods are thread-safe; reloads are serialised.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "collector/enrich/oui_table.h"
#include "collector/enrich/vendor_files.h"

namespace airfleet::collector {

class VendorDb {
 public:
  // Starts with an empty table; call Reload() to read the files.
  explicit VendorDb(std::vector<VendorFile> files);

  // Never null.
  std::shared_ptr<const OuiTable> table() const;

  // Reads every file now. On error the previous table stays and the error is returned.
  absl::StatusOr<VendorLoad> Reload();
  // Reloads only when a file appeared, disappeared, or changed size or mtime since the last
  // load (successful or not, so a broken file is not re-parsed every check). Returns whether it
  // reloaded.
  absl::StatusOr<bool> ReloadIfChanged();

 private:
  struct FileStamp {
    bool exists = false;
    int64_t mtime_ns = 0;
    int64_t size = 0;
    bool operator==(const FileStamp&) const = default;
  };
  std::vector<FileStamp> Stamp() const;
  absl::StatusOr<VendorLoad> ReloadLocked(std::vector<FileStamp> stamps);

  const std::vector<VendorFile> files_;
  std::mutex reload_mu_;
  std::vector<FileStamp> stamps_;  // guarded by reload_mu_; as of the last load attempt
  mutable std::mutex table_mu_;
  std::shared_ptr<const OuiTable> table_;  // guarded by table_mu_
};

}  // namespace airfleet::collector
