"""Remote configuration end to end: `airfleetctl agents config` through a real collector to real
agents over the mTLS stream, and what the agents do with it.

  * A window pushed mid-replay takes effect in the same run: windows of both lengths reach the
    store, and the frame and subtype totals equal the offline summary's (the reconfiguration
    seals open windows early; nothing is lost or counted twice). The agent reports the applied
    version, `airfleetctl agents` shows it.
  * A config the agent cannot run (pseudonymise without a key file) is refused with the agent's
    reason, and the applied version stays.
  * The desired config outlives a collector restart and is pushed again to an agent whose Hello
    says it runs another version; --reset returns the agent to its own settings.
  * A pushed BPF filter is persisted by the agent: a later import runs filtered from its first
    packet, and equals the offline summary of the same capture filtered by tshark (the oracle).
"""

import collections
import os
import subprocess

import fleet


def totals(windows):
    """Frames and per-subtype counts over all windows (window length does not matter)."""
    frames = 0
    subtypes = collections.Counter()
    for w in windows:
        frames += w["frames"]
        subtypes.update(w["subtypes"])
    return frames, subtypes


class RemoteControl(fleet.FleetTestCase):
    def setUp(self):
        if not os.access(fleet.Binaries.framegen or "", os.X_OK):
            self.skipTest("airfleet-framegen not built")
        self.fleet = fleet.Fleet(self, prefix="airfleet-remote-")

    def config_show(self, addr, agent=""):
        args = ["agents", "config", "show", "--output", "json"] + ([agent] if agent else [])
        p = self.fleet.ctl_raw(*args, check=True, collector=addr)
        return {a["agent"]: a for a in fleet.json.loads(p.stdout)}

    def config_set(self, addr, *args, expect_rc=0):
        p = self.fleet.ctl_raw("agents", "config", "set", *args, "--output", "json",
                               collector=addr)
        self.assertEqual(p.returncode, expect_rc, p.stderr)
        return p

    def wait_result(self, addr, agent, what, predicate, timeout=30):
        return fleet.wait_for_view(lambda: self.config_show(addr, agent).get(agent), predicate,
                                   what, timeout)

    def test_window_push_mid_replay_refusal_restart_and_reset(self):
        f = self.fleet
        pcap = os.path.join(f.dir, "scenario.pcap")
        # 20 minutes of traffic replayed at 20x: a minute of wall time to push into.
        subprocess.run([fleet.Binaries.framegen, "scenario", "--devices", "30",
                        "--frames", "20000", "--seconds", "1200", "--seed", "5",
                        "--start", "1700000000", "--window-ms", "60000", "--out", pcap],
                       check=True, capture_output=True, timeout=120)
        f.issue("agent", "pi-rc")
        collector = f.collector()
        addr = collector.start()
        # Unknown agents are refused before anything is stored.
        p = self.config_set(addr, "pi-nobody", "--window", "10s", expect_rc=4)
        self.assertIn("never connected", p.stderr)

        agent = f.start_agent(pcap, addr, "pi-rc", speed=20, window="60s")
        fleet.wait_until(lambda: f.agents(addr).get("pi-rc", {}).get("connected"), 30,
                         "the agent connected")
        p = self.config_set(addr, "pi-rc", "--window", "10s")
        self.assertIn("version 1 sent", p.stderr)
        view = self.wait_result(addr, "pi-rc", "version 1 applied",
                                lambda v: v["applied"] == 1)
        self.assertEqual(view["window_ms"], 10000)
        self.assertTrue(view["result"].startswith("applied"), view)
        self.assertEqual(f.agents(addr)["pi-rc"]["config"], "1")

        # No key file on this agent: refused with its reason; version 1 stays applied.
        self.config_set(addr, "pi-rc", "--privacy", "pseudonymise")
        view = self.wait_result(addr, "pi-rc", "version 2 refused",
                                lambda v: "refused version 2" in (v["result"] or ""))
        self.assertIn("cannot pseudonymise", view["result"])
        self.assertEqual(view["applied"], 1)
        self.assertEqual(f.agents(addr)["pi-rc"]["config"], "1->2")

        rc = agent.wait(timeout=180)
        self.assertEqual(rc, 0, fleet.read_tail(agent.log_path))
        exported = f.export_windows(addr)
        lengths = collections.Counter(w["window_ms"] for w in exported)
        self.assertGreater(lengths[60000], 0, "windows before the push")
        self.assertGreater(lengths[10000], 0, "windows after the push")
        self.assertEqual(set(lengths), {60000, 10000})
        offline = f.summarise(pcap, window="60s")
        self.assertEqual(totals(exported), totals(offline),
                         "frames lost or counted twice across the reconfiguration")

        # The collector restarts: desired version 2 is still wanted, and the agent (which runs
        # version 1, persisted in its spool) gets it again at its Hello and refuses it again.
        collector.stop()
        addr = collector.start()
        rc, log = f.run_agent(pcap, addr, "pi-rc", window="60s")
        self.assertEqual(rc, 0, log)
        self.assertIn("running remote configuration version 1", log)
        # Reset: version 3 sets nothing, so the agent returns to its own settings.
        agent = f.start_agent(pcap, addr, "pi-rc", window="60s", exit_when_drained=False)
        view = self.wait_result(addr, "pi-rc", "version 2 refused after the restart",
                                lambda v: "refused version 2" in (v["result"] or ""))
        self.config_set(addr, "pi-rc", "--reset")
        view = self.wait_result(addr, "pi-rc", "reset applied", lambda v: v["applied"] == 3)
        self.assertIsNone(view["window_ms"])
        agent.terminate()
        agent.wait(timeout=30)
        collector.stop()

    def test_pushed_filter_persists_and_matches_tshark(self):
        f = self.fleet
        pcap = fleet.real_pcap("wireshark__wpa-Induction.pcap")
        warmup = os.path.join(f.dir, "warmup.pcap")
        subprocess.run([fleet.Binaries.framegen, "scenario", "--devices", "3", "--frames",
                        "50", "--seconds", "60", "--seed", "9", "--start", "1700000000",
                        "--window-ms", "60000", "--out", warmup],
                       check=True, capture_output=True, timeout=60)
        f.issue("agent", "pi-bpf")
        collector = f.collector()
        addr = collector.start()
        # The agent runs (and stays up), gets the filter and persists it; then it is stopped.
        agent = f.start_agent(warmup, addr, "pi-bpf", exit_when_drained=False)
        fleet.wait_until(lambda: f.agents(addr).get("pi-bpf", {}).get("connected"), 30,
                         "the agent connected")
        self.config_set(addr, "pi-bpf", "--bpf", "wlan type mgt subtype beacon")
        self.wait_result(addr, "pi-bpf", "filter applied", lambda v: v["applied"] == 1)
        agent.terminate()
        self.assertEqual(agent.wait(timeout=30), 0)
        before = {fleet.canonical(w) for w in f.export_windows(addr)}

        rc, log = f.run_agent(pcap, addr, "pi-bpf")
        self.assertEqual(rc, 0, log)
        self.assertIn("running remote configuration version 1", log)
        imported = [w for w in f.export_windows(addr) if fleet.canonical(w) not in before]

        beacons = os.path.join(f.dir, "beacons.pcap")
        subprocess.run(["tshark", "-r", pcap, "-Y", "wlan.fc.type_subtype == 0x0008",
                        "-w", beacons, "-F", "pcap"], check=True, capture_output=True,
                       timeout=120)
        offline = f.summarise(beacons)
        self.assertGreater(len(offline), 0)
        self.assertSameWindows(imported, offline)
        collector.stop()


if __name__ == "__main__":
    fleet.main()
