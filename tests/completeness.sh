#!/bin/bash
# completeness.sh: each connection's tcp.completeness against what tshark
# computes for the same stream, and each connection's packets against
# Arkime's.
#
# 1. The project's pcaps/ and the captures tests/craft describes (made
#    with tests/craftpcap): tshark's values ("tshark -2", the stream's
#    last value) and every stream must match one of our connections with
#    the same value.  The k-th tshark stream on a 4-tuple (tshark numbers
#    streams in the order they start, and starts a new one when a SYN
#    reuses the ports) is the k-th of our connections on it.  tshark's
#    answers are kept in tests/completeness-tshark.tsv, each under the
#    SHA-256 of the capture it read; a capture whose bytes are not there
#    (a new or changed one) is given to tshark now, and the test says to
#    refresh the table (tests/completeness.sh --refresh, which runs
#    tshark on every capture and writes the table anew).  Without tshark
#    such captures are skipped, saying so.
# 2. The real-world captures in ../shared/pcaps and ../shared/pcaps-more,
#    against their tshark-tcp.tsv (tshark's answers, kept in the table, so
#    tshark is not run).  A stream maps to one connection when our
#    connections on its 4-tuple (either direction) whose frames overlap the
#    stream's first..last frames are exactly one, and that connection
#    overlaps no other stream; the other streams are counted, not compared
#    (another connection split, or a link layer we do not decode).
# 3. ../shared/pcaps-more/arkime-sessions.tsv: for every Arkime session
#    that maps to one connection the same way (its first..last frames, no
#    VLAN or tunnel, not saved in pieces), the packets each direction sent
#    equal ours, and so do the SYN and SYN+ACK segments (both directions
#    together, retransmissions included, Arkime's tcpflags.syn and
#    tcpflags.syn-ack).
#
# Every disagreement of parts 2 and 3 must be listed in
# tests/completeness-differences (trace, tshark stream or "arkime:SESSION",
# field, reason), and every listed one must still disagree, so the list
# cannot go stale.  Parts 2 and 3 are skipped, saying so, when ../shared is
# not beside the source tree.

. "$(dirname "$0")/lib.sh"
if [ -n "${TFE_SKIP_LABEL_COMPARISONS:-}" ]; then
	echo "skipped: TFE_SKIP_LABEL_COMPARISONS is set (the label comparisons ran in the plain build)"
	exit 77
fi
# ../shared, or the folder holding $TFE_SHARED_PCAPS (a build outside the
# source tree)
if [ -n "${TFE_SHARED_PCAPS:-}" ]; then
	shared=$(dirname "$TFE_SHARED_PCAPS")
else
	shared=$top_srcdir/../shared
fi
known=$top_srcdir/tests/completeness-differences
table=$top_srcdir/tests/completeness-tshark.tsv
refresh=0
[ "${1:-}" = --refresh ] && refresh=1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

passed=0 failed=0 skipped_parts=0

# ---- 1. the project's captures, against tshark run now

# "k tupleA tupleB value", tuple ends sorted so both directions agree.
key() {
	awk '{ a = $1; b = $2; if (a > b) { t = a; a = b; b = t }
	       n = ++seen[a " " b]; print n, a, b, $3 }'
}

# tshark_streams FILE: per stream "src dst value", the last value; IPv6
# addresses in brackets as we print them.  In a tunnel each address
# field is the innermost of its family (occurrence=l), and the family of
# the IP header that carries TCP is the protocol before "tcp" in
# frame.protocols.
tshark_streams() {
	tshark -2 -n -r "$1" -T fields -E separator=/t -E occurrence=l \
		-e tcp.stream -e ip.src -e ipv6.src -e tcp.srcport \
		-e ip.dst -e ipv6.dst -e tcp.dstport -e tcp.completeness \
		-e frame.protocols 2>/dev/null |
	awk -F'\t' '$1 != "" {
		v6 = $9 ~ /:ipv6:tcp(:|$)/ || $2 == ""
		s = !v6 ? $2 ":" $4 : "[" $3 "]:" $4
		d = !v6 ? $5 ":" $7 : "[" $6 "]:" $7
		if (!($1 in first)) { first[$1] = s " " d; order[n++] = $1 }
		last[$1] = $8
	} END { for (i = 0; i < n; i++) print first[order[i]], last[order[i]] }'
}

have_tshark=0
command -v tshark >/dev/null 2>&1 && have_tshark=1
if [ $refresh = 1 ] && [ $have_tshark = 0 ]; then
	echo "completeness.sh --refresh: tshark is not installed" >&2
	exit 2
fi
# ... and the crafted captures of tests/craft (tests/craftpcap)
mkdir "$tmp/craft"
for d in "$top_srcdir"/tests/craft/*.txt; do
	"$top_builddir/tests/craftpcap" "$d" \
		"$tmp/craft/$(basename "$d" .txt).pcap" 2>/dev/null ||
		{ echo "FAIL: tests/craftpcap $d"; failed=$((failed + 1)); }
done
if [ $refresh = 1 ]; then
	{
		echo "# tshark's tcp.completeness per stream (tests/completeness.sh, part 1):"
		echo "# capture, SHA-256 of its bytes, then \"source destination value\" per"
		echo "# stream in tshark's order (\"-\" for a capture with no TCP stream)."
		echo "# Written by tests/completeness.sh --refresh with $(tshark --version | head -n 1 | sed "s/\.$//")."
		for f in "$top_srcdir"/pcaps/*.pcap "$tmp"/craft/*.pcap; do
			h=$(sha256sum < "$f" | cut -d' ' -f1)
			tshark_streams "$f" > "$tmp/streams"
			if [ -s "$tmp/streams" ]; then
				sed "s|^|$(basename "$f")\t$h\t|" "$tmp/streams"
			else
				printf '%s\t%s\t-\n' "$(basename "$f")" "$h"
			fi
		done
	} > "$tmp/table"
	mv "$tmp/table" "$table"
	echo "wrote $table"
	exit 0
fi
{
	from_table=0 run_now=0 not_run=0
	for f in "$top_srcdir"/pcaps/*.pcap "$tmp"/craft/*.pcap; do
		name=$(basename "$f")
		h=$(sha256sum < "$f" | cut -d' ' -f1)
		if grep -q "^$name	$h	" "$table" 2>/dev/null; then
			awk -F'\t' -v n="$name" -v h="$h" '$1 == n && $2 == h && $3 != "-" { print $3 }' \
				"$table" | key > "$tmp/theirs"
			from_table=$((from_table + 1))
		elif [ $have_tshark = 1 ]; then
			tshark_streams "$f" | key > "$tmp/theirs"
			run_now=$((run_now + 1))
			echo "NOTE $name: not in tests/completeness-tshark.tsv with these bytes: tshark run now (tests/completeness.sh --refresh writes the table anew)"
		else
			not_run=$((not_run + 1))
			continue
		fi

		# ours: "#id client -> server ..." then the options line.
		"$prog" -r "$f" > "$tmp/out" 2>/dev/null
		awk '/^#[0-9]+ / { id = substr($1, 2); c = $2; s = $4; next }
		     id != "" && /tcp\.completeness/ { print id, c, s, $NF; id = "" }' \
			"$tmp/out" | sort -n | cut -d' ' -f2- | key > "$tmp/ours"

		if [ ! -s "$tmp/theirs" ]; then
			continue
		fi
		# A capture listed with field "streams" splits one tshark
		# stream into connections of ours: each 4-tuple must still
		# carry the same values, whatever their number.
		listed=0
		awk -F'\t' -v t="$name" '$1 == t && $3 == "streams" { f = 1 }
			END { exit !f }' "$known" && listed=1
		if diff -u "$tmp/theirs" "$tmp/ours" > "$tmp/diff"; then
			if [ $listed = 1 ]; then
				failed=$((failed + 1))
				echo "FAIL $name: agrees with tshark but is listed in tests/completeness-differences"
			else
				passed=$((passed + 1))
			fi
		elif [ $listed = 1 ] &&
		     cmp -s <(cut -d' ' -f2- "$tmp/theirs" | sort -u) \
		            <(cut -d' ' -f2- "$tmp/ours" | sort -u); then
			passed=$((passed + 1))
			echo "KNOWN $name: more connections than tshark streams on a 4-tuple, the same values"
		else
			failed=$((failed + 1))
			echo "FAIL $name: tshark (-) and ours (+) differ"
			sed 's/^/    /' "$tmp/diff"
		fi
	done
	echo "pcaps/ and tests/craft: $passed captures agree with tshark, $failed differ ($from_table from the table of tshark's answers, $run_now run now)"
	if [ $not_run -gt 0 ]; then
		echo "skipped: $not_run captures of pcaps/ and tests/craft are not in tests/completeness-tshark.tsv and tshark is not installed"
		skipped_parts=$((skipped_parts + 1))
	fi
}

# ---- 2. and 3. the shared captures, against the tables

if [ ! -f "$shared/pcaps/tshark-tcp.tsv" ] ||
   [ ! -f "$shared/pcaps-more/tshark-tcp.tsv" ]; then
	echo "skipped: ../shared not present ($shared/pcaps/tshark-tcp.tsv," \
	     "$shared/pcaps-more/tshark-tcp.tsv): the shared captures are not compared"
	skipped_parts=$((skipped_parts + 1))
	[ $skipped_parts -eq 2 ] && exit 77
	[ $failed -eq 0 ]
	exit
fi

# Our connections of a capture, one line each: "key first_frame
# last_frame completeness client_addr client_port client_pkts server_pkts
# syn synack", where key is the two ends, sorted, as "addr port addr port",
# and syn and synack count the segments with SYN (without and with ACK).
ours() { # file
	timeout 120 "$prog" -r "$1" --format json --events 2>/dev/null |
	awk '
	function num(name,   r) {
		if (!match($0, "\"" name "\":[0-9]+")) return "-"
		r = substr($0, RSTART, RLENGTH); sub(/.*:/, "", r); return r
	}
	function ep(name,   r) {
		if (!match($0, "\"" name "\":\\{\"addr\":\"[^\"]*\",\"port\":[0-9]+"))
			return "- -"
		r = substr($0, RSTART, RLENGTH)
		sub(/.*"addr":"/, "", r); sub(/","port":/, " ", r); return r
	}
	/^\{"type":"connection"/ {
		c = ep("client"); s = ep("server")
		k = c < s ? c " " s : s " " c
		# the first "pkts" is the client'"'"'s, the second the server'"'"'s
		line = $0
		match(line, /"pkts":[0-9]+/); cp = substr(line, RSTART + 7, RLENGTH - 7)
		line = substr(line, RSTART + RLENGTH)
		match(line, /"pkts":[0-9]+/); sp = substr(line, RSTART + 7, RLENGTH - 7)
		syn = 0; synack = 0; line = $0
		while (match(line, /"flags":"[A-Z]*"/)) {
			fl = substr(line, RSTART + 9, RLENGTH - 10)
			line = substr(line, RSTART + RLENGTH)
			if (fl ~ /S/) { if (fl ~ /A/) synack++; else syn++ }
		}
		print k, num("first_frame"), num("last_frame"),
		      num("wireshark_completeness"), c, cp, sp, syn, synack
	}'
}

is_known() { # trace id field
	awk -F'\t' -v t="$1" -v i="$2" -v f="$3" \
		'$1 == t && $2 == i && $3 == f { found = 1 }
		 END { exit !found }' "$known"
}

ws_n=0 ws_ok=0 ws_unmapped=0 ark_n=0 ark_ok=0 ark_unmapped=0 documented=0
tbl_failed=0

check() { # trace id field theirs ours
	local ok=0
	[ "$4" = "$5" ] && ok=1
	if is_known "$1" "$2" "$3"; then
		if [ $ok = 1 ]; then
			echo "FAIL $1 $2: $3 agrees ($5) but is listed in tests/completeness-differences"
			tbl_failed=$((tbl_failed + 1))
			return 1
		fi
		documented=$((documented + 1))
		echo "KNOWN $1 $2: $3 theirs $4, ours $5"
		return 1
	fi
	if [ $ok = 0 ]; then
		echo "FAIL $1 $2: $3 theirs $4, ours $5"
		tbl_failed=$((tbl_failed + 1))
		return 1
	fi
	return 0
}

# Pairs "row our_line" of rows (key first last ...) with our connections
# that map one to one; reads the rows from $1 and ours from $2, prints
# "M row-fields | our-fields" for mapped rows and "U row-fields" for the
# others.
pair() {
	awk -v rows="$1" '
	BEGIN {
		while ((getline l < rows) > 0) { R[nr++] = l }
	}
	{ O[no++] = $0 }
	END {
		for (i = 0; i < nr; i++) {
			split(R[i], r, " ")
			rk = r[1] " " r[2] " " r[3] " " r[4]
			for (j = 0; j < no; j++) {
				split(O[j], o, " ")
				ok_ = o[1] " " o[2] " " o[3] " " o[4]
				if (rk != ok_ || o[5] == "-") continue
				if (o[5] + 0 > r[6] + 0 || o[6] + 0 < r[5] + 0) continue
				nrow[i]++; with[i] = j; nour[j]++
			}
		}
		for (i = 0; i < nr; i++) {
			if (nrow[i] == 1 && nour[with[i]] == 1)
				print "M", R[i], "|", O[with[i]]
			else
				print "U", R[i]
		}
	}' "$2"
}

for sample in pcaps pcaps-more; do
	dir=$shared/$sample
	ws_n0=$ws_n ws_ok0=$ws_ok ws_u0=$ws_unmapped
	# "trace key first last stream completeness", key sorted as ours
	awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{
		a = $c["a_addr"] " " $c["a_port"]; b = $c["b_addr"] " " $c["b_port"]
		k = a < b ? a " " b : b " " a
		print $c["trace"], k, $c["first_frame"], $c["last_frame"],
		      $c["stream"], $c["completeness"]
	}' "$dir/tshark-tcp.tsv" > "$tmp/ws-$sample"
	if [ -f "$dir/arkime-sessions.tsv" ]; then
		# "trace key first last session srcpkts dstpkts syn synack src"
		awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["vlan"] == "-" && $c["outer_ips"] == "-" && $c["rootId"] == "-" &&
		$c["first_frame"] != "-" {
			a = $c["source.ip"] " " $c["source.port"]
			b = $c["destination.ip"] " " $c["destination.port"]
			k = a < b ? a " " b : b " " a
			print $c["trace"], k, $c["first_frame"], $c["last_frame"],
			      $c["session"], $c["source.packets"],
			      $c["destination.packets"], $c["tcpflags.syn"],
			      $c["tcpflags.syn-ack"], a
		}' "$dir/arkime-sessions.tsv" > "$tmp/ark-$sample"
	else
		: > "$tmp/ark-$sample"
	fi

	for trace in $(cut -d' ' -f1 "$tmp/ws-$sample" "$tmp/ark-$sample" | sort -u); do
		[ -f "$dir/$trace" ] || continue
		ours "$dir/$trace" > "$tmp/ours"

		awk -v t="$trace" '$1 == t' "$tmp/ws-$sample" | cut -d' ' -f2- \
			> "$tmp/rows"
		if [ -s "$tmp/rows" ]; then
			pair "$tmp/rows" "$tmp/ours" > "$tmp/paired"
			ws_unmapped=$((ws_unmapped + $(grep -c '^U' "$tmp/paired")))
			# stream, tshark's value, ours
			while read -r stream theirs mine; do
				ws_n=$((ws_n + 1))
				check "$trace" "$stream" completeness "$theirs" "$mine" &&
					ws_ok=$((ws_ok + 1))
			done < <(awk '$1 == "M" { print $8, $9, $17 }' "$tmp/paired")
		fi

		awk -v t="$trace" '$1 == t' "$tmp/ark-$sample" | cut -d' ' -f2- \
			> "$tmp/rows"
		if [ -s "$tmp/rows" ]; then
			pair "$tmp/rows" "$tmp/ours" > "$tmp/paired"
			ark_unmapped=$((ark_unmapped + $(grep -c '^U' "$tmp/paired")))
			# session, Arkime's source/destination packets, SYN/SYN+ACK,
			# ours in Arkime's orientation
			while read -r sess theirs tsyn mine osyn; do
				ark_n=$((ark_n + 1))
				ok=1
				check "$trace" "arkime:$sess" packets "$theirs" "$mine" || ok=0
				check "$trace" "arkime:$sess" syn "$tsyn" "$osyn" || ok=0
				[ $ok = 1 ] && ark_ok=$((ark_ok + 1))
			done < <(awk '$1 == "M" {
				src_is_client = ($13 " " $14) == ($23 " " $24)
				print $8, $9 "/" $10, $11 "/" $12,
				      src_is_client ? $25 "/" $26 : $26 "/" $25,
				      $27 "/" $28 }' "$tmp/paired")
		fi
	done
	echo "$sample: tcp.completeness agrees with tshark on" \
	     "$((ws_ok - ws_ok0)) of $((ws_n - ws_n0)) streams that map to one" \
	     "connection ($((ws_unmapped - ws_u0)) do not map)"
done

echo "shared: tcp.completeness agrees with tshark on $ws_ok of $ws_n streams" \
     "that map to one connection ($ws_unmapped do not map);" \
     "Arkime's packets and SYNs agree on $ark_ok of $ark_n sessions" \
     "($ark_unmapped do not map); $documented documented differences" \
     "(tests/completeness-differences)"
failed=$((failed + tbl_failed))
echo "$failed failed"
[ $failed -eq 0 ]
