"""Seeded, deterministic test data for the differential PromQL tests.

Writes OpenMetrics text with a timestamp on every sample, exactly what
`promtool tsdb create-blocks-from openmetrics` reads and what `promql --data`
loads, so Prometheus and our engine answer over the very same samples.

    python3 gen_data.py OUT.om                 # the test data set (~100 k samples)
    python3 gen_data.py --scale 8 OUT.om       # ~500 k samples, for the benchmark

What the data is made of, and why:

* Targets (job, instance) scraped every 15 s for two hours from T0. Every
  scrape of a target gets its own millisecond jitter, never a multiple of
  50 ms. The queries are evaluated at times whose fraction is .25 or .75 s,
  with whole-second ranges, offsets and steps, so no window edge ever falls
  on a sample or on a subquery step: Prometheus 2.42's closed windows
  [t-r, t] and Prometheus 3's left-open (t-r, t] then select the same samples.
* Counters with a process restart (api-1 resets all its counters), missed
  scrapes (api-3 misses about one in twenty; web-2 misses ten minutes, longer
  than the 5 minute lookback), a target that disappears and comes back
  (batch-0), a target that goes away before the end (web-0), and a series that
  only starts half-way (api-2's 500s).
* Gauges with six decimals, so that topk and bottomk never meet a tie (which
  of two equal samples they keep is up to the heap, and changed after 2.42).
* Gauges with negative values, NaN and +-Inf samples (`sensor_reading`),
  small integers for count_values (`queue_length`), timestamps as values
  (`batch_last_success_timestamp_seconds`) for the date functions.
* A classic histogram `request_latency_seconds` with several label sets, one
  whose buckets are sometimes non-monotonic (handler="/glitch"), one without
  a +Inf bucket (handler="/noinf") and one that never observes anything
  (handler="/idle").
* Label values that need escaping (quote, backslash, non-ASCII; no newline,
  as Prometheus 3's regex `.` matches one and 2.42's doesn't).
* `disk_used_bytes` and `disk_free_bytes` with identical label sets, which
  differ only in `__name__`, to provoke "vector cannot contain metrics with
  the same labelset".
* `node_info` for joins, where web-1 changes version half-way, so for five
  minutes two info series match one target (many-to-many errors).

Counters start at 0 or far from it (a process that has been running for a
while). Where a window reaches back before a counter's first sample,
Prometheus 3 extrapolates rate() and increase() to the start by at most half
the average sample interval, 2.42 by up to 1.1 intervals when the counter's
extrapolated zero point lies that close; the two agree when the first value
is 0 or far above one interval's increase, so the data keeps to that, but for
`late_counter_total`, kept to show the difference (see allowlist.py).

Values stay small enough (below ~1e7, a few decimals) that summing them in a
different order changes a result by far less than 1e-9 relative.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

T0 = 1_700_000_000
SCRAPE_INTERVAL = 15
SCRAPES = 481  # T0 .. T0 + 2 h, both included
END = T0 + SCRAPE_INTERVAL * (SCRAPES - 1)
LATENCY_BUCKETS = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "+Inf"]


@dataclass
class Target:
    """One scraped process: which scrapes reached it, and when it restarted."""

    job: str
    instance: str
    present: list[bool]
    restart_at: int | None = None  # scrape index at which its counters start over
    jitter_ms: list[int] = field(default_factory=list)

    def timestamp(self, i: int) -> str:
        return f"{T0 + SCRAPE_INTERVAL * i}.{self.jitter_ms[i]:03d}"


def make_targets(rng: random.Random, scale: int) -> list[Target]:
    def always() -> list[bool]:
        return [True] * SCRAPES

    targets = []
    for n in range(4 * scale):
        present = always()
        restart = None
        if n == 1:
            restart = 200
        if n == 3:  # flaky: misses about one scrape in twenty, never the first
            present = [i == 0 or rng.random() >= 0.05 for i in range(SCRAPES)]
        targets.append(Target("api", f"api-{n}", present, restart))
    for n in range(3 * scale):
        present = always()
        if n == 0:  # goes away 10 minutes before the end
            present = [i <= SCRAPES - 41 for i in range(SCRAPES)]
        if n == 2:  # misses ten minutes of scrapes: longer than the lookback
            present = [not 280 <= i < 320 for i in range(SCRAPES)]
        targets.append(Target("web", f"web-{n}", present))
    # Exists from 25 to 62.5 minutes, disappears, comes back at 82.5 and goes at 100.
    batch = [100 <= i <= 250 or 330 <= i <= 400 for i in range(SCRAPES)]
    targets.append(Target("batch", "batch-0", batch))
    for target in targets:
        target.jitter_ms = [jitter(rng) for _ in range(SCRAPES)]
    return targets


def jitter(rng: random.Random) -> int:
    """A scrape's delay in ms: 1..999, never a multiple of 50 (see the module doc)."""
    while True:
        ms = rng.randint(1, 999)
        if ms % 50:
            return ms


def fmt(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def labels_text(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{escape(v)}"' for k, v in labels.items()) + "}"


class Writer:
    """Collects families; each is written whole, in the order added."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.samples = 0

    def family(self, name: str, kind: str, help_text: str) -> None:
        self.lines.append(f"# HELP {name} {help_text}")
        self.lines.append(f"# TYPE {name} {kind}")

    def sample(self, name: str, labels: dict[str, str], value: float, ts: str) -> None:
        self.lines.append(f"{name}{labels_text(labels)} {fmt(value)} {ts}")
        self.samples += 1

    def text(self) -> str:
        return "\n".join(self.lines) + "\n# EOF\n"


class Counter:
    """A counter that starts over when its process restarts."""

    def __init__(self, start: float = 0.0) -> None:
        self.value = start

    def step(self, i: int, target: Target, increment: float) -> float:
        if target.restart_at == i:
            self.value = 0.0
        self.value += increment
        return self.value


def scrapes(target: Target) -> Iterator[tuple[int, str]]:
    for i in range(SCRAPES):
        if target.present[i]:
            yield i, target.timestamp(i)


def write_requests(w: Writer, rng: random.Random, targets: list[Target]) -> None:
    w.family("http_requests", "counter", "HTTP requests by method and status.")
    for t in targets:
        if t.job == "batch":
            continue
        for method in ("GET", "POST"):
            for status in ("200", "500"):
                mean = {"GET": 30, "POST": 8}[method] * (1 if status == "200" else 0.1)
                # Counters start at 0 or far from it: see "Counters start" in the module doc.
                # api-3 misses scrapes, so a window can start well before its first
                # sample there: its 500s do not start at 0 either.
                from_zero = status == "500" and t.instance != "api-3"
                counter = Counter(0 if from_zero else rng.randint(1000, 5000))
                labels = {"job": t.job, "instance": t.instance, "method": method, "status": status}
                for i, ts in scrapes(t):
                    value = counter.step(i, t, rng.randint(0, int(2 * mean + 1)) if i else 0)
                    # api-2 serves its first 500 after 37.5 minutes: the series starts there.
                    if t.instance == "api-2" and status == "500" and i < 150:
                        continue
                    w.sample("http_requests_total", labels, value, ts)


def write_cpu(w: Writer, rng: random.Random, targets: list[Target]) -> None:
    w.family("process_cpu_seconds", "counter", "CPU time used by the process.")
    for t in targets:
        counter = Counter(round(rng.uniform(10, 500), 2))
        for i, ts in scrapes(t):
            value = counter.step(i, t, round(rng.uniform(0.05, 3.0), 3))
            w.sample("process_cpu_seconds_total", {"job": t.job, "instance": t.instance}, round(value, 3), ts)


def write_up(w: Writer, targets: list[Target]) -> None:
    w.family("up", "gauge", "1 when the last scrape worked.")
    for t in targets:
        for i in range(SCRAPES):
            if t.instance == "web-2" and not t.present[i]:
                # Prometheus still writes up=0 when a scrape fails.
                w.sample("up", {"job": t.job, "instance": t.instance}, 0, t.timestamp(i))
            elif t.present[i]:
                w.sample("up", {"job": t.job, "instance": t.instance}, 1, t.timestamp(i))


def write_latency(w: Writer, rng: random.Random, targets: list[Target]) -> None:
    w.family("request_latency_seconds", "histogram", "Request latency.")
    bounds = [float(b) for b in LATENCY_BUCKETS]
    # Each handler's latency profile: the share of requests that land in each bucket.
    profiles = {
        "/": [0.05, 0.1, 0.2, 0.25, 0.2, 0.1, 0.05, 0.03, 0.01, 0.005, 0.003, 0.002],
        "/search": [0.0, 0.01, 0.02, 0.07, 0.1, 0.2, 0.3, 0.2, 0.07, 0.02, 0.01, 0.0],
    }
    series: list[tuple[Target, str, list[float] | None]] = []
    for t in targets:
        if t.job == "api":
            series += [(t, "/", profiles["/"]), (t, "/search", profiles["/search"])]
        elif t.job == "web":
            series.append((t, "/", profiles["/"]))
    api0 = next(t for t in targets if t.instance == "api-0")
    series += [(api0, "/glitch", profiles["/"]), (api0, "/noinf", profiles["/search"]), (api0, "/idle", None)]
    for t, handler, profile in series:
        # What the process observed before the data starts (see "Counters start").
        before = rng.randint(2000, 6000) if profile is not None else 0
        shares = [sum((profile or [0.0])[: b + 1]) for b in range(len(bounds))] if profile else [0.0] * len(bounds)
        buckets = [Counter(round(before * share)) for share in shares]
        total_sum = Counter(round(before * 0.15, 4))
        labels = {"job": t.job, "instance": t.instance, "handler": handler}
        for i, ts in scrapes(t):
            observed = [0] * len(bounds)
            latency_sum = 0.0
            if profile is not None:
                for _ in range(rng.randint(0, 40)):
                    b = pick(rng, profile)
                    observed[b] += 1
                    low = bounds[b - 1] if b else 0.0
                    high = bounds[b] if math.isfinite(bounds[b]) else 20.0
                    latency_sum += round(rng.uniform(low, high), 4)
            cumulative = 0
            counts = []
            for b, n in enumerate(observed):
                cumulative += n
                counts.append(buckets[b].step(i, t, cumulative))
            if handler == "/glitch" and i % 7 == 3:
                # A scrape where the 0.1 bucket reads more than the 0.25 bucket.
                counts[4] = counts[5] + 3
            for b, le in enumerate(LATENCY_BUCKETS):
                if handler == "/noinf" and le == "+Inf":
                    continue
                w.sample("request_latency_seconds_bucket", {**labels, "le": le}, counts[b], ts)
            w.sample("request_latency_seconds_count", labels, counts[-1], ts)
            w.sample("request_latency_seconds_sum", labels, round(total_sum.step(i, t, latency_sum), 4), ts)


def pick(rng: random.Random, weights: list[float]) -> int:
    r = rng.random() * sum(weights)
    for n, weight in enumerate(weights):
        r -= weight
        if r < 0:
            return n
    return len(weights) - 1


def write_gauges(w: Writer, rng: random.Random, targets: list[Target]) -> None:
    hosts = [t for t in targets if t.job != "batch"]

    w.family("node_temperature_celsius", "gauge", "Temperature per zone; the freezer is below zero.")
    for n, t in enumerate(hosts):
        for zone, base in (("cpu", 55.0), ("room", 21.0), ("freezer", -18.0)):
            phase = rng.uniform(0, 2 * math.pi)
            for i, ts in scrapes(t):
                value = base + 4 * math.sin(i / 40 + phase) + rng.uniform(-0.5, 0.5) + n * 0.01
                w.sample("node_temperature_celsius", {"instance": t.instance, "zone": zone}, round(value, 6), ts)

    w.family("queue_length", "gauge", "Jobs waiting, a small integer.")
    for t in hosts:
        for queue in ("default", "priority"):
            value = rng.randint(0, 6)
            for i, ts in scrapes(t):
                if rng.random() < 0.2:
                    value = max(0, min(6, value + rng.choice((-1, 1))))
                w.sample("queue_length", {"job": t.job, "instance": t.instance, "queue": queue}, value, ts)

    w.family("disk_used_bytes", "gauge", "Bytes used per device.")
    disks = {}
    for t in hosts:
        for device in ("sda", "sdb"):
            disks[(t.instance, device)] = rng.randint(10, 900) * 1_000_000
    free: dict[tuple[str, str], list[tuple[str, float]]] = {}
    for t in hosts:
        for device in ("sda", "sdb"):
            used = disks[(t.instance, device)]
            size = 1_000_000_000
            free[(t.instance, device)] = []
            for _i, ts in scrapes(t):
                used = max(0, min(size, used + rng.randint(-2_000_000, 2_500_000)))
                w.sample("disk_used_bytes", {"instance": t.instance, "device": device}, used, ts)
                free[(t.instance, device)].append((ts, size - used))
    w.family("disk_free_bytes", "gauge", "Bytes free per device: the same label sets as disk_used_bytes.")
    for (instance, device), points in free.items():
        for ts, value in points:
            w.sample("disk_free_bytes", {"instance": instance, "device": device}, value, ts)

    w.family("node_info", "gauge", "Constant 1, with the version and region of each host.")
    regions = ["eu-west", "us-east", "ap-south"]
    for n, t in enumerate(hosts):
        for i, ts in scrapes(t):
            version = "1.4.2"
            if t.instance == "web-1" and i >= 240:
                version = "1.5.0"  # the old series goes stale 5 minutes later: both match
            labels = {"instance": t.instance, "version": version, "region": regions[n % 3]}
            w.sample("node_info", labels, 1, ts)

    w.family("sensor_reading", "gauge", "Readings that go negative, NaN and infinite.")
    sensor_target = hosts[0]
    for sensor in ("s1", "s2", "s3", "s4"):
        for i, ts in scrapes(sensor_target):
            value = round(10 * math.sin(i / 25 + int(sensor[1])) + rng.uniform(-1, 1), 6)
            if sensor == "s2" and i % 30 in (5, 6):
                value = math.nan
            if sensor == "s3" and i % 45 == 10:
                value = math.inf
            if sensor == "s4" and i % 50 == 20:
                value = -math.inf
            w.sample("sensor_reading", {"sensor": sensor}, value, ts)

    w.family("odd_labels", "gauge", "Label values that need escaping.")
    odd = [
        {"path": "C:\\Program Files\\app", "quote": 'say "hi"', "kind": "windows"},
        {"path": "/usr/bin/app", "quote": "it's", "kind": "unix"},
        {"path": "ünïcödé ☃ {a=b,c}", "quote": '\\"', "kind": "odd"},
    ]
    for n, labels in enumerate(odd):
        for i, ts in scrapes(sensor_target):
            w.sample("odd_labels", labels, n + 1 + (i % 3), ts)

    batch = next(t for t in targets if t.job == "batch")
    w.family("batch_last_success_timestamp_seconds", "gauge", "When the batch job last succeeded.")
    last = T0 - 86_400 * 40 - 3_600 * 7  # about forty days before the data starts
    for i, ts in scrapes(batch):
        if i % 20 == 0:
            last = T0 + SCRAPE_INTERVAL * i
        w.sample("batch_last_success_timestamp_seconds", {"job": "batch", "instance": batch.instance}, last, ts)


def write_late_counter(w: Writer, targets: list[Target]) -> None:
    """A counter that starts at 50 minutes with 1 and grows by 1 a scrape: the
    one series where Prometheus 3's rate() extrapolates differently from 2.42's
    (see "Counters start"); only allowlist.py's example query reads it."""
    api0 = next(t for t in targets if t.instance == "api-0")
    w.family("late_counter", "counter", "Starts late, at 1.")
    for i, ts in scrapes(api0):
        if i >= 200:
            w.sample("late_counter_total", {"case": "extrapolation"}, i - 199, ts)


def generate(seed: int = 42, scale: int = 1) -> Writer:
    rng = random.Random(seed)
    targets = make_targets(rng, scale)
    w = Writer()
    write_requests(w, rng, targets)
    write_cpu(w, rng, targets)
    write_up(w, targets)
    write_latency(w, rng, targets)
    write_gauges(w, rng, targets)
    write_late_counter(w, targets)
    return w


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="OpenMetrics file to write")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--scale", type=int, default=1, help="multiply the number of targets (8: ~500 k samples)")
    args = parser.parse_args(argv)
    w = generate(args.seed, args.scale)
    args.out.write_text(w.text(), encoding="utf-8")
    print(f"gen_data: {w.samples} samples from {T0} to {END} in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
