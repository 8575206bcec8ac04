#!/bin/bash
# run.sh: the project's benchmark (doc/performance.md says what it
# measures and why).  Run it with `make bench` as root; by hand:
#
#   top_srcdir=SRC top_builddir=BUILD bench/run.sh
#
# where BUILD holds tcpflow-explain and bench/{limit,pcaprepeat,traffic}.
#
# Environment:
#   BENCH_DATA     where the captures go (default /tmp/bench-data; about
#                  4 GB with the four-fold capture)
#   BENCH_ROUNDS   interleaved timing rounds (default 5; medians reported)
#   BENCH_SMALL, BENCH_BIG
#                  packets in the two captures (default 350000, 5000000)
#   BENCH_REGEN=1  make the captures again even when they exist
#   BENCH_PEERS_BIG=0
#                  time tshark and tcptrace on the small capture only
#   BENCH_SKIP     words among: timing callgrind growth startup open live
#                  html
#   BENCH_OPEN_A, BENCH_OPEN_B
#                  connections in the two held-open captures (default 2000
#                  and 16000; the server holds one descriptor for each,
#                  so B must stay under its open-file limit)
#
# The captures are made once and kept (they are not part of the project);
# each is checked by its packet count before it is reused.
set -euo pipefail

SRC=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${top_builddir:-.}
SRC=$(cd "$SRC" && pwd)
BUILD=$(cd "$BUILD" && pwd)
TOOL=$BUILD/tcpflow-explain
BIN=$BUILD/bench
DATA=${BENCH_DATA:-/tmp/bench-data}
ROUNDS=${BENCH_ROUNDS:-5}
SMALL_N=${BENCH_SMALL:-350000}
BIG_N=${BENCH_BIG:-5000000}
PEERS_BIG=${BENCH_PEERS_BIG:-1}
SKIP=" ${BENCH_SKIP:-} "
LOAD=$(cut -d" " -f1-3 /proc/loadavg)
export LC_ALL=C TZ=UTC

die() {
	echo "bench: $*" >&2
	exit 1
}
skip() { [[ $SKIP == *" $1 "* ]]; }

((EUID == 0)) || die "needs root (network namespaces, iptables, a veth for the live run)"
for p in "$TOOL" "$BIN/limit" "$BIN/pcaprepeat" "$BIN/traffic"; do
	[[ -x $p ]] || die "$p is missing: run 'make bench' from the build folder"
done

# What the benchmark itself needs, installed when missing (Debian).
need_pkgs=()
need() { command -v "$1" >/dev/null 2>&1 || need_pkgs+=("$2"); }
need tcpdump tcpdump
need ip iproute2
need iptables iptables
need ethtool ethtool
[[ -x /usr/bin/time ]] || need_pkgs+=(time)
need valgrind valgrind
need tcpreplay tcpreplay
need tcprewrite tcpreplay
if ((${#need_pkgs[@]})); then
	echo "bench: installing ${need_pkgs[*]}" >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

mkdir -p "$DATA"
TMP=$(mktemp -d /tmp/bench-run.XXXXXX)
LIVE_PIDS=()
LIVE_NS=
cleanup() {
	local pid
	for pid in "${LIVE_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	[[ -n $LIVE_NS ]] && ip netns del "$LIVE_NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s\n' "$*" >&2; }

packets_in() { # FILE -> frame count (from the limit program)
	"$BIN/limit" "$1" 2>/dev/null | awk '{print $1}'
}

# ---- captures ----------------------------------------------------------

# make_capture NAME MODE COUNT MIN: (re)makes DATA/NAME.pcap unless it is
# there with at least MIN packets.
make_capture() {
	local name=$1 mode=$2 count=$3 min=$4 have=0
	if [[ -z ${BENCH_REGEN:-} && -s $DATA/$name.pcap ]]; then
		have=$(packets_in "$DATA/$name.pcap" || echo 0)
		((have >= min)) && return 0
	fi
	log "bench: making $name.pcap ($mode $count) with real TCP in network namespaces"
	bash "$SRC/bench/gen.sh" "$BIN" "$DATA" "$name" "$mode" "$count" >&2
}

make_capture small mix "$SMALL_N" $((SMALL_N * 9 / 10))
make_capture big mix "$BIG_N" $((BIG_N * 9 / 10))
SMALL=$DATA/small.pcap
BIG=$DATA/big.pcap
SMALL_PKTS=$(packets_in "$SMALL")
BIG_PKTS=$(packets_in "$BIG")
TINY=$SRC/pcaps/close-client-first.pcap

# ---- the programs measured ---------------------------------------------

# Our tool's output modes; json only once the program has it.
MODES=(summary)
if "$TOOL" --format json -r "$TINY" >/dev/null 2>&1; then
	MODES+=(json)
fi
MODES+=(text text-all)
# Files are read in a second thread by default when two CPUs are there;
# the same mode in one thread shows what that thread brings.
if "$TOOL" --threads 1 --format summary -r "$TINY" >/dev/null 2>&1; then
	MODES+=(summary-t1)
fi
# Text is written out in a third thread by default; the same in two
# threads shows what the third brings.
if "$TOOL" --threads 3 -r "$TINY" >/dev/null 2>&1; then
	MODES+=(text-t2)
fi

# cmd_for NAME FILE: prints the command line, one word a line.
cmd_for() {
	case $1 in
	limit) printf '%s\n' "$BIN/limit" "$2" ;;
	limit-buf) printf '%s\n' "$BIN/limit" -b "$2" ;;
	limit-mapped) printf '%s\n' "$BIN/limit" -m "$2" ;;
	tcpdump) printf '%s\n' tcpdump -r "$2" -w /dev/null ;;
	summary) printf '%s\n' "$TOOL" -r "$2" --format summary ;;
	json) printf '%s\n' "$TOOL" -r "$2" --format json ;;
	text) printf '%s\n' "$TOOL" -r "$2" ;;
	text-all) printf '%s\n' "$TOOL" -r "$2" --all-frames ;;
	summary-t1) printf '%s\n' "$TOOL" -r "$2" --format summary --threads 1 ;;
	text-t2) printf '%s\n' "$TOOL" -r "$2" --threads 2 ;;
	tshark) printf '%s\n' tshark -n -q -z conv,tcp -r "$2" ;;
	tcptrace) printf '%s\n' tcptrace -n -l "$2" ;;
	esac
}

label_for() {
	case $1 in
	limit) echo "limit (pcap_next_ex + header parse)" ;;
	limit-buf) echo "limit -b (256 KiB read buffer)" ;;
	limit-mapped) echo "limit -m (file mapped: fopen rbm)" ;;
	tcpdump) echo "tcpdump -r F -w /dev/null" ;;
	summary) echo "tcpflow-explain --format summary" ;;
	json) echo "tcpflow-explain --format json" ;;
	text) echo "tcpflow-explain (text) > /dev/null" ;;
	text-all) echo "tcpflow-explain --all-frames > /dev/null" ;;
	summary-t1) echo "tcpflow-explain --format summary --threads 1" ;;
	text-t2) echo "tcpflow-explain (text) --threads 2 > /dev/null" ;;
	tshark) echo "tshark -q -z conv,tcp" ;;
	tcptrace) echo "tcptrace -n -l" ;;
	esac
}

# run_one NAME FILE: one timed run; appends "wall_s rss_kib" to
# TMP/NAME.FILEKEY.  Output goes to /dev/null; a failing run stops the
# benchmark (a number from a run that failed means nothing).
run_one() {
	local name=$1 file=$2 key t0 t1 rss
	key=$name.$(basename "$file" .pcap)
	mapfile -t cmd < <(cmd_for "$name" "$file")
	t0=$EPOCHREALTIME
	if ! /usr/bin/time -f '%M' -o "$TMP/rss" "${cmd[@]}" >/dev/null 2>"$TMP/err"; then
		cat "$TMP/err" >&2
		die "'${cmd[*]}' failed"
	fi
	t1=$EPOCHREALTIME
	rss=$(tail -n 1 "$TMP/rss")
	echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.6f", b - a}') $rss" >>"$TMP/$key"
}

median() { # numbers on stdin -> median
	sort -g | awk '{v[NR] = $1} END {
		if (NR == 0) { print "nan"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

have_peer() { command -v "$1" >/dev/null 2>&1; }

# The limit's two variants show what reading costs; every ratio stays
# relative to the plain limit.
PROGS=(limit limit-buf limit-mapped tcpdump "${MODES[@]}")
PEERS=()
have_peer tshark && PEERS+=(tshark)
have_peer tcptrace && PEERS+=(tcptrace)

# Warm the page cache (and check every program runs) before timing.
for f in "$SMALL" "$BIG"; do
	cat "$f" >/dev/null
done

skip timing && ROUNDS=0
log "bench: timing $ROUNDS interleaved rounds"
for ((r = 1; r <= ROUNDS; r++)); do
	for f in "$SMALL" "$BIG"; do
		for p in "${PROGS[@]}"; do
			run_one "$p" "$f"
		done
		for p in "${PEERS[@]}"; do
			[[ $f == "$BIG" && $PEERS_BIG == 0 ]] && continue
			run_one "$p" "$f"
		done
	done
	log "bench: round $r done"
done

# ---- table ---------------------------------------------------------------

OUTMD=$DATA/results.md
{
	echo "| capture | program | wall (median s) | packets/s | rate vs limit | peak RSS (MiB) |"
	echo "|---|---|---:|---:|---:|---:|"
} >"$TMP/table"

declare -A RATE RSS WALL
for f in "$SMALL" "$BIG"; do
	base=$(basename "$f" .pcap)
	pk=$([[ $f == "$SMALL" ]] && echo "$SMALL_PKTS" || echo "$BIG_PKTS")
	for p in "${PROGS[@]}" "${PEERS[@]}"; do
		[[ -s $TMP/$p.$base ]] || continue
		w=$(awk '{print $1}' "$TMP/$p.$base" | median)
		m=$(awk '{print $2}' "$TMP/$p.$base" | median)
		WALL[$p.$base]=$w
		RSS[$p.$base]=$m
		RATE[$p.$base]=$(awk -v n="$pk" -v w="$w" 'BEGIN{printf "%.0f", n / w}')
	done
	for p in "${PROGS[@]}" "${PEERS[@]}"; do
		[[ -n ${WALL[$p.$base]:-} ]] || continue
		awk -v c="$base ($pk pkts)" -v l="$(label_for "$p")" -v w="${WALL[$p.$base]}" \
			-v r="${RATE[$p.$base]}" -v lr="${RATE[limit.$base]}" -v m="${RSS[$p.$base]}" \
			'BEGIN { printf "| %s | %s | %.3f | %.0f | %.0f%% (%.2fx time) | %.1f |\n",
				c, l, w, r, 100 * r / lr, lr / r, m / 1024 }' >>"$TMP/table"
	done
done

# ---- callgrind: instructions per packet (repeatable on a noisy machine) --

CG=""
if ! skip callgrind; then
	log "bench: callgrind on the small capture"
	# Per thread (reading, analysing and, for text and json, writing): the
	# total is the work done; the busiest thread bounds the rate when each
	# has a CPU of its own.
	for p in limit summary summary-t1 json text text-t2; do
		[[ $p == limit || " ${MODES[*]} " == *" $p "* ]] || continue
		mapfile -t cmd < <(cmd_for "$p" "$SMALL")
		rm -rf "$TMP/cg"
		mkdir -p "$TMP/cg"
		valgrind --tool=callgrind --separate-threads=yes \
			--callgrind-out-file="$TMP/cg/out" "${cmd[@]}" >/dev/null 2>&1 ||
			die "callgrind failed on: ${cmd[*]}"
		read -r total busiest nthreads < <(
			for f in "$TMP"/cg/out*; do
				sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$f"
			done | awk '{ t += $1; if ($1 > m) m = $1; n++ }
			            END { print t, m, n }')
		CG+="| $(label_for "$p") | $nthreads | $total | $(awk -v i="$total" -v n="$SMALL_PKTS" 'BEGIN{printf "%.0f", i / n}') | $(awk -v i="$busiest" -v n="$SMALL_PKTS" 'BEGIN{printf "%.0f", i / n}') |"$'\n'
	done
fi

# ---- memory growth: the big capture four times over ------------------------

GROWTH=""
if ! skip growth; then
	BIG4=$DATA/big-x4.pcap
	if [[ ! -s $BIG4 || $BIG4 -ot $BIG ]]; then
		log "bench: writing big-x4.pcap (the big capture four times, 600 s apart)"
		"$BIN/pcaprepeat" "$BIG" "$BIG4.part" 4 600
		mv "$BIG4.part" "$BIG4"
	fi
	for p in summary text; do
		mapfile -t cmd < <(cmd_for "$p" "$BIG4")
		/usr/bin/time -f '%M %e' -o "$TMP/rss4" "${cmd[@]}" >/dev/null 2>"$TMP/err" ||
			die "'${cmd[*]}' failed"
		read -r m4 w4 <"$TMP/rss4"
		m1=${RSS[$p.big]:-}
		if [[ -z $m1 ]]; then # the timing rounds were skipped
			mapfile -t cmd < <(cmd_for "$p" "$BIG")
			/usr/bin/time -f '%M' -o "$TMP/rss1" "${cmd[@]}" >/dev/null 2>&1 ||
				die "'${cmd[*]}' failed"
			m1=$(tail -n 1 "$TMP/rss1")
		fi
		GROWTH+=$(awk -v a="$m1" -v b="$m4" -v p="$p" -v w="$w4" -v n="$((BIG_PKTS * 4))" \
			'BEGIN { printf "| %s | %.1f | %.1f | %+.1f%% | %.0f |\n", p, a / 1024, b / 1024,
				100 * (b - a) / a, n / w }')$'\n'
	done
fi

# ---- the HTML page of the small capture ---------------------------------------
# Its size against doc/html.md's bound, the time to write it, and, when
# chromium is installed, the time to load it headless and whether it
# logged any console message (the page's script reports what it caught).

HTML=""
if ! skip html; then
	t0=$EPOCHREALTIME
	"$TOOL" -r "$SMALL" --format html >"$TMP/small.html" || die "--format html failed"
	t1=$EPOCHREALTIME
	HTML="$(awk -v n="$(wc -c <"$TMP/small.html")" 'BEGIN{printf "%.2f MB", n / 1e6}') (bound 20 MB), $(grep -c '<section class="conn' "$TMP/small.html") connections drawn, written in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f s", b - a}')"
	if command -v chromium >/dev/null 2>&1; then
		t0=$EPOCHREALTIME
		timeout 120 chromium --headless --no-sandbox --disable-gpu \
			--user-data-dir="$TMP/chromium" --enable-logging=stderr --v=0 \
			--dump-dom "file://$TMP/small.html" >"$TMP/small.dom" 2>"$TMP/chromium.log" ||
			true
		t1=$EPOCHREALTIME
		HTML+="; chromium (headless) loaded it in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f s", b - a}')"
		if grep -q ':CONSOLE' "$TMP/chromium.log" ||
		   ! grep -q '<body data-ready="1">' "$TMP/small.dom"; then
			HTML+=" WITH ERRORS: $(grep ':CONSOLE' "$TMP/chromium.log" | head -n 1)"
		else
			HTML+=", no console message"
		fi
	fi
fi

# ---- start-up on a tiny capture ---------------------------------------------

STARTUP=""
if ! skip startup; then
	for ((i = 0; i < 30; i++)); do
		t0=$EPOCHREALTIME
		"$TOOL" -r "$TINY" >/dev/null
		t1=$EPOCHREALTIME
		awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.6f\n", b - a}'
	done >"$TMP/startup"
	STARTUP=$(median <"$TMP/startup")
	for ((i = 0; i < 30; i++)); do
		t0=$EPOCHREALTIME
		"$BIN/limit" "$TINY" >/dev/null
		t1=$EPOCHREALTIME
		awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.6f\n", b - a}'
	done >"$TMP/startup-limit"
	STARTUP_LIMIT=$(median <"$TMP/startup-limit")
fi

# ---- bytes per open connection ------------------------------------------------

OPEN=""
if ! skip open; then
	OPEN_A=${BENCH_OPEN_A:-2000}
	OPEN_B=${BENCH_OPEN_B:-16000}
	make_capture "open-$OPEN_A" hold "$OPEN_A" "$OPEN_A"
	make_capture "open-$OPEN_B" hold "$OPEN_B" "$OPEN_B"
	for n in "$OPEN_A" "$OPEN_B"; do
		/usr/bin/time -f '%M' -o "$TMP/rss-open" "$TOOL" -r "$DATA/open-$n.pcap" \
			--format summary >"$TMP/open-$n.out" 2>&1 || die "open-$n failed"
		eval "rss_$n=\$(tail -n 1 \"\$TMP/rss-open\")"
		eval "held_$n=\$(sed -n 's/^ *open_at_end *\\([0-9]*\\).*/\\1/p' \"\$TMP/open-$n.out\")"
	done
	ra=rss_$OPEN_A rb=rss_$OPEN_B ha=held_$OPEN_A hb=held_$OPEN_B
	OPEN=$(awk -v ra="${!ra}" -v rb="${!rb}" -v ha="${!ha}" -v hb="${!hb}" 'BEGIN {
		printf "%d open connections: %.1f MiB; %d: %.1f MiB; slope %.0f bytes per open connection",
			ha, ra / 1024, hb, rb / 1024, (rb - ra) * 1024 / (hb - ha) }')
fi

# ---- live: top-speed replay into a veth ------------------------------------

LIVE="pending: this build has no live capture (-i)"
help=$("$TOOL" --help 2>/dev/null || true) # not piped: grep -q would cut it
if ! skip live && [[ $help == *"-i IFACE"* ]]; then
	# The capture was cut at 128 bytes a packet: replayed as it is, every
	# longer packet would be shorter than its IP header says.  Pad each
	# back to its length on the wire (tcprewrite, with checksums fixed),
	# once.
	LIVEPCAP=$DATA/big-live.pcap
	if [[ ! -s $LIVEPCAP || $LIVEPCAP -ot $BIG ]]; then
		log "bench: writing big-live.pcap (the big capture padded to wire length)"
		tcprewrite --fixlen=pad --fixcsum -i "$BIG" -o "$LIVEPCAP.part" \
			>"$TMP/tcprewrite.log" 2>&1 || die "tcprewrite failed"
		mv "$LIVEPCAP.part" "$LIVEPCAP"
	fi
	LIVE_NS="bn-live-$$"
	ip netns add "$LIVE_NS"
	ip link add bnr0 netns "$LIVE_NS" mtu 1500 type veth peer name bnr1 netns "$LIVE_NS" mtu 1500
	ip netns exec "$LIVE_NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$LIVE_NS" ip link set bnr0 up
	ip netns exec "$LIVE_NS" ip link set bnr1 up
	sleep 0.5
	ip netns exec "$LIVE_NS" "$TOOL" -i bnr1 -Z root --format summary \
		>"$TMP/live.out" 2>"$TMP/live.err" &
	LIVE_PIDS+=($!)
	for ((i = 0; i < 500; i++)); do
		grep -q 'listening on' "$TMP/live.err" 2>/dev/null && break
		sleep 0.01
	done
	ip netns exec "$LIVE_NS" tcpreplay -q --topspeed -i bnr0 "$LIVEPCAP" \
		>"$TMP/replay.out" 2>&1 || true
	sleep 2
	kill -INT "${LIVE_PIDS[0]}"
	wait "${LIVE_PIDS[0]}" || true
	LIVE_PIDS=()
	ip netns del "$LIVE_NS"
	LIVE_NS=
	sent=$(sed -n 's/^Actual: \([0-9]*\) packets.* sent in \([0-9.]*\) seconds.*/\1 packets in \2 s/p' "$TMP/replay.out")
	speed=$(sed -n 's/^Rated: .*, \([0-9.]*\) pps.*/\1/p' "$TMP/replay.out")
	seen=$(sed -n 's/^ *packets: \([0-9]*\) read, \([0-9]*\) TCP.*/\1 frames (\2 TCP)/p' "$TMP/live.out")
	drops=$(sed -n 's/^ *capture: //p' "$TMP/live.out")
	LIVE="tcpreplay --topspeed sent ${sent:-?} (${speed:-?} pps) into a veth; tcpflow-explain -i on its other end read ${seen:-?}; libpcap: ${drops:-no capture line in the summary}"
fi

# ---- report ------------------------------------------------------------------

ver=$("$TOOL" --version | head -n 1)
{
	echo "## Benchmark run $(date -u +%Y-%m-%dT%H:%MZ)"
	echo
	echo "Machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(awk '/MemTotal/ {printf "%.0f GiB RAM", $2 / 1048576}' /proc/meminfo), Linux $(uname -r)."
	echo "Versions: $ver ($(git -C "$SRC" describe --always --dirty 2>/dev/null || echo no git)), $("$TOOL" --version | sed -n 2p), $(tcpdump --version 2>&1 | head -n 1)$(have_peer tshark && echo ", $(tshark --version 2>/dev/null | head -n 1 | sed 's/ (.*//')")$(have_peer tcptrace && echo ", tcptrace $(tcptrace -v 2>&1 | sed -n 's/.*version \([0-9.]*\).*/\1/p' | head -n 1)"), load average before the run: $LOAD."
	echo "Captures: small $SMALL_PKTS packets ($(du -m "$SMALL" | cut -f1) MB), big $BIG_PKTS packets ($(du -m "$BIG" | cut -f1) MB), snaplen 128; $ROUNDS interleaved rounds, medians; page cache warm."
	[[ $PEERS_BIG == 0 ]] && echo "tshark and tcptrace ran on the small capture only (BENCH_PEERS_BIG=0)."
	echo
	if ((ROUNDS > 0)); then cat "$TMP/table"; else echo "(timing rounds skipped)"; fi
	if [[ -n $CG ]]; then
		echo
		echo "Instructions per packet (callgrind, small capture, start-up included):"
		echo
		echo "| program | threads | instructions | per packet | per packet, busiest thread |"
		echo "|---|---:|---:|---:|---:|"
		printf '%s' "$CG"
	fi
	if [[ -n $GROWTH ]]; then
		echo
		echo "Memory under the four-fold append (big capture written 4 times, 600 s apart):"
		echo
		echo "| mode | peak RSS big (MiB) | peak RSS 4x (MiB) | growth | packets/s on 4x |"
		echo "|---|---:|---:|---:|---:|"
		printf '%s' "$GROWTH"
	fi
	echo
	[[ -n $STARTUP ]] && echo "Start-up on a tiny capture ($(basename "$TINY"), text output): median of 30 runs $(awk -v s="$STARTUP" 'BEGIN{printf "%.1f ms", s * 1000}') (the limit program: $(awk -v s="$STARTUP_LIMIT" 'BEGIN{printf "%.1f ms", s * 1000}'))."
	[[ -n $HTML ]] && echo "HTML page of the small capture (--format html): $HTML."
	[[ -n $OPEN ]] && echo "Memory per open connection (summary mode, held-open captures): $OPEN."
	echo "Live: $LIVE."
} >"$OUTMD"
cat "$OUTMD"
