# shellcheck shell=bash
# lib.sh: the scenario lab's plumbing, sourced by run-all.sh.
#
# Each scenario gets two fresh network namespaces (client and server)
# joined by one veth pair, a tcpdump on one end of it, and a truth file
# that collects what the kernel said.  Only the addresses below are used,
# and they exist only inside those namespaces; nothing here touches the
# host's own namespace, routes or interfaces.

# The addresses and port are used by scenarios.sh.
# shellcheck disable=SC2034
C4=10.231.0.1
S4=10.231.0.2
C6=fd00:231::1
S6=fd00:231::2
# shellcheck disable=SC2034
PORT=8080

NS_CLIENT="tfe-$$-client"
NS_SERVER="tfe-$$-server"
export TFE_NS_CLIENT=$NS_CLIENT TFE_NS_SERVER=$NS_SERVER

# Set by run-all.sh: where the helpers were built, and the output folder.
: "${BIN:?}" "${OUT:?}" "${WORK:?}"
export TFE_SNAP="$BIN/snap.sh"

BG_PIDS=()	# sockstep runs (wait_bg waits for these) and nfq consumers
HOST_PIDS=()	# the sockstep runs only
CAP_PID=
SCENARIO=
TRUTH=
PCAP=
SYNC=
CHECK_FAILS=0

log() {
	printf '%s\n' "$*" >&2
}

now() {
	date +%s.%N
}

# flock locks the truth file itself: the same lock sockstep and nfq take.
truth() {
	# shellcheck disable=SC2094
	flock "$TRUTH" printf '%s\n' "$*" >>"$TRUTH"
}

in_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

ns_of() {
	case $1 in
	client) printf '%s\n' "$NS_CLIENT" ;;
	server) printf '%s\n' "$NS_SERVER" ;;
	*) log "unknown host $1"; return 1 ;;
	esac
}

# Two namespaces, one veth pair made directly inside them (so it never
# appears in the host namespace), MTU 1500, offloads off so every segment
# on the veth is a wire-sized segment with a real checksum.
netns_up() {
	ip netns add "$NS_CLIENT"
	ip netns add "$NS_SERVER"
	ip link add veth-c netns "$NS_CLIENT" mtu 1500 type veth \
		peer name veth-s netns "$NS_SERVER" mtu 1500
	local pair ns dev addr4 addr6
	for pair in "$NS_CLIENT veth-c $C4 $C6" "$NS_SERVER veth-s $S4 $S6"; do
		read -r ns dev addr4 addr6 <<<"$pair"
		in_ns "$ns" ethtool -K "$dev" tso off gso off gro off tx off \
			rx off sg off >/dev/null 2>&1 || true
		# No duplicate address detection: the address is usable at
		# once, and no DAD probe wanders into a capture.
		in_ns "$ns" sysctl -qw "net.ipv6.conf.$dev.accept_dad=0"
		in_ns "$ns" ip addr add "$addr4/24" dev "$dev"
		in_ns "$ns" ip addr add "$addr6/64" dev "$dev" nodad
		in_ns "$ns" ip link set lo up
		in_ns "$ns" ip link set "$dev" up
	done
	# Static neighbour entries: no ARP or neighbour solicitation has to
	# finish before the first SYN leaves.  Without them the first IPv6
	# SYN could wait a whole second in the neighbour queue when the
	# first solicitation went out before the peer's link was up.
	local mac_c mac_s
	mac_c=$(in_ns "$NS_CLIENT" cat /sys/class/net/veth-c/address)
	mac_s=$(in_ns "$NS_SERVER" cat /sys/class/net/veth-s/address)
	in_ns "$NS_CLIENT" ip neigh replace "$S4" lladdr "$mac_s" dev veth-c nud permanent
	in_ns "$NS_CLIENT" ip neigh replace "$S6" lladdr "$mac_s" dev veth-c nud permanent
	in_ns "$NS_SERVER" ip neigh replace "$C4" lladdr "$mac_c" dev veth-s nud permanent
	in_ns "$NS_SERVER" ip neigh replace "$C6" lladdr "$mac_c" dev veth-s nud permanent
	# Both ends must report carrier before anything is sent.
	local i
	for ((i = 0; i < 200; i++)); do
		[[ $(in_ns "$NS_CLIENT" cat /sys/class/net/veth-c/operstate) == up &&
			$(in_ns "$NS_SERVER" cat /sys/class/net/veth-s/operstate) == up ]] && return 0
		sleep 0.01
	done
	log "veth did not come up"
	return 1
}

netns_down() {
	ip netns del "$NS_CLIENT" 2>/dev/null || true
	ip netns del "$NS_SERVER" 2>/dev/null || true
}

# Stop what this scenario started, by pid only.
stop_bg() {
	local pid
	for pid in "${BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${BG_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	BG_PIDS=()
	HOST_PIDS=()
}

cleanup() {
	stop_bg
	if [[ -n $CAP_PID ]]; then
		kill -INT "$CAP_PID" 2>/dev/null || true
		wait "$CAP_PID" 2>/dev/null || true
		CAP_PID=
	fi
	netns_down
}

# sysctl_set HOST NAME VALUE: a per-namespace sysctl, recorded in the truth.
sysctl_set() {
	in_ns "$(ns_of "$1")" sysctl -qw "$2=$3"
	truth "sysctl $1 $2=$3"
}

note() {
	truth "note $*"
}

# begin NAME SIDE DESCRIPTION: fresh namespaces, truth header, capture on
# the veth end in SIDE's namespace ("client" unless a scenario says why).
begin() {
	SCENARIO=$1
	local side=$2 desc=$3 ns dev
	TRUTH="$WORK/$SCENARIO.truth"
	PCAP="$WORK/$SCENARIO.pcap"
	SYNC="$WORK/sync-$SCENARIO"
	rm -rf "$TRUTH" "$PCAP" "$SYNC"
	mkdir -p "$SYNC"
	: >"$TRUTH"
	export TFE_TRUTH=$TRUTH
	log "== $SCENARIO"
	netns_up
	ns=$(ns_of "$side")
	dev=veth-${side:0:1}
	truth "# tcpflow-explain scenario truth, format 1 (see pcaps/README.md)"
	truth "scenario $SCENARIO"
	truth "describe $desc"
	truth "kernel $(uname -r)"
	truth "host client ns=$NS_CLIENT if=veth-c $C4 $C6"
	truth "host server ns=$NS_SERVER if=veth-s $S4 $S6"
	ip netns exec "$ns" tcpdump -i "$dev" -n -s 200 --immediate-mode -U -Z root \
		-w "$PCAP" tcp 2>"$WORK/tcpdump.err" &
	CAP_PID=$!
	local i
	for ((i = 0; i < 500; i++)); do
		grep -q 'listening on' "$WORK/tcpdump.err" 2>/dev/null && break
		sleep 0.01
	done
	truth "capture $(now) side=$side if=$dev snaplen=200 filter=tcp file=$SCENARIO.pcap"
}

# end [SECONDS]: give the last segments time to reach the capture, stop
# the capture, then tell any host still waiting for "capture-done" (the
# lingering CLOSE_WAIT) and take everything down.
end() {
	sleep "${1:-0.3}"
	kill -INT "$CAP_PID" 2>/dev/null || true
	wait "$CAP_PID" 2>/dev/null || true
	CAP_PID=
	sync_signal capture-done
	truth "capture-end $(now) packets=$(tcpdump -nr "$PCAP" 2>/dev/null | wc -l)"
	local i
	for ((i = 0; i < 100; i++)); do
		jobs_left || break
		sleep 0.01
	done
	stop_bg
	netns_down
}

jobs_left() {
	local pid
	for pid in "${HOST_PIDS[@]}"; do
		kill -0 "$pid" 2>/dev/null && return 0
	done
	return 1
}

# on HOST STEP...: run sockstep in HOST's namespace in the foreground.
on() {
	local host=$1
	shift
	ip netns exec "$(ns_of "$host")" timeout 30 "$BIN/sockstep" \
		-n "$host" -t "$TRUTH" -s "$SYNC" -- "$@"
}

# bg HOST STEP...: the same in the background; wait_bg collects it.  The
# command is started directly (ip netns exec and timeout both exec), so
# the pid we keep is the one a kill must reach.
bg() {
	local host=$1 ns
	shift
	ns=$(ns_of "$host")
	ip netns exec "$ns" timeout 30 "$BIN/sockstep" -n "$host" \
		-t "$TRUTH" -s "$SYNC" -- "$@" &
	BG_PIDS+=($!)
	HOST_PIDS+=($!)
}

# Wait for the background sockstep runs to finish on their own (the nfq
# consumers run until the scenario ends).
wait_bg() {
	local pid rc=0
	for pid in "${HOST_PIDS[@]}"; do
		wait "$pid" || rc=$?
	done
	HOST_PIDS=()
	return "$rc"
}

snap() {
	"$TFE_SNAP" lab "$1"
}

sync_wait() {
	local i
	for ((i = 0; i < 20000; i++)); do
		[[ -e $SYNC/$1 ]] && return 0
		sleep 0.001
	done
	log "timed out waiting for $1"
	return 1
}

sync_signal() {
	: >"$SYNC/$1"
}

# nfq HOST QNUM ARGS...: start the queue consumer in HOST's namespace and
# wait until it is bound, so no packet meets an unserved queue.
nfq() {
	local host=$1 q=$2
	shift 2
	local ready="$SYNC/nfq-$host-$q"
	ip netns exec "$(ns_of "$host")" "$BIN/nfq" -n "$host" -t "$TRUTH" \
		-r "$ready" -q "$q" "$@" &
	BG_PIDS+=($!)
	local i
	for ((i = 0; i < 2000; i++)); do
		[[ -e $ready ]] && return 0
		sleep 0.001
	done
	log "nfq did not start"
	return 1
}

# ipt HOST ARGS...: an iptables rule in HOST's namespace (ip6tables when
# the first argument is -6), recorded in the truth.
ipt() {
	local host=$1 cmd=iptables
	shift
	if [[ $1 == -6 ]]; then
		cmd=ip6tables
		shift
	fi
	in_ns "$(ns_of "$host")" "$cmd" "$@"
	truth "firewall $(now) $host $cmd $*"
}

# check WHAT FILTER MIN [MAX]: count the capture's packets that match a
# tcpdump filter and record whether the scenario really happened.
check() {
	local what=$1 filter=$2 min=$3 max=${4:-} n
	n=$(tcpdump -nr "$PCAP" "$filter" 2>/dev/null | wc -l)
	if ((n >= min)) && [[ -z $max || $n -le $max ]]; then
		truth "check ok $what: $n packets match '$filter'"
	else
		truth "check FAIL $what: $n packets match '$filter' (want $min..${max:-})"
		log "   check FAIL $what: $n (want $min..${max:-})"
		CHECK_FAILS=$((CHECK_FAILS + 1))
	fi
}

# check_truth WHAT REGEX: the truth file has a line matching REGEX.
check_truth() {
	if grep -Eq "$2" "$TRUTH"; then
		truth "check ok $1"
	else
		truth "check FAIL $1: no line matches /$2/"
		log "   check FAIL $1"
		CHECK_FAILS=$((CHECK_FAILS + 1))
	fi
}

# check_tshark WHAT DISPLAY-FILTER MIN [MAX]: like check, with Wireshark's
# dissector (it knows keep-alives, zero windows and retransmissions).
check_tshark() {
	local what=$1 filter=$2 min=$3 max=${4:-} n
	n=$(tshark -r "$PCAP" -Y "$filter" 2>/dev/null | wc -l)
	if ((n >= min)) && [[ -z $max || $n -le $max ]]; then
		truth "check ok $what: $n frames match tshark '$filter'"
	else
		truth "check FAIL $what: $n frames match tshark '$filter' (want $min..${max:-})"
		log "   check FAIL $what: $n (want $min..${max:-})"
		CHECK_FAILS=$((CHECK_FAILS + 1))
	fi
}

# check_crossing WHAT FLAG: both hosts sent a segment with FLAG (syn or
# fin) before either host's segment acknowledged the other's.  That is
# what "simultaneous" means on the wire.
check_crossing() {
	local what=$1 flag=$2 verdict
	verdict=$(tshark -r "$PCAP" -T fields -E separator=/t \
		-e frame.number -e tcp.srcport -e "tcp.flags.$flag" \
		-e tcp.seq_raw -e tcp.len -e tcp.flags.ack -e tcp.ack_raw \
		2>/dev/null | awk -F'\t' '
		function is_set(v) { return v == "1" || v == "True" }
		{
			src = $2
			if (is_set($6)) {
				for (o in end_of)
					if (o != src && $7 + 0 >= end_of[o] && !acked)
						acked = $1
			}
			if (is_set($3) && !(src in end_of)) {
				end_of[src] = $4 + $5 + 1
				if (!acked) before++
			}
		}
		END { printf "%d %d\n", before, acked }')
	local before=${verdict% *} acked=${verdict#* }
	if ((before >= 2)); then
		truth "check ok $what: both ${flag^^}s on the wire before frame $acked acknowledged one"
	else
		truth "check FAIL $what: only $before ${flag^^}(s) before the first ACK of one (frame $acked)"
		log "   check FAIL $what"
		CHECK_FAILS=$((CHECK_FAILS + 1))
	fi
}

# counters HOST NAME...: the namespace's own SNMP counters (nstat), as
# "counter <epoch> <host> <name> <value>" lines.
counters() {
	local host=$1 name value
	shift
	while read -r name value _; do
		[[ $name == \#* || -z $name ]] && continue
		truth "counter $(now) $host $name $value"
	done < <(NSTAT_HISTORY="$WORK/nstat.hist" in_ns "$(ns_of "$host")" \
		nstat -asz "$@")
}
