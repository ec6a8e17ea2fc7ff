"""Speed of the promql CLI against Prometheus, side by side in one run.

    python3 bench.py --promql-bin target/release/promql [--scale 4] [--rounds 3]

Generates the big data set (gen_data.py --scale 4: ~500 k samples), loads it
into Prometheus (not timed), then, for each round:

* (a) the CLI: one `promql query-range --data FILE --queries CORPUS ...` run,
  wall time including loading the file; and, to split that up, one run of a
  single trivial query (about the loading time alone);
* (b) Prometheus: the same queries as range queries over HTTP, one after the
  other; the sum of the requests' wall times.

The corpus is every query of queries/*.promql except the error, fuzz and
2.42-difference files, over the whole two hours at a 60 s step. Prints the
median of each over the rounds, their ratio, Prometheus's slowest queries,
and how many of the CLI's answers agree with Prometheus's on this data.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import gen_data
from compare import differences
from corpus import QUERY_DIR, load
from harness import DEFAULT_CLI, RangeParams, parse_answer, running_prometheus

SKIPPED_FILES = {"errors", "fuzz", "v3_differences"}
PARAMS = RangeParams(f"{gen_data.T0}.25", f"{gen_data.END}.25", "60")


def run_cli(binary: Path, data: Path, queries: Path) -> tuple[float, list[str]]:
    cmd = [str(binary), "query-range", "--data", str(data), "--queries", str(queries),
           "--start", PARAMS.start, "--end", PARAMS.end, "--step", PARAMS.step]  # fmt: skip
    started = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=3600, check=False)
    took = time.perf_counter() - started
    if result.returncode not in (0, 1):
        sys.exit(f"bench: `{' '.join(cmd)}` exited {result.returncode}: {result.stderr[-2000:]}")
    return took, result.stdout.splitlines()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--promql-bin", type=Path, default=DEFAULT_CLI)
    parser.add_argument("--scale", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if not args.promql_bin.is_file():
        sys.exit(f"bench: {args.promql_bin} does not exist: cargo build --release -p promql-cli")

    exprs = [q.expr for q in load(QUERY_DIR) if q.file not in SKIPPED_FILES]
    with tempfile.TemporaryDirectory(prefix="bench-promql-") as tmp:
        work = Path(tmp)
        data = work / "big.om"
        writer = gen_data.generate(seed=7, scale=args.scale)
        data.write_text(writer.text(), encoding="utf-8")
        queries = work / "corpus.promql"
        queries.write_text("".join(e + "\n" for e in exprs), encoding="utf-8")
        trivial = work / "trivial.promql"
        trivial.write_text("vector(1)\n", encoding="utf-8")
        print(f"data: {writer.samples} samples, {data.stat().st_size / 1e6:.0f} MB; "
              f"{len(exprs)} range queries, {PARAMS}", flush=True)  # fmt: skip

        with running_prometheus(data) as prometheus:
            prometheus.range_many(exprs, PARAMS)  # warm up: TSDB pages, query paths
            cli_totals, load_times, prom_totals = [], [], []
            per_query: list[list[float]] = [[] for _ in exprs]
            cli_lines: list[str] = []
            prom_answers = []
            for n in range(args.rounds):
                took, cli_lines = run_cli(args.promql_bin, data, queries)
                cli_totals.append(took)
                load_times.append(run_cli(args.promql_bin, data, trivial)[0])
                prom_answers = []
                for i, expr in enumerate(exprs):
                    started = time.perf_counter()
                    prom_answers.append(prometheus.range(expr, PARAMS))
                    per_query[i].append(time.perf_counter() - started)
                prom_totals.append(sum(p[-1] for p in per_query))
                print(f"round {n + 1}: promql {took:.2f} s, Prometheus {prom_totals[-1]:.2f} s", flush=True)

    cli = statistics.median(cli_totals)
    prom = statistics.median(prom_totals)
    loading = statistics.median(load_times)
    print(f"promql CLI (load + {len(exprs)} queries): {cli:.2f} s (of which loading the file about {loading:.2f} s)")
    print(f"Prometheus over HTTP ({len(exprs)} queries, sequential): {prom:.2f} s")
    print(f"ratio Prometheus / promql: {prom / cli:.2f}x ({'promql' if cli < prom else 'Prometheus'} is faster)")
    medians = sorted(((statistics.median(t), e) for t, e in zip(per_query, exprs)), reverse=True)
    print("Prometheus's slowest queries (median ms):")
    for seconds, expr in medians[:8]:
        print(f"  {seconds * 1000:8.1f}  {expr}")
    answers = [parse_answer(line) for line in cli_lines]
    if len(answers) != len(exprs):
        print(f"the CLI gave {len(answers)} answers for {len(exprs)} queries")
        return 1
    agree = sum(not differences(p, a) for p, a in zip(prom_answers, answers))
    print(f"agreement on the benchmark data: {agree}/{len(exprs)} answers")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
