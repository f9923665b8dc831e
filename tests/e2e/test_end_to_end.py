"""End to end: agent replays a real capture to a collector over mTLS; what the collector stores is
exactly what the offline summariser computes from the same file.

Guarantee under test (docs: "The agent's spool is the source of truth", "storage is idempotent"):
  airfleetctl export windows (agent ignored) == airfleet-agent summarise --format ndjson,
  as multisets of JSON objects, for the same --window.
"""

import json
import os
import re
import shutil
import subprocess

import fleet

# Varied real captures: probe-request dataset (2013), beacon-heavy, pcapng, PPI, Prism, a
# MAC-randomisation dataset (2023).
CAPTURES = [
    ("proberequest_data_analyse__probes-2013-03-19.pcap", "60s"),
    ("beacon-frame-analysis__beacon-cca01.pcap", "60s"),
    ("Wireless-Internet-Project_MAC-Randomization__05_HuaweiTablet_01_filtered.pcapng", "60s"),
    ("libpcap__http_PPI.pcap", "60s"),
    ("pypacker__packets_prism.pcap", "60s"),
    ("probe-request-project__position_1__sc6-61_2023-04-17_anonymized.pcap", "10s"),
]

# Exit codes (README): 0 ok, 3 capture cut short (everything before the cut was processed).
EXIT_TRUNCATED = 3


class EndToEnd(fleet.FleetTestCase):
    def setUp(self):
        self.fleet = fleet.Fleet(self)
        self.collector = self.fleet.collector()
        self.addr = self.collector.start()

    def replay_and_compare(self, pcap, window, agent, expect_rc=0):
        offline = self.fleet.summarise(pcap, window, expect_rc=(expect_rc,))
        self.assertTrue(offline, f"{pcap}: offline summarise produced no windows")
        self.fleet.issue("agent", agent)
        rc, log = self.fleet.run_agent(pcap, self.addr, agent, window=window)
        self.assertEqual(rc, expect_rc, f"agent exit code for {os.path.basename(pcap)}:\n{log}")
        self.assertIn("everything acknowledged", log)
        return offline

    def test_real_captures_match_offline_summaries(self):
        # One collector, one agent (and spool) per capture; every export window carries its agent.
        expected = {}
        for i, (name, window) in enumerate(CAPTURES):
            with self.subTest(capture=name):
                pcap = fleet.real_pcap(name)
                agent = f"pi-{i:02d}"
                expected[agent] = self.replay_and_compare(pcap, window, agent)
        exported = self.fleet.export_windows(self.addr)
        for agent, offline in expected.items():
            mine = [w for w in exported if w["agent"] == agent]
            with self.subTest(agent=agent, capture=CAPTURES[int(agent[3:])][0]):
                self.assertSameWindows(mine, offline, CAPTURES[int(agent[3:])][0])
        self.assertEqual(len(exported), sum(len(v) for v in expected.values()),
                         "windows stored under no (or an unknown) agent")
        # The collector's own counters agree.
        agents = self.fleet.agents(self.addr)
        for agent, offline in expected.items():
            self.assertEqual(agents[agent]["summaries"], len(offline), agent)

    def test_progress_reports_the_whole_import(self):
        # --progress on a pipe: one line per update, the last import line is the whole file with
        # tshark's count of its packets.
        if not shutil.which("tshark"):
            self.skipTest("tshark not installed")
        pcap = fleet.real_pcap(CAPTURES[0][0])
        packets = len(subprocess.run(["tshark", "-r", pcap, "-T", "fields", "-e", "frame.number"],
                                     capture_output=True, text=True, timeout=120,
                                     check=True).stdout.split())
        self.fleet.issue("agent", "pi-progress")
        rc, log = self.fleet.run_agent(pcap, self.addr, "pi-progress", extra=["--progress"])
        self.assertEqual(rc, 0, log)
        imports = [l for l in log.splitlines() if l.startswith("importing ")]
        self.assertTrue(imports, log)
        size_mib = os.path.getsize(pcap) / (1 << 20)
        self.assertEqual(imports[-1].split(", ")[0:2],
                         [f"importing {os.path.basename(pcap)}: 100% "
                          f"({size_mib:.1f} of {size_mib:.1f} MiB)", f"{packets} packets"], log)
        self.assertNotIn("\x1b", log)  # not a terminal: no escape sequences

    def test_json_logs(self):
        # --log-format json: every line either process writes to stderr is one JSON object with
        # time, level, program and message (what a log shipper needs).
        f = self.fleet
        collector = f.collector(extra_args=["--log-format", "json"])
        addr = collector.start()
        f.issue("agent", "pi-json")
        pcap = fleet.real_pcap(CAPTURES[0][0])
        rc, log = f.run_agent(pcap, addr, "pi-json", extra=["--log-format", "json"])
        self.assertEqual(rc, 0, log)
        collector.stop()
        with open(collector.log_path) as c:
            collector_lines = c.read().splitlines()
        for program, lines in (("airfleet-agent", log.splitlines()),
                               ("airfleet-collector", collector_lines)):
            self.assertTrue(lines, program)
            records = []
            for line in lines:
                try:
                    records.append(json.loads(line))
                except ValueError:
                    self.fail(f"{program} wrote a line that is not JSON: {line!r}")
            for r in records:
                self.assertEqual(list(r)[:4], ["ts", "level", "program", "msg"], r)
                self.assertEqual(r["program"], program)
                self.assertIn(r["level"], ("info", "warning", "error"))
            messages = " | ".join(r["msg"] for r in records)
            if program == "airfleet-agent":
                self.assertIn("everything acknowledged", messages)
            else:
                self.assertIn(f"listening on {addr}", messages)
                self.assertIn("shutting down", messages)

    def test_backfill_hands_earlier_data_to_a_sink_configured_later(self):
        # A collector ran without sinks; then an Elasticsearch sink is configured (here at a port
        # nobody listens on: this test is about what reaches the outbox; delivery from the
        # outbox to real engines is e2e_sinks). `sinks backfill` queues every stored window and
        # probe once, and the sink then has exactly that many entries pending.
        f = self.fleet
        pcap = fleet.real_pcap(CAPTURES[0][0])
        f.issue("agent", "pi-early")
        rc, log = f.run_agent(pcap, self.addr, "pi-early")
        self.assertEqual(rc, 0, log)
        windows = len(f.export_windows(self.addr))
        probes = subprocess.run([fleet.Binaries.agent, "summarise", "--pcap", pcap, "--window",
                                 "60s", "--probes", "--format", "ndjson"],
                                capture_output=True, text=True, timeout=120, check=True)
        probe_count = sum(1 for line in probes.stdout.splitlines()
                          if line and json.loads(line).get("kind") == "probe")
        self.assertGreater(probe_count, 0, "the capture has probe requests")
        self.collector.stop()
        config = os.path.join(f.dir, "sinks.yaml")
        with open(config, "w") as fh:
            fh.write("sinks:\n  elasticsearch:\n    enabled: true\n"
                     f"    hosts: [\"http://127.0.0.1:{fleet.free_port()}\"]\n")
        later = fleet.Collector(f, name=self.collector.data_dir.rsplit("/", 1)[-1],
                                extra_args=["--config", config])
        f.collectors.append(later)
        addr = later.start()
        before = json.loads(f.ctl_raw("sinks", "-o", "json", check=True, collector=addr).stdout)
        self.assertEqual([s["pending"] for s in before], [0], before)
        done = f.ctl_raw("sinks", "backfill", check=True, collector=addr).stdout
        m = re.fullmatch(r"(\d+) windows and (\d+) probes queued for the sinks in (\d+) outbox "
                         r"entries\n", done)
        self.assertTrue(m, done)
        self.assertEqual(int(m.group(1)), windows)
        self.assertEqual(int(m.group(2)), probe_count)
        after = json.loads(f.ctl_raw("sinks", "-o", "json", check=True, collector=addr).stdout)
        self.assertEqual([s["pending"] for s in after], [int(m.group(3))], after)
        self.assertGreater(int(m.group(3)), 0)
        later.stop()

    def test_capture_cut_short(self):
        # A capture that ends mid-record: the agent spools everything before the cut, waits until
        # the collector acknowledged all of it, and then exits 3 (not 0: the input was damaged).
        src = fleet.real_pcap("proberequest_data_analyse__probes-2013-03-19.pcap")
        cut = os.path.join(self.fleet.dir, "cut-short.pcap")
        with open(src, "rb") as f, open(cut, "wb") as out:
            out.write(f.read(40000))  # ends inside a record
        offline = self.replay_and_compare(cut, "60s", "pi-cut", expect_rc=EXIT_TRUNCATED)
        self.assertSameWindows(self.fleet.export_windows(self.addr), offline, "cut-short capture")
        # A restart with the same spool does not import the file again and exits 0 (its
        # position says the file was finished; nothing is left to drain).
        rc, log = self.fleet.run_agent(cut, self.addr, "pi-cut")
        self.assertEqual(rc, 0, log)
        self.assertIn("already imported", log)
        self.assertSameWindows(self.fleet.export_windows(self.addr), offline,
                               "cut-short capture, after a second run")

    def test_two_agents_same_capture(self):
        # Windows are keyed by device, window and agent: two agents that saw the same air each
        # have their windows stored once, side by side.
        pcap = fleet.real_pcap(
            "Wireless-Internet-Project_MAC-Randomization__05_HuaweiTablet_01_filtered.pcapng")
        offline = None
        for agent in ("pi-north", "pi-south"):
            offline = self.replay_and_compare(pcap, "60s", agent)
        exported = self.fleet.export_windows(self.addr)
        self.assertEqual(len(exported), 2 * len(offline))
        for agent in ("pi-north", "pi-south"):
            with self.subTest(agent=agent):
                self.assertSameWindows([w for w in exported if w["agent"] == agent], offline, agent)
        # Running an agent again with its spool (the file is marked finished there) sends
        # nothing new: the store is unchanged.
        rc, log = self.fleet.run_agent(pcap, self.addr, "pi-north")
        self.assertEqual(rc, 0, log)
        self.assertIn("already imported", log)
        again = self.fleet.export_windows(self.addr)
        self.assertEqual(fleet.multiset(again, keep_agent=True),
                         fleet.multiset(exported, keep_agent=True),
                         "a second run of the same agent on the same file changed the store")


if __name__ == "__main__":
    fleet.main()
