#!/bin/bash
# pair-lab.sh: makes the paired captures of tests/pair/ for --pair with
# the scenario lab (run-all.sh, real Linux TCP in network namespaces whose
# names hold "pair", deleted afterwards): the pair-* scenarios of
# scenarios.sh, each captured at the client's end and at the server's end
# at once, then a copy of one server-end capture with its clock moved by
# a known amount (editcap -t), for the clock offset estimate, and one
# with its sequence numbers moved (pcap-shift-seq.py), for the matching
# by timestamps.  Run as
# root.  The router-* captures of pcaps/ are paired as they are.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${TFE_LAB_OUT:-$(cd "$HERE/../.." && pwd)/tests/pair}
# The shift applied to the copy, in seconds (the offset --pair must find).
SHIFT=2.718281

if ((EUID != 0)); then
	echo "pair-lab.sh: needs root (network namespaces, iptables)" >&2
	exit 2
fi
command -v editcap >/dev/null 2>&1 || {
	echo "pair-lab.sh: needs editcap (Debian: wireshark-common)" >&2
	exit 2
}

mkdir -p "$OUT"
TFE_LAB_OUT=$OUT TFE_LAB_NS=tfe-pair-$$ "$HERE/run-all.sh" pair-nat-mss \
	pair-endpoint-reset pair-reject-reset-v6 pair-syn-blocked \
	pair-reorder-delay
# The routers' captures are not used by the paired tests.
rm -f "$OUT"/pair-*.router.pcap
editcap -F pcap -t "$SHIFT" "$OUT/pair-nat-mss.server.pcap" \
	"$OUT/pair-nat-mss.server-shifted.pcap"
printf 'shift %s s: pair-nat-mss.server-shifted.pcap is pair-nat-mss.server.pcap with every timestamp moved by editcap -t %s\n' \
	"$SHIFT" "$SHIFT" >>"$OUT/pair-nat-mss.truth"
# and one whose sequence numbers a firewall randomising ISNs would have
# moved: the client's (here 10.231.0.3 after the NAT) by SEQ_C, the
# server's by SEQ_S
SEQ_C=123456789
SEQ_S=987654321
python3 "$HERE/pcap-shift-seq.py" "$OUT/pair-nat-mss.server.pcap" \
	"$OUT/pair-nat-mss.server-isn.pcap" 10.231.0.3 "$SEQ_C" "$SEQ_S"
printf 'isn-shift client %s server %s: pair-nat-mss.server-isn.pcap is pair-nat-mss.server.pcap with every sequence number moved (pcap-shift-seq.py)\n' \
	"$SEQ_C" "$SEQ_S" >>"$OUT/pair-nat-mss.truth"
# Copies for what the lab cannot make on demand (pcap-pair-edit.py): a
# middlebox that sets one segment's TTL, captures that repeat frames, a
# router that fragments
E=$HERE/pcap-pair-edit.py
python3 "$E" ttl "$OUT/pair-endpoint-reset.server.pcap" \
	"$OUT/pair-endpoint-reset.server-ttl.pcap" 4 40
python3 "$E" copy "$OUT/pair-reorder-delay.pcap" \
	"$OUT/pair-reorder-delay.copies.pcap" 5,14
python3 "$E" copy "$OUT/pair-reorder-delay.server.pcap" \
	"$OUT/pair-reorder-delay.server-copies.pcap" 4,6,13
python3 "$E" frag "$OUT/pair-nat-mss.server.pcap" \
	"$OUT/pair-nat-mss.server-frag.pcap" 4
