"""Each section's check against the start and every solution: it passes from
that section's solution on, and before it fails on the check that names
what is missing. The negative half keeps the checks honest: a check that
passed on the start would prove nothing."""

from __future__ import annotations

import pytest
from conftest import CRATES

# The first check that fails, by crate and section; None: the section is done.
FIRST_FAILURE = {
    "workshop-app": {
        1: "GET /metrics answers 200 OK",
        2: "GET /metrics answers 200 OK",
        6: "GET /metrics answers 200 OK",
    },
    "workshop-step-1": {
        1: None,
        2: "requests_total is exported as a counter",
        6: "requests_total is exported as a counter",
    },
    "workshop-step-2": {1: None, 2: None, 6: "request_latency_seconds is exported as a histogram"},
    "workshop-step-6": {1: None, 2: None, 6: None},
}


@pytest.mark.parametrize("section", [1, 2, 6])
@pytest.mark.parametrize("crate", CRATES)
def test_section_check(apps, check, crate, section):
    result = check(str(section), "--app", apps[crate].url)
    expected = FIRST_FAILURE[crate][section]
    if expected is None:
        assert (result.status, result.failures()) == (0, []), result.output
        assert result.output.rstrip().endswith(f"Section {section} is done."), result.output
    else:
        assert (result.status, result.failures()) == (1, [expected]), result.output
        assert "Section" in result.output and "is not done yet" in result.output


def test_more_visits_still_add_up(apps, check):
    result = check("6", "--app", apps["workshop-step-6"].url, "--visits", "60")
    assert result.status == 0, result.output
    assert "(+60)" in result.output


def test_a_stopped_app_is_named_as_the_problem(start_app, check):
    app = start_app("workshop-step-2")
    app.stop()
    result = check("2", "--app", app.url)
    assert (result.status, result.failures()) == (1, ["your app answers"]), result.output
    assert f"cannot connect to {app.url}/metrics" in result.output
    assert "cargo run -p workshop-app" in result.output


def test_a_bad_command_line_exits_2(check):
    for args in [(), ("7",), ("4", "a", "b"), ("1", "--app", "https://x")]:
        result = check(*args)
        assert result.status == 2, (args, result.output)
        assert "usage: cargo check-work SECTION" in result.output
