#!/bin/bash
# shard.sh: --shard K/N splits one capture between N runs with the same
# per-connection output.  For N = 1 to 4, the connection objects of the N
# shards' JSON together are those of the unsharded run, each exactly once:
# equal field by field once the unsharded run's numbers are the first
# frames that sharded runs number connections by (in the "id" fields, the
# "connection #N" of verdict sentences and the prev_conn number), and
# syn_unanswered's causes aside (a shard may not hold the port's other
# connections that they come from).  The
# input is the lab's captures in pcaps/ read as one capture, with a
# crafted one whose 4-tuple is reused within 2MSL, so that a verdict
# citing an earlier connection by number is among them.
#
# Prints PASS or FAIL per check and ends with "N passed, N failed".

. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tfe-shard.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

npass=0 nfail=0
pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }

if ! command -v python3 >/dev/null 2>&1; then
	echo "SKIP shard.sh: python3 is not installed (bootstrap installs it)"
	exit 77
fi
if [ ! -x "$prog" ] || [ ! -x "$top_builddir/tests/craftpcap" ]; then
	echo "FAIL the program or tests/craftpcap is not built"
	echo "0 passed, 1 failed"
	exit 1
fi
"$top_builddir/tests/craftpcap" "$top_srcdir/tests/craft/time-wait-reuse.txt" \
	"$tmp/reuse.pcap" || exit 99
# The lab's kernel captures in the order they were recorded, so that the
# clock never runs backwards from one file to the next (with a clock that
# jumps back, which connections time out first depends on the others in
# the table, and so on the shard); the crafted ones and the captures of
# the same traffic at the router or the server are left out.  The crafted
# reuse comes first: its clock is years earlier.
inputs=(-r "$tmp/reuse.pcap")
for f in "$top_srcdir"/pcaps/*.pcap; do
	case $f in
	*/crafted-*|*.router.pcap|*.server.pcap) continue ;;
	esac
	t=$("$prog" -r "$f" --format json | tail -n 1 |
		sed -nE 's/.*"first_ts":([0-9.]+).*/\1/p')
	echo "$t $f"
done | sort -n >"$tmp/order"
while read -r _ f; do
	inputs+=(-r "$f")
done <"$tmp/order"

"$prog" "${inputs[@]}" --format json >"$tmp/all.json" || {
	fail "the unsharded run" "exit $?"
	echo "$npass passed, $nfail failed"
	exit 1
}
for n in 1 2 3 4; do
	: >"$tmp/union.json"
	counts=""
	for k in $(seq 1 "$n"); do
		if ! "$prog" "${inputs[@]}" --format json --shard "$k/$n" \
			>"$tmp/s$k.json"; then
			fail "--shard $k/$n" "exit status not 0"
			continue
		fi
		grep '"type":"connection"' "$tmp/s$k.json" >>"$tmp/union.json"
		counts="$counts $(grep -c '"type":"connection"' "$tmp/s$k.json")"
	done
	if python3 - "$tmp/all.json" "$tmp/union.json" <<'PY'
import json, re, sys
whole = [json.loads(l) for l in open(sys.argv[1]) if '"connection"' in l]
whole = [o for o in whole if o["type"] == "connection"]
parts = [json.loads(l) for l in open(sys.argv[2])]
# the unsharded numbers, as first frames
first = {o["id"]: o["first_frame"] for o in whole}
def renumber(o):
    o["id"] = first[o["id"]]
    for v in o["verdicts"]:
        v["message"] = re.sub(r"connection #(\d+)",
                              lambda m: "connection #%d" % first[int(m.group(1))],
                              v["message"])
        # syn_unanswered's causes: what the port's other connections
        # showed, which a shard may not hold (README.md)
        if v["kind"] == "syn_unanswered":
            v["message"] = re.sub(r"(got no answer in [^:]*): .*",
                                  r"\1: CAUSES", v["message"])
        # a verdict's number that is a connection's (syn_to_stale_socket)
        if "prev_conn" in v.get("numbers", {}):
            v["numbers"]["prev_conn"] = first[v["numbers"]["prev_conn"]]
    return o
want = sorted((json.dumps(renumber(o), sort_keys=True) for o in whole))
def causes(o):
    for v in o["verdicts"]:
        if v["kind"] == "syn_unanswered":
            v["message"] = re.sub(r"(got no answer in [^:]*): .*",
                                  r"\1: CAUSES", v["message"])
    return o
got = sorted(json.dumps(causes(o), sort_keys=True) for o in parts)
ids = [o["id"] for o in parts]
if len(ids) != len(set(ids)):
    sys.exit("a connection number appears in two shards")
if any(o["id"] != o["first_frame"] for o in parts):
    sys.exit("a sharded connection is not numbered by its first frame")
if want != got:
    missing = set(want) - set(got)
    extra = set(got) - set(want)
    sys.exit("%d connections differ or are missing, %d unexpected; first: %s"
             % (len(missing), len(extra), (sorted(missing) or sorted(extra))[0][:300]))
if not any("connection #" in v["message"] for o in whole for v in o["verdicts"]):
    sys.exit("no verdict cites an earlier connection: the renumbering is untested")
PY
	then
		pass "N=$n: the shards' connections ($counts) are the unsharded run's $(grep -c '"type":"connection"' "$tmp/union.json")"
	else
		fail "N=$n" "the union differs from the unsharded run"
	fi
done

# a shard with connections in it, and the others: no shard is empty of
# work here, so the split is real
"$prog" "${inputs[@]}" --format summary --shard 2/4 >"$tmp/sum"
if grep -qE '^  shard 2 of 4: .*; [1-9][0-9]* TCP segments of the other shards' "$tmp/sum"; then
	pass "--shard 2/4: the summary says which shard and what it left out"
else
	fail "--shard summary" "$(grep shard "$tmp/sum")"
fi
for bad in 0/4 5/4 2/0 x/2 2 2/3x -1/2 1/65537; do
	"$prog" "${inputs[@]}" --shard "$bad" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq 2 ] && grep -q -- '--shard' "$tmp/err"; then
		pass "--shard $bad: exit 2"
	else
		fail "--shard $bad" "exit $rc"
	fi
done
"$prog" -i lo --shard 1/2 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && pass "--shard with -i: exit 2 (--fanout splits an interface)" ||
	fail "--shard -i" "not refused"
"$prog" -r "$tmp/reuse.pcap" --fanout 7 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && pass "--fanout with -r: exit 2" || fail "--fanout -r" "not refused"

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
