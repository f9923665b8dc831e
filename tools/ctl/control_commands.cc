#include "tools/ctl/control_commands.h"

#include <openssl/evp.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "tools/ctl/exit_codes.h"

namespace airfleet::ctl {
namespace {

using Json = nlohmann::ordered_json;

// Chunks small enough for any link and well under gRPC's message limit.
constexpr uint32_t kChunkBytes = 256 * 1024;
constexpr uint32_t kAgentAnswerMs = 10'000;

int Fail(const CommandContext& ctx, const absl::Status& status) {
  *ctx.err << "airfleetctl: " << status.message() << "\n";
  return ExitCodeFor(status);
}

absl::StatusOr<uint32_t> Millis(const std::string& text, const char* what) {
  absl::Duration d;
  if (!absl::ParseDuration(text, &d) || d <= absl::ZeroDuration() || d > absl::Hours(24)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " '", text, "' is not a duration like 250ms, 10s or 5m"));
  }
  return static_cast<uint32_t>(absl::ToInt64Milliseconds(d));
}

absl::StatusOr<v1::ControlReply> Call(const CommandContext& ctx, const std::string& agent,
                                      v1::ControlRequest request) {
  auto client = AdminClient::Create(ctx.connection);
  if (!client.ok()) return client.status();
  v1::ControlAgentRequest wrapped;
  wrapped.set_agent_id(agent);
  *wrapped.mutable_request() = std::move(request);
  wrapped.set_timeout_ms(kAgentAnswerMs);
  return (*client)->ControlAgent(wrapped);
}

Json TextOrNull(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

// Sends a ring command that answers with a status only; says what happened on stderr.
int RunRingCommand(const CommandContext& ctx, const std::string& agent, const std::string& ring,
                   v1::ControlRequest request, const char* done) {
  auto reply = Call(ctx, agent, std::move(request));
  if (!reply.ok()) return Fail(ctx, reply.status());
  *ctx.err << "airfleetctl: ring " << ring << " on " << agent << ": "
           << (reply->message().empty() ? done : reply->message()) << "\n";
  return kExitOk;
}

}  // namespace

absl::StatusOr<v1::SetAgentConfigRequest> AgentConfigRequest(const AgentConfigArgs& args) {
  v1::SetAgentConfigRequest r;
  if (args.all_agents == !args.agent.empty()) {
    return absl::InvalidArgumentError("name one AGENT or give --all");
  }
  r.set_agent_id(args.agent);
  r.set_all_agents(args.all_agents);
  r.set_replace(args.reset);
  v1::AgentConfig* c = r.mutable_config();
  if (!args.window.empty()) {
    auto ms = Millis(args.window, "--window");
    if (!ms.ok()) return ms.status();
    c->set_window_ms(*ms);
  }
  if (!args.channels.empty()) {
    for (absl::string_view ch : absl::StrSplit(args.channels, ',', absl::SkipWhitespace())) {
      c->mutable_channel_plan()->add_channels(std::string(ch));
    }
    auto dwell = Millis(args.dwell, "--dwell");
    if (!dwell.ok()) return dwell.status();
    c->mutable_channel_plan()->set_dwell_ms(*dwell);
  }
  if (!args.privacy.empty()) c->set_privacy_mode(args.privacy);
  if (args.bpf) c->set_bpf_filter(*args.bpf);
  return r;
}

Table AgentConfigTable(const google::protobuf::RepeatedPtrField<v1::AgentConfigState>& states) {
  Table t;
  t.columns = {{"agent", "AGENT"},         {"desired", "DESIRED"},   {"applied", "APPLIED"},
               {"window_ms", "WINDOW ms"}, {"channels", "CHANNELS"}, {"dwell_ms", "DWELL ms"},
               {"stagger", "STAGGER"},     {"privacy", "PRIVACY"},   {"bpf", "BPF"},
               {"result", "RESULT"}};
  for (const auto& s : states) {
    const v1::AgentConfig& d = s.desired();
    const bool plan = d.channel_plan().channels_size() > 0;
    t.rows.push_back(
        {Cell(s.agent_id()), Cell(d.version()), Cell(s.applied_version()),
         d.has_window_ms() ? Cell(d.window_ms()) : Cell(nullptr),
         plan ? Cell(Json(absl::StrJoin(d.channel_plan().channels(), ","))) : Cell(nullptr),
         plan ? Cell(d.channel_plan().dwell_ms()) : Cell(nullptr),
         plan ? Cell(d.channel_plan().stagger_offset()) : Cell(nullptr),
         d.has_privacy_mode() ? Cell(d.privacy_mode()) : Cell(nullptr),
         d.has_bpf_filter() ? Cell(d.bpf_filter()) : Cell(nullptr),
         Cell(TextOrNull(s.last_result()))});
  }
  return t;
}

int RunAgentConfigSet(const CommandContext& ctx, const AgentConfigArgs& args) {
  auto request = AgentConfigRequest(args);
  if (!request.ok()) return Fail(ctx, request.status());
  auto client = AdminClient::Create(ctx.connection);
  if (!client.ok()) return Fail(ctx, client.status());
  auto response = (*client)->SetAgentConfig(*request);
  if (!response.ok()) return Fail(ctx, response.status());
  for (const auto& s : response->agents()) {
    *ctx.err << "airfleetctl: " << s.agent_id() << ": version " << s.desired().version()
             << (s.delivered() ? " sent (the agent answers in `agents config show`)"
                               : " stored; the agent gets it when it connects")
             << "\n";
  }
  WriteTable(AgentConfigTable(response->agents()), ctx.format, *ctx.out);
  return kExitOk;
}

int RunAgentConfigShow(const CommandContext& ctx, const std::string& agent) {
  auto client = AdminClient::Create(ctx.connection);
  if (!client.ok()) return Fail(ctx, client.status());
  auto response = (*client)->GetAgentConfig(agent);
  if (!response.ok()) return Fail(ctx, response.status());
  WriteTable(AgentConfigTable(response->agents()), ctx.format, *ctx.out);
  return kExitOk;
}

Table RingsTable(const v1::RingListReply& reply) {
  Table t;
  t.columns = {{"ring", "RING"},     {"running", "RUNNING"},
               {"files", "FILES"},   {"packets", "PACKETS"},
               {"bytes", "BYTES"},   {"filtered", "FILTERED"},
               {"errors", "ERRORS"}, {"rate_bps", "BYTES/S"},
               {"filter", "FILTER"}, {"last_error", "LAST ERROR"}};
  for (const auto& r : reply.rings()) {
    t.rows.push_back({Cell(r.spec().name()), Cell(r.running()), Cell(r.files_size()),
                      Cell(r.packets_written()), Cell(r.bytes_written()),
                      Cell(r.packets_filtered_out()), Cell(r.write_errors()),
                      Cell(Json(static_cast<uint64_t>(r.bytes_per_second()))),
                      Cell(TextOrNull(r.spec().bpf_filter())), Cell(TextOrNull(r.last_error()))});
  }
  return t;
}

Table RingFilesTable(const v1::RingListReply& reply) {
  Table t;
  t.columns = {{"ring", "RING"},   {"file", "FILE"}, {"bytes", "BYTES"}, {"packets", "PACKETS"},
               {"first", "FIRST"}, {"last", "LAST"}, {"open", "OPEN"}};
  for (const auto& r : reply.rings()) {
    for (const auto& f : r.files()) {
      t.rows.push_back({Cell(r.spec().name()), Cell(f.name()), Cell(f.bytes()), Cell(f.packets()),
                        Cell(f.first_packet_ns(), FormatTime(f.first_packet_ns())),
                        Cell(f.last_packet_ns(), FormatTime(f.last_packet_ns())), Cell(f.open())});
    }
  }
  return t;
}

int RunCaptureStart(const CommandContext& ctx, const RingArgs& args) {
  v1::ControlRequest request;
  v1::RingSpec* spec = request.mutable_ring_start()->mutable_spec();
  spec->set_name(args.name);
  spec->set_bpf_filter(args.bpf);
  spec->set_file_pattern(args.pattern);
  if (!args.rotate_every.empty()) {
    auto ms = Millis(args.rotate_every, "--rotate-every");
    if (!ms.ok()) return Fail(ctx, ms.status());
    spec->set_rotate_seconds(std::max<int64_t>(1, *ms / 1000));
  }
  spec->set_rotate_bytes(args.rotate_bytes);
  spec->set_keep_files(args.keep);
  return RunRingCommand(ctx, args.agent, args.name, std::move(request), "started");
}

int RunCaptureStop(const CommandContext& ctx, const std::string& agent, const std::string& ring) {
  v1::ControlRequest request;
  request.mutable_ring_stop()->set_name(ring);
  return RunRingCommand(ctx, agent, ring, std::move(request), "stopped");
}

int RunCaptureRotate(const CommandContext& ctx, const std::string& agent, const std::string& ring) {
  v1::ControlRequest request;
  request.mutable_ring_rotate()->set_name(ring);
  return RunRingCommand(ctx, agent, ring, std::move(request), "rotated");
}

int RunCaptureList(const CommandContext& ctx, const std::string& agent, bool files) {
  v1::ControlRequest request;
  request.mutable_ring_list();
  auto reply = Call(ctx, agent, std::move(request));
  if (!reply.ok()) return Fail(ctx, reply.status());
  WriteTable(files ? RingFilesTable(reply->ring_list()) : RingsTable(reply->ring_list()),
             ctx.format, *ctx.out);
  return kExitOk;
}

int RunCaptureFetch(const CommandContext& ctx, const std::string& agent, const std::string& ring,
                    const std::string& file_arg, const std::string& out_arg, bool progress) {
  std::string file = file_arg;
  if (file.empty()) {
    // The newest closed file of the ring.
    v1::ControlRequest list;
    list.mutable_ring_list();
    auto listed = Call(ctx, agent, std::move(list));
    if (!listed.ok()) return Fail(ctx, listed.status());
    int64_t newest = -1;
    for (const auto& r : listed->ring_list().rings()) {
      if (r.spec().name() != ring) continue;
      for (const auto& f : r.files()) {
        if (!f.open() && f.last_packet_ns() >= newest) {
          newest = f.last_packet_ns();
          file = f.name();
        }
      }
    }
    if (file.empty()) {
      return Fail(ctx, absl::NotFoundError(absl::StrCat(
                           "ring ", ring, " on ", agent,
                           " has no closed file yet (rotate it: airfleetctl capture rotate)")));
    }
  }
  const std::string out_path = out_arg.empty() ? file : out_arg;
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  if (!out) return Fail(ctx, absl::InvalidArgumentError(absl::StrCat("cannot write ", out_path)));
  auto fail_and_remove = [&](const absl::Status& status) {
    out.close();
    std::error_code ignored;
    std::filesystem::remove(out_path, ignored);
    return Fail(ctx, status);
  };
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> sha(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(sha.get(), EVP_sha256(), nullptr);
  uint64_t offset = 0;
  std::string expected_sha;
  while (true) {
    v1::ControlRequest request;
    v1::FetchChunk* chunk = request.mutable_fetch_chunk();
    chunk->set_ring(ring);
    chunk->set_file(file);
    chunk->set_offset(offset);
    chunk->set_max_bytes(kChunkBytes);
    auto reply = Call(ctx, agent, std::move(request));
    if (!reply.ok()) return fail_and_remove(reply.status());
    const v1::FetchChunkReply& got = reply->fetch_chunk();
    if (!expected_sha.empty() && got.sha256_hex() != expected_sha) {
      return fail_and_remove(absl::DataLossError(
          absl::StrCat(file, " changed on the agent during the fetch (its hash changed)")));
    }
    expected_sha = got.sha256_hex();
    out.write(got.data().data(), static_cast<std::streamsize>(got.data().size()));
    EVP_DigestUpdate(sha.get(), got.data().data(), got.data().size());
    offset += got.data().size();
    if (progress) {
      *ctx.err << "\rairfleetctl: " << file << " " << offset << " of " << got.file_size()
               << " bytes" << std::flush;
    }
    if (got.eof()) break;
    if (got.data().empty()) {
      return fail_and_remove(
          absl::DataLossError(absl::StrCat("the agent sent no data at byte ", offset)));
    }
  }
  if (progress) *ctx.err << "\n";
  out.close();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  EVP_DigestFinal_ex(sha.get(), digest, &digest_len);
  std::string hex;
  for (unsigned int i = 0; i < digest_len; ++i)
    absl::StrAppend(&hex, absl::Hex(digest[i], absl::kZeroPad2));
  if (hex != expected_sha) {
    std::error_code ignored;
    std::filesystem::remove(out_path, ignored);
    return Fail(ctx, absl::DataLossError(absl::StrCat("SHA-256 of the fetched ", file, " is ", hex,
                                                      " but the agent's file has ", expected_sha,
                                                      "; the partial copy was removed")));
  }
  *ctx.err << "airfleetctl: fetched " << file << " (" << offset << " bytes, sha256 " << hex
           << ") to " << out_path << "\n";
  return kExitOk;
}

}  // namespace airfleet::ctl
