#!/bin/bash
# bounds.sh: memory stays within the documented bound (doc/hardening.md,
# the man page's MEMORY section) however large the capture:
#
#   peak RSS <= 16 MB + max_flows x 2.5 kB
#
# for captures whose connections hold few timeline rows.  tests/flood
# writes each capture on the fly into a pipe (nothing stored on disk):
#   - 2 million SYNs from distinct addresses and ports (one-packet flows
#     that never end: --max-flows evicts them),
#   - 1 million short connections, SYN, SYN+ACK, RST (each leaves a
#     tombstone for 2MSL: the tombstones are bounded too),
#   - one endless connection of 3 million segments (its timeline is
#     bounded: the bound with max_flows = 1).
# Peak RSS comes from /usr/bin/time -v; the bound is asserted, never a
# time.  Under AddressSanitizer the RSS means nothing (shadow memory,
# quarantine): the captures are then 10 times smaller and only the counts
# are checked, which the last line says.

. "$(dirname "$0")/lib.sh"
flood=$top_builddir/tests/flood
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -x /usr/bin/time ]; then
	echo "SKIP: /usr/bin/time is not installed (Debian package 'time')"
	exit 77
fi
sanitized=0
if grep -q __asan_init "$prog" 2>/dev/null; then
	sanitized=1
fi
scale=1
[ $sanitized -eq 1 ] && scale=10

flows=65536
bound_kb=$((16 * 1024 + flows * 5 / 2))
passed=0 failed=0

# run NAME KIND N BOUND_KB [OPTIONS...]: floods the program, checks its
# exit status and the bound; leaves the summary in $tmp/NAME.out.
run() {
	local name=$1 kind=$2 n=$3 bound=$4
	shift 4
	"$flood" "$kind" "$n" |
		/usr/bin/time -v -o "$tmp/$name.time" \
			"$prog" -r - --format summary "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	local rcs=("${PIPESTATUS[@]}")
	local rss
	rss=$(sed -nE 's/^[[:space:]]*Maximum resident set size \(kbytes\): ([0-9]+)/\1/p' "$tmp/$name.time")
	if [ "${rcs[0]}" -ne 0 ] || [ "${rcs[1]}" -ne 0 ]; then
		echo "FAIL $name: exit status flood ${rcs[0]}, tcpflow-explain ${rcs[1]}"
		sed 's/^/    /' "$tmp/$name.err" | head -n 5
		failed=$((failed + 1))
		return 1
	fi
	if [ -z "$rss" ]; then
		echo "FAIL $name: no peak RSS from /usr/bin/time"
		failed=$((failed + 1))
		return 1
	fi
	if [ $sanitized -eq 1 ]; then
		echo "     $name: peak RSS $rss kB (sanitizer build: bound not asserted)"
	elif [ "$rss" -gt "$bound" ]; then
		echo "FAIL $name: peak RSS $rss kB is above the bound of $bound kB"
		failed=$((failed + 1))
		return 1
	else
		echo "PASS $name: peak RSS $rss kB, bound $bound kB"
		passed=$((passed + 1))
	fi
	return 0
}

# expect NAME LINE: the summary has this exact line.
expect() {
	if grep -qxF -- "$2" "$tmp/$1.out"; then
		echo "PASS $1: $2"
		passed=$((passed + 1))
	else
		echo "FAIL $1: the summary lacks '$2'"
		sed 's/^/    /' "$tmp/$1.out"
		failed=$((failed + 1))
	fi
}

n=$((2000000 / scale))
if run syns syns $n $bound_kb --max-flows $flows; then
	expect syns "  connections: $n"
	expect syns "  connections evicted by --max-flows: $((n - flows))"
fi

n=$((3000000 / scale))
if run closed closed $n $bound_kb --max-flows $flows; then
	conns=$((n / 3))
	expect closed "  connections: $conns"
	# Every connection but the last max_flows ones lose their tombstone
	# early (2MSL is 60 s; the capture lasts 30 s).
	expect closed "  closed connections forgotten before 2MSL by --max-flows: $((conns - flows)) (a time_wait_reuse on them goes unseen)"
fi

n=$((3000000 / scale))
if run endless endless $n $((16 * 1024 + 3))
then
	expect endless "  connections: 1"
	expect endless "  final states, client: ESTABLISHED 1"
fi

[ $sanitized -eq 1 ] && echo "note: sanitizer build, peak RSS not asserted"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
