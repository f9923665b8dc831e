"""Privacy at the edge, end to end (agent/privacy/, docs/privacy.md).

A real agent replays a real capture with `--privacy pseudonymise --privacy-ssids hash` to a real
collector over mutual TLS. Oracle: tshark. Every address tshark reports (wlan.sa/ta/ra/bssid,
broadcast excepted: it names no device and is kept by design) and every SSID it reports must be
absent from
  * the agent's spool files (RocksDB WAL/SST/MANIFEST bytes), and
  * the collector's store files and what `airfleetctl export windows` returns
— the wire itself is TLS, so what the collector received is judged by what it stored.
Addresses are searched as protobuf varints (their wire form), as the 6 raw octets and as text;
SSIDs as raw bytes (those of 5 bytes or more, shorter ones occur by chance in binary data) and as
hex in the JSON export.

Compression: the spool and store compress SST files (LZ4), which could hide raw bytes from a scan.
Instead of weakening the product for the test, a control run (same capture, privacy off) must
FIND the raw values with the very same scanner; only then does "not found" under
pseudonymisation mean something.

Exact values: the exported pseudonyms and hashed SSIDs are recomputed here with Python's hmac
module from the key file (common/pseudonym.h documents the derivation), not taken from the
agent. And a device registered by its raw MAC is still reported as known.
"""

import hashlib
import hmac
import json
import os
import shutil
import struct
import subprocess
import unittest

import fleet

CAPTURE = "wireshark__wpa-Induction.pcap"
CLIENT = "00:0d:93:82:36:3a"  # the capture's Wi-Fi client (an Apple OUI)
DAY_NS = 86400 * 10**9
ANCHOR_NS = 4 * DAY_NS  # rotation periods start on Mondays (common/pseudonym.h)


def tshark_fields(pcap):
    if shutil.which("tshark") is None:
        raise unittest.SkipTest("tshark (the oracle) is not installed")
    out = subprocess.run(
        ["tshark", "-r", pcap, "-T", "fields", "-E", "separator=\t",
         "-e", "wlan.sa", "-e", "wlan.ta", "-e", "wlan.ra", "-e", "wlan.bssid", "-e", "wlan.ssid"],
        capture_output=True, text=True, check=True, timeout=300).stdout
    macs, ssids = set(), set()
    for line in out.splitlines():
        cols = line.split("\t")
        for col in cols[:4]:
            for m in col.split(","):
                if m and m != "ff:ff:ff:ff:ff:ff":
                    macs.add(m)
        if len(cols) > 4:
            for s in cols[4].split(","):
                if not s or s == "<MISSING>":
                    continue
                try:  # this tshark prints SSIDs as hex
                    raw = bytes.fromhex(s)
                except ValueError:
                    raw = s.encode()
                if raw.strip(b"\0"):
                    ssids.add(raw)
    return macs, ssids


def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def mac_needles(mac):
    raw = bytes.fromhex(mac.replace(":", ""))
    return [varint(int.from_bytes(raw, "big")), raw, mac.encode(), mac.upper().encode()]


def ssid_needles(ssid):
    return [ssid] if len(ssid) >= 5 else []


def scan_dir(path, needles):
    """{needle: [files]} for every needle found in any file under path."""
    found = {}
    blobs = []
    for root, _, files in os.walk(path):
        for f in files:
            p = os.path.join(root, f)
            try:
                with open(p, "rb") as fh:
                    blobs.append((p, fh.read()))
            except OSError:
                pass
    for n in needles:
        hits = [p for p, data in blobs if n in data]
        if hits:
            found[n] = hits
    return found


# The reference implementation of common/pseudonym.h, written from its header comment.
def period_key(key, start_ns):
    return hmac.new(key, b"airfleet/pseudonym/v1" + struct.pack(">q", start_ns),
                    hashlib.sha256).digest()


def period_start(t_ns, period_ns):
    if period_ns == 0:
        return 0
    return ANCHOR_NS + (t_ns - ANCHOR_NS) // period_ns * period_ns


def pseudonym(pk, mac_text):
    b = bytes.fromhex(mac_text.replace(":", ""))
    if b == b"\xff" * 6 or b == b"\0" * 6:
        return mac_text
    h = hmac.new(pk, b, hashlib.sha256).digest()
    out = bytes([(h[0] & 0xFC) | (b[0] & 0x03)]) + h[1:6]
    return ":".join("%02x" % o for o in out)


def hashed_ssid(pk, ssid):
    return b"hmac:" + hmac.new(pk, b"ssid:" + ssid, hashlib.sha256).hexdigest()[:16].encode()


class PrivacyTest(fleet.FleetTestCase):
    def setUp(self):
        self.pcap = fleet.real_pcap(CAPTURE)
        self.macs, self.ssids = tshark_fields(self.pcap)
        self.assertIn(CLIENT, self.macs)
        self.assertIn(b"Coherer", self.ssids)

    def run_fleet(self, privacy, via_config=False):
        """One collector + one agent replaying the capture; returns (fleet, collector, spool)."""
        f = fleet.Fleet(self)
        key_path = os.path.join(f.dir, "privacy.key")
        with open(key_path, "wb") as fh:
            fh.write(os.urandom(32))
        os.chmod(key_path, 0o600)
        collector = f.collector(extra=["--privacy-key-file", key_path] if privacy else [])
        addr = collector.start()
        f.issue("agent", "sensor-1")
        spool = os.path.join(f.dir, "spool-sensor-1")
        extra = []
        if privacy and via_config:
            config = os.path.join(f.dir, "agent.yaml")
            with open(config, "w") as fh:
                fh.write(f"privacy:\n  mode: pseudonymise\n  key_file: {key_path}\n"
                         "  ssids: hash\n  rotate: daily\n")
            extra = ["--config", config]
        elif privacy:
            extra = ["--privacy", "pseudonymise", "--privacy-ssids", "hash",
                     "--privacy-key-file", key_path, "--privacy-rotate", "daily"]
        rc, log = f.run_agent(self.pcap, addr, "sensor-1", spool=spool, extra=extra)
        self.assertEqual(rc, 0, log)
        with open(key_path, "rb") as fh:
            self.key = fh.read()
        # Everything is acknowledged, i.e. committed and synced to the store's files. Scan them
        # now: the known-device registry added below legitimately holds the raw MAC an operator
        # typed in, and lives in the same store.
        needles = self.needles()
        self.found = {"spool": scan_dir(spool, needles),
                      "store": scan_dir(collector.data_dir, needles)}
        # Registered by its real MAC after the data arrived (matching is at query time).
        f.ctl_raw("known", "add", CLIENT, "--name", "induction-laptop", check=True,
                  collector=addr)
        return f, collector, addr, spool

    def needles(self):
        needles = {}
        for m in self.macs:
            for n in mac_needles(m):
                needles[n] = m
        for s in self.ssids:
            for n in ssid_needles(s):
                needles[n] = s
        return needles

    def test_control_run_without_privacy_exposes_raw_values(self):
        """The scanner finds raw values when they are there (so the main test can fail)."""
        f, collector, addr, spool = self.run_fleet(privacy=False)
        exported = f.export_windows(addr)
        collector.stop()
        for label, found in self.found.items():
            self.assertIn(varint(int(CLIENT.replace(":", ""), 16)), found,
                          f"the {label} scan misses the client's raw MAC without privacy: "
                          "the scan would prove nothing")
            self.assertIn(b"Coherer", found, f"the {label} scan misses the raw SSID")
        self.assertIn(CLIENT, {w["mac"] for w in exported})

    def test_no_raw_mac_or_ssid_leaves_the_agent(self):
        f, collector, addr, spool = self.run_fleet(privacy=True)
        exported = f.export_windows(addr)
        devices = json.loads(f.ctl_raw("devices", "--known", "--output", "json", check=True,
                                       collector=addr).stdout)
        collector.stop()
        self.assertTrue(exported, "nothing was delivered")

        needles = self.needles()
        for label, found in self.found.items():
            leaks = sorted({repr(needles[n]) for n in found})
            self.assertEqual(leaks, [], f"raw values in the {label}: {leaks[:10]}")

        text = json.dumps(exported)
        for m in self.macs:
            self.assertNotIn(m, text)
        for s in self.ssids:
            self.assertNotIn(s.hex(), text)

        # Exact pseudonyms and hashed SSIDs, recomputed independently.
        by_window = {}
        for w in exported:
            pk = period_key(self.key, period_start(w["window_start"], DAY_NS))
            by_window.setdefault(w["window_start"], pk)
        macs = {w["mac"] for w in exported}
        for start, pk in by_window.items():
            self.assertIn(pseudonym(pk, CLIENT), macs)
        aps = [w for w in exported if w.get("ap_ssid")]
        self.assertTrue(aps, "no access point window exported")
        for w in aps:
            pk = by_window[w["window_start"]]
            self.assertEqual(bytes.fromhex(w["ap_ssid"]), hashed_ssid(pk, b"Coherer"), w["mac"])

        # Known devices still match: the registry holds the raw MAC, the data only pseudonyms.
        names = {d.get("name") for d in devices}
        self.assertEqual(names, {"induction-laptop"}, devices)
        client_pseudonyms = {pseudonym(pk, CLIENT) for pk in by_window.values()}
        self.assertEqual({d["mac"] for d in devices}, client_pseudonyms)
        for d in devices:
            self.assertEqual(d["known"], "known")

    def test_privacy_section_of_the_config_file(self):
        """The same settings from agent.yaml's privacy section instead of flags."""
        f, collector, addr, spool = self.run_fleet(privacy=True, via_config=True)
        exported = f.export_windows(addr)
        collector.stop()
        needles = self.needles()
        for label, found in self.found.items():
            leaks = sorted({repr(needles[n]) for n in found})
            self.assertEqual(leaks, [], f"raw values in the {label}: {leaks[:10]}")
        starts = {w["window_start"] for w in exported}
        self.assertTrue(starts)
        expected = {pseudonym(period_key(self.key, period_start(t, DAY_NS)), CLIENT)
                    for t in starts}
        self.assertTrue(expected & {w["mac"] for w in exported})

    def test_key_file_others_can_read_is_refused(self):
        """Like ssh: a readable key makes the pseudonyms reversible by anyone on the host."""
        f = fleet.Fleet(self)
        key_path = os.path.join(f.dir, "loose.key")
        with open(key_path, "wb") as fh:
            fh.write(os.urandom(32))
        os.chmod(key_path, 0o644)
        p = subprocess.run([fleet.Binaries.agent, "summarise", "--pcap", self.pcap,
                            "--privacy", "pseudonymise", "--privacy-key-file", key_path],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("too open", p.stderr)
        self.assertIn("chmod 600", p.stderr)
        self.assertEqual(p.stdout, "", "nothing may be printed with a refused key")
        collector = f.collector(extra=["--privacy-key-file", key_path])
        with self.assertRaises(AssertionError) as refused:
            collector.start()
        self.assertIn("too open", str(refused.exception))


if __name__ == "__main__":
    fleet.main()
