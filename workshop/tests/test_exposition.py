"""Each solution's /metrics read by tools that share no code with ours: the
Python client's strict OpenMetrics parser must read it, with exactly the
counts the visits should give, and promtool must lint it clean (in the text
format 0.0.4, which is what `promtool check metrics` reads)."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import http_get
from prometheus_client.core import CollectorRegistry
from prometheus_client.exposition import generate_latest
from prometheus_client.openmetrics.parser import text_string_to_metric_families

OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8"
VISITS = 7


def scrape(app):
    status, headers, body = http_get(f"{app.url}/metrics", accept="application/openmetrics-text;version=1.0.0")
    assert status == 200
    assert headers["content-type"] == OPENMETRICS
    families = {family.name: family for family in text_string_to_metric_families(body.decode())}
    return families


def value(families, family, sample, **labels):
    return sum(
        s.value for s in families[family].samples if s.name == sample and all(s.labels.get(k) == v for k, v in labels.items())
    ) if family in families else 0.0


def visit(app, n):
    def one(_):
        status, _, body = http_get(f"{app.url}/treecounter")
        assert status == 200
        return b"unavailable" in body

    with ThreadPoolExecutor(n) as pool:
        return sum(pool.map(one, range(n)))


@pytest.mark.parametrize("crate", ["workshop-step-1", "workshop-step-2", "workshop-step-6"])
def test_openmetrics_parser_reads_the_counts(apps, crate):
    app = apps[crate]
    before = scrape(app)
    unavailable = visit(app, VISITS)
    after = scrape(app)
    if crate == "workshop-step-1":
        assert after == {}, "section 1's registry is empty"
        return
    assert after["requests"].type == "counter"

    def delta(*args, **labels):
        return value(after, *args, **labels) - value(before, *args, **labels)

    assert delta("requests", "requests_total", endpoint="/treecounter", status="200") == VISITS
    assert delta("requests", "requests_total", endpoint="/upstream") == VISITS
    assert delta("requests", "requests_total", endpoint="/upstream", status="503") == unavailable
    statuses = {s.labels["status"] for s in after["requests"].samples if s.labels["endpoint"] == "/upstream"}
    assert statuses <= {"200", "503"}
    if crate == "workshop-step-6":
        latency = after["request_latency_seconds"]
        assert latency.type == "histogram"
        assert delta("request_latency_seconds", "request_latency_seconds_count", endpoint="/treecounter") == VISITS
        bounds = [s.labels["le"] for s in latency.samples if s.name.endswith("_bucket")]
        assert bounds[-1] == "+Inf" and len(bounds) == 13


class Parsed:
    """A collector that hands back families as parsed, for re-encoding."""

    def __init__(self, families):
        self.families = list(families)

    def collect(self):
        return self.families


@pytest.mark.parametrize("crate", ["workshop-step-1", "workshop-step-2", "workshop-step-6"])
def test_promtool_lints_the_exposition_clean(apps, crate):
    app = apps[crate]
    visit(app, 3)
    registry = CollectorRegistry()
    registry.register(Parsed(scrape(app).values()))
    text = generate_latest(registry)
    lint = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True)
    assert lint.returncode == 0, (lint.stdout + lint.stderr).decode() + "\n" + text.decode()
