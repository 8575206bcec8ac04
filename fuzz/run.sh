#!/bin/bash
# fuzz/run.sh SECONDS [TARGET...]: builds the libFuzzer targets with clang
# (fuzz/Makefile, in a build directory of their own) and runs each for
# SECONDS, one after the other, on one core.
#
#   fuzz/run.sh 60                   both targets, 60 s each
#   fuzz/run.sh 1800 fuzz_pcap       one target, half an hour
#
# TFE_FUZZ_BUILD is the build directory (default: fuzz-build beside the
# current directory's build, i.e. $top_builddir/fuzz-build, or ./fuzz-build).
# The corpus grows in $TFE_FUZZ_BUILD/corpus/TARGET across runs; the seeds
# are fuzz/seeds/TARGET (hand-made edge cases) and pcaps/*.pcap (for
# fuzz_frames, converted by pcap2frames).  Inputs that once found a bug
# are kept in fuzz/regress/TARGET and replayed before each run.  A crash, leak, timeout or
# sanitizer report stops the run with exit 1 and leaves the input in
# $TFE_FUZZ_BUILD/artifacts/; turn it into a regression capture under
# tests/ (doc/hardening.md says how).  The last line is "N passed, M failed"
# over the targets.

set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
top_builddir=${top_builddir:-.}
build=${TFE_FUZZ_BUILD:-$top_builddir/fuzz-build}
mkdir -p "$build" && build=$(cd "$build" && pwd)

secs=${1-}
case $secs in
'' | *[!0-9]*) echo "usage: $0 SECONDS [fuzz_frames|fuzz_pcap...]" >&2; exit 2 ;;
esac
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_frames fuzz_pcap)

if ! command -v clang >/dev/null; then
	echo "SKIP: clang is not installed (Debian: clang libclang-rt-14-dev)"
	exit 77
fi
# One compile job: the machine is shared.
if ! make -s -f "$src/fuzz/Makefile" SRC="$src" O="$build" >"$build/make.log" 2>&1; then
	cat "$build/make.log"
	echo "0 passed, 1 failed"
	exit 1
fi

# Seeds made from the project's own captures.
mkdir -p "$build/seeds-pcap" "$build/seeds-frames" "$build/artifacts"
for f in "$src"/pcaps/*.pcap; do
	[ -e "$f" ] || continue
	cp "$f" "$build/seeds-pcap/"
	"$build/pcap2frames" "$f" "$build/seeds-frames/$(basename "$f" .pcap)" ||
		exit 1
done

passed=0 failed=0
for t in "${targets[@]}"; do
	case $t in
	fuzz_frames) seeds=("$src/fuzz/seeds/frames" "$build/seeds-frames") ;;
	fuzz_pcap) seeds=("$src/fuzz/seeds/pcap" "$build/seeds-pcap") ;;
	*) echo "$0: unknown target '$t'" >&2; exit 2 ;;
	esac
	mkdir -p "$build/corpus/$t"
	log=$build/$t.log
	echo "== $t: $secs s, corpus $build/corpus/$t"
	# Every input that once failed is replayed first (fuzz/regress/).
	regress=("$src/fuzz/regress/$t"/*)
	if [ -e "${regress[0]}" ]; then
		if ! "$build/$t" "${regress[@]}" >"$build/$t-regress.log" 2>&1; then
			echo "   $t: a fuzz/regress/$t input fails again:"
			grep -E 'ERROR|runtime error|SUMMARY|Running' "$build/$t-regress.log" | tail -n 5 | sed 's/^/   /'
			failed=$((failed + 1))
			continue
		fi
		echo "   $t: ${#regress[@]} fuzz/regress inputs replayed, no report"
	fi
	# ASan's leak check runs at exit of each input as well; -timeout
	# makes a hang a finding; -rss_limit_mb a runaway allocation.
	ASAN_OPTIONS=${ASAN_OPTIONS-detect_leaks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS-print_stacktrace=1:halt_on_error=1} \
	"$build/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-max_len=16384 -print_final_stats=1 \
		-artifact_prefix="$build/artifacts/$t-" \
		"$build/corpus/$t" "${seeds[@]}" >"$log" 2>&1
	rc=$?
	runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -n 1)
	cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[^ ]+' "$log" | tail -n 1)
	echo "   $t: exit $rc, ${runs:-?} executions, ${cov:-no coverage line}"
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		# the finding, the harness's own words and the top of the stack
		grep -E 'ERROR|runtime error|SUMMARY|Test unit written|^fuzz_|^ +#[0-9] ' \
			"$log" | head -n 24 | sed 's/^/   /'
	fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
