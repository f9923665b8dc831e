"""External sinks end to end: real agents replay real captures into a real collector whose
outbox feeds a real OpenSearch node and a real Cassandra node (started by the ctest fixtures
tests/servers/{opensearch,cassandra}.sh). The engines are read back with independent clients
(curl-equivalent HTTP + json for OpenSearch, the DataStax Python driver for Cassandra).

The network to each engine runs through a TcpProxy so the test can cut it: both engines are
unreachable while the agents deliver, the collector is restarted while Cassandra is still cut off,
and only then are the links healed. Guarantee checked: the agents never noticed (they finish
normally), and afterwards every window, device and probe of the embedded store is in both engines
exactly once.
"""
import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import fleet  # noqa: E402
from tcp_proxy import TcpProxy  # noqa: E402

CAPTURES = ["ProbingPatternsDataset__OppoFindX3Neo-A_anonymized.pcap",
            "ProbingPatternsDataset__S21Ultra-M_anonymized.pcap"]
CASSANDRA_READ = os.path.join(fleet.ROOT, "tests", "servers", "cassandra_read.py")


def http_json(method, url, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read() or b"null")


class SinksTest(fleet.FleetTestCase):
    def setUp(self):
        os_file = os.environ.get("AIRFLEET_OPENSEARCH_URL_FILE")
        cass_file = os.environ.get("AIRFLEET_CASSANDRA_ENV")
        if not os_file or not cass_file:
            self.fail("needs the opensearch and cassandra ctest fixtures "
                      "(AIRFLEET_OPENSEARCH_URL_FILE, AIRFLEET_CASSANDRA_ENV)")
        with open(os_file) as f:
            self.es_url = f.read().strip().rstrip("/")
        self.cass = fleet.read_env_file(cass_file)
        es_host, es_port = self.es_url.split("//", 1)[1].split(":")
        self.es_proxy = TcpProxy(es_host, es_port)
        self.cass_proxy = TcpProxy(self.cass["AIRFLEET_CASSANDRA_HOST"],
                                   self.cass["AIRFLEET_CASSANDRA_PORT"])
        self.addCleanup(self.es_proxy.close)
        self.addCleanup(self.cass_proxy.close)
        # Fresh names per run: reruns against the same servers never see old data.
        self.tag = "e2e" + uuid.uuid4().hex[:8]
        self.fleet = fleet.Fleet(self)

    def write_config(self):
        password_file = os.path.join(self.fleet.dir, "cassandra-password")
        with open(password_file, "w") as f:
            f.write(self.cass["AIRFLEET_CASSANDRA_PASSWORD"] + "\n")
        config = os.path.join(self.fleet.dir, "collector.yaml")
        with open(config, "w") as f:
            f.write(f"""
agents:
  pi-a: {{location: {{lat: 52.52, lon: 13.405}}}}
sinks:
  outbox_quota_mb: 256
  elasticsearch:
    hosts: ["http://127.0.0.1:{self.es_proxy.port}"]
    index_prefix: {self.tag}
    request_timeout_ms: 20000
  cassandra:
    contact_points: ["127.0.0.1:{self.cass_proxy.port}"]
    keyspace: {self.tag}
    username: {self.cass["AIRFLEET_CASSANDRA_USER"]}
    password_file: {password_file}
    consistency: ONE
""")
        return config

    def sinks(self, addr):
        p = self.fleet.ctl_raw("sinks", "--output", "json", check=True, collector=addr)
        return {s["sink"]: s for s in json.loads(p.stdout)}

    def cql(self, query):
        p = subprocess.run(["/usr/bin/python3", CASSANDRA_READ, "127.0.0.1",
                            self.cass["AIRFLEET_CASSANDRA_PORT"],
                            self.cass["AIRFLEET_CASSANDRA_USER"],
                            self.cass["AIRFLEET_CASSANDRA_PASSWORD"], query],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        return json.loads(p.stdout)

    def es_docs(self, kind):
        index = f"{self.tag}-{kind}-*"
        http_json("POST", f"{self.es_url}/{index}/_refresh")
        count = http_json("GET", f"{self.es_url}/{index}/_count")["count"]
        hits = http_json("POST", f"{self.es_url}/{index}/_search",
                         {"size": 10000, "query": {"match_all": {}}})["hits"]["hits"]
        self.assertEqual(len(hits), count, "more documents than one search page")
        return [h["_source"] for h in hits], [h["_id"] for h in hits]

    def test_everything_reaches_both_engines_once_across_outages_and_a_restart(self):
        config = self.write_config()
        collector = self.fleet.collector(extra_args=["--config", config])
        addr = collector.start()

        init = self.fleet.ctl_raw("sinks", "init", collector=addr, timeout=300)
        self.assertEqual(init.returncode, 0, init.stderr)
        self.assertIn(f"cassandra: keyspace {self.tag} and its tables are in place", init.stdout)
        self.assertIn(f"elasticsearch: index templates {self.tag}-* installed", init.stdout)

        # Both engines unreachable while the agents deliver: ingest must not care.
        self.es_proxy.down()
        self.cass_proxy.down()
        for i, name in enumerate(CAPTURES):
            agent = "pi-a" if i == 0 else "pi-b"
            self.fleet.issue("agent", agent)
            rc, log = self.fleet.run_agent(fleet.real_pcap(name), addr, agent, timeout=180)
            self.assertEqual(rc, 0, log)

        def backlog_visible():
            s = self.sinks(addr)
            return (s["elasticsearch"]["pending"] > 0 and s["cassandra"]["pending"] > 0 and
                    s["elasticsearch"]["last_error"] and s["cassandra"]["last_error"]) and s
        fleet.wait_until(backlog_visible, 60, "both sinks report a backlog and an error")

        # Heal OpenSearch only, restart the collector while Cassandra is still cut off: the
        # outbox and the cursors are on disk.
        self.es_proxy.up()
        fleet.wait_until(lambda: self.sinks(addr)["elasticsearch"]["pending"] == 0, 180,
                         "OpenSearch caught up")
        collector.stop()
        addr = collector.start()
        self.assertGreater(self.sinks(addr)["cassandra"]["pending"], 0)
        self.cass_proxy.up()
        healed = time.monotonic()
        fleet.wait_until(lambda: self.sinks(addr)["cassandra"]["pending"] == 0, 240,
                         "Cassandra caught up")
        sys.stderr.write(f"(Cassandra backlog drained {time.monotonic() - healed:.1f}s after "
                         f"the link healed)\n")
        final = self.sinks(addr)
        for name in ("elasticsearch", "cassandra"):
            self.assertEqual(final[name]["dead_lettered"], 0, final[name])

        # ---- the embedded store is the reference ----
        exported = self.fleet.export_windows(addr)
        self.assertGreater(len(exported), 0)
        want = sorted((w["agent"], w["mac"], w["window_start"] // 1_000_000, w["frames"])
                      for w in exported)
        devices = json.loads(self.fleet.ctl_raw("devices", "--output", "json", check=True,
                                                collector=addr).stdout)
        want_macs = sorted(d["mac"] for d in devices)

        # OpenSearch: one document per window, same content; devices; probes.
        docs, ids = self.es_docs("windows")
        self.assertEqual(len(ids), len(set(ids)))
        got = sorted((d["agent_id"], d["mac"], self.iso_ms(d["window_start"]), d["frames"])
                     for d in docs)
        self.assertEqual(got, want)
        located = [d for d in docs if d["agent_id"] == "pi-a"]
        self.assertTrue(located and all(d.get("location") for d in located))
        dev_docs, _ = self.es_docs("devices")
        self.assertEqual(sorted(d["mac"] for d in dev_docs), want_macs)
        probe_docs, probe_ids = self.es_docs("probes")
        self.assertGreater(len(probe_docs), 0)

        # Cassandra: the same, read by the Python driver.
        rows = self.cql(f"SELECT agent_id, mac, window_start_ns, frames, probed_ssids, "
                        f"encryption, first_seq, last_seq FROM {self.tag}.device_windows")
        got = sorted((r["agent_id"], r["mac"], r["window_start_ns"] // 1_000_000, r["frames"])
                     for r in rows)
        self.assertEqual(got, want)
        # The whole window, not only its counts: probed SSIDs (hex), encryption, sequence range.
        # Cassandra returns an empty list as null.
        def detail(agent, mac, start_ms, ssids, encryption, first_seq, last_seq):
            return (agent, mac, start_ms, tuple(ssids or ()), tuple(encryption or ()),
                    first_seq, last_seq)
        got = sorted(detail(r["agent_id"], r["mac"], r["window_start_ns"] // 1_000_000,
                            r["probed_ssids"], r["encryption"], r["first_seq"], r["last_seq"])
                     for r in rows)
        want_detail = sorted(detail(w["agent"], w["mac"], w["window_start"] // 1_000_000,
                                    w["probed_ssids"], w["encryption"], w["first_seq"],
                                    w["last_seq"]) for w in exported)
        self.assertEqual(got, want_detail)
        self.assertTrue(any(d[3] for d in want_detail), "some window probed for an SSID")
        rows = self.cql(f"SELECT mac FROM {self.tag}.devices")
        self.assertEqual(sorted(r["mac"] for r in rows), want_macs)
        rows = self.cql(f"SELECT mac FROM {self.tag}.probe_observations")
        self.assertEqual(len(rows), len(probe_docs))

    @staticmethod
    def iso_ms(text):
        import datetime
        t = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        return round(t.timestamp() * 1000)


if __name__ == "__main__":
    fleet.main()
