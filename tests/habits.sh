#!/bin/bash
# habits.sh: what a tcpdump user types works (doc/tcpflow-explain.1):
# options after the filter words, a bad filter named by its words, -n and
# -nn, -t to -tttt on the frame rows (text, ladder and html), -S, -w
# with -r, the hint when a filter misses every frame of a VLAN-tagged
# capture, and durations of a minute or more in words.
#
# Inputs are crafted from tests/craft/ descriptions into a temporary
# directory; their times, addresses and sequence numbers are known from
# the descriptions, so every check below holds the output against them.
#
# Prints PASS or FAIL per check and ends with "N passed, N failed".

. "$(dirname "$0")/lib.sh"
craftpcap=$top_builddir/tests/craftpcap
craft=$top_srcdir/tests/craft

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tfe-habits.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

npass=0 nfail=0
pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() {
	echo "FAIL $1: $2"
	[ -s "$tmp/err" ] && sed 's/^/    /' "$tmp/err" | head -n 5
	nfail=$((nfail + 1))
}
run() {
	"$prog" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
crafted() {
	"$craftpcap" "$craft/$1.txt" "$tmp/$1.pcap" || exit 99
}

for tool in "$prog" "$craftpcap"; do
	if [ ! -x "$tool" ]; then
		echo "FAIL $tool is not built"
		echo "0 passed, 1 failed"
		exit 1
	fi
done

# handshake-close-client-first.txt: time 1700000000.000000 (2023-11-14
# 22:13:20 UTC), 11 frames, client ISN 1000, server ISN 5000, frame 2 at
# +0.020000, frame 3 at +0.020100.
crafted handshake-close-client-first
crafted vlan
crafted rst-last-ack
crafted years-apart
hc=$tmp/handshake-close-client-first.pcap

# ---- options after the filter words --------------------------------------

run -r "$hc" tcp port 8080 -c 3 --format summary
if [ "$rc" -eq 0 ] && grep -q '^  filter: 3 of 3 frames matched' "$tmp/out"; then
	pass "options after the filter words: -c 3 and --format after 'tcp port 8080'"
else
	fail "options after the filter" "exit $rc; $(grep filter: "$tmp/out")"
fi
run -r "$hc" --format summary -- tcp port 8080
if [ "$rc" -eq 0 ] && grep -q '^  filter: 11 of 11 frames matched' "$tmp/out"; then
	pass "-- before the filter words"
else
	fail "-- before the filter" "exit $rc"
fi
run -r "$hc" port 8080 and and -c 3
if [ "$rc" -eq 2 ] && grep -qF "taken from the words 'port 8080 and and'" "$tmp/err" &&
	! grep -q -- '-c' "$tmp/err"; then
	pass "a bad filter: exit 2, the message names the words taken as the filter, without -c 3"
else
	fail "a bad filter" "exit $rc"
fi

# ---- -n, -nn --------------------------------------------------------------

run -r "$hc"
cp "$tmp/out" "$tmp/plain"
for n in -n -nn "-n -n"; do
	# shellcheck disable=SC2086
	run -r "$hc" $n
	if [ "$rc" -eq 0 ] && cmp -s "$tmp/out" "$tmp/plain"; then
		pass "$n: accepted, the same output"
	else
		fail "$n" "exit $rc or other output"
	fi
done

# ---- -t, -tt, -ttt, -tttt -------------------------------------------------

# row N's time column (the second word of the frame row that starts with N)
row_time() {
	awk -v f="$1" '$1 == f { print $2 ($3 ~ /^[0-9:.]+$/ ? " " $3 : ""); exit }' "$tmp/out"
}
check_t() {
	local opt=$1 frame=$2 want=$3 got
	run -r "$hc" "$opt"
	got=$(row_time "$frame")
	if [ "$rc" -eq 0 ] && [ "$got" = "$want" ]; then
		pass "$opt: frame $frame at '$want'"
	else
		fail "$opt" "frame $frame at '$got', expected '$want' (exit $rc)"
	fi
}
check_t -t 1 "22:13:20.000000"
check_t -t 3 "22:13:20.020100"
check_t -tt 2 "1700000000.020000"
check_t -ttt 2 "+0.020000"
check_t -ttt 3 "+0.000100"
check_t -tttt 1 "2023-11-14 22:13:20.000000"
check_t -tttt 11 "2023-11-14 22:13:20.071100"
run -r "$hc" -tttt
if awk '$1 == "frame" { exit !($2 == "time" && index($0, "time                       dir")) }' "$tmp/out"; then
	pass "-tttt: the time column is as wide as its dates"
else
	fail "-tttt column" "$(grep -m1 '^   frame' "$tmp/out")"
fi
run -r "$hc" -ttttt
[ "$rc" -eq 2 ] && pass "-ttttt: exit 2" || fail "-ttttt" "exit $rc"
for f in json summary netstat conn; do
	run -r "$hc" -t --format "$f"
	[ "$rc" -eq 2 ] && grep -q 'format text, ladder or html' "$tmp/err" &&
		pass "-t with --format $f: exit 2" || fail "-t with $f" "exit $rc"
done
# the ladder's time column reads as the text form's
check_ladder_t() {
	local opt=$1 frame=$2 want=$3 got
	run -r "$hc" --format ladder "$opt"
	got=$(row_time "$frame")
	if [ "$rc" -eq 0 ] && [ "$got" = "$want" ]; then
		pass "$opt --format ladder: frame $frame at '$want'"
	else
		fail "$opt ladder" "frame $frame at '$got', expected '$want' (exit $rc)"
	fi
}
check_ladder_t -t 1 "22:13:20.000000"
check_ladder_t -t 3 "22:13:20.020100"
check_ladder_t -tt 2 "1700000000.020000"
check_ladder_t -ttt 2 "+0.020000"
check_ladder_t -ttt 3 "+0.000100"
check_ladder_t -tttt 1 "2023-11-14 22:13:20.000000"
check_ladder_t -tttt 11 "2023-11-14 22:13:20.071100"
# a run row (frames 4-7) and the 2MSL timer row follow it too
check_ladder_t -tttt 4-7 "2023-11-14 22:13:20.020200"
run -r "$hc" --format ladder -tttt
timer=$(awk '$1 == "-" { print $2, $3; exit }' "$tmp/out")
if [ "$timer" = "2023-11-14 22:14:20.071000" ]; then
	pass "-tttt --format ladder: the 2MSL timer row at '$timer'"
else
	fail "-tttt ladder timer" "'$timer'"
fi
wide=$(awk 'NR > 1 && /^   / && !/^   (verdict |end: )/ && length($0) > 100 { print NR ": " length($0); exit }' "$tmp/out")
if [ -z "$wide" ] && grep -q '^   frame time  *client' "$tmp/out"; then
	pass "-tttt --format ladder: the diagram stays within 100 columns"
else
	fail "-tttt ladder width" "line $wide"
fi
# the HTML page's ladder rows
run -r "$hc" --format html -tttt
got=$(grep -o 'id="c1-f3" data-frame="3"><rect[^>]*/><text class="fr"[^>]*>3</text><text class="tm"[^>]*>[^<]*<' "$tmp/out" | sed 's/.*>\([^<]*\)<$/\1/')
if [ "$rc" -eq 0 ] && [ "$got" = "2023-11-14 22:13:20.020100" ]; then
	pass "-tttt --format html: the ladder's frame 3 at '$got'"
else
	fail "-tttt html" "frame 3 at '$got' (exit $rc)"
fi
run -r "$hc" --format html -ttt
got=$(grep -o 'id="c1-f3" data-frame="3"><rect[^>]*/><text class="fr"[^>]*>3</text><text class="tm"[^>]*>[^<]*<' "$tmp/out" | sed 's/.*>\([^<]*\)<$/\1/')
if [ "$rc" -eq 0 ] && [ "$got" = "+0.000100" ]; then
	pass "-ttt --format html: the ladder's frame 3 at '$got'"
else
	fail "-ttt html" "frame 3 at '$got' (exit $rc)"
fi
# nanosecond captures keep their nine digits
crafted nanosecond
run -r "$tmp/nanosecond.pcap" -tt
if [ "$rc" -eq 0 ] && awk '$1 == 1 { n = split($2, p, "."); exit !(n == 2 && length(p[2]) == 9) }' "$tmp/out"; then
	pass "-tt on a nanosecond capture: nine decimals"
else
	fail "-tt nanoseconds" "$(awk '$1 == 1' "$tmp/out")"
fi

# ---- -S -------------------------------------------------------------------

run -r "$hc" -S
seqs=$(awk '$1 == 2 || $1 == 3 { print $5, $6 }' "$tmp/out" | tr '\n' ' ')
if [ "$rc" -eq 0 ] && [ "$seqs" = "5000 1001 1001 5001 " ]; then
	pass "-S: raw sequence and acknowledgment numbers (5000 1001, 1001 5001)"
else
	fail "-S" "frames 2 and 3 say '$seqs'"
fi
run -r "$hc"
seqs=$(awk '$1 == 2 || $1 == 3 { print $5, $6 }' "$tmp/out" | tr '\n' ' ')
[ "$seqs" = "0 1 1 1 " ] && pass "without -S: relative numbers (0 1, 1 1)" ||
	fail "relative numbers" "'$seqs'"
run -r "$hc" -S --format ladder
if grep -q 'SYN+ACK seq=5000 ack=1001' "$tmp/out"; then
	pass "-S with --format ladder: the arrows carry the raw numbers"
else
	fail "-S ladder" "no 'SYN+ACK seq=5000 ack=1001'"
fi

# ---- -w with -r -----------------------------------------------------------

run -r "$hc" -r "$tmp/rst-last-ack.pcap" -w "$tmp/saved.pcap" port 8080 and tcp[13] '&' 1 != 0
saved_rc=$rc
run -r "$tmp/saved.pcap" --format summary
if [ "$saved_rc" -eq 0 ] && [ "$rc" -eq 0 ] &&
	grep -q '^  packets: 4 read, 4 TCP' "$tmp/out"; then
	pass "-w with -r: the 4 FIN frames of two files the filter passed, read back"
else
	fail "-w with -r" "exit $saved_rc, then $rc: $(grep packets: "$tmp/out")"
fi
run -r "$hc" -w "$tmp/all.pcap"
run -r "$tmp/all.pcap"
if [ "$rc" -eq 0 ] && cmp -s "$tmp/out" "$tmp/plain"; then
	pass "-w with -r and no filter: the copy reads back to the same output"
else
	fail "-w copy" "other output"
fi
cp "$hc" "$tmp/same.pcap"
run -r "$tmp/same.pcap" -w "$tmp/same.pcap"
if [ "$rc" -eq 2 ] && cmp -s "$tmp/same.pcap" "$hc"; then
	pass "-w onto the file -r reads: exit 2, the file untouched"
else
	fail "-w onto the input" "exit $rc"
fi
crafted linktype-raw
run -r "$hc" -r "$tmp/linktype-raw.pcap" -w "$tmp/mixed.pcap"
[ "$rc" -eq 2 ] && grep -q 'link type' "$tmp/err" &&
	pass "-w over files of two link types: exit 2" ||
	fail "-w two link types" "exit $rc"

# ---- a filter that misses every VLAN-tagged frame -------------------------

run -r "$tmp/vlan.pcap" port 8080
if [ "$rc" -eq 0 ] && grep -qF "7 of them carry a VLAN tag" "$tmp/err" &&
	grep -qF "try 'vlan and (port 8080)'" "$tmp/err"; then
	pass "a filter missing a VLAN-tagged capture: says vlan and ... is needed"
else
	fail "VLAN hint" "exit $rc"
fi
run -r "$tmp/vlan.pcap" vlan and port 8080
if [ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ] && grep -q '7 of 7 frames matched' "$tmp/out"; then
	pass "'vlan and port 8080' matches all 7 frames, no hint"
else
	fail "vlan and" "exit $rc"
fi
run -r "$hc" port 9999
if [ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ]; then
	pass "a filter missing an untagged capture: no VLAN hint"
else
	fail "no VLAN hint" "exit $rc"
fi

# ---- durations in words ---------------------------------------------------

run -r "$tmp/rst-last-ack.pcap"
if head -n 1 "$tmp/out" | grep -q ' 65\.070100 s (1 min 5 s)$'; then
	pass "a connection of 65 s: '65.070100 s (1 min 5 s)'"
else
	fail "1 min 5 s" "$(head -n 1 "$tmp/out")"
fi
run -r "$hc"
if head -n 1 "$tmp/out" | grep -q ' 0\.071100 s$'; then
	pass "under a minute: seconds alone"
else
	fail "seconds alone" "$(head -n 1 "$tmp/out")"
fi
run -r "$tmp/years-apart.pcap"
if grep -q '^  capture span: 94608000.000500 s (1095 d 0 h)$' "$tmp/out"; then
	pass "three years: '(1095 d 0 h)'"
else
	fail "days" "$(grep 'capture span' "$tmp/out")"
fi

# long-waits.txt: the verdict sentences' durations of a minute or more
crafted long-waits
run -r "$tmp/long-waits.pcap"
lw_check() {
	if grep -qF -- "$2" "$tmp/out"; then
		pass "$1: '$2'"
	else
		fail "$1" "no '$2' in: $(grep "verdict $1 " "$tmp/out")"
	fi
}
lw_check keepalive "sent 2 keepalive probes (SO_KEEPALIVE) about 75.0 s (1 min 15 s) apart;"
lw_check zero_window "(frame 22), 150.000 s (2 min 30 s) of stall in all,"
lw_check syn_unanswered "got no answer in 127.0 s (2 min 7 s); re-sent after 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0 s (1 min 4 s) (back-off):"
# the JSON numbers stay in seconds
run -r "$tmp/long-waits.pcap" --format json
nums=$(grep -o '"numbers":{[^}]*}' "$tmp/out" | grep -o '"\(interval\|stall\|wait\)_s":[0-9.]*' | tr '\n' ' ')
if [ "$nums" = '"interval_s":75.001000 "stall_s":150.000000 "wait_s":127.000000 ' ]; then
	pass "JSON numbers in seconds: $nums"
else
	fail "JSON numbers" "'$nums'"
fi
crafted time-wait-reuse-late
run -r "$tmp/time-wait-reuse-late.pcap" --msl 120
lw_check time_wait_reuse_safe "(frame 12, 89.929 s (1 min 29 s) after the client entered TIME_WAIT, within 2MSL of 240 s)"
run -r "$tmp/time-wait-reuse-late.pcap" --msl 120 --format json
if grep -q '"numbers":{"gap_s":89.929000,"two_msl_s":240.000000,' "$tmp/out"; then
	pass "JSON: gap_s 89.929000, two_msl_s 240.000000"
else
	fail "JSON gap_s" "$(grep -o '"numbers":{[^}]*}' "$tmp/out")"
fi
run -r "$tmp/time-wait-reuse-late.pcap"
if [ "$rc" -eq 0 ] && ! grep -q 'verdict time_wait_reuse' "$tmp/out"; then
	pass "the same 90 s later with 2MSL 60 s: no reuse verdict"
else
	fail "reuse near miss" "$(grep verdict "$tmp/out")"
fi

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
