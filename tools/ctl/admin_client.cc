#include "tools/ctl/admin_client.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cctype>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "tools/pki/pki.h"

namespace airfleet::ctl {
namespace {

// Admin answers can be large (every device of a busy site); gRPC's 4 MiB default is too small.
constexpr int kMaxReceiveBytes = 256 << 20;

bool ContainsNoCase(std::string haystack, std::string needle) {
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
  };
  return lower(std::move(haystack)).find(lower(std::move(needle))) != std::string::npos;
}

// Reads one of the connection files; the message names the flag so the operator knows which.
absl::StatusOr<std::string> ReadFlagFile(const char* flag, const char* env,
                                         const std::string& path) {
  if (path.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(flag, " is required (or set ", env, ")"));
  }
  auto pem = pki::ReadFile(path);
  if (!pem.ok()) {
    // A missing connection file is a usage error (exit 1), not a "not found" answer (exit 4).
    return absl::InvalidArgumentError(absl::StrCat(flag, ": ", pem.status().message()));
  }
  return pem;
}

}  // namespace

absl::Status DescribeRpcError(const grpc::Status& status, const ConnectionOptions& options,
                              const std::string& cert_role) {
  const std::string& msg = status.error_message();
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      return absl::OkStatus();
    case grpc::StatusCode::UNAVAILABLE:
      // gRPC reports handshake failures as UNAVAILABLE too; tell them apart by the text so the
      // hint points at certificates rather than at the network.
      if (ContainsNoCase(msg, "ssl") || ContainsNoCase(msg, "handshake") ||
          ContainsNoCase(msg, "certificate") || ContainsNoCase(msg, "peer name")) {
        return absl::UnavailableError(absl::StrCat(
            "TLS handshake with the collector at ", options.address, " failed: ", msg,
            " (check that --ca is the fleet CA that issued the collector's certificate, that "
            "--cert "
            "was issued by the same CA, and that the collector's certificate names the host you "
            "dial)"));
      }
      return absl::UnavailableError(
          absl::StrCat("cannot reach collector at ", options.address, ": ", msg));
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::DeadlineExceededError(absl::StrCat("cannot reach collector at ", options.address,
                                                      ": no answer within ",
                                                      options.timeout.count(), " ms"));
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNAUTHENTICATED:
      if (cert_role != "operator") {
        return absl::PermissionDeniedError(absl::StrCat(
            "the collector refused: this command needs an operator certificate; ",
            options.cert_path, " is a '", cert_role.empty() ? "unknown" : cert_role,
            "' certificate (issue one with `airfleetctl pki issue operator NAME --dir DIR`)"));
      }
      return absl::PermissionDeniedError(absl::StrCat("the collector refused: ", msg));
    case grpc::StatusCode::NOT_FOUND:
      return absl::NotFoundError(msg);
    case grpc::StatusCode::UNIMPLEMENTED:
      return absl::UnimplementedError(
          absl::StrCat("the collector at ", options.address,
                       " does not implement this command (is it older than airfleetctl?): ", msg));
    default:
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          absl::StrCat("the collector at ", options.address, " failed: ", msg));
  }
}

absl::StatusOr<std::unique_ptr<AdminClient>> AdminClient::Create(const ConnectionOptions& options) {
  if (options.address.empty()) {
    return absl::InvalidArgumentError("--collector is required (or set AIRFLEET_COLLECTOR)");
  }
  AF_ASSIGN_OR_RETURN(std::string ca, ReadFlagFile("--ca", "AIRFLEET_CA", options.ca_path));
  AF_ASSIGN_OR_RETURN(std::string cert, ReadFlagFile("--cert", "AIRFLEET_CERT", options.cert_path));
  AF_ASSIGN_OR_RETURN(std::string key, ReadFlagFile("--key", "AIRFLEET_KEY", options.key_path));
  auto identity = pki::ReadIdentity(cert);
  if (!identity.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--cert ", options.cert_path, ": ", identity.status().message()));
  }
  if (!pki::ReadIdentity(ca).ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--ca ", options.ca_path, ": no PEM certificate found"));
  }
  // Catch a mismatched pair here: gRPC would only report a vague handshake failure.
  absl::Status match = pki::CheckKeyMatchesCert(key, cert);
  if (!match.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--key ", options.key_path,
                                                   " does not belong to --cert ", options.cert_path,
                                                   ": ", match.message()));
  }

  grpc::SslCredentialsOptions ssl{ca, key, cert};
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxReceiveBytes);
  if (!options.server_name.empty()) args.SetSslTargetNameOverride(options.server_name);
  auto channel = grpc::CreateCustomChannel(options.address, grpc::SslCredentials(ssl), args);
  return std::unique_ptr<AdminClient>(
      new AdminClient(options, identity->organizational_unit, v1::Admin::NewStub(channel)));
}

void AdminClient::PrepareUnary(grpc::ClientContext* ctx) const {
  ctx->set_deadline(std::chrono::system_clock::now() + options_.timeout);
}

absl::StatusOr<v1::ListAgentsResponse> AdminClient::ListAgents() {
  grpc::ClientContext ctx;
  PrepareUnary(&ctx);
  v1::ListAgentsResponse out;
  grpc::Status st = stub_->ListAgents(&ctx, v1::ListAgentsRequest(), &out);
  if (!st.ok()) return DescribeRpcError(st, options_, cert_role_);
  return out;
}

absl::StatusOr<v1::ListDevicesResponse> AdminClient::ListDevices(
    const v1::ListDevicesRequest& request) {
  grpc::ClientContext ctx;
  PrepareUnary(&ctx);
  v1::ListDevicesResponse out;
  grpc::Status st = stub_->ListDevices(&ctx, request, &out);
  if (!st.ok()) return DescribeRpcError(st, options_, cert_role_);
  return out;
}

absl::StatusOr<v1::GetDeviceResponse> AdminClient::GetDevice(uint64_t mac) {
  grpc::ClientContext ctx;
  PrepareUnary(&ctx);
  v1::GetDeviceRequest request;
  request.set_mac(mac);
  v1::GetDeviceResponse out;
  grpc::Status st = stub_->GetDevice(&ctx, request, &out);
  if (!st.ok()) return DescribeRpcError(st, options_, cert_role_);
  return out;
}

absl::StatusOr<v1::PutKnownDevicesResponse> AdminClient::PutKnownDevices(
    const v1::PutKnownDevicesRequest& request) {
  grpc::ClientContext ctx;
  PrepareUnary(&ctx);
  v1::PutKnownDevicesResponse out;
  grpc::Status st = stub_->PutKnownDevices(&ctx, request, &out);
  if (!st.ok()) return DescribeRpcError(st, options_, cert_role_);
  return out;
}

absl::Status AdminClient::RemoveKnownDevice(uint64_t mac) {
  grpc::ClientContext ctx;
  PrepareUnary(&ctx);
  v1::RemoveKnownDeviceRequest request;
  request.set_mac(mac);
  v1::RemoveKnownDeviceResponse out;
  grpc::Status st = stub_->RemoveKnownDevice(&ctx, request, &out);
  if (!st.ok()) return DescribeRpcError(st, options_, cert_role_);
  return absl::OkStatus();
}

absl::StatusOr<v1::ListKnownDevicesResponse> AdminClient::ListKnownDevices() {
  grpc::ClientContext ctx;
  PrepareUnary(&ctx);
  v1::ListKnownDevicesResponse out;
  grpc::Status st = stub_->ListKnownDevices(&ctx, v1::ListKnownDevicesRequest(), &out);
  if (!st.ok()) return DescribeRpcError(st, options_, cert_role_);
  return out;
}

absl::StatusOr<v1::ListClustersResponse> AdminClient::ListClusters(
    const v1::ListClustersRequest& request) {
  grpc::ClientContext ctx;
  PrepareUnary(&ctx);
  v1::ListClustersResponse out;
  grpc::Status st = stub_->ListClusters(&ctx, request, &out);
  if (!st.ok()) return DescribeRpcError(st, options_, cert_role_);
  return out;
}

absl::StatusOr<v1::ProbeStatsResponse> AdminClient::ProbeStats(
    const v1::ProbeStatsRequest& request) {
  grpc::ClientContext ctx;
  PrepareUnary(&ctx);
  v1::ProbeStatsResponse out;
  grpc::Status st = stub_->ProbeStats(&ctx, request, &out);
  if (!st.ok()) return DescribeRpcError(st, options_, cert_role_);
  return out;
}

absl::StatusOr<v1::SubtypeStatsResponse> AdminClient::SubtypeStats(
    const v1::SubtypeStatsRequest& request) {
  grpc::ClientContext ctx;
  PrepareUnary(&ctx);
  v1::SubtypeStatsResponse out;
  grpc::Status st = stub_->SubtypeStats(&ctx, request, &out);
  if (!st.ok()) return DescribeRpcError(st, options_, cert_role_);
  return out;
}

absl::StatusOr<v1::TimelineResponse> AdminClient::Timeline(const v1::TimelineRequest& request) {
  grpc::ClientContext ctx;
  PrepareUnary(&ctx);
  v1::TimelineResponse out;
  grpc::Status st = stub_->Timeline(&ctx, request, &out);
  if (!st.ok()) return DescribeRpcError(st, options_, cert_role_);
  return out;
}

absl::StatusOr<v1::FleetFramesResponse> AdminClient::FleetFrames(
    const v1::FleetFramesRequest& request) {
  grpc::ClientContext ctx;
  PrepareUnary(&ctx);
  v1::FleetFramesResponse out;
  grpc::Status st = stub_->FleetFrames(&ctx, request, &out);
  if (!st.ok()) return DescribeRpcError(st, options_, cert_role_);
  return out;
}

absl::StatusOr<v1::GraphResponse> AdminClient::DeviceGraph(const v1::GraphRequest& request) {
  grpc::ClientContext ctx;
  PrepareUnary(&ctx);
  v1::GraphResponse out;
  grpc::Status st = stub_->DeviceGraph(&ctx, request, &out);
  if (!st.ok()) return DescribeRpcError(st, options_, cert_role_);
  return out;
}

absl::Status AdminClient::ExportWindows(
    const v1::ExportWindowsRequest& request,
    const std::function<absl::Status(const v1::StoredWindow&)>& sink) {
  grpc::ClientContext ctx;
  auto reader = stub_->ExportWindows(&ctx, request);
  v1::StoredWindow window;
  while (reader->Read(&window)) {
    absl::Status st = sink(window);
    if (!st.ok()) {
      ctx.TryCancel();
      (void)reader->Finish();  // the sink's error is the one to report
      return st;
    }
  }
  grpc::Status st = reader->Finish();
  if (!st.ok()) return DescribeRpcError(st, options_, cert_role_);
  return absl::OkStatus();
}

absl::StatusOr<v1::ListSinksResponse> AdminClient::ListSinks() {
  grpc::ClientContext ctx;
  PrepareUnary(&ctx);
  v1::ListSinksResponse out;
  grpc::Status st = stub_->ListSinks(&ctx, v1::ListSinksRequest(), &out);
  if (!st.ok()) return DescribeRpcError(st, options_, cert_role_);
  return out;
}

absl::StatusOr<v1::SetAgentConfigResponse> AdminClient::SetAgentConfig(
    const v1::SetAgentConfigRequest& request) {
  grpc::ClientContext ctx;
  PrepareUnary(&ctx);
  v1::SetAgentConfigResponse out;
  grpc::Status st = stub_->SetAgentConfig(&ctx, request, &out);
  if (!st.ok()) return DescribeRpcError(st, options_, cert_role_);
  return out;
}

absl::StatusOr<v1::GetAgentConfigResponse> AdminClient::GetAgentConfig(
    const std::string& agent_id) {
  grpc::ClientContext ctx;
  PrepareUnary(&ctx);
  v1::GetAgentConfigRequest request;
  request.set_agent_id(agent_id);
  v1::GetAgentConfigResponse out;
  grpc::Status st = stub_->GetAgentConfig(&ctx, request, &out);
  if (!st.ok()) return DescribeRpcError(st, options_, cert_role_);
  return out;
}

absl::StatusOr<v1::ControlReply> AdminClient::ControlAgent(const v1::ControlAgentRequest& request) {
  grpc::ClientContext ctx;
  PrepareUnary(&ctx);
  ctx.set_deadline(std::chrono::system_clock::now() + options_.timeout +
                   std::chrono::milliseconds(request.timeout_ms()));
  v1::ControlReply out;
  grpc::Status st = stub_->ControlAgent(&ctx, request, &out);
  // The collector's own verdicts about the agent ("agent X is not connected", "did not answer in
  // time") are not connection problems with the collector: pass them on as they are.
  if (!st.ok() && st.error_message().rfind("agent ", 0) == 0) {
    return absl::Status(static_cast<absl::StatusCode>(st.error_code()), st.error_message());
  }
  if (!st.ok()) return DescribeRpcError(st, options_, cert_role_);
  return out;
}

absl::StatusOr<v1::ListDeadLettersResponse> AdminClient::ListDeadLetters(
    const v1::ListDeadLettersRequest& request) {
  grpc::ClientContext ctx;
  PrepareUnary(&ctx);
  v1::ListDeadLettersResponse out;
  grpc::Status st = stub_->ListDeadLetters(&ctx, request, &out);
  if (!st.ok()) return DescribeRpcError(st, options_, cert_role_);
  return out;
}

absl::StatusOr<v1::InitSinksResponse> AdminClient::InitSinks(std::chrono::milliseconds timeout) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  v1::InitSinksResponse out;
  grpc::Status st = stub_->InitSinks(&ctx, v1::InitSinksRequest(), &out);
  if (!st.ok()) return DescribeRpcError(st, options_, cert_role_);
  return out;
}

absl::StatusOr<v1::BackfillSinksResponse> AdminClient::BackfillSinks(
    int64_t since_ns, std::chrono::milliseconds timeout) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  v1::BackfillSinksRequest request;
  request.set_since_ns(since_ns);
  v1::BackfillSinksResponse out;
  grpc::Status st = stub_->BackfillSinks(&ctx, request, &out);
  if (!st.ok()) return DescribeRpcError(st, options_, cert_role_);
  return out;
}

}  // namespace airfleet::ctl
