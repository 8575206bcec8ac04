#!/usr/bin/env python3
"""json-doc.py: doc/json.md, doc/tcpflow-explain.schema.json and the real
output name the same fields, with the same types.

    json-doc.py DOC.md SCHEMA.json VERDICTS.md OUTPUT.jsonl...

DOC.md's field tables follow a line "<!-- fields: connection -->" or
"<!-- fields: summary -->"; a table has the columns "field" (a path such as
`client.addr`, `verdicts[].kind`, `decode.reasons.<reason>`), "type" ("integer
or null"), "null when" and, for events, "in" (the event types that have the
field).  `<side>` stands for client and server; any other `<name>` for every
key of a map.  The schema is flattened into the same paths (properties,
items as [], additionalProperties as <*>), and so is every output line,
using the schema to tell map keys from fields.

Checks: the doc and the schema list the same fields with the same types;
a field is required in the schema exactly when the doc does not call it
absent; each event type has exactly the fields the doc gives it; every
field of the output is documented and of a documented type; every
documented field occurs in the output (or sits under a value that was
null there); every enum value of the schema is named in the docs; the
fields of each kind's verdict `numbers` that DOC.md lists (in the row of
`verdicts[].numbers`, as "`kind`: `name`, `name`; ...") are the ones
VERDICTS.md gives under each kind's **Numbers**, and every field a
verdict of the output carries is listed for its kind.

Uses only the standard library.  Prints PASS/FAIL lines and ends with
"N passed, M failed"; exits 1 when a check failed.
"""
import json
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


def join(path, key):
    return key if path == "" else path + "." + key


def norm_path(raw):
    """Doc path -> list of concrete schema-style paths."""
    paths = [raw]
    if "<side>" in raw:
        paths = [raw.replace("<side>", s) for s in ("client", "server")]
    return [re.sub(r"<[a-z_]+>", "<*>", p) for p in paths]


def doc_fields(path):
    """{object: {path: {"types", "in", "absent"}}}"""
    fields = {}
    obj = None
    header = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            s = line.strip()
            m = re.match(r"<!-- fields: (\w+) -->$", s)
            if m:
                obj, header = m.group(1), None
                continue
            if obj is None:
                continue
            if not s.startswith("|"):
                if header is not None:
                    obj, header = None, None
                continue
            cells = [c.strip() for c in s.strip("|").split("|")]
            if header is None:
                header = [c.lower() for c in cells]
                continue
            if all(set(c) <= set("-: ") for c in cells):
                continue
            row = dict(zip(header, cells))
            m = re.fullmatch(r"`([^`]+)`", row.get("field", ""))
            if not m:
                raise SystemExit("json-doc.py: %s: bad field cell: %s" % (path, s))
            types = set(t.strip() for t in row["type"].split(" or "))
            ins = None
            if "in" in row:
                ins = set(t.strip() for t in row["in"].split(","))
            absent = "absent" in row.get("null when", "")
            for p in norm_path(m.group(1)):
                fields.setdefault(obj, {})[p] = {
                    "types": types, "in": ins, "absent": absent}
    return fields


class Schema:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.root = json.load(f)

    def resolve(self, s):
        while isinstance(s, dict) and "$ref" in s:
            ref = s["$ref"]
            assert ref.startswith("#/"), ref
            node = self.root
            for part in ref[2:].split("/"):
                node = node[part]
            s = node
        return s

    @staticmethod
    def value_type(v):
        if v is None:
            return "null"
        if isinstance(v, bool):
            return "boolean"
        if isinstance(v, int):
            return "integer"
        if isinstance(v, float):
            return "number"
        if isinstance(v, str):
            return "string"
        return "object" if isinstance(v, dict) else "array"

    def types(self, s):
        s = self.resolve(s)
        if "type" in s:
            t = s["type"]
            return set(t if isinstance(t, list) else [t])
        if "const" in s:
            return {self.value_type(s["const"])}
        if "enum" in s:
            return {self.value_type(v) for v in s["enum"]}
        out = set()
        for b in s.get("oneOf", []) + s.get("anyOf", []):
            out |= self.types(b)
        return out

    def flatten(self, s, path="", out=None, required=True):
        """{path: {"types", "required"}} for `s` and everything in it."""
        if out is None:
            out = {}
        s = self.resolve(s)
        branches = s.get("oneOf", []) + s.get("anyOf", [])
        if branches:
            for b in branches:
                self.flatten(b, path, out, required)
            return out
        e = out.setdefault(path, {"types": set(), "required": required})
        e["types"] |= self.types(s)
        req = set(s.get("required", []))
        for k, v in s.get("properties", {}).items():
            self.flatten(v, join(path, k), out, k in req)
        ap = s.get("additionalProperties")
        if isinstance(ap, dict):
            self.flatten(ap, join(path, "<*>"), out, True)
        if "items" in s and isinstance(s["items"], dict):
            self.flatten(s["items"], path + "[]", out, True)
        return out

    def objects(self):
        """{type const: schema} for the top-level branches."""
        out = {}
        for b in self.root["oneOf"]:
            b = self.resolve(b)
            out[b["properties"]["type"]["const"]] = b
        return out

    def enums(self, s=None, out=None):
        if out is None:
            out, s = set(), self.root
        if isinstance(s, dict):
            for k, v in s.items():
                if k == "enum":
                    out |= {x for x in v if isinstance(x, str)}
                else:
                    self.enums(v, out)
        elif isinstance(s, list):
            for v in s:
                self.enums(v, out)
        return out


def walk(v, path, known, out):
    """Adds the paths of value v to out ({path: set of types})."""
    out.setdefault(path, set()).add(Schema.value_type(v))
    if isinstance(v, dict):
        for k, x in v.items():
            p = join(path, k)
            if p not in known and join(path, "<*>") in known:
                p = join(path, "<*>")
            walk(x, p, known, out)
    elif isinstance(v, list):
        for x in v:
            walk(x, path + "[]", known, out)


def fits(seen, allowed):
    return all(t in allowed or (t == "integer" and "number" in allowed)
               for t in seen)


def doc_numbers(doc_path, verdicts_path):
    """{kind: set of number fields} from DOC.md's `verdicts[].numbers` row
    and from VERDICTS.md's **Numbers** paragraphs."""
    in_doc = {}
    with open(doc_path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("| `verdicts[].numbers` |"):
                for g in re.finditer(r"`([a-z_]+)`: ((?:`[a-z0-9_]+`"
                                     r"(?:, )?)+)", line):
                    in_doc[g.group(1)] = set(re.findall(r"`([a-z0-9_]+)`",
                                                        g.group(2)))
                g = re.search(r"none for ((?:`[a-z_]+`(?:, )?)+)", line)
                for k in re.findall(r"`([a-z_]+)`", g.group(1) if g else ""):
                    in_doc[k] = set()
    in_verdicts = {}
    kind = None
    with open(verdicts_path, encoding="utf-8") as f:
        paras = f.read().split("\n\n")
    for p in paras:
        g = re.match(r"## ([a-z_]+)$", p.strip())
        if g:
            kind = g.group(1)
        elif kind and p.startswith("**Numbers**"):
            in_verdicts[kind] = set(n for n in re.findall(r"`([^`]+)`", p)
                                    if re.fullmatch(r"[a-z][a-z0-9_]*", n)
                                    and n != "numbers")
    return in_doc, in_verdicts


def main(argv):
    if len(argv) < 5:
        print("usage: json-doc.py DOC.md SCHEMA.json VERDICTS.md OUTPUT.jsonl...",
              file=sys.stderr)
        return 2
    doc_path, schema_path, verdicts_path = argv[1:4]
    doc = doc_fields(doc_path)
    schema = Schema(schema_path)
    objs = schema.objects()

    result(set(doc) == set(objs), "the doc and the schema have the same "
           "object types", "doc %s, schema %s" % (sorted(doc), sorted(objs)))

    flat = {name: schema.flatten(s) for name, s in objs.items()}
    for f in flat.values():
        f.pop("", None)

    seen = {name: {} for name in objs}
    nlines = 0
    emitted = {}
    for out_path in argv[4:]:
        with open(out_path, encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                t = d.get("type")
                if t not in flat:
                    result(False, "output object types", "%s: type %r"
                           % (out_path, t))
                    continue
                nlines += 1
                walk(d, "", flat[t], seen[t])
                for v in d.get("verdicts", []) if t == "connection" else []:
                    emitted.setdefault(v["kind"], set()).update(v["numbers"])
    for s in seen.values():
        s.pop("", None)
    result(nlines > 0, "the output has lines to compare", "none read")

    for name in sorted(objs):
        dpaths = doc.get(name, {})
        spaths = flat[name]
        missing = sorted(set(spaths) - set(dpaths))
        extra = sorted(set(dpaths) - set(spaths))
        result(not missing, "%s: every schema field is in the doc" % name,
               " ".join(missing))
        result(not extra, "%s: every doc field is in the schema" % name,
               " ".join(extra))
        bad = ["%s (doc %s, schema %s)" % (p, "/".join(sorted(dpaths[p]["types"])),
                                            "/".join(sorted(spaths[p]["types"])))
               for p in sorted(set(dpaths) & set(spaths))
               if dpaths[p]["types"] != spaths[p]["types"]]
        result(not bad, "%s: the doc and the schema give the same types" % name,
               "; ".join(bad))
        bad = [p for p in sorted(set(dpaths) & set(spaths))
               if dpaths[p]["absent"] == spaths[p]["required"]]
        result(not bad, "%s: required in the schema exactly when the doc "
               "never calls it absent" % name, " ".join(bad))

        # Event types: each branch of a oneOf over items whose branches
        # have a "type" const gets exactly the rows whose "in" names it.
        lists = {}
        for p, row in dpaths.items():
            if row["in"] is not None:
                base = p.split("[]")[0] + "[]"
                lists.setdefault(base, set()).add(p)
        for base in sorted(lists):
            node = objs[name]
            for part in base[:-2].split("."):
                node = schema.resolve(node)["properties"][part]
            items = schema.resolve(schema.resolve(node)["items"])
            for b in items.get("oneOf", []):
                b = schema.resolve(b)
                kind = b["properties"]["type"]["const"]
                have = set(p for p in schema.flatten(b, base) if p != base)
                want = set(p for p in lists[base] if p != base
                           and dpaths[p]["in"] & {kind, "all"})
                diff = sorted(have ^ want)
                result(not diff, "%s: %s of type %s have the fields the doc "
                       "gives them" % (name, base, kind), " ".join(diff))

        out = seen[name]
        undocumented = sorted(set(out) - set(dpaths))
        result(not undocumented, "%s: every field in the output is documented"
               % name, " ".join(undocumented))
        bad = ["%s (output %s, doc %s)" % (p, "/".join(sorted(out[p])),
                                            "/".join(sorted(dpaths[p]["types"])))
               for p in sorted(set(out) & set(dpaths))
               if not fits(out[p], dpaths[p]["types"])]
        result(not bad, "%s: every output value has a documented type" % name,
               "; ".join(bad))

        def covered(p):
            if p in out:
                return True
            parts = re.split(r"(?=\.)|(?=\[\])", p)
            for i in range(1, len(parts)):
                a = "".join(parts[:i])
                if a in out and out[a] == {"null"}:
                    return True
            return False
        unseen = sorted(p for p in dpaths if not covered(p))
        result(not unseen, "%s: every documented field occurs in the output"
               % name, " ".join(unseen))

    text = ""
    for p in (doc_path, verdicts_path):
        with open(p, encoding="utf-8") as f:
            text += f.read()
    unnamed = sorted(v for v in schema.enums() if "`%s`" % v not in text)
    result(not unnamed, "every enum value of the schema is named in the docs",
           " ".join(unnamed))

    in_doc, in_verdicts = doc_numbers(doc_path, verdicts_path)
    result(in_doc and in_doc == in_verdicts, "the verdict numbers of each "
           "kind are the same in both docs",
           "; ".join("%s: %s / %s" % (k, sorted(in_doc.get(k, ())),
                                      sorted(in_verdicts.get(k, ())))
                     for k in sorted(set(in_doc) | set(in_verdicts))
                     if in_doc.get(k) != in_verdicts.get(k)) or "none listed")
    bad = sorted("%s.%s" % (k, n) for k, names in emitted.items()
                 for n in names - in_doc.get(k, set()))
    result(not bad, "every verdict number in the output is documented for "
           "its kind", " ".join(bad))

    print("%d passed, %d failed" % (npass, nfail))
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
