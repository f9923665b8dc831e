#!/usr/bin/python3
"""Independent reader for the Cassandra sink tests: runs one CQL statement with the DataStax
Python driver (Debian python3-cassandra), not our C++ client, and prints the rows as JSON.

usage: cassandra_read.py HOST PORT USER PASSWORD "CQL"
Run with /usr/bin/python3: Debian's driver is installed for the system Python.
Blobs print as hex, dates as ISO, everything else as the driver decodes it.
"""
import datetime
import json
import sys

from cassandra.auth import PlainTextAuthProvider
from cassandra.cluster import Cluster
from cassandra.util import Date


def plain(v):
    if isinstance(v, (bytes, bytearray)):
        return v.hex()
    if isinstance(v, (Date, datetime.date, datetime.datetime)):
        return str(v)
    if isinstance(v, (list, tuple, set)) or type(v).__name__ in ("SortedSet", "OrderedMapSerializedKey"):
        if hasattr(v, "items"):
            return {str(k): plain(x) for k, x in v.items()}
        return [plain(x) for x in v]
    return v


def main():
    host, port, user, password, query = sys.argv[1:6]
    cluster = Cluster([host], port=int(port), auth_provider=PlainTextAuthProvider(user, password),
                      protocol_version=4, connect_timeout=20)
    session = cluster.connect()
    rows = session.execute(query, timeout=30)
    print(json.dumps([{k: plain(v) for k, v in row._asdict().items()} for row in rows]))
    cluster.shutdown()


if __name__ == "__main__":
    main()
