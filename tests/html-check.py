#!/usr/bin/env python3
"""html-check.py: reads a page of --format html (tests/html.sh).

  html-check.py structure TEXT HTML   the page holds the text form's
                                      connections, rows and verdicts
  html-check.py structure-list FILE   the same for each line of FILE:
                                      NAME, TEXT and HTML, tab-separated
  html-check.py hostile HTML NAME     nothing from the capture became markup
  html-check.py page HTML             only the checks below (a live page)

All check first that the page's tags nest and its ids are unique.
Prints what is wrong and exits 1, or exits 0.
"""
import re
import sys
from html.parser import HTMLParser

VOID = {"meta", "br", "input", "img", "hr", "link", "area", "base", "col",
        "embed", "source", "track", "wbr"}


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.errors = []
        self.ids = {}
        self.elements = []      # (tag, attrs dict, section id or None)
        self.scripts = 0
        self.text = []
        self.section = None
        self.section_stack = []

    def handle_starttag(self, tag, attrs):
        self._element(tag, attrs)
        if tag not in VOID:
            self.stack.append(tag)
            if tag == "section":
                self.section_stack.append(dict(attrs).get("id"))
                self.section = self.section_stack[-1]

    def handle_startendtag(self, tag, attrs):
        self._element(tag, attrs)

    def _element(self, tag, attrs):
        a = dict(attrs)
        for k, _ in attrs:
            if k.lower().startswith("on"):
                self.errors.append("event attribute %s on <%s>" % (k, tag))
        if "id" in a:
            if a["id"] in self.ids:
                self.errors.append("id %s twice" % a["id"])
            self.ids[a["id"]] = tag
        if tag == "script":
            self.scripts += 1
        self.elements.append((tag, a, self.section))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("</%s> closes <%s>" % (
                tag, self.stack[-1] if self.stack else "nothing"))
            return
        self.stack.pop()
        if tag == "section":
            self.section_stack.pop()
            self.section = self.section_stack[-1] if self.section_stack else None

    def handle_data(self, data):
        self.text.append(data)


def read_page(path):
    p = Page()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    p.close()
    if p.stack:
        p.errors.append("unclosed: %s" % " ".join(p.stack))
    return p


ROW = re.compile(r"^   (\d+)(?:-(\d+))?\s+[+-]?\d")
TIMER = re.compile(r"^   -\s+[+-]?\d")
VERDICT = re.compile(r"^   verdict (\S+) \((warning|info)\):")
CONN = re.compile(r"^#(\d+) ")


def read_text(path):
    conns = {}
    cur = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = CONN.match(line)
            if m:
                cur = conns.setdefault(int(m.group(1)),
                                       {"rows": [], "timers": 0,
                                        "verdicts": []})
                continue
            if line.startswith("summary"):
                cur = None
            if cur is None:
                continue
            m = ROW.match(line)
            if m:
                cur["rows"].append(int(m.group(1)))
                continue
            if TIMER.match(line):
                cur["timers"] += 1
                continue
            m = VERDICT.match(line)
            if m:
                cur["verdicts"].append((m.group(1), m.group(2)))
    return conns


def structure(text_path, html_path):
    page = read_page(html_path)
    errs = list(page.errors)
    conns = read_text(text_path)
    for cid, c in conns.items():
        sec = "c%d" % cid
        if page.ids.get("l%d" % cid) != "tr":
            errs.append("#%d: no line in the list" % cid)
        if page.ids.get(sec) != "section":
            errs.append("#%d: no section" % cid)
            continue
        els = [(t, a) for t, a, s in page.elements if s == sec]
        rows = [a for t, a in els if t == "g" and
                a.get("class", "").split()[:1] == ["row"]]
        frames = [int(a["id"].split("-f")[1]) for a in rows
                  if "-f" in a.get("id", "")]
        # frame-less rows: timers and arrivals ("-" in the text form)
        timers = [a for a in rows
                  if {"timer", "arrival"} & set(a.get("class", "").split())]
        if frames != c["rows"]:
            errs.append("#%d: ladder rows %s, text rows %s" % (
                cid, frames, c["rows"]))
        if len(timers) != c["timers"]:
            errs.append("#%d: %d timer rows, text %d" % (
                cid, len(timers), c["timers"]))
        bands = {}
        for t, a in els:
            if t == "rect" and "band" in a.get("class", "").split():
                x = int(float(a["x"]))
                bands[x] = bands.get(x, 0) + 1
        if len(bands) != 2:
            errs.append("#%d: state bands down %d lifelines" % (cid, len(bands)))
        if not any(t == "svg" and "win" in a.get("class", "").split()
                   for t, a in els):
            errs.append("#%d: no window graph" % cid)
        if not any(t == "svg" and "ladder" in a.get("class", "").split()
                   for t, a in els):
            errs.append("#%d: no ladder" % cid)
        verdicts = [(a.get("data-kind"), a.get("class", "").split()[1])
                    for t, a in els if t == "li" and
                    a.get("class", "").startswith("verdict ")]
        if verdicts != c["verdicts"]:
            errs.append("#%d: verdicts %s, text %s" % (
                cid, verdicts, c["verdicts"]))
    drawn = [a["id"] for t, a, s in page.elements
             if t == "section" and a.get("class", "").startswith("conn")]
    if len(drawn) != len(conns):
        errs.append("%d sections, %d connections" % (len(drawn), len(conns)))
    return errs


def hostile(html_path, name):
    page = read_page(html_path)
    errs = list(page.errors)
    if page.scripts != 1:
        errs.append("%d script elements (the page has one)" % page.scripts)
    for t, a, s in page.elements:
        if t in ("img", "iframe", "object", "embed", "image"):
            errs.append("<%s> in the page" % t)
    text = "".join(page.text)
    shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if shown not in text:
        errs.append("the file name does not read back as text")
    if "tcp and len < 100000" not in text:
        errs.append("the filter does not read back as text")
    svgs = [a for t, a, s in page.elements if t == "svg"]
    if any("onload" in " ".join(a.keys()) for a in svgs):
        errs.append("an svg with onload")
    return errs


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "structure":
        errs = structure(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "structure-list":
        errs = []
        with open(sys.argv[2], encoding="utf-8") as f:
            for line in f:
                name, text, page = line.rstrip("\n").split("\t")
                errs += ["%s: %s" % (name, e) for e in structure(text, page)]
    elif len(sys.argv) == 3 and sys.argv[1] == "page":
        errs = read_page(sys.argv[2]).errors
    elif len(sys.argv) == 4 and sys.argv[1] == "hostile":
        errs = hostile(sys.argv[2], sys.argv[3])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for e in errs[:20]:
        print(e)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
