#include "collector/store/rocksdb_store.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "collector/store/device_merge.h"
#include "collector/store/keys.h"
#include "collector/store/merge_operators.h"
#include "common/status_macros.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/memtablerep.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

namespace airfleet::collector {
namespace {

constexpr char kSchemaKey[] = "schema";
constexpr char kSchemaVersion[] = "1";

std::string OutboxKey(uint64_t sequence) {
  std::string key;
  keys::AppendU64(&key, sequence);
  return key;
}

// One outbox entry naming what `batch` changed (docs/sinks.md): keys, not values.
void AppendOutboxEntry(const std::string& agent_id, const v1::Batch& batch, int64_t now,
                       uint64_t sequence, uint64_t* bytes, rocksdb::WriteBatch* wb,
                       rocksdb::ColumnFamilyHandle* cf) {
  v1::OutboxEntry entry;
  entry.set_committed_ns(now);
  entry.set_agent_id(agent_id);
  for (const v1::DeviceWindow& w : batch.windows()) {
    v1::OutboxWindowRef* ref = entry.add_windows();
    ref->set_mac(w.mac());
    ref->set_window_start_ns(w.window_start_ns());
  }
  for (const v1::ProbeObservation& p : batch.probes()) {
    v1::OutboxProbeRef* ref = entry.add_probes();
    ref->set_mac(p.mac());
    ref->set_window_start_ns(p.window_start_ns());
    ref->set_ssid(p.ssid());
  }
  if (batch.has_health()) *entry.mutable_losses() = batch.health().losses();
  std::string key = OutboxKey(sequence);
  std::string value = entry.SerializeAsString();
  *bytes += key.size() + value.size();
  wb->Put(cf, key, value);
}

absl::Status FromRocks(const rocksdb::Status& s, const char* what) {
  if (s.ok()) return absl::OkStatus();
  std::string msg = absl::StrCat(what, ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsIOError() || s.IsBusy() || s.IsTimedOut()) return absl::UnavailableError(msg);
  return absl::InternalError(msg);
}

std::string EncodeStream(const StreamState& s) {
  std::string v;
  keys::AppendU64(&v, s.committed_sequence);
  keys::AppendU64(&v, s.batches);
  keys::AppendU64(&v, s.summaries);
  keys::AppendU64(&v, s.skipped_sequences);
  return v;
}

bool DecodeStream(std::string_view v, StreamState* s) {
  if (v.size() < 32) return false;
  s->committed_sequence = keys::ReadU64(v.data());
  s->batches = keys::ReadU64(v.data() + 8);
  s->summaries = keys::ReadU64(v.data() + 16);
  s->skipped_sequences = keys::ReadU64(v.data() + 24);
  return true;
}

rocksdb::ColumnFamilyOptions PointLookupCfOptions() {
  rocksdb::ColumnFamilyOptions cf;
  rocksdb::BlockBasedTableOptions table;
  // Bloom filters make "is this stream/device new?" cheap when it is.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return cf;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RocksDbStore>> RocksDbStore::Open(
    const RocksDbStoreOptions& options) {
  if (!options.now_ns) return absl::InvalidArgumentError("RocksDbStoreOptions.now_ns is required");
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  // Required by the vector memtables below (single commit thread anyway).
  db_options.allow_concurrent_memtable_write = false;

  // The write-heavy tables use vector memtables: an insert is an append and sorting happens once
  // at flush, on a background thread. A skiplist insert cost ~5 us per key here (random MACs),
  // which capped ingest at ~35k summaries/s. The price is paid by reads of the live memtable
  // (it is sorted per iterator), and only the Admin API reads these tables.
  auto vector_memtable = std::make_shared<rocksdb::VectorRepFactory>();
  rocksdb::ColumnFamilyOptions windows = PointLookupCfOptions();
  windows.merge_operator = NewDeviceWindowMergeOperator();
  windows.write_buffer_size = 64 << 20;
  windows.memtable_factory = vector_memtable;
  rocksdb::ColumnFamilyOptions probes = PointLookupCfOptions();
  probes.merge_operator = NewProbeObservationMergeOperator();
  probes.memtable_factory = vector_memtable;
  rocksdb::ColumnFamilyOptions devices = PointLookupCfOptions();
  devices.merge_operator = NewDeviceInfoMergeOperator();
  devices.memtable_factory = vector_memtable;

  // Order must match the Cf enum.
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {"agents", rocksdb::ColumnFamilyOptions()},
      {"streams", PointLookupCfOptions()},
      {"devices", devices},
      {"windows", windows},
      {"probes", probes},
      {"meta", rocksdb::ColumnFamilyOptions()},
      {"outbox", rocksdb::ColumnFamilyOptions()},
  };
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, options.path, cfs, &handles, &raw);
  AF_RETURN_IF_ERROR(FromRocks(s, absl::StrCat("cannot open store at ", options.path).c_str()));
  std::unique_ptr<RocksDbStore> store(
      new RocksDbStore(options, std::unique_ptr<rocksdb::DB>(raw), std::move(handles)));

  std::string schema;
  s = store->db_->Get(rocksdb::ReadOptions(), store->handles_[kMeta], kSchemaKey, &schema);
  if (s.IsNotFound()) {
    AF_RETURN_IF_ERROR(FromRocks(
        store->db_->Put(store->write_options_, store->handles_[kMeta], kSchemaKey, kSchemaVersion),
        "write schema version"));
  } else {
    AF_RETURN_IF_ERROR(FromRocks(s, "read schema version"));
    if (schema != kSchemaVersion) {
      return absl::FailedPreconditionError(absl::StrCat("store at ", options.path, " has schema ",
                                                        schema, ", this build reads ",
                                                        kSchemaVersion));
    }
  }
  AF_RETURN_IF_ERROR(store->LoadAgents());
  AF_RETURN_IF_ERROR(store->LoadOutbox());
  return store;
}

RocksDbStore::RocksDbStore(RocksDbStoreOptions options, std::unique_ptr<rocksdb::DB> db,
                           std::vector<rocksdb::ColumnFamilyHandle*> handles)
    : options_(std::move(options)), db_(std::move(db)), handles_(std::move(handles)) {
  write_options_.sync = options_.sync;
}

RocksDbStore::~RocksDbStore() {
  for (rocksdb::ColumnFamilyHandle* h : handles_) db_->DestroyColumnFamilyHandle(h);
  db_->Close().PermitUncheckedError();
}

absl::Status RocksDbStore::LoadAgents() {
  std::lock_guard<std::mutex> lock(commit_mu_);
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kAgents]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    v1::AgentInfo info;
    if (!info.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(absl::StrCat("corrupt agent record ", it->key().ToString()));
    }
    agents_[it->key().ToString()] = std::move(info);
  }
  return FromRocks(it->status(), "load agents");
}

absl::StatusOr<StreamState> RocksDbStore::LoadStreamLocked(const std::string& key) {
  auto it = streams_.find(key);
  if (it != streams_.end()) return it->second;
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[kStreams], key, &value);
  StreamState state;
  if (s.IsNotFound()) return state;
  AF_RETURN_IF_ERROR(FromRocks(s, "read stream mark"));
  if (!DecodeStream(value, &state)) return absl::DataLossError("corrupt stream mark");
  streams_[key] = state;
  return state;
}

absl::StatusOr<std::vector<CommitResult>> RocksDbStore::CommitBatches(
    const std::vector<BatchToCommit>& batches) {
  std::vector<CommitResult> results(batches.size());
  std::lock_guard<std::mutex> lock(commit_mu_);
  const int64_t now = options_.now_ns();

  // Everything below is staged and applied to the caches only once the write succeeded.
  absl::flat_hash_map<std::string, StreamState> staged_streams;
  absl::flat_hash_map<std::string, v1::AgentInfo> staged_agents;
  // Windows and probes go straight into the batch (vector memtables make insert order
  // irrelevant); the batch, buffers and device references are members so their capacity is
  // reused across commits: the per-window path allocates nothing once warm.
  rocksdb::WriteBatch& wb = write_batch_;
  wb.Clear();
  std::string& key = key_buffer_;
  std::string& value = value_buffer_;
  std::vector<DeviceRef>& device_refs = device_refs_;
  device_refs.clear();
  size_t total_windows = 0;
  for (const BatchToCommit& b : batches) total_windows += b.batch->windows_size();
  device_refs.reserve(total_windows);

  uint64_t next_outbox = outbox_.next_sequence;
  uint64_t outbox_bytes = 0;
  for (size_t i = 0; i < batches.size(); ++i) {
    const std::string& agent_id = batches[i].agent_id;
    const v1::Batch& batch = *batches[i].batch;
    if (agent_id.empty() || agent_id.size() > keys::kMaxAgentIdLength) {
      return absl::InvalidArgumentError(absl::StrCat("bad agent id length ", agent_id.size()));
    }
    std::string skey = keys::StreamKey(agent_id, batch.stream_id());
    StreamState state;
    if (auto it = staged_streams.find(skey); it != staged_streams.end()) {
      state = it->second;
    } else {
      AF_ASSIGN_OR_RETURN(state, LoadStreamLocked(skey));
    }
    CommitResult& result = results[i];
    // batches == 0 means the stream was never seen, so any first sequence (0 or 1) is new.
    if (state.batches > 0 && batch.sequence() <= state.committed_sequence) {
      result.duplicate = true;
      result.committed_sequence = state.committed_sequence;
      continue;
    }
    if (state.batches > 0 && batch.sequence() > state.committed_sequence + 1) {
      result.skipped = batch.sequence() - state.committed_sequence - 1;
    }
    state.committed_sequence = batch.sequence();
    state.batches += 1;
    state.summaries += batch.windows_size();
    state.skipped_sequences += result.skipped;
    result.committed_sequence = state.committed_sequence;
    staged_streams[skey] = state;

    for (int j = 0; j < batch.windows_size(); ++j) {
      const v1::DeviceWindow& w = batch.windows(j);
      key.clear();
      keys::AppendWindowKey(&key, w.mac(), w.window_start_ns(), agent_id);
      w.SerializeToString(&value);
      wb.Merge(handles_[kWindows], key, value);
      device_refs.push_back({w.mac(), static_cast<uint32_t>(i), static_cast<uint32_t>(j)});
    }
    for (const v1::ProbeObservation& p : batch.probes()) {
      key.clear();
      keys::AppendProbeKey(&key, p.mac(), p.window_start_ns(), agent_id, p.ssid());
      p.SerializeToString(&value);
      wb.Merge(handles_[kProbes], key, value);
    }
    if (options_.outbox) {
      AppendOutboxEntry(agent_id, batch, now, next_outbox++, &outbox_bytes, &wb, handles_[kOutbox]);
    }

    auto [ait, fresh] = staged_agents.try_emplace(agent_id);
    if (fresh) {
      if (auto cached = agents_.find(agent_id); cached != agents_.end())
        ait->second = cached->second;
    }
    v1::AgentInfo& agent = ait->second;
    agent.set_agent_id(agent_id);
    if (agent.first_seen_ns() == 0) agent.set_first_seen_ns(now);
    agent.set_last_seen_ns(now);
    agent.set_batches(agent.batches() + 1);
    agent.set_summaries(agent.summaries() + batch.windows_size());
    agent.set_stream_id(batch.stream_id());
    agent.set_committed_sequence(batch.sequence());
    if (batch.has_health()) *agent.mutable_last_health() = batch.health();
  }

  for (const auto& [key, state] : staged_streams) {
    wb.Put(handles_[kStreams], key, EncodeStream(state));
  }
  // One device delta per MAC per group. Sorting references by (mac, batch, window) groups each
  // device's windows in commit order, which is the order the delta folds them in ("latest wins"
  // ties depend on it), and replaces a hash map of DeviceInfo messages.
  std::sort(device_refs.begin(), device_refs.end(), [](const DeviceRef& a, const DeviceRef& b) {
    return std::tie(a.mac, a.batch, a.window) < std::tie(b.mac, b.batch, b.window);
  });
  for (size_t r = 0; r < device_refs.size();) {
    const uint64_t mac = device_refs[r].mac;
    device_acc_.Reset();
    for (; r < device_refs.size() && device_refs[r].mac == mac; ++r) {
      const BatchToCommit& b = batches[device_refs[r].batch];
      device_acc_.Add(b.agent_id, b.batch->windows(static_cast<int>(device_refs[r].window)));
    }
    value.clear();
    device_acc_.AppendSerialized(&value);
    key.clear();
    keys::AppendDeviceKey(&key, mac);
    wb.Merge(handles_[kDevices], key, value);
  }
  for (const auto& [id, agent] : staged_agents) {
    agent.SerializeToString(&value);
    wb.Put(handles_[kAgents], id, value);
  }
  if (wb.Count() > 0) {
    AF_RETURN_IF_ERROR(FromRocks(db_->Write(write_options_, &wb), "commit batches"));
  }
  for (auto& [key, state] : staged_streams) streams_[key] = state;
  for (auto& [id, agent] : staged_agents) agents_[id] = std::move(agent);
  outbox_.entries += next_outbox - outbox_.next_sequence;
  outbox_.next_sequence = next_outbox;
  outbox_.bytes += outbox_bytes;
  return results;
}

absl::StatusOr<StreamState> RocksDbStore::GetStream(const std::string& agent_id,
                                                    uint64_t stream_id) {
  std::lock_guard<std::mutex> lock(commit_mu_);
  return LoadStreamLocked(keys::StreamKey(agent_id, stream_id));
}

absl::Status RocksDbStore::RecordAgentSession(const std::string& agent_id, const std::string& peer,
                                              const std::string& version) {
  std::lock_guard<std::mutex> lock(commit_mu_);
  v1::AgentInfo& agent = agents_[agent_id];
  agent.set_agent_id(agent_id);
  agent.set_peer_address(peer);
  if (!version.empty()) agent.set_version(version);
  const int64_t now = options_.now_ns();
  if (agent.first_seen_ns() == 0) agent.set_first_seen_ns(now);
  agent.set_last_seen_ns(now);
  rocksdb::WriteOptions relaxed;  // advisory data; the next synced commit makes it durable anyway
  return FromRocks(db_->Put(relaxed, handles_[kAgents], agent_id, agent.SerializeAsString()),
                   "record agent session");
}

absl::StatusOr<std::vector<v1::AgentInfo>> RocksDbStore::ListAgents() {
  std::lock_guard<std::mutex> lock(commit_mu_);
  std::vector<v1::AgentInfo> out;
  out.reserve(agents_.size());
  for (const auto& [id, info] : agents_) out.push_back(info);
  std::sort(out.begin(), out.end(), [](const v1::AgentInfo& a, const v1::AgentInfo& b) {
    return a.agent_id() < b.agent_id();
  });
  return out;
}

absl::StatusOr<std::vector<v1::DeviceInfo>> RocksDbStore::ListDevices(const DeviceQuery& query) {
  std::vector<v1::DeviceInfo> out;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kDevices]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    v1::DeviceInfo info;
    if (!info.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("corrupt device record");
    }
    if (info.last_seen_ns() < query.since_ns) continue;
    if (!query.agent_id.empty()) {
      bool seen = false;
      for (const v1::Sighting& s : info.sightings()) {
        seen = seen || (s.agent_id() == query.agent_id && s.last_seen_ns() >= query.since_ns);
      }
      if (!seen) continue;
    }
    if (query.keep && !query.keep(&info)) continue;
    out.push_back(std::move(info));
    if (query.limit != 0 && out.size() >= query.limit) break;
  }
  AF_RETURN_IF_ERROR(FromRocks(it->status(), "list devices"));
  return out;
}

absl::StatusOr<v1::GetDeviceResponse> RocksDbStore::GetDevice(uint64_t mac,
                                                              uint32_t recent_windows) {
  v1::GetDeviceResponse response;
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), handles_[kDevices], keys::DeviceKey(mac), &value);
  if (s.IsNotFound()) {
    return absl::NotFoundError(
        absl::StrCat("device ", absl::Hex(mac, absl::kZeroPad12), " not stored"));
  }
  AF_RETURN_IF_ERROR(FromRocks(s, "read device"));
  if (!response.mutable_device()->ParseFromString(value)) {
    return absl::DataLossError("corrupt device record");
  }
  if (recent_windows == 0) return response;
  // Windows of one MAC are contiguous and time-ordered: walk back from the end of its prefix.
  std::string prefix = keys::DeviceKey(mac);
  std::string upper = keys::DeviceKey(mac + 1);
  rocksdb::ReadOptions ro;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kWindows]));
  it->SeekForPrev(upper);
  if (it->Valid() && it->key().compare(upper) == 0) it->Prev();
  for (; it->Valid() && it->key().starts_with(prefix) &&
         static_cast<uint32_t>(response.recent_windows_size()) < recent_windows;
       it->Prev()) {
    if (!response.add_recent_windows()->ParseFromArray(it->value().data(),
                                                       static_cast<int>(it->value().size()))) {
      return absl::DataLossError("corrupt window record");
    }
  }
  AF_RETURN_IF_ERROR(FromRocks(it->status(), "read device windows"));
  return response;
}

absl::StatusOr<ExportPage> RocksDbStore::ExportWindows(int64_t since_ns, int64_t until_ns,
                                                       const std::string& cursor, size_t limit) {
  ExportPage page;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kWindows]));
  if (cursor.empty()) {
    it->SeekToFirst();
  } else {
    it->Seek(cursor);
    if (it->Valid() && it->key().ToStringView() == cursor) it->Next();
  }
  // The layout is device-major, so a time range is a filtered scan; see the report for the
  // time-index column family this would want at scale.
  for (; it->Valid(); it->Next()) {
    keys::WindowKeyParts parts;
    if (!keys::ParseWindowKey(it->key().ToStringView(), &parts)) continue;
    if (parts.window_start_ns < since_ns) continue;
    if (until_ns != 0 && parts.window_start_ns >= until_ns) continue;
    if (page.windows.size() >= std::max<size_t>(limit, 1)) break;  // next_cursor = last key
    v1::StoredWindow& sw = page.windows.emplace_back();
    sw.set_agent_id(parts.agent_id.data(), parts.agent_id.size());
    if (!sw.mutable_window()->ParseFromArray(it->value().data(),
                                             static_cast<int>(it->value().size()))) {
      return absl::DataLossError("corrupt window record");
    }
    page.next_cursor = it->key().ToString();
  }
  AF_RETURN_IF_ERROR(FromRocks(it->status(), "export windows"));
  if (!it->Valid()) page.next_cursor.clear();  // reached the end: done
  return page;
}

absl::Status RocksDbStore::ScanTimeKeyed(
    Cf cf, const ScanRange& range,
    const std::function<absl::Status(const keys::WindowKeyParts&, rocksdb::Slice)>& visit) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_[cf]));
  const std::string device_prefix = range.mac != 0 ? keys::DeviceKey(range.mac) : std::string();
  if (range.mac != 0) {
    // Within one device, keys are time-ordered: start at the range's first window.
    std::string start = device_prefix;
    keys::AppendU64(&start, keys::TimeToKey(range.since_ns));
    it->Seek(start);
  } else {
    it->SeekToFirst();
  }
  for (; it->Valid(); it->Next()) {
    const std::string_view key = it->key().ToStringView();
    if (range.mac != 0 && !key.starts_with(device_prefix)) break;
    keys::WindowKeyParts parts;
    if (!keys::ParseWindowKey(key, &parts)) continue;
    if (parts.window_start_ns < range.since_ns) continue;
    if (range.until_ns != 0 && parts.window_start_ns >= range.until_ns) {
      if (range.mac != 0) break;
      // Skip the rest of this device: its later windows are out of range too.
      it->Seek(keys::DeviceKey(parts.mac + 1));
      if (!it->Valid()) break;
      it->Prev();
      continue;
    }
    AF_RETURN_IF_ERROR(visit(parts, it->value()));
  }
  return FromRocks(it->status(), "analytics scan");
}

absl::Status RocksDbStore::ScanWindows(const ScanRange& range, const WindowVisitor& visit) {
  v1::DeviceWindow window;
  return ScanTimeKeyed(kWindows, range,
                       [&](const keys::WindowKeyParts& parts, rocksdb::Slice value) {
                         if (!range.agent_id.empty() && parts.agent_id != range.agent_id) {
                           return absl::OkStatus();
                         }
                         if (!window.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                           return absl::DataLossError("corrupt window record");
                         }
                         return visit(parts.agent_id, window);
                       });
}

absl::Status RocksDbStore::ScanProbes(const ScanRange& range, const ProbeVisitor& visit) {
  v1::ProbeObservation probe;
  return ScanTimeKeyed(kProbes, range,
                       [&](const keys::WindowKeyParts& parts, rocksdb::Slice value) {
                         // For probes keys, parts.agent_id is the tail: len(1) | agent | ssid.
                         const std::string_view tail = parts.agent_id;
                         const size_t len = tail.empty() ? 0 : static_cast<unsigned char>(tail[0]);
                         if (tail.empty() || tail.size() < 1 + len) {
                           return absl::DataLossError("corrupt probe key");
                         }
                         const std::string_view agent = tail.substr(1, len);
                         if (!range.agent_id.empty() && agent != range.agent_id) {
                           return absl::OkStatus();
                         }
                         if (!probe.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                           return absl::DataLossError("corrupt probe record");
                         }
                         return visit(agent, probe);
                       });
}

absl::StatusOr<uint64_t> RocksDbStore::DeleteRange(Cf cf, int64_t cutoff_ns) {
  uint64_t deleted = 0;
  rocksdb::WriteBatch wb;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_[cf]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    keys::WindowKeyParts parts;
    if (!keys::ParseWindowKey(it->key().ToStringView(), &parts)) continue;
    if (parts.window_start_ns >= cutoff_ns) {
      // Keys are time-ordered within a device: skip the rest of this device.
      it->Seek(keys::DeviceKey(parts.mac + 1));
      if (!it->Valid()) break;
      it->Prev();
      continue;
    }
    wb.Delete(handles_[cf], it->key());
    ++deleted;
    if (wb.Count() >= 10000) {
      AF_RETURN_IF_ERROR(FromRocks(db_->Write(rocksdb::WriteOptions(), &wb), "retention delete"));
      wb.Clear();
    }
  }
  AF_RETURN_IF_ERROR(FromRocks(it->status(), "retention scan"));
  if (wb.Count() > 0) {
    AF_RETURN_IF_ERROR(FromRocks(db_->Write(rocksdb::WriteOptions(), &wb), "retention delete"));
  }
  return deleted;
}

absl::StatusOr<RetentionResult> RocksDbStore::ApplyRetention(const StoreRetention& keep) {
  // One "now" for the whole pass, so kinds with equal ages are cut at the same instant.
  const int64_t now = options_.now_ns();
  RetentionResult result;
  if (keep.windows_days > 0) {
    AF_ASSIGN_OR_RETURN(result.windows,
                        DeleteRange(kWindows, RetentionCutoffNs(now, keep.windows_days)));
  }
  if (keep.probes_days > 0) {
    AF_ASSIGN_OR_RETURN(result.probes,
                        DeleteRange(kProbes, RetentionCutoffNs(now, keep.probes_days)));
  }
  if (keep.devices_days > 0) {
    AF_ASSIGN_OR_RETURN(result.devices,
                        DeleteDevicesLastSeenBefore(RetentionCutoffNs(now, keep.devices_days)));
  }
  return result;
}

absl::StatusOr<uint64_t> RocksDbStore::DeleteDevicesLastSeenBefore(int64_t cutoff_ns) {
  // Under the commit lock so a delta merged after our read is not deleted with it. The record
  // holds the device's per-agent sightings, so they go with it.
  std::lock_guard<std::mutex> lock(commit_mu_);
  uint64_t devices = 0;
  rocksdb::WriteBatch wb;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kDevices]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    v1::DeviceInfo info;
    if (info.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())) &&
        info.last_seen_ns() >= cutoff_ns) {
      continue;
    }
    wb.Delete(handles_[kDevices], it->key());
    ++devices;
  }
  AF_RETURN_IF_ERROR(FromRocks(it->status(), "retention scan devices"));
  if (wb.Count() > 0) {
    AF_RETURN_IF_ERROR(FromRocks(db_->Write(rocksdb::WriteOptions(), &wb), "retention delete"));
  }
  return devices;
}

// ---- outbox for the external sinks ----

absl::Status RocksDbStore::LoadOutbox() {
  std::lock_guard<std::mutex> lock(commit_mu_);
  outbox_ = OutboxStats{1, 1, 0, 0};
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kOutbox]));
  // A scan, once at start: the outbox is bounded by its quota, and the byte count must be exact
  // for the quota to mean what it says after a restart.
  bool first = true;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != 8) return absl::DataLossError("corrupt outbox key");
    const uint64_t seq = keys::ReadU64(it->key().data());
    if (first) outbox_.first_sequence = seq;
    first = false;
    outbox_.next_sequence = seq + 1;
    outbox_.entries += 1;
    outbox_.bytes += it->key().size() + it->value().size();
  }
  AF_RETURN_IF_ERROR(FromRocks(it->status(), "load outbox"));
  if (first) {
    // Empty: keep counting from where the last run stopped, so sinks' cursors stay valid.
    std::string last;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[kMeta], "outbox/next", &last);
    if (s.ok() && last.size() == 8) outbox_.next_sequence = keys::ReadU64(last.data());
    outbox_.first_sequence = outbox_.next_sequence;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<OutboxItem>> RocksDbStore::ReadOutbox(uint64_t after_sequence,
                                                                 size_t limit) {
  std::vector<OutboxItem> out;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kOutbox]));
  for (it->Seek(OutboxKey(after_sequence + 1)); it->Valid() && out.size() < limit; it->Next()) {
    OutboxItem& item = out.emplace_back();
    item.sequence = keys::ReadU64(it->key().data());
    if (!item.entry.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(absl::StrCat("corrupt outbox entry ", item.sequence));
    }
  }
  AF_RETURN_IF_ERROR(FromRocks(it->status(), "read outbox"));
  return out;
}

absl::Status RocksDbStore::TrimOutbox(uint64_t through_sequence) {
  std::lock_guard<std::mutex> lock(commit_mu_);
  if (through_sequence < outbox_.first_sequence) return absl::OkStatus();
  through_sequence = std::min(through_sequence, outbox_.next_sequence - 1);
  uint64_t bytes = 0;
  uint64_t entries = 0;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kOutbox]));
  const std::string end = OutboxKey(through_sequence + 1);
  for (it->SeekToFirst(); it->Valid() && it->key().compare(end) < 0; it->Next()) {
    bytes += it->key().size() + it->value().size();
    ++entries;
  }
  AF_RETURN_IF_ERROR(FromRocks(it->status(), "scan outbox"));
  rocksdb::WriteBatch wb;
  wb.DeleteRange(handles_[kOutbox], OutboxKey(0), end);
  // Remember where numbering continues, for when the outbox is empty at the next start.
  wb.Put(handles_[kMeta], "outbox/next", OutboxKey(outbox_.next_sequence));
  rocksdb::WriteOptions synced;
  synced.sync = true;
  AF_RETURN_IF_ERROR(FromRocks(db_->Write(synced, &wb), "trim outbox"));
  outbox_.first_sequence = through_sequence + 1;
  outbox_.entries -= std::min(outbox_.entries, entries);
  outbox_.bytes -= std::min(outbox_.bytes, bytes);
  return absl::OkStatus();
}

absl::Status RocksDbStore::AppendOutbox(const std::vector<v1::OutboxEntry>& entries) {
  if (!options_.outbox) {
    return absl::FailedPreconditionError("the store was opened without an outbox (no sinks)");
  }
  std::lock_guard<std::mutex> lock(commit_mu_);
  rocksdb::WriteBatch wb;
  uint64_t next = outbox_.next_sequence;
  uint64_t bytes = 0;
  std::string value;
  for (const v1::OutboxEntry& entry : entries) {
    const std::string key = OutboxKey(next++);
    entry.SerializeToString(&value);
    bytes += key.size() + value.size();
    wb.Put(handles_[kOutbox], key, value);
  }
  rocksdb::WriteOptions synced;
  synced.sync = true;
  AF_RETURN_IF_ERROR(FromRocks(db_->Write(synced, &wb), "append outbox"));
  outbox_.entries += next - outbox_.next_sequence;
  outbox_.next_sequence = next;
  outbox_.bytes += bytes;
  return absl::OkStatus();
}

OutboxStats RocksDbStore::GetOutboxStats() {
  std::lock_guard<std::mutex> lock(commit_mu_);
  return outbox_;
}

absl::StatusOr<std::vector<std::optional<std::string>>> RocksDbStore::GetMany(
    Cf cf, const std::vector<std::string>& keys) {
  std::vector<size_t> order(keys.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  std::vector<std::optional<std::string>> out(keys.size());
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_[cf]));
  for (size_t i : order) {
    // Forward seeks in key order: the iterator is positioned near the next key already.
    it->Seek(keys[i]);
    if (!it->Valid()) break;
    if (it->key().ToStringView() == keys[i]) out[i] = it->value().ToString();
  }
  AF_RETURN_IF_ERROR(FromRocks(it->status(), "batched lookup"));
  return out;
}

namespace {
template <typename Message>
absl::StatusOr<std::vector<std::optional<Message>>> ParseAll(
    std::vector<std::optional<std::string>> values, const char* what) {
  std::vector<std::optional<Message>> out(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    if (!values[i]) continue;
    if (!out[i].emplace().ParseFromString(*values[i])) {
      return absl::DataLossError(absl::StrCat("corrupt ", what, " record"));
    }
  }
  return out;
}
}  // namespace

absl::StatusOr<std::vector<std::optional<v1::DeviceWindow>>> RocksDbStore::GetWindows(
    const std::vector<WindowId>& ids) {
  std::vector<std::string> k;
  k.reserve(ids.size());
  for (const WindowId& id : ids)
    k.push_back(keys::WindowKey(id.mac, id.window_start_ns, id.agent_id));
  AF_ASSIGN_OR_RETURN(auto values, GetMany(kWindows, k));
  return ParseAll<v1::DeviceWindow>(std::move(values), "window");
}

absl::StatusOr<std::vector<std::optional<v1::ProbeObservation>>> RocksDbStore::GetProbes(
    const std::vector<ProbeId>& ids) {
  std::vector<std::string> k;
  k.reserve(ids.size());
  for (const ProbeId& id : ids) {
    k.push_back(keys::ProbeKey(id.mac, id.window_start_ns, id.agent_id, id.ssid));
  }
  AF_ASSIGN_OR_RETURN(auto values, GetMany(kProbes, k));
  return ParseAll<v1::ProbeObservation>(std::move(values), "probe");
}

absl::StatusOr<std::vector<std::optional<v1::DeviceInfo>>> RocksDbStore::GetDevices(
    const std::vector<uint64_t>& macs) {
  std::vector<std::string> k;
  k.reserve(macs.size());
  for (uint64_t mac : macs) k.push_back(keys::DeviceKey(mac));
  AF_ASSIGN_OR_RETURN(auto values, GetMany(kDevices, k));
  return ParseAll<v1::DeviceInfo>(std::move(values), "device");
}

// ---- meta records (known-device registry); not on the ingest path ----

absl::Status RocksDbStore::WriteMeta(const std::vector<MetaWrite>& writes) {
  rocksdb::WriteBatch wb;
  for (const MetaWrite& w : writes) {
    if (w.key == kSchemaKey) return absl::InvalidArgumentError("meta key 'schema' is reserved");
    if (w.value) {
      wb.Put(handles_[kMeta], w.key, *w.value);
    } else {
      wb.Delete(handles_[kMeta], w.key);
    }
  }
  // Operator edits are rare and must survive a crash once acknowledged: always synced.
  rocksdb::WriteOptions synced;
  synced.sync = true;
  return FromRocks(db_->Write(synced, &wb), "write meta");
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> RocksDbStore::ScanMeta(
    std::string_view prefix) {
  std::vector<std::pair<std::string, std::string>> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_[kMeta]));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size()));
       it->Valid() && it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size()));
       it->Next()) {
    out.emplace_back(it->key().ToString(), it->value().ToString());
  }
  AF_RETURN_IF_ERROR(FromRocks(it->status(), "scan meta"));
  return out;
}

absl::Status RocksDbStore::CompactAll() {
  rocksdb::FlushOptions flush;
  flush.wait = true;
  AF_RETURN_IF_ERROR(FromRocks(db_->Flush(flush, handles_), "flush"));
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  for (rocksdb::ColumnFamilyHandle* h : handles_) {
    AF_RETURN_IF_ERROR(FromRocks(db_->CompactRange(compact, h, nullptr, nullptr), "compact"));
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> RocksDbStore::LiveFileBytes() {
  uint64_t total = 0;
  for (rocksdb::ColumnFamilyHandle* h : handles_) {
    uint64_t bytes = 0;
    if (!db_->GetIntProperty(h, rocksdb::DB::Properties::kLiveSstFilesSize, &bytes)) {
      return absl::InternalError("live SST size property unavailable");
    }
    total += bytes;
  }
  return total;
}

}  // namespace airfleet::collector
