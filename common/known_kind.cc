#include "common/known_kind.h"

namespace airfleet {

const char* KnownKindName(v1::KnownKind kind) {
  switch (kind) {
    case v1::KNOWN_KIND_KNOWN:
      return "known";
    case v1::KNOWN_KIND_GUEST:
      return "guest";
    default:
      return "";
  }
}

}  // namespace airfleet
