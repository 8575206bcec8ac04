#!/usr/bin/env python3
"""pcap-shift-seq.py IN OUT CLIENT SHIFT_C SHIFT_S: a copy of a classic
pcap capture (Ethernet, IPv4, TCP) with every sequence number moved as a
firewall that randomises ISNs moves them: the segments from CLIENT (an
IPv4 address) get SHIFT_C added to their sequence number, the others
SHIFT_S, and each acknowledgment number the shift of the side it
acknowledges; the TCP checksum is updated to match.  pair-lab.sh uses it to
make a pair whose connections can only be matched by their timestamps.
"""
import socket
import struct
import sys


def update(c, old, new):
    """HC' = ~(~HC + ~m + m') over the changed 16-bit words."""
    s = ~c & 0xFFFF
    for i in range(0, len(old), 2):
        s += ~struct.unpack("!H", old[i:i + 2])[0] & 0xFFFF
        s += struct.unpack("!H", new[i:i + 2])[0]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def main():
    src, dst, client, shift_c, shift_s = sys.argv[1:6]
    client = socket.inet_aton(client)
    shift = {True: int(shift_c) & 0xFFFFFFFF, False: int(shift_s) & 0xFFFFFFFF}
    raw = open(src, "rb").read()
    magic = raw[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    if struct.unpack(endian + "I", magic)[0] not in (0xA1B2C3D4, 0xA1B23C4D):
        sys.exit("pcap-shift-seq.py: %s is not a classic pcap file" % src)
    if struct.unpack(endian + "I", raw[20:24])[0] != 1:
        sys.exit("pcap-shift-seq.py: %s is not Ethernet" % src)
    out = bytearray(raw[:24])
    at = 24
    while at + 16 <= len(raw):
        hdr = raw[at:at + 16]
        caplen = struct.unpack(endian + "I", hdr[8:12])[0]
        pkt = bytearray(raw[at + 16:at + 16 + caplen])
        at += 16 + caplen
        if len(pkt) >= 14 + 20 and pkt[12:14] == b"\x08\x00" and pkt[23] == 6:
            t = 14 + (pkt[14] & 15) * 4
            if len(pkt) >= t + 18:
                from_client = bytes(pkt[26:30]) == client
                old = bytes(pkt[t + 4:t + 12])
                seq, ack = struct.unpack("!II", old)
                seq = (seq + shift[from_client]) & 0xFFFFFFFF
                if pkt[t + 13] & 0x10:
                    ack = (ack + shift[not from_client]) & 0xFFFFFFFF
                new = struct.pack("!II", seq, ack)
                pkt[t + 4:t + 12] = new
                # the checksum updated for the changed words (RFC 1624),
                # so that it stays right when the payload was not all
                # captured
                c = struct.unpack("!H", pkt[t + 16:t + 18])[0]
                pkt[t + 16:t + 18] = struct.pack("!H", update(c, old, new))
        out += hdr + pkt
    open(dst, "wb").write(out)


main()
