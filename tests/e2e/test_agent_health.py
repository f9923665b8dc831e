"""Agent health end to end: periodic heartbeats and the collector's online / lagging / offline
verdict, as an operator sees them in `airfleetctl agents`.

  * A replaying agent with --heartbeat 1s shows up online with a frame rate, its resident memory
    and a small clock offset (both processes share this machine's clock).
  * SIGSTOP freezes the agent with its TCP connection open: the half-open link a dead Pi behind a
    NAT leaves. The stream still looks connected, yet after the offline threshold the agent is
    offline "connected but silent"; SIGCONT brings it back online.
  * kill -9: the connection drops and the agent is offline ("disconnected") at once.
  * An agent that buffered through a collector outage reports its backlog's age in the first
    heartbeat after reconnecting, and is "lagging" while that report stands.

Thresholds are set small through the collector's configuration file (agent_status section).
"""

import os
import signal
import subprocess
import time

import fleet


def write_config(directory, name, offline_s, lagging_s):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(f"agent_status:\n  offline_after_seconds: {offline_s}\n"
                f"  lagging_after_seconds: {lagging_s}\n")
    return path


class AgentHealth(fleet.FleetTestCase):
    def setUp(self):
        if not os.access(fleet.Binaries.framegen or "", os.X_OK):
            self.skipTest("airfleet-framegen not built")
        self.fleet = fleet.Fleet(self, prefix="airfleet-health-")
        self.pcap = os.path.join(self.fleet.dir, "scenario.pcap")
        # 20 minutes of traffic: at 10x real time the agent stays busy for two minutes, longer
        # than the test needs it.
        subprocess.run([fleet.Binaries.framegen, "scenario", "--devices", "40",
                        "--frames", "24000", "--seconds", "1200", "--seed", "77",
                        "--start", "1700000000", "--window-ms", "60000", "--out", self.pcap],
                       check=True, capture_output=True, timeout=120)

    def agent_view(self, addr, agent):
        return self.fleet.agents(addr).get(agent)

    def wait_for(self, addr, agent, what, predicate, timeout=30):
        return fleet.wait_for_view(lambda: self.agent_view(addr, agent), predicate, what,
                                   timeout)

    def test_heartbeats_half_open_link_and_kill(self):
        f = self.fleet
        f.issue("agent", "pi-health")
        config = write_config(f.dir, "collector.yaml", offline_s=3, lagging_s=300)
        collector = f.collector(extra_args=["--config", config])
        addr = collector.start()
        agent = f.start_agent(self.pcap, addr, "pi-health", speed=10, exit_when_drained=False,
                              extra=["--heartbeat", "1s"])

        # Two periodic heartbeats at least: the rate needs a previous one to compare with.
        view = self.wait_for(addr, "pi-health", "online with a frame rate",
                             lambda v: v["status"] == "online" and v["frames_per_second"])
        self.assertTrue(view["connected"])
        self.assertIsNone(view["status_reason"])
        self.assertGreater(view["frames_per_second"], 0)
        self.assertGreater(view["rss_bytes"], 1 << 20)   # an agent is bigger than 1 MiB...
        self.assertLess(view["rss_bytes"], 1 << 30)      # ...and smaller than 1 GiB
        self.assertIsNotNone(view["clock_offset_ms"])
        self.assertLess(abs(view["clock_offset_ms"]), 5000)  # same machine, same clock

        os.kill(agent.pid, signal.SIGSTOP)
        try:
            view = self.wait_for(addr, "pi-health", "offline while frozen",
                                 lambda v: v["status"] == "offline")
            self.assertTrue(view["connected"], "the frozen agent's connection is still open")
            self.assertIn("connected but silent", view["status_reason"])
        finally:
            os.kill(agent.pid, signal.SIGCONT)
        self.wait_for(addr, "pi-health", "online again after SIGCONT",
                      lambda v: v["status"] == "online")

        agent.kill()
        agent.wait()
        view = self.wait_for(addr, "pi-health", "offline after kill -9",
                             lambda v: v["status"] == "offline" and not v["connected"])
        self.assertIn("disconnected", view["status_reason"])
        collector.stop()

    def test_backlog_from_an_outage_is_lagging(self):
        f = self.fleet
        f.issue("agent", "pi-lag")
        config = write_config(f.dir, "collector.yaml", offline_s=120, lagging_s=1)
        addr = f"127.0.0.1:{fleet.free_port()}"
        # The agent buffers everything while nobody listens; one heartbeat per 60 s, so the
        # first one after the reconnect (which reports the backlog) stands for a minute.
        agent = f.start_agent(self.pcap, addr, "pi-lag", speed="max", exit_when_drained=False,
                              extra=["--heartbeat", "60s"])
        spool = os.path.join(f.dir, "spool-pi-lag")
        fleet.wait_until(lambda: os.path.isdir(spool), 30, "the agent's spool")
        # Not synchronisation: the backlog must grow older than the 1 s lagging threshold.
        time.sleep(2.5)
        collector = f.collector(listen=addr, extra_args=["--config", config])
        collector.start()
        view = self.wait_for(addr, "pi-lag", "lagging after the outage",
                             lambda v: v["status"] == "lagging", timeout=40)
        self.assertTrue(view["connected"])
        self.assertIn("batches waiting", view["status_reason"])
        self.assertGreaterEqual(view["backlog_age_s"], 1)
        agent.kill()
        agent.wait()
        collector.stop()


if __name__ == "__main__":
    fleet.main()
