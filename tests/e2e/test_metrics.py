"""Prometheus /metrics on the collector and the agent, scraped over real HTTP (urllib) from real
processes: the counters must agree with what the store and the agent's spool hold.

Run: python3 test_metrics.py AGENT_BIN COLLECTOR_BIN CTL_BIN (see fleet.py).
"""

import os
import re
import signal
import socket
import subprocess
import urllib.error
import urllib.request

import fleet
from fleet import Binaries, FleetTestCase, read_tail, wait_until

PCAP = "Wireless-Internet-Project_MAC-Randomization__04_SamsungA53_01.pcap"
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    """Text format 0.0.4 -> ({(name, frozenset(labels)): value}, {name: type}). Strict enough to
    fail on a malformed line, a sample before its TYPE, or a second TYPE for one name."""
    samples, types = {}, {}
    assert text.endswith("\n"), "the last line must end with a line feed"
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            assert name not in types, f"second TYPE line for {name}"
            assert kind in ("counter", "gauge"), line
            types[name] = kind
            continue
        m = SAMPLE.match(line)
        assert m, f"not a sample line: {line!r}"
        name, labels = m.group(1), frozenset(LABEL.findall(m.group(3) or ""))
        assert name in types, f"sample {name} before its TYPE line"
        samples[(name, labels)] = float(m.group(4))
    return samples, types


def scrape(address, path="/metrics", method="GET"):
    req = urllib.request.Request(f"http://{address}{path}", method=method)
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status, resp.headers.get("Content-Type"), resp.read().decode()


def value(samples, name, **labels):
    return samples[(name, frozenset(labels.items()))]


class MetricsTest(FleetTestCase):
    def setUp(self):
        self.fleet = fleet.Fleet(self, prefix="airfleet-metrics-")

    def collector_metrics(self, collector):
        return parse_metrics(scrape(collector.metrics_address)[2])[0]

    def start_collector(self):
        c = self.fleet.collector(extra_args=["--metrics-listen", "127.0.0.1:0"])
        c.start()
        with open(os.path.join(c.data_dir, "metrics.addr")) as f:
            c.metrics_address = f.read().strip()
        return c

    def test_collector_and_agent_counters_agree_with_the_store(self):
        pcap = fleet.real_pcap(PCAP)
        c = self.start_collector()
        status, ctype, body = scrape(c.metrics_address)
        self.assertEqual(status, 200)
        self.assertEqual(ctype, "text/plain; version=0.0.4; charset=utf-8")
        samples, types = parse_metrics(body)
        self.assertEqual(value(samples, "airfleet_ingest_summaries_committed_total"), 0)
        self.assertEqual(value(samples, "airfleet_collector_agents_connected"), 0)
        self.assertEqual(types["airfleet_ingest_batches_committed_total"], "counter")
        build = [k for k in samples if k[0] == "airfleet_build_info"]
        self.assertEqual(len(build), 1)
        self.assertIn(("component", "collector"), build[0][1])
        self.assertGreater(value(samples, "process_resident_memory_bytes"), 1 << 20)
        # Only /metrics is served.
        with self.assertRaises(urllib.error.HTTPError) as err:
            scrape(c.metrics_address, "/")
        self.assertEqual(err.exception.code, 404)
        self.assertEqual(scrape(c.metrics_address, method="HEAD")[2], "")

        # A replay that keeps running after it is drained, so its endpoint can be read.
        self.fleet.issue("agent", "pi-metrics")
        agent = self.fleet.start_agent(pcap, c.address, "pi-metrics", window="10s",
                                       exit_when_drained=False,
                                       extra=["--metrics-listen", "127.0.0.1:0"])
        line = wait_until(lambda: re.search(r"metrics on http://(\S+)/metrics",
                                            read_tail(agent.log_path)),
                          60, "the agent's metrics line")
        agent_address = line.group(1)

        def drained():
            if agent.poll() is not None:
                raise AssertionError(f"agent exited {agent.returncode}:\n"
                                     + read_tail(agent.log_path))
            s = parse_metrics(scrape(agent_address)[2])[0]
            spooled = value(s, "airfleet_agent_summaries_spooled_total")
            done = (spooled > 0 and value(s, "airfleet_agent_spool_batches") == 0
                    and value(s, "airfleet_agent_uplink_in_flight") == 0)
            return s if done else None
        a = wait_until(drained, 120, "the agent to replay and drain its spool")

        offline = self.fleet.summarise(pcap, window="10s")
        exported = self.fleet.export_windows(c.address)
        self.assertGreater(len(exported), 10)
        self.assertEqual(len(exported), len(offline))
        s = self.collector_metrics(c)
        # Collector == store == agent.
        self.assertEqual(value(s, "airfleet_ingest_summaries_committed_total"), len(exported))
        self.assertEqual(value(a, "airfleet_agent_summaries_spooled_total"), len(exported))
        acked = value(a, "airfleet_agent_uplink_acked_sequence")
        self.assertEqual(value(s, "airfleet_ingest_batches_committed_total"), acked)
        self.assertEqual(value(a, "airfleet_agent_spool_next_sequence"), acked + 1)
        self.assertEqual(value(s, "airfleet_ingest_duplicate_batches_total"), 0)
        self.assertEqual(value(s, "airfleet_ingest_identity_mismatches_total"), 0)
        self.assertEqual(value(s, "airfleet_ingest_commit_errors_total"), 0)
        self.assertEqual(value(s, "airfleet_collector_agents_connected"), 1)
        self.assertEqual(value(s, "airfleet_ingest_streams_active"), 1)
        self.assertEqual(value(a, "airfleet_agent_uplink_connected"), 1)
        self.assertEqual(value(a, "airfleet_agent_spool_oldest_unsent_age_seconds"), 0)
        # The agent's frame counters against the file: every record was read once.
        packets = value(a, "airfleet_agent_packets_total")
        anomalies = sum(v for k, v in a.items() if k[0] == "airfleet_agent_frame_anomalies_total")
        self.assertEqual(value(a, "airfleet_agent_frames_dissected_total") + anomalies, packets)
        self.assertEqual(packets, count_records(pcap))
        self.assertEqual(value(a, "airfleet_agent_windows_sealed_total"),
                         len({w["window_start"] for w in offline}))
        self.assertFalse([k for k in a if k[0] == "airfleet_agent_lost_summaries_total"])
        self.assertEqual(value(a, "airfleet_agent_capture_dropped_kernel_total"), 0)

        agent.send_signal(signal.SIGTERM)
        self.assertEqual(agent.wait(timeout=60), 0, read_tail(agent.log_path))
        wait_until(lambda: value(self.collector_metrics(c),
                                 "airfleet_collector_agents_connected") == 0,
                   60, "the collector to see the agent go")
        self.assertEqual(value(self.collector_metrics(c), "airfleet_ingest_streams_active"), 0)
        c.stop()

    def test_off_by_default(self):
        c = self.start_collector()
        c.stop()
        # Restarted without the flag: nothing serves, and the old address file is gone.
        c.extra_args = []
        c.start()
        self.assertFalse(os.path.exists(os.path.join(c.data_dir, "metrics.addr")))
        with self.assertRaises(urllib.error.URLError):
            scrape(c.metrics_address)
        c.stop()

    def run_collector(self, metrics_listen):
        c = self.fleet.collector(extra_args=["--metrics-listen", metrics_listen])
        os.makedirs(c.data_dir, exist_ok=True)
        return subprocess.run(c.command(), capture_output=True, text=True, timeout=60)

    def test_bad_addresses_exit_with_a_clear_message(self):
        # Malformed: a configuration error (collector 2, agent 1, as for their other settings).
        p = self.run_collector("9464")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("want HOST:PORT", p.stderr)
        self.fleet.issue("agent", "pi-bad")
        pcap = fleet.real_pcap(PCAP)
        rc, log = self.fleet.run_agent(pcap, "127.0.0.1:1", "pi-bad",
                                       extra=["--metrics-listen", "[::1:9465"])
        self.assertEqual(rc, 1, log)
        self.assertIn("--metrics-listen", log)
        self.assertIn("want HOST:PORT", log)
        # Well-formed but cannot be bound: a runtime error (collector 1, agent 4).
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            busy = "127.0.0.1:%d" % taken.getsockname()[1]
            p = self.run_collector(busy)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn(f"cannot serve metrics on {busy}: Address already in use", p.stderr)
            rc, log = self.fleet.run_agent(pcap, "127.0.0.1:1", "pi-bad",
                                           extra=["--metrics-listen", busy])
            self.assertEqual(rc, 4, log)
            self.assertIn(f"cannot serve metrics on {busy}: Address already in use", log)


def count_records(pcap):
    """Records in a classic pcap file, counted from its headers alone."""
    import struct
    with open(pcap, "rb") as f:
        data = f.read()
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    offset, n = 24, 0
    while offset + 16 <= len(data):
        incl_len = struct.unpack(endian + "I", data[offset + 8:offset + 12])[0]
        offset += 16 + incl_len
        n += 1
    return n


if __name__ == "__main__":
    fleet.main()
