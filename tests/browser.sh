#!/bin/bash
# browser.sh: pages of --format html in a real browser (headless
# chromium).
#
# Each page is loaded once, with its DOM dumped after the scripts ran and a
# screenshot taken (kept beside the test logs as tests/browser-NAME.png
# for a person to look at; never compared by pixels).  A page passes when
# the browser logged no console message (errors and exceptions are logged
# there), the page's own script ran to its end (body data-ready="1") and
# caught no error (#tfe-errors empty), and the DOM holds per connection
# drawn one ladder with its state bands, rows and window graph.  Pages:
#   lost-final-ack   the textbook close with the last ACK lost
#   hostile          a capture whose file name and payload carry markup:
#                    the DOM has one script and no injected element
#   many             2000 refused connections: the list of 2000 with its
#                    filter, 50 drawn (doc/html.md's bound)
# A page with a deliberate error is loaded first: the test fails unless
# that error is seen, so a browser that logs nothing cannot pass it.
#
# Skips when chromium is not installed (bootstrap installs it).

. "$(dirname "$0")/lib.sh"
craftpcap=$top_builddir/tests/craftpcap

browser=""
for b in chromium chromium-browser; do
	if command -v "$b" >/dev/null 2>&1; then
		browser=$b
		break
	fi
done
if [ -z "$browser" ]; then
	echo "SKIP: chromium is not installed (apt-get install chromium)"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tfe-browser.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
shots=$top_builddir/tests

npass=0 nfail=0
pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }

# load NAME PAGE: the DOM into $tmp/NAME.dom, the browser's log into
# $tmp/NAME.log, the screenshot into tests/browser-NAME.png
load() {
	timeout 60 "$browser" --headless --no-sandbox --disable-gpu \
		--disable-extensions --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --mute-audio \
		--user-data-dir="$tmp/profile" --enable-logging=stderr --v=0 \
		--hide-scrollbars --window-size=1000,1400 \
		--screenshot="$shots/browser-$1.png" --dump-dom "file://$2" \
		>"$tmp/$1.dom" 2>"$tmp/$1.log"
}

consoled() { grep -E ':CONSOLE[:(]' "$tmp/$1.log"; }

# check NAME PAGE: the page loads clean and its drawings are whole
check() {
	local name=$1 page=$2 why="" n ladders bands wins rows
	if ! load "$name" "$page"; then
		fail "$name" "$browser failed: $(tail -n 3 "$tmp/$name.log")"
		return
	fi
	if consoled "$name" >/dev/null; then
		why="$why console: $(consoled "$name" | head -n 3);"
	fi
	grep -q '<body data-ready="1">' "$tmp/$name.dom" ||
		why="$why the page's script did not run to its end;"
	grep -q '<pre id="tfe-errors"></pre>' "$tmp/$name.dom" ||
		why="$why the page caught an error;"
	n=$(grep -c '<section class="conn' "$page")
	ladders=$(grep -o '<svg class="ladder"' "$tmp/$name.dom" | wc -l)
	wins=$(grep -o '<svg class="graph win"' "$tmp/$name.dom" | wc -l)
	bands=$(grep -o '<rect class="band ' "$tmp/$name.dom" | wc -l)
	rows=$(grep -o '<g class="row ' "$tmp/$name.dom" | wc -l)
	[ "$n" -ge 1 ] && [ "$ladders" = "$n" ] && [ "$wins" = "$n" ] &&
		[ "$bands" -ge $((2 * n)) ] && [ "$rows" -ge "$n" ] ||
		why="$why $n sections, $ladders ladders, $wins window graphs, $bands bands, $rows rows;"
	if [ -s "$shots/browser-$name.png" ]; then :; else
		why="$why no screenshot;"
	fi
	if [ -z "$why" ]; then
		pass "$name: $n drawn, $rows rows, $bands state bands, no console message (tests/browser-$name.png)"
		return 0
	fi
	fail "$name" "$why"
	return 1
}

# the control: an error the browser must report
printf '<!DOCTYPE html><html><body><script>undefined_function();</script></body></html>\n' \
	>"$tmp/control.html"
if load control "$tmp/control.html" && consoled control | grep -q undefined_function; then
	pass "control: the browser reports a page's error"
else
	fail "control" "a page's error went unseen: $(tail -n 3 "$tmp/control.log")"
fi
rm -f "$shots/browser-control.png"

"$prog" -r "$top_srcdir/pcaps/lost-final-ack.pcap" --format html >"$tmp/lost-final-ack.html"
if check lost-final-ack "$tmp/lost-final-ack.html"; then
	# the close reads as the textbook: the states down both sides
	for st in FIN_WAIT_1 FIN_WAIT_2 TIME_WAIT CLOSE_WAIT LAST_ACK; do
		grep -q "<rect class=\"band st-$st\"" "$tmp/lost-final-ack.dom" ||
			fail "lost-final-ack" "no $st band"
	done
	grep -q 'class="arrow lost"' "$tmp/lost-final-ack.dom" ||
		fail "lost-final-ack" "the lost ACK (frame 11) is not marked"
fi

name=$'h"><svg onload=alert(1)><script>alert(2)<\\script>.pcap'
cat >"$tmp/hostile.txt" <<'EOF'
client 10.0.0.1:40000
server 10.0.0.2:80
0.000 c S  seq=1000 win=64240
0.010 s SA seq=5000 ack=1001 win=65160
0.020 c PA seq=1001 ack=5001 win=502 payload=3c7363726970743e616c6572742833293c2f7363726970743e
0.030 s R  seq=5001 win=0
EOF
"$craftpcap" "$tmp/hostile.txt" "$tmp/$name"
"$prog" -r "$tmp/$name" --format html --draw all >"$tmp/hostile.html"
if check hostile "$tmp/hostile.html"; then
	s=$(grep -o '<script' "$tmp/hostile.dom" | wc -l)
	i=$(grep -o '<svg onload' "$tmp/hostile.dom" | wc -l)
	[ "$s" = 1 ] && [ "$i" = 0 ] && pass "hostile: one script in the DOM, no injected element" ||
		fail "hostile" "$s scripts, $i injected svg elements in the DOM"
fi

{
	for i in $(seq 1 2000); do
		echo "conn client 10.0.$((i / 250)).$((i % 250 + 1)):40000 server 10.1.0.1:81"
		echo "$i.000 c S seq=1000 win=64240"
		echo "$i.001 s RA seq=0 ack=1001 win=0"
	done
} >"$tmp/many.txt"
"$craftpcap" "$tmp/many.txt" "$tmp/many.pcap"
"$prog" -r "$tmp/many.pcap" --format html >"$tmp/many.html"
if check many "$tmp/many.html"; then
	l=$(grep -o '<tr id="l[0-9]*"' "$tmp/many.dom" | wc -l)
	[ "$l" = 2000 ] && grep -q '<span id="f-count">2000 shown</span>' "$tmp/many.dom" &&
		pass "many: 2000 connections listed and counted by the filter, $(wc -c <"$tmp/many.html") bytes" ||
		fail "many" "$l rows in the DOM"
fi

echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
