#!/bin/bash
# hostile.sh: the hostile-input suite.  tests/hostile writes captures made
# to break parsers (every header cut at every length, lying lengths and
# offsets, option lengths 0 and 1, 64 and 65 IPv6 extension headers, VLAN
# towers, caplen above len, zero-length packets, time going backwards and
# far ahead, huge snaplen and caplen, files cut in a record header and in a
# record, an empty file, a text file, pcapng with unknown blocks) and says
# what each must give.  Each file runs once under a time limit: the exit
# status must be the one expected (0 or 3), every expected line must be
# there (the summary's counted reason on stdout, or the message on
# stderr), an error must read "tcpflow-explain: ...", and there must be no
# sanitizer report and no signal or hang.  Each file is also read with
# --format json and --format netstat, which must end the same way.

. "$(dirname "$0")/lib.sh"
gen=$top_builddir/tests/hostile
out=$top_builddir/tests/out/hostile
limit=${TFE_HOSTILE_TIMEOUT:-30}

for x in "$prog" "$gen"; do
	if [ ! -x "$x" ]; then
		echo "FAIL: $x is not built (make check builds it)"
		echo "0 passed, 1 failed"
		exit 1
	fi
done
rm -rf "$out"
mkdir -p "$out" || exit 1
if ! "$gen" "$out" >"$out/MANIFEST"; then
	echo "FAIL: tests/hostile could not write the captures"
	echo "0 passed, 1 failed"
	exit 1
fi

passed=0 failed=0
fail() {
	echo "FAIL $1: $2"
	failed=$((failed + 1))
	bad=1
}

files=$(cut -f 1 "$out/MANIFEST" | uniq)
for f in $files; do
	bad=0
	timeout "$limit" "$prog" -r "$out/$f" >"$out/$f.out" 2>"$out/$f.err"
	rc=$?
	want=$(awk -F '\t' -v f="$f" '$1 == f { print $2; exit }' "$out/MANIFEST")
	if [ $rc -eq 124 ]; then
		fail "$f" "still running after $limit s"
	elif [ $rc -ge 128 ]; then
		fail "$f" "killed by signal $((rc - 128))"
	elif [ $rc -ne "$want" ]; then
		fail "$f" "exit status $rc, expected $want"
	fi
	if grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' "$out/$f.err"; then
		fail "$f" "sanitizer report"
	fi
	if [ -s "$out/$f.err" ] && grep -qv '^tcpflow-explain: ' "$out/$f.err"; then
		fail "$f" "stderr has lines not in the form 'tcpflow-explain: ...'"
	fi
	# The other renderers read the same hostile analysis: same exit
	# status, no report, no hang.
	for fmt in json netstat; do
		timeout "$limit" "$prog" -r "$out/$f" --format $fmt >"$out/$f.$fmt" 2>"$out/$f.$fmt.err"
		frc=$?
		if [ $frc -ne "$want" ]; then
			fail "$f" "--format $fmt: exit status $frc, expected $want"
		fi
		if grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' "$out/$f.$fmt.err"; then
			fail "$f" "--format $fmt: sanitizer report"
		fi
	done
	while IFS=$'\t' read -r file _ stream text; do
		[ "$file" = "$f" ] || continue
		case $stream in
		line) ok=$(grep -cxF -- "$text" "$out/$f.out") ;;
		*) ok=$(grep -cF -- "$text" "$out/$f.$stream") ;;
		esac
		if [ "$ok" -eq 0 ]; then
			fail "$f" "${stream/line/stdout} lacks: '$text'"
		fi
	done <"$out/MANIFEST"
	if [ $bad -eq 0 ]; then
		echo "PASS $f"
		passed=$((passed + 1))
	else
		sed 's/^/    err: /' "$out/$f.err" | head -n 5
		grep -E '^    (truncated|malformed|unsupported|skipped)|packets:' "$out/$f.out" | sed 's/^/    out: /'
	fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
