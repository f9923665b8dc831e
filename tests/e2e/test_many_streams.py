"""Many agents at once: N concurrent mTLS streams into one real collector (N = 1000 by default,
AIRFLEET_LOAD_AGENTS overrides it). Each agent has its own certificate, issued with `airfleetctl
pki issue agent`, its own TLS connection and stream; tools/loadgen/stream_load.cc holds all N
streams open at once, then each sends B batches of W windows plus one duplicate of its last batch.

Asserted: every batch of every agent is acknowledged; the collector stores exactly N*B*W windows,
each expected (agent-unique MAC) window once, and per agent B batches, B*W summaries, committed
sequence B (the duplicate was acknowledged and not stored again); the collector's peak resident
memory (VmHWM) stays under a generous bound, and the figure is printed (docs/performance.md).

The load driver's path comes from AIRFLEET_STREAM_LOAD (set by tests/CMakeLists.txt).
"""

import concurrent.futures
import os
import subprocess
import sys
import time

import fleet

AGENTS = int(os.environ.get("AIRFLEET_LOAD_AGENTS", "1000"))
BATCHES = 3
WINDOWS = 20
RSS_BOUND_MIB = 1024  # generous: the point is "bounded", not a budget


def vm_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {field} for pid {pid}")


class ManyStreams(fleet.FleetTestCase):
    def test_thousand_agents_each_stored_once(self):
        load = os.environ.get("AIRFLEET_STREAM_LOAD") or os.path.join(
            fleet.ROOT, "build-e2e", "tools", "loadgen", "airfleet-stream-load")
        if not os.access(load, os.X_OK):
            self.skipTest(f"airfleet-stream-load not built ({load})")
        t0 = time.monotonic()

        def step(what):
            sys.stderr.write(f"  [{time.monotonic() - t0:6.1f}s] {what}\n")

        f = self.fleet = fleet.Fleet(self, prefix="airfleet-load-")
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda i: f.issue("agent", f"load-{i}"), range(AGENTS)))
        step(f"{AGENTS} agent certificates issued")
        collector = f.collector()
        addr = collector.start()
        rss_idle = vm_kib(collector.proc.pid, "VmRSS")

        p = subprocess.run([load, "--collector", addr, "--pki", f.pki, "--agents", str(AGENTS),
                            "--batches", str(BATCHES), "--windows", str(WINDOWS),
                            "--timeout", "300"],
                           capture_output=True, text=True, timeout=400)
        step("load: " + p.stdout.strip())
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr[-3000:] +
                         fleet.read_tail(collector.log_path))
        self.assertIn(f"ok={AGENTS} failed=0", p.stdout)
        peak = vm_kib(collector.proc.pid, "VmHWM")
        threads = vm_kib(collector.proc.pid, "Threads")
        step(f"collector RSS idle {rss_idle / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB, "
             f"{threads} threads")
        self.assertIsNone(collector.proc.poll(), fleet.read_tail(collector.log_path))
        self.assertLess(peak / 1024, RSS_BOUND_MIB)

        agents = f.agents(addr)
        self.assertEqual(len(agents), AGENTS)
        for i in range(AGENTS):
            a = agents[f"load-{i}"]
            self.assertEqual((a["batches"], a["summaries"], a["committed_seq"]),
                             (BATCHES, BATCHES * WINDOWS, BATCHES), a)

        exported = f.export_windows(addr)
        got = sorted((w["mac"], w["window_start"]) for w in exported)
        window_start = 1_700_000_040 * 1_000_000_000
        want = sorted((((i + 1) << 24) | (b << 12) | w, window_start)
                      for i in range(AGENTS) for b in range(1, BATCHES + 1)
                      for w in range(WINDOWS))
        self.assertEqual(len(got), len(want))
        want_macs = [f"{m:012x}" for m, _ in want]
        got_macs = [m.replace(":", "").lower() if isinstance(m, str) else f"{m:012x}"
                    for m, _ in got]
        self.assertEqual(sorted(got_macs), sorted(want_macs))
        self.assertTrue(all(ws == window_start for _, ws in got))
        step("export checked")
        collector.stop()


if __name__ == "__main__":
    fleet.main()
