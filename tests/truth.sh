#!/bin/bash
# truth.sh: the kernel's view against ours.
#
# Every pcaps/*.truth file holds the `ss -tan` snapshots the scenario lab
# took inside each network namespace while the capture ran ("@EPOCH HOST
# LABEL" followed by "ss STATE RECV-Q SEND-Q LOCAL PEER ..." lines), and
# names the captures made at the same time ("capture ... side=VANTAGE ...
# file=FILE": the client's end, and for newer scenarios also the server's
# end and the router).  For each capture and each snapshot this runs
#     tcpflow-explain -r pcaps/FILE --format netstat --at EPOCH
# and compares the sockets it shows on that host (state, local and foreign
# endpoint) with the ones ss listed.  A difference must be listed in
# tests/truth-differences with the reason (a bug to fix, or a limit of what
# a capture point can know); anything else fails, and so does a listed
# difference that no longer happens (the entry must go).
#
#   tests/truth.sh            check every capture
#   tests/truth.sh NAME...    only these scenarios (pcaps/NAME.truth)
#   tests/truth.sh --show     print every difference in the file's format
#
# Prints PASS/FAIL per snapshot, then per vantage how many socket states
# agree exactly with ss, how many are definite contradictions, how many
# are undecided with the kernel's state among the two, and
# ends with "N passed, N failed".
#
# Counting: each socket of a snapshot (ss's or ours, keyed by its two
# endpoints; listeners by port) is one socket state.  It agrees when both
# show it in the same state.  It is undecided when the tool prints "X?"
# and X or the alternative its footnote names is the kernel's state (the
# "A or B" holds; not listed as a difference).  It is a definite
# contradiction when the tool prints a definite state (not UNKNOWN, not
# marked "?") that differs from the kernel's, where a socket ss does not list is CLOSED, and a
# socket the tool does not list counts as its claim of CLOSED only when
# the tool lists the connection's other end.  Newer truth files give each
# snapshot the window in which ss ran (ss-window START END): when the view
# at START differs, the snapshot still matches if the view at END, or just
# after any frame inside the window, is the one ss showed (the kernel was
# read at some moment of the window, not at its start).

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
# An undecided state ("X?") is written "X?Y" with the alternative its
# footnote under the host names ("  ? LOCAL FOREIGN: X or Y: why";
# netstat spells CLOSED "CLOSE").
normalize_ours() {
	awk -v a4="$1" -v a6="$2" '
	function key(local, foreign,  p) {
		if (foreign ~ /\*$/) { p = local; sub(/.*:/, "", p); return "*:" p }
		return local " " foreign
	}
	/^host / { on = ($2 == a4 || $2 == a6); next }
	on && /^tcp/ { n++; st[n] = $6; k[n] = key($4, $5); next }
	on && /^  \? / {
		f = $3; sub(/:$/, "", f); a = $6; sub(/:$/, "", a)
		if (a == "CLOSE") a = "CLOSED"
		alt[key($2, f)] = a
	}
	END {
		for (i = 1; i <= n; i++) {
			s = st[i]
			if (s ~ /\?$/ && (k[i] in alt)) s = s alt[k[i]]
			print s " " k[i]
		}
	}'
}

passed=0 failed=0
declare -A seen_known=() checked=()
# Per vantage and group ("lab" or "router path"): socket states, exact
# agreements, definite contradictions.
declare -A n_states=() n_agree=() n_contra=() n_undec=()
declare -A n_lis=() n_lis_agree=() n_lis_undec=()

# count_states WANT GOT: "states agree contradictions undecided" for one
# snapshot, then the same three of them that are listeners (keyed by port
# alone): "listeners listeners-agree listeners-undecided".
count_states() {
	awk "$contains_awk"'
	FNR == 1 { file = (FILENAME == ARGV[1]) ? 1 : 2 }
	file == 1 { want[key($0)] = st($0); all[key($0)] = 1; next }
	file == 2 {
		got[key($0)] = st($0); all[key($0)] = 1
		split(key($0), e, " ")
		if (e[2] != "") { knows[e[1] " " e[2]] = 1; knows[e[2] " " e[1]] = 1 }
	}
	END {
		for (k in all) {
			n++
			lis = index(k, " ") == 0
			nl += lis
			w = (k in want) ? want[k] : "CLOSED"
			g = (k in got) ? got[k] : ""
			if (g == w) { a++; al += lis; continue }
			if (contains(g, w, k)) { u++; ul += lis; continue }
			if (g == "") {
				if (k in knows) c++
				continue
			}
			if (g != "UNKNOWN" && g !~ /\?/) {
				c++
				print "contradiction: ours " g " " k ", ss " w > "/dev/stderr"
			}
		}
		printf "%d %d %d %d %d %d %d\n", n, a, c, u, nl, al, ul
	}' "$1" "$2"
}

# The awk functions both use: a normalised line's socket key and state,
# and whether our undecided state G ("X?Y") holds ss's state W: X or Y is
# W.
contains_awk='
function key(l,  f) { split(l, f, " "); return f[1] ~ /^LISTEN/ ? f[2] : f[2] " " f[3] }
function st(l,  f) { split(l, f, " "); return f[1] }
function contains(g, w, k,  q) {
	q = index(g, "?")
	if (q == 0) return 0
	return substr(g, 1, q - 1) == w || substr(g, q + 1) == w
}'

# settle WANT GOT: GOT with each undecided state that holds ss'"'"'s
# (contains()) written as ss'"'"'s, or left out where that is no socket:
# not a difference to list.
settle() {
	awk "$contains_awk"'
	FNR == 1 { file = (FILENAME == ARGV[1]) ? 1 : 2 }
	file == 1 { want[key($0)] = st($0); next }
	{
		k = key($0); g = st($0)
		w = (k in want) ? want[k] : "CLOSED"
		if (contains(g, w, k)) {
			if (w == "CLOSED") next
			sub(/^[^ ]*/, w)
		}
		print
	}' "$1" "$2"
}

check_capture() {
	local truth=$1
	# the captures are beside their truth file; one in a folder under
	# pcaps/ is named with it ("three-places/NAME")
	local dir sub=""
	dir=$(dirname "$truth")
	[ "$dir" = "$top_srcdir/pcaps" ] || sub=${dir#"$top_srcdir"/pcaps/}/

	# host NAME ns=... if=... V4 V6
	declare -A v4=() v6=()
	local line
	while read -r _ hname _ _ a4 a6; do
		v4[$hname]=$a4
		v6[$hname]=$a6
	done < <(grep '^host ' "$truth")

	# The captures: "capture EPOCH side=V ... file=F" (older truth files
	# name one, the client's end).
	local -a vantages=() files=()
	local w side file
	while read -r line; do
		side='' file=''
		for w in $line; do
			case $w in
			side=*) side=${w#side=} ;;
			file=*) file=${w#file=} ;;
			esac
		done
		if [ -z "$side" ] || [ -z "$file" ]; then
			continue
		fi
		[ -f "$dir/$file" ] || continue
		vantages+=("$side")
		files+=("$file")
	done < <(grep '^capture ' "$truth")
	[ ${#files[@]} -gt 0 ] || return 0

	local group="lab"
	grep -q '^firewall [0-9.]* router ' "$truth" && group="router path"
	[ -z "$sub" ] || group="lab 3 places"

	# Split the truth file into one block per snapshot.
	rm -f "$tmp"/snap.*
	awk -v dir="$tmp" '
	/^@/ { n++; f = sprintf("%s/snap.%04d", dir, n); print > f; next }
	/^ss(-window)? / && n { print >> f }
	/^(call|check|capture|describe|scenario|kernel|host|attempt)/ { f = "" ; n = n }
	' "$truth"

	local i snap pcap cap vant ns na nc nu
	for i in "${!files[@]}"; do
		pcap=$dir/${files[$i]}
		cap=$sub${files[$i]%.pcap}
		vant=${vantages[$i]}
		checked[$cap]=1
		# the frames' times, for the snapshots' windows
		tcpdump -tt -nr "$pcap" 2>/dev/null | awk '{ print $1 }' > "$tmp/frames.$i"
		for snap in "$tmp"/snap.*; do
			[ -f "$snap" ] || continue
			local epoch host label wend
			read -r epoch host label < "$snap"
			epoch=${epoch#@}
			wend=$(awk '$1 == "ss-window" { print $3 }' "$snap")
			normalize_ss < "$snap" | sort > "$tmp/want"
			"$prog" -r "$pcap" --format netstat --at "$epoch" > "$tmp/view" 2>&1
			normalize_ours "${v4[$host]:-none}" "${v6[$host]:-none}" \
				< "$tmp/view" | sort > "$tmp/got"
			# ss read the kernel somewhere between the snapshot's epoch
			# and the end of its window: the view at the end counts too.
			if [ -n "$wend" ] && ! settle "$tmp/want" "$tmp/got" |
			   sort | cmp -s "$tmp/want" -; then
				local at
				while read -r at; do
					"$prog" -r "$pcap" --format netstat --at "$at" > "$tmp/view" 2>&1
					normalize_ours "${v4[$host]:-none}" "${v6[$host]:-none}" \
						< "$tmp/view" | sort > "$tmp/got.at"
					if settle "$tmp/want" "$tmp/got.at" | sort |
					   cmp -s "$tmp/want" -; then
						mv "$tmp/got.at" "$tmp/got"
						break
					fi
				done < <(awk -v a="$epoch" -v b="$wend" \
				         '$1 > a && $1 < b { printf "%.6f\n", $1 + 0.000001 }
				          END { print b }' "$tmp/frames.$i")
			fi
			local counts ns na nc
			counts=$(count_states "$tmp/want" "$tmp/got" 2>"$tmp/contra")
			if [ $show = 1 ] && [ -s "$tmp/contra" ]; then
				sed "s/^/$cap | $label | $host | /" "$tmp/contra"
			fi
			read -r ns na nc nu nl nla nlu <<<"$counts"
			n_states[$vant|$group]=$(( ${n_states[$vant|$group]:-0} + ns ))
			n_agree[$vant|$group]=$(( ${n_agree[$vant|$group]:-0} + na ))
			n_contra[$vant|$group]=$(( ${n_contra[$vant|$group]:-0} + nc ))
			n_undec[$vant|$group]=$(( ${n_undec[$vant|$group]:-0} + nu ))
			n_lis[$vant|$group]=$(( ${n_lis[$vant|$group]:-0} + nl ))
			n_lis_agree[$vant|$group]=$(( ${n_lis_agree[$vant|$group]:-0} + nla ))
			n_lis_undec[$vant|$group]=$(( ${n_lis_undec[$vant|$group]:-0} + nlu ))
			local diffs ok=1 d key
			settle "$tmp/want" "$tmp/got" | sort > "$tmp/got.settled"
			diffs=$(comm -3 "$tmp/want" "$tmp/got.settled" |
			        sed -e 's/^\t/extra /' -e '/^extra /!s/^/missing /')
			while IFS= read -r d; do
				[ -n "$d" ] || continue
				# Ephemeral client ports change with every lab run; the
				# entries name them as :EPHEMERAL.
				key=$(sed -E 's/:(3[2-9][0-9]{3}|[4-6][0-9]{4})( |$)/:EPHEMERAL\2/g' \
				      <<<"$cap | $label | $host | $d")
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
				echo "PASS $cap @$epoch $host: $label"
			else
				failed=$((failed + 1))
				echo "FAIL $cap @$epoch $host: $label"
				sed 's/^/    ss:   /' "$tmp/want"
				sed 's/^/    ours: /' "$tmp/got"
			fi
		done
	done
	rm -f "$tmp"/snap.*
}

# A listed difference of a capture that was checked, never seen: the tool
# now agrees with the kernel there, and the entry must go.
check_stale() {
	local entry cap n=0
	while IFS= read -r entry; do
		case $entry in '#'* | '') continue ;; esac
		entry=${entry% | *}
		cap=${entry%% | *}
		[ -n "${checked[$cap]:-}" ] || continue
		if [ -z "${seen_known[$entry]:-}" ]; then
			echo "FAIL listed but not seen (remove it from tests/truth-differences): $entry"
			n=$((n + 1))
		fi
	done < "$known"
	failed=$((failed + n))
	[ $n = 0 ] && passed=$((passed + 1)) && echo "PASS every listed difference still happens"
	return 0
}

# pct A N: A as a share of N, in percent with one decimal (100 for N 0).
pct() {
	awk -v a="$1" -v n="$2" 'BEGIN { printf "%.1f", n ? 100 * a / n : 100 }'
}

# The measured table: per vantage and group, how many socket states agree.
print_table() {
	local v g k pct pct2
	echo
	echo "vantage  group        states  agree  agree%  contradictions  undecided  agree-or-holds%"
	for v in client server router; do
		for g in "lab" "lab 3 places" "router path"; do
			k="$v|$g"
			[ -n "${n_states[$k]:-}" ] || continue
			pct=$(pct "${n_agree[$k]}" "${n_states[$k]}")
			pct2=$(pct $(( n_agree[$k] + n_undec[$k] )) "${n_states[$k]}")
			printf '%-8s %-12s %6d %6d %6s%% %6d %16d %8s%%\n' "$v" "$g" \
				"${n_states[$k]}" "${n_agree[$k]}" "$pct" \
				"${n_contra[$k]}" "${n_undec[$k]}" "$pct2"
		done
	done
	# Listening sockets apart: after a listener's last connection,
	# whether it still listens no capture shows (closing one sends
	# nothing), so most of the undecided states are listeners.
	echo
	echo "vantage  group        connection-states  agree%  undecided  listeners  agree%  undecided"
	for v in client server router; do
		for g in "lab" "lab 3 places" "router path"; do
			k="$v|$g"
			[ -n "${n_states[$k]:-}" ] || continue
			local nc_=$(( n_states[$k] - n_lis[$k] ))
			local ac_=$(( n_agree[$k] - n_lis_agree[$k] ))
			local uc_=$(( n_undec[$k] - n_lis_undec[$k] ))
			pct=$(pct "$ac_" "$nc_")
			pct2=$(pct "${n_lis_agree[$k]}" "${n_lis[$k]}")
			printf '%-8s %-12s %17d %6s%% %10d %10d %6s%% %9d\n' "$v" "$g" \
				"$nc_" "$pct" "$uc_" "${n_lis[$k]}" "$pct2" \
				"${n_lis_undec[$k]}"
		done
	done
	echo
}

if [ ! -x "$prog" ]; then
	echo "truth.sh: $prog is not built" >&2
	exit 2
fi
# tcpdump lists the frames' times inside each snapshot's window.
if ! command -v tcpdump >/dev/null 2>&1; then
	echo "truth.sh: SKIP: tcpdump is not installed (it reads the frames' times)"
	exit 77
fi

shopt -s nullglob
truths=("$top_srcdir"/pcaps/*.truth "$top_srcdir"/pcaps/three-places/*.truth)
if [ $# -gt 0 ]; then
	truths=()
	for n in "$@"; do truths+=("$top_srcdir/pcaps/$n.truth"); done
	# NAME also names its run in three-places/, when there is one
	for n in "$@"; do
		[ -f "$top_srcdir/pcaps/three-places/$n.truth" ] &&
			truths+=("$top_srcdir/pcaps/three-places/$n.truth")
	done
fi
if [ ${#truths[@]} -eq 0 ]; then
	echo "truth.sh: no truth files under pcaps/" >&2
	exit 1
fi
for t in "${truths[@]}"; do
	check_capture "$t"
done
check_stale
print_table

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
