#!/usr/bin/env python3
"""Frame-by-frame comparison of `airfleet-agent inspect` with Wireshark's tshark.

For every capture in AIRFLEET_REAL_PCAPS this runs both tools and compares, per frame: type,
subtype, ta, ra, sa, da, bssid, dbm (first antenna signal), freq_mhz and ssid_hex. tshark is the
oracle. Files whose FEATURES.tsv hint is `-o wlan.check_fcs:TRUE` are run with that option in
tshark and `--fcs present` in airfleet (plain 802.11 / Prism headers do not say whether an FCS is
there; see the README of the captures).

Every difference we keep on purpose is listed in KNOWN_DIFFERENCES with its reason; anything else
fails the test. Prints a per-field agreement table.

Usage: tshark_conformance.py AGENT_BINARY [PCAP_DIR]
"""

import csv
import json
import os
import subprocess
import sys
from collections import defaultdict

FIELDS = ["type", "subtype", "ta", "ra", "sa", "da", "bssid", "dbm", "freq_mhz", "ssid_hex"]
TSHARK_FIELDS = {
    "type": "wlan.fc.type",
    "subtype": "wlan.fc.subtype",
    "ta": "wlan.ta",
    "ra": "wlan.ra",
    "sa": "wlan.sa",
    "da": "wlan.da",
    "bssid": "wlan.bssid",
    # The frame's signal is the first antenna signal (the combined one in radiotap's first present
    # word). tshark's wlan_radio.signal_dbm keeps the last one parsed, so for radiotap we compare
    # with the first radiotap.dbm_antsignal occurrence and fall back to wlan_radio.signal_dbm for
    # PPI / Prism / AVS, which carry a single signal.
    "dbm": "radiotap.dbm_antsignal",
    "freq_mhz": "wlan_radio.frequency",
    "ssid_hex": "wlan.ssid",
}

# (file, frame number) -> reason. Each entry is a deliberate decision; every field of that frame may
# differ. These are the only frames of the 56,160 where airfleet and tshark disagree.
KNOWN_DIFFERENCES = {
    ("aircrack-ng__wpaclean_crash.pcap", 1):
        "a 17-byte DLT 119 record cannot hold the 144-byte Prism header, so there is no 802.11 "
        "frame to locate; tshark decodes bytes of the broken header as 802.11 (and marks it "
        "malformed). We report prism_truncated and no addresses.",
    ("packetnet__80211_raw.pcap", 1):
        "protocol version 1 (802.11ah PV1 short frame): a different header layout that we do not "
        "decode (anomaly reserved_frame_type); tshark reads it with the PV0 layout.",
    ("tcpdump__ieee802.11_rates_oobr.pcap", 1):
        "radiotap version byte is not 0: the header format is unknown, so we refuse it "
        "(radiotap_bad_version); tshark decodes the bytes anyway and marks the frame malformed.",
}


def load_hints(pcap_dir):
    hints = {}
    path = os.path.join(pcap_dir, "FEATURES.tsv")
    with open(path, newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            hints[row["filename"]] = row.get("tshark_oracle_hint", "-")
    return hints


def normalise_tshark(field, value):
    if value == "":
        return None
    if field == "ssid_hex":
        if value == "<MISSING>":
            return ""
        return value.replace(":", "").lower()
    if field in ("dbm", "freq_mhz", "type", "subtype"):
        try:
            return int(value, 0) if value.startswith("0x") else int(float(value))
        except ValueError:
            return value
    return value.lower()


def run_tshark(path, check_fcs):
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f",
           "-e", "frame.number"]
    if check_fcs:
        cmd[1:1] = ["-o", "wlan.check_fcs:TRUE"]
    for field in FIELDS:
        cmd += ["-e", TSHARK_FIELDS[field]]
    cmd += ["-e", "wlan_radio.signal_dbm"]
    out = subprocess.run(cmd, capture_output=True, text=True, errors="replace").stdout
    frames = {}
    for line in out.splitlines():
        cols = line.split("\t")
        if not cols[0]:
            continue
        cols += [""] * (len(FIELDS) + 2 - len(cols))
        frame = {f: normalise_tshark(f, cols[i + 1]) for i, f in enumerate(FIELDS)}
        if frame["dbm"] is None:
            frame["dbm"] = normalise_tshark("dbm", cols[len(FIELDS) + 1])
        frames[int(cols[0])] = frame
    return frames


def run_agent(agent, path, fcs):
    cmd = [agent, "inspect", "--pcap", path, "--fcs", fcs, "--format", "ndjson"]
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    frames = {}
    for line in proc.stdout.splitlines():
        obj = json.loads(line)
        frames[obj["frame"]] = {f: obj.get(f) for f in FIELDS}
    return proc.returncode, proc.stderr, frames


def main():
    agent = sys.argv[1]
    pcap_dir = sys.argv[2] if len(sys.argv) > 2 else os.environ.get(
        "AIRFLEET_REAL_PCAPS", os.path.join(os.path.dirname(__file__), "../../../shared/testdata/pcaps"))
    hints = load_hints(pcap_dir)
    files = sorted(f for f in os.listdir(pcap_dir) if f.endswith((".pcap", ".pcapng", ".cap")))
    if not files:
        print(f"no captures in {pcap_dir}")
        return 1
    compared = defaultdict(int)
    agreed = defaultdict(int)
    kept = defaultdict(int)
    failures = []
    crashes = []
    total_frames = 0
    for name in files:
        path = os.path.join(pcap_dir, name)
        check_fcs = "check_fcs:TRUE" in hints.get(name, "-")
        rc, err, ours = run_agent(agent, path, "present" if check_fcs else "auto")
        # 0 = clean, 3 = file cut short (whatever it held was printed), 2 = not an 802.11 capture.
        if rc not in (0, 2, 3):
            crashes.append(f"{name}: exit {rc}: {err.strip()[:200]}")
            continue
        theirs = run_tshark(path, check_fcs)
        if rc == 2:
            if any(v["type"] is not None for v in theirs.values()):
                failures.append(f"{name}: agent refused the file ({err.strip()}) but tshark decodes 802.11")
            continue
        for number, t in theirs.items():
            total_frames += 1
            o = ours.get(number)
            if o is None:
                failures.append(f"{name} frame {number}: missing from inspect output")
                continue
            for field in FIELDS:
                compared[field] += 1
                if o[field] == t[field]:
                    agreed[field] += 1
                    continue
                if (name, number) in KNOWN_DIFFERENCES:
                    kept[field] += 1
                    continue
                failures.append(f"{name} frame {number} {field}: airfleet={o[field]!r} tshark={t[field]!r}")
    print(f"{len(files)} files, {total_frames} frames compared with tshark")
    print(f"{'field':10} {'compared':>9} {'agree':>9} {'kept':>6} {'agreement':>10}")
    for field in FIELDS:
        c = compared[field]
        pct = 100.0 * agreed[field] / c if c else 100.0
        print(f"{field:10} {c:9} {agreed[field]:9} {kept[field]:6} {pct:9.3f}%")
    for line in crashes[:50]:
        print("CRASH/ERROR:", line)
    for line in failures[:200]:
        print("DIFF:", line)
    if len(failures) > 200:
        print(f"... and {len(failures) - 200} more differences")
    ok = not crashes and not failures
    print(f"{1 if ok else 0} passed, {0 if ok else 1} failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
