"""Fixtures of the workshop suite (scripts/test-workshop.sh builds the
binaries first):

* `apps`: the start and every solution, running on free loopback ports
  (session-wide; their counters only go up, and every check compares
  before and after).
* `start_app`: a fresh app of your own, stopped after the test.
* `prometheus`: a real Prometheus with workshop/prometheus.yaml, its target
  rewritten to the finished app on loopback and its interval to 1 s, with
  traffic sent until it has a minute's worth of rates to answer from.
* `check`: runs `workshop-check` and returns its exit status and output.
* `workshop_md`: WORKSHOP.md's sections and code blocks.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "target" / "debug"
CRATES = ["workshop-app", "workshop-step-1", "workshop-step-2", "workshop-step-6"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(ready: Callable[[], bool], timeout: float, what: str, poll: float = 0.1) -> None:
    """Polls `ready` until it returns true; raises TimeoutError naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(OSError):
            if ready():
                return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not ready after {timeout:.0f} s")
        time.sleep(poll)


def http_get(url: str, accept: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


@dataclass
class App:
    crate: str
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def run_app(crate: str, port: int | None = None) -> App:
    port = port or free_port()
    process = subprocess.Popen(
        [BIN / crate],
        env={**os.environ, "APP_LISTEN": f"127.0.0.1:{port}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    app = App(crate, port, process)

    def listening() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"{crate} exited with {process.returncode}")
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True

    wait_until(listening, 30, crate)
    return app


@pytest.fixture(scope="session")
def apps() -> Iterator[dict[str, App]]:
    running: dict[str, App] = {}
    try:
        for crate in CRATES:
            running[crate] = run_app(crate)
        yield running
    finally:
        for app in running.values():
            app.stop()


@pytest.fixture
def start_app() -> Iterator[Callable[..., App]]:
    started: list[App] = []

    def start(crate: str, port: int | None = None) -> App:
        started.append(run_app(crate, port))
        return started[-1]

    yield start
    for app in started:
        app.stop()


@dataclass
class CheckResult:
    status: int
    output: str

    def failures(self) -> list[str]:
        """The titles of the checks marked FAIL."""
        return re.findall(r"^  FAIL  (.*)$", self.output, re.MULTILINE)


def run_check(*args: str, env: dict[str, str] | None = None, via_cargo: bool = False) -> CheckResult:
    command = ["cargo", "check-work", *args] if via_cargo else [str(BIN / "workshop-check"), *args]
    result = subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return CheckResult(result.returncode, result.stdout + result.stderr)


@pytest.fixture(scope="session")
def check() -> Callable[..., CheckResult]:
    return run_check


@dataclass
class Prometheus:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def query(self, expr: str) -> dict:
        query = urllib.parse.urlencode({"query": expr})
        status, _, body = http_get(f"{self.url}/api/v1/query?{query}")
        answer = json.loads(body)
        assert status == 200 and answer["status"] == "success", f"{expr}: {answer}"
        return answer["data"]

    def value(self, expr: str) -> float | None:
        data = self.query(expr)
        if data["resultType"] == "scalar":
            return float(data["result"][1])
        result = data["result"]
        return float(result[0]["value"][1]) if len(result) == 1 else None


def start_prometheus(config_text: str, workdir: Path) -> Prometheus:
    port = free_port()
    config = workdir / "prometheus.yaml"
    config.write_text(config_text)
    log = workdir / "prometheus.log"
    process = subprocess.Popen(
        [
            "prometheus",
            f"--config.file={config}",
            f"--storage.tsdb.path={workdir / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    prometheus = Prometheus(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_until(lambda: http_get(f"{prometheus.url}/-/ready")[0] == 200, 60, "Prometheus")
    except TimeoutError:
        process.terminate()
        raise AssertionError(f"Prometheus did not start:\n{log.read_text()[-2000:]}") from None
    return prometheus


def workshop_prometheus_config(target: str) -> str:
    """workshop/prometheus.yaml with the app's target and the intervals
    rewritten for a test on loopback: nothing else changes."""
    text = (ROOT / "workshop" / "prometheus.yaml").read_text()
    for old, new in [
        ('"host.docker.internal:8001"', f'"{target}"'),
        ("scrape_interval: 10s", "scrape_interval: 1s"),
        ("evaluation_interval: 10s", "evaluation_interval: 1s"),
    ]:
        assert text.count(old) == 1, f"workshop/prometheus.yaml should have {old} once"
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="session")
def prometheus(apps: dict[str, App]) -> Iterator[Prometheus]:
    app = apps["workshop-step-6"]
    with tempfile.TemporaryDirectory(prefix="workshop-prometheus-") as workdir:
        prometheus = start_prometheus(workshop_prometheus_config(f"127.0.0.1:{app.port}"), Path(workdir))
        try:
            wait_until(lambda: prometheus.value('up{job="treecounter"}') == 1, 60, "the first scrape")
            # Twenty seconds of traffic: every rate over [1m] has points to
            # work from, with page views, upstream failures and latencies.
            traffic = run_check("traffic", "--app", app.url, "--rate", "10", "--seconds", "20")
            assert traffic.status == 0, traffic.output
            time.sleep(2)  # a scrape after the last visit
            yield prometheus
        finally:
            prometheus.process.terminate()
            prometheus.process.wait(timeout=30)


@dataclass
class Block:
    lang: str
    code: str
    mark: tuple[str, str] | None


@dataclass
class Section:
    number: int | None
    title: str
    blocks: list[Block] = field(default_factory=list)


def read_workshop_md() -> list[Section]:
    """WORKSHOP.md's `## ` sections and fenced blocks: a reading of its own,
    apart from workshop-guide's (two parsers that must agree)."""
    sections: list[Section] = []
    lines = (ROOT / "WORKSHOP.md").read_text().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            match = re.match(r"## (\d+)\. (.*)", line)
            sections.append(Section(int(match[1]), match[2]) if match else Section(None, line[3:]))
        elif line.startswith("```") and sections:
            mark = re.fullmatch(r"<!-- (from|answer) (\S+) -->", lines[i - 1])
            end = lines.index("```", i + 1)
            sections[-1].blocks.append(
                Block(line[3:].strip(), "\n".join(lines[i + 1 : end]) + "\n", (mark[1], mark[2]) if mark else None)
            )
            i = end
        i += 1
    return sections


@pytest.fixture(scope="session")
def workshop_md() -> list[Section]:
    return read_workshop_md()
