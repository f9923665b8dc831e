"""Capture rings end to end: `airfleetctl capture ...` through a real collector to a real agent.

  * A ring started remotely persists on the agent: the agent is restarted on a real capture and
    the ring records every packet from the first one, rotating by size.
  * `capture list --files` shows the files; `capture rotate` closes the open one; `capture fetch`
    brings each file back through the collector in chunks, checked by SHA-256; the fetched
    files are byte-identical to the agent's and hold tshark's packet count for the capture.
  * A second ring with a BPF filter holds exactly the packets tshark's equivalent display filter
    selects.
  * Errors an operator meets: fetching the open file, an unknown ring, a bad filter, an agent that
    is not connected.
"""

import hashlib
import os
import subprocess

import fleet

CAPTURE = "wireshark__wpa-Induction.pcap"


def tshark_count(path, display_filter=None):
    cmd = ["tshark", "-r", path, "-T", "fields", "-e", "frame.number"]
    if display_filter:
        cmd += ["-Y", display_filter]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True)
    return len(p.stdout.split())


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class CaptureRings(fleet.FleetTestCase):
    def setUp(self):
        if not os.access(fleet.Binaries.framegen or "", os.X_OK):
            self.skipTest("airfleet-framegen not built")
        self.fleet = fleet.Fleet(self, prefix="airfleet-rings-")

    def ctl(self, addr, *args, expect_rc=0):
        p = self.fleet.ctl_raw(*args, collector=addr)
        self.assertEqual(p.returncode, expect_rc, f"airfleetctl {args}: {p.stderr}")
        return p

    def files(self, addr, agent):
        p = self.ctl(addr, "capture", "list", agent, "--files", "--output", "json")
        return fleet.json.loads(p.stdout)

    def test_rings_record_rotate_and_fetch_verified(self):
        f = self.fleet
        pcap = fleet.real_pcap(CAPTURE)
        warmup = os.path.join(f.dir, "warmup.pcap")
        subprocess.run([fleet.Binaries.framegen, "scenario", "--devices", "2", "--frames", "20",
                        "--seconds", "30", "--seed", "3", "--start", "1700000000",
                        "--window-ms", "60000", "--out", warmup],
                       check=True, capture_output=True, timeout=60)
        f.issue("agent", "pi-ring")
        collector = f.collector()
        addr = collector.start()
        rings_dir = os.path.join(f.dir, "spool-pi-ring-rings")

        # Not connected yet: a clear refusal, exit 2.
        p = self.ctl(addr, "capture", "list", "pi-ring", expect_rc=2)
        self.assertIn("agent pi-ring is not connected", p.stderr)

        agent = f.start_agent(warmup, addr, "pi-ring", exit_when_drained=False)
        fleet.wait_until(lambda: f.agents(addr).get("pi-ring", {}).get("connected"), 30,
                         "the agent connected")
        p = self.ctl(addr, "capture", "start", "pi-ring", "all", "--rotate-size", "65536",
                     "--keep", "50")
        self.assertIn("ring all on pi-ring", p.stderr)
        self.ctl(addr, "capture", "start", "pi-ring", "beacons", "--bpf",
                 "wlan type mgt subtype beacon", "--rotate-size", "1000000")
        p = self.ctl(addr, "capture", "start", "pi-ring", "bad", "--bpf", "wlan type nonsense",
                     "--rotate-size", "65536", expect_rc=1)
        self.assertIn("does not compile", p.stderr)
        agent.terminate()
        self.assertEqual(agent.wait(timeout=30), 0)

        # The rings resume at the next start: every packet of the real capture is recorded.
        agent = f.start_agent(pcap, addr, "pi-ring", exit_when_drained=False)
        fleet.wait_until(lambda: f.agents(addr).get("pi-ring", {}).get("summaries", 0) > 0, 60,
                         "the capture imported")
        want = tshark_count(pcap)

        def recorded():
            rows = [r for r in self.files(addr, "pi-ring") if r["ring"] == "all"]
            return rows if sum(r["packets"] for r in rows) >= want else None
        fleet.wait_until(recorded, 60, "every packet in ring 'all'")

        # The open file cannot be fetched until the ring is rotated.
        open_files = [r["file"] for r in self.files(addr, "pi-ring")
                      if r["ring"] == "all" and r["open"]]
        self.assertEqual(len(open_files), 1)
        p = self.ctl(addr, "capture", "fetch", "pi-ring", "all", open_files[0], expect_rc=1)
        self.assertIn("rotate", p.stderr)
        self.ctl(addr, "capture", "rotate", "pi-ring", "all")
        self.ctl(addr, "capture", "rotate", "pi-ring", "beacons")
        p = self.ctl(addr, "capture", "fetch", "pi-ring", "nosuchring", "x.pcap", expect_rc=4)

        rows = [r for r in self.files(addr, "pi-ring") if r["ring"] == "all"]
        self.assertGreaterEqual(len(rows), 3, "rotated by size into several files")
        self.assertTrue(all(not r["open"] for r in rows))
        fetched_packets = 0
        out_dir = os.path.join(f.dir, "fetched")
        os.makedirs(out_dir)
        for r in rows:
            out = os.path.join(out_dir, r["file"])
            p = self.ctl(addr, "capture", "fetch", "pi-ring", "all", r["file"], "--out", out,
                         "--progress")
            self.assertIn("fetched " + r["file"], p.stderr)
            on_agent = os.path.join(rings_dir, "all", "files", r["file"])
            self.assertEqual(sha256(out), sha256(on_agent), r["file"])
            self.assertEqual(os.path.getsize(out), r["bytes"])
            n = tshark_count(out)
            self.assertEqual(n, r["packets"], r["file"])
            fetched_packets += n
        self.assertEqual(fetched_packets, want)

        # The filtered ring: newest closed file by default, beacons only.
        out = os.path.join(out_dir, "beacons.pcap")
        self.ctl(addr, "capture", "fetch", "pi-ring", "beacons", "--out", out)
        self.assertEqual(tshark_count(out), tshark_count(pcap, "wlan.fc.type_subtype == 0x0008"))

        listing = fleet.json.loads(self.ctl(addr, "capture", "list", "pi-ring", "--output",
                                            "json").stdout)
        by_ring = {r["ring"]: r for r in listing}
        self.assertEqual(set(by_ring), {"all", "beacons"})
        self.assertEqual(by_ring["beacons"]["filtered"] + tshark_count(
            pcap, "wlan.fc.type_subtype == 0x0008"), want)
        self.ctl(addr, "capture", "stop", "pi-ring", "all")
        agent.terminate()
        agent.wait(timeout=30)
        collector.stop()


if __name__ == "__main__":
    fleet.main()
