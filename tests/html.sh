#!/bin/bash
# html.sh: --format html (doc/html.md) holds what the text form says, and
# nothing from a capture can become markup.
#
#   - structure: for every capture in pcaps/ and every description in
#     tests/craft/, the page with --draw all has, for each connection of
#     the text form, its line in the list and its section, and in the
#     section's ladder exactly the text form's timeline rows (a row per
#     frame row and run, by first frame, and as many timer and arrival
#     rows), a state
#     band per side, the window graph, and each verdict line's kind and
#     severity; the page's tags nest and its ids are unique
#     (tests/html-check.py, which is first shown to fail broken pages);
#   - escaping: a crafted capture whose file name and payload carry
#     markup, read with a filter holding "<": the page keeps exactly its
#     own one script, no element has an event attribute, and the name
#     reads back as text;
#   - SACK: the time-sequence graph draws each SACK block of a crafted
#     loss at the time of its ACK, from its left to its right edge;
#   - --conn N: every form prints connection N alone;
#   - --draw: warnings, counts and all choose what is drawn, and the page
#     says what was not; the size bounds of doc/html.md hold on flood
#     captures (many connections; one connection of many rows).
#
# Needs python3 (it reads the pages); skips without it.

. "$(dirname "$0")/lib.sh"
craftpcap=$top_builddir/tests/craftpcap
flood=$top_builddir/tests/flood
check=$top_srcdir/tests/html-check.py

if ! command -v python3 >/dev/null 2>&1; then
	echo "SKIP: python3 is not installed (it reads the pages)"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tfe-html.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

npass=0 nfail=0
pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }

# ---- structure -----------------------------------------------------------
# One checker run for all the captures (python's start is the slow part).
: >"$tmp/pairs"
count=0
for f in "$top_srcdir"/pcaps/*.pcap "$top_srcdir"/tests/craft/*.txt; do
	n=$(basename "$f")
	case $f in
	*.txt)
		p=$tmp/${n%.txt}.pcap
		"$craftpcap" "$f" "$p" 2>/dev/null || continue
		f=$p ;;
	esac
	count=$((count + 1))
	"$prog" -r "$f" >"$tmp/$count.txt" 2>/dev/null
	"$prog" -r "$f" --format html --draw all >"$tmp/$count.html" 2>/dev/null
	printf '%s\t%s\t%s\n' "$n" "$tmp/$count.txt" "$tmp/$count.html" >>"$tmp/pairs"
done
if out=$(python3 "$check" structure-list "$tmp/pairs" 2>&1); then
	pass "structure: $count captures, every connection, row and verdict of the text form in the page"
else
	fail "structure" "$out"
fi

# The checker itself: a page that lacks a row, or whose tags do not nest,
# fails it (else the loop above could pass whatever the page holds).
"$prog" -r "$top_srcdir/pcaps/lost-final-ack.pcap" >"$tmp/l.txt"
"$prog" -r "$top_srcdir/pcaps/lost-final-ack.pcap" --format html >"$tmp/l.html"
sed 's/id="c1-f11"/id="c1-x11"/' "$tmp/l.html" >"$tmp/l-norow.html"
sed 's|</text><text class="tm"|<text class="tm"|' "$tmp/l.html" >"$tmp/l-nest.html"
if python3 "$check" structure "$tmp/l.txt" "$tmp/l.html" >/dev/null 2>&1 &&
   ! python3 "$check" structure "$tmp/l.txt" "$tmp/l-norow.html" >/dev/null 2>&1 &&
   ! python3 "$check" structure "$tmp/l.txt" "$tmp/l-nest.html" >/dev/null 2>&1; then
	pass "structure check: fails a page without a row and one whose tags do not nest"
else
	fail "structure check" "passes a broken page, or fails the good one"
fi

# ---- escaping ------------------------------------------------------------
hostile_name=$'x"><svg onload=alert(1)>&amp;\'<script>alert(2)<\\script>\xff.pcap'
cat >"$tmp/hostile.txt" <<'EOF'
# A connection whose payload is markup: nothing of it may reach the page.
client 10.0.0.1:40000
server 10.0.0.2:80
0.000 c S  seq=1000 win=64240 mss=1460
0.010 s SA seq=5000 ack=1001 win=65160 mss=1460
0.020 c A  seq=1001 ack=5001 win=502
0.030 c PA seq=1001 ack=5001 win=502 payload=3c2f7469746c653e3c7363726970743e616c6572742833293c2f7363726970743e
0.040 s R  seq=5001 win=0
EOF
if "$craftpcap" "$tmp/hostile.txt" "$tmp/$hostile_name" 2>"$tmp/err"; then
	"$prog" -r "$tmp/$hostile_name" --format html --draw all tcp and len '<' 100000 \
		>"$tmp/h.html" 2>"$tmp/err"
	rc=$?
	if [ $rc = 0 ] &&
	   out=$(python3 "$check" hostile "$tmp/h.html" "$hostile_name" 2>&1); then
		pass "escaping: markup in the file name, the payload and the filter stays text"
	else
		fail "escaping" "exit $rc: $out $(cat "$tmp/err")"
	fi
else
	fail "escaping" "craftpcap: $(cat "$tmp/err")"
fi

# ---- SACK blocks in the time-sequence graph ------------------------------
# A loss the receiver reports with SACK: the server's data 101-200 is
# lost, 201-300 and then 301-400 arrive, and the client's two duplicate
# ACKs of 101 report one block (201-301), then two (301-401 and 201-301,
# the latest first, as RFC 2018 has it); both are ordinary frames folded
# into a run.  Each block is drawn at its ACK's time from its left edge to
# its right edge in the server-to-client graph, and nowhere else; the
# retransmitted hole (frame 9, 101-201) ends where the blocks begin.  The
# hole is re-sent 10.5 ms after it appeared, more than the handshake's
# 10.1 ms round trip: sooner, it would be out of order, not re-sent.
cat >"$tmp/sack.txt" <<'EOT'
client 10.0.0.1:40000
server 10.0.0.2:8080
0.000000 c S  seq=1000 win=64240 mss=1460 sackok ws=7
0.010000 s SA seq=5000 ack=1001 win=65160 mss=1460 sackok ws=7
0.010100 c A  seq=1001 ack=5001 win=502
0.020000 s PA seq=5001 ack=1001 win=509 len=100
0.020010 s PA seq=5201 ack=1001 win=509 len=100
0.020200 c A  seq=1001 ack=5101 win=502 sack=5201-5301
0.020300 s PA seq=5301 ack=1001 win=509 len=100
0.020400 c A  seq=1001 ack=5101 win=502 sack=5301-5401,5201-5301
0.030500 s PA seq=5101 ack=1001 win=509 len=100
0.030600 c A  seq=1001 ack=5401 win=502
0.040000 c FA seq=1001 ack=5401 win=502
0.040100 s FA seq=5401 ack=1002 win=509
0.040200 c A  seq=1002 ack=5402 win=502
EOT
"$craftpcap" "$tmp/sack.txt" "$tmp/sack.pcap"
"$prog" -r "$tmp/sack.pcap" --format html >"$tmp/sack.html"
if out=$(python3 - "$tmp/sack.html" <<'EOP' 2>&1
import re, sys
page = open(sys.argv[1]).read()
s2c = re.search(r'<svg class="graph tseq s2c".*?</svg>', page, re.S).group(0)
c2s = re.search(r'<svg class="graph tseq c2s".*?</svg>', page, re.S).group(0)
blocks = re.findall(r'<g class="sack" data-frame="(\d+)" data-left="(\d+)" '
                    r'data-right="(\d+)"><title>frame \d+: SACK block '
                    r'(\d+)-(\d+) \(ACK (\d+)\)</title><path d="M([\d.]+) '
                    r'([\d.]+) V([\d.]+) M[\d.]+ ([\d.]+) h8 M[\d.]+ '
                    r'([\d.]+) h8"/></g>', s2c)
got = [(int(f), int(l), int(r), int(a)) for f, l, r, l2, r2, a, *_ in blocks]
want = [(6, 201, 301, 101), (8, 301, 401, 101), (8, 201, 301, 101)]
assert got == want, "blocks %s, expected %s" % (got, want)
assert s2c.count('class="sack"') == 3, "other SACK marks in the graph"
assert 'class="sack"' not in c2s, "a SACK block in the client's graph"
for f, l, r, l2, r2, a, x, y0, y1, ya, yb in blocks:
    assert (l, r) == (l2, r2), "title and data differ"
    assert (y0, y1) == (ya, yb), "the edges are not the bar's ends"
    assert float(y0) > float(y1), "the left edge is not below the right"
# the hole retransmitted, 101-201, ends where the first block begins
hole = re.search(r'<line class="retrans" x1="[\d.]+" y1="([\d.]+)" '
                 r'x2="[\d.]+" y2="([\d.]+)"><title>frame 9: seq 101 ', s2c)
assert hole, "no retransmission of frame 9"
assert hole.group(2) == blocks[0][7], \
    "block 201 at y %s, the hole's end at %s" % (blocks[0][7], hole.group(2))
# two blocks of one ACK share its x; the later ACK is to the right
assert blocks[1][6] == blocks[2][6] and float(blocks[1][6]) > float(blocks[0][6])
print("3 blocks")
EOP
); then
	pass "SACK: each block drawn from its left to its right edge at its ACK ($out; frames 6 and 8, folded)"
else
	fail "SACK blocks" "$out"
fi
# the bound: 600 ACKs with a block each keep the first 512, and the graph
# says how many more there were
{
	sed -n '1,5p' "$tmp/sack.txt"
	for i in $(seq 1 600); do
		printf '0.%06d c A  seq=1001 ack=5101 win=502 sack=5201-5301\n' $((20100 + i))
	done
} >"$tmp/sacks.txt"
"$craftpcap" "$tmp/sacks.txt" "$tmp/sacks.pcap"
"$prog" -r "$tmp/sacks.pcap" --format html >"$tmp/sacks.html"
n=$(grep -c '^<g class="sack" ' "$tmp/sacks.html")
if [ "$n" -eq 512 ] && [ "$(grep -o '<g class="sack" data-frame="[0-9]*"' "$tmp/sacks.html" | tail -n 1)" = '<g class="sack" data-frame="515"' ] &&
	grep -q '>SACK blocks of 88 later segments not drawn (the first 512 are)</text>' "$tmp/sacks.html"; then
	pass "SACK: 600 segments with a block: the first 512 drawn (frames 4-515), the 88 others counted on the graph"
else
	fail "SACK bound" "$n drawn"
fi
"$prog" -r "$tmp/handshake-close-client-first.pcap" --format html >"$tmp/nosack.html" 2>/dev/null
if ! grep -q 'class="sack"' "$tmp/nosack.html"; then
	pass "SACK: a capture without SACK blocks has none drawn"
else
	fail "SACK none" "a SACK block drawn"
fi

# ---- --conn N in every form ----------------------------------------------
multi=$tmp/multi-conn.pcap
"$craftpcap" "$top_srcdir/tests/craft/multi-conn.txt" "$multi"
total=$("$prog" -r "$multi" | grep -c '^#')
if [ "$total" -ge 2 ]; then
	ok=1 why=""
	t=$("$prog" -r "$multi" --conn 2 | grep '^#' | cut -d' ' -f1 | tr '\n' ' ')
	[ "$t" = "#2 " ] || { ok=0; why="$why text: '$t';"; }
	t=$("$prog" -r "$multi" --conn 2 --format ladder | grep '^#' | cut -d' ' -f1 | tr '\n' ' ')
	[ "$t" = "#2 " ] || { ok=0; why="$why ladder: '$t';"; }
	t=$("$prog" -r "$multi" --conn 2 --format json | grep -c '"id":2[,}]')
	l=$("$prog" -r "$multi" --conn 2 --format json | wc -l)
	[ "$t" = 1 ] && [ "$l" = 2 ] || { ok=0; why="$why json: $t of $l lines;"; }
	l=$("$prog" -r "$multi" --conn 2 --format conn | wc -l)
	[ "$l" = 2 ] || { ok=0; why="$why conn: $l lines;"; }
	"$prog" -r "$multi" --conn 2 --format html >"$tmp/c2.html"
	s=$(grep -o '<section class="conn[^"]*" id="c[0-9]*"' "$tmp/c2.html" | grep -o 'id="c[0-9]*"' | tr '\n' ' ')
	r=$(grep -o '<tr id="l[0-9]*"' "$tmp/c2.html" | tr '\n' ' ')
	[ "$s" = 'id="c2" ' ] && [ "$r" = '<tr id="l2" ' ] ||
		{ ok=0; why="$why html: sections '$s' rows '$r';"; }
	"$prog" -r "$multi" --conn 99 --format html >"$tmp/c99.html"
	grep -q 'No connection numbered 99' "$tmp/c99.html" ||
		{ ok=0; why="$why html: no word of a missing connection;"; }
	"$prog" -r "$multi" --conn 0 >/dev/null 2>&1 && { ok=0; why="$why --conn 0 accepted;"; }
	[ $ok = 1 ] && pass "--conn 2: text, ladder, json, conn and html print connection 2 alone" ||
		fail "--conn" "$why"
else
	fail "--conn" "multi-conn.txt has $total connections"
fi

# ---- --draw and the size bounds ------------------------------------------
sections() { grep -c '<section class="conn' "$1"; }
# 120 SYNs refused with RST: a warning each (rst_to_closed_port), more
# than TFE_HTML_DRAW_WARN_MAX (50)
{
	echo "# 120 connections refused"
	for i in $(seq 1 120); do
		echo "conn client 10.0.0.1:$((40000 + i)) server 10.0.0.2:81"
		echo "$i.000 c S seq=1000 win=64240"
		echo "$i.001 s RA seq=0 ack=1001 win=0"
	done
} >"$tmp/refused.txt"
"$craftpcap" "$tmp/refused.txt" "$tmp/refused.pcap"
"$prog" -r "$tmp/refused.pcap" --format html >"$tmp/refused.html"
"$prog" -r "$tmp/refused.pcap" --format html --draw all >"$tmp/refused-all.html"
a=$(sections "$tmp/refused.html") b=$(sections "$tmp/refused-all.html")
l=$(grep -c '<tr id="l' "$tmp/refused.html")
if [ "$a" = 50 ] && [ "$b" = 120 ] && [ "$l" = 120 ] &&
   grep -q '70 more with a warning are not drawn' "$tmp/refused.html" &&
   ! grep -q 'class="note"' "$tmp/refused-all.html"; then
	pass "--draw: 50 of 120 warnings drawn by default, the rest named; all 120 with --draw all"
else
	fail "--draw warnings" "drawn $a and $b, listed $l"
fi
# multi-conn: no warnings; --draw warnings draws none, --draw 1 the
# largest and the longest (one or two connections)
w=$("$prog" -r "$multi" | grep -c 'verdict .* (warning)')
d0=$("$prog" -r "$multi" --format html --draw warnings | grep -c '<section class="conn')
d1=$("$prog" -r "$multi" --format html --draw 1 | grep -c '<section class="conn')
if [ "$w" = 0 ] && [ "$d0" = 0 ] && [ "$d1" -ge 1 ] && [ "$d1" -le 2 ]; then
	pass "--draw warnings draws none of a capture without warnings, --draw 1 the largest and the longest"
else
	fail "--draw N" "warnings $w, drawn $d0 and $d1"
fi
"$prog" -r "$multi" --draw 1 >/dev/null 2>&1 && fail "--draw" "accepted without --format html"
"$prog" -r "$multi" --format html --draw 21 >/dev/null 2>&1 && fail "--draw" "accepted 21 (the most is 20)"

# doc/html.md's bounds: 5000 connections listed, 300 rows drawn per
# connection, 20 MB with the defaults
"$flood" syns 6000 >"$tmp/many.pcap"
"$prog" -r "$tmp/many.pcap" --format html >"$tmp/many.html"
size=$(wc -c <"$tmp/many.html") l=$(grep -c '<tr id="l' "$tmp/many.html")
if [ "$l" = 5000 ] && [ "$size" -lt 20000000 ] &&
   grep -q '1000 more are counted in the summary only' "$tmp/many.html"; then
	pass "bound: 6000 connections, 5000 listed, $size bytes"
else
	fail "bound: list" "$l listed, $size bytes"
fi
"$flood" endless 20000 >"$tmp/endless.pcap"
"$prog" -r "$tmp/endless.pcap" --format html --all-frames >"$tmp/endless.html"
rows=$(grep -c '<g class="row' "$tmp/endless.html")
size=$(wc -c <"$tmp/endless.html")
if [ "$rows" = 300 ] && grep -q 'The first 300 of its 20' "$tmp/endless.html" &&
   [ "$size" -lt 400000 ]; then
	pass "bound: one connection of 20000 rows draws 300 ($size bytes) and says so"
else
	fail "bound: rows" "$rows rows drawn, $size bytes"
fi

echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
