// libFuzzer target: the CQL frame decoder must return a Status, never crash, on any bytes a server
// (or an attacker in its place) sends.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collector/sinks/cassandra/cql_frame.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace cql = airfleet::collector::sinks::cql;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // Both paths: a whole frame, and a body decoded under each response opcode with a forced header
  // (so the fuzzer need not guess a valid header to reach the body parsers).
  (void)cql::DecodeFrame(bytes);
  if (size >= 2) {
    cql::FrameHeader h;
    h.opcode = static_cast<cql::Opcode>(data[0] & 0x1f);
    h.flags = data[1] & 0x0e;
    h.length = size - 2;
    auto r = cql::DecodeResponse(h, bytes.substr(2));
    if (r.ok()) {
      if (auto* e = std::get_if<cql::ErrorBody>(&r->body)) {
        (void)e->Describe();
        (void)cql::ClassifyError(*e, true);
      }
    }
  }
  return 0;
}
