#!/bin/bash
# live.sh: live capture (README.md, Live capture), for real.
#
# Makes a network namespace of its own (named lv-PID, or
# TFE_LIVE_NS-PID when that is set), brings its loopback
# up, and runs tcpflow-explain -i lo (and -i any) inside it while
# tests/livepeer makes the kernel's TCP talk on test ports 47101-47107:
# a normal close, a SYN refused with RST by a closed port, a CLOSE_WAIT
# that lingers, and a flood of SYNs.  It checks what the program prints
# while it runs (a connection appears as soon as it is over, before any
# signal), on SIGUSR1 (the socket table, and it carries on) and after
# SIGINT (the open connection as open_at_end, the summary with libpcap's
# counters); that after start-up it runs as nobody with no capability
# (/proc/PID/status), and as nobody with only CAP_NET_RAW on the binary;
# that -w saves a capture that reads back to the same connections; that a
# SYN flood with --max-flows 1000 keeps its memory within a bound and
# counts what it evicted; that a second SIGINT ends it at once even when
# its output is stuck; and the errors for a missing interface, a bad
# filter, no permission and an unknown -Z user.  The operator's view:
# the CLOSE_WAIT alert within a second of its threshold, the unanswered
# SYN's alert, --every's tables on the wall clock, the SIGUSR1 table's
# counts against ss(8) in the namespace, and a listener that is gone
# leaving the table once --idle-timeout has passed without a SYN answered.
#
# Needs root (namespaces, raw sockets, setcap); without root, or when no
# namespace can be made, it says "skipped: why" and exits 77.  Every wait
# has a time limit, so it never hangs.  top_srcdir and top_builddir come
# from the Makefile; run by hand, both default to the directory above this
# script.  Prints PASS or FAIL per check and ends with "N passed, N
# failed"; exits 1 if any check failed.

. "$(dirname "$0")/lib.sh"
peer=$top_builddir/tests/livepeer

if [ "$(id -u)" != 0 ]; then
	echo "skipped: live capture needs root (a network namespace, raw sockets)"
	exit 77
fi
for tool in "$prog" "$peer"; do
	if [ ! -x "$tool" ]; then
		echo "FAIL $tool is not built"
		echo "0 passed, 1 failed"
		exit 1
	fi
done
if ! command -v ip >/dev/null || ! command -v nsenter >/dev/null; then
	echo "skipped: no ip (iproute2) or nsenter (util-linux) for a network namespace"
	exit 77
fi

netns_setup "${TFE_LIVE_NS:-lv}-$$" tfe-live

# check_unprivileged NAME PID UID: all four uids are UID, no capability
# in the effective or permitted set.
check_unprivileged() {
	local name=$1 pid=$2 want=$3 uids eff prm
	uids=$(status_field "$pid" Uid)
	eff=$(status_field "$pid" CapEff)
	prm=$(status_field "$pid" CapPrm)
	# shellcheck disable=SC2086
	set -- $uids
	if [ $# -ne 4 ] || [ "$1" != "$want" ] || [ "$2" != "$want" ] ||
		[ "$3" != "$want" ] || [ "$4" != "$want" ]; then
		fail "$name: runs as uid $want" "Uid line is '$uids'"
	elif [ "$eff" != 0000000000000000 ] || [ "$prm" != 0000000000000000 ]; then
		fail "$name: no capabilities" "CapEff $eff, CapPrm $prm"
	else
		pass "$name: after start-up uid $want (real, effective, saved, fs), CapEff and CapPrm 0"
	fi
}

nobody_uid=$(id -u nobody 2>/dev/null)
if [ -z "$nobody_uid" ]; then
	echo "skipped: no user nobody to drop root to"
	exit 77
fi

# ---- one run: a close, a refused SYN, a lingering CLOSE_WAIT ------------

filter='tcp port 47101 or tcp port 47102 or tcp port 47103'
if start main -i lo --close-wait-threshold 1 -w "$tmp/saved.pcap" \
	"$filter"; then
	pid=$tpid
	check_unprivileged main "$pid" "$nobody_uid"
	groups=$(status_field "$pid" Groups)
	capbnd=$(status_field "$pid" CapBnd)
	if [ -z "${groups// /}" ] && [ "$capbnd" = 0000000000000000 ]; then
		pass "main: no supplementary groups, bounding set empty"
	else
		fail "main: groups and bounding set" "Groups '$groups', CapBnd $capbnd"
	fi

	# A normal close prints on its own: linger (3 s) plus the timer's
	# lag, with no packet after it and no signal.
	if ! "${in_ns[@]}" "$peer" close 47101; then
		fail "close" "livepeer close failed"
	elif wait_for "$tmp/main.out" '^#[0-9]+ 127\.0\.0\.1:[0-9]+ -> 127\.0\.0\.1:47101 .*graceful' 20; then
		pass "a graceful close prints while the capture runs, before any signal"
	else
		fail "close" "no graceful connection to port 47101 printed within 20 s"
		show "$tmp/main.out"
	fi
	if grep -Eq '^   end: closed, graceful; final states client TIME_WAIT' "$tmp/main.out"; then
		pass "the close ends with the client in TIME_WAIT, the server CLOSED"
	else
		fail "close end line" "no 'end: closed, graceful; final states client TIME_WAIT'"
	fi

	if ! "${in_ns[@]}" "$peer" refused 47102; then
		fail "refused" "livepeer refused failed"
	elif wait_for "$tmp/main.out" 'verdict rst_to_closed_port .*port 47102' 20; then
		pass "a SYN refused by a closed port prints as rst_to_closed_port while running"
	else
		fail "refused" "no rst_to_closed_port for port 47102 within 20 s"
		show "$tmp/main.out" 40
	fi

	# The server never closes: CLOSE_WAIT for the rest of the capture.
	"${in_ns[@]}" "$peer" closewait 47103 60 >"$tmp/cw.out" 2>&1 &
	cwpid=$!
	pids+=("$cwpid")
	if ! wait_for "$tmp/cw.out" '^ready' 15; then
		fail "closewait" "livepeer closewait did not get ready"
		show "$tmp/cw.out"
	fi
	sleep 2 # past --close-wait-threshold 1

	kill -USR1 "$pid"
	if wait_for "$tmp/main.out" '^sockets at ' 10 &&
		wait_for "$tmp/main.out" '^  127\.0\.0\.1:47103 +127\.0\.0\.1:47103 +CLOSE_WAIT +1 ' 5 &&
		wait_for "$tmp/main.out" '^  127\.0\.0\.1:\* +127\.0\.0\.1:47103 +FIN_WAIT_2 +1 ' 5; then
		pass "SIGUSR1 prints the socket table: server CLOSE_WAIT, client FIN_WAIT_2"
	else
		fail "SIGUSR1" "no socket table with CLOSE_WAIT and FIN_WAIT_2 for port 47103"
		show "$tmp/main.out" 60
	fi
	sleep 0.5
	if kill -0 "$pid" 2>/dev/null; then
		pass "after SIGUSR1 the capture carries on"
	else
		fail "SIGUSR1" "the program ended"
	fi
	# The SIGUSR1 table comes before the CLOSE_WAIT connection's block.
	if grep -Eq '^#[0-9]+ .*:47103 ' "$tmp/main.out"; then
		fail "CLOSE_WAIT" "the open connection printed before SIGINT"
	else
		pass "the CLOSE_WAIT connection is still open before SIGINT"
	fi

	kill -INT "$pid"
	if ! wait_exit "$pid" 20; then
		fail "SIGINT" "still running 20 s after SIGINT"
	elif [ "$rc" -ne 0 ]; then
		fail "SIGINT" "exit status $rc"
		show "$tmp/main.err"
	else
		pass "SIGINT: clean stop, exit 0"
	fi
	kill -TERM "$cwpid" 2>/dev/null
	wait "$cwpid" 2>/dev/null

	out=$tmp/main.out
	if grep -Eq '^#[0-9]+ .*-> 127\.0\.0\.1:47103 ' "$out" &&
		grep -Eq '^   verdict open_at_end \(info\): .*client FIN_WAIT_2, server CLOSE_WAIT' "$out" &&
		grep -Eq '^   end: capture ended, [a-z_]+; final states client FIN_WAIT_2, server CLOSE_WAIT' "$out"; then
		pass "after SIGINT the open connection prints with open_at_end (FIN_WAIT_2 / CLOSE_WAIT)"
	else
		fail "open_at_end" "no open_at_end block for port 47103 with FIN_WAIT_2 and CLOSE_WAIT"
		show "$out" 80
	fi
	if grep -Eq 'verdict lingering_close_wait .*47103' "$out"; then
		pass "the open connection carries lingering_close_wait"
	else
		fail "lingering_close_wait" "no such verdict for port 47103"
	fi
	cap=$(grep -E '^  capture: [0-9]+ received, [0-9]+ dropped by the kernel, [0-9]+ dropped by the interface$' "$out")
	recv=$(sed -E 's/^  capture: ([0-9]+) received.*/\1/' <<<"$cap")
	if [ -n "$cap" ] && [ "$recv" -gt 0 ] && grep -q '^summary$' "$out" &&
		grep -Eq '^  connections: 3$' "$out"; then
		pass "the summary: 3 connections, libpcap's counts ($cap)"
	else
		fail "summary" "no summary with 3 connections and received/dropped counts"
		show "$out" 200 | tail -n 20
	fi

	# -w: a capture other tools read, with the same connections.
	if [ ! -s "$tmp/saved.pcap" ]; then
		fail "-w" "no capture saved"
	elif "$prog" -r "$tmp/saved.pcap" >"$tmp/replay.out" 2>"$tmp/replay.err"; then
		grep -E '^#[0-9]+ ' "$out" | sed -E 's/  [0-9.]+ s$//' >"$tmp/live.conns"
		grep -E '^#[0-9]+ ' "$tmp/replay.out" | sed -E 's/  [0-9.]+ s$//' >"$tmp/replay.conns"
		live_pk=$(sed -nE 's/^  packets: ([0-9]+) read.*/\1/p' "$out")
		replay_pk=$(sed -nE 's/^  packets: ([0-9]+) read.*/\1/p' "$tmp/replay.out")
		if [ "$(wc -l <"$tmp/live.conns")" -eq 3 ] &&
			cmp -s "$tmp/live.conns" "$tmp/replay.conns" &&
			[ -n "$live_pk" ] && [ "$live_pk" = "$replay_pk" ]; then
			pass "-w saves the $live_pk packets analysed; -r on them gives the same 3 connections"
		else
			fail "-w" "the saved capture reads back differently"
			diff "$tmp/live.conns" "$tmp/replay.conns" | sed 's/^/    /'
			echo "    packets live $live_pk, read back $replay_pk"
		fi
		if command -v tcpdump >/dev/null; then
			n=$(tcpdump -nr "$tmp/saved.pcap" 2>/dev/null | wc -l)
			other=$(tcpdump -nr "$tmp/saved.pcap" 2>/dev/null |
				grep -Evc '\.4710[123][ :]')
			if [ "$n" = "$live_pk" ] && [ "$other" -eq 0 ]; then
				pass "-w: tcpdump reads the $n packets, all on the filter's ports"
			else
				fail "-w" "tcpdump reads $n packets ($other off the filter's ports), expected $live_pk"
			fi
		fi
	else
		fail "-w" "the saved capture does not read back"
		show "$tmp/replay.err"
	fi
fi

# ---- --format json: JSON Lines while running, the table among them ----

if start json -i lo --format json tcp port 47108; then
	pid=$tpid
	if ! "${in_ns[@]}" "$peer" close 47108; then
		fail "json" "livepeer close failed"
	elif wait_for "$tmp/json.out" '^\{"type":"connection",.*"port":47108,' 20; then
		pass "--format json: a connection object prints while the capture runs"
	else
		fail "json" "no connection object for port 47108 within 20 s"
		show "$tmp/json.out"
	fi
	kill -USR1 "$pid"
	if wait_for "$tmp/json.out" '^\{"type":"table",.*"rows":\[' 10; then
		pass "--format json: SIGUSR1 writes the socket table as a table object"
	else
		fail "json SIGUSR1" "no table object on standard output"
		show "$tmp/json.out"
	fi
	kill -INT "$pid"
	if ! wait_exit "$pid" 20 || [ "$rc" -ne 0 ]; then
		fail "json SIGINT" "exit status $rc"
	elif grep -q '^sockets at' "$tmp/json.out" "$tmp/json.err"; then
		fail "json" "a text table was written"
	elif ! tail -n 1 "$tmp/json.out" |
		grep -Eq '^\{"type":"summary",.*"capture":\{"received":[1-9][0-9]*,"dropped":0,"ifdropped":0\}'; then
		fail "json summary" "no summary object with libpcap's counts"
		tail -n 1 "$tmp/json.out" | cut -c1-300 | sed 's/^/    /'
	elif command -v python3 >/dev/null &&
		! python3 -c 'import json, sys
for line in sys.stdin:
    json.loads(line)' <"$tmp/json.out"; then
		fail "json" "a line of standard output is not JSON"
	else
		pass "--format json: after SIGINT every line of standard output is JSON, the summary has libpcap's counts"
	fi
fi

# ---- alerts at the threshold, --every, the SIGUSR1 table against ss -----

# now: the wall clock in seconds with decimals.
now() {
	date +%s.%N
}

# ss_count STATE FILTER...: sockets in STATE that ss sees in the namespace.
ss_count() {
	local st=$1
	shift
	"${in_ns[@]}" ss -Htan state "$st" "$@" | wc -l
}

# table_count FILE LOCAL STATE: the count of the last table's row.
table_count() {
	awk -v l="$2" -v st="$3" '
		/^sockets at / { n = 0 }
		$1 == l && $3 == st { n = $4 }
		END { print n + 0 }' "$1"
}

if start watch -i lo --close-wait-threshold 2 --syn-threshold 1 --every 1 \
	'tcp port 47110 or tcp port 47111'; then
	pid=$tpid
	"${in_ns[@]}" "$peer" closewait 47110 30 >"$tmp/cw2.out" 2>&1 &
	cwpid=$!
	pids+=("$cwpid")
	if ! wait_for "$tmp/cw2.out" '^ready' 15; then
		fail "closewait" "livepeer closewait did not get ready"
	fi
	# The alert says when the threshold passed (capture time); the line
	# must be out within a second of that on the wall clock.
	pat='^alert lingering_close_wait at [0-9.]+ .* -> 127\.0\.0\.1:47110  the server has been in CLOSE_WAIT for 2\.0 s'
	if wait_for "$tmp/watch.out" "$pat" 6; then
		seen=$(now)
		at=$(grep -E "$pat" "$tmp/watch.out" | head -n 1 |
			sed -E 's/^alert [a-z_]+ at ([0-9.]+) .*/\1/')
		late=$(awk -v s="$seen" -v a="$at" 'BEGIN { printf "%.3f", s - a }')
		if awk -v l="$late" 'BEGIN { exit !(l >= 0 && l < 1) }'; then
			pass "the CLOSE_WAIT alert comes at its threshold (seen $late s after it), before the connection ends"
		else
			fail "CLOSE_WAIT alert" "seen $late s after its threshold"
		fi
	else
		fail "CLOSE_WAIT alert" "no lingering_close_wait alert for port 47110 within 6 s"
		show "$tmp/watch.out" 40
	fi

	# A SYN from an address with no route back: nothing answers.
	"${in_ns[@]}" "$peer" flood 10.99.0.1 47111 1
	if wait_for "$tmp/watch.out" '^alert syn_unanswered at .*10\.99\.0\.1:[0-9]+ -> 127\.0\.0\.1:47111  the client has been in SYN_SENT for 1\.0 s' 5; then
		pass "an unanswered SYN gets its alert"
	else
		fail "SYN alert" "no syn_unanswered alert for port 47111 within 5 s"
		show "$tmp/watch.out" 40
	fi

	# The SIGUSR1 table against ss, state by state, for port 47110.
	ss_cw=$(ss_count close-wait '( sport = :47110 )')
	ss_fw=$(ss_count fin-wait-2 '( dport = :47110 )')
	lines=$(grep -c '^sockets at ' "$tmp/watch.out")
	kill -USR1 "$pid"
	wait_for "$tmp/watch.out" '^sockets at ' 5
	sleep 0.5
	t_cw=$(table_count "$tmp/watch.out" 127.0.0.1:47110 CLOSE_WAIT)
	t_fw=$(table_count "$tmp/watch.out" '127.0.0.1:*' FIN_WAIT_2)
	if [ "$ss_cw" = 1 ] && [ "$ss_fw" = 1 ] && [ "$t_cw" = "$ss_cw" ] &&
		[ "$t_fw" = "$ss_fw" ]; then
		pass "the socket table agrees with ss: CLOSE_WAIT $t_cw, FIN_WAIT_2 $t_fw"
	else
		fail "table vs ss" "ss CLOSE_WAIT $ss_cw FIN_WAIT_2 $ss_fw, table $t_cw $t_fw"
		show "$tmp/watch.out" 60
	fi
	# --every 1: a table a second on the wall clock, one second apart.
	if [ "$lines" -ge 3 ] && awk '/^sockets at / { t[n++] = $3 }
		END { for (i = 1; i < n; i++) { d = t[i] - t[i - 1]
			if (d > 0.999 && d < 1.001) ok++ }
			exit !(ok >= 2) }' "$tmp/watch.out"; then
		pass "--every 1 prints a table each second ($lines so far)"
	else
		fail "--every" "$lines tables, not a second apart"
		grep '^sockets at ' "$tmp/watch.out" | show /dev/stdin
	fi
	kill -INT "$pid"
	wait_exit "$pid" 20
	kill -TERM "$cwpid" 2>/dev/null
	wait "$cwpid" 2>/dev/null
	if [ "$(grep -c '^alert lingering_close_wait ' "$tmp/watch.out")" = 1 ] &&
		grep -Eq '^#[0-9]+ .*-> 127\.0\.0\.1:47110 ' "$tmp/watch.out"; then
		pass "the alert came once, and the connection's block followed at the end"
	else
		fail "alert once" "not exactly one CLOSE_WAIT alert, or no block after it"
	fi
fi

# A listener is shown while the capture proves it: livepeer closes its
# listening socket right after the connection; with --idle-timeout 2 the
# table drops it 2 s after the SYN+ACK, as ss has.
if start lst -i lo --idle-timeout 2 tcp port 47112; then
	pid=$tpid
	"${in_ns[@]}" "$peer" close 47112
	kill -USR1 "$pid"
	wait_for "$tmp/lst.out" '^sockets at ' 5
	first=$(table_count "$tmp/lst.out" 127.0.0.1:47112 LISTEN)
	sleep 3
	ss_l=$(ss_count listening '( sport = :47112 )')
	kill -USR1 "$pid"
	sleep 1
	later=$(table_count "$tmp/lst.out" 127.0.0.1:47112 LISTEN)
	if [ "$first" = 1 ] && [ "$ss_l" = 0 ] && [ "$later" = 0 ]; then
		pass "the table shows a listener while proven, and drops it as ss did after --idle-timeout"
	else
		fail "listener" "first $first, after 3 s $later, ss $ss_l"
		show "$tmp/lst.out" 40
	fi
	kill -INT "$pid"
	wait_exit "$pid" 20
fi

# ---- --format html: the page on exit, after SIGINT or -c ---------------
# Standard output holds the page alone, written when the capture ends; the
# SIGUSR1 table goes to standard error (and shows that the connection was
# read before the SIGINT).

# check_page NAME PORT ENDING: the page of $tmp/NAME.out is one document,
# its tags nest and its ids are unique (tests/html-check.py), it names the interface, and lists
# and draws the connection to PORT with that ending.
check_page() {
	local name=$1 port=$2 ending=$3 f=$tmp/$1.out
	if [ "$(head -c 15 "$f")" != '<!DOCTYPE html>' ] ||
		[ "$(tail -n 1 "$f")" != '</html>' ]; then
		fail "$name page" "standard output is not the page alone"
		show "$f" 5
	elif command -v python3 >/dev/null &&
		! python3 "$top_srcdir/tests/html-check.py" page "$f" >"$tmp/$name.check"; then
		fail "$name page" "its tags do not nest or an id repeats"
		show "$tmp/$name.check"
	elif ! grep -q '<p>Live on interface <code>lo</code>' "$f"; then
		fail "$name page" "no 'Live on interface lo'"
	elif ! grep -Eq "<td class=\"ep\">127\.0\.0\.1:$port</td><td>$ending</td>" "$f"; then
		fail "$name page" "no $ending connection to port $port in the list"
		grep -o '<tr id="l[0-9]*".*</tr>' "$f" | head -n 3 | sed 's/^/    /'
	elif ! grep -q '<section class="conn[^>]*id="c1"' "$f" ||
		! grep -q '<svg class="ladder"' "$f"; then
		fail "$name page" "connection #1 is not drawn"
	else
		return 0
	fi
	return 1
}

if start html -i lo --format html tcp port 47112; then
	pid=$tpid
	if ! "${in_ns[@]}" "$peer" close 47112; then
		fail "html" "livepeer close failed"
	fi
	kill -USR1 "$pid"
	if wait_for "$tmp/html.err" '^  127\.0\.0\.1:\*  .*127\.0\.0\.1:47112 +TIME_WAIT ' 20 &&
		[ ! -s "$tmp/html.out" ]; then
		pass "--format html: SIGUSR1's table goes to standard error, nothing to standard output while it runs"
	else
		fail "html SIGUSR1" "no TIME_WAIT row on standard error, or output before the end"
		show "$tmp/html.err"
		show "$tmp/html.out" 3
	fi
	kill -INT "$pid"
	if ! wait_exit "$pid" 20 || [ "$rc" -ne 0 ]; then
		fail "html SIGINT" "exit status $rc"
	elif check_page html 47112 graceful; then
		pass "--format html: after SIGINT the page, alone on standard output, lists and draws the graceful close on lo"
	fi
fi
# -c 3: the handshake alone, then the program stops by itself
if start htmlc -i lo --format html -c 3 tcp port 47113; then
	pid=$tpid
	"${in_ns[@]}" "$peer" close 47113 || fail "html -c" "livepeer close failed"
	if ! wait_exit "$pid" 20 || [ "$rc" -ne 0 ]; then
		fail "html -c 3" "exit status $rc (124: still running)"
	elif check_page htmlc 47113 open_at_end &&
		grep -q 'packets: 3 read' "$tmp/htmlc.out"; then
		pass "--format html -c 3: it stops after the handshake and writes the page with the connection open_at_end"
	else
		fail "html -c 3" "no 'packets: 3 read'"
	fi
fi

# ---- -i any: Linux cooked capture ---------------------------------------

if start any -i any -Z nobody tcp port 47106; then
	pid=$tpid
	"${in_ns[@]}" "$peer" refused 47106 || fail "any" "livepeer refused failed"
	if grep -q 'link-type LINUX_SLL' "$tmp/any.err" &&
		wait_for "$tmp/any.out" 'verdict rst_to_closed_port .*port 47106' 20; then
		pass "-i any: Linux cooked capture, the refused SYN prints"
	else
		fail "-i any" "no cooked link type or no rst_to_closed_port"
		show "$tmp/any.err"
		show "$tmp/any.out"
	fi
	kill -TERM "$pid"
	if wait_exit "$pid" 20 && [ "$rc" -eq 0 ] &&
		grep -Eq '^  capture: [0-9]+ received' "$tmp/any.out"; then
		pass "SIGTERM: clean stop with the summary, exit 0"
	else
		fail "SIGTERM" "exit status $rc or no summary"
	fi
fi

# ---- -Z root keeps root ------------------------------------------------

if start zroot -i lo -Z root tcp port 47107; then
	uids=$(status_field "$tpid" Uid)
	if [ "$(awk '{print $2}' <<<"$uids")" = 0 ]; then
		pass "-Z root keeps root"
	else
		fail "-Z root" "Uid line is '$uids'"
	fi
	kill -INT "$tpid"
	wait_exit "$tpid" 20
fi

# ---- without root, with CAP_NET_RAW on the binary ----------------------

if command -v setcap >/dev/null && command -v setpriv >/dev/null; then
	cp "$prog" "$tmp/tfe-netraw" && chmod 755 "$tmp/tfe-netraw"
	asnobody=(setpriv --reuid=nobody --regid="$(id -g nobody)"
		--clear-groups --inh-caps=-all)
	if setcap cap_net_raw=ep "$tmp/tfe-netraw" 2>"$tmp/setcap.err"; then
		"${in_ns[@]}" "${asnobody[@]}" "$tmp/tfe-netraw" -i lo tcp port 47105 \
			>"$tmp/netraw.out" 2>"$tmp/netraw.err" &
		tpid=$!
		pids+=("$tpid")
		if wait_for "$tmp/netraw.err" '^tcpflow-explain: listening on ' 15; then
			check_unprivileged "CAP_NET_RAW binary run by nobody" "$tpid" "$nobody_uid"
			"${in_ns[@]}" "$peer" refused 47105
			if wait_for "$tmp/netraw.out" 'verdict rst_to_closed_port .*port 47105' 20; then
				pass "CAP_NET_RAW binary run by nobody captures"
			else
				fail "CAP_NET_RAW" "nothing captured"
			fi
			kill -INT "$tpid"
			wait_exit "$tpid" 20
		else
			fail "CAP_NET_RAW" "does not start as nobody with cap_net_raw=ep"
			show "$tmp/netraw.err"
		fi
	else
		echo "SKIP CAP_NET_RAW binary: setcap failed ($(head -n 1 "$tmp/setcap.err"))"
	fi

	# Neither root nor the capability: a clear message, exit 3.
	"${in_ns[@]}" "${asnobody[@]}" "$prog" -i lo tcp port 47105 >"$tmp/noperm.out" \
		2>"$tmp/noperm.err"
	rc=$?
	if [ "$rc" -eq 3 ] && grep -q '^tcpflow-explain: lo: no permission to capture' "$tmp/noperm.err" &&
		grep -q 'CAP_NET_RAW' "$tmp/noperm.err"; then
		pass "no permission: exit 3, the message says root or CAP_NET_RAW"
	else
		fail "no permission" "exit $rc"
		show "$tmp/noperm.err"
	fi
else
	echo "SKIP CAP_NET_RAW binary and no-permission checks: no setcap (libcap2-bin) or setpriv"
fi

# ---- errors --------------------------------------------------------------

# errcheck NAME CODE PATTERN ARGS...: exit CODE, first stderr line
# "tcpflow-explain: ..." containing PATTERN, nothing on stdout.
errcheck() {
	local name=$1 code=$2 pattern=$3
	shift 3
	timeout 20 "${in_ns[@]}" "$prog" "$@" >"$tmp/e.out" 2>"$tmp/e.err"
	rc=$?
	if [ "$rc" -eq "$code" ] &&
		head -n 1 "$tmp/e.err" | grep -q '^tcpflow-explain: ' &&
		grep -qiF -- "$pattern" "$tmp/e.err" && [ ! -s "$tmp/e.out" ]; then
		pass "$name: exit $code, '$(head -n 1 "$tmp/e.err")'"
	else
		fail "$name" "exit $rc, expected $code with '$pattern'"
		show "$tmp/e.err"
	fi
}
errcheck "missing interface" 3 "no such interface" -i lv-nosuch0 tcp
errcheck "bad filter" 2 "bad filter expression" -i lo tcp and and
errcheck "unknown -Z user" 3 "no such user" -i lo -Z lv-no-such-user tcp

# ---- a SYN flood: memory stays bounded, evictions are counted ------------

# rss_kb PID FIELD: VmRSS or VmHWM in kB.
rss_kb() {
	status_field "$1" "$2" | awk '{print $1}'
}

# Each connection held costs about 1.5 kB (20000 SYNs held at once grow
# the process by about 30 MB); with --max-flows 1000 the growth must stay
# under 10 MB.  Under AddressSanitizer freed memory sits in quarantine, so
# there only the counts are checked.
bound_kb=10240
asan=false
grep -q __asan_init "$prog" 2>/dev/null && asan=true

if start flood -i lo --format summary --max-flows 1000 tcp port 47104; then
	pid=$tpid
	sleep 0.5
	base=$(rss_kb "$pid" VmRSS)
	# 10000 SYNs that a closed port refuses (connections that end at
	# once, then tombstones) and 10000 that nothing answers (open
	# connections): no route back to 10.99.0.1 in the namespace.
	"${in_ns[@]}" "$peer" flood 127.0.0.1 47104 10000 ||
		fail "flood" "livepeer flood from 127.0.0.1 failed"
	"${in_ns[@]}" "$peer" flood 10.99.0.1 47104 10000 ||
		fail "flood" "livepeer flood from 10.99.0.1 failed"
	sleep 1.5
	hwm=$(rss_kb "$pid" VmHWM)
	kill -INT "$pid"
	wait_exit "$pid" 30
	out=$tmp/flood.out
	conns=$(sed -nE 's/^  connections: ([0-9]+)$/\1/p' "$out")
	evicted=$(sed -nE 's/^  connections evicted by --max-flows: ([0-9]+)$/\1/p' "$out")
	early=$(sed -nE 's/^  closed connections reported early by --max-flows: ([0-9]+)$/\1/p' "$out")
	tombs=$(sed -nE 's/^  closed connections forgotten before 2MSL by --max-flows: ([0-9]+) .*/\1/p' "$out")
	drops=$(sed -nE 's/^  capture: [0-9]+ received, ([0-9]+) dropped by the kernel.*/\1/p' "$out")
	echo "  flood: $conns connections, $evicted open evicted, $early closed reported early, $tombs tombstones dropped, ${drops:-?} kernel drops; VmRSS $base kB at start, VmHWM $hwm kB"
	if [ "$rc" -ne 0 ] || [ -z "$conns" ]; then
		fail "flood" "exit $rc, no summary"
		show "$tmp/flood.err"
	elif [ "$conns" -lt 5000 ]; then
		# A starved machine may drop some in the kernel; most must
		# still come through.
		fail "flood" "only $conns connections of 20000 SYNs (kernel drops: $drops)"
	elif [ "${evicted:-0}" -lt 2000 ] || [ "${tombs:-0}" -lt 2000 ]; then
		fail "flood" "evictions not counted: $evicted open, $tombs tombstones"
	else
		pass "SYN flood, --max-flows 1000: $evicted open connections evicted, $tombs tombstones dropped, all counted"
	fi
	if $asan; then
		echo "SKIP flood memory bound: AddressSanitizer build (quarantine keeps freed memory)"
	elif [ -n "$base" ] && [ -n "$hwm" ] && [ $((hwm - base)) -le $bound_kb ]; then
		pass "SYN flood: memory grew by $((hwm - base)) kB, within the $bound_kb kB bound"
	else
		fail "flood memory" "VmHWM $hwm kB, start $base kB: grew past $bound_kb kB"
	fi
fi

# ---- a second SIGINT ends it at once -------------------------------------

# The output goes into a FIFO that nobody reads: once its buffer is full
# the program is stuck writing, and the first SIGINT cannot finish the
# report.  The second must end it anyway.
mkfifo "$tmp/stuck" && exec 3<>"$tmp/stuck"
"${in_ns[@]}" "$prog" -i lo --max-flows 10 tcp port 47107 >"$tmp/stuck" 2>"$tmp/stuck.err" &
tpid=$!
pids+=("$tpid")
if wait_for "$tmp/stuck.err" '^tcpflow-explain: listening on ' 15; then
	# 2000 unanswered SYNs, each evicted and printed: far more than a
	# pipe holds.
	"${in_ns[@]}" "$peer" flood 10.99.0.1 47107 2000
	sleep 1
	kill -INT "$tpid"
	sleep 1
	if ! kill -0 "$tpid" 2>/dev/null; then
		fail "second SIGINT" "the first SIGINT already ended it: output was not stuck"
	else
		kill -INT "$tpid"
		if wait_exit "$tpid" 5 && [ "$rc" -eq 130 ]; then
			pass "a second SIGINT ends it at once (exit 130) while its output is stuck"
		else
			fail "second SIGINT" "exit status $rc (124: still running after 5 s)"
		fi
	fi
else
	fail "second SIGINT" "did not start"
	show "$tmp/stuck.err"
fi
exec 3>&-

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
