"""Target status rules, written once: met, not met, in progress, no data."""
from __future__ import annotations

from decimal import Decimal

from .model import Goal, Result, Target
from .records import record

MET, NOT_MET, IN_PROGRESS, NO_DATA = "met", "not-met", "in-progress", "no-data"
LABELS = {MET: "Đạt", NOT_MET: "Chưa đạt", IN_PROGRESS: "Đang thực hiện", NO_DATA: "Chưa có số liệu"}
ORDER = (MET, NOT_MET, IN_PROGRESS, NO_DATA)


def satisfies(value: Decimal, goal: Goal) -> bool:
    """Whether a reported value satisfies a goal ("= N", ">= N", "> N", "<= N", "< N")."""
    return {
        "=": value == goal.value,
        ">=": value >= goal.value,
        ">": value > goal.value,
        "<=": value <= goal.value,
        "<": value < goal.value,
    }[goal.op]


def _achieved(target: Target, result: Result) -> bool:
    if target.goal is None:
        return bool(result.done)
    return satisfies(result.value, target.goal)


@record
class TargetStatus:
    overall: str
    years: dict[int, str]  # year -> status of that year's value ("" for a year still to come)
    latest: Result | None


def evaluate(target: Target, term: tuple[int, int], results: dict[int, Result],
             current_year: int) -> TargetStatus:
    """Status of one target over its term, as seen in `current_year`."""
    start, end = term
    years: dict[int, str] = {}
    for year in range(start, end + 1):
        result = results.get(year)
        if result is None:
            years[year] = NO_DATA if year <= current_year else ""
        elif _achieved(target, result):
            years[year] = MET
        elif target.period == "annual" or year == end:
            years[year] = NOT_MET
        else:
            years[year] = IN_PROGRESS
    latest = results[max(results)] if results else None
    if latest is None:
        return TargetStatus(NO_DATA, years, None)
    if target.period == "annual":
        reported = [years[y] for y in sorted(results)]
        overall = MET if all(s == MET for s in reported) else NOT_MET
        return TargetStatus(overall, years, latest)
    if _achieved(target, latest):
        return TargetStatus(MET, years, latest)
    finished = latest.year == end or current_year > end
    return TargetStatus(NOT_MET if finished else IN_PROGRESS, years, latest)
