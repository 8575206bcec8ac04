#!/bin/bash
# shared-pcaps.sh: every real-world capture in ../shared/pcaps (the public
# test suites of Zeek, Suricata and tcpdump, malformed ones among them) must
# end with exit 0 or 3, in bounded time, with any error in the form
# "tcpflow-explain: ...", and never with a signal.  Under the sanitizer
# build this is also the check for memory errors on real traffic.
# Skipped, saying so, when ../shared is not beside the source tree.

. "$(dirname "$0")/lib.sh"
# TFE_SHARED_PCAPS lets a build outside the source tree (the sanitizer
# build from the tarball) find them too.
shared=${TFE_SHARED_PCAPS:-$top_srcdir/../shared/pcaps}

if [ ! -d "$shared" ]; then
	echo "SKIP: $shared is not present; the real-world capture run did not happen"
	exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

passed=0 failed=0
for f in "$shared"/*; do
	case $f in
	*.pcap | *.pcapng | *.cap | *.trace) ;;
	*) continue ;;
	esac
	timeout 60 "$prog" -r "$f" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	name=$(basename "$f")
	why=""
	if [ $rc -ne 0 ] && [ $rc -ne 3 ]; then
		why="exit status $rc"
	elif [ $rc -eq 3 ] && ! grep -q '^tcpflow-explain: ' "$tmp/err"; then
		why="exit 3 without a tcpflow-explain: message"
	elif [ $rc -eq 0 ] && ! grep -q '^summary$' "$tmp/out"; then
		why="no summary printed"
	elif grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' "$tmp/err"; then
		why="sanitizer report"
	fi
	if [ -z "$why" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL $name: $why"
		head -n 5 "$tmp/err" | sed 's/^/    /'
	fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
