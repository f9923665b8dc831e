#pragma once

// Vendor registry files -> OuiTable. The parsers are pure (text in, entries added to a builder);
// LoadVendorFiles reads the files and is what the collector calls.
//
// Sources (Debian): the IEEE registry CSVs of the `ieee-data` package in /usr/share/ieee-data
// (oui.csv = MA-L, mam.csv = MA-M, oui36.csv = MA-S, iab.csv = the older IAB blocks, also 36
// bits) and Wireshark's /usr/share/wireshark/manuf (from libwireshark-data, installed with
// tshark). Either may be absent. The IEEE files are added first and win where both assign the
// same prefix (they are the registry; manuf is derived from it plus Wireshark's own entries),
// while manuf fills the gaps, which matters because Debian's ieee-data snapshot is older.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "collector/enrich/oui_table.h"

namespace airfleet::collector {

struct VendorParseStats {
  size_t entries = 0;  // lines that produced a prefix (including ones an earlier source had)
  size_t skipped = 0;  // malformed lines and prefix lengths other than 24/28/36 bits
};

// One IEEE registry CSV: header "Registry,Assignment,Organization Name,Organization Address",
// rows like `MA-L,00000C,"Cisco Systems, Inc",170 WEST TASMAN ...` (quoted fields, CRLF).
// INVALID_ARGUMENT if the header is missing or the quoting is broken; bad rows are skipped.
absl::StatusOr<VendorParseStats> ParseIeeeCsv(std::string_view text, OuiTableBuilder* builder);

// Wireshark's manuf: `PREFIX<TAB>SHORT[<TAB>LONG][<TAB># comment]`, PREFIX being hex octets
// separated by ':', '-' or '.', optionally followed by /BITS (00:1B:C5:00:00:00/36). The long
// name is used when present. '#' lines are comments. Bad lines are skipped.
VendorParseStats ParseManuf(std::string_view text, OuiTableBuilder* builder);

enum class VendorFileFormat { kIeeeCsv, kManuf };

struct VendorFile {
  std::string path;
  VendorFileFormat format;
};

// The files above, in order of trust: `ieee_dir`'s oui36.csv, mam.csv, iab.csv, oui.csv, then
// `manuf_path`. An empty argument leaves that source out.
std::vector<VendorFile> DefaultVendorFiles(const std::string& ieee_dir,
                                           const std::string& manuf_path);

struct VendorLoad {
  std::shared_ptr<const OuiTable> table;
  std::vector<std::string> loaded;   // paths read
  std::vector<std::string> missing;  // paths that do not exist (not an error)
  size_t skipped = 0;                // lines skipped over all files
};

// Reads `files` in order. A missing file is skipped; an unreadable or malformed one is an error,
// so a reload keeps the previous table rather than silently losing a source.
absl::StatusOr<VendorLoad> LoadVendorFiles(const std::vector<VendorFile>& files);

}  // namespace airfleet::collector
