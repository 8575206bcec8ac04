#!/usr/bin/env python3
"""pair-ss.py TRUTH PAIR.jsonl [TRUTH PAIR.jsonl ...]: each side's states that --pair reads from
the capture nearer that side, against every `ss` snapshot the lab took of
that side's host (TRUTH: "@EPOCH HOST LABEL", "ss-window START END", then
"ss STATE RECV-Q SEND-Q LOCAL PEER ..." lines; see pcaps/README.md).

A snapshot agrees when the socket's state in ss is the state the tool
gives the side at some moment of the window ss ran in (at its start, or
just after a change inside it); a socket ss does not list is CLOSED, and
so is the server's side before its connection has a socket (LISTEN in the
tool: the listener's, not this connection's).  Prints one line per
snapshot and, per pair of files, "pair TRUTH: N agree, M differ"; exits 1
when one differs or a pair has no snapshot to compare.
"""
import json
import sys

SS = {"ESTAB": "ESTABLISHED", "SYN-SENT": "SYN_SENT",
      "SYN-RECV": "SYN_RECEIVED", "FIN-WAIT-1": "FIN_WAIT_1",
      "FIN-WAIT-2": "FIN_WAIT_2", "CLOSE-WAIT": "CLOSE_WAIT",
      "CLOSING": "CLOSING", "LAST-ACK": "LAST_ACK",
      "TIME-WAIT": "TIME_WAIT"}


def snapshots(path):
    snaps, cur = [], None
    for line in open(path, encoding="utf-8"):
        w = line.split()
        if not w:
            continue
        if w[0].startswith("@"):
            t = float(w[0][1:])
            cur = {"host": w[1], "start": t, "end": t, "ss": [],
                   "label": " ".join(w[2:])}
            snaps.append(cur)
        elif w[0] == "ss-window" and cur is not None:
            cur["start"], cur["end"] = float(w[1]), float(w[2])
        elif w[0] == "ss" and cur is not None and len(w) >= 6:
            cur["ss"].append((w[1], w[4], w[5]))
    return snaps


def states_in(changes, start, end):
    """The states the side is in at some moment of [start, end]."""
    out, now = set(), None
    for c in changes:
        if c["ts"] is None or c["ts"] <= start:
            now = c["state"]
        elif c["ts"] <= end:
            out.add(c["state"])
    out.add(now)
    return out


def endpoint(e):
    """As ss writes it: an IPv6 address in brackets."""
    a = e["addr"]
    return ("[%s]:%d" if ":" in a else "%s:%d") % (a, e["port"])


def compare(truth, jsonl):
    snaps = snapshots(truth)
    conns = [json.loads(l) for l in open(jsonl)]
    conns = [c for c in conns if c["type"] == "pair_connection"]
    agree = differ = 0
    for c in conns:
        for side in ("client", "server"):
            st = c["states"][side]
            cap = c[st["capture"]]
            if cap is None:
                continue
            me = endpoint(cap[side])
            other = "server" if side == "client" else "client"
            peer = endpoint(cap[other])
            for s in snaps:
                if s["host"] != side:
                    continue
                kernel = "CLOSED"
                for state, local, remote in s["ss"]:
                    if local == me and remote == peer:
                        kernel = SS.get(state, state)
                ours = states_in(st["changes"], s["start"], s["end"])
                if side == "server":
                    ours = {"CLOSED" if x == "LISTEN" else x for x in ours}
                ok = kernel in ours
                agree += ok
                differ += not ok
                print("%s %s %s at %.6f (%s): ss %s, ours %s" % (
                    "agree" if ok else "DIFFER", side, me, s["start"],
                    s["label"], kernel, " or ".join(sorted(ours))))
    print("pair %s: %d agree, %d differ" % (truth, agree, differ))
    return differ == 0 and agree > 0


def main():
    args = sys.argv[1:]
    ok = len(args) >= 2 and len(args) % 2 == 0
    for i in range(0, len(args) - 1, 2):
        ok = compare(args[i], args[i + 1]) and ok
    sys.exit(0 if ok else 1)


main()
