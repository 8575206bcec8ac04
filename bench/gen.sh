#!/bin/bash
# gen.sh BIN OUT NAME mix PACKETS | BIN OUT NAME hold CONNECTIONS
#
# Makes one benchmark capture OUT/NAME.pcap from real Linux TCP: two fresh
# network namespaces (client and server, prefix bn-) joined by one veth
# pair, the traffic program from BIN on both ends, and tcpdump (snaplen
# 128) on the client's end.
#
#   mix N   client processes run the session mix of bench/traffic.c until
#           the veth has carried N packets; the connections they were told
#           to leave open stay open to the end of the capture.
#   hold N  N connections, each with one request and answer, all left open.
#
# A little loss comes from iptables (statistic match, 1 in 2000 incoming
# TCP segments dropped in each namespace, after the capture point on the
# client's side and before the server's stack); port 5009 is dropped
# outright (unanswered SYNs) and nothing listens on 5008 (refused SYNs).
# Nothing here touches the host's own namespace.  Needs root.
set -euo pipefail

BIN=$1 OUT=$2 NAME=$3 MODE=$4 COUNT=$5
WORKERS=${BENCH_WORKERS:-16}

NS_C="bn-$$-c"
NS_S="bn-$$-s"
C4=10.238.0.1
S4=(10.238.0.2 10.238.0.3 10.238.0.4 10.238.0.5)
C6=fd00:238::1
S6=(fd00:238::2 fd00:238::3 fd00:238::4 fd00:238::5)
WORK=$(mktemp -d /tmp/bench-gen.XXXXXX)
PIDS=()

cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	ip netns del "$NS_C" 2>/dev/null || true
	ip netns del "$NS_S" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_c() { ip netns exec "$NS_C" "$@"; }
in_s() { ip netns exec "$NS_S" "$@"; }

wait_for() { # FILE PATTERN SECONDS
	local i
	for ((i = 0; i < $3 * 100; i++)); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.01
	done
	echo "gen.sh: timed out waiting for '$2' in $1" >&2
	cat "$1" >&2 || true
	return 1
}

ip netns add "$NS_C"
ip netns add "$NS_S"
ip link add bnc0 netns "$NS_C" mtu 1500 type veth peer name bns0 netns "$NS_S" mtu 1500
for ns in "$NS_C bnc0" "$NS_S bns0"; do
	read -r n dev <<<"$ns"
	# wire-sized segments with real checksums, as on a physical link
	ip netns exec "$n" ethtool -K "$dev" tso off gso off gro off tx off rx off \
		sg off >/dev/null 2>&1 || true
	ip netns exec "$n" sysctl -qw "net.ipv6.conf.$dev.accept_dad=0"
	ip netns exec "$n" ip link set lo up
	ip netns exec "$n" ip link set "$dev" up
done
in_c ip addr add "$C4/24" dev bnc0
in_c ip addr add "$C6/64" dev bnc0 nodad
for a in "${S4[@]}"; do in_s ip addr add "$a/24" dev bns0; done
for a in "${S6[@]}"; do in_s ip addr add "$a/64" dev bns0 nodad; done
mac_c=$(in_c cat /sys/class/net/bnc0/address)
mac_s=$(in_s cat /sys/class/net/bns0/address)
for a in "${S4[@]}" "${S6[@]}"; do
	in_c ip neigh replace "$a" lladdr "$mac_s" dev bnc0 nud permanent
done
in_s ip neigh replace "$C4" lladdr "$mac_c" dev bns0 nud permanent
in_s ip neigh replace "$C6" lladdr "$mac_c" dev bns0 nud permanent

# Many connections a second: every local port, TIME_WAIT reuse for new
# outgoing connections (RFC 6191 style, with timestamps), deep backlogs.
in_c sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
in_c sysctl -qw net.ipv4.tcp_tw_reuse=1
in_s sysctl -qw net.core.somaxconn=8192
in_s sysctl -qw net.ipv4.tcp_max_syn_backlog=8192
for ipt in iptables ip6tables; do
	in_s "$ipt" -A INPUT -p tcp --dport 5009 -j DROP
	if [[ $MODE == mix ]]; then
		in_s "$ipt" -A INPUT -p tcp -m statistic --mode random \
			--probability 0.0005 -j DROP
		in_c "$ipt" -A INPUT -p tcp -m statistic --mode random \
			--probability 0.0005 -j DROP
	fi
done

for ((i = 0; i < 200; i++)); do
	[[ $(in_c cat /sys/class/net/bnc0/operstate) == up &&
		$(in_s cat /sys/class/net/bns0/operstate) == up ]] && break
	sleep 0.01
done

ip netns exec "$NS_S" "$BIN/traffic" server >"$WORK/server.out" 2>&1 &
PIDS+=($!)
wait_for "$WORK/server.out" ready 10

mkdir -p "$OUT"
ip netns exec "$NS_C" tcpdump -i bnc0 -n -s 128 -B 262144 -Z root -w "$OUT/$NAME.pcap.part" tcp \
	2>"$WORK/tcpdump.err" &
CAP=$!
wait_for "$WORK/tcpdump.err" 'listening on' 10

start=$SECONDS
a4=$(IFS=,; echo "${S4[*]}")
a6=$(IFS=,; echo "${S6[*]}")
if [[ $MODE == mix ]]; then
	ip netns exec "$NS_C" "$BIN/traffic" mix -w "$WORKERS" -n "$COUNT" -i bnc0 -a "$a4" -A "$a6" \
		>"$WORK/client.out" 2>&1 &
else
	ip netns exec "$NS_C" "$BIN/traffic" hold -w 8 -c "$COUNT" -a "$a4" -A "$a6" \
		>"$WORK/client.out" 2>&1 &
fi
CLIENT=$!
PIDS+=("$CLIENT")
wait_for "$WORK/client.out" quiesced 3600
# The last segments of the last sessions reach the capture.  (Every
# background command above is started directly: ip netns exec execs, so
# the pid kept is the one a signal must reach.)
sleep 1
kill -TERM "$CAP"
wait "$CAP" || true
mv "$OUT/$NAME.pcap.part" "$OUT/$NAME.pcap"
dropped=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$WORK/tcpdump.err")
captured=$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$WORK/tcpdump.err")
echo "gen: $NAME: $captured packets captured, ${dropped:-?} dropped by the" \
	"capture, $(sed -n 's/quiesced //p' "$WORK/client.out"), $((SECONDS - start)) s"
