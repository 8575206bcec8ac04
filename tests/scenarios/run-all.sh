#!/bin/bash
# run-all.sh [SCENARIO...]: make the captures in pcaps/ from real Linux
# TCP traffic between two network namespaces joined through a third, a
# router: each scenario is captured at once at the client's end
# (NAME.pcap), at the server's end (NAME.server.pcap) and on the router
# (NAME.router.pcap), with one truth file of what the kernel said (ss
# snapshots, socket call results).  Run as root.
#
# With no arguments every scenario runs; with names, only those.  The
# helpers are built with plain cc into a temporary folder, never with the
# project's autotools.  Exit status: 0 when every scenario's checks
# passed, 1 otherwise (the captures that did pass are still written).
# TFE_LAB_OUT=DIR writes the files there instead of pcaps/ (to compare a
# new run with the committed one).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${TFE_LAB_OUT:-$(cd "$HERE/../.." && pwd)/pcaps}

if ((EUID != 0)); then
	echo "run-all.sh: needs root (network namespaces, iptables)" >&2
	exit 2
fi

# Install what is missing, asking dpkg and PATH first so a ready machine
# never touches the network.
need_pkgs=()
need() {
	local probe=$1 pkg=$2
	if [[ $probe == /* ]]; then
		[[ -e $probe ]] || need_pkgs+=("$pkg")
	else
		command -v "$probe" >/dev/null 2>&1 || need_pkgs+=("$pkg")
	fi
}
need tcpdump tcpdump
need ip iproute2
need ss iproute2
need nstat iproute2
need iptables iptables
need ethtool ethtool
need cc gcc
need flock util-linux
need timeout coreutils
need tshark tshark
need /usr/include/libnetfilter_queue/libnetfilter_queue.h libnetfilter-queue-dev
if ((${#need_pkgs[@]})); then
	echo "run-all.sh: installing ${need_pkgs[*]}" >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

WORK=$(mktemp -d /tmp/tfe-scenarios.XXXXXX)
BIN=$WORK/bin
export BIN OUT WORK
mkdir -p "$BIN" "$OUT"
trap 'rm -rf "$WORK"' EXIT

cc -Wall -Wextra -O2 -o "$BIN/sockstep" "$HERE/sockstep.c"
cc -Wall -Wextra -O2 -o "$BIN/nfq" "$HERE/nfq.c" -lnetfilter_queue -lnfnetlink
install -m 755 "$HERE/snap.sh" "$BIN/snap.sh"

# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=scenarios.sh
. "$HERE/scenarios.sh"

trap 'cleanup; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

if (($#)); then
	wanted=("$@")
else
	wanted=("${SCENARIOS[@]}")
fi

failed=()
start=$SECONDS
for name in "${wanted[@]}"; do
	fn=sc_${name//-/_}
	if ! declare -F "$fn" >/dev/null; then
		echo "run-all.sh: no scenario $name" >&2
		exit 2
	fi
	tries=${ATTEMPTS[$name]:-1}
	for ((try = 1; try <= tries; try++)); do
		t0=$SECONDS
		# errexit is off around the subshell and on inside it, so a
		# failing step stops this scenario only (and the subshell's own
		# trap still takes its namespaces down).
		set +e
		(
			set -e
			trap cleanup EXIT
			CHECK_FAILS=0
			"$fn"
			truth "attempt $try of $tries"
			exit $((CHECK_FAILS > 0))
		)
		rc=$?
		set -e
		echo "   $name: try $try, $((SECONDS - t0)) s, $([[ $rc == 0 ]] && echo ok || echo FAILED)" >&2
		((rc == 0)) && break
	done
	if [[ -e $WORK/$name.pcap ]]; then
		cp "$WORK/$name.pcap" "$WORK/$name.truth" "$OUT/"
		for v in server router; do
			if [[ -e $WORK/$name.$v.pcap ]]; then
				cp "$WORK/$name.$v.pcap" "$OUT/"
			fi
		done
	fi
	((rc == 0)) || failed+=("$name")
done

echo "run-all.sh: ${#wanted[@]} scenarios in $((SECONDS - start)) s; failed: ${failed[*]:-none}" >&2
((${#failed[@]} == 0))
