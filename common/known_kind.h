#pragma once

// The one spelling of a known-device kind in text (CLI tables, CSV, sink documents and rows).

#include "airfleet/v1/ingest.pb.h"

namespace airfleet {

// "known" / "guest"; empty for UNSPECIFIED and for values this build does not know.
const char* KnownKindName(v1::KnownKind kind);

}  // namespace airfleet
