# verdict_docs.awk: makes src/verdict_docs.c from doc/verdicts.md, so that
# --explain KIND prints the documentation of a kind from the program
# itself.  Each "## kind" section (a snake_case name alone on the line)
# becomes one string, as plain text: bold marks dropped, code blocks
# indented by four spaces.  Run by make; the output is not edited by hand.
function flush() {
	if (kind != "") {
		# no blank lines at the end
		while (n > 0 && lines[n] == "")
			n--;
		printf "\t{ \"%s\",\n", kind;
		for (i = 1; i <= n; i++)
			printf "\t  \"%s\\n\"\n", lines[i];
		printf "\t},\n";
	}
	kind = "";
	n = 0;
}
function cstr(s) {
	gsub(/\\/, "\\\\", s);
	gsub(/"/, "\\\"", s);
	gsub(/\t/, "    ", s);
	return s;
}
BEGIN {
	print "/* Made by src/verdict_docs.awk from doc/verdicts.md: do not edit. */";
	print "#include \"verdict.h\"";
	print "";
	print "const struct tfe_verdict_doc tfe_verdict_docs[] = {";
}
/^## / {
	flush();
	if ($0 ~ /^## [a-z_]+$/) {
		kind = substr($0, 4);
		code = 0;
		skip_blank = 1;
	}
	next;
}
/^# / { flush(); next; }
kind != "" {
	line = $0;
	if (line ~ /^```/) {
		code = !code;
		next;
	}
	if (skip_blank && line == "")
		next;
	skip_blank = 0;
	if (code)
		line = "    " line;
	else
		gsub(/\*\*/, "", line);
	lines[++n] = cstr(line);
}
END {
	flush();
	print "\t{ 0, 0 }";
	print "};";
}
