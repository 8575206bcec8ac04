#!/bin/bash
# ordinary.sh: ordinary traffic must give no warning.
#
# Makes a network namespace of its own (named ord-PID, or
# $TFE_NETNS_PREFIX-PID), brings its loopback up, narrows the ephemeral
# port range to 4000 ports (so that the kernel reuses port pairs still in
# TIME_WAIT, as a busy client does), captures its loopback with tcpdump
# and lets tests/ordinary make 20000 real connections to 127.0.0.1:47201
# from kernel-chosen ports: short requests, keep-alive with several
# requests, bulk transfers of 100 kB, both close orders (tests/ordinary.c
# says which of each).  tcpflow-explain then reads the capture: the
# connections on port 47201 must carry no warning at all, and the TIME_WAIT
# pairs the kernel reused must be there, as time_wait_reuse_safe (info).
#
# Provoked on purpose, on port 47202: a listener closed with a connection
# still in its accept queue; that one must get its abortive_close, naming
# the listener.
#
# Needs root (a namespace) and tcpdump; without them it says "skipped:
# why" and exits 77.  Prints PASS or FAIL per check and the number of
# verdicts of each kind, and ends with "N passed, N failed"; exits 1 if
# any check failed.

. "$(dirname "$0")/lib.sh"
peer=$top_builddir/tests/ordinary
port=47201
qport=47202
conns=20000

if [ "$(id -u)" != 0 ]; then
	echo "skipped: ordinary traffic needs root (a network namespace)"
	exit 77
fi
for tool in "$prog" "$peer"; do
	if [ ! -x "$tool" ]; then
		echo "FAIL $tool is not built"
		echo "0 passed, 1 failed"
		exit 1
	fi
done
if ! command -v tcpdump >/dev/null || ! command -v ip >/dev/null ||
	! command -v nsenter >/dev/null; then
	echo "skipped: needs tcpdump, ip (iproute2) and nsenter (util-linux)"
	exit 77
fi

ns=${TFE_NETNS_PREFIX:-ord}-$$
if ! ip netns add "$ns" 2>/dev/null; then
	echo "skipped: cannot make a network namespace"
	exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tfe-ordinary.XXXXXX") || {
	ip netns del "$ns"
	exit 99
}
chmod 755 "$tmp" # tcpdump may write as its own user

pids=() # everything started here, killed by pid at exit
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_ns=(nsenter --net="/run/netns/$ns" --)
if ! ip -n "$ns" link set lo up ||
	! "${in_ns[@]}" sysctl -qw net.ipv4.ip_local_port_range="20000 23999"; then
	echo "skipped: cannot set up the namespace's loopback"
	exit 77
fi

npass=0 nfail=0
pass() {
	echo "PASS $1"
	npass=$((npass + 1))
}
fail() {
	echo "FAIL $1: $2"
	nfail=$((nfail + 1))
}
show() {
	[ -s "$1" ] && head -n "${2:-15}" "$1" | sed 's/^/    /'
}

# wait_for FILE PATTERN SECONDS: until an extended regexp matches a line.
wait_for() {
	local file=$1 pattern=$2 tenths=$(($3 * 10))
	while [ "$tenths" -gt 0 ]; do
		grep -Eq -- "$pattern" "$file" 2>/dev/null && return 0
		sleep 0.1
		tenths=$((tenths - 1))
	done
	return 1
}

cap=$tmp/ordinary.pcap
"${in_ns[@]}" tcpdump -i lo -n -s 128 -B 65536 -U -w "$cap" \
	"tcp port $port or tcp port $qport" 2>"$tmp/tcpdump.err" &
tcpdump_pid=$!
pids+=("$tcpdump_pid")
if ! wait_for "$tmp/tcpdump.err" 'listening on' 15; then
	fail "tcpdump" "did not start"
	show "$tmp/tcpdump.err"
	echo "$npass passed, $nfail failed"
	exit 1
fi

"${in_ns[@]}" "$peer" serve "$port" 8 >"$tmp/serve.out" 2>"$tmp/serve.err" &
pids+=("$!")
if ! wait_for "$tmp/serve.out" '^ready' 15; then
	fail "server" "did not get ready"
	show "$tmp/serve.err"
fi

if "${in_ns[@]}" timeout 120 "$peer" run "$port" "$conns" 4 \
	>"$tmp/run.out" 2>"$tmp/run.err"; then
	pass "$(cat "$tmp/run.out")"
else
	fail "traffic" "tests/ordinary run failed"
	show "$tmp/run.err"
fi
if "${in_ns[@]}" timeout 20 "$peer" queued "$qport" 2>"$tmp/queued.err"; then
	pass "provoked: a listener closed with a connection in its accept queue, the client got ECONNRESET"
else
	fail "queued" "tests/ordinary queued failed"
	show "$tmp/queued.err"
fi

# tcpdump is killed only once it has written all it has: its buffer holds
# what it has not read yet, and on a busy machine the file can stand still
# for a while before it is drained.  The provoked reset is the last packet
# sent, and tcpdump writes in order: once that RST is in the file (read
# back with a filter), so is everything before it; then the file must
# also have stopped growing.
for _ in $(seq 1 240); do
	if tcpdump -r "$cap" -nn -c 1 \
		"tcp port $qport and tcp[tcpflags] & tcp-rst != 0" 2>/dev/null |
		grep -q .; then
		break
	fi
	sleep 0.25
done
prev=-1
for _ in $(seq 1 120); do
	size=$(stat -c %s "$cap" 2>/dev/null || echo 0)
	[ "$size" = "$prev" ] && break
	prev=$size
	sleep 0.5
done
kill -INT "$tcpdump_pid"
wait "$tcpdump_pid" 2>/dev/null
dropped=$(sed -nE 's/^([0-9]+) packets? dropped by kernel$/\1/p' "$tmp/tcpdump.err")
captured=$(sed -nE 's/^([0-9]+) packets? captured$/\1/p' "$tmp/tcpdump.err")
if [ "${dropped:-x}" = 0 ] && [ "${captured:-0}" -gt 0 ]; then
	pass "tcpdump: $captured packets, none dropped"
else
	fail "tcpdump" "dropped ${dropped:-?} packets (a starved machine): the capture has gaps"
	show "$tmp/tcpdump.err"
fi

# ---- the ordinary connections: no warning ---------------------------------

"$prog" -r "$cap" --format summary "tcp port $port" >"$tmp/ord.sum" 2>"$tmp/ord.err"
rc=$?
n=$(sed -nE 's/^  connections: ([0-9]+)$/\1/p' "$tmp/ord.sum")
echo "  verdicts on the $conns ordinary connections:"
sed -n '/^  verdicts (connections):$/,$p' "$tmp/ord.sum" | tail -n +2 |
	sed 's/^/  /'
if [ "$rc" -ne 0 ] || [ "${n:-0}" -ne "$conns" ]; then
	fail "ordinary" "exit $rc, ${n:-no} connections instead of $conns"
	show "$tmp/ord.err"
fi
warnings=$(grep -Ec '^    [a-z_]+ +warning +[0-9]+$' "$tmp/ord.sum")
if [ "$warnings" -eq 0 ]; then
	pass "no warning on $n ordinary connections"
else
	fail "ordinary" "$warnings kinds of warning on ordinary traffic"
	"$prog" -r "$cap" --verdicts-only "tcp port $port" 2>/dev/null |
		grep -E '^#|verdict .*\(warning\)' | head -n 20 | sed 's/^/    /'
fi
reused=$(sed -nE 's/^    time_wait_reuse_safe +info +([0-9]+)$/\1/p' "$tmp/ord.sum")
if [ "${reused:-0}" -ge 1000 ]; then
	pass "the kernel reused $reused port pairs still in TIME_WAIT: time_wait_reuse_safe (info)"
else
	fail "reuse" "only ${reused:-0} time_wait_reuse_safe: the test did not make the kernel reuse TIME_WAIT pairs"
fi

# ---- provoked: the listener closed with a connection in its queue ---------

"$prog" -r "$cap" "tcp port $qport" >"$tmp/queued.out" 2>&1
if grep -Eq "^   verdict abortive_close \(warning\): server 127\.0\.0\.1:$qport sent RST .*listening socket was closed .*accept queue" "$tmp/queued.out"; then
	pass "provoked: abortive_close names the listener closed with the connection in its accept queue"
else
	fail "queued" "no abortive_close naming the closed listener"
	grep -E '^#|verdict' "$tmp/queued.out" | sed 's/^/    /'
fi

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
