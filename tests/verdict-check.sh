#!/bin/bash
# verdict-check.sh: every verdict's sentence agrees with the timeline it
# sits under (tests/verdict-check.py says what is checked), on every
# capture the tests have: the lab's (pcaps/, and pcaps/three-places/ for
# the server's and the router's ends), those of tests/pair/ and
# tests/data/, the crafted ones (tests/craft/), and the real-world ones in ../shared/pcaps and
# ../shared/pcaps-more when they are beside the source tree (skipped,
# saying so, when they are not).
#
# Prints one line per set of captures, and fails on an inconsistency that
# tests/verdict-check-known does not list (one line each, as
# "CAPTURE #CONN KIND: what"), or on a listed one that is no longer found.
# Needs python3.

. "$(dirname "$0")/lib.sh"
craftpcap=$top_builddir/tests/craftpcap
# absolute: it runs from inside the folder of outputs
check=$(cd "$top_srcdir/tests" && pwd)/verdict-check.py
shared=${TFE_SHARED_PCAPS:-$top_srcdir/../shared/pcaps}

if ! command -v python3 >/dev/null 2>&1; then
	echo "skipped: python3 is not installed"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tfe-vcheck.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

total=0
# check_set SETNAME FILE...: runs each capture, then checks them all in
# one run of the checker (the name of each JSON file is its capture's)
check_set() {
	local set=$1 n=0
	shift
	rm -rf "$tmp/set"
	mkdir "$tmp/set"
	for f in "$@"; do
		[ -e "$f" ] || continue
		local name=${f##*/} in=$f
		case $f in
		*.txt)
			in=$tmp/in.pcap
			if ! "$craftpcap" "$f" "$in"; then
				echo "FAIL $name: craftpcap failed"
				n=$((n + 1))
				continue
			fi ;;
		esac
		# exit 3 (a capture damaged part way) still reports what it read
		timeout 120 "$prog" -r "$in" --format json --events \
			> "$tmp/set/$name" 2> /dev/null
		rc=$?
		if [ $rc -ne 0 ] && [ $rc -ne 3 ]; then
			echo "FAIL $name: exit status $rc"
			n=$((n + 1))
		fi
	done
	local files=("$tmp"/set/*)
	if [ -e "${files[0]}" ]; then
		(cd "$tmp/set" && python3 "$check" *) > "$tmp/res"
		grep -v ' inconsistencies$' "$tmp/res" >> "$tmp/found"
		(cd "$tmp/set" && ls) >> "$tmp/ran"
		echo "$set: ${#files[@]} captures, $(tail -n 1 "$tmp/res")"
	fi
	total=$((total + n))
}
: > "$tmp/found"
: > "$tmp/ran"

check_set pcaps "$top_srcdir"/pcaps/*.pcap
check_set three-places "$top_srcdir"/pcaps/three-places/*.pcap
check_set pair "$top_srcdir"/tests/pair/*.pcap
check_set data "$top_srcdir"/tests/data/*.pcap
check_set craft "$top_srcdir"/tests/craft/*.txt
for d in "$shared" "${shared}-more"; do
	if [ -d "$d" ]; then
		check_set "shared/${d##*/}" "$d"/*.pcap "$d"/*.pcapng "$d"/*.cap
	else
		echo "skipped: $d is not present"
	fi
done
# The known ones: each line of tests/verdict-check-known is one
# inconsistency not fixed yet; a new one fails, and so does a known one
# that is gone (take it out of the list).
sort -u "$tmp/found" > "$tmp/found.s"
grep -v '^#' "$top_srcdir/tests/verdict-check-known" | grep . |
	while read -r cap rest; do
		grep -qxF "$cap" "$tmp/ran" && echo "$cap $rest"
	done | sort -u > "$tmp/known.s"
new=$(comm -23 "$tmp/found.s" "$tmp/known.s" | wc -l)
gone=$(comm -13 "$tmp/found.s" "$tmp/known.s" | wc -l)
comm -23 "$tmp/found.s" "$tmp/known.s" | sed 's/^/FAIL new: /'
comm -13 "$tmp/found.s" "$tmp/known.s" | sed 's/^/FAIL no longer found (take it out of tests\/verdict-check-known): /'
echo "$(wc -l < "$tmp/found.s") inconsistencies in all, $(wc -l < "$tmp/known.s") known; $new new, $gone gone"
[ "$total" -eq 0 ] && [ "$new" -eq 0 ] && [ "$gone" -eq 0 ]
