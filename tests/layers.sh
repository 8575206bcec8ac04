#!/bin/bash
# layers.sh: every call between the program's source files runs downhill.
#
# The files are ranked in the order in which a frame travels (STAGES
# below, lowest first):
#   base (output buffer, numbers, addresses), decode, capture, flow table,
#   state machine, verdicts, analysis (the pipeline that drives them),
#   renderers, front end.
# Decode stands below capture although a frame passes capture first:
# decode is a function of the bytes and the link type that uses nothing
# else, and capture asks it which link types it reads so that a file it
# cannot decode fails when it is opened.
# A file may call a file of its own stage or of a lower one, never one of
# a higher stage, and no files may call each other in a loop (two or
# more, whatever their stages).
#
# The calls are read from the object files the build made, with nm: an
# object's undefined symbols (functions called, tables read, including
# those of header inline functions expanded in it) are matched with the
# object that defines them.  So the check sees exactly what the linker
# links, whatever the preprocessor did.
#
#   tests/layers.sh          check (make check runs it)
#   tests/layers.sh --graph  print every file -> file edge with the names
#                            that make it, then check
#
# A new source file must be given its stage in STAGES: the test fails,
# naming it, until it is.
. "$(dirname "$0")/lib.sh"

# file (without .c): stage number and name
STAGES="
format 0 base
addr 0 base
decode 1 decode
frag 1 decode
ftp 1 decode
capture 2 capture
privs 2 capture
sockdiag 2 capture
owner 2 capture
flow 3 flow-table
tcpstate 4 state-machine
timeline 4 state-machine
zeek 4 state-machine
record 4 state-machine
evidence 4 state-machine
conn 4 state-machine
vantage 4 state-machine
verdict 5 verdicts
verdict_catalogue 5 verdicts
verdict_docs 5 verdicts
analyze 6 analysis
watch 6 analysis
render_text 7 renderers
render_json 7 renderers
render_ladder 7 renderers
render_html 7 renderers
render_netstat 7 renderers
render_watch 7 renderers
render_conn 7 renderers
render_picture 7 renderers
render_pair 7 renderers
ring 0 base
reader 8 front-end
writer 8 front-end
live 8 front-end
kernel 8 front-end
expect 8 front-end
pair 6 analysis
main 9 front-end
"

objdir=$top_builddir/src
if ! command -v nm >/dev/null 2>&1; then
	echo "SKIP: no nm"
	exit 77
fi
shopt -s nullglob
objs=("$objdir"/*.o)
if [ ${#objs[@]} -eq 0 ]; then
	echo "FAIL: no object files in $objdir (build first)"
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Automake names an object "target-file.o" when the target has flags of
# its own; the file is what follows the last "-".
name_of() {
	local b=${1##*/}
	b=${b%.o}
	echo "${b##*-}"
}

for o in "${objs[@]}"; do
	f=$(name_of "$o")
	nm -g --defined-only "$o" | awk -v f="$f" 'NF >= 3 { print $3, f }'
done | sort -u >"$tmp/defs"
for o in "${objs[@]}"; do
	f=$(name_of "$o")
	nm -u "$o" | awk -v f="$f" '{ print $NF, f }'
done | sort -u >"$tmp/uses"

# "caller callee symbol", one a line
join "$tmp/uses" "$tmp/defs" |
	awk '$2 != $3 { print $2, $3, $1 }' | sort -u >"$tmp/calls"

failed=0
fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

if [ "${1:-}" = "--graph" ]; then
	awk '{ k = $1 " -> " $2; s[k] = s[k] " " $3 }
	     END { for (k in s) print k ":" s[k] }' "$tmp/calls" | sort
fi

# every file has a stage
echo "$STAGES" | awk 'NF == 3 { print $1, $2, $3 }' | sort >"$tmp/stages"
for o in "${objs[@]}"; do
	f=$(name_of "$o")
	grep -q "^$f " "$tmp/stages" ||
		fail "src/$f.c has no stage: add it to STAGES in tests/layers.sh"
done

# upward calls
sort -k1,1 "$tmp/calls" | join - "$tmp/stages" |
	awk '{ print $2, $1, $3, $4, $5 }' | sort -k1,1 | join - "$tmp/stages" |
	awk '$4 < $6 { print $2 " (" $5 ") calls " $1 " (" $7 "): " $3 }' |
	sort >"$tmp/up"
while read -r line; do
	fail "upward: $line"
done <"$tmp/up"

# loops: tsort names the files of every loop it meets; each mutual pair
# is named with the calls that make it
awk '{ print $1, $2 }' "$tmp/calls" | sort -u >"$tmp/edges"
while read -r a b; do
	if [[ "$a" < "$b" ]] && grep -qx "$b $a" "$tmp/edges"; then
		fail "loop: $a <-> $b:" \
			"$(awk -v a="$a" -v b="$b" '$1 == a && $2 == b { printf " %s", $3 }' "$tmp/calls") /" \
			"$(awk -v a="$a" -v b="$b" '$1 == b && $2 == a { printf " %s", $3 }' "$tmp/calls")"
	fi
done <"$tmp/edges"
if ! tsort "$tmp/edges" >/dev/null 2>"$tmp/tsort"; then
	fail "loop: $(grep -v 'input contains a loop' "$tmp/tsort" |
		sed 's/^tsort: //' | tr '\n' ' ')"
fi

if [ "$failed" -eq 0 ]; then
	echo "PASS: $(wc -l <"$tmp/edges") file -> file edges, all downhill, no loop"
	exit 0
fi
exit 1
