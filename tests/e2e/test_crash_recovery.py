"""Crash recovery: kill -9 the agent three times and the collector once during a replay; the
collector ends up with exactly the offline summaries — nothing missing, nothing twice, no counts
doubled by re-sent batches and no window split into merged partials.

Guarantees under test (docs/architecture: spool is the source of truth; the collector acks only
what is durable; a re-sent batch is not stored twice; a replay killed at any point and restarted
produces the same summaries as an uninterrupted run, none twice).
"""

import json
import os
import subprocess
import sys
import time

import fleet

FRAMES = 300_000
SECONDS = 7200          # two hours of capture time, 120 windows of 60 s
SPEED = 1000            # ~7 s of replay: slow enough to kill at chosen points


class CrashRecovery(fleet.FleetTestCase):
    def setUp(self):
        if not os.access(fleet.Binaries.framegen or "", os.X_OK):
            self.skipTest("airfleet-framegen not built")
        self.t0 = time.monotonic()
        self.fleet = fleet.Fleet(self)
        self.pcap = os.path.join(self.fleet.dir, "scenario.pcap")
        subprocess.run([fleet.Binaries.framegen, "scenario", "--devices", "300",
                        "--frames", str(FRAMES), "--seconds", str(SECONDS), "--seed", "20240517",
                        "--start", "1700000000", "--window-ms", "60000", "--randomised", "0.3",
                        "--out", self.pcap], check=True, capture_output=True, timeout=120)

    def stored(self, addr, agent):
        """Summaries the collector committed for `agent` (0 while it is unreachable)."""
        p = self.fleet.ctl_raw("agents", "--output", "json", "--timeout", "2", collector=addr)
        if p.returncode != 0:
            return 0
        for a in json.loads(p.stdout):
            if a["agent"] == agent:
                return a["summaries"]
        return 0

    def test_kill_agent_three_times_and_collector_once(self):
        f = self.fleet
        t0 = self.t0

        def step(what):
            sys.stderr.write(f"  [{time.monotonic() - t0:5.1f}s] {what}\n")

        step("capture generated")
        offline = f.summarise(self.pcap, "60s")
        total = len(offline)
        self.assertGreater(total, 10_000)
        step("offline summaries computed")
        f.issue("agent", "pi-crash")
        # A fixed port, so that the agent finds the restarted collector at the same address.
        collector = f.collector(listen=f"127.0.0.1:{fleet.free_port()}")
        addr = collector.start()

        def start_agent():
            return f.start_agent(self.pcap, addr, "pi-crash", speed=SPEED, log_name="agent")

        def kill_agent_at(proc, fraction):
            fleet.wait_until(lambda: proc.poll() is not None or
                             self.stored(addr, "pi-crash") >= fraction * total,
                             60, f"{fraction:.0%} of the windows stored", interval=0.05)
            self.assertIsNone(proc.poll(), "the agent finished before it could be killed; "
                              "lower SPEED:\n" + fleet.read_tail(proc.log_path))
            proc.kill()
            proc.wait()

        agent = start_agent()
        kill_agent_at(agent, 0.15)
        step("agent killed at >= 15%")
        agent = start_agent()
        kill_agent_at(agent, 0.35)
        step("agent killed at >= 35%")
        agent = start_agent()
        # Collector crash while the agent keeps capturing and spooling.
        fleet.wait_until(lambda: self.stored(addr, "pi-crash") >= 0.5 * total, 60,
                         "50% of the windows stored")
        self.assertIsNone(agent.poll(), fleet.read_tail(agent.log_path))
        collector.kill()
        collector.start()
        step("collector killed at >= 50% and restarted")
        kill_agent_at(agent, 0.7)
        step("agent killed at >= 70%")
        resumed = fleet.read_tail(agent.log_path)
        self.assertIn("resuming the import", resumed)
        agent = start_agent()
        try:
            rc = agent.wait(timeout=90)
        except subprocess.TimeoutExpired:
            self.fail("the last agent run did not drain:\n" + fleet.read_tail(agent.log_path))
        log = fleet.read_tail(agent.log_path)
        self.assertEqual(rc, 0, log)
        self.assertIn("everything acknowledged", log)
        step("last agent run drained")

        exported = f.export_windows(addr)
        step(f"exported {len(exported)} windows")
        self.assertTrue(all(w["agent"] == "pi-crash" for w in exported))
        self.assertSameWindows(exported, offline, "after 3 agent kills and 1 collector kill")


if __name__ == "__main__":
    fleet.main()
