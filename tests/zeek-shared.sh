#!/bin/bash
# zeek-shared.sh: our translation of each connection into Zeek's words
# (conn_state and history in the text header) against what Zeek itself
# logged for the real-world captures in ../shared/pcaps (zeek-conn.tsv, one
# row per connection a Zeek test baselined; its README explains the
# columns).
#
# Matching: a row with addresses is matched to our connections on the same
# 4-tuple in either direction (Zeek's originator need not be our client); a
# row without addresses stands for the trace's only TCP connection, which
# is our #1.  A row that stands for several identical Zeek connections
# (zeek_conns > 1) must match every one of ours on the tuple.
#
# Settings: rows from runs with -C (checksums ignored) are compared with
# --zeek-ignore-checksums; bare mode (-b) and redefs are run as default,
# and where that changes Zeek's answer the row is listed in
# tests/zeek-differences with the reason.  conn_state is compared where the
# baseline has it ("-" when the test's log was cut without it); history
# always.
#
# Every disagreement must be listed in tests/zeek-differences (trace,
# orig_p, resp_p, field, reason; doc/vocabulary.md explains each), and
# every listed one must still disagree, so the list cannot go stale.
# Both shared samples are read: ../shared/pcaps and ../shared/pcaps-more,
# each with its own zeek-conn.tsv when it has one (a sample without one is
# named as having nothing to compare).  Skipped, saying so, when ../shared
# is not beside the source tree.

. "$(dirname "$0")/lib.sh"
if [ -n "${TFE_SKIP_LABEL_COMPARISONS:-}" ]; then
	echo "skipped: TFE_SKIP_LABEL_COMPARISONS is set (the label comparisons ran in the plain build)"
	exit 77
fi
# ../shared, or the folder holding $TFE_SHARED_PCAPS (a build outside the
# source tree)
if [ -n "${TFE_SHARED_PCAPS:-}" ]; then
	shared_top=$(dirname "$TFE_SHARED_PCAPS")
else
	shared_top=$top_srcdir/../shared
fi
known=$top_srcdir/tests/zeek-differences

if [ ! -f "$shared_top/pcaps/zeek-conn.tsv" ]; then
	echo "skipped: ../shared not present ($shared_top/pcaps/zeek-conn.tsv)"
	exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

passed=0 failed=0
cs_n=0 cs_ok=0 h_n=0 h_ok=0 documented=0

is_known() { # trace orig_p resp_p field
	awk -F'\t' -v t="$1" -v o="$2" -v r="$3" -v f="$4" \
		'$1 == t && $2 == o && $3 == r && $4 == f { found = 1 }
		 END { exit !found }' "$known"
}

for sample in pcaps pcaps-more; do
	shared=$shared_top/$sample
	table=$shared/zeek-conn.tsv
	if [ ! -f "$table" ]; then
		echo "$sample: no zeek-conn.tsv, nothing to compare with Zeek"
		continue
	fi
	# Columns by name, so that a new column in the table does not shift them.
	cols=$(head -n 1 "$table")
	col() { printf '%s\n' "$cols" | tr '\t' '\n' | grep -nx "$1" | cut -d: -f1; }
	c_trace=$(col trace) c_oh=$(col orig_h) c_op=$(col orig_p) c_rh=$(col resp_h)
	c_rp=$(col resp_p) c_cs=$(col conn_state) c_hist=$(col history)
	c_n=$(col zeek_conns) c_set=$(col settings)

	while IFS= read -r row; do
		f() { printf '%s\n' "$row" | cut -f"$1"; }
		trace=$(f "$c_trace") oh=$(f "$c_oh") op=$(f "$c_op") rh=$(f "$c_rh")
		rp=$(f "$c_rp") zcs=$(f "$c_cs") zhist=$(f "$c_hist")
		nconn=$(f "$c_n") settings=$(f "$c_set")
		[ -f "$shared/$trace" ] || continue

		opts=()
		case $settings in *-C*) opts+=(--zeek-ignore-checksums) ;; esac
		timeout 60 "$prog" -r "$shared/$trace" "${opts[@]}" > "$tmp/out" 2>/dev/null
		# the duration's words from a minute on ("65.0 s (1 min 5 s)")
		# are left out: the Zeek pair is then the third and fourth
		# words from the end
		grep -E '^#[0-9]+ ' "$tmp/out" |
			sed -E 's/ s \([0-9]+ [a-z]+ [0-9]+ [a-z]+\)$/ s/' > "$tmp/hdr"

		if [ "$oh" = "-" ]; then
			head -n 1 "$tmp/hdr" > "$tmp/mine"
		else
			a="$oh:$op" b="$rh:$rp"
			case $oh in *:*) a="[$oh]:$op" ;; esac
			case $rh in *:*) b="[$rh]:$rp" ;; esac
			awk -v a="$a" -v b="$b" '($2 == a && $4 == b) || ($2 == b && $4 == a)' \
				"$tmp/hdr" > "$tmp/mine"
			# zeek_conns identical Zeek connections: as many of ours
			[ "${nconn:-1}" -gt 1 ] 2>/dev/null || nconn=1
		fi
		n=$(wc -l < "$tmp/mine")

		check() { # field zeek ours
			local field=$1 z=$2 o=$3 ok=0
			[ "$z" = "$o" ] && ok=1
			if [ "$field" = conn_state ]; then
				cs_n=$((cs_n + 1)); cs_ok=$((cs_ok + ok))
			else
				h_n=$((h_n + 1)); h_ok=$((h_ok + ok))
			fi
			if is_known "$trace" "$op" "$rp" "$field"; then
				if [ $ok = 1 ]; then
					echo "FAIL $trace $op-$rp: $field agrees ($o) but is listed in tests/zeek-differences"
					return 1
				fi
				documented=$((documented + 1))
				echo "KNOWN $trace $op-$rp: $field Zeek $z, ours $o"
				return 0
			fi
			if [ $ok = 0 ]; then
				echo "FAIL $trace $op-$rp: $field Zeek $z, ours ${o:-(none)} ($settings)"
				return 1
			fi
			return 0
		}

		bad=0
		if [ "$n" -eq 0 ]; then
			# No connection of ours on that tuple: both fields disagree.
			check conn_state "$zcs" "" || bad=1
			check history "$zhist" "" || bad=1
		else
			if [ "$oh" != "-" ] && [ "$n" -ne "$nconn" ]; then
				echo "NOTE $trace $op-$rp: Zeek logged $nconn connection(s), we have $n"
			fi
			while read -r line; do
				set -- $line
				shift $(($# - 4))
				if [ "$zcs" != "-" ]; then
					check conn_state "$zcs" "$1" || bad=1
				fi
				check history "$zhist" "$2" || bad=1
			done < "$tmp/mine"
		fi
		if [ $bad = 0 ]; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
		fi
	done < <(tail -n +2 "$table")
done

echo "conn_state: $cs_ok of $cs_n agree with Zeek; history: $h_ok of $h_n" \
     "agree, $documented documented differences (tests/zeek-differences)"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
