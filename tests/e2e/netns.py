"""Two network namespaces joined by a veth pair, for network-fault tests with real processes.

    pair = netns.NetPair(test_case)        # skips the test unless root with netns + iptables
    pair.run_in("collector", [...])        # argv prefixed with `ip netns exec <ns>`
    pair.cut() / pair.heal()               # DROP everything arriving at the collector
    pair.random_loss(0.3) / pair.heal()    # drop 30 % of what arrives at the collector
    pair.limit_rate("256kbit") / pair.unlimit_rate()   # tbf on the agent's egress

Faults are applied on the *receiver* (the collector namespace's INPUT chain): a DROP in the
sender's OUTPUT chain makes local TCP see EPERM and retry at once, which hides the loss (see
/work/shared/docs/toolchain-notes.md §8). netem does not exist in this kernel, so latency is
added by tests/e2e/delay_proxy.py instead.

Names are unique per process (pid + a counter) so that parallel test runs do not clash; the
addresses (10.254.N.0/30) live only inside these namespaces. Everything is removed by a cleanup
registered on the test case, which also runs when the test fails.
"""

import itertools
import os
import shutil
import subprocess
import unittest

_counter = itertools.count()


def _run(argv, check=True):
    p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} exited {p.returncode}: {p.stderr.strip()}")
    return p


def require_netns():
    """Raises SkipTest (with the reason) unless namespaces, veth and iptables can be used."""
    if os.geteuid() != 0:
        raise unittest.SkipTest("network-fault tests need root (network namespaces, iptables)")
    for tool in ("ip", "iptables", "tc"):
        if shutil.which(tool) is None:
            raise unittest.SkipTest(f"network-fault tests need '{tool}' "
                                    "(tools/scripts/install-deps.sh installs iproute2/iptables)")
    probe = f"afprobe{os.getpid()}"
    p = _run(["ip", "netns", "add", probe], check=False)
    if p.returncode != 0:
        raise unittest.SkipTest(f"no network namespace support here: {p.stderr.strip()}")
    try:
        p = _run(["ip", "netns", "exec", probe, "iptables", "-S", "INPUT"], check=False)
        if p.returncode != 0:
            raise unittest.SkipTest(f"iptables does not work in a network namespace here: "
                                    f"{p.stderr.strip()}")
    finally:
        _run(["ip", "netns", "del", probe], check=False)


class NetPair:
    """Namespaces `collector` and `agent`, veth between them, collector at .1, agent at .2."""

    def __init__(self, test_case):
        require_netns()
        n = next(_counter)
        tag = f"{os.getpid() % 100000}x{n}"
        self.ns = {"collector": f"afc{tag}", "agent": f"afa{tag}"}
        self.veth = {"collector": f"afvc{tag}", "agent": f"afva{tag}"}
        for name in self.veth.values():
            assert len(name) <= 15, name  # IFNAMSIZ
        octet = (os.getpid() + n) % 250 + 1
        self.collector_ip = f"10.254.{octet}.1"
        self.agent_ip = f"10.254.{octet}.2"
        self._rules = []  # iptables rules currently installed in the collector namespace
        self._rate_limited = False
        self.dropped_total = 0  # packets dropped by rules already removed
        test_case.addCleanup(self.close)
        for ns in self.ns.values():
            _run(["ip", "netns", "add", ns])
        _run(["ip", "link", "add", self.veth["collector"], "netns", self.ns["collector"], "type",
              "veth", "peer", "name", self.veth["agent"], "netns", self.ns["agent"]])
        for side, ip in (("collector", self.collector_ip), ("agent", self.agent_ip)):
            self.exec(side, ["ip", "addr", "add", f"{ip}/30", "dev", self.veth[side]])
            self.exec(side, ["ip", "link", "set", self.veth[side], "up"])
            self.exec(side, ["ip", "link", "set", "lo", "up"])

    def close(self):
        # Deleting a namespace deletes its veth end (and so the pair) and its firewall rules.
        for ns in self.ns.values():
            _run(["ip", "netns", "del", ns], check=False)

    def prefix(self, side):
        return ["ip", "netns", "exec", self.ns[side]]

    def exec(self, side, argv, check=True):
        return _run(self.prefix(side) + argv, check=check)

    # ---- faults on the collector's INPUT (the receiver of the batches) ----
    def _add_rule(self, rule):
        self.exec("collector", ["iptables", "-I", "INPUT"] + rule)
        self._rules.append(rule)

    def cut(self):
        """Every packet from the agent is dropped on arrival: TCP retransmits into the void."""
        self._add_rule(["-i", self.veth["collector"], "-j", "DROP"])

    def random_loss(self, probability):
        self._add_rule(["-i", self.veth["collector"], "-m", "statistic", "--mode", "random",
                        "--probability", str(probability), "-j", "DROP"])

    def heal(self):
        self.dropped_total += self.dropped_packets()
        for rule in self._rules:
            self.exec("collector", ["iptables", "-D", "INPUT"] + rule)
        self._rules = []

    def dropped_packets(self):
        """Packets dropped by the installed rules so far (iptables counters)."""
        out = self.exec("collector", ["iptables", "-L", "INPUT", "-v", "-n", "-x"]).stdout
        total = 0
        for line in out.splitlines():
            fields = line.split()
            if len(fields) > 2 and fields[2] == "DROP" and fields[0].isdigit():
                total += int(fields[0])
        return total

    # ---- bandwidth on the agent's egress (the batches' direction) ----
    def limit_rate(self, rate, burst="16kb", latency="500ms"):
        self.exec("agent", ["tc", "qdisc", "add", "dev", self.veth["agent"], "root", "tbf",
                            "rate", rate, "burst", burst, "latency", latency])
        self._rate_limited = True

    def unlimit_rate(self):
        if self._rate_limited:
            self.exec("agent", ["tc", "qdisc", "del", "dev", self.veth["agent"], "root"])
            self._rate_limited = False

    def tbf_stats(self):
        return self.exec("agent", ["tc", "-s", "qdisc", "show", "dev", self.veth["agent"]]).stdout
