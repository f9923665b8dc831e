#pragma once

// Tiny gRPC clients for the collector's tests: an mTLS channel from PEM strings and helpers that
// build batches with known contents.

#include <chrono>
#include <memory>
#include <string>

#include "airfleet/v1/ingest.grpc.pb.h"
#include "grpcpp/channel.h"

namespace airfleet::collector::testing {

struct ClientTls {
  std::string ca_pem;
  std::string cert_pem;  // empty: present no client certificate
  std::string key_pem;
};

// Channel to `address` that verifies the server as "localhost" against ca_pem.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address, const ClientTls& tls);

// Batch of `windows` windows: device macs base_mac .. base_mac+windows-1, one window each at
// window_start_ns, frames = 1 + (mac % 7).
v1::Batch MakeBatch(const std::string& agent_id, uint64_t stream_id, uint64_t sequence,
                    uint64_t base_mac, int windows, int64_t window_start_ns);

inline std::chrono::system_clock::time_point DeadlineIn(std::chrono::seconds s) {
  return std::chrono::system_clock::now() + s;
}

}  // namespace airfleet::collector::testing
