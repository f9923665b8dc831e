// libFuzzer target: any bytes as a `_bulk` response body, with any status and item count, must
// give exactly one verdict per item and never crash (the engine, or a proxy in front of it, may
// answer anything).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collector/sinks/elasticsearch/bulk_response.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  int status = 100 + data[0] * 2;  // 100..610
  size_t expected = data[1] % 16;
  std::string_view body(reinterpret_cast<const char*>(data + 2), size - 2);
  auto out =
      airfleet::collector::sinks::elasticsearch::ClassifyBulkResponse(status, body, expected);
  if (out.items.size() != expected) __builtin_trap();
  return 0;
}
