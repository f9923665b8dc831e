#include "collector/sinks/elasticsearch/bulk_response.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace airfleet::collector::sinks::elasticsearch {
namespace {

using ::testing::HasSubstr;

// Shapes as documented for `_bulk` (and seen from OpenSearch 2.19 in the server test).
constexpr const char* kMixed = R"({"took":3,"errors":true,"items":[
 {"index":{"_index":"a","_id":"1","status":201,"result":"created"}},
 {"index":{"_index":"a","_id":"2","status":200,"result":"updated"}},
 {"index":{"_index":"a","_id":"3","status":400,"error":{"type":"mapper_parsing_exception",
   "reason":"failed to parse field [bytes] of type [long] in document with id '3'",
   "caused_by":{"type":"input_coercion_exception","reason":"Numeric value out of range of long"}}}},
 {"index":{"_index":"a","_id":"4","status":429,"error":{"type":"es_rejected_execution_exception",
   "reason":"rejected execution"}}},
 {"create":{"_index":"a","_id":"5","status":409,"error":{"type":"version_conflict_engine_exception",
   "reason":"document already exists"}}},
 {"index":{"_index":"a","_id":"6","status":503,"error":{"type":"unavailable_shards_exception",
   "reason":"primary shard is not active"}}},
 {"index":{"_index":"a","_id":"7","status":404,"error":{"type":"index_not_found_exception",
   "reason":"no such index [a]"}}},
 {"index":{"_index":"a","_id":"8","status":409,"error":{"type":"version_conflict_engine_exception",
   "reason":"conflict"}}}
]})";

TEST(ClassifyBulkResponse, PerItemVerdictsInOrder) {
  BulkOutcome out = ClassifyBulkResponse(200, kMixed, 8);
  ASSERT_EQ(out.items.size(), 8u);
  EXPECT_FALSE(out.too_large);
  EXPECT_EQ(out.items[0].verdict, Verdict::kOk);
  EXPECT_EQ(out.items[1].verdict, Verdict::kOk);
  EXPECT_EQ(out.items[2].verdict, Verdict::kDrop);
  EXPECT_THAT(out.items[2].reason, HasSubstr("mapper_parsing_exception"));
  EXPECT_THAT(out.items[2].reason, HasSubstr("[bytes]"));
  EXPECT_THAT(out.items[2].reason, HasSubstr("out of range"));
  EXPECT_EQ(out.items[3].verdict, Verdict::kRetry);
  EXPECT_THAT(out.items[3].reason, HasSubstr("429"));
  EXPECT_EQ(out.items[4].verdict, Verdict::kOk);     // 409 on create: already there
  EXPECT_EQ(out.items[5].verdict, Verdict::kRetry);  // 503
  EXPECT_EQ(out.items[6].verdict, Verdict::kDrop);   // 404
  EXPECT_EQ(out.items[7].verdict, Verdict::kDrop);   // 409 on index is not "already there"
}

TEST(ClassifyBulkResponse, WholeResponseRetryableStatusesRetryEverything) {
  for (int status : {429, 502, 503, 504, 500, 401}) {
    BulkOutcome out = ClassifyBulkResponse(
        status, R"({"error":{"type":"cluster_block_exception","reason":"blocked"},"status":503})",
        3);
    ASSERT_EQ(out.items.size(), 3u) << status;
    for (const auto& item : out.items) {
      EXPECT_EQ(item.verdict, Verdict::kRetry) << status;
      EXPECT_THAT(item.reason, HasSubstr("cluster_block_exception"));
    }
  }
}

TEST(ClassifyBulkResponse, TooLargeAsksForASplit) {
  BulkOutcome out = ClassifyBulkResponse(413, "", 4);
  EXPECT_TRUE(out.too_large);
  EXPECT_EQ(out.items.size(), 4u);
}

TEST(ClassifyBulkResponse, GarbageOrWrongCountIsRetryNotLoss) {
  for (const char* body : {"", "not json", "[]", R"({"errors":true})",
                           R"({"errors":true,"items":[{"index":{"status":201}}]})",
                           R"({"errors":true,"items":[1,2]})"}) {
    BulkOutcome out = ClassifyBulkResponse(200, body, 2);
    ASSERT_EQ(out.items.size(), 2u) << body;
    EXPECT_EQ(out.items[0].verdict, Verdict::kRetry) << body;
  }
}

TEST(ClassifyBulkResponse, MalformedItemsRetry) {
  BulkOutcome out = ClassifyBulkResponse(
      200, R"({"errors":true,"items":[{"index":{"status":"x"}},{},{"index":{"status":201}}]})", 3);
  EXPECT_EQ(out.items[0].verdict, Verdict::kRetry);
  EXPECT_EQ(out.items[1].verdict, Verdict::kRetry);
  EXPECT_EQ(out.items[2].verdict, Verdict::kOk);
}

TEST(ClassifyBulkResponse, NoErrorsAndFilteredItemsMeansAllOk) {
  BulkOutcome out = ClassifyBulkResponse(200, R"({"errors":false})", 2);
  EXPECT_EQ(out.items[1].verdict, Verdict::kOk);
}

}  // namespace
}  // namespace airfleet::collector::sinks::elasticsearch
