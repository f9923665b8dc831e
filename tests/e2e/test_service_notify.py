"""systemd integration without systemd: the test plays systemd's side of sd_notify(3). It binds a
datagram socket, starts the real collector and a real replaying agent with NOTIFY_SOCKET and
WATCHDOG_USEC pointing at it (what a Type=notify unit with WatchdogSec= gives a service), and
reads what they announce: READY=1 with a status line once serving, WATCHDOG=1 pings at least
every half interval while healthy, STOPPING=1 on the way out. A service that stopped pinging
would be restarted by systemd (deploy/systemd units: WatchdogSec=).
"""

import os
import socket
import subprocess
import threading
import time

import fleet

WATCHDOG_USEC = 400_000  # 0.4 s: several pings within a short test


class NotifySocket:
    """systemd's end: reads every datagram as it arrives, on its own thread, as systemd does (a
    datagram queue left unread fills after 10 messages and then blocks the sender)."""

    def __init__(self, directory, name):
        self.path = os.path.join(directory, name)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.1)
        self.lock = threading.Lock()
        self.received = []  # (monotonic time, text), appended by the reader thread
        self.messages = []  # what drain() has taken over
        self.closed = False
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while not self.closed:
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.received.append((time.monotonic(), data.decode()))

    def close(self):
        self.closed = True
        self.reader.join()
        self.sock.close()

    def drain(self):
        with self.lock:
            self.messages = list(self.received)

    def wait_for(self, text, timeout):
        def seen():
            self.drain()
            return any(text in m for _, m in self.messages)
        fleet.wait_until(seen, timeout, f"{text!r} on {self.path}; got {self.texts()}")

    def texts(self):
        return [m for _, m in self.messages]

    def pings(self):
        return [t for t, m in self.messages if m == "WATCHDOG=1"]


class ServiceNotify(fleet.FleetTestCase):
    def setUp(self):
        self.fleet = fleet.Fleet(self, prefix="airfleet-notify-")
        self.saved_env = dict(os.environ)
        self.addCleanup(self.restore_env)

    def restore_env(self):
        os.environ.clear()
        os.environ.update(self.saved_env)

    def under_systemd(self, sock):
        os.environ["NOTIFY_SOCKET"] = sock.path
        os.environ["WATCHDOG_USEC"] = str(WATCHDOG_USEC)

    def assert_regular_pings(self, sock, at_least):
        pings = sock.pings()
        self.assertGreaterEqual(len(pings), at_least, sock.texts())
#systemd restarts a service that goes a whole interval without a ping.
        gaps = [b - a for a, b in zip(pings, pings[1:])]
        self.assertLess(max(gaps), WATCHDOG_USEC / 1e6, gaps)

    def test_collector_and_agent_announce_readiness_ping_and_stop(self):
        f = self.fleet
        collector_sock = NotifySocket(f.dir, "collector.notify")
        self.addCleanup(collector_sock.close)
        self.under_systemd(collector_sock)
        collector = f.collector()
        addr = collector.start()
        collector_sock.wait_for("READY=1", 10)
        ready = [m for m in collector_sock.texts() if "READY=1" in m][0]
        self.assertIn(f"STATUS=serving on {addr}", ready)
        fleet.wait_until(lambda: collector_sock.drain() or len(collector_sock.pings()) >= 5, 10,
                         "five watchdog pings from the collector")

        agent_sock = NotifySocket(f.dir, "agent.notify")
        self.addCleanup(agent_sock.close)
        self.under_systemd(agent_sock)
        f.issue("agent", "pi-notify")
        if not os.access(fleet.Binaries.framegen or "", os.X_OK):
            self.skipTest("airfleet-framegen not built")
        pcap = os.path.join(f.dir, "scenario.pcap")
# 120 s of traffic at 40x : the agent replays for about 3 s.
        subprocess.run([fleet.Binaries.framegen, "scenario", "--devices", "20", "--frames",
                        "6000", "--seconds", "120", "--seed", "5", "--start", "1700000000",
                        "--window-ms", "60000", "--out", pcap],
                       check=True, capture_output=True, timeout=120)
        rc, log = f.run_agent(pcap, addr, "pi-notify", speed=40, timeout=120)
        self.assertEqual(rc, 0, log)
        agent_sock.drain()
        texts = agent_sock.texts()
        self.assertTrue(texts and texts[0].startswith("READY=1\nSTATUS=replaying "), texts)
        self.assertEqual(texts[-1], "STOPPING=1", texts)
        self.assert_regular_pings(agent_sock, at_least=4)

        collector.stop()
        collector_sock.drain()
        self.assertEqual(collector_sock.texts()[-1], "STOPPING=1")
        self.assert_regular_pings(collector_sock, at_least=5)

    def test_no_socket_means_no_notifications_and_no_harm(self):
        os.environ.pop("NOTIFY_SOCKET", None)
        os.environ["WATCHDOG_USEC"] = str(WATCHDOG_USEC)  # ignored without a socket
        collector = self.fleet.collector()
        collector.start()
        collector.stop()  # asserts a clean exit


if __name__ == "__main__":
    fleet.main()
