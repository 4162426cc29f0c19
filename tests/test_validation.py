from __future__ import annotations

import pandas as pd
import pytest

from analysis.core.errors import InputError
from analysis.method.bank import build_bank
from analysis.method.validation import normalise_answer, validate_frame, validate_frames

from .conftest import case_frame, mini_bank_dict


def good_rows() -> list[dict[str, str]]:
    return [
        {"area_id": "north", "case_id": "c1", "case_type": "community_order",
         "statutory_victim": "Yes", "report_type": "Short", "report_quality": "Y",
         "rmp": "Insufficient", "victim_safety": "n/a", "victim_offer": "yes"},
        {"area_id": "north", "case_id": "c2", "case_type": "Licence",
         "statutory_victim": "no", "report_type": "", "report_quality": "NA",
         "rmp": "none", "victim_safety": "N", "victim_offer": ""},
    ]


def test_normalises_what_people_type(mini_bank) -> None:  # type: ignore[no-untyped-def]
    frame, warnings = validate_frame(case_frame(good_rows()), mini_bank, "cases.csv")
    assert warnings == []
    assert frame.loc[0, "statutory_victim"] == "yes"
    assert frame.loc[0, "report_type"] == "short"
    assert frame.loc[1, "case_type"] == "licence"
    assert frame.loc[1, "rmp"] == "none"
    assert pd.isna(frame.loc[1, "report_type"])
    assert frame.loc[1, "victim_safety"] == "no"


@pytest.mark.parametrize("typed", ["Yes", "yes", "Y", "y", "YES", "True"])
def test_yes_synonyms(mini_bank, typed: str) -> None:  # type: ignore[no-untyped-def]
    assert normalise_answer(typed, mini_bank.scales["yes_no"]) == "yes"


@pytest.mark.parametrize("typed", ["N/A", "NA", "n/a", "", "Not applicable", "  "])
def test_not_applicable_synonyms(mini_bank, typed: str) -> None:  # type: ignore[no-untyped-def]
    assert normalise_answer(typed, mini_bank.scales["yes_no"]) is pd.NA


def _problems(mini_bank, rows, **kw) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as info:
        validate_frame(case_frame(rows), mini_bank, "cases.csv", **kw)
    return [str(p) for p in info.value.problems]


def test_every_bad_value_reported_at_once_with_row_column_value(mini_bank) -> None:  # type: ignore[no-untyped-def]
    rows = good_rows()
    rows[0]["report_quality"] = "Yess"
    rows[1]["rmp"] = "partly"
    problems = _problems(mini_bank, rows)
    assert len(problems) == 2
    assert problems[0].startswith("cases.csv, row 2, column 'report_quality'")
    assert "'Yess'" in problems[0] and "allowed: yes, no" in problems[0]
    assert problems[1].startswith("cases.csv, row 3, column 'rmp'")


def test_missing_and_unknown_columns(mini_bank) -> None:  # type: ignore[no-untyped-def]
    rows = good_rows()
    for r in rows:
        del r["case_type"]
        r["notes"] = "free text"
    problems = _problems(mini_bank, rows)
    assert any("'case_type'" in p and "missing" in p for p in problems)
    assert any("'notes'" in p and "unknown column" in p for p in problems)


def test_duplicate_case_ids(mini_bank) -> None:  # type: ignore[no-untyped-def]
    rows = good_rows()
    rows[1]["case_id"] = "c1"
    problems = _problems(mini_bank, rows)
    assert problems == [p for p in problems if "duplicate case id" in p]
    assert "row 3" in problems[0] and "first on row 2" in problems[0]


def test_answer_where_question_does_not_apply(mini_bank) -> None:  # type: ignore[no-untyped-def]
    rows = good_rows()
    rows[1]["report_quality"] = "yes"  # licence: no report, so no report quality
    problems = _problems(mini_bank, rows)
    assert len(problems) == 1 and "does not apply" in problems[0] and "row 3" in problems[0]
    frame, warnings = validate_frame(case_frame(rows), mini_bank, "cases.csv", lenient=True)
    assert len(warnings) == 1 and pd.isna(frame.loc[1, "report_quality"])


def test_missing_answer_where_rule_holds(mini_bank) -> None:  # type: ignore[no-untyped-def]
    rows = good_rows()
    rows[0]["victim_offer"] = ""
    problems = _problems(mini_bank, rows)
    assert "answer missing" in problems[0] and "'victim_offer'" in problems[0]


@pytest.mark.parametrize("area", ["../etc", "a/b", "<script>", "x\x07", "Upper"])
def test_unsafe_area_ids(mini_bank, area: str) -> None:  # type: ignore[no-untyped-def]
    rows = good_rows()
    rows[0]["area_id"] = area
    problems = _problems(mini_bank, rows)
    assert any("'area_id'" in p for p in problems)


def test_blank_where_a_question_applies_to_every_case(mini_bank) -> None:  # type: ignore[no-untyped-def]
    """A question without a rule that inspectors may not judge applies to every case: a blank
    is an error, not a silent 'not applicable' that shrinks the denominator."""
    raw = mini_bank_dict()
    raw["questions"][2]["judged"] = False  # rmp: no applies_when, no longer judged
    bank = build_bank(raw)
    rows = good_rows()
    rows[1]["rmp"] = ""
    with pytest.raises(InputError) as info:
        validate_frame(case_frame(rows), bank, "cases.csv")
    (p,) = info.value.problems
    assert (p.row, p.column) == (3, "rmp")
    assert p.message == "answer missing where the question applies (every case)"
    assert p.allowed == "sufficient, insufficient, none"
    rows[1]["rmp"] = "none"
    validate_frame(case_frame(rows), bank, "cases.csv")


def test_absent_question_columns_mean_the_same_alone_or_beside_another_file(mini_bank) -> None:  # type: ignore[no-untyped-def]
    full = case_frame(good_rows())
    narrow = case_frame([{k: v for k, v in r.items()
                          if k in ("area_id", "case_id", "case_type", "statutory_victim")}
                         for r in good_rows()])
    narrow["case_id"] = ["n1", "n2"]
    alone, _ = validate_frame(narrow, mini_bank, "narrow.csv")
    together, _, _ = validate_frames([(full, "full.csv"), (narrow, "narrow.csv")], mini_bank)
    assert together.iloc[2:].reset_index(drop=True).equals(alone.reset_index(drop=True))


def test_missing_required_column_beside_another_file_is_one_problem(mini_bank) -> None:  # type: ignore[no-untyped-def]
    other = case_frame(good_rows())
    other["case_id"] = ["o1", "o2"]
    rows = good_rows()
    for r in rows:
        del r["case_type"]
    with pytest.raises(InputError) as info:
        validate_frames([(other, "a.csv"), (case_frame(rows), "b.csv")], mini_bank)
    assert [(p.file, p.column) for p in info.value.problems] == [("b.csv", "case_type")]


def test_excel_error_as_case_id(mini_bank) -> None:  # type: ignore[no-untyped-def]
    rows = good_rows()
    rows[0]["case_id"] = "#N/A"
    (p,) = _problems(mini_bank, rows)
    assert "column 'case_id'" in p and "Excel error value" in p
