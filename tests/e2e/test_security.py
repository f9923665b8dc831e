"""Identity comes from certificates (real binaries, real TLS):

* an agent whose certificate was issued by another CA is refused: it says so on stderr, stores
  nothing, and does not exit 0 (with --exit-when-drained --drain-timeout 5s it gives up non-zero);
* airfleetctl with an agent certificate is refused by the admin API: exit 3 (permission) and a
  message;
* a collector whose key does not match its certificate refuses to start: exit 1, a message naming
  both files.
"""

import os
import subprocess
import time

import fleet

CAPTURE = "libpcap__http_PPI.pcap"
EXIT_AGENT_RUNTIME = 4  # airfleet-agent: runtime failure (spool, uplink, capture device)
EXIT_PERMISSION = 3  # airfleetctl: permission denied (needs an operator certificate)


class Security(fleet.FleetTestCase):
    def setUp(self):
        self.fleet = fleet.Fleet(self)

    def test_agent_with_foreign_ca_is_refused(self):
        f = self.fleet
        collector = f.collector()
        addr = collector.start()
        rogue_pki = os.path.join(f.dir, "rogue-pki")
        f.ctl_raw("pki", "init", "--dir", rogue_pki, check=True)
        f.issue("agent", "pi-rogue", pki=rogue_pki)
        started = time.monotonic()
        proc = f.start_agent(fleet.real_pcap(CAPTURE), addr, "pi-rogue", pki=rogue_pki,
                             extra=["--drain-timeout", "5s"])
        try:
            rc = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.fail("the agent did not give up after its 5 s drain timeout")
        elapsed = time.monotonic() - started
        log = fleet.read_tail(proc.log_path)
        # Exit 4 (runtime failure) once the drain timeout has passed, the spool keeping the data.
        self.assertEqual(rc, EXIT_AGENT_RUNTIME, log)
        self.assertGreaterEqual(elapsed, 4.5, "gave up before its drain timeout: " + log)
        self.assertIn("not everything was acknowledged", log)
        self.assertIn("refused our certificate", log)
        self.assertIn("pi-rogue.pem", log)
        self.assertNotIn("everything acknowledged by", log)
        self.assertEqual(f.export_windows(addr), [])
        self.assertNotIn("pi-rogue", f.agents(addr))

    def test_ctl_with_agent_certificate_is_refused(self):
        f = self.fleet
        collector = f.collector()
        addr = collector.start()
        f.issue("agent", "pi-nosy")
        for args in (("agents",), ("export", "windows"), ("devices",)):
            with self.subTest(command=" ".join(args)):
                p = f.ctl_raw(*args, cert="pi-nosy", collector=addr)
                self.assertEqual(p.returncode, EXIT_PERMISSION, p.stderr)
                self.assertIn("airfleetctl:", p.stderr)
                self.assertIn("needs an operator certificate", p.stderr)
                self.assertEqual(p.stdout.strip() in ("", "[]"), True, p.stdout)
        # The operator certificate still works.
        self.assertEqual(f.ctl_raw("agents", collector=addr).returncode, 0)

    def test_collector_with_mismatched_key_refuses_to_start(self):
        f = self.fleet
        f.issue("collector", "other-collector")
        collector = f.collector()
        os.makedirs(collector.data_dir, exist_ok=True)
        cmd = collector.command(key=os.path.join(f.pki, "other-collector.key"))
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("does not match", p.stderr)
        self.assertIn("other-collector.key", p.stderr)
        self.assertIn("localhost.pem", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(collector.data_dir, "collector.addr")))


if __name__ == "__main__":
    fleet.main()
