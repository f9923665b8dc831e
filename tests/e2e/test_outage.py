"""Collector outage: the agent replays a capture while no collector is listening. It spools every
window, keeps retrying, and once a collector appears at its address the backlog drains; the
store then holds exactly the offline summaries, and the agent exits 0 (--exit-when-drained).
"""

import subprocess

import fleet

CAPTURE = "Wireless-Internet-Project_MAC-Randomization__04_SamsungA53_01.pcap"


class Outage(fleet.FleetTestCase):
    def test_backlog_drains_after_outage(self):
        f = self.fleet = fleet.Fleet(self)
        pcap = fleet.real_pcap(CAPTURE)
        offline = f.summarise(pcap, "60s")
        f.issue("agent", "pi-outage")
        # The collector's future address: a port that was free a moment ago; nobody listens yet.
        port = fleet.free_port()
        addr = f"127.0.0.1:{port}"
        agent = f.start_agent(pcap, addr, "pi-outage")

        # The whole capture is read and spooled while the collector is down...
        fleet.wait_until(lambda: agent.poll() is not None or
                         "device windows spooled" in fleet.read_tail(agent.log_path),
                         60, "the agent to finish reading the capture")
        self.assertIsNone(agent.poll(), "the agent exited although nothing was acknowledged:\n"
                          + fleet.read_tail(agent.log_path))
        log = fleet.read_tail(agent.log_path)
        self.assertIn(f"{len(offline)} device windows spooled", log)
        self.assertNotIn("everything acknowledged", log)

        # ...then the collector comes up on that port and the backlog drains.
        collector = f.collector(listen=addr)
        collector.start()
        try:
            rc = agent.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.fail("the backlog did not drain within 60 s of the collector starting:\n"
                      + fleet.read_tail(agent.log_path))
        log = fleet.read_tail(agent.log_path)
        self.assertEqual(rc, 0, log)
        self.assertIn("everything acknowledged", log)
        exported = f.export_windows(collector.address)
        self.assertSameWindows(exported, offline, "after an outage")
        self.assertEqual(f.agents(collector.address)["pi-outage"]["summaries"], len(offline))


if __name__ == "__main__":
    fleet.main()
