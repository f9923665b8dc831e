#pragma once

// The real captures the dissector tests compare with tshark (shared/testdata/pcaps; expected
// values in the tests). A test whose capture is not there skips: the files are not in the repo.

#include <cstdint>
#include <string>
#include <vector>

namespace airfleet::dissect::fixtures {

// The packets of capture `name` from $AIRFLEET_REAL_PCAPS, else from
// $AIRFLEET_SOURCE_DIR/../shared/testdata/pcaps; empty when it is not there. Fails the running
// test (EXPECT) when the file's linktype is not `want_linktype`. Reads classic little- and
// big-endian pcap only, which is what the fixtures are.
std::vector<std::vector<uint8_t>> LoadRealCapture(const std::string& name, uint32_t want_linktype);

}  // namespace airfleet::dissect::fixtures
