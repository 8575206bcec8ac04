#!/bin/bash
# snap.sh CALLER LABEL: append the kernel's view of TCP sockets in both
# scenario namespaces to the truth file, as one block per namespace:
#
#   @<epoch> <host> <caller>: <label>
#   ss-window <start> <end>
#   ss <State> <Recv-Q> <Send-Q> <Local> <Peer> [timer:(...)] [tcp info...]
#
# The epoch (microseconds) is taken just before ss runs, on the clock
# tcpdump stamps packets with; ss-window says when ss started and ended
# (the kernel was read somewhere in between: tens of ms on a busy host).  sockstep runs this after a call; the scenario scripts
# run it directly.  It reads TFE_TRUTH, TFE_NS_CLIENT and TFE_NS_SERVER
# from the environment.  It must only read state, never change it.
set -euo pipefail

caller=$1
label=$2
: "${TFE_TRUTH:?}" "${TFE_NS_CLIENT:?}" "${TFE_NS_SERVER:?}"

block=$(mktemp)
trap 'rm -f "$block"' EXIT

# Both readings first, one right after the other (ss -N enters the
# namespace itself, and bash's own clock needs no process), then the
# formatting: on a busy machine the two hosts' epochs stay close.
t_client=$EPOCHREALTIME
ss_client=$(ss -N "$TFE_NS_CLIENT" -tanoiH)
e_client=$EPOCHREALTIME
t_server=$EPOCHREALTIME
ss_server=$(ss -N "$TFE_NS_SERVER" -tanoiH)
e_server=$EPOCHREALTIME

for host in client server; do
	if [[ $host == client ]]; then
		t=$t_client e=$e_client out=$ss_client
	else
		t=$t_server e=$e_server out=$ss_server
	fi
	printf '@%s %s %s: %s\nss-window %s %s\n' "$t" "$host" "$caller" \
		"$label" "$t" "$e" >>"$block"
	[[ -n $out ]] || continue
	# ss -i puts the tcp_info on a continuation line that starts with a
	# tab; join it to its socket so each socket is one line.
	printf '%s\n' "$out" |
		awk '/^\t/ { sub(/^[ \t]+/, ""); line = line " " $0; next }
		     { if (line != "") print line; line = $0 }
		     END { if (line != "") print line }' |
		tr -s ' ' | sed 's/^/ss /' >>"$block"
done

# One append under the lock on the truth file itself (the lock sockstep
# and nfq take), so the block never interleaves with call lines.
# shellcheck disable=SC2094
flock "$TFE_TRUTH" cat "$block" >>"$TFE_TRUTH"
