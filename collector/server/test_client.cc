#include "collector/server/test_client.h"

#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace airfleet::collector::testing {

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address, const ClientTls& tls) {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = tls.ca_pem;
  ssl.pem_cert_chain = tls.cert_pem;
  ssl.pem_private_key = tls.key_pem;
  grpc::ChannelArguments args;
  // Separate channels per test client: never share a subchannel (and its identity) by accident.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, grpc::SslCredentials(ssl), args);
}

v1::Batch MakeBatch(const std::string& agent_id, uint64_t stream_id, uint64_t sequence,
                    uint64_t base_mac, int windows, int64_t window_start_ns) {
  v1::Batch b;
  b.set_agent_id(agent_id);
  b.set_stream_id(stream_id);
  b.set_sequence(sequence);
  b.set_created_ns(window_start_ns + 60'000'000'000);
  for (int i = 0; i < windows; ++i) {
    v1::DeviceWindow* w = b.add_windows();
    uint64_t mac = base_mac + static_cast<uint64_t>(i);
    w->set_mac(mac);
    w->set_window_start_ns(window_start_ns);
    w->set_window_ms(60000);
    w->set_first_offset_us(1000);
    w->set_last_offset_us(59'000'000);
    w->set_frames(static_cast<uint32_t>(1 + mac % 7));
    w->set_bytes(100 * w->frames());
    w->set_signal_min_dbm(-70);
    w->set_signal_max_dbm(-50);
    w->set_signal_sum_dbm(-60 * int64_t{w->frames()});
    w->set_signal_count(w->frames());
    w->add_channels_mhz(2437);
  }
  return b;
}

}  // namespace airfleet::collector::testing
