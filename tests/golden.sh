#!/bin/bash
# golden.sh: run tcpflow-explain on every capture listed in tests/TESTLIST
# and compare its standard output with the expected file under
# tests/expected/ (the way tcpdump's own tests/TESTLIST works).
#
#   tests/golden.sh                   run every test
#   tests/golden.sh NAME...           run only these tests
#   tests/golden.sh --list            print the test names
#   tests/golden.sh --accept NAME...  write the current output of these
#                                     tests into their expected files
#
# A TESTLIST line is:  NAME  INPUT  EXPECTED-FILE  [OPTIONS...]
# INPUT is relative to the source tree: a capture (pcaps/x.pcap,
# ../shared/pcaps/x.pcap) or a description (tests/craft/x.txt) that is first
# turned into tests/out/x.pcap by tests/craftpcap.  The program runs as
# "tcpflow-explain -r INPUT OPTIONS..." with LC_ALL=C TZ=UTC.  Options are
# split on blanks (no quoting); a trailing BPF filter is given as separate
# words, as on tcpdump's command line.  The option --expect-exit=N is the
# runner's own: the test then requires exit status N instead of 0.
#
# Accepting is deliberately per test: an expected file is a claim about
# what a capture means, so whoever accepts it reads it against the capture.
# There is no way to accept everything at once.
#
# top_srcdir and top_builddir come from the Makefile (make check); run by
# hand, both default to the directory above this script.
#
# TFE_WRAPPER, when set, is a command (split on blanks) that the program
# runs under, e.g. TFE_WRAPPER="valgrind -q --error-exitcode=99" as CI
# runs it: an error report then fails the test with that exit status.
#
# Exit status: 0 all passed (or skipped), 1 a test failed, 2 usage error.

. "$(dirname "$0")/lib.sh"
read -r -a wrapper <<<"${TFE_WRAPPER-}"
craftpcap=$top_builddir/tests/craftpcap
outdir=$top_builddir/tests/out
testlist=$top_srcdir/tests/TESTLIST
expdir=$top_srcdir/tests/expected

usage() {
	echo "usage: $0 [NAME...] | --list | --accept NAME..." >&2
	exit 2
}

# The parsed TESTLIST, one entry per test, in file order.
names=() inputs=() expects=() optlines=()

load_testlist() {
	local line name input expected opts lineno=0
	if [ ! -r "$testlist" ]; then
		echo "golden.sh: cannot read $testlist" >&2
		exit 2
	fi
	while IFS= read -r line || [ -n "$line" ]; do
		lineno=$((lineno + 1))
		line=${line%%#*}
		read -r name input expected opts <<<"$line"
		[ -z "$name" ] && continue
		if [ -z "$expected" ]; then
			echo "golden.sh: TESTLIST:$lineno: expected NAME INPUT EXPECTED [OPTIONS]" >&2
			exit 2
		fi
		if index_of "$name" >/dev/null; then
			echo "golden.sh: TESTLIST:$lineno: test '$name' is listed twice" >&2
			exit 2
		fi
		names+=("$name")
		inputs+=("$input")
		expects+=("$expected")
		optlines+=("$opts")
	done <"$testlist"
}

# Prints the position of test NAME in the arrays; fails if it is not there.
index_of() {
	local i
	for i in "${!names[@]}"; do
		if [ "${names[$i]}" = "$1" ]; then
			echo "$i"
			return 0
		fi
	done
	return 1
}

# Runs test number $1.  Leaves the output in $outdir/NAME.out and
# NAME.err, and sets: status (pass, fail, skip), why (a message for fail
# and skip), rc, want_rc.
run_one() {
	local i=$1 name=${names[$1]} input=${inputs[$1]}
	local opts=() words=() w pcap
	status=fail why="" rc="" want_rc=0

	# The runner's own option is taken out before the program sees it.
	read -r -a words <<<"${optlines[$i]}"
	for w in ${words[@]+"${words[@]}"}; do
		case $w in
		--expect-exit=*)
			want_rc=${w#--expect-exit=}
			case $want_rc in
			'' | *[!0-9]*)
				why="bad --expect-exit value '$want_rc'"
				return ;;
			esac ;;
		*) opts+=("$w") ;;
		esac
	done

	# Captures from the shared folder beside the checkout are optional:
	# a release tarball does not carry them.
	case $input in
	../shared/*)
		if [ ! -d "$top_srcdir/../shared" ]; then
			status=skip why="../shared not present"
			return
		fi ;;
	esac
	if [ ! -r "$top_srcdir/$input" ]; then
		why="input $input not found under $top_srcdir"
		return
	fi

	case $input in
	*.txt)
		pcap=$outdir/$(basename "$input" .txt).pcap
		if [ ! -x "$craftpcap" ]; then
			why="$craftpcap is not built (make check builds it)"
			return
		fi
		if ! "$craftpcap" "$top_srcdir/$input" "$pcap" 2>"$outdir/$name.err"; then
			why="craftpcap could not turn $input into a capture: $(cat "$outdir/$name.err")"
			return
		fi ;;
	*)
		pcap=$top_srcdir/$input ;;
	esac

	if [ ! -x "$prog" ]; then
		why="$prog is not built"
		return
	fi
	${wrapper[@]+"${wrapper[@]}"} "$prog" -r "$pcap" ${opts[@]+"${opts[@]}"} \
		>"$outdir/$name.out" 2>"$outdir/$name.err"
	rc=$?
	if [ "$rc" -ge 128 ]; then
		why="killed by signal $((rc - 128))"
		return
	fi
	if [ "$rc" -ne "$want_rc" ]; then
		why="exit status $rc, expected $want_rc"
		return
	fi
	status=pass
}

# Shows the program's stderr, indented, when there is any.
show_stderr() {
	if [ -s "$outdir/$1.err" ]; then
		echo "  stderr:"
		sed 's/^/    /' "$outdir/$1.err"
	fi
}

check_one() {
	local i=$1 name=${names[$1]}
	local expected=$expdir/${expects[$1]}

	run_one "$i"
	case $status in
	skip)
		echo "SKIP $name ($why)"
		nskip=$((nskip + 1))
		return ;;
	fail)
		echo "FAIL $name: $why"
		show_stderr "$name"
		nfail=$((nfail + 1))
		return ;;
	esac
	if [ ! -f "$expected" ]; then
		echo "FAIL $name: missing expected file tests/expected/${expects[$i]};" \
			"create it deliberately with: tests/golden.sh --accept $name," \
			"then read it against the capture"
		nfail=$((nfail + 1))
		return
	fi
	if diff -u --label "tests/expected/${expects[$i]}" --label "output of $name" \
		"$expected" "$outdir/$name.out"; then
		echo "PASS $name"
		npass=$((npass + 1))
	else
		echo "FAIL $name: output differs from tests/expected/${expects[$i]} (diff above)"
		show_stderr "$name"
		nfail=$((nfail + 1))
	fi
}

accept_one() {
	local i=$1 name=${names[$1]}

	run_one "$i"
	if [ "$status" != pass ]; then
		echo "golden.sh: not accepting $name: ${why}" >&2
		show_stderr "$name" >&2
		return 1
	fi
	mkdir -p "$(dirname "$expdir/${expects[$i]}")" &&
		cp "$outdir/$name.out" "$expdir/${expects[$i]}" || return 1
	echo "wrote tests/expected/${expects[$i]}: read it against ${inputs[$i]} before committing it"
}

load_testlist
mkdir -p "$outdir" || exit 2

case ${1-} in
--list)
	[ $# -eq 1 ] || usage
	for name in ${names[@]+"${names[@]}"}; do
		echo "$name"
	done
	exit 0 ;;
--accept)
	shift
	[ $# -ge 1 ] || usage
	bad=0
	for name in "$@"; do
		if ! i=$(index_of "$name"); then
			echo "golden.sh: no test named '$name' in TESTLIST" >&2
			bad=1
			continue
		fi
		accept_one "$i" || bad=1
	done
	exit "$bad" ;;
-*)
	usage ;;
esac

npass=0 nfail=0 nskip=0
if [ $# -gt 0 ]; then
	for name in "$@"; do
		if ! i=$(index_of "$name"); then
			echo "golden.sh: no test named '$name' in TESTLIST" >&2
			exit 2
		fi
		check_one "$i"
	done
else
	for i in "${!names[@]}"; do
		check_one "$i"
	done
fi

if [ "$nskip" -gt 0 ]; then
	echo "$nskip skipped"
fi
echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
