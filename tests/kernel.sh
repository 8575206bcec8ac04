#!/bin/bash
# kernel.sh: live, the kernel's view of the local sockets beside the
# wire's (doc/kernel.md), for real.
#
# In a network namespace of its own (kernel-PID), Python servers and
# clients on loopback, 127.0.0.1 and ::1: a server that never calls
# close() after its client's FIN (a CLOSE_WAIT that lingers), two graceful
# closes that leave their clients in TIME_WAIT, and a server that never
# reads while its client writes until its send buffer is full (queues
# that stay put).  Checks:
# the CLOSE_WAIT alert, the connection's header and its JSON name the
# server's pid and command; the kernel's Recv-Q, Send-Q and TIME_WAIT
# timer match ss -tanpo taken at the same moment, in the JSON and in the
# SIGUSR1 table (local sockets in the kernel's state, with its queues); a
# capture filter that hides the FINs makes the wire disagree with the
# kernel, which kernel_disagrees says (text and JSON) and the summary
# counts, while the full capture has no disagreement; on ::1 the same
# CLOSE_WAIT's process (as ss -tanpo names it) and queues; --format netstat
# at SIGINT shows the local sockets in the kernel's state marked "*" with
# its queues and TIME_WAIT timer as ss -tanpo has them, the listeners as
# the wire has them, and the FIN-less capture's disagreements as
# footnotes; after both graceful closes are reported and one TIME_WAIT is
# ended by ss -K, the table and the netstat view show the other alone,
# the kernel's; the live JSON is
# valid by the schema; the analysing process runs as nobody with CapEff
# and CapPrm 0 and the owner lookup as nobody with CAP_SYS_PTRACE alone;
# --no-processes starts no lookup; run as nobody with only CAP_NET_RAW,
# owners are unknown and it carries on.
#
# Needs root and python3; otherwise "skipped: why", exit 77.  Every wait
# has a time limit.  Prints PASS or FAIL per check, then "N passed, N
# failed"; exits 1 if any check failed.

. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "skipped: needs root (a network namespace, raw sockets)"
	exit 77
fi
if [ ! -x "$prog" ]; then
	echo "FAIL $prog is not built"
	echo "0 passed, 1 failed"
	exit 1
fi
# the system's python3 when there is one (a version manager's shim is
# slow to start)
py=$(command -v /usr/bin/python3 || command -v python3)
for tool in ip nsenter ss "$py"; do
	if ! command -v "$tool" >/dev/null; then
		echo "skipped: no $tool"
		exit 77
	fi
done
nobody_uid=$(id -u nobody 2>/dev/null)
if [ -z "$nobody_uid" ]; then
	echo "skipped: no user nobody"
	exit 77
fi

netns_setup "kernel-$$" tfe-kernel

# The peers: python3 peer.py MODE PORT [6].  leak: accept, read to EOF,
# never close; close: accept, read to EOF, close; noread: accept, never
# read; client: connect, send 100 bytes, close; fill: connect, send until
# the send buffer is full, say "full", stay.  On 127.0.0.1, or with 6 on
# ::1.  Each prints "ready" when it can be used, and its pid first.
cat >"$tmp/peer.py" <<'EOF'
import os, socket, sys, time
mode, port = sys.argv[1], int(sys.argv[2])
v6 = sys.argv[3:] == ["6"]
fam, host = (socket.AF_INET6, "::1") if v6 else (socket.AF_INET, "127.0.0.1")
print(os.getpid(), flush=True)
if mode in ("leak", "close", "noread"):
    s = socket.socket(fam)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(8)
    print("ready", flush=True)
    held = []
    while True:
        c, _ = s.accept()
        held.append(c)
        if mode == "noread":
            continue
        while c.recv(4096):
            pass
        if mode == "close":
            c.close()
elif mode == "client":
    c = socket.create_connection((host, port))
    c.sendall(b"x" * 100)
    c.close()
    print("ready", flush=True)
elif mode == "fill":
    c = socket.create_connection((host, port))
    c.setblocking(False)
    sent = 0
    while True:
        try:
            sent += c.send(b"y" * 65536)
        except BlockingIOError:
            break
    print("ready", flush=True)
    print("full", sent, flush=True)
    time.sleep(60)
EOF

# The TIME_WAIT check: the tool's timer, moved on to the moment ss
# was asked, against ss's (whole seconds).
cat >"$tmp/tw.py" <<'EOF'
import json, re, sys
c = json.loads(sys.stdin.readline())
cl = c["local"]["client"]
mine = [l for l in sys.argv[1].splitlines()
        if l.split()[2:3] == ["127.0.0.1:%d" % c["client"]["port"]]]
m = re.search(r"timer:\(timewait,(\d+)(?:min(\d+))?sec", "".join(mine))
if not m or cl["state"] != "TIME_WAIT" or cl["timer"] != "time_wait":
    print("    ss:", sys.argv[1], "tool:", cl)
    sys.exit(1)
ss_left = int(m.group(1)) + (int(m.group(2)) * 60 if m.group(2) else 0)
# the tool's timer, moved on to the moment ss was asked
tool_left = cl["timer_ms"] / 1000 - (float(sys.argv[2]) - cl["query_ts"])
print("    TIME_WAIT left: ss %d s, the kernel through the tool %.1f s" % (ss_left, tool_left))
sys.exit(not abs(ss_left - tool_left) <= 1.5)
EOF

# peer NAME MODE PORT [6]: starts a peer in the namespace; its pid in ppid.
ppid=
peer() {
	"${in_ns[@]}" "$py" "$tmp/peer.py" "${@:2}" >"$tmp/$1.peer" 2>&1 &
	pids+=("$!")
	if ! wait_for "$tmp/$1.peer" '^ready' 10; then
		fail "$1 peer" "not ready"
		show "$tmp/$1.peer"
		return 1
	fi
	ppid=$(head -n 1 "$tmp/$1.peer")
}

# 47401-47403 on 127.0.0.1, 47406 and 47407 on ::1
filter='tcp port 47401 or tcp port 47402 or tcp port 47403 or tcp port 47406 or tcp port 47407'
start text -i lo --close-wait-threshold 1 "$filter" || exit 1
text_pid=$tpid
start json -i lo --close-wait-threshold 1 --format json "$filter" || exit 1
json_pid=$tpid
# the wire without its FINs: it cannot see the close
start nofin -i lo --format json 'tcp port 47401 and tcp[tcpflags] & tcp-fin == 0' ||
	exit 1
nofin_pid=$tpid
start nofintext -i lo 'tcp port 47401 and tcp[tcpflags] & tcp-fin == 0' ||
	exit 1
nofintext_pid=$tpid
# --format netstat: the view at SIGINT, the local sockets the kernel's
start netstat -i lo --format netstat "$filter" || exit 1
netstat_pid=$tpid
start nofinnetstat -i lo --format netstat \
	'tcp port 47401 and tcp[tcpflags] & tcp-fin == 0' || exit 1
nofinnetstat_pid=$tpid

# ---- privileges: the analysing process and the owner lookup ------------

for p in "$text_pid" "$json_pid"; do
	uids=$(status_field "$p" Uid)
	eff=$(status_field "$p" CapEff)
	prm=$(status_field "$p" CapPrm)
	if [ "$(echo $uids)" = "$nobody_uid $nobody_uid $nobody_uid $nobody_uid" ] &&
		[ "$eff" = 0000000000000000 ] && [ "$prm" = 0000000000000000 ]; then
		pass "the analysing process $p: uid $nobody_uid, CapEff and CapPrm 0"
	else
		fail "analysing process $p" "Uid '$uids', CapEff $eff, CapPrm $prm"
	fi
done
helper=$(cat "/proc/$text_pid/task/$text_pid/children" 2>/dev/null | tr -d ' ')
if [ -z "$helper" ]; then
	fail "owner lookup" "no child process of $text_pid"
else
	name=$(status_field "$helper" Name)
	uids=$(status_field "$helper" Uid)
	eff=$(status_field "$helper" CapEff)
	prm=$(status_field "$helper" CapPrm)
	bnd=$(status_field "$helper" CapBnd)
	# CAP_SYS_PTRACE is capability 19: 0x80000
	if [ "$name" = tfe-owners ] &&
		[ "$(echo $uids)" = "$nobody_uid $nobody_uid $nobody_uid $nobody_uid" ] &&
		[ "$eff" = 0000000000080000 ] && [ "$prm" = 0000000000080000 ] &&
		[ "$bnd" = 0000000000000000 ]; then
		pass "the owner lookup ($name, $helper): uid $nobody_uid, CAP_SYS_PTRACE alone (CapEff $eff), bounding set empty"
	else
		fail "owner lookup" "Name $name, Uid '$uids', CapEff $eff, CapPrm $prm, CapBnd $bnd"
	fi
fi

# ---- a server that leaks a CLOSE_WAIT ------------------------------------

peer leak leak 47401 || exit 1
leak_pid=$ppid
peer c1 client 47401 || exit 1

pat='^alert lingering_close_wait .* -> 127\.0\.0\.1:47401 '
if wait_for "$tmp/text.out" "$pat" 6 &&
	wait_for "$tmp/text.out" "^   local: server pid $leak_pid python3 .*; kernel: CLOSE_WAIT, .*; pid $leak_pid python3 has not called close\(\) for 1\.0 s$" 2; then
	pass "the CLOSE_WAIT alert names the server's process (pid $leak_pid python3) and how long it has not called close()"
else
	fail "alert" "no alert naming pid $leak_pid python3"
	show "$tmp/text.out" 20
fi
if wait_for "$tmp/json.out" '^\{"type":"alert",.*"port":47401\}' 6 &&
	grep '^{"type":"alert"' "$tmp/json.out" | "$py" -c '
import json, sys
a = json.loads(sys.stdin.readline())
l = a["local"]
sys.exit(not (l["pid"] == int(sys.argv[1]) and l["command"] == "python3"
              and l["state"] == "CLOSE_WAIT" and l["owner"] == "found"))' "$leak_pid"; then
	pass "the JSON alert's local object: pid $leak_pid, python3, CLOSE_WAIT"
else
	fail "JSON alert" "no local object with pid $leak_pid"
	grep '^{"type":"alert"' "$tmp/json.out" | show /dev/stdin
fi

# ---- IPv6: a CLOSE_WAIT on ::1 ---------------------------------------------

peer leak6 leak 47406 6 || exit 1
leak6_pid=$ppid
peer c6 client 47406 6 || exit 1
if wait_for "$tmp/text.out" '^alert lingering_close_wait .* -> \[::1\]:47406 ' 6 &&
	wait_for "$tmp/text.out" "^   local: server pid $leak6_pid python3 .*; kernel: CLOSE_WAIT, .*; pid $leak6_pid python3 has not called close\(\) for 1\.0 s$" 2; then
	pass "IPv6: the CLOSE_WAIT alert on [::1]:47406 names the server's process (pid $leak6_pid python3)"
else
	fail "IPv6 alert" "no alert on [::1]:47406 naming pid $leak6_pid python3"
	show "$tmp/text.out" 30
fi

# ---- queues that stay put, against ss ----------------------------------

peer nr noread 47402 || exit 1
peer fill fill 47402 || exit 1
peer nr6 noread 47407 6 || exit 1
peer fill6 fill 47407 6 || exit 1
# (the queues stay put: ss is asked just before and after the program
# asks the kernel at SIGINT, below)

# The SIGUSR1 table: local sockets in the kernel's state with its queues,
# against ss just before and after.
sleep 0.5
tb=$("${in_ns[@]}" ss -Htan state established '( sport = :47402 or dport = :47402 )')
kill -USR1 "$text_pid"
wait_for "$tmp/text.out" '^  127\.0\.0\.1:\* +127\.0\.0\.1:47402 .*\(kernel: ' 5
ta=$("${in_ns[@]}" ss -Htan state established '( sport = :47402 or dport = :47402 )')
ss_srv_recv=$(awk '$3 == "127.0.0.1:47402" { print $1 }' <<<"$tb")
ss_srv_recv2=$(awk '$3 == "127.0.0.1:47402" { print $1 }' <<<"$ta")
ss_cli_send=$(awk '$4 == "127.0.0.1:47402" { print $2 }' <<<"$tb")
ss_cli_send2=$(awk '$4 == "127.0.0.1:47402" { print $2 }' <<<"$ta")
row_srv=$(grep -E '^  127\.0\.0\.1:47402 +127\.0\.0\.1:47402 +ESTABLISHED +1 .*\(kernel: Recv-Q [0-9]+, Send-Q 0\)$' "$tmp/text.out" | tail -n 1)
row_cli=$(grep -E '^  127\.0\.0\.1:\* +127\.0\.0\.1:47402 +ESTABLISHED +1 .*\(kernel: Recv-Q 0, Send-Q [0-9]+\)$' "$tmp/text.out" | tail -n 1)
t_recv=$(sed -nE 's/.*Recv-Q ([0-9]+),.*/\1/p' <<<"$row_srv")
t_send=$(sed -nE 's/.*Send-Q ([0-9]+)\)$/\1/p' <<<"$row_cli")
if [ -n "$t_recv" ] && [ -n "$t_send" ] && [ "${t_recv:-0}" -gt 0 ] &&
	[ "${t_send:-0}" -gt 0 ] &&
	[ "$t_recv" = "$ss_srv_recv" ] && [ "$t_recv" = "$ss_srv_recv2" ] &&
	[ "$t_send" = "$ss_cli_send" ] && [ "$t_send" = "$ss_cli_send2" ]; then
	pass "the SIGUSR1 table marks the local sockets with the kernel's queues, as ss has them (Recv-Q $t_recv, Send-Q $t_send)"
else
	fail "table" "table Recv-Q '$t_recv' Send-Q '$t_send', ss Recv-Q $ss_srv_recv/$ss_srv_recv2 Send-Q $ss_cli_send/$ss_cli_send2"
	grep -A8 '^sockets at' "$tmp/text.out" | tail -n 9 | show /dev/stdin
fi

# ---- a graceful close: the client's TIME_WAIT --------------------------

peer cl close 47403 || exit 1
peer c3 client 47403 || exit 1
peer c3b client 47403 || exit 1

# The graceful close is reported after its linger: then its TIME_WAIT
# timer against ss's.
if wait_for "$tmp/json.out" '^\{"type":"connection",.*"port":47403,.*"close":\{[^}]*"how":"graceful"' 10; then
	ss_tw=$("${in_ns[@]}" ss -Htano state time-wait '( dport = :47403 )')
	ss_at=$(date +%s.%N)
	line=$(grep '^{"type":"connection",.*"port":47403,' "$tmp/json.out" | head -n 1)
	if "$py" "$tmp/tw.py" "$ss_tw" "$ss_at" <<<"$line"; then
		pass "the client's TIME_WAIT timer matches ss -tanpo"
	else
		fail "TIME_WAIT timer" "differs from ss"
	fi
	if [ "$("$py" -c 'import json,sys; print(json.loads(sys.stdin.readline())["local"]["disagreements"])' <<<"$line")" = 0 ]; then
		pass "the graceful close: no kernel_disagrees"
	else
		fail "graceful close" "the wire disagrees with the kernel"
		echo "$line" | cut -c1-400
	fi
else
	fail "graceful close" "no connection object for port 47403 within 10 s"
	show "$tmp/json.out"
fi

# ---- TIME_WAITs remembered after their connections were reported --------

# Both 47403 connections reported; the kernel's TIME_WAIT of one ended
# early (ss -K): the next table counts the other alone, marked as the
# kernel's (the wire alone would count both until its 2MSL is over).
tw_pat='^#[0-9]+ 127\.0\.0\.1:[0-9]+ -> 127\.0\.0\.1:47403 '
for _ in $(seq 100); do
	[ "$(grep -Ec "$tw_pat" "$tmp/text.out")" -ge 2 ] && break
	sleep 0.1
done
tw_ports=$("${in_ns[@]}" ss -Htan state time-wait '( dport = :47403 )' |
	awk '{ sub(/.*:/, "", $3); print $3 }' | sort -n)
tw_gone=$(tail -n 1 <<<"$tw_ports")
tw_kept=$(head -n 1 <<<"$tw_ports")
"${in_ns[@]}" ss -K state time-wait '( dport = :47403 and sport = :'"$tw_gone"' )' >/dev/null 2>&1
tw_want=1
if [ "$(wc -l <<<"$tw_ports")" -ne 2 ] || [ "$tw_gone" = "$tw_kept" ]; then
	fail "TIME_WAITs" "ss has not two on port 47403: '$tw_ports'"
elif "${in_ns[@]}" ss -Htan state time-wait '( sport = :'"$tw_gone"' )' | grep -q .; then
	echo "SKIP the TIME_WAIT ended early: ss -K cannot end one on this kernel"
	tw_want=2 tw_gone=
fi
kill -USR1 "$text_pid"
if wait_for "$tmp/text.out" '^  127\.0\.0\.1:\* +127\.0\.0\.1:47403 +TIME_WAIT +'"$tw_want"' .*\(kernel: Recv-Q 0, Send-Q 0\)$' 5; then
	pass "the table after the connections were reported: $tw_want TIME_WAIT on port 47403, the kernel's"
else
	fail "remembered TIME_WAIT" "no row of $tw_want TIME_WAIT marked as the kernel's"
	grep -A12 '^sockets at' "$tmp/text.out" | tail -n 13 | show /dev/stdin
fi

# ---- the end ------------------------------------------------------------

kill -USR1 "$nofin_pid"
kill -USR1 "$nofintext_pid"
sleep 0.5
ss_q() {
	"${in_ns[@]}" ss -Htanpo state established '( sport = :47402 or dport = :47402 or sport = :47407 or dport = :47407 )'
}
ss_before=$(ss_q)
ss_tw=$("${in_ns[@]}" ss -Htano state time-wait '( dport = :47403 )')
ss_cw6=$("${in_ns[@]}" ss -Htanpo state close-wait '( sport = :47406 )')
ss_at=$(date +%s.%N)
all=("$text_pid" "$json_pid" "$nofin_pid" "$nofintext_pid" "$netstat_pid"
	"$nofinnetstat_pid")
for p in "${all[@]}"; do
	kill -INT "$p"
done
for p in "${all[@]}"; do
	if ! wait_exit "$p" 20 || [ "$rc" -ne 0 ]; then
		fail "SIGINT" "process $p: exit status $rc"
	fi
done
ss_after=$(ss_q)

# the connection block: its header names the process
if grep -Eq "^#[0-9]+ 127\.0\.0\.1:[0-9]+ -> 127\.0\.0\.1:47401 " "$tmp/text.out" &&
	grep -Eq "^   local: server pid $leak_pid python3 .*; kernel: CLOSE_WAIT, Recv-Q 0, Send-Q 0" "$tmp/text.out"; then
	pass "the connection's header names the server's process and the kernel's CLOSE_WAIT"
else
	fail "header" "no 'local: server pid $leak_pid python3' line"
	show "$tmp/text.out" 30
fi
if grep -Eq 'lingering_close_wait \(warning\): .*; pid '"$leak_pid"' python3 holds the socket and has not called close\(\)' "$tmp/text.out"; then
	pass "the lingering_close_wait verdict names the process"
else
	fail "verdict" "lingering_close_wait does not name pid $leak_pid"
	grep 'verdict lingering_close_wait' "$tmp/text.out" | show /dev/stdin
fi

# JSON: the leak's local object, and the queues against ss
cat >"$tmp/jcheck.py" <<'EOF'
import json, re, sys
leak, before, after = int(sys.argv[1]), sys.argv[2], sys.argv[3]
leak6, cw6 = int(sys.argv[5]), sys.argv[6]
conns = {}
summary = None
for line in open(sys.argv[4]):
    o = json.loads(line)
    if o["type"] == "connection":
        conns[o["server"]["port"]] = o
    elif o["type"] == "summary":
        summary = o
ok = True
def check(what, cond):
    global ok
    print(("PASS " if cond else "FAIL ") + what)
    ok = ok and cond
srv = conns[47401]["local"]["server"]
check("JSON: the leak's local.server names pid %d python3 in CLOSE_WAIT" % leak,
      srv["pid"] == leak and srv["command"] == "python3" and srv["state"] == "CLOSE_WAIT")
srv6 = conns[47406]["local"]["server"]
m = re.search(r'users:\(\("([^"]*)",pid=(\d+),', cw6)
check("IPv6: local.server of [::1]:47406 names pid %d python3 in CLOSE_WAIT, "
      "the process ss -tanpo names (%s)" %
      (leak6, "%s pid %s" % m.groups() if m else cw6),
      srv6["pid"] == leak6 and srv6["command"] == "python3" and
      srv6["state"] == "CLOSE_WAIT" and m is not None and
      int(m.group(2)) == leak6 and m.group(1) == "python3")
# ss -Htanpo state established: Recv-Q Send-Q Local Peer Process, for
# both ends
def queues(text):
    q = {}
    for l in text.splitlines():
        f = l.split()
        q[f[2]] = (int(f[0]), int(f[1]))
    return q
b, a = queues(before), queues(after)
def near(x, lo, hi):
    return min(lo, hi) - 4096 <= x <= max(lo, hi) + 4096
for port, what in ((47402, "127.0.0.1"), (47407, "IPv6, ::1")):
    c = conns[port]
    tool = {}
    for side in ("client", "server"):
        k = c["local"][side]
        addr = c[side]["addr"]
        tool[("[%s]:%d" if ":" in addr else "%s:%d") % (addr, c[side]["port"])] = \
            (k["recv_q"], k["send_q"])
    print("note: port %d: ss before %s, after %s; the tool %s" %
          (port, {e: b.get(e) for e in tool}, {e: a.get(e) for e in tool}, tool))
    good = len(tool) == 2 and all(e in b and e in a and
                                  near(tool[e][0], b[e][0], a[e][0]) and
                                  near(tool[e][1], b[e][1], a[e][1]) for e in tool)
    nonzero = any(v[0] > 0 for v in tool.values()) and any(v[1] > 0 for v in tool.values())
    check("%s: the kernel's Recv-Q and Send-Q through the tool match ss -tanpo "
          "(both sides, non-zero)" % what, good and nonzero)
k = summary.get("kernel")
check("the full capture: the summary's kernel object, no disagreement",
      k is not None and k["queries"] > 0 and k["disagreements"] == 0 and
      k["disagreeing_connections"] == 0)
sys.exit(not ok)
EOF
if ! "$py" "$tmp/jcheck.py" "$leak_pid" "$ss_before" "$ss_after" "$tmp/json.out" \
	"$leak6_pid" "$ss_cw6" >"$tmp/json.check" 2>&1 && ! grep -q '^FAIL ' "$tmp/json.check"; then
	fail "the JSON checks" "they did not run to the end"
fi
while read -r verdict rest; do
	case $verdict in
	PASS) pass "$rest" ;;
	FAIL) fail "$rest" "see above" ;;
	*) echo "$verdict $rest" ;;
	esac
done <"$tmp/json.check"

# The capture without FINs: the wire believes ESTABLISHED, the kernel
# says CLOSE_WAIT and FIN_WAIT_2.
cat >"$tmp/nofin.py" <<'EOF'
import json, sys
conn = summary = table = None
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o["type"] == "connection":
        conn = o
    elif o["type"] == "summary":
        summary = o
    elif o["type"] == "table":
        table = o
rows = [(r["role"], r["state"], r.get("kernel")) for r in table["rows"]]
print("    table rows:", rows)
if ("server", "CLOSE_WAIT", True) not in rows or ("client", "FIN_WAIT_2", True) not in rows:
    sys.exit(1)
d = conn["local"]["kernel_disagrees"]
print("    kernel_disagrees:", d)
srv = [x for x in d if x["side"] == "server" and x["wire"] == "ESTABLISHED"
       and x["kernel"] == "CLOSE_WAIT"]
sys.exit(not (srv and summary["kernel"]["disagreeing_connections"] == 1
              and summary["kernel"]["disagreements"] >= 1))
EOF
if "$py" "$tmp/nofin.py" "$tmp/nofin.out"; then
	pass "a capture that hides the FINs: the table has the kernel's CLOSE_WAIT and FIN_WAIT_2; kernel_disagrees (wire ESTABLISHED, kernel CLOSE_WAIT), counted in the summary"
else
	fail "kernel_disagrees" "not reported"
	show "$tmp/nofin.out"
fi

# the same in text: the table's rows, the lines under the header, the
# summary
if grep -Eq '^  127\.0\.0\.1:47401 +127\.0\.0\.1:47401 +CLOSE_WAIT +1 .*\(kernel: Recv-Q 0, Send-Q 0\)$' "$tmp/nofintext.out" &&
	grep -Eq '^   kernel_disagrees: at \+[0-9.]+ s \(table query\) the wire has the server in ESTABLISHED, the kernel CLOSE_WAIT$' "$tmp/nofintext.out" &&
	grep -Eq '^   kernel_disagrees: at \+[0-9.]+ s \(table query\) the wire has the client in ESTABLISHED, the kernel FIN_WAIT_2$' "$tmp/nofintext.out" &&
	grep -Eq "^  kernel's view of local sockets: [0-9]+ queries \(0 failed\), kernel_disagrees in 1 connection \([0-9]+ queries\)$" "$tmp/nofintext.out"; then
	pass "text: the table's kernel CLOSE_WAIT, the kernel_disagrees lines, the summary's count"
else
	fail "text kernel_disagrees" "lines missing"
	show "$tmp/nofintext.out" 40
fi
if grep -q '^   kernel_disagrees' "$tmp/text.out"; then
	fail "full capture" "a kernel_disagrees line"
	grep '^   kernel_disagrees' "$tmp/text.out" | show /dev/stdin
else
	pass "text, the full capture: no kernel_disagrees line"
fi

# --format netstat, live: the kernel's state and queues for the local
# sockets (marked *), the wire's for the listeners; the TIME_WAIT the
# kernel keeps with its timer; kernel_disagrees as footnotes.
cat >"$tmp/ncheck.py" <<'EOF'
import re, sys
view, before, after, ss_tw, ss_at, kept, gone, nofin = sys.argv[1:9]
ok = True
def check(what, cond):
    global ok
    print(("PASS " if cond else "FAIL ") + what)
    ok = ok and cond
def rows(path):
    out, foot = [], []
    for l in open(path):
        f = l.split()
        if f[:1] in (["tcp"], ["tcp6"]) and len(f) >= 6:
            out.append(f)
        elif l.startswith("  * "):
            foot.append(l.strip())
    return out, foot
def key(ep):
    a, p = ep.rsplit(":", 1)
    return ("[%s]:%s" if ":" in a else "%s:%s") % (a, p)
r, foot = rows(view)
def find(local_port, state):
    return [f for f in r if f[3].endswith(":%d" % local_port) and f[5] == state]
cw = find(47401, "CLOSE_WAIT*") + find(47406, "CLOSE_WAIT*")
check("netstat: the leaks' CLOSE_WAITs (127.0.0.1:47401, ::1:47406) as the kernel's, Recv-Q 0, Send-Q 0",
      len(cw) == 2 and all(f[1:3] == ["0", "0"] for f in cw) and
      {f[0] for f in cw} == {"tcp", "tcp6"})
def queues(text):
    return {l.split()[2]: (int(l.split()[0]), int(l.split()[1]))
            for l in text.splitlines()}
b, a = queues(before), queues(after)
def near(x, e, i):
    lo, hi = sorted((b[e][i], a[e][i]))
    return lo - 4096 <= x <= hi + 4096
est = [f for f in r if f[5] == "ESTABLISHED*"]
good = len(est) == 4
for f in est:
    e = key(f[3])
    good = good and e in b and e in a and near(int(f[1]), e, 0) and \
        near(int(f[2]), e, 1)
nonzero = sum(int(f[1]) > 0 for f in est) == 2 and sum(int(f[2]) > 0 for f in est) == 2
print("note: netstat ESTABLISHED rows %s; ss before %s" % ([f[1:5] for f in est], b))
check("netstat: the stalled transfers (47402, and 47407 on ::1) with the kernel's Recv-Q and Send-Q, as ss -tanpo",
      good and nonzero)
lis = [f for f in r if f[5].startswith("LISTEN")]
# a listener with a connection open is LISTEN; one whose connections are
# all over is "LISTEN?" (closing a listener sends nothing)
busy = {f[3].rsplit(":", 1)[1] for f in r if not f[5].startswith("LISTEN")
        and not f[5].startswith("TIME_WAIT")}
print("note: listeners %s; ports with an open connection %s" %
      ([f[3] + " " + f[5] for f in lis], sorted(busy)))
check("netstat: listeners as the wire shows them (no *, Recv-Q -), LISTEN? once none of its connections is open",
      len(lis) == 5 and all(f[1] == "-" and f[5] == ("LISTEN" if
          f[3].rsplit(":", 1)[1] in busy else "LISTEN?") for f in lis) and
      any(f[5] == "LISTEN" for f in lis))
check("netstat: the legend under each host, no kernel_disagrees footnote",
      sum(x.startswith("* the kernel's state, Recv-Q and Send-Q") for x in foot) == 2
      and not any("kernel_disagrees" in x for x in foot))
tw = [l for l in open(view) if "TIME_WAIT" in l and "127.0.0.1:47403" in l]
m = re.search(r"timewait \(([0-9.]+)/0/0\)", "".join(tw))
mine = [l for l in ss_tw.splitlines() if l.split()[2:3] == ["127.0.0.1:" + kept]]
s = re.search(r"timer:\(timewait,(\d+)sec", "".join(mine))
want = 1 if gone else 2
print("note: netstat %s; ss %s" % ([l.strip() for l in tw], mine))
check("netstat: %d remembered TIME_WAIT on 127.0.0.1:47403, the kernel's, its timer as ss -tano's%s"
      % (want, ", the one it ended early not shown" if gone else ""),
      len(tw) == want and all("TIME_WAIT*" in l and l.split()[1:3] == ["0", "0"] for l in tw) and
      any(l.split()[3] == "127.0.0.1:" + kept for l in tw) and
      not any(gone and l.split()[3] == "127.0.0.1:" + gone for l in tw) and
      m is not None and s is not None and abs(float(m.group(1)) - int(s.group(1))) <= 1.5)
r2, foot2 = rows(nofin)
print("note: without FINs: %s %s" % ([f[3:6] for f in r2], foot2))
check("netstat, a capture without FINs: the kernel's CLOSE_WAIT* and FIN_WAIT2*, and a kernel_disagrees footnote for each (the wire ESTABLISHED)",
      any(f[5] == "CLOSE_WAIT*" and f[3] == "127.0.0.1:47401" for f in r2) and
      any(f[5] == "FIN_WAIT2*" and f[4] == "127.0.0.1:47401" for f in r2) and
      sum(bool(re.match(r"\* 127\.0\.0\.1:\d+ 127\.0\.0\.1:\d+: kernel_disagrees: the kernel has (CLOSE_WAIT|FIN_WAIT2), the wire ESTABLISHED$", x))
          for x in foot2) == 2)
sys.exit(not ok)
EOF
if ! "$py" "$tmp/ncheck.py" "$tmp/netstat.out" "$ss_before" "$ss_after" "$ss_tw" \
	"$ss_at" "$tw_kept" "$tw_gone" "$tmp/nofinnetstat.out" >"$tmp/netstat.check" 2>&1 &&
	! grep -q '^FAIL ' "$tmp/netstat.check"; then
	fail "the netstat checks" "they did not run to the end"
	show "$tmp/netstat.check"
fi
while read -r verdict rest; do
	case $verdict in
	PASS) pass "$rest" ;;
	FAIL) fail "$rest" "see above" ;;
	*) echo "$verdict $rest" ;;
	esac
done <"$tmp/netstat.check"

# ---- --no-processes, and without privileges ------------------------------

if start nop -i lo --no-processes --close-wait-threshold 1 tcp port 47404; then
	p=$tpid
	peer l4 leak 47404 && peer c4 client 47404
	kids=$(cat "/proc/$p/task/$p/children" 2>/dev/null)
	wait_for "$tmp/nop.out" '^   local: server owner not looked for \(--no-processes\); kernel: CLOSE_WAIT' 6
	kill -INT "$p"
	wait_exit "$p" 20
	if [ -z "$kids" ] &&
		grep -q '^   local: server owner not looked for (--no-processes); kernel: CLOSE_WAIT' "$tmp/nop.out"; then
		pass "--no-processes: no owner lookup process; the kernel's state is still read"
	else
		fail "--no-processes" "children '$kids'"
		show "$tmp/nop.out"
	fi
fi

if command -v setcap >/dev/null && command -v setpriv >/dev/null; then
	cp "$prog" "$tmp/tfe-netraw" && chmod 755 "$tmp/tfe-netraw"
	if setcap cap_net_raw=ep "$tmp/tfe-netraw" 2>/dev/null; then
		"${in_ns[@]}" setpriv --reuid=nobody --regid="$(id -g nobody)" \
			--clear-groups --inh-caps=-all "$tmp/tfe-netraw" -i lo \
			--close-wait-threshold 1 tcp port 47405 >"$tmp/np.out" 2>"$tmp/np.err" &
		p=$!
		pids+=("$p")
		if wait_for "$tmp/np.err" '^tcpflow-explain: listening on ' 15; then
			peer l5 leak 47405 && peer c5 client 47405
			if wait_for "$tmp/np.out" '^   local: server owner unknown \(no privilege to look\); kernel: CLOSE_WAIT' 6; then
				pass "without root: owners unknown, said so, and the kernel's state still read"
			else
				fail "without root" "no 'owner unknown' line"
				show "$tmp/np.out"
			fi
			kill -INT "$p"
			wait_exit "$p" 20
		else
			fail "without root" "did not start"
			show "$tmp/np.err"
		fi
	else
		echo "SKIP without root: setcap failed"
	fi
else
	echo "SKIP without root: no setcap or setpriv"
fi

# The live JSON against the schema; KERNEL_SAMPLE=FILE keeps it (the
# sample tests/json.sh checks the documents with: tests/data/README.md).
if "$py" -c 'import jsonschema' 2>/dev/null; then
	if "$py" - "$top_srcdir/doc/tcpflow-explain.schema.json" "$tmp/json.out" \
		"$tmp/nofin.out" >"$tmp/schema.out" 2>&1 <<'EOF'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
n = 0
for path in sys.argv[2:]:
    for line in open(path):
        jsonschema.validate(json.loads(line), schema)
        n += 1
print("    %d lines valid" % n)
EOF
	then
		pass "the live JSON (local, kernel) is valid by the schema"
	else
		fail "schema" "the live JSON is not valid"
		show "$tmp/schema.out"
	fi
else
	echo "SKIP the schema check: no python3 jsonschema module"
fi
if [ -n "${KERNEL_SAMPLE:-}" ]; then
	cat "$tmp/json.out" "$tmp/nofin.out" >"$KERNEL_SAMPLE"
fi

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
