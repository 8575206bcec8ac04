#!/bin/bash
# manpage.sh: doc/tcpflow-explain.1 documents exactly the options that
# "tcpflow-explain --help" prints, with the same defaults.
#
# Long options (--xxx) are taken from anywhere in the help text and in the
# man page source (with the roff escapes \- and \f. undone).  Short options
# (-x) are taken only where options are listed: in the help text, the
# usage line and the option column of each entry; in the man page, the
# SYNOPSIS and the tag line of each .TP entry.  That way "netstat -tan" in
# a description is not taken for an option.  Words inside other words (the
# "-explain" of "tcpflow-explain", "half-close") are never options.  Each
# option of one list must be in the other.  Then the defaults that --help
# gives for --msl, --close-wait-threshold, --idle-timeout and --max-flows
# must appear as "default N" in the man page's entry for that option.
#
# top_srcdir and top_builddir come from the Makefile; run by hand, both
# default to the directory above this script.  HELP_FILE, if set, is read
# instead of running the program (to check that the test can fail).
#
# Prints PASS or FAIL per check and ends with "N passed, N failed";
# exits 1 if any check failed.

. "$(dirname "$0")/lib.sh"
page=$top_srcdir/doc/tcpflow-explain.1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tfe-man.XXXXXX") || exit 99
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

finish() {
	echo "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
	exit $?
}

# An option starts a word (after a blank or one of ( [ , | ' " `) and is
# one or two dashes, a letter, then letters, digits and dashes.
word_start="(^|[][[:space:](,|'\"\`])"

# longs FILE: the distinct long options in FILE, one per line, sorted.
longs() {
	grep -oE "${word_start}--[A-Za-z][A-Za-z0-9-]*" "$1" | sed -E 's/^[^-]*//'
}

# shorts: the short options on standard input.
shorts() {
	grep -oE "${word_start}-[A-Za-z][A-Za-z0-9]*" | sed -E 's/^[^-]*//' |
		grep -E '^-[A-Za-z]$'
}

# help_options: every option in the help text.
help_options() {
	{
		longs "$tmp/help"
		# The usage line, and each entry's option column (up to the
		# first two blanks after it).
		{
			grep -E '^Usage:' "$tmp/help"
			grep -E '^[[:space:]]+-' "$tmp/help" |
				sed -E 's/^[[:space:]]+//; s/  .*//'
		} | shorts
	} | sort -u
}

# page_options: every option in the man page.
page_options() {
	{
		longs "$tmp/page"
		awk '
			/^\.SH/ { syn = ($2 == "SYNOPSIS"); next }
			syn { print; next }
			/^\.TP/ { tag = 1; next }
			tag { print; tag = 0 }' "$tmp/page" | shorts
	} | sort -u
}

if [ -n "${HELP_FILE:-}" ]; then
	cp "$HELP_FILE" "$tmp/help" || exit 99
elif ! "$prog" --help >"$tmp/help" 2>"$tmp/help.err"; then
	fail "help" "$prog --help failed"
	finish
fi
if [ ! -s "$tmp/help" ]; then
	fail "help" "the help text is empty"
	finish
fi
if [ ! -r "$page" ]; then
	fail "manpage" "cannot read $page"
	finish
fi

# The page as text: the sections made from the documents
# (doc/man-sections.py: they quote other programs' options, such as
# iptables --reject-with) and comments dropped, \- and \(hy as -, font
# changes (\fB \fI \fR \fP \f(CW \f[CR]) and zero-width \& \% removed.
sed -E -e '/^\.\\" BEGIN /,/^\.\\" END /d' -e '/^\.\\"/d' \
	-e 's/\\-/-/g' -e 's/\\\(hy/-/g' \
	-e 's/\\f(\[[^]]*\]|\(..|.)//g' \
	-e 's/\\[&%]//g' "$page" >"$tmp/page"

help_options >"$tmp/help.opts"
page_options >"$tmp/page.opts"

if [ ! -s "$tmp/help.opts" ]; then
	fail "help options" "no option found in the help text"
	finish
fi

missing=$(comm -23 "$tmp/help.opts" "$tmp/page.opts" | tr '\n' ' ')
extra=$(comm -13 "$tmp/help.opts" "$tmp/page.opts" | tr '\n' ' ')
if [ -z "$missing" ]; then
	pass "every option in --help is in the man page ($(wc -l <"$tmp/help.opts") options)"
else
	fail "options in --help but not in the man page" "$missing"
fi
if [ -z "$extra" ]; then
	pass "every option in the man page is in --help"
else
	fail "options in the man page but not in --help" "$extra"
fi

# help_default OPT: the N of "(default N" in OPT's entry of the help text;
# an entry runs from its line to the next line that starts an option or
# is blank.
help_default() {
	awk -v opt="$1" '
		$1 == opt { inside = 1; text = $0; next }
		inside && (/^[[:space:]]*$/ || /^[[:space:]]+-/) { exit }
		inside { text = text " " $0 }
		END {
			if (match(text, /\(default [0-9.]+/))
				print substr(text, RSTART + 9, RLENGTH - 9)
		}' "$tmp/help"
}

# page_entry OPT: the man page paragraph for OPT: from the tag line that
# starts with it after .TP to the next .TP, .SS or .SH, joined into one
# line.
page_entry() {
	awk -v opt="$1" '
		/^\.(TP|SS|SH)/ { if (inside) exit; tag = ($1 == ".TP"); next }
		tag {
			tag = 0
			line = $0
			sub(/^\.[A-Z]+[[:space:]]+/, "", line)
			gsub(/"/, "", line)
			split(line, w, /[[:space:]]+/)
			if (w[1] == opt) inside = 1
			next
		}
		inside { text = text " " $0 }
		END { print text }' "$tmp/page"
}

for opt in --msl --close-wait-threshold --idle-timeout --max-flows; do
	def=$(help_default "$opt")
	if [ -z "$def" ]; then
		fail "default of $opt" "no \"(default N\" in its --help entry"
		continue
	fi
	entry=$(page_entry "$opt")
	if [ -z "$entry" ]; then
		fail "default of $opt" "no .TP entry for it in the man page"
	elif printf '%s\n' "$entry" |
		grep -qE "(^|[^0-9A-Za-z])[Dd]efault:? (is )?${def//./\\.}([^0-9]|$)"; then
		pass "default of $opt ($def) is in the man page"
	else
		fail "default of $opt" "--help says $def; the man page entry does not"
	fi
done

finish
