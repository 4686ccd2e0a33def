#!/usr/bin/env python3
"""A local DNS responder for benchmarks: answers every query with NXDOMAIN (authoritative), so that Mamori's
sender authentication runs its full path (SPF, DMARC look-ups) without traffic leaving loopback.

    nxdns.py PORT [--delay MS]   # serves UDP and TCP on 127.0.0.1:PORT until killed

--delay answers each query MS milliseconds after it arrives (each in its own thread, so queries asked together are
answered together), as an upstream resolver on the network would: what bench/blocklist-latency.sh measures against.
"""
import socket
import socketserver
import struct
import sys
import threading
import time

DELAY = 0.0


def nxdomain(query: bytes) -> bytes:
    if len(query) < 12:
        return b""
    ident, flags, qd = struct.unpack("!HHH", query[:6])
    # QR=1, opcode copied, AA=1, RD copied, RA=1, RCODE=3 (NXDOMAIN); echo the question section only.
    rflags = 0x8000 | (flags & 0x7900) | 0x0400 | 0x0080 | 3
    end = 12
    for _ in range(qd):
        while end < len(query) and query[end] != 0:
            end += query[end] + 1
        end += 5
    return struct.pack("!HHHHHH", ident, rflags, qd, 0, 0, 0) + query[12:end]


class Udp(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        if DELAY:
            time.sleep(DELAY)
        answer = nxdomain(data)
        if answer:
            sock.sendto(answer, self.client_address)


class Tcp(socketserver.StreamRequestHandler):
    def handle(self):
        head = self.rfile.read(2)
        if len(head) == 2:
            if DELAY:
                time.sleep(DELAY)
            answer = nxdomain(self.rfile.read(struct.unpack("!H", head)[0]))
            self.wfile.write(struct.pack("!H", len(answer)) + answer)


if __name__ == "__main__":
    port = int(sys.argv[1])
    if len(sys.argv) > 3 and sys.argv[2] == "--delay":
        DELAY = float(sys.argv[3]) / 1000
    udp = socketserver.ThreadingUDPServer(("127.0.0.1", port), Udp)
    tcp = socketserver.ThreadingTCPServer(("127.0.0.1", port), Tcp)
    threading.Thread(target=tcp.serve_forever, daemon=True).start()
    udp.serve_forever()
