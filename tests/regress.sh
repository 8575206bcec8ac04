#!/bin/bash
# regress.sh: the program as a regression check (doc/tcpflow-explain.1):
# --fail-on with all, warning, info and -KIND, its message naming the
# connections; --explain, every kind's documentation carried by the
# program and equal to its section of doc/verdicts.md; --expect, met and
# not met, with the diff and the line of a mistake; and the suite of
# tests/expect/*.expect over the lab's captures, run as README.md shows.
#
# Prints PASS or FAIL per check and ends with "N passed, N failed".

. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tfe-regress.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

npass=0 nfail=0
pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() {
	echo "FAIL $1: $2"
	[ -s "$tmp/err" ] && sed 's/^/    /' "$tmp/err" | head -n 8
	nfail=$((nfail + 1))
}
run() {
	"$prog" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

if [ ! -x "$prog" ]; then
	echo "FAIL $prog is not built"
	echo "0 passed, 1 failed"
	exit 1
fi
pcaps=$top_srcdir/pcaps
# listen-backlog-full: #1 open_at_end (info), #2 and #3 syn_unanswered
# (warning), from 10.231.0.1 ports 51392 and 51406 to 10.231.0.2:8080.
lbf=$pcaps/listen-backlog-full.pcap
lbf2='#2 10.231.0.1:51392 -> 10.231.0.2:8080'
lbf3='#3 10.231.0.1:51406 -> 10.231.0.2:8080'

# ---- --fail-on ------------------------------------------------------------

run -r "$lbf" --format summary --fail-on warning
if [ "$rc" -eq 1 ] && grep -qF "found syn_unanswered in 2 connections ($lbf2, $lbf3)" "$tmp/err" &&
	! grep -q open_at_end "$tmp/err"; then
	pass "--fail-on warning: exit 1 naming #2 and #3, not the info verdict"
else
	fail "--fail-on warning" "exit $rc"
fi
run -r "$lbf" --format summary --fail-on all
if [ "$rc" -eq 1 ] && grep -qF "open_at_end in 1 connection (#1 10.231.0.1:51376 -> 10.231.0.2:8080)" "$tmp/err"; then
	pass "--fail-on all: the info verdict counts too"
else
	fail "--fail-on all" "exit $rc"
fi
run -r "$lbf" --format summary --fail-on warning,-syn_unanswered
[ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ] &&
	pass "--fail-on warning,-syn_unanswered: exit 0" ||
	fail "--fail-on warning,-syn_unanswered" "exit $rc"
run -r "$lbf" --format summary --fail-on info
[ "$rc" -eq 1 ] && grep -q 'found open_at_end' "$tmp/err" && ! grep -q syn_unanswered "$tmp/err" &&
	pass "--fail-on info: the info verdicts alone" || fail "--fail-on info" "exit $rc"
run -r "$lbf" --fail-on warning,-nope
[ "$rc" -eq 2 ] && grep -q "'-nope' is not a verdict kind" "$tmp/err" &&
	pass "--fail-on -nope: exit 2 naming it" || fail "--fail-on -nope" "exit $rc"
# more than ten connections: ten named, the rest counted.  Twelve clients
# each send a SYN twice, one second apart, and get no answer.
{
	for i in 10 11 12 13 14 15 16 17 18 19 20 21; do
		echo "conn client 10.0.0.1:400$i server 10.0.0.2:8080"
		echo "0.0$i c S seq=1000 win=64240"
	done
	for i in 10 11 12 13 14 15 16 17 18 19 20 21; do
		echo "conn client 10.0.0.1:400$i server 10.0.0.2:8080"
		echo "1.0$i c S seq=1000 win=64240"
	done
} >"$tmp/twelve.txt"
"$top_builddir/tests/craftpcap" "$tmp/twelve.txt" "$tmp/twelve.pcap" || exit 99
run -r "$tmp/twelve.pcap" --format summary --fail-on syn_unanswered
if [ "$rc" -eq 1 ] &&
	grep -qF 'found syn_unanswered in 12 connections (#1 10.0.0.1:40010 -> 10.0.0.2:8080, #2 10.0.0.1:40011' "$tmp/err" &&
	grep -qF '#10 10.0.0.1:40019 -> 10.0.0.2:8080 and 2 more)' "$tmp/err" &&
	[ "$(grep -o '#[0-9]* ' "$tmp/err" | wc -l)" -eq 10 ]; then
	pass "--fail-on: 12 connections, the first ten named and '2 more'"
else
	fail "--fail-on twelve" "exit $rc"
fi

# ---- --explain ------------------------------------------------------------

run --explain list
kinds=$(awk '{ print $1 }' "$tmp/out")
nk=$(echo "$kinds" | wc -l)
if [ "$rc" -eq 0 ] && [ "$nk" -ge 25 ]; then
	pass "--explain list: $nk kinds"
else
	fail "--explain list" "exit $rc, $nk kinds"
fi
# every kind the program knows has a section in doc/verdicts.md, and the
# program prints that section: the same words, bold marks and code fences
# aside
docs=$top_srcdir/doc/verdicts.md
bad=""
for k in $kinds; do
	"$prog" --explain "$k" >"$tmp/ex" 2>"$tmp/err" || { bad="$bad $k(exit)"; continue; }
	awk -v k="$k" '$0 == "## " k { on = 1; next } /^#+ / { on = 0 } on' "$docs" |
		grep -v '^```' | sed -e 's/\*\*//g' -e 's/^    //' | tr -s ' \n' ' ' |
		sed -e 's/^ *//' -e 's/ *$//' >"$tmp/want"
	sed -e '1,2d' -e '/^Every kind: /d' -e 's/^    //' "$tmp/ex" | tr -s ' \n' ' ' |
		sed -e 's/^ *//' -e 's/ *$//' >"$tmp/got"
	if ! [ -s "$tmp/want" ] || ! cmp -s "$tmp/want" "$tmp/got"; then
		bad="$bad $k"
	fi
	grep -q '^What to do\.' "$tmp/ex" || bad="$bad $k(no-what-to-do)"
	head -n 1 "$tmp/ex" | grep -q "^$k (\(warning\|info\)): " || bad="$bad $k(title)"
done
[ -z "$bad" ] && pass "--explain KIND: each of the $nk kinds prints its section of doc/verdicts.md" ||
	fail "--explain against doc/verdicts.md" "differs:$bad"
# and the other way: every section of the catalogue is a kind
extra=""
for k in $(awk '/^## [a-z_]+$/ { print $2 }' "$docs"); do
	echo "$kinds" | grep -qx "$k" || extra="$extra $k"
done
[ -z "$extra" ] && pass "every kind section of doc/verdicts.md is a kind of the program" ||
	fail "doc/verdicts.md sections" "not kinds:$extra"
run --explain nope
[ "$rc" -eq 2 ] && grep -q '^syn_unanswered ' "$tmp/err" &&
	pass "--explain nope: exit 2, the kinds on stderr" || fail "--explain nope" "exit $rc"
run --explain syn_unanswered
grep -q '^Every kind: tcpflow-explain --explain list, tcpflow-explain(1)' "$tmp/out" &&
	pass "--explain points to --explain list and the man page" ||
	fail "--explain pointer" "$(tail -n 1 "$tmp/out")"

# ---- --expect -------------------------------------------------------------

cat >"$tmp/ok.expect" <<'X'
connections 3   # a comment
connection #1
  close half_close
  states FIN_WAIT_2 CLOSE_WAIT
connection 10.231.0.1:51406  ->  10.231.0.2:8080
  verdict syn_unanswered
  no verdict rst_to_closed_port,info
connection *
  no verdict abortive_close
X
run -r "$lbf" --format summary --expect "$tmp/ok.expect"
[ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ] && pass "--expect, every expectation met: exit 0, quiet" ||
	fail "--expect met" "exit $rc"
cat >"$tmp/no.expect" <<'X'
connections 2
connection #1
  close graceful
  states - CLOSE_WAIT
connection #3
  verdict rst_to_closed_port
  no verdict warning
connection #7
  close abort
X
run -r "$lbf" --format summary --expect "$tmp/no.expect"
cat >"$tmp/want" <<'X'
tcpflow-explain: --expect NO: 5 of 6 expectations not met
--- NO (expected)
+++ the capture
@@ line 1
-connections 2
+connections 3
@@ line 2: connection #1 10.231.0.1:51376 -> 10.231.0.2:8080
-  close graceful
+  close half_close
@@ line 5: connection #3 10.231.0.1:51406 -> 10.231.0.2:8080
-  verdict rst_to_closed_port
+  verdicts syn_unanswered
-  no verdict warning
+  verdict syn_unanswered
@@ line 8
-connection #7
+(no such connection)
X
sed -i "s|NO|$tmp/no.expect|g" "$tmp/want"
if [ "$rc" -eq 1 ] && cmp -s "$tmp/want" "$tmp/err"; then
	pass "--expect, five not met: exit 1 and a diff of each"
else
	fail "--expect not met" "exit $rc; diff: $(diff "$tmp/want" "$tmp/err" | head -n 5)"
fi
run -r "$lbf" --format summary --expect "$tmp/no.expect" --fail-on warning
[ "$rc" -eq 1 ] && grep -q -- '--fail-on: found' "$tmp/err" && grep -q -- '--expect' "$tmp/err" &&
	pass "--expect with --fail-on: both say what they found" || fail "--expect and --fail-on" "exit $rc"
for bad in "close nicely" "states TIME_WAIT" "verdict nope" "  close graceful" "connection 10.0.0.1" "frobnicate"; do
	case $bad in
	"  close graceful") printf '%s\n' "$bad" >"$tmp/bad.expect" ;;
	connection*) printf '%s\n' "$bad" >"$tmp/bad.expect" ;;
	*) printf 'connection #1\n%s\n' "$bad" >"$tmp/bad.expect" ;;
	esac
	run -r "$lbf" --expect "$tmp/bad.expect"
	if [ "$rc" -eq 2 ] && grep -q "^tcpflow-explain: --expect $tmp/bad.expect:[12]: " "$tmp/err" &&
		[ ! -s "$tmp/out" ]; then
		pass "--expect '$bad': exit 2 before any output, with the line"
	else
		fail "--expect '$bad'" "exit $rc"
	fi
done
run -r "$lbf" --expect "$tmp/missing.expect"
[ "$rc" -eq 3 ] && pass "--expect on a missing file: exit 3" || fail "--expect missing" "exit $rc"

# ---- the numbers of JSON verdicts -----------------------------------------

# Each verdict's numbers are the ones its sentence gives: a count as a
# number of its own in the message, a duration as the message rounds it
# (tests/verdict-check.py holds each kind to the fields it must carry;
# thresholds, the options' values, are not in every sentence).
if command -v python3 >/dev/null 2>&1; then
	for p in "$pcaps"/*.pcap; do
		"$prog" -r "$p" --format json
	done >"$tmp/all.jsonl" 2>/dev/null
	if python3 - "$tmp/all.jsonl" >"$tmp/nums" <<'PY'
import json, re, sys
n = bad = 0
kinds = set()
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o["type"] != "connection":
        continue
    for v in o["verdicts"]:
        for k, val in v["numbers"].items():
            if k == "threshold_s":
                continue
            n += 1
            kinds.add(v["kind"])
            msg = v["message"]
            if k.endswith("_s"):
                # spans to 0.1 s or 1 ms, times in the connection to
                # the timestamps' precision, delays in ms
                ok = any("%.*f s" % (d, val) in msg for d in (0, 1, 3, 6, 9)) \
                    or "%.3f ms" % (val * 1e3) in msg
            else:
                ok = re.search(r"(?<![\d.])%d(?![\d.])" % val, msg) is not None
            if not ok:
                bad += 1
                print("%s %s=%s not in: %s" % (v["kind"], k, val, msg[:120]))
print(n, len(kinds))
sys.exit(1 if bad or n == 0 else 0)
PY
	then
		pass "JSON verdicts: $(tail -n 1 "$tmp/nums" | cut -d' ' -f1) numbers of $(tail -n 1 "$tmp/nums" | cut -d' ' -f2) kinds, each as its sentence gives it"
	else
		fail "JSON verdict numbers" "$(head -n 3 "$tmp/nums")"
	fi
fi

# ---- the suite: a folder of captures with their expectations --------------

n=0 failed=""
for e in "$top_srcdir"/tests/expect/*.expect; do
	p=$pcaps/$(basename "$e" .expect).pcap
	n=$((n + 1))
	"$prog" -r "$p" --format summary --expect "$e" >/dev/null 2>"$tmp/err" ||
		failed="$failed $(basename "$e")"
done
[ "$n" -ge 5 ] && [ -z "$failed" ] && pass "tests/expect: $n captures meet their expectations" ||
	fail "tests/expect" "$n files; not met:$failed"

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
