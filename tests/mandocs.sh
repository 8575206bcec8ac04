#!/bin/bash
# mandocs.sh: installed, the program stands alone.  make install (into a
# temporary DESTDIR) puts the program, the man page and the documents in
# place; the installed program's messages point to --explain and the man
# page, not to files of the source tree; the man page describes every
# verdict kind and every JSON field, its generated sections equal to what
# doc/man-sections.py makes of doc/verdicts.md and doc/json.md.
#
# Prints PASS or FAIL per check and ends with "N passed, N failed".

. "$(dirname "$0")/lib.sh"
page=$top_srcdir/doc/tcpflow-explain.1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tfe-mandocs.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

npass=0 nfail=0
pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }

# ---- the man page's generated sections ------------------------------------

if ! command -v python3 >/dev/null 2>&1; then
	echo "SKIP the generated sections: python3 is not installed"
elif python3 "$top_srcdir/doc/man-sections.py" --check; then
	pass "VERDICT KINDS and JSON FIELDS equal what doc/man-sections.py makes of the documents"
else
	fail "generated sections" "out of step"
fi

# every kind the program knows, as a heading of VERDICT KINDS
kinds=$("$prog" --explain list | awk '{ print $1 }')
section() {
	awk -v s="$1" '$0 == ".SH " s { on = 1; next } /^\.SH / { on = 0 } on' "$page"
}
section "VERDICT KINDS" >"$tmp/vk"
missing=""
for k in $kinds; do
	sev=$("$prog" --explain list | awk -v k="$k" '$1 == k { print $2 }')
	grep -qx ".BR $k \" ($sev)\"" "$tmp/vk" || missing="$missing $k"
done
[ -n "$kinds" ] && [ -z "$missing" ] &&
	pass "VERDICT KINDS: every one of the $(echo "$kinds" | wc -l) kinds, with its severity" ||
	fail "VERDICT KINDS" "missing:$missing"

# every property name of the JSON Schema, in JSON FIELDS
section "JSON FIELDS" | sed 's/\\-/-/g' >"$tmp/jf"
# the names under "properties" anywhere in the schema
names=$(python3 - "$top_srcdir/doc/tcpflow-explain.schema.json" <<'PY'
import json, sys
def walk(o, out):
    if isinstance(o, dict):
        for k, v in o.get("properties", {}).items():
            out.add(k)
        for v in o.values():
            walk(v, out)
    elif isinstance(o, list):
        for v in o:
            walk(v, out)
out = set()
walk(json.load(open(sys.argv[1])), out)
print("\n".join(sorted(out)))
PY
)
missing=""
for n in $names; do
	grep -qE "(^|[.>\\fB])$n(\\\\fP|$|\[| )" "$tmp/jf" || missing="$missing $n"
done
[ -n "$names" ] && [ -z "$missing" ] &&
	pass "JSON FIELDS: every one of the schema's $(echo "$names" | wc -l) field names" ||
	fail "JSON FIELDS" "missing:$missing"

# ---- make install ---------------------------------------------------------

dest=$tmp/dest
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" install \
	DESTDIR="$dest" >"$tmp/install.log" 2>&1; then
	fail "make install" "$(tail -n 5 "$tmp/install.log")"
else
	bin=$(find "$dest" -path '*/bin/tcpflow-explain' -type f | head -n 1)
	man=$(find "$dest" -path '*/man1/tcpflow-explain.1' -type f | head -n 1)
	docdir=$(find "$dest" -path '*/doc/tcpflow-explain' -type d | head -n 1)
	if [ -x "$bin" ] && [ -s "$man" ] && [ -d "$docdir" ]; then
		pass "make install: the program, the man page, the documentation folder"
	else
		fail "make install" "bin '$bin', man '$man', doc '$docdir'"
	fi
	missing=""
	for f in README.md verdicts.md states.md json.md vocabulary.md \
		hardening.md performance.md tcpflow-explain.schema.json; do
		[ -s "$docdir/$f" ] || missing="$missing $f"
	done
	[ -z "$missing" ] && pass "the documents are installed in ${docdir#"$dest"}" ||
		fail "installed documents" "missing:$missing"
	if [ -x "$bin" ]; then
		"$bin" --explain syn_unanswered >"$tmp/ex" 2>&1
		want=${docdir#"$dest"}
		if tail -n 1 "$tmp/ex" | grep -qF "verdicts.md in $want."; then
			pass "--explain names the installed documentation folder ($want)"
		else
			fail "--explain pointer" "$(tail -n 1 "$tmp/ex")"
		fi
		"$bin" --fail-on nope -r /dev/null >"$tmp/o" 2>&1
		"$bin" -r /nonexistent.pcap >>"$tmp/o" 2>&1
		"$bin" --bogus >>"$tmp/o" 2>&1
		"$bin" --help >>"$tmp/o" 2>&1
		if grep -qE 'doc/|README|tests/|\.md\b' "$tmp/o"; then
			fail "messages" "point to the source tree: $(grep -E 'doc/|README|tests/|\.md\b' "$tmp/o" | head -n 2)"
		else
			pass "usage, help and error messages point to no file of the source tree"
		fi
	fi
fi

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
