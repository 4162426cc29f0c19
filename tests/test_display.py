"""The precision an area report shows the all-areas figures at (analysis.method.display)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.method.display import VIEW_COLUMNS, area_view, read_view, shown
from analysis.method.rounding import percent


@pytest.mark.parametrize("value", [0.8449, 0.84496, 0.845, 0.8451, -0.1149, -0.115, 0.0004,
                                   0.123456, 0.99951, 0.0])
def test_a_kept_figure_prints_as_its_full_value_does(value: float) -> None:
    kept = shown(value, 3, 2)
    assert percent(kept) == percent(value)
    assert abs(kept - value) <= 0.0005 + 1e-12


def test_a_kept_figure_is_rounded_to_a_tenth_of_a_point_away_from_a_boundary() -> None:
    assert shown(0.72345, 3, 2) == 0.723 and shown(0.72349, 3, 2) == 0.723
    assert math.isnan(shown(math.nan, 3, 2))


def _rows(pooled: float, other: float) -> pd.DataFrame:
    """Comparisons rows of two areas: an outcome, a key question, a question that is not key
    and this area's key question against a group."""
    base = {c: 0.5 for c in VIEW_COLUMNS} | {"k": 5, "n": 10, "decision": "within",
                                               "gap_cases": 1.2, "gap_cases_lower": -3.0,
                                               "gap_cases_upper": 4.4}
    rows = []
    for area in ("a", "b"):
        for scope, kind, measure in (("all", "outcome", "1"), ("all", "question", "key_q"),
                                     ("all", "question", "plain_q"), ("g", "question", "key_q"),
                                     ("g", "question", "plain_q")):
            rows.append(base | {"scope": scope, "area_id": area, "kind": kind,
                                "measure": measure, "pooled": pooled, "lower": other})
    return pd.DataFrame(rows)


def test_a_view_changes_only_with_a_figure_it_shows() -> None:
    key = frozenset({"key_q"})
    same = area_view(_rows(0.72345, 0.3), "a", key)
    assert area_view(_rows(0.72349, 0.3), "a", key) == same  # within 0.1 point
    assert area_view(_rows(0.7246, 0.3), "a", key) != same  # drawn 0.1 point further
    view = read_view(same)
    assert set(view["area_id"]) == {"a"}
    # a group's row of a question that is not key is not in any report
    assert not ((view["scope"] == "g") & (view["measure"] == "plain_q")).any()
    plain = view[view["measure"] == "plain_q"].iloc[0]
    assert plain["pooled"] == 0.72 and math.isnan(plain["gap"])  # printed only: whole percent
    outcome = view[view["kind"] == "outcome"].iloc[0]
    assert math.isnan(outcome["lower"]) and outcome["pooled"] == 0.723  # limits not drawn
    assert view[view["measure"] == "key_q"].iloc[0]["gap_cases"] == 1.0
    assert view["n"].dtype == "Int64" and view["share"].dtype == "float64"


def test_an_outcomes_gap_is_kept_to_the_whole_point_it_prints_at() -> None:
    """An outcome's gap is printed, never drawn: a change within its whole point leaves the
    view alone (another area's chapters do not run again), one across it does not; a key
    question's gap is kept finer, as the gaps a report lists are chosen by it."""
    key = frozenset({"key_q"})

    def view(outcome_gap: float, question_gap: float = 0.5) -> str:
        rows = _rows(0.7, 0.3)
        rows.loc[rows["kind"] == "outcome", ["gap", "gap_lower", "gap_upper"]] = \
            [outcome_gap, outcome_gap - 0.1, outcome_gap + 0.1]
        rows.loc[rows["measure"] == "key_q", "gap"] = question_gap
        return area_view(rows, "a", key)

    assert view(-0.277) == view(-0.276)  # both print -28 points
    assert view(-0.277) != view(-0.274)  # -28 against -27
    assert view(-0.277, 0.123) != view(-0.277, 0.124)
    outcome = read_view(view(-0.277)).query("kind == 'outcome'").iloc[0]
    assert (outcome["gap"], outcome["gap_lower"], outcome["gap_upper"]) == (-0.28, -0.38, -0.18)
