#!/usr/bin/env python3
"""Capture-to-queryable latency: how long after a window's last frame was captured can an operator
see that window through `airfleetctl export windows`?

    tools/bench/capture_to_queryable.py --build build [--seconds 40] [--window 1s]

Runs a real collector, a real agent replaying a generated capture live-like (`--replay-speed 1`,
so frames arrive at their real pace) over mTLS, and polls `airfleetctl export windows` as fast
as it answers. For each window the latency is

    (wall time the window was first seen in the export) - (wall time its end was replayed)

where "its end was replayed" is replay start + (window end - first frame time): the agent paces
packet i at start + (ts_i - ts_0) / speed. The replay start is taken as the agent's launch, which
makes every figure slightly pessimistic (process start-up counts against it), and a window is
only seen when a poll returns, so the poll period is part of the figure (printed).

The budget (docs/architecture.md) is p99 <= 2 s beyond the window. The summariser itself waits
a 1 s grace after a window's end for late frames, by design; that is included.
"""

import argparse
import json
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time


def first_frame_ns(pcap):
    with open(pcap, "rb") as f:
        header = f.read(24)
        magic = struct.unpack("<I", header[:4])[0]
        nano = magic == 0xA1B23C4D
        sec, frac = struct.unpack("<II", f.read(8))
        return sec * 1_000_000_000 + (frac if nano else frac * 1000)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--seconds", type=int, default=40, help="capture length (= run time)")
    ap.add_argument("--window", default="1s")
    ap.add_argument("--devices", type=int, default=60)
    ap.add_argument("--frames-per-second", type=int, default=200)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    b = os.path.abspath(args.build)
    agent_bin = f"{b}/agent/cli/airfleet-agent"
    collector_bin = f"{b}/collector/airfleet-collector"
    ctl = f"{b}/tools/ctl/airfleetctl"
    framegen = f"{b}/tools/framegen/airfleet-framegen"
    window_ms = int(args.window.rstrip("s")) * 1000 if args.window.endswith("s") and \
        not args.window.endswith("ms") else int(args.window.rstrip("ms"))

    d = tempfile.mkdtemp(prefix="airfleet-c2q-")
    procs = []
    try:
        pki = f"{d}/pki"
        run = lambda *a: subprocess.run(a, check=True, capture_output=True, text=True)
        run(ctl, "pki", "init", "--dir", pki)
        run(ctl, "pki", "issue", "collector", "localhost", "--dir", pki)
        run(ctl, "pki", "issue", "operator", "ops", "--dir", pki)
        run(ctl, "pki", "issue", "agent", "pi-latency", "--dir", pki)
        pcap = f"{d}/live.pcap"
        start_s = int(time.time()) - args.seconds - 5
        run(framegen, "scenario", "--devices", str(args.devices),
            "--frames", str(args.frames_per_second * args.seconds),
            "--seconds", str(args.seconds), "--seed", "99", "--start", str(start_s),
            "--window-ms", str(window_ms), "--out", pcap)
        t_first = first_frame_ns(pcap)

        collector = subprocess.Popen(
            [collector_bin, "--listen", "127.0.0.1:0", "--data-dir", f"{d}/collector",
             "--ca", f"{pki}/ca.pem", "--cert", f"{pki}/localhost.pem",
             "--key", f"{pki}/localhost.key", "--retention-days", "0"],
            stderr=subprocess.DEVNULL)
        procs.append(collector)
        addr_file = f"{d}/collector/collector.addr"
        while not os.path.exists(addr_file):
            time.sleep(0.02)
        addr = open(addr_file).read().strip()
        ctl_conn = [ctl, "--collector", addr, "--ca", f"{pki}/ca.pem",
                    "--cert", f"{pki}/ops.pem", "--key", f"{pki}/ops.key"]

        launch = time.time_ns()
        agent = subprocess.Popen(
            [agent_bin, "run", "--pcap", pcap, "--replay-speed", "1", "--window", args.window,
             "--collector", addr, "--ca", f"{pki}/ca.pem", "--cert", f"{pki}/pi-latency.pem",
             "--key", f"{pki}/pi-latency.key", "--spool-dir", f"{d}/spool",
             "--exit-when-drained"], stderr=subprocess.DEVNULL)
        procs.append(agent)

        first_seen = {}  # window_start_ns -> wall ns when first exported
        polls, poll_time = 0, 0.0
        since = f"@{start_s}"
        while True:
            done = agent.poll() is not None
            t0 = time.monotonic()
            p = subprocess.run(ctl_conn + ["export", "windows", "--output", "ndjson",
                                           "--since", since], capture_output=True, text=True)
            seen_at = time.time_ns()
            poll_time += time.monotonic() - t0
            polls += 1
            if p.returncode == 0:
                for line in p.stdout.splitlines():
                    if line.strip():
                        ws = json.loads(line)["window_start"]
                        first_seen.setdefault(ws, seen_at)
            if done:
                break
        if agent.returncode != 0:
            sys.exit(f"agent exited {agent.returncode}")

        latencies = []
        for ws, seen in sorted(first_seen.items()):
            window_end = ws + window_ms * 1_000_000
            replayed_at = launch + (window_end - t_first)
            latencies.append((seen - replayed_at) / 1e9)
        # The last window is sealed by the end of the file, not by time: leave it out.
        latencies = latencies[:-1]
        latencies.sort()
        q = lambda x: latencies[min(len(latencies) - 1, int(x * len(latencies)))]
        print(f"windows={len(latencies)} window={args.window} replay_speed=1 "
              f"poll_period_ms={1000 * poll_time / polls:.0f}")
        print(f"capture-to-queryable beyond the window end: min={latencies[0]:.2f}s "
              f"p50={statistics.median(latencies):.2f}s p99={q(0.99):.2f}s "
              f"max={latencies[-1]:.2f}s (budget p99 <= 2 s)")
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                p.wait()
        if args.keep:
            print(f"(kept {d})")
        else:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
