#!/bin/bash
# tests/pair.sh: --pair on the lab's paired captures, offline: the
# captures taken at the client's and at the server's end at once
# (pcaps/router-*.pcap with their .server.pcap, tests/pair/ made by
# tests/scenarios/pair-lab.sh).  Golden outputs (tests/expected/pair/),
# then what the truth files say, checked from the JSON: every segment
# the router dropped is lost on the path in its direction, the router's
# RST appeared on the path and an endpoint's RST did not, the MSS clamp
# and the NAT mapping with both values, the clock offset within 1 ms of
# the shift editcap applied, the segments the router held overtaken and
# delayed (a re-sent copy no reordering, ordinary jitter no delay), a TTL
# set on the path, the captures' own copies and a fragmented segment
# changing nothing; both sides' states against every ss snapshot;
# ordinary traffic and a capture paired with itself give no verdict;
# --fail-on with the pairing's kinds; and the usage errors.
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tfe-pair.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

npass=0 nfail=0
pass() {
	echo "PASS $1"
	npass=$((npass + 1))
}
fail() {
	echo "FAIL $1: $2"
	nfail=$((nfail + 1))
}

pc=$top_srcdir/pcaps
tp=$top_srcdir/tests/pair
exp=$top_srcdir/tests/expected/pair

# golden NAME A B [options]: the text (or other) output against
# tests/expected/pair/NAME, with the paths as given here.
golden() {
	local name=$1 a=$2 b=$3
	shift 3
	(cd "$top_srcdir" && "$prog" --pair "$a" "$b" "$@") \
		>"$tmp/$name" 2>"$tmp/$name.err"
	local st=$?
	if [[ $st != 0 || ! -s $tmp/$name || -s $tmp/$name.err ]]; then
		fail "golden $name" "exit $st, $(wc -c <"$tmp/$name") bytes out: $(head -n 2 "$tmp/$name.err")"
	elif diff -u "$exp/$name" "$tmp/$name" >"$tmp/$name.diff"; then
		pass "golden $name"
	else
		fail "golden $name" "differs from tests/expected/pair/$name"
		cat "$tmp/$name.diff"
	fi
}

golden nat-mss-shifted.txt tests/pair/pair-nat-mss.pcap \
	tests/pair/pair-nat-mss.server-shifted.pcap
golden nat-mss-shifted.json tests/pair/pair-nat-mss.pcap \
	tests/pair/pair-nat-mss.server-shifted.pcap --format json
golden reject-reset.txt pcaps/router-reject-reset.pcap \
	pcaps/router-reject-reset.server.pcap
golden fin-lost-swapped.txt pcaps/router-fin-lost.server.pcap \
	pcaps/router-fin-lost.pcap
golden fin-lost.ladder pcaps/router-fin-lost.pcap \
	pcaps/router-fin-lost.server.pcap --format ladder
golden reject-reset.ladder pcaps/router-reject-reset.pcap \
	pcaps/router-reject-reset.server.pcap --format ladder
golden endpoint-reset.summary tests/pair/pair-endpoint-reset.pcap \
	tests/pair/pair-endpoint-reset.server.pcap --format summary
golden reorder-delay.conn tests/pair/pair-reorder-delay.pcap \
	tests/pair/pair-reorder-delay.server.pcap --format conn
golden syn-blocked.conn tests/pair/pair-syn-blocked.pcap \
	tests/pair/pair-syn-blocked.server.pcap --format conn
golden syn-blocked.netstat tests/pair/pair-syn-blocked.pcap \
	tests/pair/pair-syn-blocked.server.pcap --format netstat

# check NAME A B PYTHON: the JSON output's lines as `conns` (the
# pair_connection objects) and `summary`; PYTHON's assertions must hold.
# The checks are collected and run by one Python process at the end
# (run_checks): a Python start costs more than all the runs together.
nchecks=0
check() {
	local name=$1 a=$2 b=$3 code=$4
	nchecks=$((nchecks + 1))
	printf '%s\n' "$name" >"$tmp/check$nchecks.name"
	printf '%s\n' "$code" >"$tmp/check$nchecks.py"
	"$prog" --pair "$a" "$b" --format json >"$tmp/check$nchecks.json" \
		2>"$tmp/e"
	local st=$?
	if [[ $st != 0 ]]; then
		printf 'exit status %s (%s)\n' "$st" "$(cat "$tmp/e")" \
			>"$tmp/check$nchecks.err"
	fi
}

run_checks() {
	local line
	python3 - "$tmp" "$nchecks" >"$tmp/checks.out" 2>&1 <<'EOF'
import json, os, sys, traceback
tmp, n = sys.argv[1], int(sys.argv[2])
for i in range(1, n + 1):
    base = os.path.join(tmp, "check%d" % i)
    name = open(base + ".name").read().strip()
    if os.path.exists(base + ".err"):
        print("FAIL %s: %s" % (name, open(base + ".err").read().strip()))
        continue
    try:
        lines = [json.loads(l) for l in open(base + ".json")]
        conns = [l for l in lines if l["type"] == "pair_connection"]
        summary = lines[-1]
        assert summary["type"] == "summary", summary["type"]
        pair = summary["pair"]
        def verdicts(kind, conns=conns):
            return [v for c in conns for v in c["verdicts"]
                    if v["kind"] == kind]
        exec(open(base + ".py").read(),
             {"conns": conns, "summary": summary, "pair": pair,
              "verdicts": verdicts})
        print("PASS " + name)
    except Exception:
        last = traceback.format_exc().strip().splitlines()[-3:]
        print("FAIL %s: %s" % (name, " | ".join(l.strip() for l in last)))
EOF
	while IFS= read -r line; do
		case $line in
		"PASS "*) pass "${line#PASS }" ;;
		"FAIL "*) line=${line#FAIL }; fail "${line%%: *}" "${line#*: }" ;;
		*) fail "run_checks" "$line" ;;
		esac
	done <"$tmp/checks.out"
}

shift_s=$(awk '$1 == "shift" { print $2 }' "$tp/pair-nat-mss.truth")
check "clock offset within 1 ms of the editcap shift ($shift_s s)" \
	"$tp/pair-nat-mss.pcap" "$tp/pair-nat-mss.server-shifted.pcap" "
off = pair['clock']['offset_s']
assert abs(off - $shift_s) < 0.001, off
assert pair['clock']['bound_s'] < 0.001, pair['clock']
assert abs(off - $shift_s) <= pair['clock']['bound_s'], (off, pair['clock'])"
check "the same pair unshifted: offset within 1 ms of 0" \
	"$tp/pair-nat-mss.pcap" "$tp/pair-nat-mss.server.pcap" "
assert abs(pair['clock']['offset_s']) < 0.001, pair['clock']"
check "NAT mapping and MSS clamp, both values, the dropped request" \
	"$tp/pair-nat-mss.pcap" "$tp/pair-nat-mss.server.pcap" "
assert pair['connections'] == {'matched': 1, 'only_a': 0, 'only_b': 0}
c = conns[0]
assert c['a']['client'] == {'addr': '10.231.0.1', 'port': c['a']['client']['port']}
assert c['b']['client']['addr'] == '10.231.0.3', c['b']
assert 40000 <= c['b']['client']['port'] <= 40099, c['b']
assert c['a']['client']['port'] != c['b']['client']['port']
nat = verdicts('nat')
assert len(nat) == 1 and nat[0]['side'] == 'client', nat
assert '10.231.0.1:%d' % c['a']['client']['port'] in nat[0]['message']
assert '10.231.0.3:%d' % c['b']['client']['port'] in nat[0]['message']
mod = verdicts('modified_on_path')
assert len(mod) == 2, mod
assert {v['side'] for v in mod} == {'client', 'server'}, mod
for v in mod:
    assert '1460' in v['message'] and '1200' in v['message'], v
    assert 'clamped' in v['message'], v
lost = verdicts('lost_on_path')
assert len(lost) == 1 and lost[0]['side'] == 'client', lost
assert lost[0]['frames_a'] == [4] and lost[0]['frames_b'] == [], lost
assert not verdicts('appeared_on_path')"
read -r seq_c seq_s < <(awk '$1 == "isn-shift" { sub(/:$/, "", $5); print $3, $5 }' "$tp/pair-nat-mss.truth")
check "sequence numbers moved on the path: matched by timestamps, both shifts" \
	"$tp/pair-nat-mss.pcap" "$tp/pair-nat-mss.server-isn.pcap" "
c = conns[0]
assert c['matched_by'] == 'timestamps', c['matched_by']
assert c['isn_shift'] == {'client': $seq_c, 'server': $seq_s}, c['isn_shift']
assert c['segments'] == {'matched': 11, 'only_a': 1, 'only_b': 0}, c['segments']
shifted = [v for v in verdicts('modified_on_path') if 'sequence numbers' in v['message']]
assert sorted(v['side'] for v in shifted) == ['client', 'server'], shifted
assert any('moved by $seq_c' in v['message'] for v in shifted), shifted
assert any('moved by $seq_s' in v['message'] for v in shifted), shifted
assert len(verdicts('lost_on_path')) == 1 and not verdicts('appeared_on_path')"
check "SYNs dropped on the router: a connection the server's end never saw" \
	"$tp/pair-syn-blocked.pcap" "$tp/pair-syn-blocked.server.pcap" "
assert pair['connections'] == {'matched': 2, 'only_a': 1, 'only_b': 0}, pair['connections']
alone = [c for c in conns if c['b'] is None]
assert len(alone) == 1 and alone[0]['near_client'] == 'a', alone
assert alone[0]['id'] == 2 and alone[0]['a']['conn'] == 2, alone
lost = verdicts('lost_on_path')
assert len(lost) == 1 and lost[0]['side'] == 'client', lost
assert lost[0]['frames_a'] == [11, 12] and 'SYN' in lost[0]['message'], lost
assert all(c['verdicts'] == [] for c in conns if c['b'] is not None)"
check "near miss: two captures of different traffic match nothing" \
	"$pc/router-reject-reset.pcap" "$tp/pair-nat-mss.server-isn.pcap" "
assert pair['connections'] == {'matched': 0, 'only_a': 1, 'only_b': 1}, pair['connections']
assert all(c['verdicts'] == [] for c in conns)
assert pair['clock'] is None"
check "router REJECT: its RST appeared on the path, the request lost" \
	"$pc/router-reject-reset.pcap" "$pc/router-reject-reset.server.pcap" "
app = verdicts('appeared_on_path')
assert len(app) == 1 and app[0]['side'] == 'server', app
assert app[0]['frames_a'] == [9], app
assert 'RST' in app[0]['message'] and 'TTL 64' in app[0]['message'], app
lost = verdicts('lost_on_path')
assert len(lost) == 1 and lost[0]['side'] == 'client', lost
assert lost[0]['frames_a'] == [8], lost
assert conns[0]['near_client'] == 'a'"
check "router REJECT over IPv6: its RST appeared on the path (hop limit)" \
	"$tp/pair-reject-reset-v6.pcap" "$tp/pair-reject-reset-v6.server.pcap" "
app = verdicts('appeared_on_path')
assert len(app) == 1 and app[0]['side'] == 'server', app
assert app[0]['frames_a'] == [9], app
assert 'hop limit 64' in app[0]['message'] and 'arrive with 63' in app[0]['message'], app
lost = verdicts('lost_on_path')
assert len(lost) == 1 and lost[0]['side'] == 'client' and lost[0]['frames_a'] == [8], lost
assert conns[0]['a']['client']['addr'] == 'fd00:231::1', conns[0]['a']"
check "the server's FIN dropped on the router: lost toward the client" \
	"$pc/router-fin-lost.pcap" "$pc/router-fin-lost.server.pcap" "
lost = verdicts('lost_on_path')
assert len(lost) == 1 and lost[0]['side'] == 'server', lost
assert lost[0]['frames_b'] == [10] and lost[0]['frames_a'] == [], lost
assert pair['segments']['lost_on_path'] == {'from_a_side': 0, 'from_b_side': 1}
assert len(conns[0]['verdicts']) == 1"
check "the client's final ACK dropped on the router: lost toward the server" \
	"$pc/router-final-ack-lost.pcap" "$pc/router-final-ack-lost.server.pcap" "
lost = verdicts('lost_on_path')
assert len(lost) == 1 and lost[0]['side'] == 'client', lost
assert lost[0]['frames_a'] == [11], lost
assert len(conns[0]['verdicts']) == 1"
check "the server's SYN+ACK dropped on the router" \
	"$pc/router-synack-lost.pcap" "$pc/router-synack-lost.server.pcap" "
lost = verdicts('lost_on_path')
assert len(lost) == 1 and lost[0]['side'] == 'server', lost
assert lost[0]['frames_b'] == [2], lost
assert 'SYN+ACK' in lost[0]['message']
assert len(conns[0]['verdicts']) == 1"
check "near miss: the client's own RST (SO_LINGER 0) is no middlebox's" \
	"$tp/pair-endpoint-reset.pcap" "$tp/pair-endpoint-reset.server.pcap" "
assert conns[0]['segments'] == {'matched': 6, 'only_a': 0, 'only_b': 0}
assert conns[0]['verdicts'] == [], conns[0]['verdicts']"
check "near miss: 100 ms each way on the router is delay, not loss" \
	"$pc/router-delay-100ms.pcap" "$pc/router-delay-100ms.server.pcap" "
assert conns[0]['verdicts'] == [], conns[0]['verdicts']
assert abs(pair['clock']['offset_s']) < 0.001, pair['clock']
assert 0.099 < pair['clock']['delay_a_to_b_s'] < 0.102, pair['clock']"
check "the same capture twice: everything matched, offset 0" \
	"$pc/close-client-first.pcap" "$pc/close-client-first.pcap" "
assert all(c['verdicts'] == [] for c in conns)
assert all(c['segments']['only_a'] == 0 and c['segments']['only_b'] == 0 for c in conns)
assert pair['clock']['offset_s'] == 0, pair['clock']"
check "the server's capture as A: the same findings, mirrored" \
	"$pc/router-reject-reset.server.pcap" "$pc/router-reject-reset.pcap" "
assert conns[0]['near_client'] == 'b', conns[0]
app = verdicts('appeared_on_path')
assert len(app) == 1 and app[0]['frames_b'] == [9], app
lost = verdicts('lost_on_path')
assert len(lost) == 1 and lost[0]['frames_b'] == [8], lost"

check "router holds a segment 60 ms: overtaken, reordered and delayed; the re-sent copy is no reordering" \
	"$tp/pair-reorder-delay.pcap" "$tp/pair-reorder-delay.server.pcap" "
ro = verdicts('reordered_on_path')
assert sorted(v['side'] for v in ro) == ['client', 'server'], ro
c = [v for v in ro if v['side'] == 'client'][0]
# A frame 4 (seq 1) overtaken by A frame 5; it reached B as frame 13
# after frame 6, and its re-sent copy (A frame 11, B frame 10) is not
# named as overtaking it
assert c['frames_a'] == [4, 5] and c['frames_b'] == [13, 6], c
assert '3 of the client' in c['message'], c
s = [v for v in ro if v['side'] == 'server'][0]
assert s['frames_b'] == [12, 14] and s['frames_a'] == [14, 13], s
de = verdicts('delayed_on_path')
assert sorted(v['side'] for v in de) == ['client', 'server'], de
c = [v for v in de if v['side'] == 'client'][0]
assert c['frames_a'][0] == 4 and c['frames_b'][0] == 13, c
assert '0.0609' in c['message'] and '1 segment more than 0.010000 s' in c['message'], c
s = [v for v in de if v['side'] == 'server'][0]
assert s['frames_b'][0] == 12 and s['frames_a'][0] == 14 and '0.1004' in s['message'], s
assert not verdicts('lost_on_path') and not verdicts('appeared_on_path')
assert not verdicts('modified_on_path'), verdicts('modified_on_path')
assert conns[0]['segments'] == {'matched': 18, 'only_a': 0, 'only_b': 0}
assert pair['verdicts']['reordered_on_path'] == 1 and pair['verdicts']['delayed_on_path'] == 1"
check "near miss: frames the captures repeated change nothing" \
	"$tp/pair-reorder-delay.copies.pcap" "$tp/pair-reorder-delay.server-copies.pcap" "
assert conns[0]['segments'] == {'matched': 18, 'only_a': 0, 'only_b': 0}, conns[0]['segments']
assert sorted(v['kind'] for v in conns[0]['verdicts']) == ['delayed_on_path', 'delayed_on_path', 'reordered_on_path', 'reordered_on_path'], conns[0]['verdicts']
c = [v for v in verdicts('reordered_on_path') if v['side'] == 'client'][0]
assert c['frames_a'] == [4, 5] and c['frames_b'] == [15, 7] and '3 of the client' in c['message'], c"
check "a middlebox sets one segment's TTL: modified on the path, with the hop count" \
	"$tp/pair-endpoint-reset.pcap" "$tp/pair-endpoint-reset.server-ttl.pcap" "
mod = verdicts('modified_on_path')
assert len(mod) == 1 and mod[0]['side'] == 'client', mod
assert mod[0]['frames_a'] == [4] and mod[0]['frames_b'] == [4], mod
assert 'TTL' in mod[0]['message'] and '64 at A, 40 at B' in mod[0]['message'], mod
assert 'down 24' in mod[0]['message'] and 'lose 1 ' in mod[0]['message'], mod
assert len(conns[0]['verdicts']) == 1"
check "a fragmented segment is matched once reassembled" \
	"$tp/pair-nat-mss.pcap" "$tp/pair-nat-mss.server-frag.pcap" "
assert conns[0]['segments'] == {'matched': 11, 'only_a': 1, 'only_b': 0}, conns[0]['segments']
lost = verdicts('lost_on_path')
assert len(lost) == 1 and lost[0]['frames_a'] == [4], lost
assert 'reached B (frame 5)' in lost[0]['message'], lost
assert not verdicts('appeared_on_path')
assert pair['frames_b'] == 12, pair['frames_b']"
for n in pair-nat-mss pair-endpoint-reset pair-syn-blocked pair-reject-reset-v6; do
	check "near miss: ordinary jitter is no delay, no reordering, no TTL change ($n)" \
		"$tp/$n.pcap" "$tp/$n.server.pcap" "
assert not verdicts('reordered_on_path') and not verdicts('delayed_on_path')
assert not [v for v in verdicts('modified_on_path') if 'TTL' in v['message'] or 'hop limit' in v['message']]"
done
for n in router-reject-reset router-fin-lost router-final-ack-lost router-synack-lost router-delay-100ms; do
	check "near miss: no delay, no reordering, no TTL change ($n)" \
		"$pc/$n.pcap" "$pc/$n.server.pcap" "
assert not verdicts('reordered_on_path') and not verdicts('delayed_on_path')
assert not [v for v in verdicts('modified_on_path') if 'TTL' in v['message'] or 'hop limit' in v['message']]"
done

run_checks

# Both sides' states, each read from the capture nearer it, against
# every ss snapshot of the lab (tests/pair-ss.py)
ss_args=()
for n in tests/pair/pair-nat-mss tests/pair/pair-endpoint-reset \
	tests/pair/pair-reject-reset-v6 \
	pcaps/router-reject-reset pcaps/router-fin-lost \
	pcaps/router-final-ack-lost pcaps/router-synack-lost \
	pcaps/router-delay-100ms; do
	"$prog" --pair "$top_srcdir/$n.pcap" "$top_srcdir/$n.server.pcap" \
		--format json >"$tmp/ss-${n##*/}.json"
	ss_args+=("$top_srcdir/$n.truth" "$tmp/ss-${n##*/}.json")
done
python3 "$top_srcdir/tests/pair-ss.py" "${ss_args[@]}" >"$tmp/ss.out" 2>&1
for ((i = 0; i < ${#ss_args[@]}; i += 2)); do
	t=${ss_args[$i]}
	n=${t##*/}
	l=$(grep -F "pair $t: " "$tmp/ss.out")
	if [[ $l == *", 0 differ" && $l != *": 0 agree"* ]]; then
		pass "${n%.truth}: both sides' states agree with ss (${l##*: })"
	else
		fail "${n%.truth}: states against ss" "${l:-no result}; $(grep -E 'DIFFER|Error' "$tmp/ss.out" | head -n 3)"
	fi
done

# every line of the JSON output against the schema (python3-jsonschema)
if python3 -c 'import jsonschema' 2>/dev/null; then
	"$prog" --pair "$tp/pair-nat-mss.pcap" "$tp/pair-nat-mss.server.pcap" \
		--format json >"$tmp/all.json"
	"$prog" --pair "$pc/router-reject-reset.pcap" \
		"$tp/pair-nat-mss.server.pcap" --format json >>"$tmp/all.json"
	if python3 - "$top_srcdir/doc/tcpflow-explain.schema.json" \
		"$tmp/all.json" >"$tmp/py" 2>&1 <<'EOF'; then
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
v = jsonschema.Draft202012Validator(schema)
n = 0
for line in open(sys.argv[2]):
    v.validate(json.loads(line))
    n += 1
assert n == 5, n
EOF
		pass "the JSON output validates against the schema"
	else
		fail "the JSON output validates against the schema" "$(tail -n 3 "$tmp/py")"
	fi
else
	echo "SKIP schema validation: no python3-jsonschema"
fi

# --explain knows the pairing's kinds
for k in lost_on_path:warning appeared_on_path:warning \
	modified_on_path:warning nat:info reordered_on_path:warning \
	delayed_on_path:info; do
	if "$prog" --explain "${k%%:*}" >"$tmp/ex" 2>&1 &&
		head -n 1 "$tmp/ex" | grep -q "^${k%%:*} (${k#*:}): " &&
		grep -q 'pair.md' "$tmp/ex"; then
		pass "--explain ${k%%:*}"
	else
		fail "--explain ${k%%:*}" "$(head -n 1 "$tmp/ex")"
	fi
done

# --fail-on takes the pairing's kinds: exit 1 naming them, 0 when none
# of those asked for is found, in the order given (-KIND takes one out)
failon() {
	local what=$1 want=$2 msg=$3
	shift 3
	"$prog" --pair "$tp/pair-reorder-delay.pcap" \
		"$tp/pair-reorder-delay.server.pcap" "$@" >"$tmp/out" 2>"$tmp/err"
	local st=$?
	if [[ $st == "$want" && -s $tmp/out ]] &&
		{ [[ -z $msg ]] && [[ ! -s $tmp/err ]] ||
			grep -qF -- "$msg" "$tmp/err"; }; then
		pass "$what"
	else
		fail "$what" "exit $st, want $want: $(cat "$tmp/err")"
	fi
}
failon "--fail-on reordered_on_path: found" 1 \
	"--fail-on: found reordered_on_path in 1 connection (pair #1)" \
	--fail-on reordered_on_path
failon "--fail-on info: the delay" 1 \
	"--fail-on: found delayed_on_path in 1 connection (pair #1)" \
	--fail-on info --format summary
failon "--fail-on lost_on_path,nat: none found" 0 "" \
	--fail-on lost_on_path,nat
failon "--fail-on warning,-reordered_on_path: none left" 0 "" \
	--fail-on warning,-reordered_on_path --format json

# --format html: one page, a section per connection of the pair with its
# findings and ladder, the summary; the tags nest, the ids are unique,
# no script, and the files' names (markup in them here) stay text
cp "$tp/pair-reorder-delay.pcap" "$tmp/a<i>x.pcap"
"$prog" --pair "$tmp/a<i>x.pcap" "$tp/pair-reorder-delay.server.pcap" \
	--format html >"$tmp/page.html" 2>"$tmp/err"
st=$?
if [[ $st == 0 && ! -s $tmp/err ]] && python3 - "$tmp/page.html" >"$tmp/py" 2>&1 <<'EOF'; then
import sys
from html.parser import HTMLParser
page = open(sys.argv[1]).read()
void = {"meta", "br", "hr", "img", "link", "input"}
stack, ids, tags = [], [], []
class P(HTMLParser):
    def handle_starttag(self, tag, attrs):
        tags.append(tag)
        for k, v in attrs:
            assert not k.startswith("on"), k
            if k == "id":
                ids.append(v)
        if tag not in void:
            stack.append(tag)
    def handle_endtag(self, tag):
        assert stack and stack[-1] == tag, (stack[-3:], tag)
        stack.pop()
P().feed(page)
assert stack == [], stack
assert len(ids) == len(set(ids)) and ids == ["pair-1"], ids
assert "script" not in tags and "i" not in tags, tags
assert "a&lt;i&gt;x.pcap" in page
assert page.count("<b>reordered_on_path</b>") == 2, page.count("<b>reordered_on_path</b>")
assert page.count("<b>delayed_on_path</b>") == 2
assert "<h2>Summary</h2>" in page and "verdicts (connections): reordered_on_path 1, delayed_on_path 1" in page
assert "|------------------ A seq=1 ack=1 len=488 -----------------&gt;|" in page
EOF
	pass "--pair --format html: the page holds every finding and nests"
else
	fail "--pair --format html" "exit $st: $(cat "$tmp/err") $(tail -n 2 "$tmp/py")"
fi

# usage errors
usage() {
	local what=$1 want=$2
	shift 2
	"$prog" "$@" >"$tmp/out" 2>"$tmp/err"
	local st=$?
	if [[ $st == "$want" ]] && grep -q "^tcpflow-explain: " "$tmp/err"; then
		pass "$what"
	else
		fail "$what" "exit $st, want $want: $(cat "$tmp/err")"
	fi
}
usage "--pair with one file" 2 --pair "$pc/router-fin-lost.pcap"
usage "--pair with -r" 2 --pair "$pc/router-fin-lost.pcap" \
	"$pc/router-fin-lost.server.pcap" -r "$pc/router-fin-lost.pcap"
usage "--pair with --format netstat --at" 2 --pair "$pc/router-fin-lost.pcap" \
	"$pc/router-fin-lost.server.pcap" --format netstat --at 1
usage "--fail-on a single capture's kind with --pair" 2 --pair \
	"$pc/router-fin-lost.pcap" "$pc/router-fin-lost.server.pcap" \
	--fail-on rst_suspicious
usage "--fail-on a pairing's kind without --pair" 2 -r \
	"$pc/router-fin-lost.pcap" --fail-on lost_on_path
usage "--pair with a missing file" 3 --pair "$pc/router-fin-lost.pcap" \
	"$tmp/none.pcap"

[ -s "$tmp/out" ] && fail "--pair with a missing file" "wrote: $(head -n 1 "$tmp/out")"

# A damaged file: what was read before the damage is matched, the error
# comes after, exit 3, and its span ends at the damage (its missing tail
# is no loss)
head -c 700 "$pc/router-fin-lost.server.pcap" >"$tmp/cut.pcap"
"$prog" --pair "$pc/router-fin-lost.pcap" "$tmp/cut.pcap" --format json \
	>"$tmp/out" 2>"$tmp/err"
st=$?
if [[ $st == 3 ]] && grep -q "truncated" "$tmp/err" &&
	grep -q '"type":"pair_connection"' "$tmp/out" &&
	! grep -q '"kind":"' "$tmp/out"; then
	pass "a damaged capture: matched up to the damage, no verdict past it"
else
	fail "a damaged capture" "exit $st: $(cat "$tmp/err") $(grep -o '"kind":"[a-z_]*"' "$tmp/out")"
fi

echo "$npass passed, $nfail failed"
((nfail == 0))
