#!/usr/bin/env python3
"""man-sections.py: the man page's VERDICT KINDS and JSON FIELDS sections,
made from doc/verdicts.md (each kind's meaning and what to do) and
doc/json.md (its field tables), so that the installed man page carries
what the source tree's documents say.

    doc/man-sections.py --check   exit 1 when doc/tcpflow-explain.1 differs
    doc/man-sections.py --update  rewrite its generated sections

The sections sit between the comment lines '.\\" BEGIN NAME' and
'.\\" END NAME' of the page; everything else in the page is written by
hand.  tests/mandocs.sh runs --check."""
import os
import re
import sys

DOC = os.path.join(os.path.dirname(os.path.abspath(__file__)))
PAGE = os.path.join(DOC, "tcpflow-explain.1")


def inline(text):
    """Markdown inline text to troff."""
    out = []
    # links: keep the text
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)
    parts = re.split(r"(`[^`]*`)", text)
    for p in parts:
        if p.startswith("`") and p.endswith("`") and len(p) >= 2:
            out.append("\\fB" + esc(p[1:-1]) + "\\fP")
        else:
            p = esc(p)
            p = re.sub(r"\*\*([^*]+)\*\*", r"\\fB\1\\fP", p)
            p = re.sub(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])",
                       r"\\fI\1\\fP", p)
            out.append(p)
    return "".join(out)


def esc(s):
    s = s.replace("\\", "\\e")
    s = s.replace("-", "\\-")
    s = s.replace("'", "\\(aq") if s.startswith("'") else s
    return s


def lines_of(text):
    """Text to troff lines: one sentence per line is not needed; lines
    starting with '.' or an apostrophe get a zero-width guard."""
    res = []
    for ln in text.split("\n"):
        ln = ln.strip()
        if not ln:
            continue
        if ln.startswith(".") or ln.startswith("'"):
            ln = "\\&" + ln
        res.append(ln)
    return res


def verdict_kinds():
    md = open(os.path.join(DOC, "verdicts.md"), encoding="utf-8").read()
    sev = {}
    for m in re.finditer(r"^\| \[`([a-z_]+)`\]\(#[a-z_]+\) \| (warning|info) \|",
                         md, re.M):
        sev[m.group(1)] = m.group(2)
    out = [".PP",
           "Each kind, with what it means and what to do; "
           "\\fBtcpflow\\-explain \\-\\-explain\\fP \\fIkind\\fP adds when "
           "exactly it fires and an example."]
    for sec in re.split(r"^## ", md, flags=re.M)[1:]:
        head, _, body = sec.partition("\n")
        if not re.fullmatch(r"[a-z_]+", head.strip()):
            continue
        kind = head.strip()
        paras = re.split(r"\n\s*\n", body)
        keep = []
        for p in paras:
            s = p.strip()
            if s.startswith("**What it means.**") or s.startswith("**What to do.**"):
                keep.append(s)
        out.append(".TP")
        out.append(".BR %s \" (%s)\"" % (kind, sev.get(kind, "?")))
        first = True
        for p in keep:
            if not first:
                out.append(".IP")
            first = False
            out += lines_of(inline(" ".join(p.split())))
    return out


def json_fields():
    md = open(os.path.join(DOC, "json.md"), encoding="utf-8").read()
    out = [".PP",
           "Every field of the JSON Lines output (\\fB\\-\\-format json\\fP), "
           "with its type, when it is null, and what it means; "
           "\\fB<side>\\fP stands for \\fBclient\\fP and \\fBserver\\fP."]
    titles = {"## The connection object": "The connection object",
              "## Events (`--events`)": "Events (\\-\\-events)",
              "## The summary object": "The summary object",
              "## The alert object": "The alert object (\\-\\-alerts)",
              "## The table object": "The table object (\\-\\-every, SIGUSR1)",
              "## The servers object": "The servers object (\\-\\-servers)",
              "## The pair_connection object":
                  "The pair_connection object (\\-\\-pair)"}
    cur = None
    for ln in md.split("\n"):
        if ln.startswith("## "):
            cur = titles.get(ln.strip())
            if cur:
                out.append(".SS " + cur)
            continue
        if cur is None or not ln.startswith("| `"):
            continue
        cells = [c.strip() for c in ln.strip().strip("|").split(" | ")]
        field = cells[0].strip("`")
        if len(cells) == 5:   # events: field, in, type, null when, meaning
            _, where, typ, null, meaning = cells
            extra = "; in %s events" % where if where != "all" else ""
        else:
            _, typ, null, meaning = cells
            extra = ""
        out.append(".TP")
        out.append("\\fB" + esc(field) + "\\fP")
        desc = "%s%s%s. %s" % (typ, extra,
                               "" if null == "never" else "; null (or absent) when " + null,
                               meaning)
        out += lines_of(inline(desc))
    return out


SECTIONS = {"VERDICT KINDS": verdict_kinds, "JSON FIELDS": json_fields}


def render(page):
    for name, fn in SECTIONS.items():
        begin = '.\\" BEGIN %s\n' % name
        end = '.\\" END %s\n' % name
        i = page.find(begin)
        j = page.find(end)
        if i < 0 or j < i:
            sys.exit("man-sections.py: no %r ... %r in the page" % (begin, end))
        body = "\n".join(fn()) + "\n"
        page = page[:i + len(begin)] + body + page[j:]
    return page


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "--check"
    page = open(PAGE, encoding="utf-8").read()
    new = render(page)
    if mode == "--update":
        if new != page:
            open(PAGE, "w", encoding="utf-8").write(new)
        return 0
    if new != page:
        print("doc/tcpflow-explain.1: the VERDICT KINDS or JSON FIELDS "
              "section differs from doc/verdicts.md and doc/json.md; run "
              "doc/man-sections.py --update")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
