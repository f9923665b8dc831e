// The outbox delivery loop against a real RocksDB store. The sink here is a scripted stand-in
// for an engine (the Elasticsearch and Cassandra sinks have their own tests against real
// servers); it lets each verdict path be driven exactly.
#include "collector/sinks/delivery.h"

#include <atomic>
#include <map>
#include <set>

#include "collector/ingest/commit_queue.h"
#include "collector/sinks/sink_hub.h"
#include "collector/store/rocksdb_store.h"
#include "collector/testing/store_fixture.h"
#include "gtest/gtest.h"

namespace airfleet::collector::sinks {
namespace {

using testing::kT0;
constexpr int64_t kNow = kT0 + 5 * testing::kMinute;  // the fixture's clock until a test moves it

// Answers from a script: verdicts[id] is consumed one per write of that record (then kOk).
class ScriptedSink : public Sink {
 public:
  explicit ScriptedSink(std::string name) : name_(std::move(name)) {}
  std::string_view name() const override { return name_; }
  absl::Status Open() override {
    if (open_failures > 0) {
      --open_failures;
      return absl::UnavailableError("engine not reachable");
    }
    return absl::OkStatus();
  }
  std::vector<ItemResult> Write(const std::vector<Record>& records) override {
    std::vector<ItemResult> out;
    for (const Record& r : records) {
      const std::string id = RecordId(r);
      attempts[id] += 1;
      auto& script = verdicts[id];
      ItemResult result;
      if (!script.empty()) {
        result.verdict = script.front();
        result.reason = result.verdict == Verdict::kDrop ? "mapper_parsing_exception: field [x]"
                                                         : "es_rejected_execution_exception";
        script.erase(script.begin());
      }
      if (result.verdict == Verdict::kOk) {
        stored[id] = r;
        writes_ok += 1;
      }
      out.push_back(result);
    }
    return out;
  }

  std::string name_;
  int open_failures = 0;
  std::map<std::string, std::vector<Verdict>> verdicts;
  std::map<std::string, int> attempts;
  std::map<std::string, Record> stored;
  int writes_ok = 0;
};

class DeliveryTest : public testing::StoreTest {
 protected:
  void Commit(const std::string& agent, uint64_t seq, uint64_t mac, uint32_t frames) {
    ASSERT_TRUE(store_->CommitBatch(agent, testing::OneDeviceBatch(9, seq, mac, frames)).ok());
  }
  std::unique_ptr<SinkDelivery> Delivery(ScriptedSink** out, std::string name = "es") {
    auto sink = std::make_unique<ScriptedSink>(name);
    *out = sink.get();
    DeliveryOptions options;
    options.now_ns = [this] { return now_.load(); };
    options.backoff_initial = std::chrono::milliseconds(1);
    options.backoff_max = std::chrono::milliseconds(2);
    MaterialiseContext context;
    context.enrich_device = [](v1::DeviceInfo* d) { d->set_vendor("Acme"); };
    context.agent_location = [](const std::string& agent) -> std::optional<GeoPoint> {
      if (agent == "pi-1") return GeoPoint{52.5, 13.4};
      return std::nullopt;
    };
    auto d = SinkDelivery::Create(store_.get(), std::move(sink), context, options);
    EXPECT_TRUE(d.ok()) << d.status();
    return std::move(*d);
  }
};

TEST_F(DeliveryTest, WritesMergedRecordsOnceEachWithEnrichment) {
  Commit("pi-1", 1, 0xa, 3);
  Commit("pi-1", 2, 0xa, 4);  // the same window again: merged to 7 frames
  ScriptedSink* sink = nullptr;
  auto delivery = Delivery(&sink);
  auto moved = delivery->RunOnce();
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_TRUE(*moved);
  EXPECT_EQ(delivery->cursor(), 2u);

  // window, probe, device, agent, loss event: each written once although named twice.
  ASSERT_EQ(sink->stored.size(), 5u);
  EXPECT_EQ(sink->writes_ok, 5);
  const auto& window =
      std::get<WindowRecord>(sink->stored.at("w:pi-1:00000000000a:" + std::to_string(kT0)));
  EXPECT_EQ(window.window.frames(), 7u);
  ASSERT_TRUE(window.agent_location.has_value());
  EXPECT_DOUBLE_EQ(window.agent_location->lat, 52.5);
  const auto& probe = std::get<ProbeRecord>(
      sink->stored.at("p:pi-1:00000000000a:" + std::to_string(kT0) + ":63616665"));
  EXPECT_EQ(probe.probe.count(), 7u);
  const auto& device = std::get<DeviceRecord>(sink->stored.at("d:00000000000a"));
  EXPECT_EQ(device.device.frames(), 7u);
  EXPECT_EQ(device.device.vendor(), "Acme");
  EXPECT_TRUE(sink->stored.count("a:pi-1"));
  EXPECT_TRUE(sink->stored.count("e:pi-1:" + std::to_string(kT0) + ":loss:3"));

  auto again = delivery->RunOnce();  // caught up: nothing to do
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
}

TEST_F(DeliveryTest, RetriedRecordsAreRewrittenAloneUntilAccepted) {
  Commit("pi-1", 1, 0xa, 3);
  ScriptedSink* sink = nullptr;
  auto delivery = Delivery(&sink);
  sink->verdicts["d:00000000000a"] = {Verdict::kRetry, Verdict::kRetry};
  ASSERT_TRUE(delivery->RunOnce().ok());
  EXPECT_EQ(delivery->cursor(), 1u);
  EXPECT_EQ(sink->attempts["d:00000000000a"], 3);
  EXPECT_EQ(sink->attempts["a:pi-1"], 1);  // the others were not re-sent
  SinkStatus status = delivery->status();
  EXPECT_EQ(status.retried, 2u);
  EXPECT_EQ(status.written, 5u);
  EXPECT_EQ(status.last_error, "es_rejected_execution_exception");
}

TEST_F(DeliveryTest, DroppedRecordsGoToTheDeadLetterStoreWithTheReason) {
  Commit("pi-1", 1, 0xa, 3);
  ScriptedSink* sink = nullptr;
  auto delivery = Delivery(&sink);
  sink->verdicts["d:00000000000a"] = {Verdict::kDrop};
  ASSERT_TRUE(delivery->RunOnce().ok());
  EXPECT_EQ(delivery->cursor(), 1u);
  EXPECT_EQ(sink->attempts["d:00000000000a"], 1);  // never retried
  auto letters = ListDeadLetters(*store_, "es", 0);
  ASSERT_TRUE(letters.ok()) << letters.status();
  ASSERT_EQ(letters->size(), 1u);
  EXPECT_EQ((*letters)[0].record_id(), "d:00000000000a");
  EXPECT_EQ((*letters)[0].kind(), "device");
  EXPECT_EQ((*letters)[0].reason(), "mapper_parsing_exception: field [x]");
  EXPECT_EQ((*letters)[0].outbox_sequence(), 1u);
  EXPECT_EQ(delivery->status().dead_lettered, 1u);

  // The count is persistent: a restarted collector still shows it.
  delivery.reset();
  auto restarted = Delivery(&sink);
  EXPECT_EQ(restarted->status().dead_lettered, 1u);
}

TEST_F(DeliveryTest, RetentionDeletesOnlyDeadLettersDroppedBeforeTheCutoff) {
  ScriptedSink* sink = nullptr;
  auto delivery = Delivery(&sink);
  Commit("pi-1", 1, 0xa, 3);
  sink->verdicts["d:00000000000a"] = {Verdict::kDrop};
  ASSERT_TRUE(delivery->RunOnce().ok());  // dropped at kNow
  now_ = kNow + 10 * testing::kDay;
  Commit("pi-1", 2, 0xb, 3);
  sink->verdicts["d:00000000000b"] = {Verdict::kDrop};
  ASSERT_TRUE(delivery->RunOnce().ok());  // dropped 10 days later
  EXPECT_EQ(delivery->status().dead_lettered, 2u);

  // Kept 5 days: the first letter has expired, the second has not.
  auto deleted = ExpireDeadLetters(*store_, RetentionCutoffNs(now_.load(), 5));
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, (std::map<std::string, uint64_t>{{"es", 1}}));
  delivery->ForgetDeadLetters(deleted->at("es"));
  EXPECT_EQ(delivery->status().dead_lettered, 1u);
  auto letters = ListDeadLetters(*store_, "", 0);
  ASSERT_TRUE(letters.ok());
  ASSERT_EQ(letters->size(), 1u);
  EXPECT_EQ((*letters)[0].record_id(), "d:00000000000b");

  // The sink's cursor shares the key prefix and is not a letter: a restart resumes after it.
  delivery.reset();
  auto restarted = Delivery(&sink);
  EXPECT_EQ(restarted->cursor(), 2u);
  EXPECT_EQ(restarted->status().dead_lettered, 1u);
  // Nothing else expired yet: a second pass deletes nothing.
  auto again = ExpireDeadLetters(*store_, RetentionCutoffNs(now_.load(), 5));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

TEST_F(DeliveryTest, CursorSurvivesRestartSoDeliveredEntriesAreNotResent) {
  Commit("pi-1", 1, 0xa, 3);
  ScriptedSink* sink = nullptr;
  auto delivery = Delivery(&sink);
  ASSERT_TRUE(delivery->RunOnce().ok());
  delivery.reset();
  Reopen();
  Commit("pi-1", 2, 0xb, 1);
  auto restarted = Delivery(&sink);
  EXPECT_EQ(restarted->cursor(), 1u);
  ASSERT_TRUE(restarted->RunOnce().ok());
  EXPECT_EQ(sink->attempts.count("d:00000000000a"), 0u);
  EXPECT_EQ(sink->attempts["d:00000000000b"], 1);
  EXPECT_EQ(restarted->cursor(), 2u);
}

TEST_F(DeliveryTest, OpenFailureIsReportedAndNothingMoves) {
  Commit("pi-1", 1, 0xa, 3);
  ScriptedSink* sink = nullptr;
  auto delivery = Delivery(&sink);
  sink->open_failures = 1;
  auto first = delivery->RunOnce();
  EXPECT_EQ(first.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(first.status().message(), "es: engine not reachable");
  EXPECT_EQ(delivery->cursor(), 0u);
  SinkStatus status = delivery->status();
  EXPECT_FALSE(status.open);
  EXPECT_EQ(status.pending_entries, 1u);
  EXPECT_EQ(status.lag_ms, (kNow - kNow) / 1'000'000);  // committed "now" in this test
  ASSERT_TRUE(delivery->RunOnce().ok());
  EXPECT_EQ(delivery->cursor(), 1u);
}

TEST_F(DeliveryTest, HubTrimsBehindTheSlowestSinkAndHoldsIngestOverQuota) {
  Commit("pi-1", 1, 0xa, 3);
  Commit("pi-1", 2, 0xb, 3);
  auto fast = std::make_unique<ScriptedSink>("fast");
  auto slow = std::make_unique<ScriptedSink>("slow");
  ScriptedSink* slow_ptr = slow.get();
  slow_ptr->open_failures = 1'000'000;  // down for the whole test until we say otherwise
  std::vector<std::unique_ptr<Sink>> sinks;
  sinks.push_back(std::move(fast));
  sinks.push_back(std::move(slow));
  SinkHubOptions options;
  options.outbox_quota_bytes = 1;  // any entry is over quota
  options.trim_interval = std::chrono::milliseconds(5);
  options.delivery.now_ns = [] { return kNow; };
  options.delivery.idle_poll = std::chrono::milliseconds(5);
  options.delivery.backoff_initial = std::chrono::milliseconds(1);
  options.delivery.backoff_max = std::chrono::milliseconds(5);
  auto hub = SinkHub::Create(store_.get(), std::move(sinks), {}, options);
  ASSERT_TRUE(hub.ok()) << hub.status();
  (*hub)->Start();
  EXPECT_TRUE((*hub)->OverQuota());

  // Ingest is held: the batch is not committed (so not acknowledged) while over quota.
  CommitQueueOptions queue_options;
  queue_options.hold = [&] { return (*hub)->OverQuota(); };
  queue_options.hold_poll = std::chrono::milliseconds(5);
  CommitQueue queue(store_.get(), queue_options);
  v1::Batch held;
  held.set_stream_id(9);
  held.set_sequence(3);
  held.add_windows()->set_mac(0xc);
  std::atomic<bool> done{false};
  queue.Submit("pi-1", &held, [&](absl::StatusOr<CommitResult> r) { done = r.ok(); });
  while (queue.stats().held_polls < 3) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_FALSE(done.load());
  EXPECT_EQ(store_->GetOutboxStats().entries, 2u);  // the fast sink alone cannot trim

  slow_ptr->open_failures = 0;  // the slow sink recovers: it drains, the hub trims, ingest resumes
  while (!done.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  queue.Stop();
  while (store_->GetOutboxStats().entries != 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  (*hub)->Stop();
  EXPECT_EQ(slow_ptr->attempts["d:00000000000c"], 1);
  EXPECT_EQ(store_->GetOutboxStats().first_sequence, 4u);
}

}  // namespace
}  // namespace airfleet::collector::sinks
