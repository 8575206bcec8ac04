#!/bin/bash
# ladder.sh: --format ladder draws the same timeline as the text form.
#
# For every capture in pcaps/ and every description in tests/craft/, with
# and without --all-frames, both forms are run and compared:
#   - rows: the (frame, time) of every timeline row (frames, runs, timer
#     rows), in order, are the same in both; so each text row appears in
#     the ladder exactly once and nothing else does;
#   - states: on every frame row, a state the text form shows as changed
#     (a name, not ".") is in the same side's column of the ladder, and a
#     "." is an empty column (or "(not recvd)" on the receiving side);
#   - width: the diagram lines fit in 100 columns;
#   - the title lines, the part after each diagram (verdict lines, end
#     line) and the summary are the text form's, line for line.
# Then --color and --verdicts-only work as in the text form.
#
# top_srcdir and top_builddir come from the Makefile; run by hand, both
# default to the directory above this script.  Prints PASS or FAIL per
# check and ends with "N passed, N failed"; exits 1 if any check failed.

. "$(dirname "$0")/lib.sh"
craftpcap=$top_builddir/tests/craftpcap

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tfe-ladder.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

npass=0 nfail=0

pass() {
	echo "PASS $1"
	npass=$((npass + 1))
}

fail() {
	echo "FAIL $1: $2"
	nfail=$((nfail + 1))
}

# A timeline row starts, after three blanks, with a frame number, a
# range of them or "-", then a relative time.
row_re='^   ([0-9]+(-[0-9]+)?|-) +[+-][0-9]+\.[0-9]+ '

# rows FILE: "frame time" of each row.
rows() {
	grep -E "$row_re" "$1" | awk '{ print $1, $2 }'
}

# text_states FILE: "frame client server" of each frame row of the text
# form ("." for a state that did not change).
text_states() {
	grep -E '^   [0-9]+ +[+-][0-9]' "$1" | awk '$3 == "->" || $3 == "<-" { print $1, $9, $10 }'
}

# ladder_states FILE: the same from the ladder ("." for an empty column;
# "(not recvd)" counts as no change).
ladder_states() {
	grep -E '^   [0-9]+ +[+-][0-9]' "$1" | grep -F '|' | awk -F'|' '{
		n = split($1, a, " ")
		c = n >= 3 ? a[3] : "."
		s = $3
		gsub(/^ +| +$/, "", s)
		if (s == "" || s == "(not recvd)") s = "."
		if (c == "(not") c = "."
		print a[1], c, s
	}'
}

# rest FILE: the title lines, the verdict, folding and end lines, and the
# summary.
rest() {
	awk '{ l = $0; gsub(/\033\[[0-9;]*m/, "", l) }
		l == "summary" { s = 1 }
		s || l ~ /^#[0-9]/ || l ~ /^   (verdict |end: |\()/' "$1"
}

# compare NAME PCAP [OPTIONS...]
compare() {
	local name=$1 pcap=$2
	shift 2
	"$prog" -r "$pcap" "$@" >"$tmp/text" 2>"$tmp/text.err"
	local rt=$?
	"$prog" -r "$pcap" --format ladder "$@" >"$tmp/ladder" 2>"$tmp/ladder.err"
	local rl=$?
	if [ "$rl" -ge 128 ] || [ "$rl" -ne "$rt" ]; then
		fail "$name" "exit status $rl with --format ladder, $rt in text"
		return
	fi
	if ! cmp -s "$tmp/text.err" "$tmp/ladder.err"; then
		fail "$name" "standard error differs from the text form's"
		return
	fi
	rows "$tmp/text" >"$tmp/text.rows"
	rows "$tmp/ladder" >"$tmp/ladder.rows"
	if [ ! -s "$tmp/text.rows" ]; then
		fail "$name" "no timeline row found in the text form"
		return
	fi
	if ! diff "$tmp/text.rows" "$tmp/ladder.rows" >"$tmp/diff"; then
		fail "$name rows" "$(wc -l <"$tmp/text.rows") rows in text," \
			"$(wc -l <"$tmp/ladder.rows") in the ladder: $(head -n 4 "$tmp/diff" | tr '\n' ' ')"
		return
	fi
	text_states "$tmp/text" >"$tmp/text.states"
	ladder_states "$tmp/ladder" >"$tmp/ladder.states"
	if ! diff "$tmp/text.states" "$tmp/ladder.states" >"$tmp/diff"; then
		fail "$name states" "$(head -n 4 "$tmp/diff" | tr '\n' ' ')"
		return
	fi
	# The diagram: from each title line to its first verdict or end line.
	local wide
	wide=$(awk '{ l = $0; gsub(/\033\[[0-9;]*m/, "", l) }
		l ~ /^#[0-9]/ { d = 1; next }
		l ~ /^   (verdict |end: |\()/ { d = 0 }
		d && length($0) > 100 { print NR ": " length($0) " columns" ; exit }' "$tmp/ladder")
	if [ -n "$wide" ]; then
		fail "$name width" "line $wide"
		return
	fi
	# Title lines, what follows each diagram and the summary are the
	# text form's, in the same order.
	rest "$tmp/text" >"$tmp/text.rest"
	rest "$tmp/ladder" >"$tmp/ladder.rest"
	if ! diff "$tmp/text.rest" "$tmp/ladder.rest" >"$tmp/diff"; then
		fail "$name verdicts" "$(head -n 4 "$tmp/diff" | tr '\n' ' ')"
		return
	fi
	pass "$name: $(wc -l <"$tmp/text.rows") rows, $(wc -l <"$tmp/text.states") states"
}

if [ ! -x "$prog" ]; then
	fail "setup" "$prog is not built"
	echo "$npass passed, $nfail failed"
	exit 1
fi

n=0
for pcap in "$top_srcdir"/pcaps/*.pcap; do
	[ -e "$pcap" ] || continue
	n=$((n + 1))
	# a capture point that saw nothing (the server's end of
	# router-icmp-unreachable) is a file header alone: no row to compare
	if [ "$(wc -c <"$pcap")" -le 24 ]; then
		pass "$(basename "$pcap"): no packet, nothing to compare"
		continue
	fi
	compare "$(basename "$pcap")" "$pcap"
	compare "$(basename "$pcap") --all-frames" "$pcap" --all-frames
done
if [ "$n" -eq 0 ]; then
	fail "pcaps" "no capture in $top_srcdir/pcaps"
fi

if [ -x "$craftpcap" ]; then
	for desc in "$top_srcdir"/tests/craft/*.txt; do
		[ -e "$desc" ] || continue
		base=$(basename "$desc" .txt)
		if "$craftpcap" "$desc" "$tmp/$base.pcap" 2>/dev/null; then
			compare "craft/$base" "$tmp/$base.pcap"
		fi
	done
fi

# --color always colours the verdicts as the text form does, and NO_COLOR
# does not turn off an explicit --color always.
pcap=$top_srcdir/pcaps/lost-final-ack.pcap
if [ -r "$pcap" ]; then
	compare "lost-final-ack.pcap --color always" "$pcap" --color always
	if NO_COLOR=1 "$prog" -r "$pcap" --format ladder --color always |
		grep -q "$(printf '\033')\[1;31mmissing_final_ack"; then
		pass "--color always: the warning verdict in red"
	else
		fail "--color always" "no coloured missing_final_ack line"
	fi
	if "$prog" -r "$pcap" --format ladder --color never | grep -q "$(printf '\033')"; then
		fail "--color never" "an escape sequence in the output"
	else
		pass "--color never: no escape sequence"
	fi
fi

# --verdicts-only keeps the same connections in both forms.
pcap=$top_srcdir/pcaps/listen-backlog-full.pcap
if [ -r "$pcap" ]; then
	"$prog" -r "$pcap" --verdicts-only | grep -E '^#[0-9]' >"$tmp/t.ids"
	"$prog" -r "$pcap" --verdicts-only --format ladder | grep -E '^#[0-9]' >"$tmp/l.ids"
	"$prog" -r "$pcap" --format ladder | grep -E '^#[0-9]' >"$tmp/all.ids"
	if [ -s "$tmp/t.ids" ] && cmp -s "$tmp/t.ids" "$tmp/l.ids" &&
		[ "$(wc -l <"$tmp/l.ids")" -lt "$(wc -l <"$tmp/all.ids")" ]; then
		pass "--verdicts-only: the text form's $(wc -l <"$tmp/l.ids") of $(wc -l <"$tmp/all.ids") connections"
	else
		fail "--verdicts-only" "$(wc -l <"$tmp/l.ids") connections in the ladder," \
			"$(wc -l <"$tmp/t.ids") in text, $(wc -l <"$tmp/all.ids") in all"
	fi
fi

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
