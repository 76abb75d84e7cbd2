#!/usr/bin/env python3
"""Minimal HTTP/1.1 keep-alive origin for the balancing-quality scenario.

Answers every request with 200 and a small body. With --slow-pct P it waits
--delay-ms milliseconds before answering P percent of requests (chosen at
random), which makes it the "sometimes slow" member of a pool. Requests on one
connection are answered in order. Listens on 127.0.0.1 only.

Uses asyncio's Protocol API rather than streams: it costs about half the CPU
per request, and the origins share a core with wrk in the pinned variant.
"""
import argparse
import asyncio
import random

BODY = b"hello from slow_origin\n"
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n" % len(BODY)
KEEP = RESPONSE + b"\r\n" + BODY
CLOSE = RESPONSE + b"Connection: close\r\n\r\n" + BODY


class Origin(asyncio.Protocol):
    slow_fraction = 0.0
    delay = 0.05

    def connection_made(self, transport):
        self.transport = transport
        self.buf = b""
        self.queue = []        # [close, ready] per request, in order
        self.closing = False

    def data_received(self, data):
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buf) > 65536:
                    self.transport.close()
                return
            head = self.buf[:end].lower()
            length = 0
            i = head.find(b"\r\ncontent-length:")
            if i >= 0:
                length = int(head[i + 17:].split(b"\r\n", 1)[0])
            if len(self.buf) < end + 4 + length:
                return
            self.buf = self.buf[end + 4 + length:]
            close = b"\r\nconnection: close" in head or head.split(b"\r\n", 1)[0].endswith(b"http/1.0")
            self.respond(close)

    def respond(self, close):
        # Responses leave in request order; a delayed one holds back the rest.
        entry = [close, True]
        self.queue.append(entry)
        if self.slow_fraction and random.random() < self.slow_fraction:
            entry[1] = False
            asyncio.get_running_loop().call_later(self.delay, self.release, entry)
        self.flush()

    def release(self, entry):
        entry[1] = True
        self.flush()

    def flush(self):
        while self.queue and self.queue[0][1]:
            self.write(self.queue.pop(0)[0])

    def write(self, close):
        if self.closing:
            return
        self.transport.write(CLOSE if close else KEEP)
        if close:
            self.closing = True
            self.transport.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--slow-pct", type=float, default=0.0)
    ap.add_argument("--delay-ms", type=float, default=50.0)
    args = ap.parse_args()
    Origin.slow_fraction = args.slow_pct / 100.0
    Origin.delay = args.delay_ms / 1000.0
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Origin, "127.0.0.1", args.port, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
