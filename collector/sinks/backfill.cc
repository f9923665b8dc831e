#include "collector/sinks/backfill.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/status_macros.h"

namespace airfleet::collector::sinks {
namespace {

// Collects references per agent and appends full entries in groups, so memory stays bounded by
// (agents x refs_per_entry) references whatever the store holds.
class EntryWriter {
 public:
  EntryWriter(Store* store, int64_t now_ns, size_t refs_per_entry, BackfillResult* result)
      : store_(store), now_ns_(now_ns), refs_per_entry_(refs_per_entry), result_(result) {}

  absl::Status AddWindow(std::string_view agent, const v1::DeviceWindow& w) {
    v1::OutboxEntry& e = EntryFor(agent);
    v1::OutboxWindowRef* ref = e.add_windows();
    ref->set_mac(w.mac());
    ref->set_window_start_ns(w.window_start_ns());
    ++result_->windows;
    return MaybeFlush(agent, e);
  }

  absl::Status AddProbe(std::string_view agent, const v1::ProbeObservation& p) {
    v1::OutboxEntry& e = EntryFor(agent);
    v1::OutboxProbeRef* ref = e.add_probes();
    ref->set_mac(p.mac());
    ref->set_window_start_ns(p.window_start_ns());
    ref->set_ssid(p.ssid());
    ++result_->probes;
    return MaybeFlush(agent, e);
  }

  absl::Status Finish() {
    for (auto& [agent, entry] : open_) {
      if (entry.windows_size() + entry.probes_size() > 0) ready_.push_back(std::move(entry));
    }
    open_.clear();
    return Append();
  }

 private:
  v1::OutboxEntry& EntryFor(std::string_view agent) {
    auto [it, inserted] = open_.try_emplace(std::string(agent));
    if (inserted) {
      it->second.set_agent_id(std::string(agent));
      it->second.set_committed_ns(now_ns_);
    }
    return it->second;
  }

  absl::Status MaybeFlush(std::string_view agent, v1::OutboxEntry& e) {
    if (static_cast<size_t>(e.windows_size() + e.probes_size()) < refs_per_entry_) {
      return absl::OkStatus();
    }
    ready_.push_back(std::move(e));
    open_.erase(std::string(agent));
    return ready_.size() >= kEntriesPerWrite ? Append() : absl::OkStatus();
  }

  absl::Status Append() {
    if (ready_.empty()) return absl::OkStatus();
    AF_RETURN_IF_ERROR(store_->AppendOutbox(ready_));
    result_->entries += ready_.size();
    ready_.clear();
    return absl::OkStatus();
  }

  static constexpr size_t kEntriesPerWrite = 32;
  Store* store_;
  int64_t now_ns_;
  size_t refs_per_entry_;
  BackfillResult* result_;
  absl::flat_hash_map<std::string, v1::OutboxEntry> open_;
  std::vector<v1::OutboxEntry> ready_;
};

}  // namespace

absl::StatusOr<BackfillResult> BackfillOutbox(Store* store, int64_t since_ns, int64_t now_ns,
                                              size_t refs_per_entry) {
  if (refs_per_entry == 0) refs_per_entry = 1;
  BackfillResult result;
  EntryWriter writer(store, now_ns, refs_per_entry, &result);
  ScanRange range;
  range.since_ns = since_ns;
  AF_RETURN_IF_ERROR(
      store->ScanWindows(range, [&](std::string_view agent, const v1::DeviceWindow& w) {
        return writer.AddWindow(agent, w);
      }));
  AF_RETURN_IF_ERROR(
      store->ScanProbes(range, [&](std::string_view agent, const v1::ProbeObservation& p) {
        return writer.AddProbe(agent, p);
      }));
  AF_RETURN_IF_ERROR(writer.Finish());
  return result;
}

}  // namespace airfleet::collector::sinks
