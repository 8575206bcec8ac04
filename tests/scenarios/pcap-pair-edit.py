#!/usr/bin/env python3
"""pcap-pair-edit.py MODE IN OUT FRAME[,FRAME...] [TTL]: a copy of one
capture of a pair (classic pcap, Ethernet, IPv4, TCP) with the given
frames (1-based) changed, as the path or the capture would have changed
them, for the near misses and the findings of --pair that the lab cannot
make on demand (tests/pair/README.md says which file comes from which):

  ttl   each frame's TTL set to TTL (the header checksum updated): a
        middlebox that sets the TTL of some segments
  copy  each frame followed by a copy of itself 20 microseconds later,
        with its TTL one less: a capture taken on both sides of a router
        (or on two interfaces) sees the same packet twice
  frag  each frame's IPv4 datagram cut in two fragments, the first with
        the TCP header and the payload's first bytes, 8-byte aligned, the
        second (1 microsecond later) with the rest: a router that
        fragments
"""
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip_fix(ip):
    """The IPv4 header checksum recomputed."""
    hl = (ip[0] & 15) * 4
    ip[10:12] = b"\0\0"
    ip[10:12] = struct.pack("!H", csum(bytes(ip[:hl])))


def main():
    mode, src, dst, frames = sys.argv[1:5]
    frames = {int(f) for f in frames.split(",")}
    ttl = int(sys.argv[5]) if mode == "ttl" else None
    if mode not in ("ttl", "copy", "frag"):
        sys.exit("pcap-pair-edit.py: MODE is ttl, copy or frag")
    raw = open(src, "rb").read()
    magic = raw[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    if struct.unpack(endian + "I", magic)[0] not in (0xA1B2C3D4, 0xA1B23C4D):
        sys.exit("pcap-pair-edit.py: %s is not a classic pcap file" % src)
    nano = struct.unpack(endian + "I", magic)[0] == 0xA1B23C4D
    unit = 1000 if nano else 1
    if struct.unpack(endian + "I", raw[20:24])[0] != 1:
        sys.exit("pcap-pair-edit.py: %s is not Ethernet" % src)
    out = bytearray(raw[:24])

    def record(sec, frac, pkt, wirelen):
        frac_max = 1000000 * unit
        sec += frac // frac_max
        frac %= frac_max
        out.extend(struct.pack(endian + "IIII", sec, frac, len(pkt), wirelen))
        out.extend(pkt)

    at, n, done = 24, 0, set()
    while at + 16 <= len(raw):
        sec, frac, caplen, wirelen = struct.unpack(endian + "IIII",
                                                   raw[at:at + 16])
        pkt = bytearray(raw[at + 16:at + 16 + caplen])
        at += 16 + caplen
        n += 1
        if n not in frames:
            record(sec, frac, pkt, wirelen)
            continue
        if len(pkt) < 34 or pkt[12:14] != b"\x08\x00" or pkt[23] != 6:
            sys.exit("pcap-pair-edit.py: frame %d is not IPv4 TCP" % n)
        ip = pkt[14:]
        if mode == "ttl":
            ip[8] = ttl
            ip_fix(ip)
            record(sec, frac, pkt[:14] + ip, wirelen)
        elif mode == "copy":
            record(sec, frac, pkt, wirelen)
            ip[8] -= 1
            ip_fix(ip)
            record(sec, frac + 20 * unit, pkt[:14] + ip, wirelen)
        else:
            hl = (ip[0] & 15) * 4
            total = struct.unpack("!H", ip[2:4])[0]
            if caplen != wirelen or len(ip) < total:
                sys.exit("pcap-pair-edit.py: frame %d is not whole" % n)
            body = ip[hl:total]
            thl = (body[12] >> 4) * 4
            cut = (thl + 8 + 7) // 8 * 8
            if cut >= len(body):
                sys.exit("pcap-pair-edit.py: frame %d is too short to "
                         "cut" % n)
            for off, part, more in ((0, body[:cut], True),
                                    (cut, body[cut:], False)):
                h = bytearray(ip[:hl])
                h[2:4] = struct.pack("!H", hl + len(part))
                # DF clear (a router fragments only a datagram that
                # allows it), MF on the first, the offset in 8 bytes
                h[6:8] = struct.pack("!H", (0x2000 if more else 0) |
                                     off // 8)
                ip_fix(h)
                frame = pkt[:14] + h + part
                record(sec, frac + (unit if off else 0), frame, len(frame))
        done.add(n)
    if done != frames:
        sys.exit("pcap-pair-edit.py: no frame %s in %s" %
                 (sorted(frames - done), src))
    open(dst, "wb").write(out)


main()
