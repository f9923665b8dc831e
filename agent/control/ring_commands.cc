#include "agent/control/ring_commands.h"

#include <utility>

namespace airfleet::control {
namespace {

rings::RingSpec FromWire(const v1::RingSpec& w) {
  rings::RingSpec spec;
  spec.name = w.name();
  spec.bpf_filter = w.bpf_filter();
  if (!w.file_pattern().empty()) spec.file_pattern = w.file_pattern();
  spec.rotate_seconds = w.rotate_seconds();
  spec.rotate_bytes = w.rotate_bytes();
  if (w.keep_files() != 0) spec.keep_files = w.keep_files();
  return spec;
}

void ToWire(const rings::RingInfo& info, v1::RingInfo* out) {
  v1::RingSpec* spec = out->mutable_spec();
  spec->set_name(info.spec.name);
  spec->set_bpf_filter(info.spec.bpf_filter);
  spec->set_file_pattern(info.spec.file_pattern);
  spec->set_rotate_seconds(info.spec.rotate_seconds);
  spec->set_rotate_bytes(info.spec.rotate_bytes);
  spec->set_keep_files(info.spec.keep_files);
  out->set_running(info.running);
  for (const rings::RingFileInfo& f : info.files) {
    v1::RingFile* file = out->add_files();
    file->set_name(f.name);
    file->set_bytes(f.bytes);
    file->set_packets(f.packets);
    file->set_first_packet_ns(f.first_packet_ns);
    file->set_last_packet_ns(f.last_packet_ns);
    file->set_open(f.open);
  }
  out->set_packets_written(info.packets_written);
  out->set_bytes_written(info.bytes_written);
  out->set_packets_filtered_out(info.packets_filtered_out);
  out->set_write_errors(info.write_errors);
  out->set_bytes_per_second(info.bytes_per_second);
  out->set_last_error(info.last_error);
}

void SetStatus(const absl::Status& status, v1::ControlReply* reply) {
  reply->set_code(static_cast<int>(status.code()));
  reply->set_message(std::string(status.message()));
}

}  // namespace

v1::ControlReply HandleRingCommand(rings::RingManager* rings, const v1::ControlRequest& request) {
  v1::ControlReply reply;
  switch (request.kind_case()) {
    case v1::ControlRequest::kRingStart:
      SetStatus(rings->Start(FromWire(request.ring_start().spec())), &reply);
      break;
    case v1::ControlRequest::kRingStop:
      SetStatus(rings->Stop(request.ring_stop().name()), &reply);
      break;
    case v1::ControlRequest::kRingRotate:
      SetStatus(rings->Rotate(request.ring_rotate().name()), &reply);
      break;
    case v1::ControlRequest::kRingList:
      for (const rings::RingInfo& info : rings->List()) {
        ToWire(info, reply.mutable_ring_list()->add_rings());
      }
      break;
    case v1::ControlRequest::kFetchChunk: {
      const v1::FetchChunk& f = request.fetch_chunk();
      absl::StatusOr<rings::FileChunk> chunk =
          rings->ReadChunk(f.ring(), f.file(), f.offset(), f.max_bytes());
      if (!chunk.ok()) {
        SetStatus(chunk.status(), &reply);
        break;
      }
      v1::FetchChunkReply* out = reply.mutable_fetch_chunk();
      out->set_data(std::move(chunk->data));
      out->set_file_size(chunk->file_size);
      out->set_eof(chunk->eof);
      out->set_sha256_hex(std::move(chunk->sha256_hex));
      break;
    }
    default:
      SetStatus(absl::UnimplementedError("this agent does not know that command (a newer "
                                         "collector?)"),
                &reply);
  }
  return reply;
}

}  // namespace airfleet::control
