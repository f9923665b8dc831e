#include "collector/enrich/vendor_db.h"

#include <sys/stat.h>

#include <utility>

namespace airfleet::collector {

VendorDb::VendorDb(std::vector<VendorFile> files)
    : files_(std::move(files)), table_(OuiTableBuilder().Build()) {}

std::shared_ptr<const OuiTable> VendorDb::table() const {
  std::lock_guard<std::mutex> lock(table_mu_);
  return table_;
}

std::vector<VendorDb::FileStamp> VendorDb::Stamp() const {
  std::vector<FileStamp> stamps(files_.size());
  for (size_t i = 0; i < files_.size(); ++i) {
    struct stat st;
    if (::stat(files_[i].path.c_str(), &st) != 0) continue;
    stamps[i].exists = true;
    stamps[i].mtime_ns = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
    stamps[i].size = st.st_size;
  }
  return stamps;
}

absl::StatusOr<VendorLoad> VendorDb::ReloadLocked(std::vector<FileStamp> stamps) {
  // Stamped before reading: a file rewritten during the read differs from this stamp, so the
  // next check reloads again rather than missing the change.
  stamps_ = std::move(stamps);
  absl::StatusOr<VendorLoad> load = LoadVendorFiles(files_);
  if (!load.ok()) return load.status();
  std::lock_guard<std::mutex> lock(table_mu_);
  table_ = load->table;
  return load;
}

absl::StatusOr<VendorLoad> VendorDb::Reload() {
  std::lock_guard<std::mutex> lock(reload_mu_);
  return ReloadLocked(Stamp());
}

absl::StatusOr<bool> VendorDb::ReloadIfChanged() {
  std::lock_guard<std::mutex> lock(reload_mu_);
  std::vector<FileStamp> stamps = Stamp();
  if (stamps == stamps_) return false;
  absl::StatusOr<VendorLoad> load = ReloadLocked(std::move(stamps));
  if (!load.ok()) return load.status();
  return true;
}

}  // namespace airfleet::collector
