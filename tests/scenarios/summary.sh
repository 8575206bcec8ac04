#!/bin/bash
# summary.sh TRUTH...: a short reading of truth files, times relative to
# the start of the capture: every socket call, firewall and nfq verdict,
# and for every snapshot the TCP states ss showed (LISTEN left out).
# It helps writing pcaps/README.md; it never changes a file.
set -euo pipefail

for f in "$@"; do
	echo "== $(basename "$f" .truth)"
	awk '
	$1 == "capture" { t0 = $2 }
	function rel(t) { return sprintf("%+7.3f", t - t0) }
	$1 == "call" || $1 == "nfq" || $1 == "firewall" {
		w = $1; ct = $2; $1 = ""; $2 = ""
		sub(/^ +/, "")
		printf "%s %-4s %s\n", rel(ct), substr(w, 1, 4), $0
	}
	/^@/ {
		flush()
		t = substr($1, 2); host = $2; $1 = ""; $2 = ""
		sub(/^ +/, ""); label = $0; states = ""
	}
	/^ss / && $2 != "LISTEN" { states = states " " $2 " " $5 ">" $6 }
	/^ss LISTEN/ { states = states " LISTEN(" $3 "/" $4 ")" }
	/^(check|counter|capture-end)/ { flush(); print "        " $0 }
	function flush() {
		if (label != "")
			printf "%s snap %s [%s]:%s\n", rel(t), host, label, states
		label = ""
	}
	END { flush() }' "$f"
done
