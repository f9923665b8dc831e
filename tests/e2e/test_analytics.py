"""Analytics answers of the Admin API (issue 4) against generated ground truth, end to end.

airfleet-framegen writes a capture and its truth (computed by the generator from its own
decisions, never by parsing frames back). Real agents replay it into real collectors over mTLS;
airfleetctl asks the questions; every answer is compared exactly with the truth:

  collector "same":  agents pi-a and pi-b both replay the WHOLE capture (two sensors hearing the
                     same frames);
  collector "split": pi-a replays the frames before the middle of a window, pi-b the rest (two
                     sensors hearing different frames of the same devices in the same windows).

Checked: probes (per-device statistics), stats subtypes, stats frames (fleet-wide totals without
double counting), timeline (1m and 5m), graph (GraphML parsed with python's xml, DOT with
graphviz's dot when installed, Cypher statements tokenised). A real ProbingPatternsDataset capture
is a smoke check of `probes` against tshark's count of probe requests per source MAC.
"""

import collections
import json
import os
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET

import fleet

START_S = 1_700_000_040  # a minute boundary: windows of the truth and of the agents coincide
WINDOW_NS = 60 * 10**9
SPLIT_S = START_S + 150  # the middle of a window
MIN = 60 * 10**9


def split_pcap(path, at_s, first, second):
    """Classic pcap (microsecond) split by timestamp: records before at_s, and the rest."""
    with open(path, "rb") as f:
        data = f.read()
    header, pos = data[:24], 24
    with open(first, "wb") as a, open(second, "wb") as b:
        a.write(header)
        b.write(header)
        while pos < len(data):
            ts_sec, ts_usec, incl, _ = struct.unpack_from("<IIII", data, pos)
            record = data[pos:pos + 16 + incl]
            (a if ts_sec < at_s else b).write(record)
            pos += 16 + incl


class _ClassScope:
    """Collects Fleet's cleanup for a class-level fixture (one generation and replay per class)."""

    def __init__(self):
        self.cleanups = []

    def addCleanup(self, fn):  # noqa: N802 (the unittest name Fleet calls)
        self.cleanups.append(fn)


class Analytics(fleet.FleetTestCase):
    @classmethod
    def setUpClass(cls):
        cls.scope = _ClassScope()
        cls.fleet = fleet.Fleet(cls.scope)
        cls.pcap = os.path.join(cls.fleet.dir, "scene.pcap")
        truth_path = os.path.join(cls.fleet.dir, "truth.json")
        subprocess.run([fleet.Binaries.framegen, "scenario", "--devices", "30", "--frames", "4000",
                        "--seconds", "300", "--seed", "11", "--start", str(START_S),
                        "--bad-fcs", "0", "--format", "pcap", "--out", cls.pcap,
                        "--truth", truth_path], check=True, capture_output=True, timeout=120)
        with open(truth_path) as f:
            cls.truth = json.load(f)
        first = os.path.join(cls.fleet.dir, "first.pcap")
        second = os.path.join(cls.fleet.dir, "second.pcap")
        split_pcap(cls.pcap, SPLIT_S, first, second)
        for agent in ("pi-a", "pi-b"):
            cls.fleet.issue("agent", agent)
        cls.same = cls.fleet.collector()
        cls.same_addr = cls.same.start()
        cls.split = cls.fleet.collector()
        cls.split_addr = cls.split.start()
        for addr, pcaps in ((cls.same_addr, (cls.pcap, cls.pcap)),
                            (cls.split_addr, (first, second))):
            for agent, pcap in zip(("pi-a", "pi-b"), pcaps):
                rc, log = cls.fleet.run_agent(pcap, addr, agent, window="60s",
                                              spool=os.path.join(cls.fleet.dir,
                                                                 f"spool-{agent}-{addr[-5:]}"))
                assert rc == 0, log
                assert "everything acknowledged" in log, log

    @classmethod
    def tearDownClass(cls):
        for fn in reversed(cls.scope.cleanups):
            fn()

    def ctl_json(self, addr, *args):
        p = self.fleet.ctl_raw(*args, "--output", "json", check=True, collector=addr)
        return json.loads(p.stdout) if p.stdout.strip() else []

    def transmitters(self):
        return [d for d in self.truth["devices"] if d["frames"] > 0]

    # ---- probes ----
    def expected_probes(self):
        by_mac = {}
        for d in self.truth["devices"]:
            if d["probe_requests"] == 0:
                continue
            e = by_mac.setdefault(d["mac"], {"probes": 0, "wildcard": 0, "ssids": set(),
                                             "probe_only": True, "first": None, "last": None,
                                             "min": None, "max": None})
            e["probes"] += d["probe_requests"]
            e["wildcard"] += d["wildcard_probes"]
            e["ssids"] |= {s for s in d["probes_by_ssid"] if s}
            e["probe_only"] &= set(d["subtype_counts"]) == {"4"}
            e["first"] = d["first_ns"] if e["first"] is None else min(e["first"], d["first_ns"])
            e["last"] = d["last_ns"] if e["last"] is None else max(e["last"], d["last_ns"])
            if "signal_min_dbm" in d:
                e["min"] = d["signal_min_dbm"] if e["min"] is None else min(e["min"], d["signal_min_dbm"])
                e["max"] = d["signal_max_dbm"] if e["max"] is None else max(e["max"], d["signal_max_dbm"])
        return by_mac

    def test_probes_per_device(self):
        expected = self.expected_probes()
        self.assertGreater(len(expected), 3, "scenario has too few probing devices")
        rows = {r["mac"]: r for r in self.ctl_json(self.same_addr, "probes", "--agent", "pi-a")}
        self.assertEqual(set(rows), set(expected))
        probe_only = 0
        for mac, e in expected.items():
            r = rows[mac]
            with self.subTest(mac=mac):
                self.assertEqual(r["probes"], e["probes"])
                self.assertEqual(r["wildcard"], e["wildcard"])
                self.assertEqual(set(r["ssids"]), e["ssids"])
                self.assertEqual(r["ssid_count"], len(e["ssids"]))
                self.assertGreaterEqual(r["destination_count"], 1)
                if e["probe_only"]:
                    # The device sent nothing but probes: its frame truth is its probe truth.
                    probe_only += 1
                    self.assertEqual(r["first_probe"], e["first"] // 1000 * 1000)
                    self.assertEqual(r["last_probe"], e["last"] // 1000 * 1000)
                    self.assertEqual(r["signal_min"], e["min"])
                    self.assertEqual(r["signal_max"], e["max"])
        self.assertGreater(probe_only, 0, "no probe-only device to check times and signals on")
        # Both agents heard every probe; probe observations carry no frame identity, so the
        # fleet-wide view counts them once per agent (documented in analytics.proto).
        both = {r["mac"]: r for r in self.ctl_json(self.same_addr, "probes")}
        for mac, e in expected.items():
            self.assertEqual(both[mac]["probes"], 2 * e["probes"], mac)
        one = self.ctl_json(self.same_addr, "probes", "--mac", next(iter(expected)))
        self.assertEqual([r["mac"] for r in one], [next(iter(expected))])

    # ---- subtypes ----
    def test_subtypes_per_day_and_agent(self):
        expected = collections.Counter()
        for d in self.truth["devices"]:
            for key, n in d["subtype_counts"].items():
                expected[int(key)] += n
        rows = self.ctl_json(self.same_addr, "stats", "subtypes")
        for agent in ("pi-a", "pi-b"):
            got = collections.Counter()
            for r in rows:
                if r["agent"] == agent:
                    self.assertEqual(r["day"], "2023-11-14")
                    got[r["subtype_key"]] += r["frames"]
            self.assertEqual(got, expected, agent)
        names = {r["subtype_key"]: r["subtype"] for r in rows}
        self.assertEqual(names.get(4), "mgmt/probe-req")
        self.assertEqual(names.get(8), "mgmt/beacon")
        only_a = self.ctl_json(self.same_addr, "stats", "subtypes", "--agent", "pi-a")
        self.assertEqual({r["agent"] for r in only_a}, {"pi-a"})

    # ---- fleet-wide frames ----
    def test_fleet_frames_count_each_frame_once(self):
        truth = collections.Counter()
        for d in self.transmitters():
            truth[d["mac"]] += d["frames"]
        for addr, naive_factor in ((self.same_addr, 2), (self.split_addr, 1)):
            rows = {r["mac"]: r for r in self.ctl_json(addr, "stats", "frames")}
            with self.subTest(collector="same" if naive_factor == 2 else "split"):
                self.assertEqual({m: r["fleet_frames"] for m, r in rows.items()}, dict(truth))
                self.assertEqual({m: r["frames_sum"] for m, r in rows.items()},
                                 {m: naive_factor * n for m, n in truth.items()})
        # The split really gave both agents frames of the same device in the same window.
        shared = collections.Counter()
        for r in self.ctl_json(self.split_addr, "stats", "frames"):
            shared[len(r["agents"])] += 1
        self.assertGreater(shared[2], 0)

    # ---- timeline ----
    def expected_timeline(self, interval_ns):
        buckets = collections.defaultdict(set)
        for d in self.transmitters():
            buckets[d["window_start_ns"] // interval_ns * interval_ns].add(d["mac"])
        return {t: len(m) for t, m in buckets.items()}

    def test_timeline_unique_devices(self):
        for interval, ns in (("1m", MIN), ("5m", 5 * MIN)):
            expected = self.expected_timeline(ns)
            for addr in (self.same_addr, self.split_addr):
                rows = self.ctl_json(addr, "timeline", "--interval", interval)
                fleet_rows = {r["interval_start"]: r["devices"] for r in rows
                              if r["agent"] == "fleet"}
                self.assertEqual(fleet_rows, expected, (interval, addr))
            same = self.ctl_json(self.same_addr, "timeline", "--interval", interval)
            for agent in ("pi-a", "pi-b"):
                got = {r["interval_start"]: r["devices"] for r in same if r["agent"] == agent}
                self.assertEqual(got, expected, (interval, agent))
        table = self.fleet.ctl_raw("timeline", "--interval", "1m", check=True,
                                   collector=self.same_addr).stdout
        self.assertIn("█", table)
        self.assertIn("fleet", table)
        csv_out = self.fleet.ctl_raw("timeline", "--interval", "1m", "-o", "csv", check=True,
                                     collector=self.same_addr).stdout
        self.assertTrue(csv_out.startswith("interval_start,agent,devices\n"))
        bad = self.fleet.ctl_raw("timeline", "--interval", "5x", collector=self.same_addr)
        self.assertEqual(bad.returncode, 1, bad.stderr)
        self.assertIn("no known unit", bad.stderr)

    # ---- graph ----
    def expected_probe_edges(self):
        edges = collections.Counter()
        for d in self.truth["devices"]:
            for ssid, n in d["probes_by_ssid"].items():
                if ssid:
                    edges[(d["mac"], ssid)] += n
        return edges

    def test_graph_exports_parse_and_match_the_truth(self):
        expected = self.expected_probe_edges()
        self.assertTrue(expected)
        graphml = self.fleet.ctl_raw("graph", "--format", "graphml", check=True,
                                     collector=self.split_addr).stdout
        ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
        root = ET.fromstring(graphml)
        nodes = {}
        for n in root.iterfind(".//g:node", ns):
            nodes[n.get("id")] = {d.get("key"): d.text for d in n.iterfind("g:data", ns)}
        got = collections.Counter()
        for e in root.iterfind(".//g:edge", ns):
            data = {d.get("key"): d.text for d in e.iterfind("g:data", ns)}
            if data["relation"] == "probes_for":
                mac = nodes[e.get("source")]["mac"]
                ssid = bytes.fromhex(nodes[e.get("target")]["ssid_hex"]).decode()
                got[(mac, ssid)] += int(data["count"])
        self.assertEqual(got, expected)
        devices = {v["mac"] for v in nodes.values() if v["kind"] == "device"}
        self.assertEqual(devices, {d["mac"] for d in self.transmitters()})
        aps = {d["mac"]: d["ap_ssid"] for d in self.truth["devices"] if d["ap_ssid"]}
        announced = sum(1 for e in root.iterfind(".//g:edge", ns)
                        if e.find("g:data[@key='relation']", ns).text == "announces")
        self.assertEqual(announced, len(aps))
        # A client's association edge: its latest BSSID, when that BSSID is an AP we heard.
        latest = {}
        for d in sorted(self.truth["devices"], key=lambda d: d["window_start_ns"]):
            if d["client_bssid"]:
                latest[d["mac"]] = d["client_bssid"]
        expected_assoc = {(m, aps[b]) for m, b in latest.items() if b in aps and b != m}
        got_assoc = set()
        for e in root.iterfind(".//g:edge", ns):
            if e.find("g:data[@key='relation']", ns).text == "associated_with":
                ssid = bytes.fromhex(nodes[e.get("target")]["ssid_hex"]).decode()
                got_assoc.add((nodes[e.get("source")]["mac"], ssid))
        self.assertEqual(got_assoc, expected_assoc)
        self.assertTrue(expected_assoc, "scenario has no associated clients")

        dot = self.fleet.ctl_raw("graph", "--format", "dot", check=True,
                                 collector=self.split_addr).stdout
        self.assertEqual(dot.count("relation=\"probes_for\""), len(expected))
        if shutil.which("dot"):
            p = subprocess.run(["dot", "-Tcanon"], input=dot, capture_output=True, text=True,
                               timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
        else:
            self.skipTest("graphviz 'dot' not installed (tools/scripts/install-deps.sh adds it)")

    def test_cypher_statements_are_well_formed(self):
        cypher = self.fleet.ctl_raw("graph", "--format", "cypher", check=True,
                                    collector=self.split_addr).stdout
        statement = re.compile(r"^(MERGE|MATCH) .*;$")
        probes_for = 0
        for line in cypher.splitlines():
            self.assertRegex(line, statement)
            # Outside string literals, no quote may remain unbalanced.
            stripped = re.sub(r"'(?:[^'\\]|\\.)*'", "''", line)
            self.assertNotIn("\\", stripped, line)
            self.assertEqual(stripped.count("'") % 2, 0, line)
            probes_for += "PROBES_FOR" in line
        self.assertEqual(probes_for, len(self.expected_probe_edges()))

    # ---- device filters and the cross-sensor view ----
    def device_truth(self):
        """Per MAC: first/last transmitted frame, strongest signal, and whether it ever appears
        only as a receiver (such windows have no frame times of their own, so those MACs are
        left out of the time comparisons)."""
        out = {}
        for d in self.truth["devices"]:
            e = out.setdefault(d["mac"], {"first": None, "last": None, "max": None,
                                          "receiver_only": False})
            if d["frames"] == 0:
                e["receiver_only"] = True
                continue
            e["first"] = d["first_ns"] if e["first"] is None else min(e["first"], d["first_ns"])
            e["last"] = d["last_ns"] if e["last"] is None else max(e["last"], d["last_ns"])
            if "signal_max_dbm" in d:
                e["max"] = d["signal_max_dbm"] if e["max"] is None else max(e["max"], d["signal_max_dbm"])
        return out

    def devices(self, addr, *flags):
        return {r["mac"]: r for r in self.ctl_json(addr, "devices", "--limit", "100000", *flags)}

    def test_device_filters(self):
        truth = self.device_truth()
        clean = {m for m, e in truth.items() if not e["receiver_only"]}
        self.assertGreater(len(clean), 10)
        t1, t2 = (START_S + 60) * 10**9, (START_S + 180) * 10**9
        got = set(self.devices(self.same_addr, "--first-seen-since", f"@{START_S + 60}",
                               "--first-seen-until", f"@{START_S + 180}"))
        expected = {m for m in clean if t1 <= truth[m]["first"] // 1000 * 1000 < t2}
        self.assertTrue(expected)
        self.assertEqual(got & clean, expected)
        quiet = START_S + 200
        got = set(self.devices(self.same_addr, "--quiet-since", f"@{quiet}"))
        expected = {m for m in clean if truth[m]["last"] // 1000 * 1000 < quiet * 10**9}
        self.assertTrue(expected)
        self.assertEqual(got & clean, expected)
        maxima = sorted(e["max"] for e in truth.values() if e["max"] is not None)
        floor = maxima[len(maxima) // 2]
        got = set(self.devices(self.same_addr, f"--min-signal={floor}"))
        self.assertEqual(got, {m for m, e in truth.items() if e["max"] is not None and e["max"] >= floor})
        only_b = set(self.devices(self.split_addr, "--agent", "pi-b"))
        self.assertEqual(only_b & clean, {m for m in clean if truth[m]["last"] >= SPLIT_S * 10**9})

    def test_strongest_agent(self):
        truth = self.device_truth()
        rows = self.devices(self.split_addr)
        split_ns = SPLIT_S * 10**9
        checked = 0
        for mac, e in truth.items():
            if e["max"] is None or e["receiver_only"]:
                continue
            if e["last"] < split_ns:
                self.assertEqual(rows[mac]["strongest_agent"], "pi-a", mac)
                checked += 1
            elif e["first"] >= split_ns:
                self.assertEqual(rows[mac]["strongest_agent"], "pi-b", mac)
                checked += 1
        self.assertGreater(checked, 0)

    # ---- errors ----
    def test_bad_arguments_are_explained(self):
        p = self.fleet.ctl_raw("probes", "--mac", "zz", collector=self.same_addr)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("is not a MAC address", p.stderr)
        p = self.fleet.ctl_raw("stats", "subtypes", "--since", "@1700000100", "--until",
                               "@1700000000", collector=self.same_addr)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("--until must be after --since", p.stderr)

    def test_agent_certificate_is_refused(self):
        for cmd in (["probes"], ["stats", "subtypes"], ["stats", "frames"], ["timeline"],
                    ["graph"]):
            p = self.fleet.ctl_raw(*cmd, cert="pi-a", collector=self.same_addr)
            self.assertEqual(p.returncode, 3, (cmd, p.stderr))
            self.assertIn("needs an operator certificate", p.stderr)


class RealCaptureSmoke(fleet.FleetTestCase):
    """probes on a real ProbingPatternsDataset file == tshark's probe requests per source."""

    CAPTURE = "ProbingPatternsDataset__iPhone11-B_anonymized.pcap"

    def test_probe_counts_match_tshark(self):
        if not shutil.which("tshark"):
            self.skipTest("tshark not installed")
        pcap = fleet.real_pcap(self.CAPTURE)
        f = fleet.Fleet(self)
        c = f.collector()
        addr = c.start()
        f.issue("agent", "pi-real")
        rc, log = f.run_agent(pcap, addr, "pi-real", window="60s")
        self.assertEqual(rc, 0, log)
        p = subprocess.run(["tshark", "-r", pcap, "-Y", "wlan.fc.type_subtype == 0x0004",
                            "-T", "fields", "-e", "wlan.ta", "-e", "wlan.sa"],
                           capture_output=True, text=True, timeout=120, check=True)
        expected = collections.Counter()
        for line in p.stdout.splitlines():
            ta, _, sa = line.partition("\t")
            expected[(ta or sa).lower()] += 1
        # The anonymised dataset rewrote about half the source MACs into group addresses (I/G bit
        # set); a group address cannot transmit, so the summariser attributes those probes to
        # nobody (agent/summarise attribution rule). Compare the individual addresses.
        expected = {m: n for m, n in expected.items() if not int(m[:2], 16) & 1}
        self.assertGreater(len(expected), 100)
        rows = json.loads(f.ctl_raw("probes", "-o", "json", check=True, collector=addr).stdout)
        self.assertEqual({r["mac"]: r["probes"] for r in rows}, expected)


if __name__ == "__main__":
    fleet.main()
