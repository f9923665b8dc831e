#include "agent/uplink/error_text.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace airfleet::uplink {
namespace {

bool ContainsAny(const std::string& haystack, std::initializer_list<const char*> needles) {
  for (const char* n : needles) {
    if (absl::StrContains(haystack, n)) return true;
  }
  return false;
}

}  // namespace

std::string DescribeStreamFailure(const grpc::Status& status, const ErrorContext& context) {
  const std::string text =
      absl::AsciiStrToLower(absl::StrCat(status.error_message(), " ", status.error_details()));
  const std::string& c = context.collector;

  // Our verification of the collector failed (TLS handshake, client side).
  if (ContainsAny(text, {"certificate_verify_failed", "certificate verify failed",
                         "unable to get local issuer", "self signed certificate",
                         "self-signed certificate", "peer name", "hostname mismatch"})) {
    return absl::StrCat("cannot verify the collector's certificate against CA ", context.ca_file,
                        " (collector ", c,
                        "; check that its certificate is issued by the fleet CA and names the "
                        "address we dial)");
  }
  // The collector rejected our certificate (a TLS alert from the server).
  if (ContainsAny(text, {"alert", "certificate required", "bad certificate", "unknown ca",
                         "certificate unknown", "certificate expired"})) {
    return absl::StrCat("collector ", c, " refused our certificate ", context.cert_file,
                        " (check that the agent cert is issued by the fleet CA and not expired)");
  }
  // With TLS 1.3 the server checks our certificate after the client's side of the handshake is
  // done, so a refusal reaches us only as the connection being closed during connect.
  if (absl::StrContains(text, "failed to connect") && absl::StrContains(text, "socket closed")) {
    return absl::StrCat("collector ", c,
                        " closed the connection during the TLS handshake: it probably refused our "
                        "certificate ",
                        context.cert_file,
                        " (check that the agent cert is issued by the fleet CA and not expired, "
                        "and that ",
                        c, " is an airfleet collector)");
  }
  if (ContainsAny(text, {"connection refused", "connect failed"})) {
    return absl::StrCat("cannot connect to collector ", c,
                        ": connection refused (is it running and listening there?)");
  }
  switch (status.error_code()) {
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return absl::StrCat("collector ", c, " rejected this agent: ", status.error_message());
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::StrCat("collector ", c, " did not answer in time: ", status.error_message());
    default:
      break;
  }
  return absl::StrCat("stream to collector ", c, " failed (code ",
                      static_cast<int>(status.error_code()), "): ", status.error_message());
}

}  // namespace airfleet::uplink
