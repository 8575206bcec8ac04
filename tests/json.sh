#!/bin/bash
# json.sh: --format json on every capture in pcaps/ and every description
# in tests/craft/ (doc/json.md).
#
# When the real-world captures are beside the source tree (../shared/pcaps,
# or TFE_SHARED_PCAPS), they are run too (not when TFE_SKIP_LABEL_COMPARISONS
# is set, as in the sanitizer builds); one the program cannot read at
# all (an unsupported link type) must then give no output and exit 3 in
# both forms, and one it reads up to some damage exits 3 with its output.
#
# For each capture the program runs in text form, as JSON, as JSON with
# --events, and both with --verdicts-only; then:
#   - two runs of the same JSON command give the same bytes (stability;
#     of pcaps/ and tests/craft: threads.sh compares separate runs of the
#     real-world ones);
#   - tests/json-lines.py reads every line strictly, validates it against
#     doc/tcpflow-explain.schema.json and holds it against the text form
#     (same connections in the same order, same timeline rows, same counts);
#   - --fail-on gives the same exit status and message as in text form;
#   - tests/json-doc.py checks that doc/json.md, the JSON Schema and all
#     the output name the same fields with the same types.
# The byte-for-byte expected output of each capture is a golden test
# (tests/TESTLIST, tests/expected/json/).
#
# Needs python3; the schema checks need its jsonschema module (Debian
# python3-jsonschema).  Without python3 the test is skipped (77); without
# jsonschema everything else runs and the test then reports a skip (77)
# unless something failed.  top_srcdir and top_builddir come from the
# Makefile; run by hand, both default to the directory above this script.
#
# Prints PASS or FAIL per check and ends with "N passed, N failed".

. "$(dirname "$0")/lib.sh"
craftpcap=$top_builddir/tests/craftpcap

if ! command -v python3 >/dev/null 2>&1; then
	echo "skipped: python3 is not installed"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tfe-json.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

npass=0 nfail=0
pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }

# The inputs: the lab's captures, the captures kept for the tests alone
# (tests/data: a link type with no decoder), then the crafted ones.
names=() pcaps=()
for f in "$top_srcdir"/pcaps/*.pcap "$top_srcdir"/tests/data/*.pcap; do
	[ -e "$f" ] || continue
	names+=("$(basename "$f" .pcap)")
	pcaps+=("$f")
done
for f in "$top_srcdir"/tests/craft/*.txt; do
	[ -e "$f" ] || continue
	n=craft-$(basename "$f" .txt)
	if ! "$craftpcap" "$f" "$tmp/$n.pcap" 2>"$tmp/craft.err"; then
		fail "$n" "craftpcap failed: $(head -n 1 "$tmp/craft.err")"
		continue
	fi
	names+=("$n")
	pcaps+=("$tmp/$n.pcap")
done
if [ "${#names[@]}" -lt 10 ]; then
	fail "inputs" "only ${#names[@]} captures found under $top_srcdir"
fi
shared=${TFE_SHARED_PCAPS:-$top_srcdir/../shared/pcaps}
if [ -n "${TFE_SKIP_LABEL_COMPARISONS:-}" ]; then
	# A second run of the suite (the sanitizer builds of .ci/run): the
	# real-world captures were checked here in the plain build, and
	# verdict-check.sh reads each of them as JSON under the sanitizers.
	echo "(TFE_SKIP_LABEL_COMPARISONS is set: only pcaps/ and tests/craft/)"
elif [ -d "$shared" ]; then
	for f in "$shared"/*; do
		case $f in
		*.pcap | *.pcapng | *.cap | *.trace) ;;
		*) continue ;;
		esac
		n=$(basename "$f")
		names+=("shared-${n%.*}")
		pcaps+=("$f")
	done
else
	echo "(no real-world captures at $shared: only pcaps/ and tests/craft/)"
fi

# The options themselves: --events belongs to --format json.
if [ "${#pcaps[@]}" -gt 0 ]; then
	"$prog" -r "${pcaps[0]}" --events >/dev/null 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq 2 ] && grep -q '^tcpflow-explain: --events goes with --format json' "$tmp/err"; then
		pass "--events without --format json is a usage error"
	else
		fail "--events without --format json" "exit $rc: $(head -n 1 "$tmp/err")"
	fi
	"$prog" -r "${pcaps[0]}" --format jsonl >/dev/null 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq 2 ] && grep -q "^tcpflow-explain: --format: unknown format 'jsonl'" "$tmp/err"; then
		pass "an unknown format is a usage error"
	else
		fail "--format jsonl" "exit $rc: $(head -n 1 "$tmp/err")"
	fi
	"$prog" -r "${pcaps[0]}" -r "${pcaps[0]}" --format json >"$tmp/twice" 2>/dev/null
	if [ "$(grep -c '"type":"summary"' "$tmp/twice")" -eq 1 ] &&
	   [ "$(tail -n 1 "$tmp/twice" | cut -c1-17)" = '{"type":"summary"' ]; then
		pass "two -r files: one summary, last"
	else
		fail "two -r files" "not exactly one summary line at the end"
	fi
fi

kinds=rst_to_closed_port,syn_unanswered,missing_final_ack,abortive_close,retransmission

ran=()
for i in "${!names[@]}"; do
	n=${names[$i]} pcap=${pcaps[$i]} ok=true
	"$prog" -r "$pcap" >"$tmp/$n.text" 2>/dev/null
	want=$?
	"$prog" -r "$pcap" --verdicts-only >"$tmp/$n.vo.text" 2>/dev/null
	if [ "$want" -ne 0 ] && [ "$want" -ne 3 ]; then
		fail "$n: runs" "exit status $want in text form"
		continue
	fi
	# Two runs give the same bytes: the real-world captures once only,
	# threads.sh compares separate runs of them with 1 and 3 threads.
	runs="1 2"
	case $n in shared-*) runs=1 ;; esac
	for run in $runs; do
		for x in "json:" "events.json:--events" "vo.json:--verdicts-only"; do
			timeout 60 "$prog" -r "$pcap" --format json ${x#*:} \
				>"$tmp/$n.${x%%:*}.$run" 2>"$tmp/$n.err"
			rc=$?
			if [ "$rc" -ne "$want" ]; then
				fail "$n: runs" "exit status $rc with --format json ${x#*:}, $want in text form: $(head -n 1 "$tmp/$n.err")"
				ok=false
				break 2
			fi
		done
	done
	$ok || continue
	if [ "$want" -eq 3 ] && [ ! -s "$tmp/$n.json.1" ] && [ ! -s "$tmp/$n.text" ]; then
		pass "$n: unreadable: no output and exit 3 in both forms"
		continue
	fi
	if [ "$runs" = 1 ]; then
		:
	elif cmp -s "$tmp/$n.json.1" "$tmp/$n.json.2" &&
	   cmp -s "$tmp/$n.events.json.1" "$tmp/$n.events.json.2" &&
	   cmp -s "$tmp/$n.vo.json.1" "$tmp/$n.vo.json.2"; then
		pass "$n: two runs give the same bytes"
	else
		fail "$n: stability" "two runs differ"
	fi
	for x in json events.json vo.json; do
		mv "$tmp/$n.$x.1" "$tmp/$n.$x"
	done
	ran+=("$n")

	# --fail-on: the same decision and message in both forms.
	"$prog" -r "$pcap" --fail-on "$kinds" >/dev/null 2>"$tmp/fo.text.err"
	rt=$?
	"$prog" -r "$pcap" --format json --fail-on "$kinds" >/dev/null 2>"$tmp/fo.json.err"
	rj=$?
	if [ "$rt" -eq "$rj" ] && cmp -s "$tmp/fo.text.err" "$tmp/fo.json.err"; then
		pass "$n: --fail-on as in text form (exit $rj)"
	else
		fail "$n: --fail-on" "text exit $rt, json exit $rj, or other messages"
	fi
done

# tally FILE NAME: adds the "N passed, M failed" line of a Python checker.
tally() {
	local l p f
	l=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
	if [ -z "$l" ]; then
		fail "$2" "no result line"
		return
	fi
	p=${l%% passed*}; f=${l#*, }; f=${f%% failed*}
	npass=$((npass + p)); nfail=$((nfail + f))
}

skip=false
if [ "${#ran[@]}" -gt 0 ]; then
	python3 "$here/json-lines.py" "$top_srcdir/doc/tcpflow-explain.schema.json" \
		"$tmp" "${ran[@]}" >"$tmp/lines.out" 2>&1
	rc=$?
	grep -v -E '^[0-9]+ passed, [0-9]+ failed$' "$tmp/lines.out"
	tally "$tmp/lines.out" json-lines.py
	case $rc in
	0) ;;
	77) skip=true ;;
	1) ;;
	*) fail "json-lines.py" "exit status $rc" ;;
	esac

	# Every field and type the output can have: all the --events
	# output, plus every frame of the capture with every option.
	all=()
	for n in "${ran[@]}"; do
		all+=("$tmp/$n.events.json")
	done
	if [ -e "$tmp/craft-tcp-options.pcap" ]; then
		"$prog" -r "$tmp/craft-tcp-options.pcap" --format json --events \
			--all-frames >"$tmp/all-frames.json"
		all+=("$tmp/all-frames.json")
	fi
	# The alert, table and servers objects: every alert kind, a table with
	# a row that emptied (the server's capture point of a connection
	# through a router that delays), servers with and without an RTT.
	if [ -e "$top_srcdir/pcaps/router-delay-100ms.server.pcap" ]; then
		"$prog" -r "$top_srcdir/pcaps/router-delay-100ms.server.pcap" \
			--format json --alerts --syn-received-threshold 0.05 \
			--fin-wait-2-threshold 1 --last-ack-threshold 0.1 \
			--every 1 >"$tmp/watch.json"
		"$prog" -r "$top_srcdir/pcaps/syn-unanswered.pcap" \
			-r "$top_srcdir/pcaps/lost-final-ack.pcap" \
			--format json --alerts --servers >>"$tmp/watch.json"
		"$prog" -r "$top_srcdir/pcaps/close-ipv6.pcap" --format json \
			--every 0.1 --servers >>"$tmp/watch.json"
		all+=("$tmp/watch.json")
	fi
	# --pair: connections seen by both and by one alone, every kind
	if [ -e "$top_srcdir/tests/pair/pair-nat-mss.server.pcap" ]; then
		"$prog" --pair "$top_srcdir/tests/pair/pair-nat-mss.pcap" \
			"$top_srcdir/tests/pair/pair-nat-mss.server.pcap" \
			--format json >"$tmp/pair.json"
		"$prog" --pair "$top_srcdir/pcaps/router-reject-reset.pcap" \
			"$top_srcdir/tests/pair/pair-nat-mss.server.pcap" \
			--format json >>"$tmp/pair.json"
		"$prog" --pair "$top_srcdir/pcaps/router-reject-reset.pcap" \
			"$top_srcdir/pcaps/router-reject-reset.server.pcap" \
			--format json >>"$tmp/pair.json"
		all+=("$tmp/pair.json")
	fi
	# Live only, the kernel's view of the local sockets: the lines of a
	# real run of tests/kernel.sh (tests/data/README.md), valid by the
	# schema and documented like the rest.
	sample=$top_srcdir/tests/data/kernel-live.jsonl
	all+=("$sample")
	if python3 -c 'import jsonschema' 2>/dev/null; then
		if python3 -c 'import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
for line in open(sys.argv[2]):
    jsonschema.validate(json.loads(line), schema)' \
			"$top_srcdir/doc/tcpflow-explain.schema.json" "$sample" \
			>"$tmp/sample.out" 2>&1; then
			pass "the live sample (local, kernel) is valid by the schema"
		else
			fail "live sample" "not valid by the schema: $(tail -n 1 "$tmp/sample.out")"
		fi
	fi
	python3 "$here/json-doc.py" "$top_srcdir/doc/json.md" \
		"$top_srcdir/doc/tcpflow-explain.schema.json" \
		"$top_srcdir/doc/verdicts.md" "${all[@]}" >"$tmp/doc.out" 2>&1
	rc=$?
	grep -v -E '^[0-9]+ passed, [0-9]+ failed$' "$tmp/doc.out"
	tally "$tmp/doc.out" json-doc.py
	[ "$rc" -le 1 ] || fail "json-doc.py" "exit status $rc"
fi

if $skip && [ "$nfail" -eq 0 ]; then
	echo "skipped: the schema checks need python3-jsonschema (all else passed)"
fi
echo "$npass passed, $nfail failed"
if [ "$nfail" -gt 0 ]; then
	exit 1
fi
$skip && exit 77
exit 0
