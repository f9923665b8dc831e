#include "collector/sinks/elasticsearch/bulk_response.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace airfleet::collector::sinks::elasticsearch {
namespace {

using nlohmann::json;

constexpr size_t kMaxReasonBytes = 1000;

std::vector<ItemResult> All(size_t n, Verdict verdict, const std::string& reason) {
  return std::vector<ItemResult>(n, ItemResult{verdict, reason});
}

std::string StringField(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// "mapper_parsing_exception: failed to parse field [bytes] ... (caused by: ...)".
std::string ErrorReason(const json& error) {
  if (error.is_string()) return error.get<std::string>();
  std::string out = StringField(error, "type");
  std::string reason = StringField(error, "reason");
  if (!reason.empty()) absl::StrAppend(&out, out.empty() ? "" : ": ", reason);
  if (error.is_object()) {
    auto cause = error.find("caused_by");
    if (cause != error.end() && cause->is_object()) {
      absl::StrAppend(&out, " (caused by ", StringField(*cause, "type"), ": ",
                      StringField(*cause, "reason"), ")");
    }
  }
  if (out.size() > kMaxReasonBytes) out.resize(kMaxReasonBytes);
  return out.empty() ? "no reason given" : out;
}

bool IsRetryableStatus(int status) {
  return status == 429 || status == 502 || status == 503 || status == 504;
}

ItemResult ClassifyItem(const json& item) {
  if (!item.is_object() || item.size() != 1 || !item.begin().value().is_object()) {
    return {Verdict::kRetry, "malformed bulk item in response"};
  }
  const std::string& op = item.begin().key();
  const json& body = item.begin().value();
  auto status_it = body.find("status");
  if (status_it == body.end() || !status_it->is_number_integer()) {
    return {Verdict::kRetry, "bulk item without status"};
  }
  int status = status_it->get<int>();
  if (status >= 200 && status < 300) return {Verdict::kOk, ""};
  if (status == 409 && op == "create") return {Verdict::kOk, ""};
  std::string reason = absl::StrCat("HTTP ", status, " ");
  auto error = body.find("error");
  absl::StrAppend(&reason, error != body.end() ? ErrorReason(*error) : "no error body");
  if (IsRetryableStatus(status)) return {Verdict::kRetry, reason};
  return {Verdict::kDrop, reason};
}

}  // namespace

BulkOutcome ClassifyBulkResponse(int http_status, std::string_view body, size_t expected_items) {
  BulkOutcome out;
  std::string snippet(body.substr(0, 300));
  if (http_status == 413) {
    out.too_large = true;
    out.items = All(expected_items, Verdict::kRetry, "HTTP 413: bulk request too large");
    return out;
  }
  if (http_status < 200 || http_status >= 300) {
    // The whole request was refused before any item was looked at: nothing is lost by retrying,
    // and a per-item drop would need an item-level answer the engine did not give.
    json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
    std::string reason = absl::StrCat("HTTP ", http_status, " ");
    if (parsed.is_object() && parsed.contains("error")) {
      absl::StrAppend(&reason, ErrorReason(parsed["error"]));
    } else {
      absl::StrAppend(&reason, snippet);
    }
    out.items = All(expected_items, Verdict::kRetry, reason);
    return out;
  }
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) {
    out.items =
        All(expected_items, Verdict::kRetry, absl::StrCat("unparseable bulk response: ", snippet));
    return out;
  }
  auto errors = parsed.find("errors");
  auto items = parsed.find("items");
  if (errors != parsed.end() && errors->is_boolean() && !errors->get<bool>() &&
      (items == parsed.end())) {
    // filter_path may strip `items` entirely when nothing failed.
    out.items = All(expected_items, Verdict::kOk, "");
    return out;
  }
  if (items == parsed.end() || !items->is_array() || items->size() != expected_items) {
    out.items = All(expected_items, Verdict::kRetry,
                    absl::StrCat("bulk response has ",
                                 items != parsed.end() && items->is_array() ? items->size() : 0,
                                 " items for ", expected_items, " sent"));
    return out;
  }
  out.items.reserve(expected_items);
  for (const json& item : *items) out.items.push_back(ClassifyItem(item));
  return out;
}

}  // namespace airfleet::collector::sinks::elasticsearch
