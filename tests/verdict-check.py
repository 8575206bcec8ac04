#!/usr/bin/env python3
"""verdict-check.py: does every verdict agree with the timeline it sits under?

Reads the JSON Lines of `tcpflow-explain --format json --events` (files
named on the command line, or standard input) and holds each verdict's
claims against the connection's own events:

  - every frame it lists or names in its sentence belongs to the
    connection (a frame event, or inside a run of folded frames);
  - a frame the sentence says a side sent (its SYN, SYN+ACK, FIN or RST)
    was sent by that side and has that flag;
  - a state the sentence names for a side at a frame ("while the server
    was in ESTABLISHED") is the state the timeline gives that side just
    before the frame; a state it names for the end ("the client waits in
    FIN_WAIT_2", "both wait in TIME_WAIT", "client X, server Y") is the
    side's final state; a path it names ("each went SYN_SENT ->
    SYN_RECEIVED -> ESTABLISHED", "the client went ..., the server ...",
    "both sides went through CLOSING") is in each side's states, in that
    order, and a simultaneous open that says a side skipped SYN_RECEIVED
    is right about it;
  - verdicts do not contradict each other: an abortive_close never blames
    a RST that rst_suspicious says its sender did not send, nor one its
    sender sent from no socket, nor one its receiver ignored unless it
    says which later RST of the same side reset the receiver, and
    half_close and simultaneous_close never describe the same two FINs;
  - the close summary fits the timeline: `rejected` only for a connection
    whose two sides never were both synchronized and carried no data;
  - a reason that says a FIN came after FIN_WAIT_2 timed out names a side
    that had sent a FIN at least a second before;
  - every field of a verdict's `numbers` is a number its sentence gives
    (a count as an integer; a duration `*_s` in seconds or milliseconds,
    as rounded in the sentence; `pid` after "pid"); each kind carries the
    fields NUMBERS requires of it (of one of its forms, and those its
    sentence's optional parts call for), and a kind NUMBERS does not know
    is an inconsistency, as is an empty `numbers` under a sentence that
    gives a count, a duration or bytes;
  - a duration of a minute or more is followed by its length in words
    ("75.0 s (1 min 15 s)"), and the words agree with the seconds (the
    settings it quotes, thresholds and 2MSL, excepted).

Prints one line per inconsistency ("NAME #ID KIND: what") and, last,
"N connections, N verdicts, N inconsistencies".  Exit status 1 when there
is an inconsistency, 0 otherwise.  `--name NAME` sets the label printed
for the input (default: the file name).
"""

import json
import re
import sys

SYNCED = {"ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT",
          "CLOSING", "LAST_ACK", "TIME_WAIT"}
FLAG = {"SYN": "S", "FIN": "F", "RST": "R"}
OTHER = {"client": "server", "server": "client"}
# How long a FIN_WAIT_2 must have lasted before a timeout can have ended
# it: Linux's tcp_fin_timeout is counted in whole seconds.
FW2_TIMEOUT_MIN = 1.0
TIMEOUT_REASON = "the FIN arrived after its FIN_WAIT_2 had timed out"

# The fields each kind's `numbers` must have: a list of forms (the kind
# carries every field of at least one), and the fields a phrase of the
# sentence calls for.
NUMBERS = {
    "rst_to_closed_port": [{"delay_s", "port"}],
    "syn_unanswered": [{"syns", "wait_s"}, {"synacks"}],
    "lingering_close_wait": [{"wait_s", "threshold_s", "fin_at_s"}],
    "missing_final_ack": [{"resent_at_s"}, {"fin_at_s", "wait_s"}],
    "time_wait_reuse": [{"syn_at_s", "gap_s", "two_msl_s", "isn",
                         "old_seq_end"}],
    "time_wait_reuse_safe": [{"gap_s", "two_msl_s", "isn", "old_seq_end"}],
    "abortive_close": [{"rst_at_s"}],
    "fin_then_rst": [{"rst_at_s"}],
    "half_close": [{"fin_at_s", "data_bytes", "segments"}],
    "keepalive": [{"probes", "answered"}],
    "keepalive_unanswered": [{"probes", "unanswered"}],
    "zero_window": [{"stall_s", "zero_windows", "probes",
                     "zero_window_at_s"}],
    "zero_window_brief": [{"stall_s", "threshold_s", "zero_windows",
                           "probes", "zero_window_at_s"}],
    "accept_queue_full": [{"delay_s", "rst_at_s"},
                          {"synacks", "last_synack_at_s", "segments"}],
    "keepalive_race": [{"idle_s", "fin_at_s", "request_after_fin_s",
                        "request_bytes"},
                       {"idle_s", "fin_at_s", "request_before_fin_s",
                        "request_bytes"}],
    "options_odd": [{"wscale"}, {"assumed_mss"}, {"unasked_options"}],
    "capture_loss": [{"acks"}],
    "syn_to_stale_socket": [{"prev_conn"}],
    "icmp_unreachable": [{"icmp_type", "icmp_code"}],
    "icmp_packet_too_big": [{"mtu_bytes"}],
    "window_full": [{"times"}],
    "simultaneous_open": [set()],
    "simultaneous_close": [set()],
    "midstream": [set()],
    "open_at_end": [set()],
    "syn_retransmitted": [{"syns"}],
    "out_of_order": [{"segments", "late_s", "within_s"}],
    "fin_retransmitted": [{"fins"}],
    "retransmission": [{"segments"}],
    "invalid_flags": [{"segments"}],
    "data_after_fin": [{"segments"}],
    "data_after_rst": [{"segments"}],
    "rst_suspicious": [set()],
    "middlebox_idle_timeout": [{"idle_s", "threshold_s", "rst_at_s"},
                               {"idle_s", "threshold_s", "resumed_at_s",
                                "resent", "resent_for_s"}],
}
NUMBERS_IF = [
    ("icmp_unreachable", r"\d+ such errors", {"errors"}),
    ("icmp_packet_too_big", r"\d+ such errors", {"errors"}),
    ("lingering_close_wait", r"until its late FIN at", {"late_fin_at_s"}),
    ("missing_final_ack", r"sent it \d+ times over", {"fins", "fins_span_s"}),
    ("lingering_close_wait", r"; pid \d+ ", {"pid"}),
    ("time_wait_reuse", r"had to send the SYN \d+ times", {"syns"}),
    ("abortive_close", r"\d+ bytes it had sent were unacknowledged",
     {"unacked_bytes"}),
    ("half_close", r"until its own FIN at", {"peer_fin_at_s"}),
    ("keepalive", r" apart", {"interval_s"}),
    ("keepalive_unanswered", r" apart", {"interval_s"}),
    ("zero_window", r"opened again at", {"opened_at_s"}),
    ("zero_window_brief", r"opened again at", {"opened_at_s"}),
    ("accept_queue_full", r"bytes of data, re-sent",
     {"data_bytes", "data_resent"}),
    ("options_odd", r"an MSS of \d+", {"mss", "assumed_mss"}),
    ("options_odd", r"window scale of \d+", {"wscale"}),
    ("options_odd", r"no MSS option", {"assumed_mss"}),
    ("syn_to_stale_socket", r"sent its SYN again [\d.]+ ms after",
     {"retry_after_s"}),
    ("syn_to_stale_socket", r"came [\d.]+ ms after the", {"connected_after_s"}),
    ("open_at_end", r"not enough capture", {"capture_after_s"}),
    ("open_at_end", r"the threshold is", {"threshold_s"}),
    ("rst_suspicious", r"has IP ID", {"ip_id", "previous_ip_id"}),
    ("rst_suspicious", r"has TTL", {"ttl", "previous_ttl"}),
    ("rst_suspicious", r"a window of \d+", {"window"}),
    ("middlebox_idle_timeout", r"next segment \(frame", {"resumed_at_s"}),
    ("middlebox_idle_timeout", r"has IP ID \d", {"ip_id", "previous_ip_id"}),
    ("middlebox_idle_timeout", r"has TTL", {"ttl", "previous_ttl"}),
    ("middlebox_idle_timeout", r"a window of \d+", {"window"}),
]
# A sentence that gives one of these has numbers to carry.
HOLE_NOTE = re.compile(r" \(the capture ended for this connection at frame "
                       r"(\d+), \+\S+ s: the whole capture then recorded "
                       r"nothing for [^,]*, until frame (\d+), and "
                       r"connections that began unseen in that silence came "
                       r"after it\)")
NUMBER_WORDS = re.compile(r"\b\d+(?:\.\d+)? (?:s|ms|bytes|segments?|times|"
                          r"SYNs?|FINs?|keepalive probes?|advertisements)\b")


# How a duration of a minute or more reads in words after its seconds
# (tfe_format_duration_words()): "75.0 s (1 min 15 s)", "(26 h 3 min)",
# "(11 d 0 h)".
WORDS = re.compile(r"(?<![\d.+])(\d+(?:\.\d+)?) s \((?:(\d+) min (\d+) s|"
                   r"(\d+) h (\d+) min|(\d+) d (\d+) h)\)")
# A duration in seconds, not a time since the first frame ("+75.0 s").
SECONDS = re.compile(r"(?<![\d.+])(\d+(?:\.\d+)?) s\b")
# The settings a sentence quotes in the seconds they are given in: they
# need no words.
SETTING = re.compile(r"(?:the threshold is|under the|2MSL of|2MSL \()$")


def words_of(secs):
    """The words tfe_format_duration_words() gives whole seconds."""
    s = int(secs)
    if s < 60:
        return None
    if s < 3600:
        return "%d min %d s" % (s // 60, s % 60)
    if s < 86400:
        return "%d h %d min" % (s // 3600, s // 60 % 60)
    return "%d d %d h" % (s // 86400, s // 3600 % 24)


def check_words(m, bad, k):
    """Every duration of a minute or more in sentence m is followed by
    its length in words, and the words are its seconds'.  The seconds as
    written are rounded; the words count whole seconds of the exact
    value, so they may be one second below the written value's."""
    for g in WORDS.finditer(m):
        said = g.group(0)[g.group(0).index("(") + 1:-1]
        x = float(g.group(1))
        if said not in (words_of(x), words_of(x - 1)):
            bad(k, "%r: %s s is not %s" % (g.group(0), g.group(1), said))
    for g in SECONDS.finditer(m):
        x = float(g.group(1))
        if x < 60 or SETTING.search(m[:g.start()].rstrip()):
            continue
        w = WORDS.match(m, g.start())
        if w is None:
            bad(k, "%s s without its length in words" % g.group(1))


def number_said(m, name, value):
    """Does sentence m give `value` (of field `name`)?"""
    if name == "pid":
        return re.search(r"\bpid %d\b" % value, m) is not None
    if name.endswith("_s"):
        # the words after a duration are not another number
        m = WORDS.sub(lambda g: g.group(1) + " s", m)
        for g in re.finditer(r"(?<![\d.])(\d+)(?:\.(\d+))? (s|ms)\b", m):
            said = float(g.group(1) + "." + (g.group(2) or "0"))
            unit = 1.0 if g.group(3) == "s" else 1e-3
            half = 0.5 * 10 ** -len(g.group(2) or "") * unit
            # the field is written with six decimals
            if abs(said * unit - value) <= half + 1e-6:
                return True
        return False
    return re.search(r"(?<![\d.])%d(?![\d]|\.\d)" % value, m) is not None


# Fields a sentence may leave out: the threshold a lingering CLOSE_WAIT's
# wait is held to (the sentence gives the wait alone).
UNSAID = {("lingering_close_wait", "threshold_s")}


def check_numbers(v, bad):
    k, m, nums = v["kind"], v["message"], v["numbers"]
    for name, value in nums.items():
        if (k, name) not in UNSAID and not number_said(m, name, value):
            bad(k, "numbers.%s = %s is not a number of its sentence"
                % (name, value))
    if k not in NUMBERS:
        bad(k, "a kind verdict-check.py does not know: say in NUMBERS "
            "which numbers it carries")
        return
    forms = NUMBERS[k]
    if not any(f <= set(nums) for f in forms):
        bad(k, "numbers %s lack %s" % (sorted(nums), " or ".join(
            ",".join(sorted(f - set(nums))) for f in forms)))
    for kind, phrase, want in NUMBERS_IF:
        if kind == k and re.search(phrase, m) and not want <= set(nums):
            bad(k, "its sentence says %r but numbers lack %s"
                % (phrase, ",".join(sorted(want - set(nums)))))
    if not nums and NUMBER_WORDS.search(m):
        bad(k, "its sentence gives %r but its numbers are empty"
            % NUMBER_WORDS.search(m).group(0))


class Conn:
    """One connection object and what its events say, indexed."""

    def __init__(self, obj):
        self.obj = obj
        self.events = obj.get("events")
        self.frames = {}          # frame number -> frame event
        self.before = {}          # frame number -> states before it
        self.runs = []            # (first, last)
        self.paths = {"client": [], "server": []}
        state = {s: obj[s]["initial_state"] for s in ("client", "server")}
        for s in ("client", "server"):
            self.paths[s].append(state[s])
        for e in self.events or []:
            if e["type"] == "frame":
                self.frames[e["frame"]] = e
                self.before[e["frame"]] = dict(state)
            elif e["type"] == "run":
                self.runs.append((e["frame"], e["frame_last"]))
            for s in ("client", "server"):
                st = e["state"][s]
                if st != self.paths[s][-1]:
                    self.paths[s].append(st)
                state[s] = st
        self.final = {s: obj[s]["final_state"] for s in ("client", "server")}

    def has_frame(self, n):
        if n in self.frames:
            return True
        return any(a <= n <= b for a, b in self.runs)

    def sent(self, n, side, flag):
        """None when frame n is a `flag` segment from `side`, else why
        not; "" when the frame was folded (nothing to say)."""
        e = self.frames.get(n)
        if e is None:
            return "" if self.has_frame(n) else "is not in the connection"
        if e["from"] != side:
            return "was sent by the %s" % e["from"]
        if flag == "SA":
            if "S" not in e["flags"] or "A" not in e["flags"]:
                return "is not a SYN+ACK (flags %r)" % e["flags"]
        elif flag == "S":
            if "S" not in e["flags"] or "A" in e["flags"]:
                return "is not a SYN (flags %r)" % e["flags"]
        elif flag not in e["flags"]:
            return "has no %s (flags %r)" % (flag, e["flags"])
        return None


def path_has(path, want):
    i = 0
    for st in path:
        if i < len(want) and st == want[i]:
            i += 1
    return i == len(want)


def check_conn(c, problems):
    o = c.obj

    def bad(kind, what):
        problems.append("#%d %s: %s" % (o["id"], kind, what))

    def need_sent(kind, n, side, flag, what):
        why = c.sent(n, side, flag)
        if why:
            bad(kind, "frame %d, %s, %s" % (n, what, why))

    verdicts = o["verdicts"]
    for v in verdicts:
        k = v["kind"]
        m = v["message"]
        vs = v["side"]
        # The note of a hole in the capture after the connection's last
        # frame speaks of the whole capture, not of this connection: its
        # frames must follow one another, the first no earlier than the
        # connection's last frame; the rest of the sentence is checked
        # without it.
        g = HOLE_NOTE.search(m)
        if g:
            last, after = int(g.group(1)), int(g.group(2))
            if after != last + 1 or last < o["last_frame"]:
                bad(k, "a hole from frame %d to %d, after the "
                    "connection's last frame %d?" % (last, after,
                                                     o["last_frame"]))
            m = m[:g.start()] + m[g.end():]
            v = dict(v, message=m)
        check_numbers(v, bad)
        check_words(m, bad, k)
        cited = set(v["frames"])
        for g in re.finditer(r"\bframes? (\d+)(?:(?:-| and )(\d+))?", m):
            cited.update(int(x) for x in g.groups() if x)
        # an ICMP error quoting the connection is no segment of it
        icmp = set()
        if k in ("icmp_unreachable", "icmp_packet_too_big"):
            for g in re.finditer(r"(?:, frame |the last at frame |"
                                 r"the error at frame )(\d+)", m):
                icmp.add(int(g.group(1)))
        for n in sorted(cited - icmp):
            if not c.has_frame(n):
                bad(k, "frame %d is not in the connection" % n)

        # what a side is said to have sent
        for g in re.finditer(r"(client|server) \S+ (?:sent|re-sent) (?:its )?"
                             r"(RST|FIN) at \S+ s \(frame (\d+)\)", m):
            need_sent(k, int(g.group(3)), g.group(1), FLAG[g.group(2)],
                      "the %s's %s" % (g.group(1), g.group(2)))
        for g in re.finditer(r"(?:a RST in the name of|the RST from) "
                             r"(client|server) \S+ (?:at \S+ s )?"
                             r"\(frame (\d+)\)", m):
            need_sent(k, int(g.group(2)), g.group(1), "R",
                      "the %s's RST" % g.group(1))
        for g in re.finditer(r"received the (client|server)'s FIN at \S+ s "
                             r"\(frame (\d+)\)", m):
            need_sent(k, int(g.group(2)), g.group(1), "F",
                      "the %s's FIN" % g.group(1))
        g = re.search(r"until its (late|own) FIN at \S+ s \(frame (\d+)\)", m)
        if g and vs in OTHER:
            owner = vs if k == "lingering_close_wait" else OTHER[vs]
            need_sent(k, int(g.group(2)), owner, "F",
                      "the %s's FIN" % owner)
        g = re.search(r"answered the client's SYN \(frame (\d+)\) with RST "
                      r"\(frame (\d+)", m)
        if g:
            need_sent(k, int(g.group(1)), "client", "S", "the client's SYN")
            need_sent(k, int(g.group(2)), "server", "R", "the server's RST")
        g = re.search(r"SYNs? from the client to \S+ \S+ \(frames? (\d+)"
                      r"(?:-(\d+))?\)", m)
        if g:
            for x in g.groups():
                if x is not None:
                    need_sent(k, int(x), "client", "S", "the client's SYN")
        g = re.search(r"answered \d+ times with SYN\+ACK \(first at frame "
                      r"(\d+)\)", m)
        if g:
            need_sent(k, int(g.group(1)), "server", "SA",
                      "the server's SYN+ACK")
        g = re.search(r"a new SYN \(frame (\d+)\)", m)
        if g:
            need_sent(k, int(g.group(1)), "client", "S", "the client's SYN")
        if k in ("fin_retransmitted", "syn_retransmitted") and v["frames"]:
            need_sent(k, v["frames"][0], vs,
                      "F" if k == "fin_retransmitted" else "S",
                      "the %s's first" % vs)

        # states at a frame
        g = re.search(r"sent RST at \S+ s \(frame (\d+)\) while the "
                      r"(client|server) was in ([A-Z_0-9]+)", m)
        if g:
            n, side, st = int(g.group(1)), g.group(2), g.group(3)
            was = c.before.get(n, {}).get(side)
            if was is not None and was != st:
                bad(k, "says the %s was in %s at frame %d; the timeline "
                    "has %s" % (side, st, n, was))
            # what the RST means for that side follows from its state
            closing = {"FIN_WAIT_1", "FIN_WAIT_2", "CLOSING", "LAST_ACK",
                       "TIME_WAIT"}
            for phrase, states in (
                    ("the peer had already closed its side", closing),
                    ("the peer application gets ECONNRESET",
                     {"ESTABLISHED"}),
                    ("next write() fails with EPIPE", {"CLOSE_WAIT"}),
                    ("the peer's connect() fails", {"SYN_SENT"}),
                    ("the peer's half-open connection is dropped",
                     {"SYN_RECEIVED"}),
                    ("nothing of the peer's side before it", {"UNKNOWN"})):
                if phrase in m and st not in states:
                    bad(k, "says \"%s\" of a %s in %s" % (phrase, side, st))
        g = re.search(r"the (client|server), in TIME_WAIT, acknowledged it "
                      r"again \(frame (\d+)\)", m)
        if g:
            n, side = int(g.group(2)), g.group(1)
            was = c.before.get(n, {}).get(side)
            if was is not None and was != "TIME_WAIT":
                bad(k, "says the %s was in TIME_WAIT at frame %d; the "
                    "timeline has %s" % (side, n, was))
            need_sent(k, n, side, "A", "the %s's ACK" % side)
        g = re.search(r"ended the (client|server)'s TIME_WAIT early", m)
        if g and v["frames"]:
            n, side = v["frames"][0], g.group(1)
            was = c.before.get(n, {}).get(side)
            if was is not None and was != "TIME_WAIT":
                bad(k, "says the RST ended the %s's TIME_WAIT; the timeline "
                    "has %s before frame %d" % (side, was, n))
        if k == "lingering_close_wait" and "waited in FIN_WAIT_2 all that " \
                                          "time" in m and len(v["frames"]) > 1:
            n = v["frames"][1]
            was = c.before.get(n, {}).get(OTHER[vs])
            if was is not None and was != "FIN_WAIT_2":
                bad(k, "says the %s waited in FIN_WAIT_2; before frame %d "
                    "it was in %s" % (OTHER[vs], n, was))

        # states at the end
        for g in re.finditer(r"the (client|server) (?:waits|sits) in "
                             r"([A-Z_0-9]+)", m):
            side, st = g.group(1), g.group(2)
            if c.final[side] != st:
                bad(k, "says the %s waits in %s; it ends in %s"
                    % (side, st, c.final[side]))
        if re.search(r"\bit waits in LAST_ACK", m) and vs in OTHER:
            if c.final[vs] != "LAST_ACK":
                bad(k, "says the %s waits in LAST_ACK; it ends in %s"
                    % (vs, c.final[vs]))
        if "both wait in TIME_WAIT" in m:
            for side in ("client", "server"):
                if c.final[side] != "TIME_WAIT":
                    bad(k, "says both wait in TIME_WAIT; the %s ends in %s"
                        % (side, c.final[side]))
        g = re.search(r"not closed: client ([A-Z_0-9]+), server ([A-Z_0-9]+)",
                      m) or \
            re.search(r"the client ends in ([A-Z_0-9]+), the server in "
                      r"([A-Z_0-9]+)", m)
        if g:
            for side, st in (("client", g.group(1)), ("server", g.group(2))):
                if c.final[side] != st:
                    bad(k, "names the %s's state %s; it ends in %s"
                        % (side, st, c.final[side]))

        # paths
        said = {}
        g = re.search(r"each went ((?:[A-Z_]+(?: -> )?)+)", m)
        if g:
            said = {"client": g.group(1), "server": g.group(1)}
        g = re.search(r"the client went ((?:[A-Z_]+(?: -> )?)+), the "
                      r"server ((?:[A-Z_]+(?: -> )?)+)", m)
        if g:
            said = {"client": g.group(1), "server": g.group(2)}
        for side, p in said.items():
            want = p.split(" -> ")
            if not path_has(c.paths[side], want):
                bad(k, "says the %s went %s; its states were %s"
                    % (side, p, " -> ".join(c.paths[side])))
            elif k == "simultaneous_open" and "SYN_RECEIVED" not in want \
                    and "SYN_RECEIVED" in c.paths[side]:
                bad(k, "says the %s went %s, skipping SYN_RECEIVED; its "
                    "states were %s" % (side, p, " -> ".join(c.paths[side])))
        if "both sides went through CLOSING" in m:
            for side in ("client", "server"):
                if "CLOSING" not in c.paths[side]:
                    bad(k, "says the %s went through CLOSING; its states "
                        "were %s" % (side, " -> ".join(c.paths[side])))
        g = re.search(r"the FINs crossed \(frames (\d+) and (\d+)\)", m)
        if g:
            a, b = int(g.group(1)), int(g.group(2))
            ea, eb = c.frames.get(a), c.frames.get(b)
            if ea and eb:
                if ea["from"] == eb["from"] or "F" not in ea["flags"] or \
                        "F" not in eb["flags"]:
                    bad(k, "frames %d and %d are not one FIN from each side"
                        % (a, b))
                elif eb["ack"] is not None and \
                        eb["ack"] > ea["seq"] + ea["len"]:
                    bad(k, "the later FIN (frame %d) acknowledges the "
                        "earlier one (frame %d): they did not cross"
                        % (b, a))
        g = re.search(r"both sides sent a SYN before either answered "
                      r"\(frames (\d+) and (\d+)\)", m)
        if g:
            a, b = int(g.group(1)), int(g.group(2))
            need_sent(k, a, "client", "S", "the client's SYN")
            need_sent(k, b, "server", "S", "the server's SYN")
            first_sa = min((n for n, e in c.frames.items()
                            if "S" in e["flags"] and "A" in e["flags"]),
                           default=None)
            if first_sa is not None and first_sa < max(a, b):
                bad(k, "a SYN+ACK (frame %d) answered before the second "
                    "SYN (frame %d)" % (first_sa, max(a, b)))

    # verdicts against each other
    kinds = {}
    for v in verdicts:
        kinds.setdefault(v["kind"], []).append(v)
    suspicious = {f for v in kinds.get("rst_suspicious", [])
                  for f in v["frames"]}
    for v in kinds.get("abortive_close", []):
        for f in v["frames"]:
            if f in suspicious and "(rst_suspicious)" not in v["message"]:
                bad("abortive_close", "blames the RST in frame %d, which "
                    "rst_suspicious says its sender did not send" % f)
        if v["frames"]:
            n = v["frames"][0]
            e = c.frames.get(n)
            peer = OTHER.get(v["side"])
            side = v["side"]
            later = re.search(r"did not take that RST and was reset by "
                              r"the (client|server)'s RST from no socket "
                              r"that answered its next segment "
                              r"\(frame (\d+)\)", v["message"])
            if later:
                m = int(later.group(2))
                le = c.frames.get(m)
                if (later.group(1) != side or len(v["frames"]) < 2 or
                        v["frames"][1] != m or le is None or
                        le["from"] != side or "R" not in le["flags"] or
                        (le["reason"][peer] or "").startswith("ignored")):
                    bad("abortive_close", "says the %s's RST in frame %d "
                        "reset the %s, which the timeline does not show"
                        % (side, m, peer))
            elif e and peer and (e["reason"][peer] or "").startswith(
                    "ignored a RST"):
                bad("abortive_close", "blames the RST in frame %d, which "
                    "the %s ignored" % (n, peer))
            if e and side and (e["reason"][side] or "") == (
                    "sent RST for a segment of a connection it does not "
                    "have"):
                bad("abortive_close", "blames the RST in frame %d, which "
                    "the %s sent from no socket" % (n, side))
    for hc in kinds.get("half_close", []):
        for sc in kinds.get("simultaneous_close", []):
            if set(hc["frames"]) == set(sc["frames"]):
                bad("half_close", "describes the same two FINs (frames %s) "
                    "as simultaneous_close" % sorted(hc["frames"]))

    # the close summary
    how = o["close"]["how"]
    if how == "rejected" and c.events is not None:
        both = all(any(st in SYNCED for st in c.paths[s])
                   for s in ("client", "server"))
        data = any(e["len"] > 0 and "S" not in e["flags"]
                   for e in c.frames.values()) or \
            any(sum(e["bytes"].values()) > 0 for e in c.events
                if e["type"] == "run")
        if both and data:
            bad("close", "says rejected, but both sides were synchronized "
                "and data was carried")

    # reasons in the timeline
    fins = {"client": [], "server": []}
    for e in c.events or []:
        if e["type"] != "frame":
            continue
        for side in ("client", "server"):
            r = e["reason"][side]
            if r and r.startswith(TIMEOUT_REASON):
                own = [f for f in fins[side] if f[0] < e["frame"]]
                if not own:
                    bad("timeline", "frame %d says the %s's FIN_WAIT_2 had "
                        "timed out, but it sent no FIN before"
                        % (e["frame"], side))
                elif float(e["ts"]) - float(own[0][1]) < FW2_TIMEOUT_MIN:
                    bad("timeline", "frame %d says the %s's FIN_WAIT_2 had "
                        "timed out, %.3f s after its FIN (frame %d)"
                        % (e["frame"], side,
                           float(e["ts"]) - float(own[0][1]), own[0][0]))
        if "F" in e["flags"]:
            fins[e["from"]].append((e["frame"], e["ts"]))


def main(argv):
    name = None
    files = []
    it = iter(argv)
    for a in it:
        if a == "--name":
            name = next(it)
        else:
            files.append(a)
    streams = [(f, open(f, encoding="utf-8")) for f in files] or \
        [("-", sys.stdin)]
    nconn = nverd = nbad = 0
    for fname, fh in streams:
        label = name or fname
        for line in fh:
            o = json.loads(line)
            if o.get("type") != "connection":
                continue
            if "events" not in o:
                sys.exit("verdict-check: run the program with --events")
            nconn += 1
            nverd += len(o["verdicts"])
            problems = []
            check_conn(Conn(o), problems)
            for p in problems:
                print("%s %s" % (label, p))
            nbad += len(problems)
    print("%d connections, %d verdicts, %d inconsistencies"
          % (nconn, nverd, nbad))
    return 1 if nbad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
