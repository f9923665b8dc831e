// `airfleet-agent run`: wires capture source, spool, uplink and the capture loop together.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "agent/capture/channel.h"
#include "agent/capture/channel_hopper.h"
#include "agent/capture/clock.h"
#include "agent/capture/file_source.h"
#include "agent/capture/live_source.h"
#include "agent/cli/commands.h"
#include "agent/cli/exit_codes.h"
#include "agent/cli/progress.h"
#include "agent/cli/remote_control.h"
#include "agent/control/agent_control.h"
#include "agent/control/ring_commands.h"
#include "agent/health/capture_board.h"
#include "agent/rings/ring_manager.h"
#include "agent/run/agent_metrics.h"
#include "agent/run/agent_runner.h"
#include "agent/run/replay_position.h"
#include "agent/spool/rocksdb_spool.h"
#include "agent/uplink/cert_identity.h"
#include "agent/uplink/grpc_uplink.h"
#include "common/log.h"
#include "common/metrics/http_server.h"
#include "common/metrics/process_metrics.h"
#include "common/metrics/registry.h"
#include "common/service_notify.h"

namespace airfleet::cli {
namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop.store(true); }

int Fail(int code, const std::string& message) {
  log::Error(message);
  return code;
}

void Log(const std::string& message) { log::Info(message); }

}  // namespace

int RunAgent(const RunOptions& o) {
  log::SetProgram("airfleet-agent");
  log::SetFormat(o.log_json ? log::Format::kJson : log::Format::kText);
  if (o.pcap.empty() == o.iface.empty()) {
    return Fail(kExitUsage, "run needs exactly one of --pcap FILE or --iface IFACE");
  }
  if (o.collector.empty() || o.ca.empty() || o.cert.empty() || o.key.empty() ||
      o.spool_dir.empty()) {
    return Fail(kExitUsage, "run needs --collector, --ca, --cert, --key and --spool-dir");
  }
  auto privacy_options = PrivacyFromFlags(o.privacy);
  if (!privacy_options.ok())
    return Fail(kExitUsage, std::string(privacy_options.status().message()));
  if (!o.metrics_listen.empty()) {
    if (auto parsed = metrics::ParseListenAddress(o.metrics_listen); !parsed.ok()) {
      return Fail(kExitUsage, absl::StrCat("--metrics-listen (or metrics.listen:): ",
                                           parsed.status().message()));
    }
  }
  auto agent_id = uplink::CommonNameFromCertificateFile(o.cert);
  if (!agent_id.ok()) return Fail(kExitUsage, std::string(agent_id.status().message()));

  const bool replay = !o.pcap.empty();
  spool::RocksDbSpoolOptions spool_options;
  spool_options.path = o.spool_dir;
  spool_options.agent_id = *agent_id;
  spool_options.quota_bytes = o.spool_quota_bytes;
  // A replay appends often and can resume from its stored position, so it syncs the WAL at most
  // once a second (group commit); live capture appends once per window and syncs every append.
  spool_options.durability =
      replay ? spool::Durability::kGroupCommit : spool::Durability::kSyncEveryAppend;
  auto spool = spool::RocksDbSpool::Open(spool_options);
  if (!spool.ok()) return Fail(kExitRuntime, std::string(spool.status().message()));
  if (auto q = (*spool)->quarantine()) {
    Log(absl::StrCat("the spool was unreadable (", q->reason, "); it was moved to ",
                     q->quarantine_path, " and a fresh one started (loss recorded)"));
  }
  // Remote configuration (agent/control/): a config the collector pushed earlier is persisted in
  // the spool and wins over flags and file until the operator resets it.
  auto remote = control::AgentControl::Open(spool->get());
  if (!remote.ok()) return Fail(kExitRuntime, std::string(remote.status().message()));
  RemoteSettingsGlue remote_settings(o, replay, (*remote)->applied());
  const control::EffectiveSettings& initial = remote_settings.initial();
  if ((*remote)->applied_version() != 0) {
    Log(absl::StrCat("running remote configuration version ", (*remote)->applied_version(),
                     " (window ", initial.window_ms, " ms, privacy ", initial.privacy_mode, ")"));
    auto pushed_privacy = remote_settings.PrivacyFor(initial.privacy_mode);
    // Refuse to start rather than fall back to "off": a pushed pseudonymise that cannot run
    // (key file gone) must not turn into raw MACs on the wire.
    if (!pushed_privacy.ok()) {
      return Fail(kExitUsage, std::string(pushed_privacy.status().message()));
    }
    privacy_options = std::move(pushed_privacy);
  }
  // Capture rings: definitions persist in their directory, so running rings resume here. The
  // default is per spool (two agents on one machine never share rings).
  std::string rings_dir = o.rings_dir;
  if (rings_dir.empty()) {
    std::filesystem::path spool_path = std::filesystem::path(o.spool_dir).lexically_normal();
    if (!spool_path.has_filename()) spool_path = spool_path.parent_path();  // "spool/"
    rings_dir = spool_path.string() + "-rings";
  }
  auto rings = rings::RingManager::Open(rings_dir);
  if (!rings.ok()) {
    return Fail(kExitRuntime,
                absl::StrCat("capture rings in ", rings_dir, ": ", rings.status().message()));
  }
  for (const std::string& problem : (*rings)->load_errors()) Log(problem);
  (*remote)->SetHooks(
      {.check = [&remote_settings](const v1::AgentConfig& c) { return remote_settings.Check(c); },
       .apply = [&remote_settings](const v1::AgentConfig& c) { return remote_settings.Apply(c); },
       .command =
           [ring_manager = rings->get()](const v1::ControlRequest& request) {
             return control::HandleRingCommand(ring_manager, request);
           }});

  uplink::GrpcUplinkOptions uplink_options;
  uplink_options.collector = o.collector;
  uplink_options.ca_file = o.ca;
  uplink_options.cert_file = o.cert;
  uplink_options.key_file = o.key;
  uplink_options.agent_id = *agent_id;
  uplink_options.keepalive_time_ms = static_cast<int>(o.keepalive_ns / 1'000'000);
  uplink_options.keepalive_timeout_ms = std::min(20'000, uplink_options.keepalive_time_ms);
  uplink_options.heartbeat_interval_ms = static_cast<int>(o.heartbeat_ns / 1'000'000);
  // Outlives the capture loop: heartbeats while a replay's backlog drains report its totals.
  health::CaptureBoard capture_board;
  uplink_options.fill_health = [&capture_board](v1::AgentHealth* h) {
    *h->mutable_capture() = capture_board.Latest();
  };
  uplink_options.on_control = [control = remote->get()](const v1::CollectorMessage& m) {
    return control->Handle(m);
  };
  uplink_options.applied_config_version = [control = remote->get()] {
    return control->applied_version();
  };
  // Started once the runner exists (below), so a pushed config always has a capture to apply to.
  uplink::GrpcUplink uplink(uplink_options, spool->get());

  run::RunnerOptions runner_options;
  runner_options.summariser.window_ms = initial.window_ms;
  runner_options.summariser.max_devices_per_window = o.max_devices;
  runner_options.dissect.fcs = o.fcs;
  runner_options.dissect.verify_fcs = o.verify_fcs;
  runner_options.replay = replay;
  runner_options.tap = rings->get();
  // The watchdog is petted from the capture loop (this callback runs at most every 100 ms while
  // packets flow, every 100 ms while idle), so a wedged capture gets the agent restarted.
  ServiceNotifier notifier;
  runner_options.publish_capture = [&capture_board, &notifier](const v1::CaptureStats& stats) {
    capture_board.Publish(stats);
    notifier.PetWatchdog();
  };
  runner_options.on_disk_full = [](uint64_t lost, const absl::Status& why) {
    Log(absl::StrCat(why.message(), "; capture continues, and the windows that do not fit are ",
                     "recorded as lost (reason disk_full) and reported to the collector (", lost,
                     " lost so far)"));
  };
  runner_options.on_disk_writable = [](uint64_t lost) {
    Log(absl::StrCat("the spool has room again; ", lost,
                     " windows were lost to the full disk (recorded in the loss ledger)"));
  };
  runner_options.privacy = std::move(*privacy_options);

  static capture::SystemClock clock;
  std::unique_ptr<capture::PacketSource> source;
  std::unique_ptr<capture::Nl80211ChannelSetter> channel_setter;
  std::unique_ptr<capture::ChannelHopper> hopper;
  std::mutex hopper_mu;  // the hopper is replaced by remote configuration
  // A plan from the flags/file hops from its first channel; a pushed one on wall-clock slots.
  auto start_hopper = [&](const control::EffectiveSettings& plan) -> absl::Status {
    capture::HopperOptions hop;
    for (const auto& spec : plan.channels) {
      auto ch = capture::ParseChannel(spec);
      if (!ch.ok()) return ch.status();
      hop.channels.push_back(*ch);
    }
    hop.dwell_ns = plan.dwell_ns;
    if (plan.clock_aligned) {
      hop.wall_ns = [] { return absl::ToUnixNanos(absl::Now()); };
      hop.stagger_offset = plan.stagger_offset;
    }
    auto next = std::make_unique<capture::ChannelHopper>(hop, channel_setter.get(), &clock);
    if (absl::Status s = next->Start(); !s.ok()) return s;
    std::lock_guard<std::mutex> lock(hopper_mu);
    if (hopper) hopper->Stop();
    hopper = std::move(next);
    return absl::OkStatus();
  };
  bool already_finished = false;
  if (replay) {
    auto identity = run::FileIdentity(o.pcap);
    if (!identity.ok()) return Fail(kExitInput, std::string(identity.status().message()));
    runner_options.file_identity = *identity;
    const run::ResumePlan plan = run::PlanResume((*spool)->ReplayPosition(), *identity);
    already_finished = plan.already_finished;
    runner_options.start_offset = plan.start_offset;
    runner_options.start_watermark_ns = plan.start_watermark_ns;
    if (already_finished) {
      Log("this capture was already imported completely; waiting for the backlog only");
    } else if (plan.start_offset > 0) {
      Log(absl::StrCat("resuming the import of ", o.pcap, " at byte ", plan.start_offset));
    }
    capture::FileReplayOptions file_options;
    file_options.speed = o.replay_speed;
    file_options.is_supported_linktype = dissect::IsSupportedLinktype;
    file_options.start_position = runner_options.start_offset;
    // Gaps in a paced replay must not stall the capture loop (watchdog, heartbeat counters).
    file_options.max_block_ns = 100'000'000;
    auto file = capture::FileReplaySource::Open(o.pcap, std::move(file_options), &clock);
    if (!file.ok()) return Fail(kExitInput, std::string(file.status().message()));
    source = std::move(*file);
  } else {
    capture::LiveCaptureOptions live_options;
    live_options.interface = o.iface;
    live_options.monitor_mode = o.monitor_mode;
    live_options.bpf_filter = o.bpf_filter;
    live_options.is_supported_linktype = dissect::IsSupportedLinktype;
    auto live = capture::LivePcapSource::Open(live_options);
    if (!live.ok()) return Fail(kExitRuntime, std::string(live.status().message()));
    source = std::move(*live);
    if (!initial.channels.empty()) {
      for (const auto& spec : initial.channels) {
        if (auto ch = capture::ParseChannel(spec); !ch.ok()) {
          return Fail(kExitUsage, std::string(ch.status().message()));
        }
      }
      auto setter = capture::Nl80211ChannelSetter::Open(o.iface);
      if (!setter.ok()) return Fail(kExitRuntime, std::string(setter.status().message()));
      channel_setter = std::move(*setter);
      if (absl::Status s = start_hopper(initial); !s.ok()) {
        return Fail(kExitRuntime, std::string(s.message()));
      }
    }
  }

  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  std::unique_ptr<run::AgentRunner> runner;
  if (!already_finished) {
    auto created = run::AgentRunner::Create(runner_options, source.get(), spool->get());
    if (!created.ok()) return Fail(kExitUsage, std::string(created.status().message()));
    runner = std::move(*created);
    if (!initial.pushed_bpf_filter.empty()) {
      run::RuntimeSettings filter;
      filter.bpf_filter = initial.pushed_bpf_filter;
      runner->Reconfigure(std::move(filter));
    }
  }
  std::function<std::string(const control::EffectiveSettings&)> replan;
  if (channel_setter) {
    replan = [&start_hopper](const control::EffectiveSettings& plan) -> std::string {
      absl::Status s = start_hopper(plan);
      return s.ok() ? "" : absl::StrCat("channel plan not applied: ", s.message());
    };
  }
  remote_settings.Attach(runner.get(), std::move(replan));
  // Runs before the runner and hopper go away on any way out: a config arriving while the
  // uplink still runs must then find nothing to apply to.
  struct DetachRemote {
    RemoteSettingsGlue* glue;
    ~DetachRemote() { glue->Attach(nullptr, nullptr); }
  } detach_remote{&remote_settings};
  if (absl::Status s = uplink.Start(); !s.ok()) {
    return Fail(kExitRuntime, std::string(s.message()));
  }
  // Declared after everything it reads, so it stops (destructor) before they go away.
  metrics::Registry metrics_registry;
  std::unique_ptr<metrics::HttpServer> metrics_server;
  if (!o.metrics_listen.empty()) {
    metrics::RegisterProcessMetrics("agent", &metrics_registry);
    run::AgentMetricSources sources;
    if (runner) sources.runner = [r = runner.get()] { return r->Snapshot(); };
    sources.spool = spool->get();
    sources.uplink = &uplink;
    sources.spool_quota_bytes = o.spool_quota_bytes;
    sources.now_ns = [] { return absl::ToUnixNanos(absl::Now()); };
    run::RegisterAgentMetrics(std::move(sources), &metrics_registry);
    auto started = metrics::HttpServer::Start(
        o.metrics_listen, [&metrics_registry] { return metrics_registry.Render(); });
    if (!started.ok()) return Fail(kExitRuntime, std::string(started.status().message()));
    metrics_server = std::move(*started);
    Log(absl::StrCat("metrics on http://", metrics_server->address(), "/metrics"));
  }

  notifier.Ready(replay ? absl::StrCat("replaying ", o.pcap)
                        : absl::StrCat("capturing on ", o.iface));
  int exit_code = kExitOk;
  const bool show_progress = replay && (o.progress || ::isatty(STDERR_FILENO) != 0);
  ProgressLine progress_line(stderr, ::isatty(STDERR_FILENO) != 0);
  if (runner) {
    // The import's progress comes from a watcher thread: the capture loop stays free of I/O.
    std::atomic<bool> import_done{false};
    std::thread progress_thread;
    if (show_progress) {
      std::error_code size_error;
      const uint64_t total = std::filesystem::file_size(o.pcap, size_error);
      const std::string name = std::filesystem::path(o.pcap).filename().string();
      const absl::Time started = absl::Now();
      progress_thread = std::thread([&, total, name, started] {
        auto update = [&](bool force) {
          const run::RunnerSnapshot s = runner->Snapshot();
          progress_line.Update(
              FormatImportProgress(name, s.runner.bytes_read, size_error ? 0 : total,
                                   s.capture.received, absl::Now() - started),
              force);
        };
        while (!import_done.load()) {
          update(false);
          absl::SleepFor(absl::Milliseconds(100));
        }
        update(true);
        progress_line.Finish();
      });
    }
    absl::Status status = runner->Run(g_stop);
    remote_settings.CaptureEnded();
    import_done = true;
    if (progress_thread.joinable()) progress_thread.join();
    {
      std::lock_guard<std::mutex> lock(hopper_mu);
      if (hopper) hopper->Stop();
    }
    const auto& c = runner->counters();
    Log(absl::StrCat(c.packets, " packets, ", c.summaries_spooled, " device windows spooled in ",
                     c.appends, " appends",
                     c.summaries_lost_disk_full
                         ? absl::StrCat(", ", c.summaries_lost_disk_full, " lost to a full disk")
                         : ""));
    const auto& pc = runner->privacy_counters();
    if (pc.windows > 0) {
      Log(absl::StrCat("privacy: ", pc.addresses, " addresses pseudonymised, ", pc.ssids_hashed,
                       " SSIDs hashed, ", pc.ssids_dropped, " SSIDs dropped"));
    }
    if (!status.ok()) {
      Log(std::string(status.message()));
      exit_code = absl::IsDataLoss(status) ? kExitTruncated : kExitRuntime;
    }
  }

  if (replay && o.exit_when_drained && !g_stop.load()) {
    absl::Time deadline = o.drain_timeout_ns > 0
                              ? absl::Now() + absl::Nanoseconds(o.drain_timeout_ns)
                              : absl::InfiniteFuture();
    // Poll (cheaply) rather than block in DrainAndStop so that a signal still ends the wait.
    while (!g_stop.load() && absl::Now() < deadline &&
           ((*spool)->Stats().batches > 0 || !uplink.LedgerDelivered())) {
      notifier.PetWatchdog();
      if (show_progress) {
        const spool::SpoolStats stats = (*spool)->Stats();
        progress_line.Update(
            FormatDrainProgress(stats.batches, stats.summaries, uplink.State().acked_sequence));
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    progress_line.Finish();
    notifier.Stopping();
    absl::Status drained =
        g_stop.load() ? absl::CancelledError("interrupted by a signal")
                      : uplink.DrainAndStop(std::min(deadline, absl::Now() + absl::Seconds(30)));
    if (!drained.ok()) {
      Log(absl::StrCat("not everything was acknowledged: ", drained.message(),
                       " (the spool keeps it; last uplink error: ", uplink.State().last_error,
                       ")"));
      return exit_code == kExitOk ? kExitRuntime : exit_code;
    }
    // The connection count shows outages and reconnects to whoever reads the log (and to the
    // network-fault tests).
    const uplink::UplinkState state = uplink.State();
    Log(absl::StrCat("everything acknowledged by ", o.collector, " (up to sequence ",
                     state.acked_sequence, "; ", state.streams_started, " stream attempt(s), ",
                     state.batches_sent, " batch messages sent)"));
    return exit_code;
  }
  // Live capture that failed (the interface went away, the driver died): exit so that systemd's
  // Restart=on-failure starts a fresh capture; the spool keeps everything not yet acknowledged.
  if (!replay && exit_code != kExitOk && !g_stop.load()) {
    notifier.Stopping();
    uplink.Stop();
    return exit_code;
  }
  // Keep uploading until a signal. A replay that has ended stays up (and petted) for its uplink.
  if (replay) notifier.Status(absl::StrCat("replay of ", o.pcap, " done; uploading"));
  while (!g_stop.load()) {
    notifier.PetWatchdog();
    absl::SleepFor(absl::Milliseconds(200));
  }
  notifier.Stopping();
  uplink.Stop();
  return exit_code;
}

}  // namespace airfleet::cli
