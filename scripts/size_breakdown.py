"""What each part of the playground's wasm costs in gzip bytes.

Reads a wasm optimised as Trunk optimises it but with its function names
kept (scripts/size-breakdown.sh makes one), and for each part (a set of
functions, matched by name) writes the module again with those functions'
bodies emptied, and gzips it: the bytes saved are what that part's code
costs the page. Parts share std's code and the data segment, which are
counted on their own lines, so the figures are each part's own code, not a
sum to 100 %.
"""

import gzip
import re
import sys

# (part, name patterns). The first matching part takes a function.
PARTS = [
    ("the page's components, hooks and callbacks (playground crate)",
     [r"CompStateInner<COMP> as yew::html::component::lifecycle::Stateful>::view",
      r"^<?playground::", r"<playground::"]),
    ("yew's runtime and the web bindings (yew, wasm-bindgen, web-sys, js-sys, gloo)",
     [r"yew::", r"wasm_bindgen", r"web_sys", r"js_sys", r"gloo"]),
    ("PromQL: parser, evaluator, explain, completion (tinyprom::promql) and regex-lite",
     [r"tinyprom::promql", r"regex_lite"]),
    ("alert rules and their templates (tinyprom::rules)", [r"tinyprom::rules"]),
    ("exposition parser, series store, scraper (rest of tinyprom)", [r"tinyprom::"]),
    ("the simulation, markup, guide, dashboard, live mode (playground-core)",
     [r"playground_core::", r"workshop_guide::"]),
    ("the app's metrics and their encoding (treecounter, prometheus-client)",
     [r"treecounter::", r"prometheus_client"]),
    ("std: formatting, collections, allocator, maths",
     [r"^<?(core|alloc|std)(\[|::)", r"compiler_builtins", r"dlmalloc", r"hashbrown"]),
]


def leb(data, i):
    result = shift = 0
    while True:
        byte = data[i]
        i += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, i


def uleb(n):
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def sections(data):
    i, found = 8, []
    while i < len(data):
        section_id = data[i]
        size, i = leb(data, i + 1)
        found.append((section_id, data[i:i + size]))
        i += size
    return found


def imported_functions(section):
    count, i = leb(section, 0)
    functions = 0
    for _ in range(count):
        for _ in range(2):  # module and field names
            length, i = leb(section, i)
            i += length
        kind = section[i]
        i += 1
        if kind == 0:  # function: type index
            _, i = leb(section, i)
            functions += 1
        elif kind in (1, 2):  # table (element type first), memory: limits
            if kind == 1:
                i += 1
            flags = section[i]
            _, i = leb(section, i + 1)
            if flags & 1:
                _, i = leb(section, i)
        elif kind == 3:  # global: type, mutability
            i += 2
        else:
            raise SystemExit(f"size_breakdown: import kind {kind} not understood")
    return functions


def function_names(custom):
    length, i = leb(custom, 0)
    if custom[i:i + length] != b"name":
        return {}
    i += length
    names = {}
    while i < len(custom):
        sub = custom[i]
        size, i = leb(custom, i + 1)
        end = i + size
        if sub == 1:
            count, j = leb(custom, i)
            for _ in range(count):
                index, j = leb(custom, j)
                length, j = leb(custom, j)
                names[index] = custom[j:j + length].decode("utf-8", "replace")
                j += length
        i = end
    return names


def main(path):
    data = open(path, "rb").read()
    found = sections(data)
    imports = sum(imported_functions(s) for sid, s in found if sid == 2)
    names = {}
    for sid, s in found:
        if sid == 0:
            names.update(function_names(s))
    if not names:
        raise SystemExit("size_breakdown: the wasm has no function names (build it with -g)")
    code = next(s for sid, s in found if sid == 10)
    count, i = leb(code, 0)
    bodies = []
    for index in range(count):
        size, j = leb(code, i)
        bodies.append((names.get(imports + index, ""), code[j:j + size]))
        i = j + size

    part_of = []
    patterns = [[re.compile(p) for p in ps] for _, ps in PARTS]
    for name, _ in bodies:
        part_of.append(next((k for k, ps in enumerate(patterns)
                             if any(p.search(name) for p in ps)), None))

    def module(emptied):
        out = bytearray(data[:8])
        for sid, s in found:
            if sid == 0:
                continue  # names and other custom sections: not shipped
            if sid == 10:
                body = bytearray(uleb(count))
                for k, (_, b) in enumerate(bodies):
                    if part_of[k] in emptied:
                        b = bytes([0, 0x00, 0x0B])  # no locals; unreachable; end
                    body += uleb(len(b)) + b
                s = bytes(body)
            out.append(sid)
            out += uleb(len(s)) + s
        return bytes(out)

    def gz(b):
        return len(gzip.compress(b, 9))

    whole = gz(module(set()))
    print(f"{'part':<84} {'functions':>9} {'code':>8} {'gzip':>8}")
    for k, (part, _) in enumerate(PARTS):
        functions = [b for (n, b), p in zip(bodies, part_of) if p == k]
        saved = whole - gz(module({k}))
        print(f"{part:<84} {len(functions):>9} {sum(map(len, functions)):>8} {saved:>8}")
    data_section = next((s for sid, s in found if sid == 11), b"")
    print(f"{'data (text, tables), gzipped on its own':<84} {'':>9} {len(data_section):>8} "
          f"{gz(data_section):>8}")
    print(f"{'the whole wasm':<84} {count:>9} {len(code):>8} {whole:>8}")
    ui = gz(module({0}))
    print(f"without the page's components, hooks and callbacks, the wasm is {ui} bytes gzip")


if __name__ == "__main__":
    main(sys.argv[1])
