"""Checks of the full stack (docker-compose.yaml and what it mounts), run by
scripts/test-stack.sh, which installs the tools and passes their paths.

There is no Docker engine and no Grafana on the machines this runs on, so the
stack is proven piece by piece with the real tools:

* compose: the Compose v2 binary validates and normalises docker-compose.yaml;
  its services, ports, credentials, mounts and start order are then compared
  with what the README and the mounted files say.
* promtool: the Prometheus config and the alert rules, with their unit tests.
* dashboard: the Grafana JSON has what Grafana needs to load and draw it.
* Dockerfile: hadolint, and the structure the stack relies on.
* live: a real Prometheus runs the repository's prometheus.yaml, with only the
  targets rewritten to a local app-server on loopback and a 1 s interval;
  every dashboard query must return data while traffic flows, and every alert
  must go active when the app is made to fail.

Every server this starts listens on 127.0.0.1 and is stopped on exit; every
wait polls with a deadline. The last line is `stack: N passed, M failed`.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import copy
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yaml"
PROMETHEUS_CONFIG = ROOT / "prometheus.yaml"
DASHBOARD = ROOT / "grafana" / "dashboards" / "treecounter.json"
DATASOURCES = ROOT / "grafana" / "provisioning" / "datasources" / "prometheus.yaml"
DASHBOARD_PROVIDERS = ROOT / "grafana" / "provisioning" / "dashboards" / "treecounter.yaml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"

APP_JOB = "treecounter"
PROMETHEUS_JOB = "prometheus"
# What the README promises: service -> (published port, container port).
EXPECTED_PORTS = {"app": 8001, "prometheus": 9090, "grafana": 3000}
GRAFANA_USER, GRAFANA_PASSWORD = "ecosia", "workshop"

# The live test's Prometheus scrapes and evaluates every second. Grafana's
# $__rate_interval is max(4 x scrape interval, $__interval + scrape interval).
TEST_SCRAPE_SECONDS = 1
GRAFANA_VARIABLES = {
    "__rate_interval": f"{4 * TEST_SCRAPE_SECONDS}s",
    "__interval": f"{TEST_SCRAPE_SECONDS}s",
    "__interval_ms": str(1000 * TEST_SCRAPE_SECONDS),
    "__range": "1m",
    "__range_s": "60",
}
PANEL_TYPES_WITH_UNITS = {"timeseries", "stat", "gauge", "bargauge"}
KNOWN_PANEL_TYPES = PANEL_TYPES_WITH_UNITS | {"row", "text"}

# How the live test makes each alert of prometheus/alerts.yaml fire. An alert
# that is in the file but not here fails the suite: add a scenario for it.
FAILURE_SCENARIOS = {
    "TreeCounterUpstreamErrorsHigh": "errors",
    "TreeCounterSlow": "errors",
    "TreeCounterDown": "down",
}

HTTP_TIMEOUT = 10.0


class CheckFailed(Exception):
    """A check found the stack not as it should be."""


class ProcessExited(CheckFailed):
    """A server the test started is gone: no point polling it any longer."""


def ensure(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


# --------------------------------------------------------------------------
# Running checks and reporting


class Suite:
    def __init__(self) -> None:
        self.passed = 0
        self.failed: list[str] = []

    def check(self, name: str, body: Callable[[], str | None]) -> bool:
        started = time.monotonic()
        try:
            detail = body()
        except CheckFailed as failure:
            self.failed.append(name)
            print(f"FAIL {name}: {failure}", flush=True)
            return False
        except Exception:  # an unexpected error is a failure of that check, not a crash
            self.failed.append(name)
            print(f"FAIL {name}: unexpected error\n{traceback.format_exc()}", flush=True)
            return False
        self.passed += 1
        took = time.monotonic() - started
        suffix = f" ({detail})" if detail else ""
        print(f"ok   {name}{suffix} [{took:.1f}s]", flush=True)
        return True

    def summary(self) -> int:
        for name in self.failed:
            print(f"FAILED: {name}")
        print(f"stack: {self.passed} passed, {len(self.failed)} failed", flush=True)
        return 0 if not self.failed else 1


def run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kwargs)


def run_ok(cmd: list[str], **kwargs: Any) -> str:
    result = run(cmd, **kwargs)
    ensure(
        result.returncode == 0,
        f"`{' '.join(cmd)}` exited {result.returncode}:\n{result.stdout}{result.stderr}",
    )
    return result.stdout


def load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as file:
        return yaml.safe_load(file)


def readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    ensure(match is not None, f"README.md has no '## {title}' section")
    assert match is not None
    return match.group(1)


# --------------------------------------------------------------------------
# docker-compose.yaml


class Compose:
    """`docker compose config` of the repository's file, in a clean environment."""

    def __init__(self, binary: str) -> None:
        self.binary = binary

    def config(self, env_file: Path | None = None, **env: str) -> dict[str, Any]:
        clean_env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("GRAFANA_", "APP_", "COMPOSE_", "DOCKER_"))
        }
        clean_env.update(env)
        with tempfile.TemporaryDirectory() as empty:
            # An empty env file, so that a developer's own .env does not leak in.
            chosen = env_file
            if chosen is None:
                chosen = Path(empty) / "empty.env"
                chosen.touch()
            out = run_ok(
                [
                    self.binary,
                    "--project-directory",
                    str(ROOT),
                    "--file",
                    str(COMPOSE_FILE),
                    "--env-file",
                    str(chosen),
                    "config",
                    "--format",
                    "json",
                ],
                env=clean_env,
                cwd=ROOT,
            )
        return json.loads(out)


def compose_checks(suite: Suite, compose: Compose, app_server: str) -> None:
    state: dict[str, Any] = {}

    def validates() -> str:
        state["config"] = compose.config()
        return f"Compose {run_ok([compose.binary, 'version', '--short']).strip()}"

    if not suite.check("compose: docker-compose.yaml validates as a Compose file", validates):
        return
    config = state["config"]
    services = config["services"]

    def service_names() -> str:
        ensure(
            set(services) == set(EXPECTED_PORTS),
            f"services are {sorted(services)}, the README describes {sorted(EXPECTED_PORTS)}",
        )
        return ", ".join(sorted(services))

    def ports() -> None:
        for name, port in EXPECTED_PORTS.items():
            published = [(str(p.get("published")), p.get("target")) for p in services[name].get("ports", [])]
            ensure(published == [(str(port), port)], f"{name} publishes {published}, expected {port}:{port}")

    def images_pinned() -> str:
        pinned = []
        for name, service in services.items():
            if "build" in service:
                ensure(
                    Path(service["build"]["context"]) == ROOT and service["build"].get("dockerfile") == "Dockerfile",
                    f"{name} must build from the repository's Dockerfile",
                )
                continue
            image = service.get("image", "")
            ensure(exact_image_tag(image), f"{name} image {image!r} is not pinned to an exact version")
            pinned.append(image)
        return ", ".join(pinned)

    def health_and_order() -> None:
        for name, service in services.items():
            test = service.get("healthcheck", {}).get("test")
            ensure(bool(test) and test[0] in ("CMD", "CMD-SHELL"), f"{name} has no healthcheck")
        for name, needs in {"prometheus": "app", "grafana": "prometheus"}.items():
            condition = services[name].get("depends_on", {}).get(needs, {}).get("condition")
            ensure(
                condition == "service_healthy",
                f"{name} must wait for {needs} to be healthy (depends_on condition is {condition!r})",
            )
        ensure("depends_on" not in services["app"], "app must not wait for anything")

    def grafana_credentials() -> None:
        env = services["grafana"]["environment"]
        ensure(
            (env.get("GF_SECURITY_ADMIN_USER"), env.get("GF_SECURITY_ADMIN_PASSWORD"))
            == (GRAFANA_USER, GRAFANA_PASSWORD),
            "Grafana's default admin must be ecosia / workshop",
        )
        ensure(env.get("GF_AUTH_ANONYMOUS_ENABLED") == "false", "anonymous Grafana access must be off")
        overridden = compose.config(GRAFANA_ADMIN_USER="alice", GRAFANA_ADMIN_PASSWORD="s3cret")
        env = overridden["services"]["grafana"]["environment"]
        ensure(
            (env.get("GF_SECURITY_ADMIN_USER"), env.get("GF_SECURITY_ADMIN_PASSWORD")) == ("alice", "s3cret"),
            "GRAFANA_ADMIN_USER / GRAFANA_ADMIN_PASSWORD from the environment do not reach Grafana",
        )

    def env_example() -> None:
        example = dict(
            line.split("=", 1)
            for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        )
        used = dict(re.findall(r"\$\{(\w+):-([^}]*)\}", COMPOSE_FILE.read_text(encoding="utf-8")))
        ensure(used != {}, "docker-compose.yaml reads no variables")
        ensure(
            example == used,
            f".env.example {example} must list exactly the compose file's variables with their defaults {used}",
        )
        ensure(
            compose.config(env_file=ENV_EXAMPLE) == config,
            "`docker compose --env-file .env.example config` differs from the defaults",
        )

    def app_defaults() -> str:
        env = services["app"].get("environment", {})
        ensure(all(key.startswith("APP_") for key in env), f"the app reads APP_* variables only, not {sorted(env)}")
        clean = {k: v for k, v in os.environ.items() if not k.startswith("APP_")}
        help_text = run_ok([app_server, "--help"], env=clean)
        for key, value in env.items():
            match = re.search(rf"\[env: {key}=\]\s*\[default: ([^\]]+)\]", help_text)
            ensure(match is not None, f"app-server --help has no default for {key}")
            assert match is not None
            ensure(
                float(match.group(1)) == float(value),
                f"compose sets {key}={value}, app-server's own default is {match.group(1)}",
            )
        return ", ".join(f"{k}={v}" for k, v in sorted(env.items()))

    def mounts() -> str:
        described = []
        for name, service in services.items():
            for volume in service.get("volumes", []):
                ensure(volume["type"] == "bind", f"{name}: unexpected {volume['type']} volume")
                source = Path(volume["source"])
                ensure(source.exists(), f"{name} mounts {source}, which does not exist")
                ensure(ROOT in source.parents, f"{name} mounts {source}, outside the repository")
                ensure(volume.get("read_only") is True, f"{name} mounts {source} writable")
                described.append(f"{source.relative_to(ROOT)}->{volume['target']}")
        # Prometheus: prometheus.yaml's relative rule_files must resolve in the container.
        command = services["prometheus"]["command"]
        config_flag = next((c for c in command if c.startswith("--config.file=")), "")
        container_config = Path(config_flag.split("=", 1)[1])
        targets = {Path(v["target"]): Path(v["source"]) for v in services["prometheus"]["volumes"]}
        ensure(
            targets.get(container_config) == PROMETHEUS_CONFIG,
            f"--config.file={container_config} is not the mounted prometheus.yaml",
        )
        for rule_file in load_yaml(PROMETHEUS_CONFIG)["rule_files"]:
            in_container = container_config.parent / rule_file
            host = next(
                (
                    source / in_container.relative_to(target)
                    for target, source in targets.items()
                    if in_container == target or target in in_container.parents
                ),
                None,
            )
            ensure(
                host == ROOT / rule_file,
                f"rule file {rule_file} is {in_container} in the container, not mounted from {ROOT / rule_file}",
            )
        # Grafana: provisioning where Grafana looks, dashboards where the provider looks.
        grafana = {Path(v["target"]): Path(v["source"]) for v in services["grafana"]["volumes"]}
        ensure(
            grafana.get(Path("/etc/grafana/provisioning")) == ROOT / "grafana" / "provisioning",
            "grafana/provisioning must be mounted at /etc/grafana/provisioning",
        )
        provider_path = Path(load_yaml(DASHBOARD_PROVIDERS)["providers"][0]["options"]["path"])
        ensure(
            grafana.get(provider_path) == DASHBOARD.parent,
            f"the dashboard provider reads {provider_path}, where grafana/dashboards is not mounted",
        )
        home = Path(services["grafana"]["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"])
        ensure(
            home.parent == provider_path and (DASHBOARD.parent / home.name).is_file(),
            f"the home dashboard {home} is not a mounted dashboard file",
        )
        return ", ".join(described)

    def wiring() -> None:
        scrape = {job["job_name"]: job for job in load_yaml(PROMETHEUS_CONFIG)["scrape_configs"]}
        app_targets = [t for sc in scrape[APP_JOB]["static_configs"] for t in sc["targets"]]
        ensure(
            app_targets == [f"app:{EXPECTED_PORTS['app']}"],
            f"prometheus.yaml scrapes {app_targets}, not the compose service app:{EXPECTED_PORTS['app']}",
        )
        datasource = load_yaml(DATASOURCES)["datasources"][0]
        ensure(
            datasource["url"] == f"http://prometheus:{EXPECTED_PORTS['prometheus']}",
            f"Grafana's datasource points at {datasource['url']}",
        )
        scrape_interval = load_yaml(PROMETHEUS_CONFIG)["global"]["scrape_interval"]
        ensure(
            datasource.get("jsonData", {}).get("timeInterval") == scrape_interval,
            f"the datasource's timeInterval must be Prometheus's scrape_interval ({scrape_interval})",
        )
        ensure(scrape_interval == "10s", "the workshop scrapes every 10 s")

    def readme() -> None:
        section = readme_section("Full stack")
        for needle in [
            "docker compose up --build",
            f"http://localhost:{EXPECTED_PORTS['app']}/treecounter",
            f"http://localhost:{EXPECTED_PORTS['prometheus']}/targets",
            f"http://localhost:{EXPECTED_PORTS['grafana']}",
            GRAFANA_USER,
            GRAFANA_PASSWORD,
            "requests_total",
            "rate(requests_total[1m])",
            "Tree counter",
            ".env.example",
        ]:
            ensure(needle in section, f"the README's Full stack section does not mention {needle!r}")

    suite.check("compose: services are app, prometheus and grafana", service_names)
    suite.check("compose: ports 8001, 9090 and 3000 as the README says", ports)
    suite.check("compose: images pinned to exact versions, app built from Dockerfile", images_pinned)
    suite.check("compose: healthchecks on every service, started in dependency order", health_and_order)
    suite.check("compose: Grafana admin ecosia/workshop, overridable, anonymous off", grafana_credentials)
    suite.check("compose: .env.example matches the compose file's variables", env_example)
    suite.check("compose: the app's environment defaults are app-server's own", app_defaults)
    suite.check("compose: mounts exist and land where Prometheus and Grafana read", mounts)
    suite.check("compose: service names and ports agree with prometheus.yaml and Grafana", wiring)
    suite.check("compose: the README's Full stack section says the same", readme)


def exact_image_tag(image: str) -> bool:
    """`name:tag` where the tag names one release: a full version (1.2.3), a
    date, or a Debian point release (12.15); never `latest` or a bare `1.95`."""
    if "@sha256:" in image:
        return True
    name, _, tag = image.rpartition(":")
    if not name or "latest" in tag:
        return False
    if name == "debian" and re.fullmatch(r"\d+\.\d+(-slim)?", tag):
        return True
    return re.search(r"\d+\.\d+\.\d+|\d{8}", tag) is not None


# --------------------------------------------------------------------------
# promtool


def promtool_checks(suite: Suite, promtool: str) -> None:
    suite.check(
        "promtool: check config prometheus.yaml",
        lambda: run_ok([promtool, "check", "config", str(PROMETHEUS_CONFIG)], cwd=ROOT) and None,
    )
    for rule_file in load_yaml(PROMETHEUS_CONFIG)["rule_files"]:
        suite.check(
            f"promtool: check rules {rule_file}",
            lambda rule_file=rule_file: run_ok([promtool, "check", "rules", rule_file], cwd=ROOT) and None,
        )
    for test_file in sorted((ROOT / "prometheus").glob("*.test.yaml")):
        relative = test_file.relative_to(ROOT)
        suite.check(
            f"promtool: test rules {relative}",
            lambda relative=relative: run_ok([promtool, "test", "rules", str(relative)], cwd=ROOT) and None,
        )


def alert_rules() -> list[dict[str, Any]]:
    rules = []
    for rule_file in load_yaml(PROMETHEUS_CONFIG)["rule_files"]:
        for group in load_yaml(ROOT / rule_file)["groups"]:
            rules.extend(rule for rule in group["rules"] if "alert" in rule)
    return rules


# --------------------------------------------------------------------------
# The Grafana dashboard


def dashboard_targets(dashboard: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Every (panel, target) pair, including panels nested in collapsed rows."""
    pairs = []
    for panel in dashboard["panels"]:
        for inner in [panel, *panel.get("panels", [])]:
            for target in inner.get("targets", []):
                pairs.append((inner, target))
    return pairs


def all_panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for panel in dashboard["panels"] for p in [panel, *panel.get("panels", [])]]


def dashboard_checks(suite: Suite) -> None:
    state: dict[str, Any] = {}

    def parses() -> str:
        state["dashboard"] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
        return f"{len(all_panels(state['dashboard']))} panels"

    if not suite.check("dashboard: treecounter.json is JSON", parses):
        return
    dashboard = state["dashboard"]
    datasource_uid = load_yaml(DATASOURCES)["datasources"][0]["uid"]

    def top_level() -> None:
        ensure(dashboard.get("title") == "Tree counter", f"title is {dashboard.get('title')!r}")
        uid = dashboard.get("uid", "")
        ensure(re.fullmatch(r"[A-Za-z0-9_-]{1,40}", uid) is not None, f"uid {uid!r} is not a valid Grafana uid")
        ensure(
            isinstance(dashboard.get("schemaVersion"), int) and dashboard["schemaVersion"] >= 36,
            "schemaVersion must be an integer Grafana 10+ understands",
        )
        ensure("id" not in dashboard or dashboard["id"] is None, "a provisioned dashboard must not carry a database id")
        ensure(dashboard.get("panels"), "no panels")

    def panels_complete() -> str:
        panels = all_panels(dashboard)
        ids = [p.get("id") for p in panels]
        ensure(all(isinstance(i, int) for i in ids), "every panel needs an integer id")
        ensure(len(ids) == len(set(ids)), f"duplicate panel ids: {ids}")
        for panel in panels:
            where = f"panel {panel.get('id')} {panel.get('title')!r}"
            ensure(panel.get("type") in KNOWN_PANEL_TYPES, f"{where}: unknown type {panel.get('type')!r}")
            ensure(bool(panel.get("title", "").strip()), f"{where}: no title")
            if panel["type"] == "row":
                continue
            ensure(len(panel.get("description", "")) >= 80, f"{where}: the description must teach what the query does")
            if panel["type"] in PANEL_TYPES_WITH_UNITS:
                unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit")
                ensure(bool(unit), f"{where}: no unit")
                ensure(panel.get("targets"), f"{where}: no queries")
            refs = [t.get("refId") for t in panel.get("targets", [])]
            ensure(len(refs) == len(set(refs)) and all(refs), f"{where}: refIds {refs} must be unique")
        return f"{len(panels)} panels, ids {min(ids)}..{max(ids)}"

    def datasources() -> None:
        for panel, target in dashboard_targets(dashboard):
            for owner, what in ((panel, "panel"), (target, f"target {target.get('refId')}")):
                ref = owner.get("datasource")
                ensure(
                    ref == {"type": "prometheus", "uid": datasource_uid},
                    f"panel {panel['title']!r} {what}: datasource {ref} is not the provisioned uid {datasource_uid!r}",
                )
            ensure(bool(target.get("expr", "").strip()), f"panel {panel['title']!r}: empty query")
            variables = set(re.findall(r"\$\{?(\w+)", target["expr"]))
            unknown = variables - set(GRAFANA_VARIABLES)
            ensure(not unknown, f"panel {panel['title']!r} uses undefined variables {unknown}")

    def layout() -> None:
        cells: dict[tuple[int, int], str] = {}
        for panel in dashboard["panels"]:
            grid = panel.get("gridPos", {})
            ensure(all(isinstance(grid.get(k), int) for k in "xywh"), f"{panel['title']!r}: gridPos incomplete")
            ensure(
                grid["x"] >= 0 and grid["w"] > 0 and grid["x"] + grid["w"] <= 24,
                f"{panel['title']!r}: gridPos is outside the 24 columns",
            )
            for x in range(grid["x"], grid["x"] + grid["w"]):
                for y in range(grid["y"], grid["y"] + grid["h"]):
                    ensure((x, y) not in cells, f"{panel['title']!r} overlaps {cells.get((x, y))!r}")
                    cells[(x, y)] = panel["title"]

    def covers_the_issue() -> None:
        exprs = " ".join(t["expr"] for _, t in dashboard_targets(dashboard))
        for needle in [
            "requests_total",
            'status="503"',
            "histogram_quantile(0.5,",
            "histogram_quantile(0.9,",
            "histogram_quantile(0.99,",
            "process_resident_memory_bytes",
            "process_cpu_seconds_total",
        ]:
            ensure(needle in exprs, f"no panel queries {needle}")

    def threshold_matches_alert() -> str:
        rule = next(r for r in alert_rules() if r["alert"] == "TreeCounterUpstreamErrorsHigh")
        match = re.search(r">\s*([0-9.]+)\s*$", rule["expr"].strip())
        ensure(match is not None, "cannot read the alert's threshold")
        assert match is not None
        threshold = float(match.group(1))
        checked = 0
        for panel in all_panels(dashboard):
            if any('status="503"' in t["expr"] for t in panel.get("targets", [])):
                steps = panel["fieldConfig"]["defaults"]["thresholds"]["steps"]
                red = [s["value"] for s in steps if s["color"] == "red"]
                ensure(red == [threshold], f"{panel['title']!r} turns red at {red}, the alert at {threshold}")
                checked += 1
        ensure(checked > 0, "no upstream error panel")
        return f"{checked} panels at {threshold}"

    def provisioning() -> None:
        datasource = load_yaml(DATASOURCES)
        ensure(datasource.get("apiVersion") == 1, "datasource provisioning needs apiVersion: 1")
        (source,) = datasource["datasources"]
        ensure(source["type"] == "prometheus" and source.get("isDefault") is True, "Prometheus must be the default")
        providers = load_yaml(DASHBOARD_PROVIDERS)
        ensure(providers.get("apiVersion") == 1, "dashboard provisioning needs apiVersion: 1")
        (provider,) = providers["providers"]
        ensure(provider["type"] == "file", "the dashboard provider must read files")

    suite.check("dashboard: uid, title, schemaVersion", top_level)
    suite.check("dashboard: every panel has a type, title, description, unit and unique id", panels_complete)
    suite.check("dashboard: every query uses the provisioned datasource and known variables", datasources)
    suite.check("dashboard: panels fit the grid without overlapping", layout)
    suite.check("dashboard: request rate, error ratio, p50/p90/p99, memory and CPU are there", covers_the_issue)
    suite.check("dashboard: the error ratio threshold is the alert's", threshold_matches_alert)
    suite.check("dashboard: datasource and dashboard provider provisioning", provisioning)


# --------------------------------------------------------------------------
# Dockerfile


def dockerfile_stages() -> list[dict[str, Any]]:
    """The Dockerfile as stages of (instruction, arguments), continuations joined."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    logical, current = [], ""
    for line in text.splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if current and line.lstrip().startswith("#"):
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    stages: list[dict[str, Any]] = []
    for line in logical:
        instruction, _, args = line.strip().partition(" ")
        instruction = instruction.upper()
        if instruction == "FROM":
            parts = args.split()
            stages.append({"image": parts[0], "name": parts[2] if len(parts) > 2 else None, "steps": []})
        elif stages:
            stages[-1]["steps"].append((instruction, " ".join(args.split())))
    return stages


def dockerfile_checks(suite: Suite, hadolint: str, compose: Compose) -> None:
    def lint() -> str:
        run_ok([hadolint, "--no-color", str(DOCKERFILE)])
        return run_ok([hadolint, "--version"]).strip()

    suite.check("Dockerfile: hadolint finds nothing", lint)
    stages = dockerfile_stages()

    def pinned() -> str:
        ensure(len(stages) >= 2, "the image must be multi-stage")
        for stage in stages:
            ensure(exact_image_tag(stage["image"]), f"FROM {stage['image']} is not an exact version")
        return ", ".join(s["image"] for s in stages)

    def builds_like_the_readme() -> None:
        build = " && ".join(args for stage in stages[:-1] for inst, args in stage["steps"] if inst == "RUN")
        for command in [
            "./scripts/setup.sh --run",
            "./scripts/build-playground.sh",
            "cargo build --release --locked -p app-server",
        ]:
            ensure(command in build, f"the build stage does not run `{command}`")
            script = command.split()[0]
            if script.startswith("./"):
                path = ROOT / script
                ensure(path.is_file() and os.access(path, os.X_OK), f"{script} is missing or not executable")
        run_script = ROOT / "scripts" / "run.sh"
        ensure(run_script.is_file(), "scripts/run.sh (the README's run command) is missing")
        text = run_script.read_text(encoding="utf-8")
        for script in ["setup.sh", "build-playground.sh"]:
            ensure(script in text, f"scripts/run.sh does not use {script}, so the image builds differently")

    def runtime_stage() -> str:
        final = stages[-1]
        steps = dict(final["steps"])  # last of each instruction wins, as in Docker
        user = steps.get("USER", "")
        ensure(user and user.split(":")[0] not in ("0", "root"), f"the final stage runs as {user or 'root'}")
        entry = steps.get("ENTRYPOINT", "")
        ensure(json.loads(entry or "[]")[:1] == ["app-server"], "the entrypoint must be app-server")
        ensure(
            f"APP_LISTEN=0.0.0.0:{EXPECTED_PORTS['app']}" in steps.get("ENV", ""),
            "APP_LISTEN must be the workshop's port on all interfaces",
        )
        ensure(steps.get("EXPOSE") == str(EXPECTED_PORTS["app"]), "EXPOSE must be the app's port")
        healthcheck = steps.get("HEALTHCHECK", "")
        match = re.search(r"CMD (\[.*\])$", healthcheck)
        ensure(match is not None, "the final stage has no exec-form HEALTHCHECK")
        assert match is not None
        command = json.loads(match.group(1))
        in_compose = compose.config()["services"]["app"]["healthcheck"]["test"]
        ensure(
            in_compose == ["CMD", *command],
            f"compose's app healthcheck {in_compose} differs from the Dockerfile's {command}",
        )
        return f"{final['image']}, user {user}, healthcheck {' '.join(command)}"

    def dockerignore() -> None:
        ignored = {line.strip().strip("/") for line in (ROOT / ".dockerignore").read_text().splitlines()}
        for path in ["target", "node_modules", "dist", ".git"]:
            ensure(path in ignored, f".dockerignore must exclude {path}")

    suite.check("Dockerfile: multi-stage, every base image pinned", pinned)
    suite.check("Dockerfile: builds with the README's scripts", builds_like_the_readme)
    suite.check("Dockerfile: small non-root runtime with the app's healthcheck", runtime_stage)
    suite.check("Dockerfile: .dockerignore keeps build outputs out of the context", dockerignore)


# --------------------------------------------------------------------------
# The live test: a real Prometheus scraping a real app-server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Loopback only: never through an HTTP proxy from the environment.
LOOPBACK_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_get(url: str, timeout: float = HTTP_TIMEOUT) -> tuple[int, bytes]:
    try:
        with LOOPBACK_OPENER.open(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def poll(what: str, attempt: Callable[[], Any], deadline_s: float, interval_s: float = 0.25) -> Any:
    """Calls `attempt` until it returns something truthy; fails after the deadline."""
    deadline = time.monotonic() + deadline_s
    last_error: Exception | None = None
    while True:
        try:
            result = attempt()
            if result:
                return result
        except ProcessExited:
            raise
        except (OSError, CheckFailed, ValueError) as error:
            last_error = error
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error})" if last_error else ""
            raise CheckFailed(f"{what}: not within {deadline_s:.0f}s{detail}")
        time.sleep(interval_s)


class Processes:
    """Servers started by the test; all stopped on exit, whatever happens."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, cmd: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = (self.workdir / f"{name}.log").open("wb")
        process = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=self.workdir, start_new_session=True
        )
        self.running[name] = process
        return process

    def stop(self, name: str) -> None:
        process = self.running.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def ensure_running(self, name: str) -> None:
        process = self.running[name]
        if process.poll() is not None:
            raise ProcessExited(f"{name} exited with {process.returncode}:\n{self.log_tail(name)}")

    def log_tail(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-20:]) if path.exists() else ""

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)


class Prometheus:
    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"

    def api(self, path: str, **params: Any) -> Any:
        query = urllib.parse.urlencode(params)
        status, body = http_get(f"{self.base}/api/v1/{path}?{query}")
        payload = json.loads(body)
        ensure(
            status == 200 and payload.get("status") == "success",
            f"{path} {params}: HTTP {status}: {payload.get('error', body[:200])}",
        )
        return payload["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        return self.api("query", query=expr)["result"]

    def query_range(self, expr: str, seconds: int) -> list[dict[str, Any]]:
        end = time.time()
        return self.api("query_range", query=expr, start=end - seconds, end=end, step=TEST_SCRAPE_SECONDS)["result"]

    def active_alerts(self) -> dict[str, str]:
        return {a["labels"]["alertname"]: a["state"] for a in self.api("alerts")["alerts"]}


def finite_values(result: list[dict[str, Any]]) -> int:
    count = 0
    for series in result:
        samples = series.get("values") or ([series["value"]] if "value" in series else [])
        count += sum(1 for _, value in samples if math.isfinite(float(value)))
    return count


def substitute_grafana_variables(expr: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name not in GRAFANA_VARIABLES:
            raise CheckFailed(f"unknown Grafana variable ${name} in {expr!r}")
        return GRAFANA_VARIABLES[name]

    return re.sub(r"\$\{(\w+)\}|\$(\w+)", replace, expr)


def test_config(app_port: int, prometheus_port: int) -> dict[str, Any]:
    """prometheus.yaml with only the targets, the intervals and the rule paths changed."""
    config = copy.deepcopy(load_yaml(PROMETHEUS_CONFIG))
    config["global"]["scrape_interval"] = f"{TEST_SCRAPE_SECONDS}s"
    config["global"]["evaluation_interval"] = f"{TEST_SCRAPE_SECONDS}s"
    config["rule_files"] = [str(ROOT / path) for path in config["rule_files"]]
    rewritten = {APP_JOB: f"127.0.0.1:{app_port}", PROMETHEUS_JOB: f"127.0.0.1:{prometheus_port}"}
    ensure(
        set(rewritten) == {job["job_name"] for job in config["scrape_configs"]},
        "prometheus.yaml has jobs the live test does not know how to point at loopback",
    )
    for job in config["scrape_configs"]:
        ensure(
            set(job) == {"job_name", "static_configs"} and len(job["static_configs"]) == 1,
            f"job {job['job_name']}: the live test only rewrites a single static target",
        )
        job["static_configs"][0]["targets"] = [rewritten[job["job_name"]]]
    return config


class Traffic:
    """Requests to the app from a background thread, bounded in count and time.

    Five a second at most: enough that every rate window holds requests, few
    enough that the slow phase below outweighs them in the 5-minute windows
    of the alerts."""

    def __init__(self, base: str, max_requests: int = 300, max_seconds: float = 60) -> None:
        self.base = base
        self.max_requests = max_requests
        self.max_seconds = max_seconds
        self.sent = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        deadline = time.monotonic() + self.max_seconds
        while not self.stopped.is_set() and self.sent < self.max_requests and time.monotonic() < deadline:
            with contextlib.suppress(OSError):  # counted all the same; the checks look at Prometheus
                http_get(f"{self.base}/treecounter")
            self.sent += 1
            self.stopped.wait(0.2)

    def __enter__(self) -> Traffic:
        self.thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.stopped.set()
        self.thread.join(timeout=HTTP_TIMEOUT + 1)


def burst(base: str, path: str, count: int, concurrency: int) -> list[int]:
    with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(lambda _: http_get(f"{base}{path}", timeout=30)[0], range(count)))


def live_checks(suite: Suite, app_server: str, prometheus_bin: str, promtool: str, workdir: Path) -> None:
    processes = Processes(workdir)
    try:
        _live_checks(suite, processes, app_server, prometheus_bin, promtool, workdir)
    finally:
        processes.stop_all()


def _live_checks(
    suite: Suite, processes: Processes, app_server: str, prometheus_bin: str, promtool: str, workdir: Path
) -> None:
    app_port, prometheus_port = free_port(), free_port()
    app_base = f"http://127.0.0.1:{app_port}"
    app_env = {k: v for k, v in os.environ.items() if not k.startswith("APP_")}
    app_env["RUST_LOG"] = "warn"
    static_dir = workdir / "no-playground"  # the app serves its "how to build it" page

    def start_app(name: str, *flags: str) -> None:
        processes.start(
            name,
            [
                app_server,
                "--listen",
                f"127.0.0.1:{app_port}",
                "--static-dir",
                str(static_dir),
                "--shutdown-grace",
                "2",
                *flags,
            ],
            env=app_env,
        )

        def healthy() -> bool:
            processes.ensure_running(name)
            return http_get(f"{app_base}/healthz", timeout=2)[0] == 200

        poll(f"{name} answers /healthz", healthy, 30)

    prometheus = Prometheus(prometheus_port)
    config_path = workdir / "prometheus.yaml"

    def start_stack() -> str:
        start_app("app-server", "--latency-max", "0.05", "--seed", "42")
        config_path.write_text(yaml.safe_dump(test_config(app_port, prometheus_port), sort_keys=False))
        run_ok([promtool, "check", "config", str(config_path)])
        processes.start(
            "prometheus",
            [
                prometheus_bin,
                f"--config.file={config_path}",
                f"--storage.tsdb.path={workdir / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{prometheus_port}",
                "--log.level=warn",
            ],
        )

        def ready() -> bool:
            processes.ensure_running("prometheus")
            return http_get(f"{prometheus.base}/-/ready", timeout=2)[0] == 200

        poll("Prometheus is ready", ready, 60)
        return f"app-server on :{app_port}, Prometheus on :{prometheus_port}"

    if not suite.check("live: app-server and Prometheus start with the repository's config", start_stack):
        return

    def targets_up() -> str:
        def both_up() -> list[str]:
            targets = prometheus.api("targets", state="active")["activeTargets"]
            health = {t["labels"]["job"]: t["health"] for t in targets}
            return sorted(health) if health == {APP_JOB: "up", PROMETHEUS_JOB: "up"} else []

        return "jobs " + ", ".join(poll("both targets up on /api/v1/targets", both_up, 30))

    if not suite.check("live: /targets lists the app and Prometheus, both up", targets_up):
        return

    sent_first = 60

    def traffic_is_scraped() -> str:
        statuses = burst(app_base, "/treecounter", sent_first, 8)
        ensure(statuses == [200] * sent_first, f"/treecounter answered {sorted(set(statuses))}")
        ensure(http_get(f"{app_base}/no-such-page")[0] == 404, "an unknown path must be 404")
        ensure(http_get(f"{app_base}/")[0] == 200, "/ must answer")

        def counted() -> float:
            result = prometheus.query(f'requests_total{{job="{APP_JOB}", endpoint="/treecounter", status="200"}}')
            return float(result[0]["value"][1]) if result and float(result[0]["value"][1]) >= sent_first else 0

        value = poll("requests_total reaches Prometheus", counted, 20)
        return f'requests_total{{endpoint="/treecounter"}} = {value:.0f} after {sent_first} requests'

    if not suite.check("live: traffic to /treecounter shows up in requests_total", traffic_is_scraped):
        return

    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    with Traffic(app_base) as traffic:

        def every_panel_query() -> str:
            # Poll all queries together until each has returned data once, so
            # that one failure reports every other query that fails too.
            pending = {
                (panel["title"], target["refId"]): (
                    substitute_grafana_variables(target["expr"]),
                    target.get("legendFormat", ""),
                )
                for panel, target in dashboard_targets(dashboard)
            }
            total, started = len(pending), time.monotonic()
            deadline = started + 20
            while pending:
                for key, (expr, legend) in list(pending.items()):
                    result = prometheus.query_range(expr, 30)
                    if not finite_values(result):
                        continue
                    del pending[key]
                    for label in re.findall(r"\{\{\s*(\w+)\s*\}\}", legend):
                        ensure(
                            all(label in series["metric"] for series in result),
                            f"panel {key[0]!r} {key[1]}: legend label {label!r} missing from `{expr}`",
                        )
                if pending and time.monotonic() >= deadline:
                    raise CheckFailed(
                        "no data within 20s (Grafana would say 'No data') for:\n"
                        + "\n".join(f"  panel {title!r} {ref}: {expr}" for (title, ref), (expr, _) in pending.items())
                    )
                if pending:
                    time.sleep(0.5)
            return (
                f"{total} queries from {len(all_panels(dashboard))} panels, "
                f"all with data after {time.monotonic() - started:.1f}s"
            )

        suite.check("live: every dashboard query returns data", every_panel_query)

        def quiet_when_healthy() -> str:
            active = prometheus.active_alerts()
            ensure(not active, f"alerts active while the app is healthy: {active}")
            return f"{len(alert_rules())} rules loaded, none active"

        suite.check("live: no alert is active while the app is healthy", quiet_when_healthy)
        print(f"     (background traffic: {traffic.sent} requests)", flush=True)

    rules = alert_rules()

    def wait_for_alerts(scenario: str) -> str:
        expected = {rule["alert"] for rule in rules if FAILURE_SCENARIOS.get(rule["alert"]) == scenario}

        def active() -> dict[str, str]:
            states = prometheus.active_alerts()
            return states if expected <= set(states) else {}

        states = poll(f"alerts {sorted(expected)} go active", active, 45)
        for rule in rules:
            if rule["alert"] in expected:
                result = prometheus.query(rule["expr"])
                ensure(result, f"{rule['alert']}: its expression returns nothing while active")
        return ", ".join(f"{name} {states[name]}" for name in sorted(expected))

    def unknown_alerts() -> None:
        missing = [rule["alert"] for rule in rules if rule["alert"] not in FAILURE_SCENARIOS]
        ensure(not missing, f"alerts without a live scenario in scripts/stack_test.py: {missing}")

    suite.check("live: every alert rule has a failure scenario", unknown_alerts)

    def failing_upstream_and_slow_pages() -> str:
        processes.stop("app-server")
        # Every upstream call fails, and 60 % of pages take over 1 s: with at
        # most 60 + 300 healthy requests before, both 5-minute ratios cross
        # their thresholds (30 % errors, 10 % of pages over 1 s).
        start_app("app-server-failing", "--upstream-error-rate", "1", "--latency-max", "2.5", "--seed", "43")
        slow_requests = 200
        statuses = burst(app_base, "/treecounter", slow_requests, 100)
        ensure(statuses == [200] * slow_requests, f"/treecounter answered {sorted(set(statuses))}")
        return wait_for_alerts("errors")

    suite.check("live: upstream failing and pages slow -> their alerts go active", failing_upstream_and_slow_pages)

    def app_down() -> str:
        processes.stop("app-server-failing")
        return wait_for_alerts("down")

    suite.check("live: app stopped -> TreeCounterDown goes active", app_down)

    def healthcheck_command() -> None:
        # What the image's HEALTHCHECK runs: it must fail with the app down...
        env = {**app_env, "APP_LISTEN": f"0.0.0.0:{app_port}"}
        result = run([app_server, "--healthcheck"], env=env)
        ensure(result.returncode != 0, "app-server --healthcheck passed with no app running")
        # ...and pass with it up.
        start_app("app-server-healthcheck", "--latency-max", "0")
        result = run([app_server, "--healthcheck"], env=env)
        ensure(result.returncode == 0, f"app-server --healthcheck failed:\n{result.stdout}{result.stderr}")
        processes.stop("app-server-healthcheck")

    suite.check("live: the image's healthcheck command tells up from down", healthcheck_command)


# --------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compose", required=True, help="the docker-compose v2 binary")
    parser.add_argument("--hadolint", required=True)
    parser.add_argument("--app-server", required=True)
    parser.add_argument("--prometheus", default=shutil.which("prometheus") or "prometheus")
    parser.add_argument("--promtool", default=shutil.which("promtool") or "promtool")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, TSDB)")
    args = parser.parse_args()

    # SIGTERM (CI timeout, Ctrl-C in the parent) must still run the cleanup below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    suite = Suite()
    compose = Compose(args.compose)
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="stack-test-"))
    try:
        compose_checks(suite, compose, args.app_server)
        promtool_checks(suite, args.promtool)
        dashboard_checks(suite)
        dockerfile_checks(suite, args.hadolint, compose)
        live_checks(suite, args.app_server, args.prometheus, args.promtool, workdir)
    finally:
        if args.keep or suite.failed:
            print(f"work folder kept for inspection: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"took {time.monotonic() - started:.1f}s")
    return suite.summary()


if __name__ == "__main__":
    sys.exit(main())
