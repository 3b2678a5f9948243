"""Status rules of sitegen.status, as the methodology page (/chi-tieu/cach-tinh/) states them.

- A value satisfies "= N", ">= N", "> N", "<= N", "< N" by plain comparison (a percentage is a
  number like any other); a qualitative target is met by "done".
- Annual target: each reported year is met or not met; overall it is met only when every
  reported year is met.
- Term target: judged by the latest value. Met as soon as it satisfies the goal; otherwise not
  met once the term is over (or the last year of the term is reported), else in progress.
- No value at all: no data. A year without a value is "no data" once it has come, blank before.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from sitegen.model import Goal, Ref, Result, Target
from sitegen.status import IN_PROGRESS, MET, NO_DATA, NOT_MET, evaluate, satisfies

TERM = (2021, 2025)


def target(goal: str | None = None, period: str = "term") -> Target:
    parsed = None
    if goal is not None:
        op, value = goal.split()
        parsed = Goal(op, Decimal(value))
    return Target("t", "Chỉ tiêu thử", goal=parsed, unit="%", period=period)


def results(**values) -> dict[int, Result]:
    """results(y2021=92, y2022="done") -> {year: Result}."""
    out = {}
    for key, value in values.items():
        year = int(key[1:])
        if isinstance(value, str):
            out[year] = Result(Ref("d", 1), "t", year, None, value == "done", "", "", "results.yaml", 1)
        else:
            out[year] = Result(Ref("d", 1), "t", year, Decimal(str(value)), None, "", "", "results.yaml", 1)
    return out


# --- comparisons --------------------------------------------------------------------------

@pytest.mark.parametrize("op, goal, value, met", [
    ("=", "100", "100", True), ("=", "100", "99.99", False), ("=", "100", "100.01", False),
    ("=", "0", "0.0", True),
    (">=", "300", "300", True), (">=", "300", "301", True), (">=", "300", "299", False),
    (">", "600", "600", False), (">", "600", "600.5", True), (">", "600", "640", True),
    ("<=", "3", "3", True), ("<=", "3", "2", True), ("<=", "3", "3.01", False),
    ("<", "3", "3", False), ("<", "3", "2.99", True), ("<", "3", "-1", True),
    (">=", "92.5", "92.5", True), (">=", "92.5", "92.49", False), ("<", "1.5", "1.50", False),
    (">=", "-2", "-2", True), ("<", "-2", "-1.5", False),
])
def test_every_comparison(op, goal, value, met):
    assert satisfies(Decimal(value), Goal(op, Decimal(goal))) is met


def test_percentages_compare_as_plain_numbers():
    status = evaluate(target(">= 90"), TERM, results(y2021=92, y2022=89.5), 2026)
    assert status.years[2021] == MET and status.years[2022] == IN_PROGRESS


def test_equality_with_a_decimal_value_written_differently():
    assert satisfies(Decimal("100.0"), Goal("=", Decimal("100")))
    assert evaluate(target("= 100"), TERM, results(y2025=100.0), 2026).overall == MET


# --- no data, current year ----------------------------------------------------------------

def test_no_data_at_all():
    status = evaluate(target(">= 10", "annual"), TERM, {}, 2023)
    assert status.overall == NO_DATA and status.latest is None
    assert status.years == {2021: NO_DATA, 2022: NO_DATA, 2023: NO_DATA, 2024: "", 2025: ""}


def test_current_year_before_the_term():
    status = evaluate(target(">= 10"), TERM, {}, 2019)
    assert status.overall == NO_DATA
    assert set(status.years.values()) == {""}


def test_current_year_inside_the_term_leaves_later_years_blank():
    status = evaluate(target(">= 10", "annual"), TERM, results(y2021=12), 2022)
    assert status.years == {2021: MET, 2022: NO_DATA, 2023: "", 2024: "", 2025: ""}
    assert status.overall == MET


def test_current_year_after_the_term_shows_every_missing_year_as_no_data():
    status = evaluate(target(">= 10", "annual"), TERM, results(y2022=12), 2030)
    assert status.years == {2021: NO_DATA, 2022: MET, 2023: NO_DATA, 2024: NO_DATA, 2025: NO_DATA}
    assert status.overall == MET  # every reported year is met


# --- annual targets -----------------------------------------------------------------------

def test_annual_met_every_reported_year():
    status = evaluate(target(">= 300", "annual"), TERM, results(y2021=312, y2022=305, y2023=300), 2024)
    assert status.overall == MET
    assert status.latest.year == 2023


def test_annual_with_one_failed_year_is_not_met_even_if_later_years_are():
    status = evaluate(target(">= 300", "annual"), TERM, results(y2021=312, y2022=298, y2023=321), 2024)
    assert status.years[2022] == NOT_MET and status.years[2023] == MET
    assert status.overall == NOT_MET


def test_annual_failed_year_is_not_met_not_in_progress():
    status = evaluate(target("> 600", "annual"), TERM, results(y2021=600), 2021)
    assert status.years[2021] == NOT_MET and status.overall == NOT_MET


def test_annual_qualitative():
    done = evaluate(target(None, "annual"), TERM, results(y2021="done", y2022="done"), 2023)
    assert done.overall == MET
    failed = evaluate(target(None, "annual"), TERM, results(y2021="done", y2022="not-done"), 2023)
    assert failed.years == {2021: MET, 2022: NOT_MET, 2023: NO_DATA, 2024: "", 2025: ""}
    assert failed.overall == NOT_MET


# --- term targets -------------------------------------------------------------------------

def test_term_met_in_a_middle_year():
    status = evaluate(target(">= 2"), TERM, results(y2021=1, y2022=2), 2023)
    assert status.years[2021] == IN_PROGRESS and status.years[2022] == MET
    assert status.overall == MET


def test_term_met_in_a_middle_year_then_worse_is_judged_by_the_latest_value():
    status = evaluate(target(">= 2"), TERM, results(y2022=2, y2023=1), 2024)
    assert status.years[2022] == MET and status.years[2023] == IN_PROGRESS
    assert status.overall == IN_PROGRESS
    after = evaluate(target(">= 2"), TERM, results(y2022=2, y2023=1), 2026)
    assert after.overall == NOT_MET


def test_term_not_yet_met_is_in_progress_while_the_term_runs():
    status = evaluate(target("< 2"), TERM, results(y2021=3.1, y2022=2.5), 2023)
    assert status.overall == IN_PROGRESS
    assert status.years[2021] == IN_PROGRESS and status.years[2022] == IN_PROGRESS


def test_term_last_year_reported_and_not_met():
    status = evaluate(target("< 2"), TERM, results(y2024=1.5, y2025=2.2), 2025)
    assert status.years[2024] == MET and status.years[2025] == NOT_MET
    assert status.overall == NOT_MET  # the last year is reported: nothing left to wait for


def test_term_already_ended_without_the_last_year():
    status = evaluate(target("= 100"), TERM, results(y2022=97), 2026)
    assert status.overall == NOT_MET
    assert status.years[2022] == IN_PROGRESS and status.years[2025] == NO_DATA


def test_term_already_ended_and_met():
    assert evaluate(target("= 100"), TERM, results(y2023=100), 2030).overall == MET


def test_term_qualitative():
    assert evaluate(target(None), TERM, results(y2021="not-done", y2023="done"), 2024).overall == MET
    running = evaluate(target(None), TERM, results(y2021="done", y2022="not-done"), 2023)
    assert running.overall == IN_PROGRESS  # judged by the latest value
    assert evaluate(target(None), TERM, results(y2022="not-done"), 2026).overall == NOT_MET
    assert evaluate(target(None), TERM, results(y2025="not-done"), 2025).overall == NOT_MET


# --- single-year term ---------------------------------------------------------------------

@pytest.mark.parametrize("period", ["annual", "term"])
def test_single_year_term(period):
    one = (2024, 2024)
    assert evaluate(target(">= 5", period), one, {}, 2023).years == {2024: ""}
    assert evaluate(target(">= 5", period), one, {}, 2024).overall == NO_DATA
    met = evaluate(target(">= 5", period), one, results(y2024=5), 2024)
    assert met.overall == MET and met.years == {2024: MET}
    failed = evaluate(target(">= 5", period), one, results(y2024=4), 2024)
    assert failed.overall == NOT_MET and failed.years == {2024: NOT_MET}


def test_latest_is_the_newest_reported_year():
    status = evaluate(target(">= 1"), TERM, results(y2023=0, y2021=5), 2024)
    assert status.latest.year == 2023 and status.overall == IN_PROGRESS
