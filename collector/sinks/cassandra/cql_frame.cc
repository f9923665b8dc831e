#include "collector/sinks/cassandra/cql_frame.h"

#include <arpa/inet.h>

#include <bit>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace airfleet::collector::sinks::cql {
namespace {

// Types nest (list<map<text, frozen<tuple<...>>>>); a hostile frame could nest without end and
// exhaust the stack, so nesting deeper than any real schema is rejected.
constexpr int kMaxTypeDepth = 16;
constexpr int32_t kMaxEmptyRows = 65536;

// ---- Writing ----

void PutByte(std::string* out, uint8_t v) { out->push_back(static_cast<char>(v)); }
void PutShort(std::string* out, uint16_t v) {
  PutByte(out, v >> 8);
  PutByte(out, v & 0xff);
}
void PutInt(std::string* out, int32_t v) {
  uint32_t u = static_cast<uint32_t>(v);
  for (int shift = 24; shift >= 0; shift -= 8) PutByte(out, (u >> shift) & 0xff);
}
void PutLong(std::string* out, int64_t v) {
  uint64_t u = static_cast<uint64_t>(v);
  for (int shift = 56; shift >= 0; shift -= 8) PutByte(out, (u >> shift) & 0xff);
}
void PutString(std::string* out, std::string_view s) {
  PutShort(out, static_cast<uint16_t>(s.size()));
  out->append(s);
}
void PutLongString(std::string* out, std::string_view s) {
  PutInt(out, static_cast<int32_t>(s.size()));
  out->append(s);
}
void PutShortBytes(std::string* out, std::string_view s) { PutString(out, s); }
void PutValue(std::string* out, const Value& v) {
  if (!v) {
    PutInt(out, -1);
    return;
  }
  PutInt(out, static_cast<int32_t>(v->size()));
  out->append(*v);
}

void PutQueryParameters(std::string* out, const QueryParameters& p) {
  PutShort(out, static_cast<uint16_t>(p.consistency));
  uint8_t flags = 0;
  if (!p.values.empty()) flags |= 0x01;
  if (p.skip_metadata) flags |= 0x02;
  if (p.page_size) flags |= 0x04;
  if (p.paging_state) flags |= 0x08;
  if (p.serial_consistency) flags |= 0x10;
  if (p.timestamp_us) flags |= 0x20;
  PutByte(out, flags);
  if (!p.values.empty()) {
    PutShort(out, static_cast<uint16_t>(p.values.size()));
    for (const Value& v : p.values) PutValue(out, v);
  }
  if (p.page_size) PutInt(out, *p.page_size);
  if (p.paging_state) PutValue(out, *p.paging_state);
  if (p.serial_consistency) PutShort(out, static_cast<uint16_t>(*p.serial_consistency));
  if (p.timestamp_us) PutLong(out, *p.timestamp_us);
}

// ---- Reading ----

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }

  absl::Status Need(size_t n, std::string_view what) const {
    if (remaining() < n) {
      return absl::InvalidArgumentError(
          absl::StrFormat("truncated CQL frame: %s needs %d bytes at offset %d, %d left", what, n,
                          pos_, remaining()));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<uint8_t> Byte(std::string_view what) {
    if (auto s = Need(1, what); !s.ok()) return s;
    return static_cast<uint8_t>(data_[pos_++]);
  }
  absl::StatusOr<uint16_t> Short(std::string_view what) {
    if (auto s = Need(2, what); !s.ok()) return s;
    uint16_t v = (static_cast<uint8_t>(data_[pos_]) << 8) | static_cast<uint8_t>(data_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  absl::StatusOr<int32_t> Int(std::string_view what) {
    if (auto s = Need(4, what); !s.ok()) return s;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(data_[pos_ + i]);
    pos_ += 4;
    return static_cast<int32_t>(v);
  }
  absl::StatusOr<std::string_view> Raw(size_t n, std::string_view what) {
    if (auto s = Need(n, what); !s.ok()) return s;
    std::string_view v = data_.substr(pos_, n);
    pos_ += n;
    return v;
  }
  absl::StatusOr<std::string> String(std::string_view what) {
    auto n = Short(what);
    if (!n.ok()) return n.status();
    auto raw = Raw(*n, what);
    if (!raw.ok()) return raw.status();
    return std::string(*raw);
  }
  absl::StatusOr<std::string> ShortBytes(std::string_view what) { return String(what); }
  absl::StatusOr<Value> Bytes(std::string_view what) {
    auto n = Int(what);
    if (!n.ok()) return n.status();
    if (*n < 0) return Value(std::nullopt);
    auto raw = Raw(static_cast<size_t>(*n), what);
    if (!raw.ok()) return raw.status();
    return Value(std::string(*raw));
  }
  absl::StatusOr<std::vector<std::string>> StringList(std::string_view what) {
    auto n = Short(what);
    if (!n.ok()) return n.status();
    // Each string takes at least 2 bytes: a count beyond that cannot be honest.
    if (auto s = Need(size_t{*n} * 2, what); !s.ok()) return s;
    std::vector<std::string> out;
    out.reserve(*n);
    for (int i = 0; i < *n; ++i) {
      auto s = String(what);
      if (!s.ok()) return s.status();
      out.push_back(std::move(*s));
    }
    return out;
  }
  absl::StatusOr<std::string> Inet(std::string_view what) {
    auto n = Byte(what);
    if (!n.ok()) return n.status();
    if (*n != 4 && *n != 16) {
      return absl::InvalidArgumentError(
          absl::StrFormat("bad CQL frame: %s address length %d (want 4 or 16)", what, *n));
    }
    auto raw = Raw(*n, what);
    if (!raw.ok()) return raw.status();
    auto port = Int(what);
    if (!port.ok()) return port.status();
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(*n == 4 ? AF_INET : AF_INET6, raw->data(), text, sizeof(text));
    return *n == 4 ? absl::StrCat(text, ":", *port) : absl::StrCat("[", text, "]:", *port);
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

#define CQL_ASSIGN(lhs, expr)                     \
  do {                                            \
    auto cql_tmp_ = (expr);                       \
    if (!cql_tmp_.ok()) return cql_tmp_.status(); \
    lhs = std::move(*cql_tmp_);                   \
  } while (0)

absl::Status NegativeCount(std::string_view what, int32_t n) {
  return absl::InvalidArgumentError(
      absl::StrFormat("bad CQL frame: negative %s count %d", what, n));
}

absl::StatusOr<ColumnType> ReadType(Reader& r, int depth) {
  if (depth > kMaxTypeDepth) {
    return absl::InvalidArgumentError(
        absl::StrFormat("bad CQL frame: column type nested deeper than %d", kMaxTypeDepth));
  }
  ColumnType t;
  CQL_ASSIGN(t.id, r.Short("column type id"));
  switch (t.id) {
    case 0x0000:
      CQL_ASSIGN(t.custom_class, r.String("custom type class"));
      break;
    case 0x20:  // list
    case 0x22:  // set
    {
      ColumnType child;
      CQL_ASSIGN(child, ReadType(r, depth + 1));
      t.children.push_back(std::move(child));
      break;
    }
    case 0x21: {  // map
      for (int i = 0; i < 2; ++i) {
        ColumnType child;
        CQL_ASSIGN(child, ReadType(r, depth + 1));
        t.children.push_back(std::move(child));
      }
      break;
    }
    case 0x30: {  // UDT
      CQL_ASSIGN(t.udt_keyspace, r.String("UDT keyspace"));
      CQL_ASSIGN(t.udt_name, r.String("UDT name"));
      uint16_t n = 0;
      CQL_ASSIGN(n, r.Short("UDT field count"));
      for (int i = 0; i < n; ++i) {
        std::string name;
        CQL_ASSIGN(name, r.String("UDT field name"));
        ColumnType child;
        CQL_ASSIGN(child, ReadType(r, depth + 1));
        t.udt_field_names.push_back(std::move(name));
        t.children.push_back(std::move(child));
      }
      break;
    }
    case 0x31: {  // tuple
      uint16_t n = 0;
      CQL_ASSIGN(n, r.Short("tuple arity"));
      for (int i = 0; i < n; ++i) {
        ColumnType child;
        CQL_ASSIGN(child, ReadType(r, depth + 1));
        t.children.push_back(std::move(child));
      }
      break;
    }
    default:
      if (t.id > 0x15) {
        return absl::InvalidArgumentError(
            absl::StrFormat("bad CQL frame: unknown column type id 0x%04x", t.id));
      }
  }
  return t;
}

// Rows metadata; with `prepared` the Prepared-result form (pk indices before the table spec).
absl::StatusOr<RowsMetadata> ReadMetadata(Reader& r, std::vector<uint16_t>* pk_indices) {
  RowsMetadata m;
  CQL_ASSIGN(m.flags, r.Int("metadata flags"));
  CQL_ASSIGN(m.column_count, r.Int("column count"));
  if (m.column_count < 0) return NegativeCount("column", m.column_count);
  if (pk_indices) {
    int32_t pk_count = 0;
    CQL_ASSIGN(pk_count, r.Int("partition key count"));
    if (pk_count < 0) return NegativeCount("partition key", pk_count);
    if (auto s = r.Need(size_t(pk_count) * 2, "partition key indices"); !s.ok()) return s;
    for (int i = 0; i < pk_count; ++i) {
      uint16_t idx = 0;
      CQL_ASSIGN(idx, r.Short("partition key index"));
      pk_indices->push_back(idx);
    }
  }
  if (!pk_indices && (m.flags & 0x0002)) {
    Value state;
    CQL_ASSIGN(state, r.Bytes("paging state"));
    m.paging_state = std::move(state);
  }
  if (m.flags & 0x0004) return m;  // No_metadata
  std::string ks, table;
  const bool global = m.flags & 0x0001;
  if (global) {
    CQL_ASSIGN(ks, r.String("global keyspace"));
    CQL_ASSIGN(table, r.String("global table"));
  }
  // Each column spec takes at least 4 bytes (name + type id): bounds the allocation.
  if (auto s = r.Need(size_t(m.column_count) * 4, "column specs"); !s.ok()) return s;
  for (int i = 0; i < m.column_count; ++i) {
    ColumnSpec c;
    if (global) {
      c.keyspace = ks;
      c.table = table;
    } else {
      CQL_ASSIGN(c.keyspace, r.String("column keyspace"));
      CQL_ASSIGN(c.table, r.String("column table"));
    }
    CQL_ASSIGN(c.name, r.String("column name"));
    CQL_ASSIGN(c.type, ReadType(r, 0));
    m.columns.push_back(std::move(c));
  }
  return m;
}

absl::StatusOr<SchemaChange> ReadSchemaChange(Reader& r) {
  SchemaChange c;
  CQL_ASSIGN(c.change_type, r.String("schema change type"));
  CQL_ASSIGN(c.target, r.String("schema change target"));
  CQL_ASSIGN(c.keyspace, r.String("schema change keyspace"));
  if (c.target == "KEYSPACE") return c;
  CQL_ASSIGN(c.name, r.String("schema change name"));
  if (c.target == "FUNCTION" || c.target == "AGGREGATE") {
    CQL_ASSIGN(c.arg_types, r.StringList("schema change argument types"));
  } else if (c.target != "TABLE" && c.target != "TYPE") {
    return absl::InvalidArgumentError(
        absl::StrFormat("bad CQL frame: unknown schema change target \"%s\"", c.target));
  }
  return c;
}

absl::StatusOr<Result> ReadResult(Reader& r) {
  int32_t kind = 0;
  CQL_ASSIGN(kind, r.Int("result kind"));
  switch (kind) {
    case 1:
      return Result(VoidResult{});
    case 2: {
      RowsResult rows;
      CQL_ASSIGN(rows.metadata, ReadMetadata(r, nullptr));
      int32_t count = 0;
      CQL_ASSIGN(count, r.Int("row count"));
      if (count < 0) return NegativeCount("row", count);
      const size_t columns = rows.metadata.column_count;
      // Each cell takes at least 4 bytes; refuse counts the body cannot hold before allocating.
      if (columns > 0) {
        if (auto s = r.Need(size_t(count) * columns * 4, "rows"); !s.ok()) return s;
      } else if (count > kMaxEmptyRows) {
        // Rows without columns take no bytes, so the body cannot bound their count (found by
        // the fuzzer: 2^31 empty rows from a 20-byte frame).
        return absl::InvalidArgumentError(absl::StrFormat(
            "bad CQL frame: %d rows without columns (at most %d accepted)", count, kMaxEmptyRows));
      }
      rows.rows.reserve(count);
      for (int32_t i = 0; i < count; ++i) {
        std::vector<Value> row;
        row.reserve(columns);
        for (size_t c = 0; c < columns; ++c) {
          Value v;
          CQL_ASSIGN(v, r.Bytes("cell"));
          row.push_back(std::move(v));
        }
        rows.rows.push_back(std::move(row));
      }
      return Result(std::move(rows));
    }
    case 3: {
      SetKeyspaceResult s;
      CQL_ASSIGN(s.keyspace, r.String("keyspace"));
      return Result(std::move(s));
    }
    case 4: {
      PreparedResult p;
      CQL_ASSIGN(p.id, r.ShortBytes("prepared id"));
      CQL_ASSIGN(p.bind_metadata, ReadMetadata(r, &p.pk_indices));
      CQL_ASSIGN(p.result_metadata, ReadMetadata(r, nullptr));
      return Result(std::move(p));
    }
    case 5: {
      SchemaChange c;
      CQL_ASSIGN(c, ReadSchemaChange(r));
      return Result(std::move(c));
    }
    default:
      return absl::InvalidArgumentError(
          absl::StrFormat("bad CQL frame: unknown RESULT kind %d", kind));
  }
}

absl::StatusOr<ErrorBody> ReadError(Reader& r) {
  ErrorBody e;
  CQL_ASSIGN(e.code, r.Int("error code"));
  CQL_ASSIGN(e.message, r.String("error message"));
  auto read_cl = [&]() -> absl::Status {
    uint16_t cl = 0;
    CQL_ASSIGN(cl, r.Short("error consistency"));
    if (cl > 0x000A) {
      return absl::InvalidArgumentError(
          absl::StrFormat("bad CQL frame: unknown consistency 0x%04x in error", cl));
    }
    e.consistency = static_cast<Consistency>(cl);
    return absl::OkStatus();
  };
  switch (e.code) {
    case kUnavailable:
      if (auto s = read_cl(); !s.ok()) return s;
      CQL_ASSIGN(e.required_or_received, r.Int("required replicas"));
      CQL_ASSIGN(e.alive_or_block_for, r.Int("alive replicas"));
      break;
    case kWriteTimeout:
    case kWriteFailure:
      if (auto s = read_cl(); !s.ok()) return s;
      CQL_ASSIGN(e.required_or_received, r.Int("received acks"));
      CQL_ASSIGN(e.alive_or_block_for, r.Int("block_for"));
      if (e.code == kWriteFailure) CQL_ASSIGN(e.num_failures, r.Int("failure count"));
      CQL_ASSIGN(e.write_type, r.String("write type"));
      break;
    case kReadTimeout:
    case kReadFailure: {
      if (auto s = read_cl(); !s.ok()) return s;
      CQL_ASSIGN(e.required_or_received, r.Int("received responses"));
      CQL_ASSIGN(e.alive_or_block_for, r.Int("block_for"));
      if (e.code == kReadFailure) CQL_ASSIGN(e.num_failures, r.Int("failure count"));
      uint8_t present = 0;
      CQL_ASSIGN(present, r.Byte("data_present"));
      e.data_present = present != 0;
      break;
    }
    case kFunctionFailure:
      CQL_ASSIGN(e.keyspace, r.String("function keyspace"));
      CQL_ASSIGN(e.table_or_function, r.String("function name"));
      CQL_ASSIGN(e.arg_types, r.StringList("function argument types"));
      break;
    case kAlreadyExists:
      CQL_ASSIGN(e.keyspace, r.String("existing keyspace"));
      CQL_ASSIGN(e.table_or_function, r.String("existing table"));
      break;
    case kUnprepared:
      CQL_ASSIGN(e.unprepared_id, r.ShortBytes("unprepared id"));
      break;
    default:
      break;  // message only
  }
  return e;
}

absl::StatusOr<ResponseBody> ReadBody(Opcode op, Reader& r) {
  switch (op) {
    case Opcode::kError: {
      ErrorBody e;
      CQL_ASSIGN(e, ReadError(r));
      return ResponseBody(std::move(e));
    }
    case Opcode::kReady:
      return ResponseBody(Ready{});
    case Opcode::kAuthenticate: {
      Authenticate a;
      CQL_ASSIGN(a.authenticator, r.String("authenticator class"));
      return ResponseBody(std::move(a));
    }
    case Opcode::kSupported: {
      Supported s;
      uint16_t n = 0;
      CQL_ASSIGN(n, r.Short("supported option count"));
      for (int i = 0; i < n; ++i) {
        std::string key;
        CQL_ASSIGN(key, r.String("supported option name"));
        CQL_ASSIGN(s.options[key], r.StringList("supported option values"));
      }
      return ResponseBody(std::move(s));
    }
    case Opcode::kResult: {
      Result res;
      CQL_ASSIGN(res, ReadResult(r));
      return ResponseBody(std::move(res));
    }
    case Opcode::kAuthChallenge: {
      AuthChallenge c;
      CQL_ASSIGN(c.token, r.Bytes("auth challenge token"));
      return ResponseBody(std::move(c));
    }
    case Opcode::kAuthSuccess: {
      AuthSuccess s;
      CQL_ASSIGN(s.token, r.Bytes("auth success token"));
      return ResponseBody(std::move(s));
    }
    case Opcode::kEvent: {
      Event ev;
      CQL_ASSIGN(ev.type, r.String("event type"));
      if (ev.type == "TOPOLOGY_CHANGE" || ev.type == "STATUS_CHANGE") {
        CQL_ASSIGN(ev.change, r.String("event change"));
        CQL_ASSIGN(ev.address, r.Inet("event node"));
      } else if (ev.type == "SCHEMA_CHANGE") {
        CQL_ASSIGN(ev.schema, ReadSchemaChange(r));
      } else {
        return absl::InvalidArgumentError(
            absl::StrFormat("bad CQL frame: unknown event type \"%s\"", ev.type));
      }
      return ResponseBody(std::move(ev));
    }
    default:
      return absl::InvalidArgumentError(absl::StrFormat(
          "bad CQL frame: opcode 0x%02x is not a server response", static_cast<int>(op)));
  }
}

void PutListHeader(std::string* out, size_t n) { PutInt(out, static_cast<int32_t>(n)); }

}  // namespace

absl::StatusOr<Consistency> ParseConsistency(std::string_view name) {
  static constexpr std::pair<std::string_view, Consistency> kNames[] = {
      {"ANY", Consistency::kAny},
      {"ONE", Consistency::kOne},
      {"TWO", Consistency::kTwo},
      {"THREE", Consistency::kThree},
      {"QUORUM", Consistency::kQuorum},
      {"ALL", Consistency::kAll},
      {"LOCAL_QUORUM", Consistency::kLocalQuorum},
      {"EACH_QUORUM", Consistency::kEachQuorum},
      {"SERIAL", Consistency::kSerial},
      {"LOCAL_SERIAL", Consistency::kLocalSerial},
      {"LOCAL_ONE", Consistency::kLocalOne},
  };
  std::string upper = absl::AsciiStrToUpper(std::string(name));
  for (const auto& [n, c] : kNames) {
    if (n == upper) return c;
  }
  return absl::InvalidArgumentError(absl::StrFormat(
      "unknown Cassandra consistency \"%s\" (use ONE, QUORUM, LOCAL_QUORUM, LOCAL_ONE, ALL, "
      "EACH_QUORUM, ANY, TWO, THREE)",
      name));
}

std::string_view ConsistencyName(Consistency c) {
  switch (c) {
    case Consistency::kAny:
      return "ANY";
    case Consistency::kOne:
      return "ONE";
    case Consistency::kTwo:
      return "TWO";
    case Consistency::kThree:
      return "THREE";
    case Consistency::kQuorum:
      return "QUORUM";
    case Consistency::kAll:
      return "ALL";
    case Consistency::kLocalQuorum:
      return "LOCAL_QUORUM";
    case Consistency::kEachQuorum:
      return "EACH_QUORUM";
    case Consistency::kSerial:
      return "SERIAL";
    case Consistency::kLocalSerial:
      return "LOCAL_SERIAL";
    case Consistency::kLocalOne:
      return "LOCAL_ONE";
  }
  return "UNKNOWN";
}

absl::StatusOr<FrameHeader> DecodeResponseHeader(std::string_view bytes) {
  if (bytes.size() < kHeaderSize) {
    return absl::InvalidArgumentError(
        absl::StrFormat("truncated CQL frame header: %d of 9 bytes", bytes.size()));
  }
  FrameHeader h;
  h.version = static_cast<uint8_t>(bytes[0]);
  h.flags = static_cast<uint8_t>(bytes[1]);
  h.stream =
      static_cast<int16_t>((static_cast<uint8_t>(bytes[2]) << 8) | static_cast<uint8_t>(bytes[3]));
  h.opcode = static_cast<Opcode>(bytes[4]);
  uint32_t len = 0;
  for (int i = 5; i < 9; ++i) len = (len << 8) | static_cast<uint8_t>(bytes[i]);
  h.length = len;
  if (h.version != kResponseVersion) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "CQL server answered with protocol version byte 0x%02x; this client speaks only v4 "
        "(0x84): is this a Cassandra 3.0+ native port?",
        h.version));
  }
  if (h.flags & kFlagCompression) {
    return absl::InvalidArgumentError("CQL frame is compressed, but no compression was negotiated");
  }
  if (h.length > kMaxBodySize) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "CQL frame body of %d bytes exceeds the protocol limit of 256 MiB", h.length));
  }
  return h;
}

Value TextValue(std::string_view s) { return std::string(s); }
Value BlobValue(std::string_view b) { return std::string(b); }
Value BigIntValue(int64_t v) {
  std::string out;
  PutLong(&out, v);
  return out;
}
Value IntValue(int32_t v) {
  std::string out;
  PutInt(&out, v);
  return out;
}
Value BooleanValue(bool v) { return std::string(1, v ? '\x01' : '\x00'); }
Value DoubleValue(double v) { return *BigIntValue(std::bit_cast<int64_t>(v)); }
Value TimestampValue(int64_t ms) { return BigIntValue(ms); }

Value TextListValue(const std::vector<std::string>& items) {
  std::string out;
  PutListHeader(&out, items.size());
  for (const auto& s : items) PutValue(&out, s);
  return out;
}
Value BlobListValue(const std::vector<std::string>& items) { return TextListValue(items); }
Value IntListValue(const std::vector<int32_t>& items) {
  std::string out;
  PutListHeader(&out, items.size());
  for (int32_t v : items) PutValue(&out, IntValue(v));
  return out;
}
Value BigIntListValue(const std::vector<int64_t>& items) {
  std::string out;
  PutListHeader(&out, items.size());
  for (int64_t v : items) PutValue(&out, BigIntValue(v));
  return out;
}
Value TextIntMapValue(const std::vector<std::pair<std::string, int32_t>>& entries) {
  std::string out;
  PutListHeader(&out, entries.size());
  for (const auto& [k, v] : entries) {
    PutValue(&out, k);
    PutValue(&out, IntValue(v));
  }
  return out;
}

absl::StatusOr<int64_t> DecodeBigInt(const Value& v) {
  if (!v || v->size() != 8) return absl::InvalidArgumentError("bigint value is not 8 bytes");
  Reader r(*v);
  int32_t hi = *r.Int("hi"), lo = *r.Int("lo");
  return static_cast<int64_t>((static_cast<uint64_t>(static_cast<uint32_t>(hi)) << 32) |
                              static_cast<uint32_t>(lo));
}
absl::StatusOr<int32_t> DecodeInt(const Value& v) {
  if (!v || v->size() != 4) return absl::InvalidArgumentError("int value is not 4 bytes");
  Reader r(*v);
  return *r.Int("int");
}

Request StartupRequest(const std::map<std::string, std::string>& options) {
  Request req{Opcode::kStartup, {}};
  PutShort(&req.body, static_cast<uint16_t>(options.size()));
  for (const auto& [k, v] : options) {
    PutString(&req.body, k);
    PutString(&req.body, v);
  }
  return req;
}

Request AuthResponseRequest(std::string_view token) {
  Request req{Opcode::kAuthResponse, {}};
  PutValue(&req.body, std::string(token));
  return req;
}

std::string PlainAuthToken(std::string_view user, std::string_view password) {
  std::string token;
  token.push_back('\0');
  token.append(user);
  token.push_back('\0');
  token.append(password);
  return token;
}

Request OptionsRequest() { return {Opcode::kOptions, {}}; }

Request QueryRequest(std::string_view query, const QueryParameters& params) {
  Request req{Opcode::kQuery, {}};
  PutLongString(&req.body, query);
  PutQueryParameters(&req.body, params);
  return req;
}

Request PrepareRequest(std::string_view query) {
  Request req{Opcode::kPrepare, {}};
  PutLongString(&req.body, query);
  return req;
}

Request ExecuteRequest(std::string_view prepared_id, const QueryParameters& params) {
  Request req{Opcode::kExecute, {}};
  PutShortBytes(&req.body, prepared_id);
  PutQueryParameters(&req.body, params);
  return req;
}

absl::StatusOr<Request> BatchRequestBody(const BatchRequest& batch) {
  if (batch.statements.empty() || batch.statements.size() > 0xffff) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "a CQL batch holds 1 to 65535 statements, not %d", batch.statements.size()));
  }
  Request req{Opcode::kBatch, {}};
  PutByte(&req.body, static_cast<uint8_t>(batch.type));
  PutShort(&req.body, static_cast<uint16_t>(batch.statements.size()));
  for (const BatchStatement& s : batch.statements) {
    if (s.prepared_id) {
      PutByte(&req.body, 1);
      PutShortBytes(&req.body, *s.prepared_id);
    } else {
      PutByte(&req.body, 0);
      PutLongString(&req.body, s.query);
    }
    PutShort(&req.body, static_cast<uint16_t>(s.values.size()));
    for (const Value& v : s.values) PutValue(&req.body, v);
  }
  PutShort(&req.body, static_cast<uint16_t>(batch.consistency));
  uint8_t flags = 0;
  if (batch.serial_consistency) flags |= 0x10;
  if (batch.timestamp_us) flags |= 0x20;
  PutByte(&req.body, flags);
  if (batch.serial_consistency)
    PutShort(&req.body, static_cast<uint16_t>(*batch.serial_consistency));
  if (batch.timestamp_us) PutLong(&req.body, *batch.timestamp_us);
  return req;
}

Request RegisterRequest(const std::vector<std::string>& event_types) {
  Request req{Opcode::kRegister, {}};
  PutShort(&req.body, static_cast<uint16_t>(event_types.size()));
  for (const auto& t : event_types) PutString(&req.body, t);
  return req;
}

std::string EncodeFrame(int16_t stream, const Request& request, uint8_t flags) {
  std::string out;
  out.reserve(kHeaderSize + request.body.size());
  PutByte(&out, kRequestVersion);
  PutByte(&out, flags);
  PutShort(&out, static_cast<uint16_t>(stream));
  PutByte(&out, static_cast<uint8_t>(request.opcode));
  PutInt(&out, static_cast<int32_t>(request.body.size()));
  out.append(request.body);
  return out;
}

std::string_view ErrorCodeName(int32_t code) {
  switch (code) {
    case kServerError:
      return "Server_error";
    case kProtocolError:
      return "Protocol_error";
    case kBadCredentials:
      return "Bad_credentials (authentication failed)";
    case kUnavailable:
      return "Unavailable";
    case kOverloaded:
      return "Overloaded";
    case kIsBootstrapping:
      return "Is_bootstrapping";
    case kTruncateError:
      return "Truncate_error";
    case kWriteTimeout:
      return "Write_timeout";
    case kReadTimeout:
      return "Read_timeout";
    case kReadFailure:
      return "Read_failure";
    case kFunctionFailure:
      return "Function_failure";
    case kWriteFailure:
      return "Write_failure";
    case kSyntaxError:
      return "Syntax_error";
    case kUnauthorized:
      return "Unauthorized";
    case kInvalid:
      return "Invalid";
    case kConfigError:
      return "Config_error";
    case kAlreadyExists:
      return "Already_exists";
    case kUnprepared:
      return "Unprepared";
  }
  return "Unknown_error";
}

std::string ErrorBody::Describe() const {
  std::string out = absl::StrFormat("%s (0x%04x): %s", ErrorCodeName(code), code, message);
  switch (code) {
    case kUnavailable:
      absl::StrAppendFormat(&out, " [%s requires %d replicas, %d alive]",
                            ConsistencyName(consistency.value_or(Consistency::kAny)),
                            required_or_received, alive_or_block_for);
      break;
    case kWriteTimeout:
    case kWriteFailure:
      absl::StrAppendFormat(&out, " [%s received %d of %d, write type %s]",
                            ConsistencyName(consistency.value_or(Consistency::kAny)),
                            required_or_received, alive_or_block_for, write_type);
      break;
    case kReadTimeout:
    case kReadFailure:
      absl::StrAppendFormat(&out, " [%s received %d of %d]",
                            ConsistencyName(consistency.value_or(Consistency::kAny)),
                            required_or_received, alive_or_block_for);
      break;
    default:
      break;
  }
  return out;
}

absl::StatusOr<Response> DecodeResponse(const FrameHeader& header, std::string_view body) {
  if (body.size() != header.length) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "CQL frame body is %d bytes but its header says %d", body.size(), header.length));
  }
  Response resp;
  resp.header = header;
  Reader r(body);
  if (header.flags & kFlagTracing) {
    std::string_view id;
    CQL_ASSIGN(id, r.Raw(16, "tracing id"));
    resp.tracing_id = std::string(id);
  }
  if (header.flags & kFlagWarning) CQL_ASSIGN(resp.warnings, r.StringList("warnings"));
  if (header.flags & kFlagCustomPayload) {
    uint16_t n = 0;
    CQL_ASSIGN(n, r.Short("custom payload count"));
    for (int i = 0; i < n; ++i) {
      std::string key;
      CQL_ASSIGN(key, r.String("custom payload key"));
      CQL_ASSIGN(resp.custom_payload[key], r.Bytes("custom payload value"));
    }
  }
  CQL_ASSIGN(resp.body, ReadBody(header.opcode, r));
  if (r.remaining() != 0) {
    return absl::InvalidArgumentError(
        absl::StrFormat("bad CQL frame: %d unexpected bytes after a %d-byte opcode 0x%02x body",
                        r.remaining(), r.position(), static_cast<int>(header.opcode)));
  }
  return resp;
}

absl::StatusOr<Response> DecodeFrame(std::string_view frame) {
  FrameHeader h;
  CQL_ASSIGN(h, DecodeResponseHeader(frame));
  if (frame.size() - kHeaderSize != h.length) {
    return absl::InvalidArgumentError(
        absl::StrFormat("CQL frame holds %d body bytes but its header says %d",
                        frame.size() - kHeaderSize, h.length));
  }
  return DecodeResponse(h, frame.substr(kHeaderSize));
}

RetryDecision ClassifyError(const ErrorBody& error, bool idempotent) {
  const RetryDecision if_idempotent = idempotent ? RetryDecision::kRetry : RetryDecision::kNever;
  switch (error.code) {
    case kUnavailable:
      return RetryDecision::kRetry;  // the coordinator refused before applying anything
    case kIsBootstrapping:
      return RetryDecision::kRetryNextHost;
    case kUnprepared:
      return RetryDecision::kReprepare;
    case kWriteTimeout:
      // The batch log write timed out: the batch is not applied yet and the coordinator will not
      // replay it, so a retry cannot apply it twice.
      if (error.write_type == "BATCH_LOG") return RetryDecision::kRetry;
      if (error.write_type == "COUNTER" || error.write_type == "CAS") return RetryDecision::kNever;
      return if_idempotent;
    case kServerError:
    case kOverloaded:
    case kTruncateError:
    case kWriteFailure:
    case kReadTimeout:
    case kReadFailure:
      return if_idempotent;  // outcome unknown
    default:
      // Protocol_error, Bad_credentials, Function_failure and 0x2000-0x2400: the same request
      // gets the same answer.
      return RetryDecision::kNever;
  }
}

RetryDecision ClassifyTransportFailure(bool idempotent) {
  return idempotent ? RetryDecision::kRetry : RetryDecision::kNever;
}

}  // namespace airfleet::collector::sinks::cql
