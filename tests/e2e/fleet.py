"""Shared helpers for airfleet's cross-component tests (real processes, sockets, TLS, RocksDB).

Every test script is run as

    python3 test_x.py AGENT_BIN COLLECTOR_BIN CTL_BIN [FRAMEGEN_BIN]

(ctest passes the built binaries; see tests/CMakeLists.txt). Without arguments the binaries are
taken from AIRFLEET_AGENT / AIRFLEET_COLLECTOR / AIRFLEETCTL / AIRFLEET_FRAMEGEN, else from
build-e2e/ beside this checkout. AIRFLEET_RUN_AGENT, if set, is the command (split like a shell
word list) that `airfleet-agent run` starts instead of AGENT_BIN, e.g. the arm64 agent under
qemu-user (tools/scripts/arm64.sh); AGENT_BIN still does the offline `summarise`. Real captures come from AIRFLEET_REAL_PCAPS (default
../shared/testdata/pcaps beside the checkout); they are read in place, never copied.

Synchronisation is always "poll a condition until a deadline", never a fixed sleep.
"""

import collections
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class Binaries:
    agent = None
    run_agent = None  # the agent command of `run` (a list); [agent] unless AIRFLEET_RUN_AGENT
    collector = None
    ctl = None
    framegen = None


def _default(env, rel):
    return os.environ.get(env) or os.path.join(ROOT, "build-e2e", rel)


def main():
    """unittest.main() after taking the binary paths from argv (the rest goes to unittest)."""
    args = sys.argv[1:]
    bins = []
    while args and len(bins) < 4 and os.sep in args[0] and not args[0].startswith("-"):
        bins.append(args.pop(0))
    rest = args
    Binaries.agent = bins[0] if len(bins) > 0 else _default("AIRFLEET_AGENT", "agent/cli/airfleet-agent")
    Binaries.collector = bins[1] if len(bins) > 1 else _default(
        "AIRFLEET_COLLECTOR", "collector/airfleet-collector")
    Binaries.ctl = bins[2] if len(bins) > 2 else _default("AIRFLEETCTL", "tools/ctl/airfleetctl")
    Binaries.framegen = bins[3] if len(bins) > 3 else _default(
        "AIRFLEET_FRAMEGEN", "tools/framegen/airfleet-framegen")
    Binaries.run_agent = shlex.split(os.environ.get("AIRFLEET_RUN_AGENT", "")) or [Binaries.agent]
    for b in (Binaries.agent, Binaries.collector, Binaries.ctl, Binaries.run_agent[-1]):
        if not os.access(b, os.X_OK):
            sys.exit(f"fleet.py: binary not found or not executable: {b}")
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


def pcaps_dir():
    return os.environ.get("AIRFLEET_REAL_PCAPS") or os.path.join(
        os.path.dirname(ROOT), "shared", "testdata", "pcaps")


def real_pcap(name):
    path = os.path.join(pcaps_dir(), name)
    if not os.path.exists(path):
        raise unittest.SkipTest(f"real capture {path} not available (set AIRFLEET_REAL_PCAPS)")
    return path


def read_env_file(path):
    """KEY=VALUE lines (the test servers' env files) as a dict."""
    env = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                k, v = line.strip().split("=", 1)
                env[k] = v
    return env


def wait_for_view(fetch, predicate, what, timeout=30, interval=0.2):
    """Polls fetch() until predicate(view) holds and returns that view; on timeout the failure
    shows the last view, which usually says why."""
    last = {}

    def check():
        view = fetch()
        last["view"] = view
        return view if view and predicate(view) else None
    try:
        return wait_until(check, timeout, what, interval=interval)
    except AssertionError as e:
        raise AssertionError(f"{e}; last view: {last.get('view')}") from None


def wait_until(predicate, timeout, what, interval=0.05):
    """Polls predicate() until it returns a truthy value (returned) or `timeout` s pass (raises)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def free_port():
    """A TCP port that was free a moment ago (bind to port 0, read it, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def canonical(window, agent=None, keep_agent=False):
    w = dict(window)
    if not keep_agent:
        w["agent"] = agent
    return json.dumps(w, sort_keys=True, separators=(",", ":"))


def multiset(windows, keep_agent=False):
    """Windows as a Counter of canonical JSON strings (agent set to null unless keep_agent)."""
    return collections.Counter(canonical(w, keep_agent=keep_agent) for w in windows)


def parse_ndjson(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def read_tail(path, limit=4000):
    try:
        with open(path, "r", errors="replace") as f:
            return f.read()[-limit:]
    except OSError:
        return ""


class Collector:
    """One airfleet-collector process; its store lives in data_dir across restarts."""

    def __init__(self, fleet, name="collector", listen="127.0.0.1:0", cert="localhost",
                 extra_args=(), wrap=(), extra=()):
        self.fleet = fleet
        self.extra_args = list(extra_args) + list(extra)
        self.wrap = list(wrap)  # e.g. ["ip", "netns", "exec", NS]
        self.data_dir = os.path.join(fleet.dir, name)
        self.log_path = os.path.join(fleet.dir, name + ".log")
        self.listen = listen
        self.cert = cert
        self.proc = None
        self.address = None
        self._log = None

    def command(self, key=None):
        pki = self.fleet.pki
        return self.wrap + [Binaries.collector, "--listen", self.listen, "--data-dir", self.data_dir,
                "--ca", os.path.join(pki, "ca.pem"),
                "--cert", os.path.join(pki, self.cert + ".pem"),
                "--key", key or os.path.join(pki, self.cert + ".key"),
                # Captures date from 2013-2024: the default 30-day retention would delete them.
                "--retention-days", "0"] + self.extra_args

    def start(self, timeout=30):
        assert self.proc is None or self.proc.poll() is not None, "collector already running"
        os.makedirs(self.data_dir, exist_ok=True)
        addr_file = os.path.join(self.data_dir, "collector.addr")
        # A killed collector leaves its old address behind; only a fresh file means "ready".
        if os.path.exists(addr_file):
            os.unlink(addr_file)
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.command(), stdout=self._log, stderr=subprocess.STDOUT)

        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"collector exited with {self.proc.returncode}:\n"
                                     + read_tail(self.log_path))
            try:
                with open(addr_file) as f:
                    return f.read().strip()
            except FileNotFoundError:
                return None
        self.address = wait_until(ready, timeout, "collector.addr")
        return self.address

    def stop(self, timeout=30):
        """SIGTERM and wait for a clean exit (asserts exit 0)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("collector did not stop within %ds of SIGTERM" % timeout)
        self._close()
        if rc != 0:
            raise AssertionError(f"collector exited with {rc}:\n" + read_tail(self.log_path))

    def kill(self):
        """SIGKILL: no shutdown, no flush — what a crash or power cut leaves."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._close()

    def _close(self):
        if self._log:
            self._log.close()
            self._log = None


class Fleet:
    """A temp dir with a fleet CA and certificates, collectors, agents and the CLI."""

    def __init__(self, test_case, prefix="airfleet-e2e-"):
        self.dir = tempfile.mkdtemp(prefix=prefix)
        self.pki = os.path.join(self.dir, "pki")
        self.collectors = []
        self.agent_procs = []
        self._logs = []
        test_case.addCleanup(self.close)
        self.ctl_raw("pki", "init", "--dir", self.pki, check=True)
        self.issue("collector", "localhost")
        self.issue("operator", "ops")

    def close(self):
        for p in self.agent_procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        for c in self.collectors:
            c.kill()
        for f in self._logs:
            f.close()
        if os.environ.get("AIRFLEET_E2E_KEEP"):
            sys.stderr.write(f"(state kept in {self.dir})\n")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    # ---- PKI ----
    def issue(self, role, name, pki=None):
        self.ctl_raw("pki", "issue", role, name, "--dir", pki or self.pki, check=True)
        d = pki or self.pki
        return os.path.join(d, name + ".pem"), os.path.join(d, name + ".key")

    # ---- collector ----
    def collector(self, **kwargs):
        c = Collector(self, name=f"collector{len(self.collectors)}", **kwargs)
        self.collectors.append(c)
        return c

    # ---- agents ----
    def agent_command(self, pcap, collector_addr, agent, spool=None, window="60s",
                      speed="max", exit_when_drained=True, extra=(), pki=None):
        pki = pki or self.pki
        spool = spool or os.path.join(self.dir, "spool-" + agent)
        cmd = Binaries.run_agent + ["run", "--pcap", pcap, "--replay-speed", str(speed),
               "--window", window, "--collector", collector_addr,
               "--ca", os.path.join(self.pki, "ca.pem"),
               "--cert", os.path.join(pki, agent + ".pem"),
               "--key", os.path.join(pki, agent + ".key"),
               "--spool-dir", spool]
        if exit_when_drained:
            cmd.append("--exit-when-drained")
        return cmd + list(extra)

    def start_agent(self, *args, log_name=None, wrap=(), **kwargs):
        """Starts an agent (Popen); its stderr goes to a log file, returned as proc.log_path.
        `wrap` prefixes the command (e.g. ip netns exec NS)."""
        cmd = list(wrap) + self.agent_command(*args, **kwargs)
        log_path = os.path.join(self.dir, (log_name or "agent") + f"-{len(self.agent_procs)}.log")
        log = open(log_path, "wb")
        self._logs.append(log)
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log)
        proc.log_path = log_path
        self.agent_procs.append(proc)
        return proc

    def run_agent(self, *args, timeout=90, **kwargs):
        """Runs an agent to completion; returns (exit code, stderr text)."""
        proc = self.start_agent(*args, **kwargs)
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError(f"agent did not finish within {timeout}s:\n"
                                 + read_tail(proc.log_path))
        return rc, read_tail(proc.log_path)

    # ---- offline summarise ----
    def summarise(self, pcap, window="60s", expect_rc=(0,)):
        p = subprocess.run([Binaries.agent, "summarise", "--pcap", pcap, "--window", window,
                            "--format", "ndjson"], capture_output=True, text=True, timeout=120)
        if p.returncode not in expect_rc:
            raise AssertionError(f"summarise {pcap} exited {p.returncode}: {p.stderr[-2000:]}")
        return parse_ndjson(p.stdout)

    # ---- airfleetctl ----
    def ctl_raw(self, *args, check=False, timeout=120, cert="ops", collector=None, pki=None,
                wrap=()):
        cmd = list(wrap) + [Binaries.ctl]
        if collector:
            pki = pki or self.pki
            cmd += ["--collector", collector, "--ca", os.path.join(self.pki, "ca.pem"),
                    "--cert", os.path.join(pki, cert + ".pem"),
                    "--key", os.path.join(pki, cert + ".key")]
        p = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise AssertionError(f"airfleetctl {' '.join(args)} exited {p.returncode}: "
                                 f"{p.stderr[-2000:]}")
        return p

    def export_windows(self, collector_addr, wrap=()):
        p = self.ctl_raw("export", "windows", "--output", "ndjson", check=True,
                         collector=collector_addr, wrap=wrap)
        return parse_ndjson(p.stdout)

    def agents(self, collector_addr, wrap=()):
        p = self.ctl_raw("agents", "--output", "json", check=True, collector=collector_addr,
                         wrap=wrap)
        return {a["agent"]: a for a in json.loads(p.stdout)}


class FleetTestCase(unittest.TestCase):
    maxDiff = 4000

    def assertSameWindows(self, exported, offline, msg=""):
        """Exported windows (agent ignored) == offline windows, as multisets, with a short diff."""
        got, want = multiset(exported), multiset(offline)
        if got == want:
            return
        missing = want - got
        extra = got - want
        lines = [f"{msg}: exported {sum(got.values())} windows, offline {sum(want.values())}; "
                 f"{sum(missing.values())} missing, {sum(extra.values())} unexpected"]
        for label, c in (("missing", missing), ("unexpected", extra)):
            for s, n in list(c.items())[:3]:
                lines.append(f"  {label} x{n}: {s[:600]}")
        self.fail("\n".join(lines))
