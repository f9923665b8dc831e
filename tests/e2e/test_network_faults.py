"""Network faults between two network namespaces: the collector in one, the agent in the other,
joined by a veth pair (tests/e2e/netns.py). While the agent replays a capture in real time (x120),
the link to the collector suffers, in turn:

  1. random loss: 30 % of the packets arriving at the collector are dropped;
  2. a cut: every packet arriving at the collector is dropped for longer than the agent's
     keepalive deadline, so the agent must give the stream up and reconnect after the heal;
  3. a bandwidth limit (tbf, 256 kbit/s) on the agent's egress.

Afterwards the collector's export equals the offline `airfleet-agent summarise` of the same
capture (nothing lost, nothing stored twice), the agent reports more than one connection, and
the collector holds exactly the batches the agent produced.

Faults are dropped on the receiver's INPUT (see netns.py for why). Needs root and netns; it skips
with the reason otherwise (CI runs as root, so it runs there).
"""

import json
import os
import re
import subprocess
import sys
import time

import fleet
import netns

FRAMES = 60_000
SECONDS = 3600        # 60 windows of 60 s
SPEED = 100           # ~36 s of replay: the faults land mid-replay
KEEPALIVE = "10s"     # the agent gives a silent link up after 10 s + 10 s


class NetworkFaults(fleet.FleetTestCase):
    def setUp(self):
        netns.require_netns()
        if not os.access(fleet.Binaries.framegen or "", os.X_OK):
            self.skipTest("airfleet-framegen not built")
        self.t0 = time.monotonic()
        self.fleet = fleet.Fleet(self, prefix="airfleet-netfault-")
        self.pcap = os.path.join(self.fleet.dir, "scenario.pcap")
        subprocess.run([fleet.Binaries.framegen, "scenario", "--devices", "150",
                        "--frames", str(FRAMES), "--seconds", str(SECONDS), "--seed", "4242",
                        "--start", "1700000000", "--window-ms", "60000", "--randomised", "0.3",
                        "--out", self.pcap], check=True, capture_output=True, timeout=120)

    def step(self, what):
        sys.stderr.write(f"  [{time.monotonic() - self.t0:5.1f}s] {what}\n")

    def test_loss_cut_and_rate_limit_lose_nothing(self):
        f = self.fleet
        offline = f.summarise(self.pcap, "60s")
        self.assertGreater(len(offline), 1000)
        pair = netns.NetPair(self)
        f.issue("collector", pair.collector_ip)
        f.issue("agent", "pi-netns")
        addr = f"{pair.collector_ip}:{fleet.free_port()}"
        in_collector_ns = pair.prefix("collector")
        collector = fleet.Collector(f, name="collector-ns", listen=addr, cert=pair.collector_ip,
                                    wrap=in_collector_ns)
        f.collectors.append(collector)
        collector.start()
        self.step(f"collector listening on {addr} in {pair.ns['collector']}")

        agent = f.start_agent(self.pcap, addr, "pi-netns", speed=SPEED,
                              extra=["--keepalive", KEEPALIVE], wrap=pair.prefix("agent"))

        def stored():
            p = f.ctl_raw("agents", "--output", "json", "--timeout", "5", collector=addr,
                          wrap=in_collector_ns)
            if p.returncode != 0:
                return 0
            return sum(a["summaries"] for a in json.loads(p.stdout) if a["agent"] == "pi-netns")

        # Let some windows through first, so each fault hits an established stream.
        fleet.wait_until(lambda: stored() > 0, 60, "the first windows to be stored")
        self.step(f"{stored()} windows stored; 30 % loss on for 6 s")
        pair.random_loss(0.3)
        time.sleep(6)  # a fault's length, not a synchronisation
        pair.heal()
        during_loss = stored()
        self.step(f"loss healed ({pair.dropped_total} packets dropped); {during_loss} stored")

        pair.cut()
        time.sleep(1)  # a batch that arrived just before the cut may still be committing
        cut_at = stored()
        self.step(f"link cut; {cut_at} windows stored; holding 25 s")
        time.sleep(24)  # longer than keepalive + timeout: the agent must reconnect
        held = stored()
        self.assertEqual(held, cut_at, "windows were stored while the link was cut")
        self.assertIsNone(agent.poll(), "the agent exited during the cut:\n"
                          + fleet.read_tail(agent.log_path))

        # The backlog of the cut drains through a narrow link: 256 kbit/s on the agent's egress.
        pair.limit_rate("256kbit")
        pair.heal()
        self.step(f"link healed ({pair.dropped_total} packets dropped in all) into a "
                  "256 kbit/s rate limit")
        fleet.wait_until(lambda: stored() > held, 60, "windows to arrive through the rate limit")
        time.sleep(3)
        shaped = pair.tbf_stats()
        sent = int(re.search(r"Sent (\d+) bytes", shaped).group(1))
        self.step(f"{stored()} windows stored; tbf sent {sent} bytes")
        self.assertGreater(sent, 10_000, "nothing went through the rate limit: " + shaped)
        pair.unlimit_rate()

        try:
            rc = agent.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.fail("the agent did not drain within 120 s of the last heal:\n"
                      + fleet.read_tail(agent.log_path))
        log = fleet.read_tail(agent.log_path)
        self.step("agent finished: " + log.strip().splitlines()[-1])
        self.assertEqual(rc, 0, log)

        exported = f.export_windows(addr, wrap=in_collector_ns)
        self.assertSameWindows(exported, offline, "after loss, a cut and a rate limit")
        info = f.agents(addr, wrap=in_collector_ns)["pi-netns"]
        self.assertEqual(info["summaries"], len(offline), info)
        # Every sequence the agent produced is stored once (no ledger: nothing was dropped).
        self.assertEqual(info["batches"], info["committed_seq"], info)
        self.assertEqual(info.get("lost_batches", 0), 0, info)
        # The cut outlived the keepalive deadline: the agent gave the stream up and reconnected.
        m = re.search(r"(\d+) stream attempt\(s\), (\d+) batch messages sent", log)
        self.assertIsNotNone(m, log)
        self.assertGreaterEqual(int(m.group(1)), 2, "the agent never reconnected: " + log)
        self.assertGreater(pair.dropped_total, 0, "the firewall dropped nothing")


if __name__ == "__main__":
    fleet.main()
