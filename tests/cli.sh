#!/bin/bash
# cli.sh: the command line and its error behaviour (doc/tcpflow-explain.1).
#
# Runs tcpflow-explain with good and bad arguments and inputs and checks
# exit codes (0 ok, 2 usage, 3 input or capture), that errors reach stderr
# as "tcpflow-explain: ..." and that nothing ever dies of a signal.  Output
# wording is left to the golden tests; here only the facts that matter are
# checked (for example, that a line about packets says 2 after -c 2).
#
# Inputs are crafted from tests/craft/ descriptions with tests/craftpcap
# into a temporary directory.  top_srcdir and top_builddir come from the
# Makefile; run by hand, both default to the directory above this script.
#
# Prints PASS or FAIL per check and ends with "N passed, N failed";
# exits 1 if any check failed.

. "$(dirname "$0")/lib.sh"
craftpcap=$top_builddir/tests/craftpcap
craft=$top_srcdir/tests/craft

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tfe-cli.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

npass=0 nfail=0
rc=0

pass() {
	echo "PASS $1"
	npass=$((npass + 1))
}

# fail NAME WHY: also shows what the program printed on stderr.
fail() {
	echo "FAIL $1: $2"
	if [ -s "$tmp/err" ]; then
		echo "  stderr:"
		head -n 5 "$tmp/err" | sed 's/^/    /'
	fi
	nfail=$((nfail + 1))
}

# run ARGS...: runs the program, output in $tmp/out and $tmp/err, status
# in rc.  Standard input is empty unless the caller redirects it.
run() {
	"$prog" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# expect_exit NAME CODES [STDERR-PATTERN]: after run, the exit status must
# be one of CODES (e.g. "2" or "0 3"), never a signal; a non-zero status
# must come with a first stderr line "tcpflow-explain: ..." that, if a
# pattern is given, contains it (fixed string, any case).  Returns 0 when
# the check passed, so callers can go on to look at the output.
expect_exit() {
	local name=$1 codes=$2 pattern=${3-} c ok=false first
	if [ "$rc" -ge 128 ]; then
		fail "$name" "killed by signal $((rc - 128))"
		return 1
	fi
	for c in $codes; do
		[ "$rc" -eq "$c" ] && ok=true
	done
	if ! $ok; then
		fail "$name" "exit status $rc, expected one of: $codes"
		return 1
	fi
	if [ "$rc" -ne 0 ]; then
		first=$(head -n 1 "$tmp/err")
		case $first in
		"tcpflow-explain: "?*) ;;
		*)
			fail "$name" "exit $rc without a 'tcpflow-explain: ...' message on stderr"
			return 1 ;;
		esac
		if [ -n "$pattern" ] && ! grep -qiF -- "$pattern" "$tmp/err"; then
			fail "$name" "the message does not mention '$pattern'"
			return 1
		fi
	fi
	return 0
}

# packets_line_says N: some output line mentioning packets holds the
# number N as a word of its own (not part of 10.0.0.2 or 12).
packets_line_says() {
	grep -i 'packets' "$tmp/out" | grep -Eq "(^|[^0-9.])$1([^0-9.]|$)"
}

# crafted NAME: turns tests/craft/NAME.txt into $tmp/NAME.pcap.
crafted() {
	if ! "$craftpcap" "$craft/$1.txt" "$tmp/$1.pcap"; then
		echo "cli.sh: craftpcap failed on $craft/$1.txt" >&2
		exit 99
	fi
}

for tool in "$prog" "$craftpcap"; do
	if [ ! -x "$tool" ]; then
		echo "FAIL $tool is not built"
		echo "0 passed, 1 failed"
		exit 1
	fi
done

# The captures used below: 11 packets, 2 packets, and the first 2 of the
# 11 alone (whose size is where the third record starts in the 11).
crafted handshake-close-client-first
crafted rst-closed-port
full=$tmp/handshake-close-client-first.pcap
short=$tmp/rst-closed-port.pcap
awk '/^[0-9]/ && ++n > 2 { exit } { print }' \
	"$craft/handshake-close-client-first.txt" >"$tmp/first2.txt"
"$craftpcap" "$tmp/first2.txt" "$tmp/first2.pcap" || exit 99
rec3=$(wc -c <"$tmp/first2.pcap")

# ---- help, version, usage errors -----------------------------------------

run --help
if expect_exit "--help exits 0" 0; then
	pass "--help exits 0"
	missing=""
	for opt in -r -i -c --format; do
		grep -qe "$opt" "$tmp/out" || missing="$missing $opt"
	done
	if [ -n "$missing" ]; then
		fail "--help usage on stdout" "does not mention:$missing"
	else
		pass "--help usage on stdout mentions -r, -i, -c, --format"
	fi
fi

run --version
if expect_exit "--version exits 0" 0; then
	if [ -s "$tmp/out" ]; then
		pass "--version exits 0 and prints a version"
	else
		fail "--version" "printed nothing on stdout"
	fi
fi

run
expect_exit "no arguments: usage error" 2 && pass "no arguments: exit 2 with a message"

run --no-such-option
expect_exit "unknown option" 2 && pass "unknown option: exit 2 with a message"

run -r "$full" --format no-such-format
expect_exit "unknown --format" 2 && pass "unknown --format value: exit 2"

run -r "$full" -c not-a-number
expect_exit "-c with a non-number" 2 && pass "-c not-a-number: exit 2"

run -r
expect_exit "-r without a file" 2 && pass "-r without its argument: exit 2"

# ---- live capture options (tests/live.sh captures for real, as root) ----

run -r "$full" -i lo
expect_exit "-r with -i" 2 "together" && pass "-r with -i: exit 2"

for opt in "-s 128" "-Z nobody"; do
	# shellcheck disable=SC2086
	run -r "$full" $opt
	expect_exit "${opt%% *} without -i" 2 "goes with -i" &&
		pass "${opt%% *} without -i: exit 2"
done

run -i lo -s 0
expect_exit "-s 0" 2 "-s" && pass "-s 0: exit 2"

run -i lo -s 262145
expect_exit "-s past 262144" 2 "-s" && pass "-s 262145: exit 2"

run -i lo -w -
expect_exit "-w -" 2 "standard output" && pass "-w -: exit 2, stdout carries the report"

# Root or not, a missing interface is an input error (without root the
# permission check may come first: also status 3).
run -i lv-no-such-iface0 tcp
expect_exit "-i on a missing interface" 3 && pass "-i missing interface: exit 3"

run -D
if expect_exit "-D" "0 3"; then
	if [ "$rc" -eq 3 ] || grep -Eq '^[0-9]+\.[^ ]+' "$tmp/out"; then
		pass "-D: exit $rc, interfaces listed as N.name"
	else
		fail "-D" "no 'N.name' line"
	fi
fi

# ---- unreadable and damaged input ---------------------------------------

run -r /nonexistent/capture.pcap
expect_exit "-r on a missing file" 3 "/nonexistent/capture.pcap" &&
	pass "-r missing file: exit 3, the message names the file"

: >"$tmp/empty.pcap"
run -r "$tmp/empty.pcap"
expect_exit "-r on an empty file" "0 3" && pass "-r empty file: exit $rc, no crash"

printf 'this is not a capture\nat all\n' >"$tmp/text.pcap"
run -r "$tmp/text.pcap"
expect_exit "-r on a text file" "0 3" && pass "-r text file: exit $rc, no crash"

# Knobs so large that the clock plus them would overflow are refused; the
# largest accepted ones run to the end (the sanitizer build checks for
# overflow).
for o in --msl --idle-timeout --close-wait-threshold; do
	run -r "$full" $o 1000000001
	expect_exit "$o past 1e9 s" 2 "invalid number of seconds" &&
		pass "$o 1000000001: exit 2"
	run -r "$full" --format summary $o 1000000000
	expect_exit "$o 1e9 s" 0 && pass "$o 1000000000: exit 0"
done
run -r "$full" --format netstat --at 4611686001
expect_exit "--at past the clock" 2 "invalid number of seconds" &&
	pass "--at 4611686001: exit 2"
run -r "$full" --format netstat --at 4611686000 --msl 1000000000 --idle-timeout 1000000000
expect_exit "--at at the clock's end" 0 && pass "--at 4611686000 with the largest knobs: exit 0"

head -c 24 "$full" >"$tmp/header-only.pcap"
run -r "$tmp/header-only.pcap" --format summary
expect_exit "-r on a capture with no packets" 0 &&
	pass "-r capture with a header and no packets: exit 0"

head -c $((rec3 + 8)) "$full" >"$tmp/cut-header.pcap"
run -r "$tmp/cut-header.pcap" --format summary
expect_exit "truncated inside a record header" "0 3" &&
	pass "capture cut inside a record header: exit $rc, no crash"

head -c $((rec3 + 16 + 30)) "$full" >"$tmp/cut-record.pcap"
run -r "$tmp/cut-record.pcap" --format summary
expect_exit "truncated inside a record" "0 3" &&
	pass "capture cut inside a record: exit $rc, no crash"

# A record header claiming a 4 GB frame: libpcap refuses it; we must say so.
{
	head -c $((rec3 + 8)) "$full"
	printf '\377\377\377\377\377\377\377\377'
	head -c 100 /dev/zero
} >"$tmp/huge-caplen.pcap"
run -r "$tmp/huge-caplen.pcap" --format summary
expect_exit "record with an absurd length" "0 3" &&
	pass "record claiming a 4 GB frame: exit $rc, no crash"

# A link type we do not decode (147, LINKTYPE_USER0), one 4-byte record.
{
	printf '\324\303\262\241\002\000\004\000'          # magic, version 2.4
	printf '\000\000\000\000\000\000\000\000'          # thiszone, sigfigs
	printf '\377\377\000\000\223\000\000\000'          # snaplen, linktype 147
	printf '\000\361\123\145\000\000\000\000'          # ts 1700000000.0
	printf '\004\000\000\000\004\000\000\000abcd'      # caplen, len, data
} >"$tmp/linktype-147.pcap"
run -r "$tmp/linktype-147.pcap"
expect_exit "unsupported link type" "0" &&
	grep -q '^      link type unknown (147, not known to libpcap): 1 frames not decoded' \
		"$tmp/out" &&
	pass "unsupported link type: read, exit 0, named in the summary" ||
	fail "unsupported link type" "not named in the summary"

# ---- filters and packet counts ------------------------------------------

run -r "$full" tcp and and
expect_exit "bad BPF filter" "2 3" "filter" &&
	pass "bad BPF filter: exit $rc, the message mentions the filter"

run -r "$full" tcp port 8080
expect_exit "good BPF filter" 0 && pass "BPF filter 'tcp port 8080': exit 0"

run -r "$full" --format summary
if expect_exit "--format summary" 0; then
	if packets_line_says 11; then
		pass "--format summary: a packets line says 11"
	else
		fail "--format summary" "no line about packets says 11"
	fi
fi

run -r "$full" -c 2 --format summary
if expect_exit "-c 2" 0; then
	if packets_line_says 2; then
		pass "-c 2: a packets line says 2"
	else
		fail "-c 2" "no line about packets says 2"
	fi
fi

"$prog" -r - --format summary <"$full" >"$tmp/out" 2>"$tmp/err"
rc=$?
if expect_exit "-r - (standard input)" 0; then
	if packets_line_says 11; then
		pass "-r - reads standard input (11 packets)"
	else
		fail "-r -" "no line about packets says 11"
	fi
fi

run -r "$full" -r "$short" --format summary
if expect_exit "two -r files" 0; then
	if packets_line_says 13; then
		pass "two -r files read as one capture (11 + 2 = 13 packets)"
	else
		fail "two -r files" "no line about packets says 13 (11 + 2)"
	fi
fi

# pcapng is part of the format contract; editcap (Wireshark) makes one.
if command -v editcap >/dev/null 2>&1 &&
	editcap -F pcapng "$full" "$tmp/full.pcapng" >/dev/null 2>&1; then
	run -r "$tmp/full.pcapng" --format summary
	if expect_exit "-r pcapng" 0; then
		if packets_line_says 11; then
			pass "-r reads pcapng (11 packets)"
		else
			fail "-r pcapng" "no line about packets says 11"
		fi
	fi
else
	echo "SKIP -r pcapng (editcap not available)"
fi

# --fail-on: exit 1 when a named verdict is found, 0 when not, 2 for a
# name that is no verdict kind.
crafted lost-final-ack
crafted rst-closed-port
run -r "$tmp/lost-final-ack.pcap" --format summary --fail-on missing_final_ack
expect_exit "--fail-on a verdict that is there" 1 &&
	pass "--fail-on missing_final_ack on a lost final ACK: exit 1"
run -r "$tmp/lost-final-ack.pcap" --format summary --fail-on rst_to_closed_port,zero_window
expect_exit "--fail-on verdicts that are not there" 0 &&
	pass "--fail-on verdicts absent from the capture: exit 0"
run -r "$tmp/lost-final-ack.pcap" --fail-on no_such_kind
expect_exit "--fail-on an unknown kind" 2 "no_such_kind" &&
	pass "--fail-on an unknown kind: exit 2 naming it"

# --verdicts-only: the clean connection is left out, the rejected one kept.
run -r "$tmp/lost-final-ack.pcap" -r "$tmp/rst-closed-port.pcap" --verdicts-only
if expect_exit "--verdicts-only" 0; then
	if grep -q '^#.*rejected' "$tmp/out" && grep -q '^#.*graceful' "$tmp/out"; then
		pass "--verdicts-only keeps connections with warnings"
	else
		fail "--verdicts-only" "expected both warned connections in the output"
	fi
fi
crafted handshake-close-client-first
run -r "$tmp/handshake-close-client-first.pcap" --verdicts-only
if expect_exit "--verdicts-only on a clean close" 0; then
	if grep -q '^#' "$tmp/out"; then
		fail "--verdicts-only on a clean close" "a clean connection was printed"
	else
		pass "--verdicts-only leaves a clean connection out"
	fi
fi

# --color: escapes only when asked (standard output here is a file).
run -r "$tmp/lost-final-ack.pcap" --color always
if expect_exit "--color always" 0; then
	if grep -q $'\033\[' "$tmp/out"; then
		pass "--color always colours the verdicts"
	else
		fail "--color always" "no colour escape in the output"
	fi
fi
run -r "$tmp/lost-final-ack.pcap"
if expect_exit "default colour" 0; then
	if grep -q $'\033\[' "$tmp/out"; then
		fail "default colour" "colour escapes written to a file"
	else
		pass "no colour by default when the output is not a terminal"
	fi
fi
run -r "$tmp/lost-final-ack.pcap" --color purple
expect_exit "--color with a bad value" 2 && pass "--color purple: exit 2"

# --at belongs to --format netstat.
run -r "$tmp/lost-final-ack.pcap" --at 1
expect_exit "--at without netstat" 2 "netstat" &&
	pass "--at without --format netstat: exit 2"
# The server is 10 ms from the capture point (the handshake's SYN to
# SYN+ACK is 20 ms): its FIN, seen at +0.071, left it at +0.061, so at
# +0.0705 it is in LAST_ACK by its own clock (doc/states.md, "Far-side
# times"), while the client next to the capture point is in FIN_WAIT2.
run -r "$tmp/lost-final-ack.pcap" --format netstat --at 0.0705
if expect_exit "--format netstat --at" 0; then
	if grep -q 'FIN_WAIT2' "$tmp/out" && grep -q 'LAST_ACK' "$tmp/out" &&
	   ! grep -q 'CLOSE_WAIT' "$tmp/out"; then
		pass "--format netstat --at 0.0705: FIN_WAIT2 and LAST_ACK (the server's far-side time)"
	else
		fail "--format netstat --at 0.0705" "expected FIN_WAIT2 and LAST_ACK"
	fi
fi

# Ten ms earlier by the server's clock the client's FIN (seen at +0.050)
# had reached it (+0.060) and its own had not left yet (+0.061).
run -r "$tmp/lost-final-ack.pcap" --format netstat --at 0.0605
if expect_exit "--format netstat --at" 0; then
	if grep -q 'CLOSE_WAIT' "$tmp/out" && grep -q 'FIN_WAIT1' "$tmp/out"; then
		pass "--format netstat --at 0.0605: FIN_WAIT1 and CLOSE_WAIT (the server's far-side time)"
	else
		fail "--format netstat --at 0.0605" "expected FIN_WAIT1 and CLOSE_WAIT"
	fi
fi

# --max-flows: what it pushes out is counted, in both summaries.
run -r "$top_srcdir/pcaps/listen-backlog-full.pcap" --max-flows 1
if expect_exit "--max-flows 1" 0; then
	if grep -q 'connections evicted by --max-flows: 7$' "$tmp/out"; then
		pass "--max-flows 1: 7 of 8 connections evicted, counted in the summary"
	else
		fail "--max-flows 1" "no 'connections evicted by --max-flows: 7'"
	fi
fi
run -r "$top_srcdir/pcaps/time-wait-server-restart-reuseaddr.pcap" \
	--max-flows 1 --format json
if expect_exit "--max-flows 1 --format json" 0; then
	if tail -n 1 "$tmp/out" | grep -q \
	   '"evicted":0,"evicted_closed":1,"tombstones_evicted":1,'; then
		pass "--max-flows 1 --format json: the closed connection reported early and its tombstone forgotten, both counted"
	else
		fail "--max-flows 1 --format json" "summary counts differ"
	fi
fi

# Checksums: the client's segments as its own host captures them with
# checksum offload (all wrong) are counted; the Zeek pair then follows
# zeek's default (C), and with --zeek-ignore-checksums is the one of the
# same capture with good checksums, as zeek -C would give.
sed -E 's/^([0-9.]+ c [^#]*)/\1 badsum /' \
	"$craft/handshake-close-client-first.txt" >"$tmp/badsum.txt"
"$craftpcap" "$tmp/badsum.txt" "$tmp/badsum.pcap" || exit 99
nbad=$(grep -Ec '^[0-9.]+ c ' "$tmp/badsum.txt")
run -r "$tmp/badsum.pcap"
if expect_exit "bad checksums" 0; then
	zeek_bad=$(sed -nE '1s/.*  ([A-Z0-9]+ [^ ]+)  [0-9.]+ s$/\1/p' "$tmp/out")
	if grep -q "^  bad checksums: $nbad TCP, 0 IPv4 header" "$tmp/out" &&
		[[ $zeek_bad == *C* ]]; then
		pass "bad checksums: $nbad TCP counted in the summary; the Zeek history has C ($zeek_bad)"
	else
		fail "bad checksums" "no 'bad checksums: $nbad TCP' or no C in '$zeek_bad'"
	fi
fi
run -r "$full"
zeek_good=$(sed -nE '1s/.*  ([A-Z0-9]+ [^ ]+)  [0-9.]+ s$/\1/p' "$tmp/out")
run -r "$tmp/badsum.pcap" --zeek-ignore-checksums
if expect_exit "--zeek-ignore-checksums" 0; then
	zeek_ign=$(sed -nE '1s/.*  ([A-Z0-9]+ [^ ]+)  [0-9.]+ s$/\1/p' "$tmp/out")
	if [ -n "$zeek_good" ] && [ "$zeek_ign" = "$zeek_good" ]; then
		pass "--zeek-ignore-checksums: the Zeek pair of good checksums ($zeek_ign)"
	else
		fail "--zeek-ignore-checksums" "'$zeek_ign', with good checksums '$zeek_good'"
	fi
fi
run -r "$tmp/badsum.pcap" --format json
if expect_exit "bad checksums, json" 0 &&
	tail -n 1 "$tmp/out" | grep -q "\"bad_checksums\":{\"tcp\":$nbad,\"ipv4\":0}"; then
	pass "bad checksums in the JSON summary"
else
	fail "bad checksums, json" "no bad_checksums tcp $nbad"
fi

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
