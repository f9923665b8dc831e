// Expected bytes are written by hand from doc/native_protocol_v4.spec (section numbers in the
// comments), never produced by the encoder under test.
#include "collector/sinks/cassandra/cql_frame.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace airfleet::collector::sinks::cql {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string B(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

// A server frame: v4 response header (section 2) around `body`.
std::string ServerFrame(int opcode, const std::string& body, int stream = 1, int flags = 0) {
  uint32_t n = body.size();
  return B({0x84, flags, (stream >> 8) & 0xff, stream & 0xff, opcode, int(n >> 24),
            int((n >> 16) & 0xff), int((n >> 8) & 0xff), int(n & 0xff)}) +
         body;
}

template <typename T>
const T& BodyAs(const Response& r) {
  return std::get<T>(r.body);
}
template <typename T>
const T& ResultAs(const Response& r) {
  return std::get<T>(std::get<Result>(r.body));
}

// ---- Requests (sections 4.1.x) ----

TEST(CqlRequestTest, StartupIsAStringMapFramedWithVersion4) {
  std::string frame = EncodeFrame(0, StartupRequest({{"CQL_VERSION", "3.0.0"}}));
  EXPECT_EQ(frame, B({0x04, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 22, 0, 1, 0, 11}) + "CQL_VERSION" +
                       B({0, 5}) + "3.0.0");
}

TEST(CqlRequestTest, AuthResponseCarriesSaslPlainToken) {
  std::string frame = EncodeFrame(3, AuthResponseRequest(PlainAuthToken("u", "pw")));
  EXPECT_EQ(frame, B({0x04, 0, 0, 3, 0x0F, 0, 0, 0, 9, 0, 0, 0, 5, 0, 'u', 0, 'p', 'w'}));
}

TEST(CqlRequestTest, OptionsHasEmptyBody) {
  EXPECT_EQ(EncodeFrame(0x0102, OptionsRequest()), B({0x04, 0, 0x01, 0x02, 0x05, 0, 0, 0, 0}));
}

TEST(CqlRequestTest, QueryWithValuesAndTimestamp) {
  QueryParameters p;
  p.consistency = Consistency::kLocalQuorum;
  p.values = {IntValue(7), std::nullopt};
  p.timestamp_us = 0x0102030405060708;
  Request r = QueryRequest("SELECT 1", p);
  EXPECT_EQ(r.opcode, Opcode::kQuery);
  EXPECT_EQ(r.body,
            B({0, 0, 0, 8}) + "SELECT 1" + B({0x00, 0x06,  // LOCAL_QUORUM
                                              0x21,        // values | timestamp
                                              0x00, 0x02,  // 2 values
                                              0,    0,    0,    4,    0, 0, 0, 7,     // int 7
                                              0xff, 0xff, 0xff, 0xff,                 // null
                                              1,    2,    3,    4,    5, 6, 7, 8}));  // timestamp
}

TEST(CqlRequestTest, QueryWithPagingAndSerialConsistency) {
  QueryParameters p;
  p.consistency = Consistency::kOne;
  p.skip_metadata = true;
  p.page_size = 100;
  p.paging_state = std::string("ps");
  p.serial_consistency = Consistency::kLocalSerial;
  Request r = QueryRequest("Q", p);
  EXPECT_EQ(r.body, B({0, 0, 0, 1, 'Q', 0, 1, 0x1E, 0, 0, 0, 100, 0, 0, 0, 2, 'p', 's', 0, 9}));
}

TEST(CqlRequestTest, PrepareAndExecute) {
  EXPECT_EQ(PrepareRequest("INSERT").body, B({0, 0, 0, 6}) + "INSERT");
  QueryParameters p;
  p.consistency = Consistency::kQuorum;
  p.values = {TextValue("hi")};
  Request r = ExecuteRequest(B({0xAB, 0xCD}), p);
  EXPECT_EQ(r.opcode, Opcode::kExecute);
  EXPECT_EQ(r.body, B({0, 2, 0xAB, 0xCD, 0, 4, 0x01, 0, 1, 0, 0, 0, 2, 'h', 'i'}));
}

TEST(CqlRequestTest, UnloggedBatchMixesPreparedAndQueryStatements) {
  BatchRequest b;
  b.type = BatchType::kUnlogged;
  b.statements.push_back({B({0x11}), "", {BigIntValue(-1)}});
  b.statements.push_back({std::nullopt, "DELETE", {}});
  b.consistency = Consistency::kLocalQuorum;
  b.timestamp_us = 5;
  auto r = BatchRequestBody(b);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->opcode, Opcode::kBatch);
  EXPECT_EQ(r->body,
            B({0x01, 0,    2,                                         // unlogged, 2 queries
               0x01, 0,    1,    0x11, 0,    1,    0,    0,    0, 8,  // prepared id, 1 value
               0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,        // bigint -1
               0x00, 0,    0,    0,    6}) +                          // query string
                "DELETE" +
                B({0, 0,        // no values
                   0, 6, 0x20,  // LOCAL_QUORUM, timestamp flag
                   0, 0, 0, 0, 0, 0, 0, 5}));
}

TEST(CqlRequestTest, EmptyBatchIsRejected) { EXPECT_FALSE(BatchRequestBody(BatchRequest{}).ok()); }

TEST(CqlRequestTest, Register) {
  EXPECT_EQ(RegisterRequest({"SCHEMA_CHANGE"}).body, B({0, 1, 0, 13}) + "SCHEMA_CHANGE");
}

TEST(CqlValueTest, SerializedForms) {
  EXPECT_EQ(*BigIntValue(0x0102030405060708), B({1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(*IntValue(-2), B({0xff, 0xff, 0xff, 0xfe}));
  EXPECT_EQ(*BooleanValue(true), B({1}));
  EXPECT_EQ(*DoubleValue(1.0), B({0x3f, 0xf0, 0, 0, 0, 0, 0, 0}));  // IEEE 754
  EXPECT_EQ(*TimestampValue(1000), B({0, 0, 0, 0, 0, 0, 0x03, 0xe8}));
  // Collections (section 6): [int n] then n [bytes] elements.
  EXPECT_EQ(*TextListValue({"a", "bc"}), B({0, 0, 0, 2, 0, 0, 0, 1, 'a', 0, 0, 0, 2, 'b', 'c'}));
  EXPECT_EQ(*IntListValue({1}), B({0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 1}));
  EXPECT_EQ(*TextIntMapValue({{"k", 3}}), B({0, 0, 0, 1, 0, 0, 0, 1, 'k', 0, 0, 0, 4, 0, 0, 0, 3}));
}

TEST(CqlConsistencyTest, ParsesNamesCaseInsensitively) {
  EXPECT_EQ(*ParseConsistency("local_quorum"), Consistency::kLocalQuorum);
  EXPECT_EQ(*ParseConsistency("ONE"), Consistency::kOne);
  auto bad = ParseConsistency("MOSTLY");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("MOSTLY"));
}

// ---- Header (section 2) ----

TEST(CqlHeaderTest, DecodesAllFields) {
  auto h = DecodeResponseHeader(B({0x84, 0x08, 0x7f, 0xff, 0x08, 0, 1, 0, 0}));
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->flags, 0x08);
  EXPECT_EQ(h->stream, 32767);
  EXPECT_EQ(h->opcode, Opcode::kResult);
  EXPECT_EQ(h->length, 65536u);
}

TEST(CqlHeaderTest, EventStreamIsMinusOne) {
  auto h = DecodeResponseHeader(B({0x84, 0, 0xff, 0xff, 0x0C, 0, 0, 0, 0}));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->stream, -1);
}

TEST(CqlHeaderTest, RejectsOtherVersionsCompressionAndHugeBodies) {
  auto v3 = DecodeResponseHeader(B({0x83, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_THAT(v3.status().message(), HasSubstr("0x83"));
  EXPECT_FALSE(DecodeResponseHeader(B({0x84, 0x01, 0, 0, 8, 0, 0, 0, 0})).ok());
  auto huge = DecodeResponseHeader(B({0x84, 0, 0, 0, 8, 0x10, 0, 0, 1}));
  EXPECT_THAT(huge.status().message(), HasSubstr("256 MiB"));
  EXPECT_THAT(DecodeResponseHeader(B({0x84, 0})).status().message(), HasSubstr("truncated"));
}

// ---- Responses (section 4.2.x) ----

TEST(CqlResponseTest, Ready) {
  auto r = DecodeFrame(ServerFrame(0x02, ""));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(std::holds_alternative<Ready>(r->body));
  EXPECT_EQ(r->header.stream, 1);
}

TEST(CqlResponseTest, Authenticate) {
  std::string cls = "org.apache.cassandra.auth.PasswordAuthenticator";
  auto r = DecodeFrame(ServerFrame(0x03, B({0, int(cls.size())}) + cls));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(BodyAs<Authenticate>(*r).authenticator, cls);
}

TEST(CqlResponseTest, SupportedIsAStringMultimap) {
  auto r = DecodeFrame(ServerFrame(
      0x06, B({0, 1, 0, 11}) + "CQL_VERSION" + B({0, 2, 0, 5}) + "3.4.7" + B({0, 5}) + "3.0.0"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(BodyAs<Supported>(*r).options.at("CQL_VERSION"), ElementsAre("3.4.7", "3.0.0"));
}

TEST(CqlResponseTest, AuthChallengeAndSuccess) {
  auto c = DecodeFrame(ServerFrame(0x0E, B({0, 0, 0, 2, 'x', 'y'})));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(*BodyAs<AuthChallenge>(*c).token, "xy");
  auto s = DecodeFrame(ServerFrame(0x10, B({0xff, 0xff, 0xff, 0xff})));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FALSE(BodyAs<AuthSuccess>(*s).token.has_value());  // null token
}

TEST(CqlResponseTest, ResultVoid) {
  auto r = DecodeFrame(ServerFrame(0x08, B({0, 0, 0, 1})));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(std::holds_alternative<VoidResult>(std::get<Result>(r->body)));
}

TEST(CqlResponseTest, ResultRowsWithGlobalTableSpecAndCollections) {
  std::string body = B({0,    0,    0,    2,          // Rows
                        0,    0,    0,    0x03,       // Global_tables_spec | Has_more_pages
                        0,    0,    0,    2,          // 2 columns
                        0,    0,    0,    1,    'P',  // paging state
                        0,    2,    'k',  's',  0,    1,    't',             // keyspace, table
                        0,    1,    'a',  0,    0x09,                        // a int
                        0,    1,    'b',  0,    0x21, 0,    0x0D, 0,  0x09,  // b map<varchar,int>
                        0,    0,    0,    2,                                 // 2 rows
                        0,    0,    0,    4,    0,    0,    0,    42, 0xff, 0xff,
                        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0,    0,  0,    0});
  auto r = DecodeFrame(ServerFrame(0x08, body));
  ASSERT_TRUE(r.ok()) << r.status();
  const auto& rows = ResultAs<RowsResult>(*r);
  EXPECT_EQ(*rows.metadata.paging_state, "P");
  ASSERT_EQ(rows.metadata.columns.size(), 2u);
  EXPECT_EQ(rows.metadata.columns[0].keyspace, "ks");
  EXPECT_EQ(rows.metadata.columns[1].table, "t");
  EXPECT_EQ(rows.metadata.columns[1].name, "b");
  EXPECT_EQ(rows.metadata.columns[1].type.id, 0x21);
  EXPECT_EQ(rows.metadata.columns[1].type.children[1].id, 0x09);
  ASSERT_EQ(rows.rows.size(), 2u);
  EXPECT_EQ(*DecodeInt(rows.rows[0][0]), 42);
  EXPECT_FALSE(rows.rows[0][1].has_value());
  EXPECT_EQ(*rows.rows[1][1], "");  // empty, not null
}

TEST(CqlResponseTest, ResultRowsWithPerColumnSpecsUdtAndTuple) {
  std::string body =
      B({0,    0,    0,   2,   0,   0,   0, 0,   0,   0, 0,    2, 0, 1,   'k',  0,
         1,    't',  0,   1,   'u',  // ks, table, name
         0,    0x30, 0,   1,   'k', 0,   2, 'u', 't', 0, 1,    0, 1, 'f', 0,    0x0D,  // udt
         0,    1,    'k', 0,   1,   't', 0, 1,   'v', 0, 0x31, 0, 2, 0,   0x02, 0,
         0x00, 0,    1,   'C',  // tuple<bigint, custom C>
         0,    0,    0,   0});
  auto r = DecodeFrame(ServerFrame(0x08, body));
  ASSERT_TRUE(r.ok()) << r.status();
  const auto& cols = ResultAs<RowsResult>(*r).metadata.columns;
  EXPECT_EQ(cols[0].type.udt_name, "ut");
  EXPECT_THAT(cols[0].type.udt_field_names, ElementsAre("f"));
  EXPECT_EQ(cols[1].type.children[1].custom_class, "C");
}

TEST(CqlResponseTest, ResultRowsNoMetadata) {
  auto r = DecodeFrame(
      ServerFrame(0x08, B({0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 'z'})));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*ResultAs<RowsResult>(*r).rows[0][0], "z");
}

TEST(CqlResponseTest, ResultSetKeyspace) {
  auto r = DecodeFrame(ServerFrame(0x08, B({0, 0, 0, 3, 0, 2, 'k', 's'})));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(ResultAs<SetKeyspaceResult>(*r).keyspace, "ks");
}

TEST(CqlResponseTest, ResultPrepared) {
  std::string body =
      B({0, 0,   0,   4,    0, 2,   0xAA, 0xBB,  // id
         0, 0,   0,   1,    0, 0,   0,    2,     // bind metadata: global, 2 columns
         0, 0,   0,   1,    0, 0,                // 1 pk, index 0
         0, 1,   'k', 0,    1, 't', 0,    1,    'a', 0, 0x0D, 0,
         1, 'b', 0,   0x02, 0, 0,   0,    4,    0,   0, 0,    0});  // result metadata: no_metadata
  auto r = DecodeFrame(ServerFrame(0x08, body));
  ASSERT_TRUE(r.ok()) << r.status();
  const auto& p = ResultAs<PreparedResult>(*r);
  EXPECT_EQ(p.id, B({0xAA, 0xBB}));
  EXPECT_THAT(p.pk_indices, ElementsAre(0));
  ASSERT_EQ(p.bind_metadata.columns.size(), 2u);
  EXPECT_EQ(p.bind_metadata.columns[1].type.id, 0x02);
  EXPECT_TRUE(p.result_metadata.columns.empty());
}

TEST(CqlResponseTest, ResultSchemaChangeForTableAndFunction) {
  auto t = DecodeFrame(ServerFrame(
      0x08, B({0, 0, 0, 5, 0, 7}) + "CREATED" + B({0, 5}) + "TABLE" + B({0, 1, 'k', 0, 1, 't'})));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(ResultAs<SchemaChange>(*t).name, "t");
  auto k = DecodeFrame(ServerFrame(
      0x08, B({0, 0, 0, 5, 0, 7}) + "DROPPED" + B({0, 8}) + "KEYSPACE" + B({0, 1, 'k'})));
  ASSERT_TRUE(k.ok()) << k.status();
  EXPECT_EQ(ResultAs<SchemaChange>(*k).keyspace, "k");
  auto f =
      DecodeFrame(ServerFrame(0x08, B({0, 0, 0, 5, 0, 7}) + "UPDATED" + B({0, 8}) + "FUNCTION" +
                                        B({0, 1, 'k', 0, 1, 'f', 0, 1, 0, 3}) + "int"));
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_THAT(ResultAs<SchemaChange>(*f).arg_types, ElementsAre("int"));
}

TEST(CqlResponseTest, EventsTopologyStatusAndSchema) {
  auto topo = DecodeFrame(ServerFrame(0x0C,
                                      B({0, 15}) + "TOPOLOGY_CHANGE" + B({0, 8}) + "NEW_NODE" +
                                          B({4, 127, 0, 0, 1, 0, 0, 0x23, 0x52}),
                                      -1));
  ASSERT_TRUE(topo.ok()) << topo.status();
  EXPECT_EQ(BodyAs<Event>(*topo).address, "127.0.0.1:9042");
  EXPECT_EQ(BodyAs<Event>(*topo).change, "NEW_NODE");
  auto status = DecodeFrame(ServerFrame(
      0x0C, B({0, 13}) + "STATUS_CHANGE" + B({0, 4}) + "DOWN" + B({16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                                                   0,  0, 0, 0, 0, 1, 0, 0, 0, 1}),
      -1));
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(BodyAs<Event>(*status).address, "[::1]:1");
  auto schema = DecodeFrame(ServerFrame(0x0C,
                                        B({0, 13}) + "SCHEMA_CHANGE" + B({0, 7}) + "CREATED" +
                                            B({0, 4}) + "TYPE" + B({0, 1, 'k', 0, 1, 'u'}),
                                        -1));
  ASSERT_TRUE(schema.ok()) << schema.status();
  EXPECT_EQ(BodyAs<Event>(*schema).schema.target, "TYPE");
}

TEST(CqlResponseTest, WarningsTracingAndCustomPayloadPrecedeTheBody) {
  std::string body = std::string(16, '\x07') +                // tracing id
                     B({0, 1, 0, 4}) + "warn" +               // warnings
                     B({0, 1, 0, 1, 'k', 0, 0, 0, 1, 'v'}) +  // custom payload
                     B({0, 0, 0, 1});                         // Void
  auto r = DecodeFrame(ServerFrame(0x08, body, 1, 0x02 | 0x04 | 0x08));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r->tracing_id, std::string(16, '\x07'));
  EXPECT_THAT(r->warnings, ElementsAre("warn"));
  EXPECT_EQ(*r->custom_payload.at("k"), "v");
}

// ---- ERROR bodies (section 9) ----

std::string ErrorFrame(int code, const std::string& rest) {
  return ServerFrame(0x00, B({(code >> 24) & 0xff, (code >> 16) & 0xff, (code >> 8) & 0xff,
                              code & 0xff, 0, 1, 'm'}) +
                               rest);
}

ErrorBody DecodeError(const std::string& frame) {
  auto r = DecodeFrame(frame);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? BodyAs<ErrorBody>(*r) : ErrorBody{};
}

TEST(CqlErrorTest, MessageOnlyCodes) {
  for (int code :
       {0x0000, 0x000A, 0x0100, 0x1001, 0x1002, 0x1003, 0x2000, 0x2100, 0x2200, 0x2300}) {
    ErrorBody e = DecodeError(ErrorFrame(code, ""));
    EXPECT_EQ(e.code, code);
    EXPECT_EQ(e.message, "m");
  }
  EXPECT_THAT(DecodeError(ErrorFrame(0x0100, "")).Describe(), HasSubstr("authentication"));
}

TEST(CqlErrorTest, Unavailable) {
  ErrorBody e = DecodeError(ErrorFrame(0x1000, B({0, 6, 0, 0, 0, 2, 0, 0, 0, 1})));
  EXPECT_EQ(e.consistency, Consistency::kLocalQuorum);
  EXPECT_EQ(e.required_or_received, 2);
  EXPECT_EQ(e.alive_or_block_for, 1);
  EXPECT_THAT(e.Describe(), HasSubstr("LOCAL_QUORUM requires 2 replicas, 1 alive"));
}

TEST(CqlErrorTest, WriteTimeoutAndWriteFailure) {
  ErrorBody t =
      DecodeError(ErrorFrame(0x1100, B({0, 4, 0, 0, 0, 0, 0, 0, 0, 2, 0, 9}) + "BATCH_LOG"));
  EXPECT_EQ(t.write_type, "BATCH_LOG");
  EXPECT_EQ(t.alive_or_block_for, 2);
  ErrorBody f = DecodeError(
      ErrorFrame(0x1500, B({0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 6}) + "SIMPLE"));
  EXPECT_EQ(f.num_failures, 1);
  EXPECT_EQ(f.write_type, "SIMPLE");
}

TEST(CqlErrorTest, ReadTimeoutAndReadFailure) {
  ErrorBody t = DecodeError(ErrorFrame(0x1200, B({0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1})));
  EXPECT_TRUE(t.data_present);
  ErrorBody f = DecodeError(ErrorFrame(0x1300, B({0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 3, 0})));
  EXPECT_EQ(f.num_failures, 3);
  EXPECT_FALSE(f.data_present);
}

TEST(CqlErrorTest, FunctionFailureAlreadyExistsUnprepared) {
  ErrorBody fn = DecodeError(ErrorFrame(0x1400, B({0, 1, 'k', 0, 1, 'f', 0, 1, 0, 3}) + "int"));
  EXPECT_EQ(fn.table_or_function, "f");
  EXPECT_THAT(fn.arg_types, ElementsAre("int"));
  ErrorBody ae = DecodeError(ErrorFrame(0x2400, B({0, 1, 'k', 0, 0})));
  EXPECT_EQ(ae.keyspace, "k");
  EXPECT_EQ(ae.table_or_function, "");
  ErrorBody up = DecodeError(ErrorFrame(0x2500, B({0, 2, 0xAA, 0xBB})));
  EXPECT_EQ(up.unprepared_id, B({0xAA, 0xBB}));
}

// ---- Hostile input ----

TEST(CqlDecodeTest, TruncatedBodiesAreClearErrors) {
  auto r = DecodeFrame(ErrorFrame(0x1000, B({0, 6, 0, 0})));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("required replicas"));
  EXPECT_FALSE(
      DecodeFrame(ServerFrame(0x08, B({0, 0, 0, 2, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff}))).ok());
}

TEST(CqlDecodeTest, HugeCountsAreRejectedBeforeAllocating) {
  // 2^31-1 rows of 1 column in a few bytes.
  auto r = DecodeFrame(ServerFrame(
      0x08, B({0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 1, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0})));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("truncated"));
}

TEST(CqlDecodeTest, HugeCountOfColumnlessRowsIsRejected) {
  // Found by the fuzzer: rows of zero columns cost no bytes, so the count alone must be bounded.
  auto r = DecodeFrame(
      ServerFrame(0x08, B({0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff})));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("without columns"));
}

TEST(CqlDecodeTest, DeepTypeNestingIsRejected) {
  std::string body = B({0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 'k', 0, 1, 't', 0, 1, 'c'});
  for (int i = 0; i < 40; ++i) body += B({0, 0x20});
  body += B({0, 0x09, 0, 0, 0, 0});
  auto r = DecodeFrame(ServerFrame(0x08, body));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("nested"));
}

TEST(CqlDecodeTest, TrailingBytesUnknownKindsAndRequestOpcodes) {
  EXPECT_THAT(DecodeFrame(ServerFrame(0x02, "x")).status().message(), HasSubstr("unexpected"));
  EXPECT_THAT(DecodeFrame(ServerFrame(0x08, B({0, 0, 0, 9}))).status().message(),
              HasSubstr("RESULT kind 9"));
  EXPECT_THAT(DecodeFrame(ServerFrame(0x07, "")).status().message(),
              HasSubstr("not a server response"));
  EXPECT_FALSE(DecodeFrame(ServerFrame(0x0C, B({0, 1, 'X'}), -1)).ok());
  EXPECT_FALSE(DecodeFrame(ServerFrame(0x0C,
                                       B({0, 13}) + "STATUS_CHANGE" + B({0, 2}) + "UP" +
                                           B({5, 1, 2, 3, 4, 5, 0, 0, 0, 1}),
                                       -1))
                   .ok());
}

// ---- Retry classification (test-servers.md section 4) ----

ErrorBody Err(int32_t code, std::string write_type = "") {
  ErrorBody e;
  e.code = code;
  e.write_type = std::move(write_type);
  return e;
}

TEST(CqlRetryTest, NotExecutedErrorsAreAlwaysRetryable) {
  EXPECT_EQ(ClassifyError(Err(kUnavailable), false), RetryDecision::kRetry);
  EXPECT_EQ(ClassifyError(Err(kIsBootstrapping), false), RetryDecision::kRetryNextHost);
  EXPECT_EQ(ClassifyError(Err(kUnprepared), false), RetryDecision::kReprepare);
  EXPECT_EQ(ClassifyError(Err(kWriteTimeout, "BATCH_LOG"), false), RetryDecision::kRetry);
}

TEST(CqlRetryTest, UnknownOutcomeRetriesOnlyIdempotentStatements) {
  for (int32_t code : {kServerError, kOverloaded, kWriteFailure, kReadTimeout}) {
    EXPECT_EQ(ClassifyError(Err(code, "SIMPLE"), true), RetryDecision::kRetry) << code;
    EXPECT_EQ(ClassifyError(Err(code, "SIMPLE"), false), RetryDecision::kNever) << code;
  }
  EXPECT_EQ(ClassifyError(Err(kWriteTimeout, "UNLOGGED_BATCH"), true), RetryDecision::kRetry);
  EXPECT_EQ(ClassifyError(Err(kWriteTimeout, "SIMPLE"), false), RetryDecision::kNever);
  EXPECT_EQ(ClassifyError(Err(kWriteTimeout, "COUNTER"), true), RetryDecision::kNever);
  EXPECT_EQ(ClassifyTransportFailure(true), RetryDecision::kRetry);
  EXPECT_EQ(ClassifyTransportFailure(false), RetryDecision::kNever);
}

TEST(CqlRetryTest, RequestErrorsAreNeverRetried) {
  for (int32_t code : {kProtocolError, kBadCredentials, kSyntaxError, kUnauthorized, kInvalid,
                       kConfigError, kAlreadyExists, kFunctionFailure}) {
    EXPECT_EQ(ClassifyError(Err(code), true), RetryDecision::kNever) << code;
  }
}

}  // namespace
}  // namespace airfleet::collector::sinks::cql
