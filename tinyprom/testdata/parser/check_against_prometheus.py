#!/usr/bin/env python3
"""Runs every case of the parser test files against a live Prometheus and
prints the cases where its answer differs from the expectation in the file.

    python3 check_against_prometheus.py http://127.0.0.1:9090 [FILE.txt ...]

Prometheus answers through its HTTP API: /api/v1/format_query for the printed
form, /api/v1/query for the error. Use it to verify expectations against a
real Prometheus; differences with an older Prometheus (2.x) are expected
where Prometheus 3 changed (see the comments in the case files).
"""
import json
import pathlib
import sys
import urllib.error
import urllib.parse
import urllib.request


def ask(base, path, query):
    data = urllib.parse.urlencode({"query": query, "time": "1000"}).encode()
    try:
        with urllib.request.urlopen(base + path, data, timeout=10) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        return json.load(error)


def answer(base, query):
    body = ask(base, "/api/v1/format_query", query)
    if body["status"] == "success":
        return "=> " + body["data"]
    return "!! " + body["error"].replace('invalid parameter "query": ', "")


def cases(path):
    lines = path.read_text().splitlines()
    for i, line in enumerate(lines):
        if not line or line.startswith("#") or line.startswith("  "):
            continue
        query = json.loads(line[5:]) if line.startswith("json:") else line
        expect = lines[i + 1].strip() if i + 1 < len(lines) else ""
        yield line, query, expect


def main():
    base = sys.argv[1].rstrip("/")
    here = pathlib.Path(__file__).parent
    files = [pathlib.Path(f) for f in sys.argv[2:]] or sorted(here.glob("*.txt"))
    same = differ = 0
    for path in files:
        for line, query, expect in cases(path):
            got = answer(base, query)
            if got == expect:
                same += 1
            else:
                differ += 1
                print(f"{path.name}: {line}\n  file       {expect}\n  prometheus {got}")
    print(f"{same} same, {differ} different")


if __name__ == "__main__":
    main()
