"""The bundled Durham Tees Valley reconstruction reproduces every published figure.

Expected values come from ``data/published/durham-tees-valley.yaml``; actual values come only
from the scoring tables of the validated case file (``score_area(...).as_dict()``), never from
the case frame, so these tests also check that the scoring tables carry every figure the report
publishes.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis.method.bank import QuestionBank, load_bank
from analysis.method.published import load_published
from analysis.method.scoring import score_area
from analysis.method.validation import load_cases
from analysis.synthetic.reconstruct import (
    AREA_ID,
    METADATA_LABEL,
    case_text,
    noise_sd,
    reconstruct,
    write_reconstruction,
)

DATA = Path(__file__).resolve().parent.parent / "data"
CASE_FILE = DATA / "cases" / f"{AREA_ID}.csv"
PUBLISHED_FILE = DATA / "published" / f"{AREA_ID}.yaml"
PUBLISHED: dict[str, Any] = yaml.safe_load(PUBLISHED_FILE.read_text(encoding="utf-8"))
FIGURES: list[dict[str, Any]] = PUBLISHED["figures"]
FACTORS: list[dict[str, Any]] = PUBLISHED["factor_table"]
NOT_RECORDED = "not_recorded"


def round_half_up(k: int, n: int) -> int:
    return int((Decimal(100 * k) / Decimal(n)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def percent_holds(k: int, n: int, percent: float, op: str) -> bool:
    if op == "=":
        return round_half_up(k, n) == percent
    x = 100 * k / n
    return {">": x > percent, "<": x < percent, ">=": x >= percent, "<=": x <= percent}[op]


def as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


@pytest.fixture(scope="module")
def bank() -> QuestionBank:
    return load_bank()


@pytest.fixture(scope="module")
def loaded(bank: QuestionBank) -> pd.DataFrame:
    data = load_cases([CASE_FILE], bank)
    assert data.warnings == []
    frame: pd.DataFrame = data.frame
    return frame


@pytest.fixture(scope="module")
def tables(loaded: pd.DataFrame, bank: QuestionBank) -> dict[str, pd.DataFrame]:
    return score_area(loaded, bank, AREA_ID, resamples=200).as_dict()


def actual(fig: dict[str, Any], tables: dict[str, pd.DataFrame],
           bank: QuestionBank) -> tuple[int, int]:
    """(k, n) of a figure, read from the scoring tables."""
    dist = tables["distributions"]
    if fig["kind"] == "question":
        qid = fig["question"]
        q = bank.question_by_id[qid]
        level = fig.get("level")
        if level is None and q.scoring:
            row = tables["question_scores"]
            row = row[row["question"] == qid].iloc[0]
            return int(row["k"]), int(row["n"])
        sub = dist[(dist["variable"] == qid) & (dist["kind"] == "question")]
        rec = sub[sub["level"] == (level or "yes")].iloc[0]
        return int(rec["count"]), int(rec["n"])
    if fig["kind"] == "field":
        sub = dist[(dist["variable"] == fig["field"]) & (dist["kind"] == "field")]
        rec = sub[sub["level"] == fig["level"]].iloc[0]
        # a field figure is counted over the cases where the field is recorded
        unrecorded = int(sub[sub["level"] == NOT_RECORDED]["count"].sum())
        return int(rec["count"]), int(rec["n"]) - unrecorded
    assert fig["kind"] == "crosstab", fig["id"]
    x = tables["crosstab"]
    sub = x[(x["row_field"] == fig["row_field"]) & (x["col_field"] == fig["col_field"])]
    assert len(sub), f"no cross-table {fig['row_field']} x {fig['col_field']}"
    cell = sub[sub["row_level"].isin(as_list(fig["row_level"]))
               & sub["col_level"].isin(as_list(fig["col_level"]))]
    return int(cell["count"].sum()), int(sub["n"].iloc[0])


@pytest.mark.parametrize("fig", FIGURES, ids=[f["id"] for f in FIGURES])
def test_published_figure(fig: dict[str, Any], tables: dict[str, pd.DataFrame],
                          bank: QuestionBank) -> None:
    k, n = actual(fig, tables, bank)
    if fig.get("n") is not None:
        assert n == fig["n"], f"n: {n} != {fig['n']}"
    if fig.get("k") is not None:
        assert k == fig["k"], f"k: {k} != {fig['k']}"
    if fig.get("percent") is not None:
        assert n > 0
        assert percent_holds(k, n, fig["percent"], fig["op"]), (
            f"{k}/{n} = {100 * k / n:.1f}% does not give {fig['op']} {fig['percent']}%")


@pytest.mark.parametrize("row", FACTORS, ids=[f["factor"] for f in FACTORS])
def test_factor_table(row: dict[str, Any], tables: dict[str, pd.DataFrame]) -> None:
    f = tables["factors"].set_index("factor").loc[row["factor"]]
    assert int(f["identified"]) == row["identified"]
    for part in ("interventions", "progress"):
        k, n = int(f[f"{part}_k"]), int(f[f"{part}_n"])
        assert n == row["identified"]
        assert round_half_up(k, n) == row[f"{part}_percent"], part


def headline_differences(tables: dict[str, pd.DataFrame]) -> dict[int, dict[str, float]]:
    """Recomputed against published headline scores, in percentage points."""
    scores = tables["outcome_scores"].set_index("outcome")["score"]
    out = {}
    for h in PUBLISHED["headline_scores"]:
        recomputed = float(scores.loc[h["outcome"]])
        out[int(h["outcome"])] = {"published": float(h["percent"]),
                                  "recomputed": 100 * recomputed,
                                  "difference": 100 * recomputed - float(h["percent"])}
    return out


def test_headline_scores_are_reported(tables: dict[str, pd.DataFrame]) -> None:
    """Reported, not forced equal: the bank describes fewer questions than the 2014 tool."""
    diffs = headline_differences(tables)
    assert sorted(diffs) == [1, 2, 3, 4, 5]
    for outcome, d in diffs.items():
        print(f"outcome {outcome}: published {d['published']:.0f}%, recomputed "
              f"{d['recomputed']:.1f}%, difference {d['difference']:+.1f} points")
        assert np.isfinite(d["recomputed"]) and 0 <= d["recomputed"] <= 100


def test_reconstruction_is_deterministic(bank: QuestionBank) -> None:
    pd.testing.assert_frame_equal(reconstruct(bank, 2014), reconstruct(bank, 2014))


def test_bundled_file_is_what_the_code_makes(bank: QuestionBank) -> None:
    assert CASE_FILE.read_text(encoding="utf-8") == case_text(reconstruct(bank), bank)


def test_write_reconstruction(tmp_path: Path) -> None:
    for name in ("question_bank.yaml", f"published/{AREA_ID}.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes((DATA / name).read_bytes())
    path = write_reconstruction(tmp_path)
    assert path == tmp_path / "cases" / f"{AREA_ID}.csv"
    assert path.read_bytes() == CASE_FILE.read_bytes()
    assert b"\r" not in path.read_bytes()


def test_case_file_shape(loaded: pd.DataFrame, bank: QuestionBank) -> None:
    assert len(loaded) == 87 == PUBLISHED["cases_inspected"]
    assert set(loaded["area_id"]) == {AREA_ID}
    assert loaded["case_id"].is_unique
    assert loaded["case_id"].str.fullmatch(r"DTV-R-\d{3}").all()
    for q in bank.questions:
        assert q.id in loaded.columns
    assert "synthetic" in METADATA_LABEL


def _excess_case_variance(frame: pd.DataFrame, bank: QuestionBank) -> float:
    """How much cases' sufficient shares vary, relative to what independent answers give."""
    qids = [q.id for q in bank.scoring_questions() if q.applies_when is None and not q.judged]
    yes = frame[qids].eq("yes").to_numpy(dtype=float)
    p = yes.mean(axis=0)
    return float(yes.mean(axis=1).var() / (np.sum(p * (1 - p)) / len(qids) ** 2))


def test_answers_correlate_within_cases(loaded: pd.DataFrame, bank: QuestionBank) -> None:
    """A latent case quality: cases' sufficient shares vary more than independent answers."""
    assert _excess_case_variance(loaded, bank) > 2
    assert load_published(PUBLISHED_FILE).within_case_correlation == 0.5


def test_within_case_correlation_is_the_parameter_it_says(bank: QuestionBank) -> None:
    """The published file's correlation drives it: near-independent answers at 0.05, strongly
    tied ones at 0.9 (every published figure holds either way)."""
    assert noise_sd(0.5) == 1.0
    weak = _excess_case_variance(reconstruct(bank, correlation=0.05), bank)
    strong = _excess_case_variance(reconstruct(bank, correlation=0.9), bank)
    assert weak < 2 < strong
