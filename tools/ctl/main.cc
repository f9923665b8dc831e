// airfleetctl: the operator's CLI. This file only wires CLI11 to the command functions; every
// decision lives in the small files beside it (CLI11 is slow to compile, so it stays here).

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <iostream>
#include <string>

#include "grpc/grpc.h"
#include "tools/ctl/admin_commands.h"
#include "tools/ctl/analytics_commands.h"
#include "tools/ctl/control_commands.h"
#include "tools/ctl/exit_codes.h"
#include "tools/ctl/known_commands.h"
#include "tools/ctl/output.h"
#include "tools/ctl/pki_commands.h"
#include "tools/ctl/sinks_commands.h"
#include "tools/ctl/top_command.h"
#include "tools/pki/pki.h"

namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// gRPC's last shutdown otherwise finishes on a background thread, racing the process exit: TLS
// objects still being freed then show up as leaks under LeakSanitizer now and then (seen in CI on
// `airfleetctl devices`). Holding our own reference and dropping it with the blocking call makes
// every command end with gRPC torn down. Declared first in main, so it goes last.
struct GrpcLifetime {
  GrpcLifetime() { grpc_init(); }
  ~GrpcLifetime() { grpc_shutdown_blocking(); }
};

}  // namespace

int main(int argc, char** argv) {
  GrpcLifetime grpc_lifetime;
  using namespace airfleet::ctl;
  // Writing to a closed pipe (`airfleetctl export windows | head`) should end the command, not
  // kill it with a signal; the export loop notices the failed stream.
  std::signal(SIGPIPE, SIG_IGN);

  CLI::App app{"airfleetctl: operate an airfleet Wi-Fi sensing fleet (PKI and collector admin)"};
  app.footer(std::string(kExitCodesHelp) +
             "\nConnection flags can come from AIRFLEET_COLLECTOR, AIRFLEET_CA, AIRFLEET_CERT, "
             "AIRFLEET_KEY.");
  app.require_subcommand(1);
  // Global flags may also follow the subcommand (`airfleetctl agents --collector ...`).
  app.fallthrough();

  ConnectionOptions conn;
  std::string output = "table";
  int timeout_s = 10;
  app.add_option("--collector", conn.address, "collector address host:port")
      ->envname("AIRFLEET_COLLECTOR");
  app.add_option("--ca", conn.ca_path, "fleet CA certificate (PEM)")->envname("AIRFLEET_CA");
  app.add_option("--cert", conn.cert_path, "operator certificate (PEM)")->envname("AIRFLEET_CERT");
  app.add_option("--key", conn.key_path, "operator private key (PEM)")->envname("AIRFLEET_KEY");
  app.add_option("--server-name", conn.server_name,
                 "name to expect in the collector's certificate, when it differs from the host "
                 "dialled");
  auto* output_opt = app.add_option("--output,-o", output, "table, json, csv or ndjson")
                         ->check(CLI::IsMember({"table", "json", "csv", "ndjson"}));
  app.add_option("--timeout", timeout_s, "seconds to wait for each collector answer")
      ->check(CLI::PositiveNumber);

  // ---- pki ----
  auto* pki = app.add_subcommand("pki", "create the fleet CA and issue certificates");
  pki->require_subcommand(1);
  pki->fallthrough();
  std::string dir, role, name, file;
  int days = airfleet::pki::kDefaultLeafDays;
  bool force = false;
  auto* init = pki->add_subcommand("init", "create the fleet CA (DIR/ca.pem, DIR/ca.key)");
  init->add_option("--dir", dir, "PKI directory")->required();
  init->add_flag("--force", force, "replace an existing CA (invalidates every certificate)");
  auto* issue = pki->add_subcommand("issue", "issue a certificate (DIR/NAME.pem, DIR/NAME.key)");
  issue->add_option("role", role, "agent, collector or operator")
      ->required()
      ->check(CLI::IsMember({"agent", "collector", "operator"}));
  issue
      ->add_option("name", name,
                   "CN: the agent id, the collector's DNS name, or the operator's name")
      ->required();
  issue->add_option("--dir", dir, "PKI directory holding the CA")->required();
  issue->add_option("--days", days, "validity in days")->check(CLI::Range(1, 36500));
  issue->add_flag("--force", force, "replace an existing certificate of that name");
  auto* show = pki->add_subcommand("show", "print a certificate's identity, role and expiry");
  show->add_option("file", file, "certificate (PEM)")->required();

  // ---- admin ----
  auto* agents = app.add_subcommand("agents", "list the agents the collector knows");
  agents->fallthrough();
  auto* agent_config = agents->add_subcommand(
      "config",
      "configuration pushed to agents through the collector (kept and re-sent until "
      "applied)");
  agent_config->fallthrough();
  AgentConfigArgs config_args;
  auto* config_set = agent_config->add_subcommand(
      "set",
      "push settings to one agent or, with --all, to every agent (a channel plan is then "
      "staggered: agents sorted by id get consecutive offsets)");
  config_set->add_option("agent", config_args.agent, "agent id");
  config_set->add_flag("--all", config_args.all_agents, "every agent the collector knows");
  config_set->add_option("--window", config_args.window, "window length: 10s, 1m, 5m");
  config_set->add_option("--channels", config_args.channels, "channel plan: 1,6,11 or 36,40");
  config_set->add_option("--dwell", config_args.dwell, "time per channel (default 250ms)");
  config_set->add_option("--privacy", config_args.privacy, "off or pseudonymise")
      ->check(CLI::IsMember({"off", "pseudonymise"}));
  std::string bpf_arg;
  auto* bpf_opt = config_set->add_option(
      "--bpf", bpf_arg, "capture filter applied in the agent (libpcap syntax; \"\" removes it)");
  config_set->add_flag("--reset", config_args.reset,
                       "replace the pushed settings: what is not given returns to the agent's own");
  std::string config_agent;
  auto* config_show =
      agent_config->add_subcommand("show", "desired and applied versions and the agents' answers");
  config_show->add_option("agent", config_agent, "only this agent");

  // ---- capture rings ----
  auto* capture = app.add_subcommand(
      "capture", "capture rings on agents: rotating pcap files kept on the agent, fetched here");
  capture->fallthrough();
  capture->require_subcommand(1);
  RingArgs ring_args;
  auto* cap_start = capture->add_subcommand("start", "start (or update) a ring on an agent");
  cap_start->add_option("agent", ring_args.agent, "agent id")->required();
  cap_start->add_option("ring", ring_args.name, "ring name ([A-Za-z0-9_-])")->required();
  cap_start->add_option("--bpf", ring_args.bpf, "only packets matching (libpcap syntax)");
  cap_start->add_option("--pattern", ring_args.pattern,
                        "file names, strftime fields in UTC (default %Y%m%d-%H%M%S.pcap)");
  cap_start->add_option("--rotate-every", ring_args.rotate_every, "new file every: 10m, 1h");
  cap_start->add_option("--rotate-size", ring_args.rotate_bytes, "new file after N bytes");
  cap_start->add_option("--keep", ring_args.keep, "files kept per ring (default 10)");
  std::string ring_agent, ring_name, ring_file, fetch_out;
  auto* cap_stop = capture->add_subcommand("stop", "stop a ring (its files stay)");
  auto* cap_rotate = capture->add_subcommand("rotate", "close the ring's current file now");
  for (auto* sub : {cap_stop, cap_rotate}) {
    sub->add_option("agent", ring_agent, "agent id")->required();
    sub->add_option("ring", ring_name, "ring name")->required();
  }
  bool list_files = false;
  auto* cap_list = capture->add_subcommand("list", "rings on an agent: files, bytes, rate");
  cap_list->add_option("agent", ring_agent, "agent id")->required();
  cap_list->add_flag("--files", list_files, "one row per file");
  bool fetch_progress = false;
  auto* cap_fetch = capture->add_subcommand(
      "fetch", "copy a closed ring file here through the collector, checked by SHA-256");
  cap_fetch->add_option("agent", ring_agent, "agent id")->required();
  cap_fetch->add_option("ring", ring_name, "ring name")->required();
  cap_fetch->add_option("file", ring_file, "file name (default: the newest closed file)");
  cap_fetch->add_option("--out", fetch_out, "where to write (default: ./FILE)");
  cap_fetch->add_flag("--progress", fetch_progress, "show progress (always on a terminal)");
  airfleet::ctl::TopArgs top_args;
  auto* top = app.add_subcommand(
      "top", "live view of the fleet: agents, rates, backlog, strongest devices (Ctrl-C ends)");
  top->add_option("--interval", top_args.interval, "refresh every (default 2s)");
  top->add_option("--iterations", top_args.iterations, "stop after N screens (default: never)");
  top->add_option("--devices", top_args.devices, "strongest devices shown (default 10)");
  top->add_option("--since", top_args.since, "devices seen within (default 5m)");
  std::string since, until, agent_filter, mac;
  uint32_t limit = 0;
  auto* devices = app.add_subcommand("devices", "list devices");
  devices->add_option("--since", since, "seen since: 15m, 2h, 7d, RFC 3339 time, @unix");
  devices->add_option("--agent", agent_filter, "only devices this agent saw");
  devices->add_option("--limit", limit, "at most N devices (counted after the filters)");
  DeviceFilterArgs device_filter;
  devices->add_option("--vendor", device_filter.vendor,
                      "only devices whose vendor contains this (case-insensitive)");
  devices->add_flag("--randomised", device_filter.randomised,
                    "only randomised (locally administered) MACs");
  devices->add_flag("--known", device_filter.known,
                    "only devices in the known-device registry (known or guest)");
  devices->add_option("--first-seen-since", device_filter.first_seen_since,
                      "only devices first seen at or after this time");
  devices->add_option("--first-seen-until", device_filter.first_seen_until,
                      "only devices first seen before this time");
  devices->add_option("--quiet-since", device_filter.quiet_since,
                      "only devices gone quiet: last seen before this time");
  devices->add_option("--min-signal", device_filter.min_signal_dbm,
                      "only devices whose strongest signal is at least DBM (--min-signal=-70)");
  auto* device = app.add_subcommand("device", "one device: details, sightings, recent windows");
  device->add_option("mac", mac, "MAC address")->required();
  auto* export_cmd = app.add_subcommand("export", "export stored data");
  export_cmd->require_subcommand(1);
  export_cmd->fallthrough();
  auto* windows = export_cmd->add_subcommand(
      "windows", "every stored device window, one JSON object per line (ndjson by default)");
  windows->add_option("--since", since, "from: 15m, 2h, 7d, RFC 3339 time, @unix");
  windows->add_option("--until", until, "to (exclusive), same forms");
  ClusterArgs cluster_args;
  auto* clusters = app.add_subcommand(
      "clusters", "randomised MACs grouped into likely devices (IE fingerprint, session, signal)");
  clusters->add_option("--since", cluster_args.since, "from: 15m, 2h, 7d, RFC 3339 time, @unix");
  clusters->add_option("--until", cluster_args.until, "to (exclusive), same forms");
  clusters->add_option("--min-macs", cluster_args.min_macs,
                       "distinct MACs a cluster needs (collector default 3)");
  clusters->add_option("--gap", cluster_args.gap,
                       "silence that starts a new session, e.g. 5m (collector default 5m)");
  clusters->add_option("--signal-tolerance", cluster_args.signal_tolerance_db,
                       "dB between a MAC's average signal and the cluster's median (default 6)");
  clusters->add_option("--mac", cluster_args.mac, "only clusters holding this MAC");

  // ---- analytics ----
  RangeArgs range;
  auto add_range = [&](CLI::App* cmd) {
    cmd->add_option("--since", range.since, "windows from: 15m, 2h, 7d, RFC 3339 time, @unix");
    cmd->add_option("--until", range.until, "to (exclusive), same forms");
  };
  auto* probes = app.add_subcommand("probes", "per-device probe request statistics");
  probes->add_option("--mac", mac, "one device only");
  probes->add_option("--agent", agent_filter, "only probes this agent heard");
  add_range(probes);
  auto* stats = app.add_subcommand("stats", "fleet statistics");
  stats->require_subcommand(1);
  stats->fallthrough();
  auto* subtypes = stats->add_subcommand("subtypes", "frame subtype counts per day and agent");
  subtypes->add_option("--agent", agent_filter, "one agent only");
  add_range(subtypes);
  auto* frames = stats->add_subcommand(
      "frames", "per-device frame totals, each frame counted once however many agents heard it");
  frames->add_option("--mac", mac, "one device only");
  add_range(frames);
  std::string interval = "5m";
  auto* timeline =
      app.add_subcommand("timeline", "unique devices per interval, per agent and fleet-wide");
  timeline->add_option("--interval", interval, "30s, 1m, 5m, 1h, 1d (default 5m)");
  timeline->add_option("--agent", agent_filter, "one agent only");
  add_range(timeline);
  std::string graph_format = "graphml";
  auto* graph = app.add_subcommand("graph", "device-to-SSID graph for graph tools");
  graph->add_option("--format", graph_format, "graphml (default), dot or cypher")
      ->check(CLI::IsMember({"graphml", "dot", "cypher"}));
  add_range(graph);

  // ---- known-device registry ----
  auto* known = app.add_subcommand("known", "the collector's registry of known and guest devices");
  known->require_subcommand(1);
  known->fallthrough();
  KnownAddArgs known_add;
  auto* known_add_cmd = known->add_subcommand("add", "add or replace one device");
  known_add_cmd->add_option("mac", known_add.mac, "MAC address")->required();
  known_add_cmd->add_option("--name", known_add.name, "what to call it")->required();
  known_add_cmd->add_option("--owner", known_add.owner, "who it belongs to");
  known_add_cmd->add_flag("--guest", known_add.guest, "a guest device (default: known)");
  known_add_cmd->add_option("--tag", known_add.tags, "a tag (repeatable)");
  auto* known_remove = known->add_subcommand("remove", "remove one device");
  known_remove->add_option("mac", mac, "MAC address")->required();
  auto* known_import = known->add_subcommand(
      "import", "add or replace every device of a CSV file (header mac,name,owner,kind,tags)");
  known_import->add_option("file", file, "CSV file")->required();
  auto* known_list = known->add_subcommand("list", "list the registry");

  // ---- external sinks ----
  auto* sinks_cmd = app.add_subcommand(
      "sinks", "the collector's external sinks (Elasticsearch, Cassandra): status by default");
  sinks_cmd->fallthrough();
  auto* sinks_status = sinks_cmd->add_subcommand("status", "per-sink counters, lag and the outbox");
  std::string sink_name;
  auto* sinks_dead = sinks_cmd->add_subcommand(
      "dead-letters", "records a sink refused for good, with the engine's reason");
  sinks_dead->add_option("sink", sink_name, "only this sink");
  sinks_dead->add_option("--limit", limit, "at most N (oldest first)");
  auto* sinks_init = sinks_cmd->add_subcommand(
      "init", "create the keyspace/tables and index templates on every configured sink");
  std::string backfill_since;
  auto* sinks_backfill = sinks_cmd->add_subcommand(
      "backfill", "send data stored before the sinks were configured to them (idempotent)");
  sinks_backfill->add_option(
      "--since", backfill_since,
      "only windows starting at or after: 7d, RFC 3339, @unix (default: all)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }

  Format format = *ParseFormat(output);
  conn.timeout = std::chrono::seconds(timeout_s);
  CommandContext ctx{conn, format, NowNs(), &std::cout, &std::cerr};

  if (*init) return RunPkiInit(dir, force, std::cout, std::cerr);
  if (*issue) return RunPkiIssue(dir, role, name, days, force, std::cout, std::cerr);
  if (*show) return RunPkiShow(file, format, ctx.now_ns, std::cout, std::cerr);
  if (*config_set) {
    if (bpf_opt->count() > 0) config_args.bpf = bpf_arg;
    return RunAgentConfigSet(ctx, config_args);
  }
  if (*config_show || *agent_config) return RunAgentConfigShow(ctx, config_agent);
  if (*agents) return RunAgents(ctx);
  if (*cap_start) return RunCaptureStart(ctx, ring_args);
  if (*cap_stop) return RunCaptureStop(ctx, ring_agent, ring_name);
  if (*cap_rotate) return RunCaptureRotate(ctx, ring_agent, ring_name);
  if (*cap_list) return RunCaptureList(ctx, ring_agent, list_files);
  if (*cap_fetch) {
    return RunCaptureFetch(ctx, ring_agent, ring_name, ring_file, fetch_out,
                           fetch_progress || ::isatty(STDERR_FILENO) != 0);
  }
  if (*top) return RunTop(ctx, top_args, ::isatty(STDOUT_FILENO) != 0);
  if (*devices) return RunDevices(ctx, since, agent_filter, limit, device_filter);
  if (*known_add_cmd) return RunKnownAdd(ctx, known_add);
  if (*known_remove) return RunKnownRemove(ctx, mac);
  if (*known_import) return RunKnownImport(ctx, file);
  if (*known_list) return RunKnownList(ctx);
  if (*sinks_dead) return RunSinksDeadLetters(ctx, sink_name, limit);
  if (*sinks_init) return RunSinksInit(ctx);
  if (*sinks_backfill) return RunSinksBackfill(ctx, backfill_since);
  if (*sinks_status || *sinks_cmd) return RunSinksStatus(ctx);
  if (*device) return RunDevice(ctx, mac);
  if (*clusters) return RunClusters(ctx, cluster_args);
  if (*probes) return RunProbes(ctx, mac, range, agent_filter);
  if (*subtypes) return RunSubtypeStats(ctx, range, agent_filter);
  if (*frames) return RunFleetFrames(ctx, mac, range);
  if (*timeline) return RunTimeline(ctx, interval, range, agent_filter);
  if (*graph) return RunGraph(ctx, graph_format, range);
  if (*windows) {
    // Export is for machines: ndjson unless the operator asked for something else.
    if (output_opt->count() == 0) ctx.format = Format::kNdjson;
    return RunExportWindows(ctx, since, until);
  }
  return kExitUsage;
}
