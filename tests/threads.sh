#!/bin/bash
# threads.sh: --threads 2 (a second thread reads and decodes) and
# --threads 3 (a third one writes the connections out) print exactly what
# --threads 1 prints: the same standard output, the same
# standard error and the same exit status, for every capture in pcaps/,
# every capture the golden tests craft, every hostile capture of
# tests/hostile.sh (files cut in a record, bad timestamps, garbage) and,
# when ../shared/pcaps (or TFE_SHARED_PCAPS) is present, every real-world
# capture there; each in text, --all-frames, json --events and netstat
# form (the real-world ones in --all-frames and json --events, which hold
# everything the other two are made from, with 1 and 3 threads, 3 being
# the reading thread of 2 and the writing one; TFE_THREADS_SHARED_EVERY=N takes
# every Nth of them only, as the sanitizer builds in .ci/run do).  Then the options that touch the reading: several -r files, -c
# with and without a filter, --at, --fail-on, standard input and a FIFO.
#
# tests/check_reader.c does the same through the library with batches of
# one frame (thousands of hand-overs); this one checks the program.

. "$(dirname "$0")/lib.sh"
craftpcap=$top_builddir/tests/craftpcap
gen=$top_builddir/tests/hostile
out=$top_builddir/tests/out/threads
shared=${TFE_SHARED_PCAPS:-$top_srcdir/../shared/pcaps}

passed=0 failed=0
for x in "$prog" "$craftpcap" "$gen"; do
	if [ ! -x "$x" ]; then
		echo "FAIL: $x is not built (make check builds it)"
		echo "0 passed, 1 failed"
		exit 1
	fi
done
rm -rf "$out"
mkdir -p "$out/craft" "$out/hostile" || exit 1

# same NAME ARGS...: runs the program with --threads 1, 2 and 3 and
# compares everything it printed and its exit status.
# The real-world captures run with 1 and 3 threads only (3 = the reading
# thread of 2 and the writing one): THREADS="1 3".
THREADS="1 2 3"
same() {
	local name=$1 t rc1 rct why=""
	shift
	for t in $THREADS; do
		timeout 60 "$prog" --threads $t "$@" >"$out/o$t" 2>"$out/e$t" </dev/null
		echo $? >"$out/rc$t"
	done
	rc1=$(cat "$out/rc1")
	if [ "$rc1" -ge 124 ]; then
		why="--threads 1: exit status $rc1 (signal or time limit)"
	fi
	for t in ${THREADS#1 }; do
		[ -z "$why" ] || break
		rct=$(cat "$out/rc$t")
		if ! cmp -s "$out/rc1" "$out/rc$t"; then
			why="exit status $rc1 with one thread, $rct with $t"
		elif ! cmp -s "$out/o1" "$out/o$t"; then
			why="--threads $t: standard output differs: $(diff "$out/o1" "$out/o$t" | head -n 3 | tr '\n' ' ')"
		elif ! cmp -s "$out/e1" "$out/e$t"; then
			why="--threads $t: standard error differs: $(diff "$out/e1" "$out/e$t" | head -n 3 | tr '\n' ' ')"
		fi
	done
	if [ -z "$why" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL $name: $why"
	fi
}

forms=("" "--all-frames" "--format json --events" "--format netstat")

# every_form NAME FILE: the four forms of one capture.
every_form() {
	local f form words
	for form in "${forms[@]}"; do
		read -r -a words <<<"$form"
		same "$1 ${form:-text}" -r "$2" ${words[@]+"${words[@]}"}
	done
}

captures=()
for f in "$top_srcdir"/pcaps/*.pcap; do
	captures+=("$f")
done
for f in "$top_srcdir"/tests/craft/*.txt; do
	p=$out/craft/$(basename "$f" .txt).pcap
	if "$craftpcap" "$f" "$p" 2>/dev/null; then
		captures+=("$p")
	else
		failed=$((failed + 1))
		echo "FAIL craftpcap $(basename "$f")"
	fi
done
if "$gen" "$out/hostile" >"$out/hostile/MANIFEST"; then
	for f in $(cut -f 1 "$out/hostile/MANIFEST" | uniq); do
		captures+=("$out/hostile/$f")
	done
else
	failed=$((failed + 1))
	echo "FAIL tests/hostile could not write its captures"
fi
# TFE_THREADS_LOCAL_EVERY=N: every Nth of them only (the ThreadSanitizer
# build of .ci/run, where each run is ten times slower; the plain build
# runs them all).
local_every=${TFE_THREADS_LOCAL_EVERY:-1}
case $local_every in '' | *[!0-9]* | 0) local_every=1 ;; esac
nlocal=0
for i in "${!captures[@]}"; do
	[ $((i % local_every)) -eq 0 ] || continue
	nlocal=$((nlocal + 1))
	every_form "$(basename "${captures[$i]}")" "${captures[$i]}"
done
nshared=0
every=${TFE_THREADS_SHARED_EVERY:-1}
case $every in '' | *[!0-9]* | 0) every=1 ;; esac
if [ -d "$shared" ]; then
	i=0
	for f in "$shared"/*; do
		case $f in
		*.pcap | *.pcapng | *.cap | *.trace) ;;
		*) continue ;;
		esac
		i=$((i + 1))
		[ $(((i - 1) % every)) -eq 0 ] || continue
		nshared=$((nshared + 1))
		THREADS="1 3" same "$(basename "$f") --all-frames" -r "$f" --all-frames
		THREADS="1 3" same "$(basename "$f") json" -r "$f" --format json --events
	done
else
	echo "SKIP the real-world captures: $shared is not present"
fi
echo "compared $nlocal of ${#captures[@]} local captures in ${#forms[@]} forms with 1, 2 and 3 threads, and $nshared real-world ones in 2 with 1 and 3"

# Several files as one capture, the hostile ones among them: an error in
# a later file comes after the frames of the earlier ones.
many=()
for f in "$top_srcdir"/pcaps/*.pcap; do
	many+=(-r "$f")
done
same "all of pcaps/ as one capture" "${many[@]}"
same "all of pcaps/ as one capture, json" "${many[@]}" --format json --events
for f in cut-in-record-header.pcap cut-in-record.pcap pcapng-time-out-of-range.pcapng; do
	if [ -f "$out/hostile/$f" ]; then
		same "pcaps/ then $f" "${many[@]}" -r "$out/hostile/$f"
	else
		failed=$((failed + 1))
		echo "FAIL tests/hostile no longer writes $f: choose another"
	fi
done

# -c stops the reading thread where one thread stops: the frame count in
# the summary and in an error message must agree.
for n in 1 2 5 17 100 255 256 257 1000; do
	same "-c $n" "${many[@]}" -c $n
	same "-c $n with a filter" "${many[@]}" -c $n tcp port 8080
done
same "a filter" "${many[@]}" --format summary tcp port 8080
same "--at 0.5" "${many[@]}" --format netstat --at 0.5
same "--fail-on" "${many[@]}" --fail-on rst_abort,zero_window_stall
same "--fail-on, json" "${many[@]}" --format json --fail-on rst_to_closed_port,half_close
same "--verdicts-only" "${many[@]}" --verdicts-only
same "--verdicts-only, json" "${many[@]}" --format json --verdicts-only
same "ladder" "${many[@]}" --format ladder
same "ladder, --verdicts-only" "${many[@]}" --format ladder --verdicts-only

# Standard input and a FIFO, which cannot be rewound.
big=$(ls -S "$top_srcdir"/pcaps/*.pcap | head -n 1)
for t in 1 2 3; do
	"$prog" --threads $t -r - <"$big" >"$out/stdin$t" 2>&1
	echo "status $?" >>"$out/stdin$t"
done
if cmp -s "$out/stdin1" "$out/stdin2" && cmp -s "$out/stdin1" "$out/stdin3" && cmp -s "$out/stdin1" <("$prog" --threads 1 -r "$big" 2>&1; echo "status $?"); then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
	echo "FAIL -r - (standard input): the outputs differ"
fi
if mkfifo "$out/fifo" 2>/dev/null; then
	for t in 1 2 3; do
		cat "$big" >"$out/fifo" &
		timeout 60 "$prog" --threads $t -r "$out/fifo" >"$out/fifo$t" 2>&1
		echo "status $?" >>"$out/fifo$t"
		wait
	done
	# (A FIFO is refused today, as it cannot be rewound after its magic
	# number is read: the same refusal both ways.)
	if cmp -s "$out/fifo1" "$out/fifo2" && cmp -s "$out/fifo1" "$out/fifo3"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL -r FIFO: the outputs differ"
	fi
fi

# The option itself.
for bad in 0 4 -1 x ""; do
	"$prog" --threads "$bad" -r "$big" >/dev/null 2>"$out/err"
	rc=$?
	if [ $rc -eq 2 ] && grep -q "^tcpflow-explain: --threads: '$bad' is not 1, 2 or 3$" "$out/err"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL --threads '$bad': exit $rc, $(cat "$out/err")"
	fi
done
"$prog" --threads 2 -i lo >/dev/null 2>"$out/err"
rc=$?
if [ $rc -eq 2 ] && grep -q "^tcpflow-explain: --threads goes with -r$" "$out/err"; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
	echo "FAIL --threads with -i: exit $rc, $(cat "$out/err")"
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
