"""Synthetic data generation: determinism, the contract, applicability sense, spread, names."""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
import types
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.core import paths
from analysis.method.bank import QuestionBank, load_bank
from analysis.method.catalogue import groups_of, load_areas
from analysis.method.validation import load_cases
from analysis.synthetic.generate import (
    N_CASES_RANGE,
    generate_area,
    generate_areas,
    regenerate,
    score_spread,
)
from analysis.synthetic.names import synthetic_names

DATA = Path(__file__).resolve().parent.parent / "data"
AREA_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
REAL_WORDS = ("durham", "tees", "kent", "london", "york", "essex", "sussex", "surrey", "wales",
              "devon", "cornwall", "cumbria", "lancashire", "manchester", "mersey", "bristol",
              "avon", "thames", "leeds", "birmingham", "norfolk", "suffolk", "dorset",
              "somerset", "cheshire", "hampshire", "harrow", "chester", "oxford", "cambridge",
              "lincoln", "derby", "nottingham", "leicester", "gwent", "dyfed", "powys",
              "gloucester", "wiltshire", "northumbria", "humber", "cleveland", "staffordshire",
              "warwick", "sheffield", "newcastle", "hull", "bath", "wessex", "mercia")
DTV_PRESENT = importlib.util.find_spec("analysis.synthetic.reconstruct") is not None


@pytest.fixture(scope="module")
def bank() -> QuestionBank:
    return load_bank()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    first = tmp_path_factory.mktemp("gen-a")
    second = tmp_path_factory.mktemp("gen-b")
    regenerate(first, n_synthetic=3, seed=11)
    regenerate(second, n_synthetic=3, seed=11)
    return first, second


@pytest.fixture(scope="module")
def many(bank: QuestionBank) -> pd.DataFrame:
    areas = generate_areas(bank, 12, 2014)
    return pd.concat([a.cases for a in areas], ignore_index=True)


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def _load(paths: list[Path], bank: QuestionBank) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
        data = load_cases(paths, bank)
    assert data.warnings == []
    return data.frame


def test_same_seed_same_bytes(written: tuple[Path, Path], tmp_path: Path) -> None:
    first, second = written
    a, b = _files(first), _files(second)
    assert a == b
    assert "areas.csv" in a
    assert {"context/local_authorities.csv", "context/caseload.csv", "context/survey.csv"} <= set(a)
    for name, data in a.items():
        assert b"\r" not in data, name
    regenerate(tmp_path, n_synthetic=3, seed=12)
    assert _files(tmp_path)["areas.csv"] != a["areas.csv"]


def test_generated_files_validate(written: tuple[Path, Path], bank: QuestionBank) -> None:
    root = written[0]
    areas = load_areas(root)
    synthetic = [a for a in areas if a.label == "synthetic"]
    assert len(synthetic) == 3
    if (root / "cases" / "durham-tees-valley.csv").exists():
        assert areas[0].id == "durham-tees-valley" and areas[0].label == "reconstructed"
    frame = _load([a.cases for a in areas], bank)
    assert set(frame["area_id"]) == {a.id for a in areas}
    for a in synthetic:
        n = int((frame["area_id"] == a.id).sum())
        assert N_CASES_RANGE[0] <= n <= N_CASES_RANGE[1]
        ids = frame.loc[frame["area_id"] == a.id, "case_id"]
        assert ids.str.fullmatch(r"SYN-[A-Z]{2,4}-\d{4}").all()


def test_context_tables(written: tuple[Path, Path]) -> None:
    ctx = written[0] / "context"
    la = pd.read_csv(ctx / "local_authorities.csv")
    assert list(la.columns) == ["area_id", "name", "unemployment_percent", "population",
                                "bme_percent", "source"]
    ew = la[la["area_id"] == "england-and-wales"].iloc[0]
    assert (ew["name"], ew["unemployment_percent"], ew["population"]) == (
        "England & Wales", 8.0, 56075900)
    dtv = la[la["area_id"] == "durham-tees-valley"]
    assert set(dtv["name"]) == {"County Durham", "Darlington", "Hartlepool", "Middlesbrough",
                                "Redcar & Cleveland"}
    counts = la[la["source"] == "synthetic"].groupby("area_id").size()
    assert len(counts) == 3 and counts.between(2, 5).all()
    caseload = pd.read_csv(ctx / "caseload.csv")
    nat = caseload[caseload["area_id"] == "national"].iloc[0]
    assert pd.isna(nat["total"]) and nat["white_percent"] == 76.4
    assert int(caseload.loc[caseload["area_id"] == "durham-tees-valley", "total"].iloc[0]) == 6102
    survey = pd.read_csv(ctx / "survey.csv")
    d = survey[survey["area_id"] == "durham-tees-valley"].iloc[0]
    assert (d["year"], d["responses"], d["involved_percent"]) == (2012, 663, 87)
    assert d["source"] == "published (NOMS offender survey 2012)"


def test_generate_area_is_deterministic(bank: QuestionBank) -> None:
    a = generate_area(bank, "test-area", 60, 1.0, np.random.default_rng(5))
    b = generate_area(bank, "test-area", 60, 1.0, np.random.default_rng(5))
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 60 and a["case_id"].is_unique
    assert a.map(lambda v: isinstance(v, str)).all().all()


def _answered(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column] != ""


def test_applicability_sense(many: pd.DataFrame, bank: QuestionBank) -> None:
    victim = many["statutory_victim"] == "yes"
    for q in ("victim_offer_made", "victim_offer_8_weeks", "victim_took_up",
              "victim_contact_quality", "victim_info_om_vcw", "victim_info_om_prison",
              "victim_licence_views"):
        assert not (_answered(many, q) & ~victim).any(), q
    assert (_answered(many, "victim_offer_made") == victim).all()
    mappa = many["mappa_eligible"] == "yes"
    for q in ("mappa_level_correct", "mappa_referral_effective"):
        assert (_answered(many, q) == mappa).all(), q
    licence = many["case_type"] == "licence"
    for q in ("approved_premises", "ap_constructive", "ap_risk_managed", "victim_licence_views"):
        assert not (_answered(many, q) & ~licence).any(), q
    assert (_answered(many, "approved_premises") == licence).all()
    for q in ("report_type", "psr_proposal", "psr_overall_quality"):
        assert not (_answered(many, q) & licence).any(), q
    # statutory victim contact is mostly a licence matter
    assert victim[licence].mean() > 3 * victim[~licence].mean()
    # judged questions: mostly answered, sometimes judged not required
    blank = (~_answered(many, "sp_review")).mean()
    assert 0.05 < blank < 0.3
    # gated questions follow their gate
    for f in bank.factors:
        ident = many[f"factor_{f.id}_identified"] == "yes"
        assert (_answered(many, f"factor_{f.id}_progress") == ident).all()


def test_case_mix(many: pd.DataFrame) -> None:
    share = many["case_type"].value_counts(normalize=True)
    assert 0.3 < share["community_order"] < 0.5
    assert 0.25 < share["licence"] < 0.45
    assert 0.8 < (many["sex"] == "male").mean() < 0.95
    rosh = many["rosh_start"].value_counts(normalize=True)
    assert rosh["medium"] > rosh["low"] > rosh["high"] > rosh["very_high"]
    higher = pd.Categorical(many["rosh_inspector"], ["low", "medium", "high", "very_high"],
                            ordered=True).codes
    start = pd.Categorical(many["rosh_start"], ["low", "medium", "high", "very_high"],
                           ordered=True).codes
    assert (higher > start).sum() > (higher < start).sum() > 0
    assert (higher == start).mean() > 0.75
    assert 0.08 < (many["mappa_eligible"] == "yes").mean() < 0.25
    thinking = (many["factor_thinking_behaviour_identified"] == "yes").mean()
    financial = (many["factor_financial_management_identified"] == "yes").mean()
    assert thinking > 0.65 and financial < 0.35


def test_outcome_scores_spread(bank: QuestionBank) -> None:
    areas = generate_areas(bank, 12, 2014)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
        scores = score_spread(areas, bank, resamples=20)
    assert scores[2].max() - scores[2].min() > 0.20
    assert scores.min().min() > 0.35 and scores.max().max() < 0.99


def test_names_fictional_and_ids_safe() -> None:
    names = synthetic_names(200, np.random.default_rng(1))
    assert len(set(names)) == 200
    ids = [re.sub(r"[^a-z0-9]+", "-", n.lower()).strip("-") for n in names]
    assert len(set(ids)) == 200
    for name in names:
        low = name.lower()
        assert "synthetic" not in low
        for word in REAL_WORDS:
            assert word not in low, (name, word)
    assert synthetic_names(5, np.random.default_rng(3)) == synthetic_names(
        5, np.random.default_rng(3))


def test_local_authority_names_never_run_out() -> None:
    """Every plain name taken (about 500 areas' worth): new names still come, distinct and
    fictional, instead of a loop that never ends (``generate --areas 1000`` hung here)."""
    from analysis.synthetic.demographics import _LA_SUFFIX, _la_names
    from analysis.synthetic.names import HEADS, TAILS

    taken = {h + t + s for h in HEADS for t in TAILS for s in _LA_SUFFIX}
    before = set(taken)
    drawn = [_la_names(np.random.default_rng(seed), 5, taken) for seed in range(40)]
    names = [n for batch in drawn for n in batch]
    assert len(names) == len(set(names)) == 200
    assert not before & set(names)
    assert all(n in taken for n in names)
    for name in names:
        for word in REAL_WORDS:
            assert word not in name.lower(), (name, word)


def test_area_ids_safe(bank: QuestionBank) -> None:
    for area in generate_areas(bank, 40, 99):
        assert AREA_ID.fullmatch(area.id), area.id
        assert area.id != "durham-tees-valley"


def test_bundled_data_validates(bank: QuestionBank) -> None:
    areas = load_areas(DATA)
    synthetic = [a for a in areas if a.label == "synthetic"]
    assert len(synthetic) == 11
    frame = _load([a.cases for a in areas], bank)
    assert set(frame["area_id"]) == {a.id for a in areas}


@pytest.mark.skipif(not DTV_PRESENT, reason="analysis.synthetic.reconstruct is not written yet")
def test_bundled_areas_have_the_programme_shape() -> None:
    """Two blocks of six, as the inspectorate published them: violent offending first, then
    protecting children with Durham Tees Valley (reconstructed) fifth; the rest synthetic."""
    areas = load_areas(DATA)
    assert len(areas) == 12
    first, second = groups_of(areas)
    assert (first.id, first.label) == ("violent-offending", "Violent offending block")
    assert (second.id, second.label) == ("protecting-children", "Protecting children block")
    assert len(first.areas) == len(second.areas) == 6
    assert second.areas[4] == "durham-tees-valley"
    dtv = next(a for a in areas if a.id == "durham-tees-valley")
    assert (dtv.name, dtv.label) == ("Durham Tees Valley", "reconstructed")
    assert {a.label for a in areas if a.id != dtv.id} == {"synthetic"}


def test_regenerate_keeps_the_order_and_groups_of_areas_csv(tmp_path: Path) -> None:
    regenerate(tmp_path, n_synthetic=3, seed=12)
    listed = (tmp_path / "areas.csv").read_text(encoding="utf-8").splitlines()
    header, rows = listed[0], listed[1:]
    ids = [r.split(",")[0] for r in rows]
    grouped = [header + ",group,group_label"] + [
        f"{r},{'b' if i else 'a'},{'B' if i else 'A'}" for i, r in enumerate(reversed(rows))]
    (tmp_path / "areas.csv").write_text("\n".join([*grouped, ""]), encoding="utf-8")
    regenerate(tmp_path, n_synthetic=3, seed=12)
    areas = load_areas(tmp_path)
    assert [a.id for a in areas] == ids[::-1]
    assert [g.areas for g in groups_of(areas)] == [(ids[-1],), tuple(ids[-2::-1])]


def test_regenerate_writes_dtv_first_when_reconstruct_exists(
    tmp_path: Path, bank: QuestionBank, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = types.ModuleType("analysis.synthetic.reconstruct")

    def reconstruct(bank: QuestionBank, seed: int) -> pd.DataFrame:
        frame = generate_area(bank, "durham-tees-valley", 55, 1.5,
                              np.random.default_rng(seed), case_prefix="DTV")
        return frame.where(frame != "", None)

    fake.reconstruct = reconstruct  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "analysis.synthetic.reconstruct", fake)
    written = regenerate(tmp_path, n_synthetic=2, seed=3)
    assert tmp_path / "cases" / "durham-tees-valley.csv" in written
    areas = load_areas(tmp_path)
    assert [a.label for a in areas] == ["reconstructed", "synthetic", "synthetic"]
    assert (areas[0].id, areas[0].name) == ("durham-tees-valley", "Durham Tees Valley")
    frame = _load([a.cases for a in areas], bank)
    assert int((frame["area_id"] == "durham-tees-valley").sum()) == 55


@settings(max_examples=4, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(1, 14), st.sampled_from(["none", "blocks", "blocks and regions", "stale"]))
def test_generated_data_always_builds(tmp_path_factory: pytest.TempPathFactory, areas: int,
                                      grouping: str) -> None:
    """Whatever areas.csv the folder held (no groupings, the bundled blocks, two groupings,
    groups of areas no longer generated) and however many areas are generated, the data it
    writes is read back without a problem and every area has a group of each grouping."""
    folder = tmp_path_factory.mktemp("gen")
    shutil.copytree(paths.data_dir(), folder, dirs_exist_ok=True)
    listed = folder / "areas.csv"
    frame = pd.read_csv(listed, dtype=str, keep_default_na=False)
    if grouping == "none":
        frame = frame.drop(columns=["group", "group_label"])
    elif grouping == "blocks and regions":
        frame = frame.assign(region=["north", "south"] * (len(frame) // 2) + ["north"] * (
            len(frame) % 2), region_label=lambda f: f["region"].str.title())
    elif grouping == "stale":
        frame = frame.assign(area_id=[f"gone-{i}" for i in range(len(frame))])
    listed.write_text(frame.to_csv(index=False), encoding="utf-8")
    regenerate(folder, n_synthetic=areas, seed=areas)
    read = load_areas(folder)
    assert len(read) == areas + 1  # the generated areas and Durham Tees Valley
    columns = pd.read_csv(listed, dtype=str, keep_default_na=False).columns
    kept = [c for c in ("group", "region") if c in columns]
    assert all(len(a.groups) == len(kept) for a in read)
    if grouping in ("blocks", "blocks and regions"):
        assert "group" in kept and len(groups_of(read)) >= 2
