"""A bounded TCP delay proxy: every byte is forwarded DELAY ms after it arrived, in each direction.

    python3 delay_proxy.py --target HOST:PORT --delay-ms 100 --port-file FILE [--listen 127.0.0.1:0]

This kernel has no netem (toolchain-notes §8), so latency between agent and collector is added
here. The proxy is transparent to TLS (it only moves bytes). Memory is bounded: each direction
of each connection buffers at most MAX_CHUNKS reads; when they are all waiting out their delay,
the proxy stops reading, and TCP flow control pushes back on the sender.

It writes its listening port to --port-file once ready, and on SIGTERM prints one line of
figures (connections, bytes each way, the shortest hold it applied) to stderr and exits 0.
"""

import argparse
import asyncio
import os
import signal
import sys
import time

MAX_CHUNKS = 64
READ_SIZE = 64 * 1024

stats = {"connections": 0, "up_bytes": 0, "down_bytes": 0, "min_hold_ms": None}


async def pump(reader, writer, delay_s, counter):
    queue = asyncio.Queue(MAX_CHUNKS)

    async def receive():
        while True:
            data = await reader.read(READ_SIZE)
            await queue.put((time.monotonic(), data))  # waits when the queue is full
            if not data:
                return

    async def send():
        while True:
            arrived, data = await queue.get()
            wait = arrived + delay_s - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            hold_ms = (time.monotonic() - arrived) * 1000
            if stats["min_hold_ms"] is None or hold_ms < stats["min_hold_ms"]:
                stats["min_hold_ms"] = hold_ms
            if not data:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            stats[counter] += len(data)
            await writer.drain()

    try:
        await asyncio.gather(receive(), send())
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", default="127.0.0.1:0")
    ap.add_argument("--target", required=True)
    ap.add_argument("--delay-ms", type=float, required=True)
    ap.add_argument("--port-file", required=True)
    args = ap.parse_args()
    delay_s = args.delay_ms / 1000
    thost, tport = args.target.rsplit(":", 1)

    async def handle(client_reader, client_writer):
        stats["connections"] += 1
        try:
            server_reader, server_writer = await asyncio.open_connection(thost, int(tport))
        except OSError:
            client_writer.close()
            return
        try:
            await asyncio.gather(pump(client_reader, server_writer, delay_s, "up_bytes"),
                                 pump(server_reader, client_writer, delay_s, "down_bytes"))
        except asyncio.CancelledError:  # shutting down with the connection still open
            pass

    lhost, lport = args.listen.rsplit(":", 1)
    server = await asyncio.start_server(handle, lhost, int(lport))
    port = server.sockets[0].getsockname()[1]
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(port))
    os.rename(tmp, args.port_file)

    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    server.close()
    sys.stderr.write("delay_proxy: connections={connections} up_bytes={up_bytes} "
                     "down_bytes={down_bytes} min_hold_ms={min_hold_ms}\n".format(**stats))


if __name__ == "__main__":
    asyncio.run(main())
