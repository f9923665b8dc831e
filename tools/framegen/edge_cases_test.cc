// The dissector against the builder's deliberately broken packets: the anomaly each one has by
// the specs, never a crash or a read past the record (run under ASan in CI).

#include "tools/framegen/edge_cases.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>

#include "agent/dissect/dissector.h"

namespace airfleet {
namespace {

TEST(EdgeCasesTest, DissectorReportsTheSpecifiedAnomaly) {
  const auto cases = framegen::EdgeCases();
  ASSERT_GE(cases.size(), 12u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    // An exact-size heap copy, so ASan catches any read past the record.
    auto buf = std::make_unique<uint8_t[]>(c.bytes.size());
    std::memcpy(buf.get(), c.bytes.data(), c.bytes.size());
    dissect::DissectOptions options;
    options.verify_fcs = true;
    dissect::Frame f;
    f.original_len = static_cast<uint32_t>(c.bytes.size());
    const dissect::Anomaly a =
        dissect::Dissect(dissect::kLinktypeRadiotap, buf.get(), c.bytes.size(), options, &f);
    EXPECT_EQ(dissect::AnomalyName(a), c.expected_anomaly);
  }
}

}  // namespace
}  // namespace airfleet
