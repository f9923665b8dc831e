"""Latency between agent and collector: every byte, both ways, held 150 ms by a delay proxy
(tests/e2e/delay_proxy.py; netem does not exist in this kernel). mTLS runs through the proxy end
to end. The agent replays a real capture through it; the store must then hold exactly the offline
summaries, and the proxy must have carried the whole conversation with the delay applied.
Needs no root.
"""

import os
import signal
import subprocess
import sys

import fleet

CAPTURE = "Wireless-Internet-Project_MAC-Randomization__04_SamsungA53_01.pcap"
DELAY_MS = 150


class Latency(fleet.FleetTestCase):
    def test_delayed_link_loses_nothing(self):
        f = self.fleet = fleet.Fleet(self, prefix="airfleet-latency-")
        pcap = fleet.real_pcap(CAPTURE)
        offline = f.summarise(pcap, "60s")
        collector = f.collector()
        addr = collector.start()
        port_file = os.path.join(f.dir, "proxy.port")
        proxy_log = os.path.join(f.dir, "proxy.log")
        with open(proxy_log, "wb") as log:
            proxy = subprocess.Popen(
                [sys.executable, os.path.join(os.path.dirname(__file__), "delay_proxy.py"),
                 "--target", addr, "--delay-ms", str(DELAY_MS), "--port-file", port_file],
                stderr=log)

        def stop_proxy():
            if proxy.poll() is None:
                proxy.kill()
                proxy.wait()
        self.addCleanup(stop_proxy)
        def listening():
            if not os.path.exists(port_file):
                return None
            with open(port_file) as pf:
                return pf.read()
        port = fleet.wait_until(listening, 10, "the delay proxy to listen")
        f.issue("agent", "pi-far")
        rc, log = f.run_agent(pcap, f"127.0.0.1:{port}", "pi-far", timeout=120)
        self.assertEqual(rc, 0, log)
        exported = f.export_windows(addr)
        self.assertSameWindows(exported, offline, f"through a {DELAY_MS} ms delay")

        proxy.send_signal(signal.SIGTERM)
        self.assertEqual(proxy.wait(timeout=10), 0, fleet.read_tail(proxy_log))
        summary = [line for line in fleet.read_tail(proxy_log).splitlines()
                   if line.startswith("delay_proxy: connections=")]
        self.assertTrue(summary, "the proxy printed no figures:\n" + fleet.read_tail(proxy_log))
        sys.stderr.write("  " + summary[-1] + "\n")
        figures = dict(kv.split("=", 1) for kv in summary[-1].split()[1:])
        self.assertGreaterEqual(int(figures["connections"]), 1)
        self.assertGreater(int(figures["up_bytes"]), 10_000)  # the batches went through it
        self.assertGreater(int(figures["down_bytes"]), 0)
        self.assertGreaterEqual(float(figures["min_hold_ms"]), DELAY_MS - 1)


if __name__ == "__main__":
    fleet.main()
