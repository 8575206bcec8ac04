#!/bin/bash
# completeness.sh: for every capture in pcaps/, each connection's
# tcp.completeness (printed at the end of its options line) equals what
# "tshark -2" computes for the same stream (the stream's last value).
#
# Streams and connections are matched by 4-tuple: the k-th tshark stream on
# a tuple (tshark numbers streams in the order they start, and starts a new
# one when a SYN reuses the ports) is the k-th of our connections on it
# (ours are numbered in the order they start).  A stream without a
# connection of ours, or the other way round, fails too.
# Skipped, saying so, when tshark is not installed.

. "$(dirname "$0")/lib.sh"

if ! command -v tshark >/dev/null 2>&1; then
	echo "skipped: tshark is not installed"
	exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# "k tupleA tupleB value", tuple ends sorted so both directions agree.
key() {
	awk '{ a = $1; b = $2; if (a > b) { t = a; a = b; b = t }
	       n = ++seen[a " " b]; print n, a, b, $3 }'
}

passed=0 failed=0
for f in "$top_srcdir"/pcaps/*.pcap; do
	name=$(basename "$f")
	# tshark: per stream, the last value; IPv6 addresses in brackets as
	# we print them.
	tshark -2 -n -r "$f" -T fields -E separator=/t -e tcp.stream \
		-e ip.src -e ipv6.src -e tcp.srcport -e ip.dst -e ipv6.dst \
		-e tcp.dstport -e tcp.completeness 2>/dev/null |
	awk -F'\t' '$1 != "" {
		s = $2 != "" ? $2 ":" $4 : "[" $3 "]:" $4
		d = $5 != "" ? $5 ":" $7 : "[" $6 "]:" $7
		if (!($1 in first)) { first[$1] = s " " d; order[n++] = $1 }
		last[$1] = $8
	} END { for (i = 0; i < n; i++) print first[order[i]], last[order[i]] }' |
	key > "$tmp/theirs"

	# ours: "#id client -> server ..." then the options line.
	"$prog" -r "$f" > "$tmp/out" 2>/dev/null
	awk '/^#[0-9]+ / { id = substr($1, 2); c = $2; s = $4; next }
	     id != "" && /tcp\.completeness/ { print id, c, s, $NF; id = "" }' \
		"$tmp/out" | sort -n | cut -d' ' -f2- | key > "$tmp/ours"

	if [ ! -s "$tmp/theirs" ]; then
		continue
	fi
	if diff -u "$tmp/theirs" "$tmp/ours" > "$tmp/diff"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL $name: tshark (-) and ours (+) differ"
		sed 's/^/    /' "$tmp/diff"
	fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
