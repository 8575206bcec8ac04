#!/usr/bin/env python3
"""json-lines.py: the JSON Lines of captures, read strictly and held
against the JSON Schema and against the text form of the same run.

    json-lines.py SCHEMA.json DIR NAME...

For each NAME, DIR holds the program's output for one capture:
NAME.text (text form), NAME.json (--format json), NAME.events.json
(--format json --events), NAME.vo.text and NAME.vo.json (the same with
--verdicts-only).  Checks per capture:

  lines     every line is UTF-8, ends with a newline and is one JSON object
            (strict: no control characters in strings, no NaN); connection
            objects come first, then exactly one summary, last
  events    the --events lines are the plain lines plus "events", nothing
            else differs
  order     the connection ids are the text form's "#N" headers, in order,
            with and without --verdicts-only
  timeline  each connection has as many events as its text timeline rows
  states    each side's changes chain from its initial state; a timer
            event changes its own side only
  zeek      the Zeek pair and the completeness are the text form's
  summary   the connection and frame counts are the text summary's
  schema    every line validates against SCHEMA.json (needs the Python
            module jsonschema, Debian python3-jsonschema)

Prints PASS/FAIL per capture and check, then "N passed, M failed".  Exit
1 when a check failed; 77 when none failed but the schema checks could
not run because jsonschema is missing; else 0.
"""
import json
import os
import re
import sys

npass = 0
nfail = 0


def result(ok, name, detail=""):
    global npass, nfail
    if ok:
        npass += 1
        print("PASS " + name)
    else:
        nfail += 1
        print("FAIL %s: %s" % (name, detail))


def no_constants(name):
    raise ValueError("non-standard constant " + name)


def read_lines(path):
    """The objects of a JSON Lines file; raises ValueError on any fault."""
    with open(path, "rb") as f:
        data = f.read()
    text = data.decode("utf-8")  # strict
    if text and not text.endswith("\n"):
        raise ValueError("the last line has no newline")
    out = []
    for i, line in enumerate(text.split("\n")[:-1], 1):
        try:
            d = json.loads(line, strict=True, parse_constant=no_constants)
        except ValueError as e:
            raise ValueError("line %d: %s" % (i, e))
        if not isinstance(d, dict):
            raise ValueError("line %d is not an object" % i)
        out.append(d)
    return out


def structure(objs):
    types = [d.get("type") for d in objs]
    if not types or types[-1] != "summary" or types.count("summary") != 1:
        return "not connections then one summary: %s" % types
    if any(t != "connection" for t in types[:-1]):
        return "unexpected object types: %s" % types
    ids = [d["id"] for d in objs[:-1]]
    if len(set(ids)) != len(ids):
        return "repeated ids: %s" % ids
    return None


HEADER = re.compile(r"^#(\d+) ")
ROW = re.compile(r"^   (\d+|\d+-\d+|-)\s+[+-]\d+\.\d+\s")


def text_blocks(path):
    """[[id, timeline rows, header line, options line]] from the text
    form."""
    blocks = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = HEADER.match(line)
            if m:
                blocks.append([int(m.group(1)), 0, line, None])
            elif blocks and blocks[-1][3] is None:
                blocks[-1][3] = line
            elif blocks and ROW.match(line):
                blocks[-1][1] += 1
    return blocks


def text_summary(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    conns = re.search(r"^  connections: (\d+)$", text, re.M)
    frames = re.search(r"^  packets: (\d+) read, (\d+) TCP", text, re.M)
    return (int(conns.group(1)) if conns else None,
            int(frames.group(1)) if frames else None,
            int(frames.group(2)) if frames else None)


def main(argv):
    if len(argv) < 4:
        print("usage: json-lines.py SCHEMA.json DIR NAME...", file=sys.stderr)
        return 2
    schema_path, d = argv[1], argv[2]
    try:
        import jsonschema
        with open(schema_path, encoding="utf-8") as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        validator = jsonschema.Draft202012Validator(schema)
        # For readable messages: the same schema with the branch for each
        # object type chosen.
        by_type = {}
        for t in ("connection", "summary"):
            one = dict(schema)
            del one["oneOf"]
            one["$ref"] = "#/$defs/" + t
            by_type[t] = jsonschema.Draft202012Validator(one)
        result(True, "the JSON Schema is a valid draft 2020-12 schema")
    except ImportError:
        validator = None
        print("SKIP schema checks: the Python module jsonschema is not "
              "installed (Debian python3-jsonschema)")

    for name in argv[3:]:
        p = lambda ext: os.path.join(d, name + ext)
        try:
            plain = read_lines(p(".json"))
            events = read_lines(p(".events.json"))
            vo = read_lines(p(".vo.json"))
        except (ValueError, UnicodeDecodeError) as e:
            result(False, name + ": lines", str(e))
            continue
        err = structure(plain) or structure(events) or structure(vo)
        result(err is None, name + ": lines", err)
        if err:
            continue

        stripped = []
        for o in events:
            o = dict(o)
            has = o.pop("events", None) is not None
            if has != (o["type"] == "connection"):
                stripped = None
                break
            stripped.append(o)
        result(stripped == plain, name + ": events",
               "the --events lines differ from the plain ones beyond events")

        blocks = text_blocks(p(".text"))
        ids = [o["id"] for o in plain[:-1]]
        vo_ids = [o["id"] for o in vo[:-1]]
        text_vo = [b[0] for b in text_blocks(p(".vo.text"))]
        result(ids == [b[0] for b in blocks] and vo_ids == text_vo,
               name + ": order", "json %s / text %s; --verdicts-only json %s"
               " / text %s" % (ids, [b[0] for b in blocks], vo_ids, text_vo))

        # Each side's changes chain from its initial state, and so do the
        # events' state pairs, a timer changing its own side only.
        bad = []
        for o in events[:-1]:
            for side in ("client", "server"):
                cur = o[side]["initial_state"]
                for ch in o["states"][side]:
                    if ch["from"] != cur or ch["state"] == cur:
                        bad.append("#%d %s" % (o["id"], side))
                    cur = ch["state"]
                other = "server" if side == "client" else "client"
                prev = o[side]["initial_state"]
                for e in o["events"]:
                    if e["type"] == "timer" and e["side"] == other and \
                            e["state"][side] != prev:
                        bad.append("#%d %s timer" % (o["id"], other))
                    prev = e["state"][side]
        result(not bad, name + ": states", " ".join(bad))

        rows = [len(o["events"]) for o in events[:-1]]
        result(rows == [b[1] for b in blocks], name + ": timeline",
               "events per connection %s, text rows %s"
               % (rows, [b[1] for b in blocks]))

        # The Zeek pair in the header and the completeness in the
        # options line, as the text form prints them.
        bad = []
        for o, b in zip(plain[:-1], blocks):
            z = o["zeek"]
            pair = "  %s %s  " % (z["conn_state"], z["history"] or "-") \
                if z else None
            comp = "tcp.completeness %d\n" % o["wireshark_completeness"]
            if (pair and pair not in b[2]) or not b[3].endswith(comp):
                bad.append(o["id"])
        result(not bad, name + ": zeek", "connections %s: the Zeek pair or "
               "the completeness differ from the text form" % bad)

        conns, frames, tcp = text_summary(p(".text"))
        s = plain[-1]
        got = (s["connections"], s["frames"]["analysed"], s["frames"]["tcp"])
        result(got == (conns, frames, tcp) and vo[-1] == s, name + ": summary",
               "json %s, text %s" % (got, (conns, frames, tcp)))

        if validator is not None:
            errs = []
            for o in events + plain:
                if validator.is_valid(o):
                    continue
                e = None
                if o.get("type") in by_type:
                    e = jsonschema.exceptions.best_match(
                        by_type[o["type"]].iter_errors(o))
                if e is None:
                    e = jsonschema.exceptions.best_match(
                        validator.iter_errors(o))
                if e is not None:
                    errs.append("%s at /%s" % (e.message[:160],
                                "/".join(str(x) for x in e.absolute_path)))
            result(not errs, name + ": schema", "; ".join(errs[:5]))

    print("%d passed, %d failed" % (npass, nfail))
    if nfail:
        return 1
    return 77 if validator is None else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
