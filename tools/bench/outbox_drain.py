#!/usr/bin/env python3
"""Outbox drain time after a sink outage: how long a collector needs to bring Elasticsearch
(OpenSearch) and Cassandra up to date after both were unreachable while a fleet kept reporting.

    tools/bench/outbox_drain.py --build build [--agents 50] [--batches 10] [--windows 200]

The default load stands for a 10-minute outage of a 50-agent fleet: each agent seals one batch
a minute, 200 device windows each, so 10 batches x 200 windows x 50 agents = 100,000 windows
(plus the device records they touch) wait in the outbox. Steps, all real processes:

  1. OpenSearch 2.19 and Cassandra 5.0 from tests/servers/ (started here, or the running ctest
     fixtures when AIRFLEET_OPENSEARCH_URL_FILE and AIRFLEET_CASSANDRA_ENV are set).
  2. A collector whose sinks point at closed ports takes the load (airfleet-stream-load: mTLS,
     one stream and certificate per agent) and acknowledges all of it; its outbox fills.
  3. The schema and templates are created by a scratch collector (`sinks init`), so that the
     measurement is delivery only.
  4. The first collector restarts with the real addresses; the clock runs from its start until
     `airfleetctl sinks` shows nothing pending for each sink.

Prints the drain time and rate per sink. Figures belong in README "Performance".
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
import fleet  # noqa: E402


class _Cleanups:
    def __init__(self):
        self.fns = []

    def addCleanup(self, fn, *args):
        self.fns.append((fn, args))

    def run(self):
        for fn, args in reversed(self.fns):
            try:
                fn(*args)
            except Exception as e:  # keep cleaning up
                sys.stderr.write(f"cleanup: {e}\n")


def closed_port():
    return fleet.free_port()  # nothing listens there once free_port has closed it


def config(path, tag, es_hosts, cass_points, cass):
    password_file = path + ".password"
    with open(password_file, "w") as f:
        f.write(cass["AIRFLEET_CASSANDRA_PASSWORD"] + "\n")
    with open(path, "w") as f:
        f.write(f"""
sinks:
  outbox_quota_mb: 2048
  elasticsearch:
    hosts: {json.dumps(es_hosts)}
    index_prefix: {tag}
    request_timeout_ms: 30000
  cassandra:
    contact_points: {json.dumps(cass_points)}
    keyspace: {tag}
    username: {cass["AIRFLEET_CASSANDRA_USER"]}
    password_file: {password_file}
    consistency: ONE
""")
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--agents", type=int, default=50)
    ap.add_argument("--batches", type=int, default=10)
    ap.add_argument("--windows", type=int, default=200)
    ap.add_argument("--timeout", type=int, default=1800, help="give up draining after (s)")
    args = ap.parse_args()
    fleet.Binaries.agent = os.path.join(args.build, "agent/cli/airfleet-agent")
    fleet.Binaries.collector = os.path.join(args.build, "collector/airfleet-collector")
    fleet.Binaries.ctl = os.path.join(args.build, "tools/ctl/airfleetctl")
    load = os.path.join(args.build, "tools/loadgen/airfleet-stream-load")

    cleanups = _Cleanups()
    servers_dir = tempfile.mkdtemp(prefix="airfleet-drain-servers-")
    cleanups.addCleanup(shutil.rmtree, servers_dir, True)
    try:
        if os.environ.get("AIRFLEET_OPENSEARCH_URL_FILE") and os.environ.get("AIRFLEET_CASSANDRA_ENV"):
            url_file = os.environ["AIRFLEET_OPENSEARCH_URL_FILE"]
            cass_env = os.environ["AIRFLEET_CASSANDRA_ENV"]
        else:
            os_dir, cass_dir = os.path.join(servers_dir, "os"), os.path.join(servers_dir, "cass")
            subprocess.run([os.path.join(ROOT, "tests/servers/opensearch.sh"), "start", os_dir],
                           check=True)
            cleanups.addCleanup(subprocess.run,
                                [os.path.join(ROOT, "tests/servers/opensearch.sh"), "stop", os_dir])
            subprocess.run([os.path.join(ROOT, "tests/servers/cassandra.sh"), "start", cass_dir],
                           check=True)
            cleanups.addCleanup(subprocess.run,
                                [os.path.join(ROOT, "tests/servers/cassandra.sh"), "stop", cass_dir])
            url_file = os.path.join(os_dir, "url")
            cass_env = os.path.join(cass_dir, "cassandra.env")
        with open(url_file) as f:
            es_url = f.read().strip().rstrip("/")
        cass = fleet.read_env_file(cass_env)
        cass_point = f'{cass["AIRFLEET_CASSANDRA_HOST"]}:{cass["AIRFLEET_CASSANDRA_PORT"]}'

        f = fleet.Fleet(cleanups, prefix="airfleet-drain-")
        tag = "drain" + uuid.uuid4().hex[:8]
        t = time.monotonic()
        for i in range(args.agents):
            f.issue("agent", f"load-{i}")
        print(f"{args.agents} agent certificates in {time.monotonic() - t:.1f} s", flush=True)

        # 2. The outage: sinks configured, unreachable; the fleet keeps reporting.
        down = config(os.path.join(f.dir, "down.yaml"), tag, [f"http://127.0.0.1:{closed_port()}"],
                      [f"127.0.0.1:{closed_port()}"], cass)
        collector = f.collector(extra_args=["--config", down])
        addr = collector.start()
        t = time.monotonic()
        p = subprocess.run([load, "--collector", addr, "--pki", f.pki, "--agents",
                            str(args.agents), "--batches", str(args.batches), "--windows",
                            str(args.windows), "--timeout", "600"],
                           capture_output=True, text=True, timeout=900)
        if p.returncode != 0:
            sys.exit(f"load failed: {p.stdout}{p.stderr[-2000:]}")
        windows = args.agents * args.batches * args.windows
        sinks = json.loads(f.ctl_raw("sinks", "-o", "json", check=True, collector=addr).stdout)
        pending = {s["sink"]: s["pending"] for s in sinks}
        print(f"outage: {windows} windows from {args.agents} agents acknowledged in "
              f"{time.monotonic() - t:.1f} s; outbox entries pending {pending}", flush=True)
        collector.stop()

        # 3. Schema and templates, outside the measurement.
        up = config(os.path.join(f.dir, "up.yaml"), tag, [es_url], [cass_point], cass)
        scratch = f.collector(extra_args=["--config", up])  # its own data dir, no data
        scratch_addr = scratch.start()
        init = f.ctl_raw("sinks", "init", collector=scratch_addr, timeout=300)
        if init.returncode != 0:
            sys.exit(f"sinks init failed: {init.stderr}")
        scratch.stop()

        # 4. The sinks are back.
        collector.extra_args = [a if a != down else up for a in collector.extra_args]
        t0 = time.monotonic()
        addr = collector.start()
        done = {}
        while len(done) < 2 and time.monotonic() - t0 < args.timeout:
            for s in json.loads(f.ctl_raw("sinks", "-o", "json", check=True,
                                          collector=addr).stdout):
                if s["sink"] not in done and s["pending"] == 0:
                    done[s["sink"]] = (time.monotonic() - t0, s)
            time.sleep(0.25)
        if len(done) < 2:
            sys.exit(f"not drained within {args.timeout} s: {done}")
        for name, (seconds, s) in sorted(done.items()):
            print(f"{name}: drained {windows} windows ({s['written']} records written, "
                  f"{s['retried']} retried, {s['dead_lettered']} dead-lettered) in "
                  f"{seconds:.1f} s = {windows / seconds:,.0f} windows/s", flush=True)
        collector.stop()
    finally:
        cleanups.run()


if __name__ == "__main__":
    main()
