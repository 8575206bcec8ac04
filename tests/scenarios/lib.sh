# shellcheck shell=bash
# lib.sh: the scenario lab's plumbing, sourced by run-all.sh.
#
# Each scenario gets three fresh network namespaces, client, router and
# server: client <-veth-> router <-veth-> server, the router forwarding
# IPv4 and IPv6 between them (one hop, so TTL and hop limit drop by one).
# Three tcpdumps record the same traffic at once: at the client's end, at
# the server's end and on the router's client-side interface.  A truth
# file collects what the kernel said.  Only the addresses below are used,
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

# TFE_LAB_NS sets the namespaces' prefix (default tfe-PID), so that two
# labs run at once on one machine never share a name.
NS_CLIENT="${TFE_LAB_NS:-tfe-$$}-client"
NS_ROUTER="${TFE_LAB_NS:-tfe-$$}-router"
NS_SERVER="${TFE_LAB_NS:-tfe-$$}-server"
export TFE_NS_CLIENT=$NS_CLIENT TFE_NS_SERVER=$NS_SERVER

# Set by run-all.sh: where the helpers were built, and the output folder.
: "${BIN:?}" "${OUT:?}" "${WORK:?}"
export TFE_SNAP="$BIN/snap.sh"

BG_PIDS=()	# sockstep runs (wait_bg waits for these) and nfq consumers
HOST_PIDS=()	# the sockstep runs only
CAP_PIDS=()	# the three tcpdumps
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
	router) printf '%s\n' "$NS_ROUTER" ;;
	*) log "unknown host $1"; return 1 ;;
	esac
}

# Three namespaces and two veth pairs, each made directly inside its two
# namespaces (so no link ever appears in the host namespace): client
# veth-c <-> veth-rc router veth-rs <-> veth-s server.  MTU 1500, offloads
# off so every segment on a veth is a wire-sized segment with a real
# checksum.  The hosts keep one subnet (10.231.0.0/24, fd00:231::/64) and
# reach each other through the router the way a proxy-ARP router works:
# each host's neighbour entry for the peer's address holds the router's
# MAC; the router has a host route and a neighbour entry for each host on
# the interface that leads to it, and forwards (net.ipv4.ip_forward,
# net.ipv6.conf.all.forwarding).  The router has no address of its own
# in those subnets, so it never answers or sends TCP itself.
netns_up() {
	ip netns add "$NS_CLIENT"
	ip netns add "$NS_ROUTER"
	ip netns add "$NS_SERVER"
	ip link add veth-c netns "$NS_CLIENT" mtu 1500 type veth \
		peer name veth-rc netns "$NS_ROUTER" mtu 1500
	ip link add veth-s netns "$NS_SERVER" mtu 1500 type veth \
		peer name veth-rs netns "$NS_ROUTER" mtu 1500
	local pair ns dev addr4 addr6
	for pair in "$NS_CLIENT veth-c" "$NS_ROUTER veth-rc" \
		"$NS_ROUTER veth-rs" "$NS_SERVER veth-s"; do
		read -r ns dev <<<"$pair"
		in_ns "$ns" ethtool -K "$dev" tso off gso off gro off tx off \
			rx off sg off >/dev/null 2>&1 || true
		# No duplicate address detection: the address is usable at
		# once, and no DAD probe wanders into a capture.
		in_ns "$ns" sysctl -qw "net.ipv6.conf.$dev.accept_dad=0"
	done
	for pair in "$NS_CLIENT veth-c $C4 $C6" "$NS_SERVER veth-s $S4 $S6"; do
		read -r ns dev addr4 addr6 <<<"$pair"
		in_ns "$ns" ip addr add "$addr4/24" dev "$dev"
		in_ns "$ns" ip addr add "$addr6/64" dev "$dev" nodad
	done
	for ns in "$NS_CLIENT" "$NS_ROUTER" "$NS_SERVER"; do
		in_ns "$ns" ip link set lo up
	done
	in_ns "$NS_CLIENT" ip link set veth-c up
	in_ns "$NS_SERVER" ip link set veth-s up
	in_ns "$NS_ROUTER" ip link set veth-rc up
	in_ns "$NS_ROUTER" ip link set veth-rs up
	in_ns "$NS_ROUTER" sysctl -qw net.ipv4.ip_forward=1
	in_ns "$NS_ROUTER" sysctl -qw net.ipv6.conf.all.forwarding=1
	in_ns "$NS_ROUTER" ip route add "$C4/32" dev veth-rc
	in_ns "$NS_ROUTER" ip route add "$S4/32" dev veth-rs
	in_ns "$NS_ROUTER" ip -6 route add "$C6/128" dev veth-rc
	in_ns "$NS_ROUTER" ip -6 route add "$S6/128" dev veth-rs
	# Static neighbour entries: no ARP or neighbour solicitation has to
	# finish before the first SYN leaves.  Without them the first IPv6
	# SYN could wait a whole second in the neighbour queue when the
	# first solicitation went out before the peer's link was up.
	local mac_c mac_s mac_rc mac_rs
	mac_c=$(in_ns "$NS_CLIENT" cat /sys/class/net/veth-c/address)
	mac_s=$(in_ns "$NS_SERVER" cat /sys/class/net/veth-s/address)
	mac_rc=$(in_ns "$NS_ROUTER" cat /sys/class/net/veth-rc/address)
	mac_rs=$(in_ns "$NS_ROUTER" cat /sys/class/net/veth-rs/address)
	in_ns "$NS_CLIENT" ip neigh replace "$S4" lladdr "$mac_rc" dev veth-c nud permanent
	in_ns "$NS_CLIENT" ip neigh replace "$S6" lladdr "$mac_rc" dev veth-c nud permanent
	in_ns "$NS_SERVER" ip neigh replace "$C4" lladdr "$mac_rs" dev veth-s nud permanent
	in_ns "$NS_SERVER" ip neigh replace "$C6" lladdr "$mac_rs" dev veth-s nud permanent
	in_ns "$NS_ROUTER" ip neigh replace "$C4" lladdr "$mac_c" dev veth-rc nud permanent
	in_ns "$NS_ROUTER" ip neigh replace "$C6" lladdr "$mac_c" dev veth-rc nud permanent
	in_ns "$NS_ROUTER" ip neigh replace "$S4" lladdr "$mac_s" dev veth-rs nud permanent
	in_ns "$NS_ROUTER" ip neigh replace "$S6" lladdr "$mac_s" dev veth-rs nud permanent
	# Every end must report carrier before anything is sent.
	local i
	for ((i = 0; i < 200; i++)); do
		[[ $(in_ns "$NS_CLIENT" cat /sys/class/net/veth-c/operstate) == up &&
			$(in_ns "$NS_SERVER" cat /sys/class/net/veth-s/operstate) == up &&
			$(in_ns "$NS_ROUTER" cat /sys/class/net/veth-rc/operstate) == up &&
			$(in_ns "$NS_ROUTER" cat /sys/class/net/veth-rs/operstate) == up ]] && return 0
		sleep 0.01
	done
	log "veth did not come up"
	return 1
}

netns_down() {
	ip netns del "$NS_CLIENT" 2>/dev/null || true
	ip netns del "$NS_ROUTER" 2>/dev/null || true
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
	stop_captures
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

# The three capture points.  VANTAGE_FILE and VANTAGE_IF name each one's
# file (the client's end keeps the plain NAME.pcap) and interface.
VANTAGES=(client server router)
declare -A VANTAGE_IF=([client]=veth-c [server]=veth-s [router]=veth-rc)
# The router's capture sees both directions unless a scenario sets
# ROUTER_DIRECTION=in before begin: then tcpdump -Q in on veth-rc keeps
# only what arrives from the client, as a capture point that sees one
# direction of an asymmetric route.
ROUTER_DIRECTION=inout

vantage_file() {
	case $1 in
	client) printf '%s.pcap\n' "$SCENARIO" ;;
	*) printf '%s.%s.pcap\n' "$SCENARIO" "$1" ;;
	esac
}

# start_capture VANTAGE: one tcpdump in the vantage's namespace, waited
# for until it is listening.  It keeps TCP, or what LAB_FILTER says (a
# scenario sets it local, before begin: the ICMP errors that quote TCP).
start_capture() {
	local v=$1 ns dev file err dir=inout
	ns=$(ns_of "$v")
	dev=${VANTAGE_IF[$v]}
	file=$(vantage_file "$v")
	err="$WORK/tcpdump-$v.err"
	[[ $v == router ]] && dir=$ROUTER_DIRECTION
	ip netns exec "$ns" tcpdump -i "$dev" -Q "$dir" -n -s 200 \
		--immediate-mode -U -Z root -w "$WORK/$file" "${LAB_FILTER:-tcp}" \
		2>"$err" &
	CAP_PIDS+=($!)
	local i
	for ((i = 0; i < 500; i++)); do
		grep -q 'listening on' "$err" 2>/dev/null && break
		sleep 0.01
	done
	truth "capture $(now) side=$v if=$dev direction=$dir snaplen=200 filter=tcp file=$file"
}

stop_captures() {
	local pid
	for pid in "${CAP_PIDS[@]}"; do
		kill -INT "$pid" 2>/dev/null || true
	done
	for pid in "${CAP_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	CAP_PIDS=()
}

# begin NAME SIDE DESCRIPTION: fresh namespaces, truth header, and the
# three captures.  SIDE is where NAME.pcap itself is taken: "client" (the
# other vantages are NAME.server.pcap and NAME.router.pcap).
begin() {
	SCENARIO=$1
	local side=$2 desc=$3 v
	if [[ $side != client ]]; then
		log "NAME.pcap is the client's end; $side has its own file"
		return 1
	fi
	TRUTH="$WORK/$SCENARIO.truth"
	PCAP="$WORK/$SCENARIO.pcap"
	SYNC="$WORK/sync-$SCENARIO"
	rm -rf "$TRUTH" "$SYNC" "$WORK/$SCENARIO".*pcap
	mkdir -p "$SYNC"
	: >"$TRUTH"
	export TFE_TRUTH=$TRUTH
	log "== $SCENARIO"
	netns_up
	truth "# tcpflow-explain scenario truth, format 1 (see pcaps/README.md)"
	truth "scenario $SCENARIO"
	truth "describe $desc"
	truth "kernel $(uname -r)"
	truth "host client ns=$NS_CLIENT if=veth-c $C4 $C6"
	truth "host server ns=$NS_SERVER if=veth-s $S4 $S6"
	truth "router ns=$NS_ROUTER if=veth-rc,veth-rs forwarding ipv4 ipv6"
	for v in "${VANTAGES[@]}"; do
		start_capture "$v"
	done
}

# end [SECONDS]: give the last segments time to reach the captures, stop
# them, then tell any host still waiting for "capture-done" (the
# lingering CLOSE_WAIT) and take everything down.
end() {
	sleep "${1:-0.3}"
	stop_captures
	sync_signal capture-done
	local v file
	for v in "${VANTAGES[@]}"; do
		file=$(vantage_file "$v")
		truth "capture-end $(now) packets=$(tcpdump -nr "$WORK/$file" 2>/dev/null | wc -l) side=$v file=$file"
	done
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

# A sockstep run is killed after SOCKSTEP_TIMEOUT seconds (a scenario
# that holds a connection idle for longer sets it before its first step).
SOCKSTEP_TIMEOUT=30

# on HOST STEP...: run sockstep in HOST's namespace in the foreground.
on() {
	local host=$1
	shift
	ip netns exec "$(ns_of "$host")" timeout "$SOCKSTEP_TIMEOUT" "$BIN/sockstep" \
		-n "$host" -t "$TRUTH" -s "$SYNC" -- "$@"
}

# bg HOST STEP...: the same in the background; wait_bg collects it.  The
# command is started directly (ip netns exec and timeout both exec), so
# the pid we keep is the one a kill must reach.
bg() {
	local host=$1 ns
	shift
	ns=$(ns_of "$host")
	ip netns exec "$ns" timeout "$SOCKSTEP_TIMEOUT" "$BIN/sockstep" -n "$host" \
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

# snap_every SECONDS ... snap_every_stop: snapshots one after the other
# (each takes some tens of ms), SECONDS apart, while a scenario runs, so
# the short windows (a segment 100 ms on its way) are sampled too.
SNAP_LOOP=
snap_every() {
	local every=$1
	(
		while [[ ! -e $SYNC/snaps-stop ]]; do
			snap "every $every s"
			sleep "$every"
		done
	) &
	SNAP_LOOP=$!
}

snap_every_stop() {
	sync_signal snaps-stop
	wait "$SNAP_LOOP" || true
	SNAP_LOOP=
}

# rto_min HOST VALUE: the host's route to the other sets a floor on its
# retransmission timeout (ip route ... rto_min), so that a state that
# waits for a retransmission lasts long enough for the snapshots.
rto_min() {
	local host=$1 value=$2 dev addr
	case $host in
	client) dev=veth-c addr=$C4 ;;
	server) dev=veth-s addr=$S4 ;;
	esac
	in_ns "$(ns_of "$host")" ip route replace 10.231.0.0/24 dev "$dev" \
		proto kernel scope link src "$addr" rto_min "$value"
	truth "route $host 10.231.0.0/24 dev $dev rto_min $value"
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

# check WHAT FILTER MIN [MAX]: count the client-end capture's packets
# that match a tcpdump filter and record whether the scenario really
# happened.  check_at VANTAGE WHAT FILTER MIN [MAX] counts in another
# vantage's capture.
check() {
	check_at client "$@"
}

check_at() {
	local v=$1 what=$2 filter=$3 min=$4 max=${5:-} n file
	file=$(vantage_file "$v")
	n=$(tcpdump -nr "$WORK/$file" "$filter" 2>/dev/null | wc -l)
	[[ $v == client ]] || what="$what (at the $v)"
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
# check_tshark_at VANTAGE WHAT DISPLAY-FILTER MIN [MAX] reads another
# vantage's capture.
check_tshark() {
	check_tshark_at client "$@"
}

check_tshark_at() {
	local v=$1 what=$2 filter=$3 min=$4 max=${5:-} n
	[[ $v == client ]] || what="$what (at the $v)"
	n=$(tshark -r "$WORK/$(vantage_file "$v")" -Y "$filter" 2>/dev/null | wc -l)
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
