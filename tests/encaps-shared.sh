#!/bin/bash
# encaps-shared.sh: the real captures of ../shared that carry TCP inside a
# link layer or an encapsulation beyond plain Ethernet (802.11 with
# radiotap, NFLOG, PPP and Cisco HDLC, MPLS, FabricPath, ERSPAN, GTP-U):
# every frame tshark decodes as TCP must be decoded as TCP here too
# (frames.tcp against robustness.tsv's tcp_frames), with the connections
# tshark counts as streams; and a capture whose link type is not decoded
# must name it in the summary.  Skipped, saying so, when ../shared is not
# beside the source tree.

. "$(dirname "$0")/lib.sh"
shared=${TFE_SHARED_PCAPS:-$top_srcdir/../shared/pcaps}
# pcaps-more lies beside pcaps (also when TFE_SHARED_PCAPS names it)
more=${TFE_SHARED_PCAPS_MORE:-$(dirname "$shared")/pcaps-more}

if ! command -v python3 >/dev/null; then
	echo "SKIP: python3 is needed to read the JSON summary"
	exit 77
fi
if [ ! -d "$more" ] || [ ! -d "$shared" ]; then
	echo "SKIP: $more or $shared is not present"
	exit 77
fi

passed=0 failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

# file, what it exercises
while read -r dir file what; do
	row=$(awk -F'\t' -v f="$file" '$1 == f' "$dir/robustness.tsv")
	want_tcp=$(printf '%s' "$row" | cut -f11)
	want_streams=$(printf '%s' "$row" | cut -f12)
	if [ -z "$row" ]; then
		fail "$file" "no row in $dir/robustness.tsv"
		continue
	fi
	got=$("$prog" -r "$dir/$file" --format json 2>/dev/null | tail -n 1 |
		python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["frames"]["tcp"], d["connections"])')
	set -- $got
	if [ "${1-}" = "$want_tcp" ] && [ "${2-}" = "$want_streams" ]; then
		pass "$file ($what): $1 TCP frames, $2 connections, as tshark"
	else
		fail "$file ($what)" "TCP frames and connections '${got}', tshark $want_tcp and $want_streams"
	fi
done <<LIST
$more arkime__80211http.pcap radiotap+802.11+llc/snap
$more arkime__nflog.pcap nflog
$more ndpi__default__BGP_Cisco_hdlc_slarp.pcap cisco-hdlc-in-DLT_PPP
$more ndpi__default__BGP_redist.pcap cisco-hdlc+mpls
$more arkime__gre-erspan-vxlan.pcap erspan-ii
$more arkime__gtp-iphone.pcap gtp-u
$more arkime__mpls-basic.pcap mpls
$more ndpi__default__ajp.pcap fabricpath
LIST

# Frame relay (RFC 2427, NLPID IPv6): its 86 frames are OSPFv3 over IPv6,
# so every one is read as IP that is not TCP, none left undecoded.
f=$shared/tcpdump__OSPFv3_NBMA_adjacencies.pcap
if [ -f "$f" ]; then
	out=$("$prog" -r "$f" --format summary 2>/dev/null)
	if printf '%s\n' "$out" | grep -q '^    skipped      not tcp  *86$' &&
	   ! printf '%s\n' "$out" | grep -q 'not decoded'; then
		pass "frame relay decoded"
	else
		fail "frame relay" "not decoded as IPv6: $out"
	fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
