#!/bin/bash
# truth.sh: the kernel's view against ours.
#
# Every pcaps/*.truth file holds the `ss -tan` snapshots the scenario lab
# took inside each network namespace while the capture ran ("@EPOCH HOST
# LABEL" followed by "ss STATE RECV-Q SEND-Q LOCAL PEER ..." lines).  For
# each snapshot this runs
#     tcpflow-explain -r pcaps/X.pcap --format netstat --at EPOCH
# and compares the sockets it shows on that host (state, local and foreign
# endpoint) with the ones ss listed.  A difference must be listed in
# tests/truth-differences with the reason (a bug to fix, or a limit of what
# a capture point can know); anything else fails.
#
#   tests/truth.sh            check every capture
#   tests/truth.sh NAME...    only these captures (pcaps/NAME.pcap)
#   tests/truth.sh --show     print every difference in the file's format
#
# Prints PASS/FAIL per snapshot and ends with "N passed, N failed".

. "$(dirname "$0")/lib.sh"
known=$top_srcdir/tests/truth-differences
show=0
if [ "${1:-}" = "--show" ]; then
	show=1
	shift
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ss spells states with dashes and short words; netstat as tcpflow-explain
# prints them.  Listeners compare by port alone: ss shows the bound address
# (often a wildcard), a capture only the address that answered.
normalize_ss() {
	awk '
	/^ss / {
		st = $2
		m["ESTAB"] = "ESTABLISHED"; m["SYN-SENT"] = "SYN_SENT"
		m["SYN-RECV"] = "SYN_RECV"; m["FIN-WAIT-1"] = "FIN_WAIT1"
		m["FIN-WAIT-2"] = "FIN_WAIT2"; m["CLOSE-WAIT"] = "CLOSE_WAIT"
		m["LAST-ACK"] = "LAST_ACK"; m["TIME-WAIT"] = "TIME_WAIT"
		m["CLOSING"] = "CLOSING"; m["LISTEN"] = "LISTEN"
		if (!(st in m)) next
		local = $5; peer = $6
		gsub(/[][]/, "", local); gsub(/[][]/, "", peer)
		if (m[st] == "LISTEN") {
			sub(/.*:/, "", local)
			print "LISTEN *:" local
		} else {
			print m[st] " " local " " peer
		}
	}'
}

# The netstat view's lines for the host's addresses, in the same form.
normalize_ours() {
	awk -v a4="$1" -v a6="$2" '
	/^host / { on = ($2 == a4 || $2 == a6); next }
	on && /^tcp/ {
		if ($6 == "LISTEN") { p = $4; sub(/.*:/, "", p); print "LISTEN *:" p }
		else print $6 " " $4 " " $5
	}'
}

passed=0 failed=0
declare -A seen_known=()

check_capture() {
	local truth=$1 name pcap
	name=$(basename "$truth" .truth)
	pcap=$top_srcdir/pcaps/$name.pcap
	[ -f "$pcap" ] || return 0

	# host NAME ns=... if=... V4 V6
	declare -A v4=() v6=()
	local line
	while read -r _ hname _ _ a4 a6; do
		v4[$hname]=$a4
		v6[$hname]=$a6
	done < <(grep '^host ' "$truth")

	# Split the truth file into one block per snapshot.
	awk -v dir="$tmp" '
	/^@/ { n++; f = dir "/snap." n; print > f; next }
	/^ss / && n { print >> f }
	/^(call|check|capture|describe|scenario|kernel|host|attempt)/ { f = "" ; n = n }
	' "$truth"

	local snap
	for snap in "$tmp"/snap.*; do
		[ -f "$snap" ] || continue
		local head epoch host label
		head=$(head -n 1 "$snap")
		epoch=${head%% *}; epoch=${epoch#@}
		host=$(cut -d' ' -f2 <<<"$head")
		label=$(cut -d' ' -f3- <<<"$head")
		normalize_ss < "$snap" | sort > "$tmp/want"
		"$prog" -r "$pcap" --format netstat --at "$epoch" > "$tmp/view" 2>&1
		normalize_ours "${v4[$host]:-none}" "${v6[$host]:-none}" \
			< "$tmp/view" | sort > "$tmp/got"
		local diffs ok=1 d key
		diffs=$(comm -3 "$tmp/want" "$tmp/got" |
		        sed -e 's/^\t/extra /' -e '/^extra /!s/^/missing /')
		while IFS= read -r d; do
			[ -n "$d" ] || continue
			# Ephemeral client ports change with every lab run; the
			# entries name them as :EPHEMERAL.
			key=$(sed -E 's/:(3[2-9][0-9]{3}|[4-6][0-9]{4})( |$)/:EPHEMERAL\2/g' \
			      <<<"$name | $label | $host | $d")
			if [ $show = 1 ]; then
				echo "$key | REASON"
			fi
			if grep -qF -- "$key |" "$known" 2>/dev/null; then
				seen_known[$key]=1
			else
				ok=0
				echo "  $key (not in tests/truth-differences)"
			fi
		done <<<"$diffs"
		if [ $ok = 1 ]; then
			passed=$((passed + 1))
			echo "PASS $name @$epoch $host: $label"
		else
			failed=$((failed + 1))
			echo "FAIL $name @$epoch $host: $label"
			sed 's/^/    ss:   /' "$tmp/want"
			sed 's/^/    ours: /' "$tmp/got"
		fi
		rm -f "$snap"
	done
}

if [ ! -x "$prog" ]; then
	echo "truth.sh: $prog is not built" >&2
	exit 2
fi

shopt -s nullglob
truths=("$top_srcdir"/pcaps/*.truth)
if [ $# -gt 0 ]; then
	truths=()
	for n in "$@"; do truths+=("$top_srcdir/pcaps/$n.truth"); done
fi
if [ ${#truths[@]} -eq 0 ]; then
	echo "truth.sh: no truth files under pcaps/" >&2
	exit 1
fi
for t in "${truths[@]}"; do
	check_capture "$t"
done

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
