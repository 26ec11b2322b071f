#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Bounded network load for the system tests, run inside the network
namespace that a test created (ip netns exec NS python3 netload.py ...),
so that it reaches the guest's tap address and nothing else. Prints one
line of JSON with what it counted.

usage: netload.py get HOST PORT PATH [TIMEOUT]
       netload.py sequential HOST PORT COUNT
       netload.py concurrent HOST PORT COUNT
       netload.py udp HOST PORT COUNT
       netload.py udp-receive HOST PORT COUNT
       netload.py tcp-receive HOST PORT COUNT
       netload.py syn-flood HOST PORT COUNT
"""
import json
import socket
import struct
import sys
import time

TIMEOUT = 30
REQUEST = b"GET / HTTP/1.1\r\nHost: pogo\r\nConnection: close\r\n\r\n"


def read_all(s):
    data = b""
    while True:
        b = s.recv(65536)
        if not b:
            return data
        data += b


def get(host, port, path, timeout=TIMEOUT):
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: pogo\r\n"
                  "Connection: close\r\n\r\n".encode())
        data = read_all(s)
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split()[1]) if head.startswith(b"HTTP/1.1 ") else 0
    return {"status": status, "body": body.decode(errors="replace")}


def ok_reply(data):
    return data.startswith(b"HTTP/1.1 200 ")


def sequential(host, port, count):
    served, first_error = 0, None
    for i in range(count):
        try:
            with socket.create_connection((host, port), timeout=TIMEOUT) as s:
                s.sendall(REQUEST)
                if ok_reply(read_all(s)):
                    served += 1
                    continue
                first_error = first_error or f"connection {i}: bad reply"
        except OSError as e:
            first_error = first_error or f"connection {i}: {e}"
    return {"served": served, "first_error": first_error}


def concurrent(host, port, count):
    socks, first_error = [], None
    for i in range(count):
        try:
            socks.append(socket.create_connection((host, port), timeout=TIMEOUT))
        except OSError as e:
            first_error = first_error or f"connect {i}: {e}"
    served = 0
    for s in socks:
        s.sendall(REQUEST)
    for i, s in enumerate(socks):
        try:
            if ok_reply(read_all(s)):
                served += 1
            else:
                first_error = first_error or f"connection {i}: bad reply"
        except OSError as e:
            first_error = first_error or f"connection {i}: {e}"
        s.close()
    return {"connected": len(socks), "served": served,
            "first_error": first_error}


def udp(host, port, count):
    """Sends COUNT datagrams of 8 to 1,400 bytes one at a time, each after
    the echo of the one before, and counts the echoes that came back
    unchanged. Stops after 50 datagrams without an echo."""
    echoed = lost = wrong = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(1)
        for i in range(count):
            msg = (b"%08d" % i) * (1 + i % 175)
            s.sendto(msg, (host, port))
            while True:
                try:
                    data, _ = s.recvfrom(65536)
                except socket.timeout:
                    lost += 1
                    break
                if data == msg:
                    echoed += 1
                    break
                # A late echo of an earlier datagram: keep waiting.
                if not data[:8].isdigit() or int(data[:8]) > i:
                    wrong += 1
                    break
            if lost > 50:
                break
    return {"echoed": echoed, "lost": lost, "wrong": wrong}


def udp_receive(host, port, count):
    """Binds HOST:PORT, prints a line "ready", and counts the distinct
    datagrams that arrive until COUNT have or none has for TIMEOUT s."""
    seen = set()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((host, port))
        s.settimeout(TIMEOUT)
        print("ready", flush=True)
        while len(seen) < count:
            try:
                data, _ = s.recvfrom(65536)
            except socket.timeout:
                break
            seen.add(data)
    return {"received": len(seen)}


def tcp_receive(host, port, count):
    """Listens on HOST:PORT, prints a line "ready", takes one connection
    and reads it to the end (or for TIMEOUT s without data). Checks that
    byte k of the stream is k % 251 for the first COUNT bytes."""
    pattern = bytes(range(251))
    received, intact = 0, True
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as ls:
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((host, port))
        ls.listen(1)
        ls.settimeout(TIMEOUT * 3)
        print("ready", flush=True)
        s, _ = ls.accept()
        with s:
            s.settimeout(TIMEOUT)
            while True:
                try:
                    data = s.recv(65536)
                except socket.timeout:
                    break
                if not data:
                    break
                start = received % 251
                want = (pattern * (len(data) // 251 + 2))[start:start + len(data)]
                intact = intact and data == want
                received += len(data)
    return {"received": received, "intact": intact and received == count}


# The source address of the SYN flood: a free address of the namespace's
# subnet (10.0.0.0/24), which no host replies to ARP for, so the guest's
# half-open connections never complete.
FLOOD_SOURCE = "10.0.0.99"


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def syn_packet(src, dst, sport, dport, seq):
    """An IPv4 packet with a TCP SYN; the kernel fills in the IP
    checksum and length of a raw socket's packet."""
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 0, 0, 0x4000, 64,
                     socket.IPPROTO_TCP, 0, socket.inet_aton(src),
                     socket.inet_aton(dst))
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x02,
                      65535, 0, 0)
    pseudo = struct.pack("!4s4sBBH", socket.inet_aton(src),
                         socket.inet_aton(dst), 0, socket.IPPROTO_TCP,
                         len(tcp))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    return ip + tcp


def syn_flood(host, port, count):
    """Sends count SYNs from FLOOD_SOURCE, each from its own port, as a
    SYN flood from an address that never replies does."""
    sent = 0
    with socket.socket(socket.AF_INET, socket.SOCK_RAW,
                       socket.IPPROTO_RAW) as s:
        for i in range(count):
            packet = syn_packet(FLOOD_SOURCE, host, 20000 + i, port, i * 7919)
            sent += s.sendto(packet, (host, 0)) == len(packet)
    return {"sent": sent}


def main():
    mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    start = time.monotonic()
    if mode == "get":
        timeout = float(sys.argv[5]) if len(sys.argv) > 5 else TIMEOUT
        result = get(host, port, sys.argv[4], timeout)
    else:
        count = int(sys.argv[4])
        result = {"sequential": sequential, "concurrent": concurrent,
                  "udp": udp, "udp-receive": udp_receive,
                  "tcp-receive": tcp_receive,
                  "syn-flood": syn_flood}[mode](host, port, count)
    result["seconds"] = round(time.monotonic() - start, 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
