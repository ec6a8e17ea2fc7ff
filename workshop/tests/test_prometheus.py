"""A real Prometheus with workshop/prometheus.yaml scraping the finished app:
section 3's check, every query WORKSHOP.md gives, each exercise's answer
through `cargo check-work`, and wrong answers getting their hint."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from conftest import free_port, read_workshop_md, start_prometheus, wait_until, workshop_prometheus_config


def test_section_3_sees_the_app_scraped(prometheus, check):
    result = check("3", "--prometheus", prometheus.url)
    assert (result.status, result.failures()) == (0, []), result.output
    assert "Prometheus stored requests_total from it (3 series)" in result.output


def test_section_3_names_a_target_that_is_down(check):
    # Nothing listens on the target's port: the scrape is refused.
    target = f"127.0.0.1:{free_port()}"
    with tempfile.TemporaryDirectory(prefix="workshop-prometheus-down-") as workdir:
        prometheus = start_prometheus(workshop_prometheus_config(target), Path(workdir))
        try:
            wait_until(lambda: prometheus.value('up{job="treecounter"}') == 0, 30, "the failed scrape")
            result = check("3", "--prometheus", prometheus.url)
        finally:
            prometheus.process.terminate()
            prometheus.process.wait(timeout=30)
    assert (result.status, result.failures()) == (1, ["the target is up: Prometheus's last scrape of it worked"]), result.output
    assert "connection refused" in result.output
    assert "is your app running (`cargo run -p workshop-app`)?" in result.output


def test_section_3_without_prometheus(check):
    result = check("3", "--prometheus", f"http://127.0.0.1:{free_port()}")
    assert (result.status, result.failures()) == (1, ["Prometheus answers"]), result.output
    assert "docker compose -f workshop/docker-compose.yaml up" in result.output


QUERIES = [
    block.code.strip()
    for section in read_workshop_md()
    for block in section.blocks
    if block.lang == "promql"
]


@pytest.mark.parametrize("query", QUERIES, ids=[f"query-{i + 1}" for i in range(len(QUERIES))])
def test_every_query_in_workshop_md_returns_data(prometheus, query):
    data = prometheus.query(query)
    assert data["resultType"] in ("vector", "scalar"), data
    assert data["result"], f"{query} returned nothing"


ANSWERS = [
    (section.number, block.code.strip())
    for section in read_workshop_md()
    for block in section.blocks
    if block.mark and block.mark[0] == "answer"
]


def test_every_exercise_has_an_answer():
    assert sorted(number for number, _ in ANSWERS) == [4, 5, 6]


@pytest.mark.parametrize(("section", "answer"), ANSWERS, ids=[f"section-{n}" for n, _ in ANSWERS])
def test_the_answers_pass(prometheus, check, section, answer):
    result = check(str(section), answer, "--prometheus", prometheus.url)
    assert (result.status, result.failures()) == (0, []), result.output
    assert result.output.rstrip().endswith(f"Section {section} is done.")


@pytest.mark.parametrize(
    ("section", "query", "hint"),
    [
        # Right, in other words: any correct query passes.
        (4, "1 - sum(rate(requests_total{endpoint='/upstream',status='200'}[2m])) / sum(rate(requests_total{endpoint='/upstream'}[2m]))", None),
        (5, "sum by (endpoint) (rate(requests_total[$__rate_interval]))", None),
        (6, "histogram_quantile(0.9, rate(request_latency_seconds_bucket[30s]))", None),
        # Wrong, with the hint of the mistake.
        (4, "requests_total", "the question has one answer: add the series up with sum(...)"),
        (4, "sum(rate(requests_total{endpoint=\"/upstream\", status=\"503\"}[1m]))", "that is how many calls fail per second"),
        (5, "rate(requests_total[$__rate_interval])", "add the statuses up with sum by (endpoint) (...)"),
        (5, "sum by (endpoint) (rate(requests_total[]))", "put the query in single quotes"),
        (6, "histogram_quantile(0.5, sum by (le) (rate(request_latency_seconds_bucket[1m])))", "that is the median (0.5)"),
        (6, "request_latency_seconds_bucket[1m]", "wrap it in a function"),
    ],
)
def test_queries_are_judged_by_their_answer(prometheus, check, section, query, hint):
    result = check(str(section), query, "--prometheus", prometheus.url)
    if hint is None:
        assert (result.status, result.failures()) == (0, []), result.output
    else:
        assert result.status == 1, result.output
        assert len(result.failures()) == 1 and hint in result.output, result.output


def test_no_data_is_not_the_learners_fault(check):
    """A Prometheus that scrapes nothing yet: the check says to make traffic."""
    with tempfile.TemporaryDirectory(prefix="workshop-prometheus-empty-") as workdir:
        prometheus = start_prometheus(workshop_prometheus_config(f"127.0.0.1:{free_port()}"), Path(workdir))
        try:
            answer = ANSWERS[0][1]
            result = check("4", answer, "--prometheus", prometheus.url)
        finally:
            prometheus.process.terminate()
            prometheus.process.wait(timeout=30)
    assert result.failures() == ["Prometheus has the data to answer with"], result.output
    assert "cargo check-work traffic" in result.output
