#include "collector/sinks/cassandra/cassandra_sink.h"

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "collector/sinks/cassandra/cql_session.h"
#include "collector/sinks/cassandra/schema_cql.h"  // generated from deploy/cassandra/schema.cql
#include "common/known_kind.h"
#include "common/window_json.h"

namespace airfleet::collector::sinks {
namespace {

using cql::BigIntListValue;
using cql::BigIntValue;
using cql::BlobListValue;
using cql::BlobValue;
using cql::BooleanValue;
using cql::DoubleValue;
using cql::IntListValue;
using cql::IntValue;
using cql::Statement;
using cql::TextListValue;
using cql::TextValue;
using cql::Value;

constexpr int64_t kNsPerDay = 86'400'000'000'000;

std::string MacText(uint64_t mac) {
  return absl::StrFormat("%02x:%02x:%02x:%02x:%02x:%02x", (mac >> 40) & 0xff, (mac >> 32) & 0xff,
                         (mac >> 24) & 0xff, (mac >> 16) & 0xff, (mac >> 8) & 0xff, mac & 0xff);
}

// CQL `date`: days since the epoch as an unsigned 32-bit number centred on 2^31.
Value DayValue(int64_t time_ns) {
  int64_t days = time_ns >= 0 ? time_ns / kNsPerDay : -((-time_ns + kNsPerDay - 1) / kNsPerDay);
  return IntValue(static_cast<int32_t>(static_cast<uint32_t>(days + (int64_t{1} << 31))));
}

Value U64(uint64_t v) { return BigIntValue(static_cast<int64_t>(v)); }

template <typename T>
std::vector<int32_t> Ints(const T& repeated) {
  return std::vector<int32_t>(repeated.begin(), repeated.end());
}
template <typename T>
std::vector<int64_t> Longs(const T& repeated) {
  std::vector<int64_t> out;
  for (auto v : repeated) out.push_back(static_cast<int64_t>(v));
  return out;
}

Value OptDouble(const std::optional<GeoPoint>& p, bool lat) {
  if (!p) return std::nullopt;
  return DoubleValue(lat ? p->lat : p->lon);
}

constexpr char kInsertWindow[] =
    "INSERT INTO device_windows (mac, day, window_start_ns, agent_id, window_ms, first_offset_us, "
    "last_offset_us, frames, bytes, retries, subtype_keys, subtype_counts, signal_min_dbm, "
    "signal_max_dbm, signal_sum_dbm, signal_count, noise_sum_dbm, noise_count, channels_mhz, "
    "agent_lat, agent_lon, data_frames, received_only_frames, probe_requests, wildcard_probes, "
    "probed_ssids, probed_ssids_overflow, ap_ssid, ap_bssid, beacons, client_bssid, encryption, "
    "probe_fingerprint, first_seq, last_seq, randomised) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kInsertProbe[] =
    "INSERT INTO probe_observations (mac, day, window_start_ns, ssid, agent_id, count, "
    "first_offset_us, last_offset_us, signal_min_dbm, signal_max_dbm, signal_sum_dbm, "
    "signal_count, fingerprint, destinations, channels_mhz, first_seq, last_seq, agent_lat, "
    "agent_lon) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kInsertDevice[] =
    "INSERT INTO devices (mac, first_seen_ns, last_seen_ns, frames, probe_requests, randomised, "
    "ap_ssid, probed_ssids, signal_min_dbm, signal_max_dbm, has_signal, channels_mhz, "
    "probe_fingerprint, vendor, known, name, seen_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ?, ?, ?, ?)";
constexpr char kInsertAgent[] =
    "INSERT INTO agents (agent_id, peer_address, version, first_seen_ns, last_seen_ns, connected, "
    "batches, summaries, stream_id, committed_sequence, lat, lon) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ?, ?, ?)";
constexpr char kInsertEvent[] =
    "INSERT INTO agent_events (agent_id, recorded_ns, kind, first_sequence, time_ns, "
    "last_sequence, batches, summaries, first_window_ns, last_window_ns, reason) VALUES (?, ?, ?, "
    "?, ?, ?, ?, ?, ?, ?, ?)";

struct Mapped {
  std::string partition;  // records with the same non-empty partition may share a batch
  Statement statement;
};

Mapped Map(const Record& record) {
  return std::visit(
      [](const auto& r) -> Mapped {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, WindowRecord>) {
          const auto& w = r.window;
          std::string mac = MacText(w.mac());
          return {
              absl::StrCat("w|", mac, "|", w.window_start_ns() / kNsPerDay),
              {kInsertWindow,
               {TextValue(mac), DayValue(w.window_start_ns()), BigIntValue(w.window_start_ns()),
                TextValue(r.agent_id), IntValue(static_cast<int32_t>(w.window_ms())),
                BigIntValue(w.first_offset_us()), BigIntValue(w.last_offset_us()),
                BigIntValue(w.frames()), U64(w.bytes()), BigIntValue(w.retries()),
                IntListValue(Ints(w.subtype_keys())), BigIntListValue(Longs(w.subtype_counts())),
                IntValue(w.signal_min_dbm()), IntValue(w.signal_max_dbm()),
                BigIntValue(w.signal_sum_dbm()), BigIntValue(w.signal_count()),
                BigIntValue(w.noise_sum_dbm()), BigIntValue(w.noise_count()),
                IntListValue(Ints(w.channels_mhz())), OptDouble(r.agent_location, true),
                OptDouble(r.agent_location, false), BigIntValue(w.data_frames()),
                BigIntValue(w.received_only_frames()), BigIntValue(w.probe_requests()),
                BigIntValue(w.wildcard_probes()),
                BlobListValue({w.probed_ssids().begin(), w.probed_ssids().end()}),
                BigIntValue(w.probed_ssids_overflow()),
                w.ap_ssid().empty() ? Value(std::nullopt) : BlobValue(w.ap_ssid()),
                w.ap_bssid() == 0 ? Value(std::nullopt) : TextValue(MacText(w.ap_bssid())),
                BigIntValue(w.beacons()),
                w.client_bssid() == 0 ? Value(std::nullopt) : TextValue(MacText(w.client_bssid())),
                TextListValue(EncryptionNames(w.encryption())), U64(w.probe_fingerprint()),
                // Sequence numbers are 12-bit; none when the window had no sequenced frame.
                w.has_seq() ? IntValue(static_cast<int32_t>(w.first_seq())) : Value(std::nullopt),
                w.has_seq() ? IntValue(static_cast<int32_t>(w.last_seq())) : Value(std::nullopt),
                BooleanValue(w.randomised())}}};
        } else if constexpr (std::is_same_v<T, ProbeRecord>) {
          const auto& p = r.probe;
          std::string mac = MacText(p.mac());
          return {absl::StrCat("p|", mac, "|", p.window_start_ns() / kNsPerDay),
                  {kInsertProbe,
                   {TextValue(mac), DayValue(p.window_start_ns()), BigIntValue(p.window_start_ns()),
                    BlobValue(p.ssid()), TextValue(r.agent_id), BigIntValue(p.count()),
                    BigIntValue(p.first_offset_us()), BigIntValue(p.last_offset_us()),
                    IntValue(p.signal_min_dbm()), IntValue(p.signal_max_dbm()),
                    BigIntValue(p.signal_sum_dbm()), BigIntValue(p.signal_count()),
                    U64(p.fingerprint()), BigIntListValue(Longs(p.destinations())),
                    IntListValue(Ints(p.channels_mhz())), BigIntValue(p.first_seq()),
                    BigIntValue(p.last_seq()), OptDouble(r.agent_location, true),
                    OptDouble(r.agent_location, false)}}};
        } else if constexpr (std::is_same_v<T, DeviceRecord>) {
          const auto& d = r.device;
          std::vector<std::string> probed(d.probed_ssids().begin(), d.probed_ssids().end());
          std::vector<std::string> seen_by;
          for (const auto& s : d.sightings()) seen_by.push_back(s.agent_id());
          return {
              "",
              {kInsertDevice,
               {TextValue(MacText(d.mac())), BigIntValue(d.first_seen_ns()),
                BigIntValue(d.last_seen_ns()), U64(d.frames()), U64(d.probe_requests()),
                BooleanValue(d.randomised()), BlobValue(d.ap_ssid()), BlobListValue(probed),
                IntValue(d.signal_min_dbm()), IntValue(d.signal_max_dbm()),
                BooleanValue(d.has_signal()), IntListValue(Ints(d.channels_mhz())),
                U64(d.probe_fingerprint()), TextValue(d.vendor()),
                TextValue(KnownKindName(d.known())), TextValue(d.name()), TextListValue(seen_by)}}};
        } else if constexpr (std::is_same_v<T, AgentRecord>) {
          const auto& a = r.agent;
          return {"",
                  {kInsertAgent,
                   {TextValue(a.agent_id()), TextValue(a.peer_address()), TextValue(a.version()),
                    BigIntValue(a.first_seen_ns()), BigIntValue(a.last_seen_ns()),
                    BooleanValue(a.connected()), U64(a.batches()), U64(a.summaries()),
                    U64(a.stream_id()), U64(a.committed_sequence()), OptDouble(r.location, true),
                    OptDouble(r.location, false)}}};
        } else {
          const auto& l = r.loss;
          return {"",
                  {kInsertEvent,
                   {TextValue(r.agent_id), BigIntValue(l.recorded_ns()), TextValue(r.kind),
                    U64(l.first_sequence()), BigIntValue(r.time_ns), U64(l.last_sequence()),
                    U64(l.batches()), U64(l.summaries()), BigIntValue(l.first_window_ns()),
                    BigIntValue(l.last_window_ns()), TextValue(l.reason())}}};
        }
      },
      record);
}

// Microseconds since the epoch, strictly increasing within the process, so a later Write of a
// merged record always supersedes an earlier one even within the same microsecond.
int64_t NextTimestampUs() {
  static std::atomic<int64_t> last{0};
  int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  int64_t prev = last.load();
  int64_t next;
  do {
    next = std::max(now, prev + 1);
  } while (!last.compare_exchange_weak(prev, next));
  return next;
}

absl::StatusOr<cql::SessionOptions> ToSessionOptions(const CassandraConfig& c, bool use_keyspace) {
  cql::SessionOptions o;
  o.contact_points = c.contact_points;
  auto consistency = cql::ParseConsistency(c.consistency);
  if (!consistency.ok()) return consistency.status();
  o.consistency = *consistency;
  o.connection.username = c.username;
  o.connection.password = c.password;
  if (!c.password_file.empty()) {
    std::ifstream in(c.password_file);
    std::string line;
    if (!in || !std::getline(in, line)) {
      return absl::InvalidArgumentError(
          absl::StrFormat("cannot read the Cassandra password file %s", c.password_file));
    }
    o.connection.password = std::string(absl::StripTrailingAsciiWhitespace(line));
  }
  o.connection.ca_file = c.ca_file;
  if (use_keyspace) o.connection.keyspace = c.keyspace;
  o.connection.connect_timeout = c.connect_timeout;
  o.connection.request_timeout = c.request_timeout;
  o.connection.max_in_flight = c.max_in_flight;
  for (const auto& cp : c.contact_points) {
    std::string host;
    uint16_t port;
    if (auto s = cql::ParseContactPoint(cp, &host, &port); !s.ok()) return s;
  }
  if (c.contact_points.empty()) return absl::InvalidArgumentError("no Cassandra contact points");
  bool valid_ks =
      !c.keyspace.empty() && c.keyspace.size() <= 48 && absl::ascii_isalpha(c.keyspace[0]);
  for (char ch : c.keyspace) valid_ks = valid_ks && (absl::ascii_isalnum(ch) || ch == '_');
  if (!valid_ks) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "Cassandra keyspace \"%s\" must be 1-48 letters, digits or '_', starting with a letter",
        c.keyspace));
  }
  return o;
}

class CassandraSink : public Sink {
 public:
  CassandraSink(CassandraConfig config, cql::SessionOptions options)
      : config_(std::move(config)), options_(std::move(options)) {}

  std::string_view name() const override { return "cassandra"; }

  absl::StatusOr<std::string> Initialise() override {
    absl::Status created = CreateSchema(config_);
    if (!created.ok()) return created;
    return absl::StrCat("keyspace ", config_.keyspace, " and its tables are in place");
  }

  absl::Status Open() override {
    auto session = cql::Session::Connect(options_);
    if (!session.ok()) return session.status();
    session_ = std::move(*session);
    // Preparing every insert checks that the schema is there (and the user may write to it).
    for (const char* q : {kInsertWindow, kInsertProbe, kInsertDevice, kInsertAgent, kInsertEvent}) {
      if (auto p = session_->Prepare(q); !p.ok()) {
        if (absl::IsUnavailable(p.status())) return p.status();
        return absl::FailedPreconditionError(absl::StrCat(
            "Cassandra keyspace \"", config_.keyspace,
            "\" is not ready for airfleet (run `airfleetctl sinks init`): ", p.status().message()));
      }
    }
    return absl::OkStatus();
  }

  std::vector<ItemResult> Write(const std::vector<Record>& records) override {
    std::vector<ItemResult> results(records.size());
    if (records.empty()) return results;
    if (!session_) {
      if (auto s = Open(); !s.ok()) {
        for (auto& r : results) r = {Verdict::kRetry, std::string(s.message())};
        return results;
      }
    }
    const int64_t timestamp = NextTimestampUs();
    std::vector<cql::WriteGroup> groups;
    std::vector<std::vector<size_t>> members;  // group -> record indices
    std::map<std::string, size_t> open_group;  // partition -> group still accepting records
    for (size_t i = 0; i < records.size(); ++i) {
      Mapped m = Map(records[i]);
      auto it = m.partition.empty() ? open_group.end() : open_group.find(m.partition);
      if (it != open_group.end() &&
          static_cast<int>(groups[it->second].statements.size()) < config_.max_batch_statements) {
        groups[it->second].statements.push_back(std::move(m.statement));
        members[it->second].push_back(i);
        continue;
      }
      if (!m.partition.empty()) open_group[m.partition] = groups.size();
      groups.push_back({{std::move(m.statement)}, timestamp});
      members.push_back({i});
    }
    auto outcomes = session_->Write(groups);
    // A batch refused as invalid names no statement: send its members one by one to find which.
    std::vector<cql::WriteGroup> singles;
    std::vector<size_t> single_records;
    for (size_t g = 0; g < groups.size(); ++g) {
      const auto& o = outcomes[g];
      if (!o.status.ok() && !o.retryable && members[g].size() > 1 && IsRecordError(o)) {
        for (size_t k = 0; k < members[g].size(); ++k) {
          singles.push_back({{groups[g].statements[k]}, timestamp});
          single_records.push_back(members[g][k]);
        }
        continue;
      }
      for (size_t i : members[g]) results[i] = ToItem(o);
    }
    if (!singles.empty()) {
      auto single_outcomes = session_->Write(singles);
      for (size_t k = 0; k < singles.size(); ++k) {
        results[single_records[k]] = ToItem(single_outcomes[k]);
      }
    }
    return results;
  }

 private:
  static bool IsRecordError(const cql::WriteOutcome& o) {
    return o.error_code == cql::kInvalid || o.error_code == cql::kSyntaxError ||
           o.error_code == cql::kFunctionFailure || absl::IsInvalidArgument(o.status);
  }

  static ItemResult ToItem(const cql::WriteOutcome& o) {
    if (o.status.ok()) return {Verdict::kOk, ""};
    std::string reason(o.status.message());
    if (o.retryable || !IsRecordError(o)) return {Verdict::kRetry, reason};
    return {Verdict::kDrop, reason};
  }

  CassandraConfig config_;
  cql::SessionOptions options_;
  std::unique_ptr<cql::Session> session_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Sink>> MakeCassandraSink(const CassandraConfig& config) {
  auto options = ToSessionOptions(config, /*use_keyspace=*/true);
  if (!options.ok()) return options.status();
  return std::make_unique<CassandraSink>(config, std::move(*options));
}

absl::StatusOr<std::vector<std::string>> SchemaStatements(const CassandraConfig& config) {
  auto options = ToSessionOptions(config, false);  // validates the keyspace name
  if (!options.ok()) return options.status();
  if (config.replication.find(';') != std::string::npos) {
    return absl::InvalidArgumentError("Cassandra replication setting must not contain ';'");
  }
  std::string text = absl::StrReplaceAll(
      cql::kSchemaCql,
      {{"{{keyspace}}", config.keyspace}, {"{{replication}}", config.replication}});
  std::vector<std::string> statements;
  std::string current;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    absl::string_view trimmed = absl::StripAsciiWhitespace(line);
    if (trimmed.empty() || absl::StartsWith(trimmed, "--")) continue;
    absl::StrAppend(&current, line, "\n");
    if (absl::EndsWith(trimmed, ";")) {
      statements.push_back(std::string(absl::StripAsciiWhitespace(current)));
      statements.back().pop_back();  // the ';'
      current.clear();
    }
  }
  if (!absl::StripAsciiWhitespace(current).empty()) {
    return absl::InternalError("schema.cql ends with a statement that has no ';'");
  }
  return statements;
}

absl::Status CreateSchema(const CassandraConfig& config) {
  auto statements = SchemaStatements(config);
  if (!statements.ok()) return statements.status();
  auto options = ToSessionOptions(config, /*use_keyspace=*/false);
  if (!options.ok()) return options.status();
  // Schema changes wait for agreement on the coordinator; give them more than a write's time.
  options->connection.request_timeout =
      std::max(options->connection.request_timeout, absl::Seconds(60));
  auto session = cql::Session::Connect(*options);
  if (!session.ok()) return session.status();
  for (const auto& s : *statements) {
    auto r = (*session)->Query(s);
    // A migration already applied (schema.cql: ALTER ... ADD of an existing column).
    // Cassandra 5.0 says "Column with name 'x' already exists", 4.x "... conflicts with an
    // existing column".
    if (!r.ok() && absl::StartsWith(s, "ALTER TABLE") &&
        (absl::StrContains(r.status().message(), "already exists") ||
         absl::StrContains(r.status().message(), "conflicts with an existing column"))) {
      continue;
    }
    if (!r.ok()) {
      return absl::Status(r.status().code(),
                          absl::StrCat("Cassandra schema statement failed: ", r.status().message(),
                                       "\n  statement: ", s.substr(0, 120)));
    }
  }
  return absl::OkStatus();
}

}  // namespace airfleet::collector::sinks
