"""Randomised-MAC clusters end to end: real agent, collector and airfleetctl processes.

1. Ground truth: airfleet-framegen `rotation` writes a capture of phones rotating randomised MACs
   (two of the same model at different distances, one with a long silence, one with too few MACs,
   one walking away with continuing sequence numbers, laptops on vendor MACs) and the clusters the
   generator's own decisions imply. The agent replays it to a collector over mTLS; `airfleetctl
   clusters -o json` must return exactly those clusters.
2. Real data: every ProbingPatternsDataset capture (one file per physical phone) replayed into ONE
   collector by its own agent; no cluster may hold MACs of two files. The capture dates differ,
   so this checks the store scan and sessions across a real fleet; the harder "same room" check
   (files shifted onto one start time) is collector_clusters_real_data_test.
"""

import glob
import json
import os
import subprocess

import fleet


def mac_set(cluster):
    return tuple(cluster["macs"])


class Clusters(fleet.FleetTestCase):
    def setUp(self):
        self.fleet = fleet.Fleet(self)
        self.collector = self.fleet.collector()
        self.addr = self.collector.start()

    def ctl_json(self, *args, cert="ops"):
        p = self.fleet.ctl_raw("clusters", "--output", "json", *args, collector=self.addr,
                               cert=cert)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def replay(self, pcap, agent):
        self.fleet.issue("agent", agent)
        rc, log = self.fleet.run_agent(pcap, self.addr, agent)
        self.assertEqual(rc, 0, log)
        self.assertIn("everything acknowledged", log)

    def test_generated_rotation_matches_truth(self):
        if not os.access(fleet.Binaries.framegen or "", os.X_OK):
            self.skipTest("airfleet-framegen not built")
        pcap = os.path.join(self.fleet.dir, "rotation.pcap")
        truth_path = os.path.join(self.fleet.dir, "rotation.json")
        subprocess.run([fleet.Binaries.framegen, "rotation", "--out", pcap, "--truth",
                        truth_path], check=True, capture_output=True)
        with open(truth_path) as f:
            truth = json.load(f)
        self.replay(pcap, "pi-rotation")

        got = self.ctl_json()
        self.assertEqual(len(got), len(truth["clusters"]),
                         json.dumps([c["macs"] for c in got], indent=1))
        for want, have in zip(truth["clusters"], got):
            label = f'{want["phone"]} session {want["session"]}'
            self.assertEqual(have["macs"], want["macs"], label)
            self.assertEqual(have["mac_count"], len(want["macs"]), label)
            for key in ("probes", "wildcard_probes", "first_seen", "last_seen", "probed_ssids",
                        "signal_min", "signal_max"):
                self.assertEqual(have[key], want[key], f"{label}: {key}")
            self.assertEqual(sum(b["probes"] for b in have["histogram"]), want["probes"], label)
            self.assertEqual(have["seq_links"],
                             len(want["macs"]) - 1 if want["phone"] == "walker" else 0, label)
            self.assertRegex(have["id"], r"^[0-9a-f]{16}$")
        everything = {m for c in got for m in c["macs"]}
        for mac in truth["global_macs"]:
            self.assertNotIn(mac, everything)

        # Repeated queries give the same ids.
        self.assertEqual([c["id"] for c in self.ctl_json()], [c["id"] for c in got])

        # --mac: only the cluster holding it.
        walker = next(c for c in truth["clusters"] if c["phone"] == "walker")
        only = self.ctl_json("--mac", walker["macs"][1])
        self.assertEqual([c["macs"] for c in only], [walker["macs"]])

        # --min-macs 2 adds the two-MAC phone.
        pair = truth["below_min"][0]
        with_pairs = self.ctl_json("--min-macs", "2")
        self.assertIn(pair["macs"], [c["macs"] for c in with_pairs])
        self.assertEqual(len(with_pairs), len(truth["clusters"]) + len(truth["below_min"]))

        # --gap longer than the napper's silence joins its two sessions.
        napper = [c["macs"] for c in truth["clusters"] if c["phone"] == "napper"]
        self.assertEqual(len(napper), 2)
        joined = self.ctl_json("--gap", "15m")
        self.assertIn(napper[0] + napper[1], [c["macs"] for c in joined])

        # A tolerance too small for the +-2 dB jitter splits phones into more, smaller groups.
        strict = self.ctl_json("--signal-tolerance", "0.5", "--min-macs", "1")
        self.assertGreater(len(strict), len(truth["clusters"]) + len(truth["below_min"]))

        # --since/--until: a range after everything is empty.
        self.assertEqual(self.ctl_json("--since", "@2000000000"), [])

        # csv: header plus one row per cluster.
        p = self.fleet.ctl_raw("clusters", "--output", "csv", collector=self.addr)
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.strip().splitlines()
        self.assertTrue(lines[0].startswith("id,fingerprint,mac_count,macs,"), lines[0])
        self.assertEqual(len(lines), 1 + len(truth["clusters"]))

        # Bad arguments: a clear message, no call.
        p = self.fleet.ctl_raw("clusters", "--gap", "soon", collector=self.addr)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("--gap", p.stderr)

        # Operators only.
        self.fleet.issue("agent", "nosy")
        p = self.fleet.ctl_raw("clusters", collector=self.addr, cert="nosy")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("operator", p.stderr)

    def test_real_phones_never_merge_across_files(self):
        files = sorted(glob.glob(os.path.join(fleet.pcaps_dir(), "ProbingPatternsDataset__*")))
        if not files:
            self.skipTest("real captures not found; set AIRFLEET_REAL_PCAPS")
        file_of_mac = {}
        for i, pcap in enumerate(files):
            self.replay(pcap, f"phone-{i}")
            for w in self.fleet.summarise(pcap):
                if w.get("randomised") and w.get("probe_fingerprint"):
                    file_of_mac.setdefault(w["mac"], set()).add(os.path.basename(pcap))
        self.assertTrue(all(len(v) == 1 for v in file_of_mac.values()))
        got = self.ctl_json()
        self.assertTrue(got, "no clusters at all from the real phones")
        per_file = {}
        for c in got:
            origin = {next(iter(file_of_mac[m])) for m in c["macs"]}
            self.assertEqual(len(origin), 1, f"cluster {c['id']} mixes {sorted(origin)}")
            f = origin.pop()
            per_file[f] = per_file.get(f, 0) + 1
        for f in sorted(per_file):
            macs = sum(1 for v in file_of_mac.values() if f in v)
            print(f"{f}: {macs} randomised MACs, {per_file[f]} clusters")


if __name__ == "__main__":
    fleet.main()
