# tests/lib.sh: the prologue the shell tests share, sourced first thing
# (". "$(dirname "$0")/lib.sh""), never run on its own.
#
# Unset variables are errors; top_srcdir and top_builddir come from the
# Makefile (make check) or, run by hand, default to the directory above
# the test; the C locale and UTC, so that output does not depend on the
# machine; `prog` is the program under test and `here` the tests'
# directory.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(dirname "$here")}
top_builddir=${top_builddir:-$(dirname "$here")}
export LC_ALL=C TZ=UTC
prog=$top_builddir/tcpflow-explain

# ---- the live tests' network namespace (tests/live.sh, tests/kernel.sh) --
# Defined here, run only when a test calls netns_setup.

# netns_setup NS TMPNAME: as root, makes the network namespace NS with its
# loopback up and a temporary directory in $tmp (mode 755: a copy of the
# program runs as nobody), both removed at exit with every process whose
# pid is in `pids`; "skipped: why" and exit 77 when the namespace cannot
# be made.  in_ns runs a command in it: nsenter execs the command itself
# (ip netns exec forks first), so when "${in_ns[@]}" CMD runs in the
# background, $! is the program's own pid (a shell function would add a
# subshell).
pids=()
netns_setup() {
	ns=$1
	if ! ip netns add "$ns" 2>/dev/null; then
		echo "skipped: cannot make a network namespace"
		exit 77
	fi
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/$2.XXXXXX") || {
		ip netns del "$ns"
		exit 99
	}
	chmod 755 "$tmp"
	trap netns_cleanup EXIT
	trap 'exit 130' INT TERM
	if ! ip -n "$ns" link set lo up; then
		echo "skipped: cannot bring up the loopback interface of a namespace"
		exit 77
	fi
	in_ns=(nsenter --net="/run/netns/$ns" --)
}

netns_cleanup() {
	local p
	exec 2>/dev/null # no "Killed" notices
	for p in "${pids[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	exec 3>&- # a test's stuck pipe, if it has one
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}

npass=0 nfail=0
pass() {
	echo "PASS $1"
	npass=$((npass + 1))
}
fail() {
	echo "FAIL $1: $2"
	nfail=$((nfail + 1))
}

# show FILE [LINES]: the first lines of a file, indented, after a FAIL.
show() {
	[ -s "$1" ] && head -n "${2:-15}" "$1" | sed 's/^/    /'
}

# wait_for FILE PATTERN SECONDS: until an extended regexp matches a line.
wait_for() {
	local file=$1 pattern=$2 tenths=$(($3 * 10))
	while [ "$tenths" -gt 0 ]; do
		grep -Eq -- "$pattern" "$file" 2>/dev/null && return 0
		sleep 0.1
		tenths=$((tenths - 1))
	done
	return 1
}

# wait_exit PID SECONDS: waits for a child to end; its status goes in rc
# (124 if it was still running and had to be killed).
rc=0
wait_exit() {
	local pid=$1 tenths=$(($2 * 10))
	while [ "$tenths" -gt 0 ] && kill -0 "$pid" 2>/dev/null; do
		sleep 0.1
		tenths=$((tenths - 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		rc=124
		return 1
	fi
	wait "$pid"
	rc=$?
	return 0
}

# start NAME ARGS...: runs the program in the namespace in the
# background, output in $tmp/NAME.out and .err, pid in $tpid; waits for
# its "listening on" line.
tpid=
start() {
	local name=$1
	shift
	"${in_ns[@]}" "$prog" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	tpid=$!
	pids+=("$tpid")
	if wait_for "$tmp/$name.err" '^tcpflow-explain: listening on ' 15; then
		return 0
	fi
	fail "$name: start" "no 'listening on' line within 15 s"
	show "$tmp/$name.err"
	return 1
}

# status_field PID NAME: a line of /proc/PID/status without its label.
status_field() {
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" 2>/dev/null
}
