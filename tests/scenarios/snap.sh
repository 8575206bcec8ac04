#!/bin/bash
# snap.sh CALLER LABEL: append the kernel's view of TCP sockets in both
# scenario namespaces to the truth file, as one block per namespace:
#
#   @<epoch> <host> <caller>: <label>
#   ss <State> <Recv-Q> <Send-Q> <Local> <Peer> [timer:(...)] [tcp info...]
#
# The epoch is taken just before ss runs, on the clock tcpdump stamps
# packets with.  sockstep runs this after a call; the scenario scripts
# run it directly.  It reads TFE_TRUTH, TFE_NS_CLIENT and TFE_NS_SERVER
# from the environment.  It must only read state, never change it.
set -euo pipefail

caller=$1
label=$2
: "${TFE_TRUTH:?}" "${TFE_NS_CLIENT:?}" "${TFE_NS_SERVER:?}"

block=$(mktemp)
trap 'rm -f "$block"' EXIT

for pair in "client:$TFE_NS_CLIENT" "server:$TFE_NS_SERVER"; do
	host=${pair%%:*}
	ns=${pair#*:}
	printf '@%s %s %s: %s\n' "$(date +%s.%N)" "$host" "$caller" "$label" >>"$block"
	# ss -i puts the tcp_info on a continuation line that starts with a
	# tab; join it to its socket so each socket is one line.
	ip netns exec "$ns" ss -tanoiH |
		awk '/^\t/ { sub(/^[ \t]+/, ""); line = line " " $0; next }
		     { if (line != "") print line; line = $0 }
		     END { if (line != "") print line }' |
		tr -s ' ' | sed 's/^/ss /' >>"$block"
done

# One append under the lock on the truth file itself (the lock sockstep
# and nfq take), so the block never interleaves with call lines.
# shellcheck disable=SC2094
flock "$TFE_TRUTH" cat "$block" >>"$TFE_TRUTH"
