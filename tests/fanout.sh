#!/bin/bash
# fanout.sh: --fanout GROUP on a live interface.  As root, in a network
# namespace of its own: two processes capture its loopback interface in
# one fanout group while 16 connections are made to a local server; each
# connection is reported by exactly one of them, both directions
# together (its handshake and close complete there), and together they
# report all 16.  Skips without root, iproute2 or python3.
#
# Prints PASS or FAIL per check and ends with "N passed, N failed".

. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "skipped: live capture needs root"
	exit 77
fi
if ! command -v ip >/dev/null || ! command -v nsenter >/dev/null ||
	! command -v python3 >/dev/null; then
	echo "skipped: ip (iproute2), nsenter or python3 is missing"
	exit 77
fi
ns=tfe-fanout-$$
ip netns add "$ns" 2>/dev/null || { echo "skipped: cannot make a network namespace"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tfe-fanout.XXXXXX") || { ip netns del "$ns"; exit 99; }
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ip -n "$ns" link set lo up || { echo "skipped: no loopback in the namespace"; exit 77; }
in_ns=(nsenter --net="/run/netns/$ns" --)

npass=0 nfail=0
pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }

port=47190
for i in 1 2; do
	"${in_ns[@]}" "$prog" -i lo -Z root --fanout 4242 --format json \
		tcp port $port >"$tmp/out$i" 2>"$tmp/err$i" &
	pids+=($!)
done
for i in 1 2; do
	for _ in $(seq 50); do
		grep -q 'listening on' "$tmp/err$i" && break
		sleep 0.1
	done
done
if ! grep -q 'listening on' "$tmp/err1" || ! grep -q 'listening on' "$tmp/err2"; then
	fail "two processes in fanout group 4242" "$(cat "$tmp/err1" "$tmp/err2" | head -n 4)"
	echo "$npass passed, $nfail failed"
	exit 1
fi
pass "two processes joined fanout group 4242 on lo"

# 16 connections from kernel-chosen ports: request, answer, close
"${in_ns[@]}" python3 - "$port" <<'PY'
import socket, sys, threading
port = int(sys.argv[1])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(32)
def serve():
    for _ in range(16):
        c, _a = srv.accept()
        c.recv(100)
        c.sendall(b"pong")
        c.recv(100)
        c.close()
t = threading.Thread(target=serve)
t.start()
for _ in range(16):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"ping")
    s.recv(100)
    s.close()
t.join()
PY
sleep 4 # each connection prints after its 3 s linger
for p in "${pids[@]}"; do
	kill -INT "$p" 2>/dev/null
done
for p in "${pids[@]}"; do
	wait "$p"
done
pids=()

python3 - "$tmp/out1" "$tmp/out2" <<'PY' >"$tmp/result"
import json, sys
seen = []
per = []
for f in sys.argv[1:3]:
    n = 0
    for line in open(f):
        o = json.loads(line)
        if o["type"] != "connection":
            continue
        n += 1
        seen.append((o["client"]["port"], o["close"]["how"],
                     o["client"]["pkts"] > 0 and o["server"]["pkts"] > 0))
    per.append(n)
ports = [s[0] for s in seen]
print("per", *per)
print("total", len(seen), "distinct", len(set(ports)))
print("whole", sum(1 for s in seen if s[1] == "graceful" and s[2]))
PY
read -r _ n1 n2 < <(grep '^per' "$tmp/result")
read -r _ total _ distinct < <(grep '^total' "$tmp/result")
read -r _ whole < <(grep '^whole' "$tmp/result")
if [ "$total" = 16 ] && [ "$distinct" = 16 ]; then
	pass "the 16 connections are reported once each ($n1 + $n2)"
else
	fail "16 connections" "reported $total, $distinct distinct ($n1 + $n2)"
fi
if [ "$whole" = 16 ]; then
	pass "each seen both ways by its process: 16 graceful closes"
else
	fail "both directions together" "$whole of 16 graceful with packets both ways"
fi
if [ "${n1:-0}" -gt 0 ] && [ "${n2:-0}" -gt 0 ]; then
	pass "both processes got connections ($n1 and $n2)"
else
	fail "the split" "$n1 and $n2"
fi

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
