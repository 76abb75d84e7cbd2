#!/usr/bin/env python3
"""Opens N keep-alive client connections to a proxy, one GET each, then holds them idle.

Usage: idle_clients.py PORT PATH N
Every connection sends one request and reads its whole response (Content-Length) before the next connection
opens, so the proxy needs only one origin connection. Once all N are idle it prints "IDLE n" and waits for a line
on stdin (or its end), then closes them all and prints "CLOSED". Traffic goes to 127.0.0.1 only.
"""
import socket
import sys


def one_request(port, path):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % path).encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            raise RuntimeError("connection closed before the response head")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = head.split(b" ", 2)[1]
    if status != b"200":
        raise RuntimeError("status %s" % status.decode())
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = s.recv(4096)
        if not chunk:
            raise RuntimeError("connection closed before the response body")
        body += chunk
    return s


def main():
    port, path, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    conns = [one_request(port, path) for _ in range(n)]
    print("IDLE %d" % len(conns), flush=True)
    sys.stdin.readline()
    for s in conns:
        s.close()
    print("CLOSED", flush=True)


if __name__ == "__main__":
    main()
