#!/usr/bin/env python3
"""Builds a libFuzzer seed corpus from the real captures (read by path; nothing is copied into
the repository).

dissect_fuzzer: one seed per distinct record, prefixed by the selector byte that
agent/dissect/dissect_fuzzer.cc decodes (linktype index in the low bits).
capture_file_fuzzer (and any other *_file_fuzzer): the first 16 KiB of each small capture file.
"""

import hashlib
import os
import struct
import sys

LINKTYPE_INDEX = {127: 0, 105: 1, 192: 2, 119: 3, 163: 4}
MAX_SEEDS_PER_FILE = 40


def pcap_records(data):
    """Yields (linktype, record bytes) from a classic pcap file; stops quietly at a cut."""
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0xFFFF
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        if off + 16 + caplen > len(data):
            return
        yield linktype, data[off + 16:off + 16 + caplen]
        off += 16 + caplen


def pcapng_records(data):
    off = 0
    e = "<"
    linktypes = []
    while off + 12 <= len(data):
        btype = struct.unpack(e + "I", data[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            bom = data[off + 8:off + 12]
            e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            linktypes = []
        blen = struct.unpack(e + "I", data[off + 4:off + 8])[0]
        if blen < 12 or off + blen > len(data):
            return
        body = data[off + 8:off + blen - 4]
        if btype == 1 and len(body) >= 2:
            linktypes.append(struct.unpack(e + "H", body[:2])[0])
        elif btype == 6 and len(body) >= 20:
            iface, _, _, caplen, _ = struct.unpack(e + "IIIII", body[:20])
            if iface < len(linktypes):
                yield linktypes[iface], body[20:20 + caplen]
        off += blen


def main():
    target, pcap_dir, out_dir = sys.argv[1:4]
    os.makedirs(out_dir, exist_ok=True)
    written = 0
    for name in sorted(os.listdir(pcap_dir)):
        if not name.endswith((".pcap", ".pcapng", ".cap")):
            continue
        with open(os.path.join(pcap_dir, name), "rb") as f:
            data = f.read()
        if target == "dissect_fuzzer":
            records = pcapng_records(data) if data[:4] == b"\x0a\x0d\x0d\x0a" else pcap_records(data)
            for i, (linktype, rec) in enumerate(records):
                if i >= MAX_SEEDS_PER_FILE or linktype not in LINKTYPE_INDEX:
                    break
                seed = bytes([LINKTYPE_INDEX[linktype]]) + rec
                digest = hashlib.sha1(seed).hexdigest()
                with open(os.path.join(out_dir, digest), "wb") as out:
                    out.write(seed)
                written += 1
        elif len(data) <= 64 * 1024:
            digest = hashlib.sha1(data[:16384]).hexdigest()
            with open(os.path.join(out_dir, digest), "wb") as out:
                out.write(data[:16384])
            written += 1
    print(f"{written} seeds for {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
