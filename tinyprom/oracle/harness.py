"""The two engines behind one interface, and the helpers every oracle tool shares.

* `Prometheus`: a real Prometheus over a data file. The file is turned into
  TSDB blocks with `promtool tsdb create-blocks-from openmetrics`, then a
  Prometheus with no scrape targets serves them on a free loopback port.
* `PromqlCli`: our `promql` binary, asked many queries in one run with
  `--queries`.

Both answer with the JSON body of Prometheus's HTTP API, as a dict.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CLI = ROOT / "target" / "release" / "promql"

Answer = dict[str, Any]


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


def to_prometheus_2_42(expr: str) -> str:
    """Prometheus 2.42 knows `double_exponential_smoothing` by its old name."""
    return expr.replace("double_exponential_smoothing(", "holt_winters(")


@dataclass(frozen=True)
class RangeParams:
    start: str
    end: str
    step: str

    def __str__(self) -> str:
        return f"start={self.start} end={self.end} step={self.step}"


class Prometheus:
    """A Prometheus serving one OpenMetrics file from its own TSDB."""

    def __init__(self, data: Path, workdir: Path, timeout: float = 120) -> None:
        self.workdir = workdir
        tsdb = workdir / "tsdb"
        if tsdb.exists():
            shutil.rmtree(tsdb)
        run_checked(["promtool", "tsdb", "create-blocks-from", "openmetrics", str(data), str(tsdb)])
        config = workdir / "prometheus.yml"
        config.write_text("global: {}\n", encoding="utf-8")  # no targets; evaluation_interval 1m
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.log = workdir / "prometheus.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    "prometheus",
                    f"--config.file={config}",
                    f"--storage.tsdb.path={tsdb}",
                    "--storage.tsdb.retention.time=100y",
                    f"--web.listen-address=127.0.0.1:{port}",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_until(self._ready, timeout, f"Prometheus on {self.url} (log: {self.log})")
        except BaseException:
            self.stop()
            raise

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"Prometheus exited with {self.process.returncode}: {self.log.read_text()[-2000:]}")
        with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as response:
            return response.status == 200

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def _post(self, path: str, form: dict[str, str]) -> Answer:
        body = urllib.parse.urlencode(form).encode()
        request = urllib.request.Request(f"{self.url}{path}", data=body, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=300) as response:
                return parse_answer(response.read().decode())
        except urllib.error.HTTPError as error:  # 400, 422, 503: the body is the API's error JSON
            return parse_answer(error.read().decode())

    def instant(self, expr: str, at: str) -> Answer:
        return self._post("/api/v1/query", {"query": to_prometheus_2_42(expr), "time": at})

    def range(self, expr: str, params: RangeParams) -> Answer:
        form = {"query": to_prometheus_2_42(expr), "start": params.start, "end": params.end, "step": params.step}
        return self._post("/api/v1/query_range", form)

    def instant_many(self, exprs: Sequence[str], at: str) -> list[Answer]:
        return [self.instant(e, at) for e in exprs]

    def range_many(self, exprs: Sequence[str], params: RangeParams) -> list[Answer]:
        return [self.range(e, params) for e in exprs]


class PromqlCli:
    """Our `promql` binary; every call loads the data file and answers a list of queries."""

    def __init__(self, binary: Path, data: Path) -> None:
        self.binary = binary
        self.data = data

    def _run(self, args: list[str], exprs: Sequence[str]) -> list[Answer]:
        with tempfile.NamedTemporaryFile("w", suffix=".promql", encoding="utf-8") as queries:
            queries.write("".join(e + "\n" for e in exprs))
            queries.flush()
            cmd = [str(self.binary), *args, "--data", str(self.data), "--queries", queries.name]
            result = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
        lines = result.stdout.splitlines()
        if result.returncode not in (0, 1) or len(lines) != len(exprs):
            raise RuntimeError(
                f"`{' '.join(cmd)}` exited {result.returncode} with {len(lines)} answers for "
                f"{len(exprs)} queries; stderr:\n{result.stderr[-3000:]}"
            )
        return [parse_answer(line) for line in lines]

    def instant_many(self, exprs: Sequence[str], at: str) -> list[Answer]:
        return self._run(["query", "--time", at], exprs)

    def range_many(self, exprs: Sequence[str], params: RangeParams) -> list[Answer]:
        args = ["query-range", "--start", params.start, "--end", params.end, "--step", params.step]
        return self._run(args, exprs)


RAW = "_raw"  # the answer's JSON text as received, kept beside the parsed answer


def parse_answer(text: str) -> Answer:
    try:
        answer = json.loads(text)
    except json.JSONDecodeError as error:
        return {"status": "unparsable", "error": f"{error}: {text[:500]}"}
    if not isinstance(answer, dict):
        return {"status": "unparsable", "error": text[:500]}
    answer[RAW] = text.strip()
    return answer


def run_checked(cmd: list[str]) -> str:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"`{' '.join(cmd)}` exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return result.stdout


@contextlib.contextmanager
def running_prometheus(data: Path) -> Iterator[Prometheus]:
    with tempfile.TemporaryDirectory(prefix="oracle-prometheus-") as workdir:
        server = Prometheus(data, Path(workdir))
        try:
            yield server
        finally:
            server.stop()
