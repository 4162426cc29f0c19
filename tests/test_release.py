"""Publication: chapters formatted by the disclosure policy leave the scanner nothing to find,
for the bundled area and for random small areas; a leak planted in a chapter is found."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.chapters import appendices, outcomes
from analysis.chapters.context import AreaContext
from analysis.core import paths
from analysis.method.bank import QuestionBank, load_bank
from analysis.method.catalogue import load_areas
from analysis.method.disclosure import Policy
from analysis.method.scoring import score_area, sensitivity_table
from analysis.method.tables import write_tables
from analysis.method.validation import load_cases
from analysis.pipeline.outputs import RELEASED_TABLES, SAFE, SUPPRESSED
from analysis.pipeline.release import (
    ALLOW_LIST,
    FINDINGS,
    RELEASE,
    allowed_files,
    off_the_list,
    release,
    suppressed_tables,
    undeclared_columns,
)
from analysis.pipeline.scanner import Finding, labels_of, scan

from .conftest import TINY, Built

AREA = "durham-tees-valley"
DISTRIBUTIONS = ("case_type", "rosh_start", "ethnicity", "offence_group", "sex", "rmp",
                 "sp_review", "progress", "report_type")


@pytest.fixture(scope="module")
def bank() -> QuestionBank:
    return load_bank()


@pytest.fixture(scope="module")
def cases(bank: QuestionBank) -> pd.DataFrame:
    area = next(a for a in load_areas(paths.data_dir()) if a.id == AREA)
    return load_cases([area.cases], bank).area(AREA)


def chapters(ctx: AreaContext, chapter: ModuleType = outcomes) -> str:
    """Every exhibit that prints counts of people, as the notebooks call them."""
    parts = []
    for o in range(1, 6):
        parts += [chapter.headline(ctx, o), chapter.strengths_and_improvements(ctx, o),
                  chapter.findings(ctx, o)]
    parts += [chapter.distribution(ctx, v, v.replace("_", " ").title(), v)
              for v in DISTRIBUTIONS]
    parts += [chapter.questions_chart(ctx, ["initial_appointment_timely",
                                            "induction_personalised"], "Start", "start"),
              chapter.rosh_agreement(ctx), chapter.factor_table(ctx), chapter.victim_path(ctx),
              appendices.case_sample(ctx)]
    return "<html><body>" + "".join(p.html for p in parts) + "</body></html>"


def publish_and_scan(tmp: Path, bank: QuestionBank, frame: pd.DataFrame,
                     chapter: ModuleType = outcomes) -> list[Finding]:
    tables = score_area(frame, bank, AREA, resamples=20).as_dict()
    tables["sensitivity"] = sensitivity_table(frame, bank, AREA, {})
    write_tables(tables, paths.area_tables(tmp, AREA))
    ctx = AreaContext.load(AREA, str(paths.data_dir()), str(tmp), policy="publish:5")
    report = tmp / "release" / AREA / "report.html"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(chapters(ctx, chapter), encoding="utf-8")
    return scan(tmp / "release", tmp, labels_of(bank), {AREA: ctx.area.name}, 5)


def planted(source: str, old: str, new: str, tmp: Path) -> ModuleType:
    """A copy of the outcome chapters with one formatting call replaced."""
    assert old in source
    path = tmp / "planted_outcomes.py"
    path.write_text(source.replace(old, new), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("analysis.chapters.planted_outcomes", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_bundled_area_is_scanner_clean(tmp_path: Path, bank: QuestionBank,
                                       cases: pd.DataFrame) -> None:
    assert publish_and_scan(tmp_path, bank, cases) == []


@pytest.mark.slow
@pytest.mark.parametrize(("old", "new", "rule"), [
    # the victim path printing its raw count: "Offer made within 8 weeks | 6 | 7"
    ("ctx.count(level_key(s.variable, YES))",
     "str(ctx.disclosure.values[level_key(s.variable, YES)])", "complement"),
    # restorative justice's denominator printed as it is: "proceeded in [c] of 3"
    ('numbers.k_of_n(shown, level_key("rj_proceeded", YES), n_key("rj_proceeded"), "")',
     'f"{ctx.count(level_key(\'rj_proceeded\', YES)).text} of "'
     'f"{ctx.disclosure.values[n_key(\'rj_proceeded\')]}"', "k of n"),
])
def test_planted_leak_is_found(tmp_path: Path, bank: QuestionBank, cases: pd.DataFrame,
                               old: str, new: str, rule: str) -> None:
    source = Path(outcomes.__file__).read_text(encoding="utf-8")
    leaky = planted(source, old, new, tmp_path)
    found = publish_and_scan(tmp_path, bank, cases, leaky)
    assert rule in {f.rule for f in found}, found
    assert all(f.file == f"{AREA}/report.html" and f.place for f in found)


@pytest.mark.slow
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(st.data())
def test_small_random_areas_are_scanner_clean(tmp_path_factory: pytest.TempPathFactory,
                                              bank: QuestionBank, cases: pd.DataFrame,
                                              data: st.DataObject) -> None:
    """Areas of 1 to 14 random cases: groups of one to four, zero cells and complements of
    one everywhere."""
    rows = data.draw(st.lists(st.integers(0, len(cases) - 1), min_size=1, max_size=14,
                              unique=True))
    frame = cases.iloc[sorted(rows)].reset_index(drop=True)
    tmp = tmp_path_factory.mktemp("small")
    assert publish_and_scan(tmp, bank, frame) == []


# a real publication build -----------------------------------------------------------------
@pytest.fixture(scope="module")
def built(published: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's publication build (a test here plants a leak and releases
    again): Durham Tees Valley, an area of seven of its cases, and one more area."""
    assert f"release (safe to hand out): {published.out / RELEASE}" in published.log
    root = tmp_path_factory.mktemp("publish")
    shutil.copytree(published.data, root / "data")
    return published.copy(root)


@pytest.mark.slow
def test_release_holds_reports_and_suppressed_tables_only(built: Path) -> None:
    release = built / RELEASE
    names = sorted(str(p.relative_to(release)) for p in release.rglob("*") if p.is_file())
    areas = sorted({n.split("/")[0] for n in names} - {"index.html", "aggregate"})
    assert set(names) <= allowed_files(areas)
    assert "index.html" in names and "aggregate/report.html" in names
    for area in (AREA, TINY):
        assert f"{area}/report.html" in names
        assert {n for n in names if n.startswith(f"{area}/tables/")} == {
            f"{area}/tables/{t}.csv" for t in ("question_scores", "distributions", "crosstab",
                                               "factors")}
    # resampled counts and scores averaged over hidden shares are never released
    for working in ("bootstrap_counts", "criterion_scores", "outcome_scores",
                    "section_scores", "sensitivity"):
        assert not [n for n in names if working in n]
    assert not [n for n in names if n.endswith((".parquet", ".ipynb"))]
    # the technical annexes are working documents: built, never released nor linked
    assert (built / AREA / "annex.html").exists()
    assert not [n for n in names if "annex" in n]
    assert not [p for p in release.rglob("*.html") if "annex.html" in p.read_text("utf-8")]
    tiny = pd.read_csv(release / TINY / "tables" / "question_scores.csv", dtype=str)
    small = {str(v) for v in range(1, 5)}
    assert not (set(tiny["n"]) | set(tiny["k"])) & small
    assert "[c]" in set(tiny["k"])
    html = (release / TINY / "report.html").read_text(encoding="utf-8")
    assert "Publication rules: no number of people from 1 to 4 is shown" in html
    assert "7 cases were inspected" in html and "[c]" in html


@pytest.mark.slow
def test_every_link_in_the_release_resolves_within_it(built: Path) -> None:
    from tests.test_pages import broken_links

    release = built / RELEASE
    pages = sorted(release.rglob("*.html"))
    assert {release / "index.html", release / "aggregate" / "report.html"} < set(pages)
    assert {p: broken_links(p) for p in pages} == {p: [] for p in pages}
    assert 'href="tables/question_scores.csv"' in (built / RELEASE / TINY / "report.html"
                                                   ).read_text(encoding="utf-8")


def _release_with(built: Path, planted: Path, text: str) -> list[Finding]:
    """Release the build with ``planted`` holding ``text`` for the while, then put it back."""
    original = planted.read_text(encoding="utf-8")
    planted.write_text(text, encoding="utf-8")
    try:
        areas = [a for a in load_areas(built.parent / "data")
                 if (built / a.id / "report.html").exists()]
        return release(built, areas, Policy(True, 5), load_bank())
    finally:
        planted.write_text(original, encoding="utf-8")


@pytest.mark.slow
def test_a_leak_in_a_report_stops_the_release(built: Path) -> None:
    """A sentence planted in a built report: the release is refused, the finding located."""
    report = built / AREA / "report.html"
    original = report.read_text(encoding="utf-8")
    planted_html = original.replace("</body>", "<p>Restorative justice proceeded in 0 of 3 "
                                    "where offered.</p></body>")
    found = _release_with(built, report, planted_html)
    assert [(f.file, f.rule) for f in found] == [(f"{AREA}/report.html", "k of n")]
    assert not (built / RELEASE).exists()
    assert not list(built.glob(f".{RELEASE}*"))
    assert "0 of 3" in (built / FINDINGS).read_text(encoding="utf-8")


def _allow_listed(n: int = 3) -> dict[str, pd.DataFrame]:
    """Tables with exactly the allow-list's columns (values do not matter here)."""
    return {name: pd.DataFrame({c: ["0"] * n for c in columns})
            for name, columns in RELEASED_TABLES.items()}


def test_every_released_column_is_declared_safe_or_suppressed() -> None:
    assert {t for cols in RELEASED_TABLES.values() for t in cols.values()} == {SAFE, SUPPRESSED}
    assert undeclared_columns(AREA, _allow_listed()) == []
    tables = _allow_listed()
    tables["question_scores"]["score_to_six_places"] = "0.5"
    found = undeclared_columns(AREA, tables)
    assert [(f.file, f.place, f.rule) for f in found] == [
        (f"{AREA}/tables/question_scores.csv", "column 'score_to_six_places'", ALLOW_LIST)]


def test_suppressed_tables_keep_only_declared_columns(bank: QuestionBank) -> None:
    """A column added to a table upstream never reaches the release by default."""
    from analysis.method.disclosure import area_disclosure

    frame = load_cases([next(a for a in load_areas(paths.data_dir()) if a.id == AREA).cases],
                       bank).area(AREA).iloc[:6]
    tables = score_area(frame, bank, AREA, resamples=20).as_dict()
    tables["question_scores"]["planted"] = 1.0
    d = area_disclosure(tables, bank.sufficient_levels, Policy(True, 5))
    out = suppressed_tables(tables, d)
    assert sorted(out) == sorted(RELEASED_TABLES)
    assert {name: list(frame.columns) for name, frame in out.items()} == {
        name: [c for c in tables[name].columns if c in cols]
        for name, cols in RELEASED_TABLES.items()}
    assert "planted" not in out["question_scores"]


def test_a_file_off_the_allow_list_is_found(tmp_path: Path) -> None:
    for name in ("index.html", f"{AREA}/report.html", f"{AREA}/tables/question_scores.csv",
                 f"{AREA}/tables/bootstrap_counts.csv", f"{AREA}/tables/outcome_scores.csv",
                 f"{AREA}/notebooks/01_assisting_sentencing.ipynb", "aggregate/report.pdf",
                 "tables/comparisons.csv", f"{AREA}/annex.html", "aggregate/annex.pdf"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    found = off_the_list(tmp_path, [AREA])
    assert [f.file for f in found] == sorted([
        f"{AREA}/annex.html", f"{AREA}/notebooks/01_assisting_sentencing.ipynb",
        f"{AREA}/tables/bootstrap_counts.csv", f"{AREA}/tables/outcome_scores.csv",
        "aggregate/annex.pdf", "tables/comparisons.csv"])
    assert {f.rule for f in found} == {ALLOW_LIST}


def test_a_raw_count_an_extra_chapter_prints_stops_the_release(built: Path) -> None:
    """A chapter of one's own that prints a hidden count without the policy (a number whose
    lineage is a hidden cell, shown): the lineage check finds it at build level."""
    import json

    from analysis.method.disclosure import area_disclosure
    from analysis.method.tables import read_table

    tables = {n: read_table(paths.area_tables(built, TINY), n)
              for n in (*RELEASED_TABLES, "outcome_scores")}
    d = area_disclosure(tables, load_bank().sufficient_levels, Policy(True, 5))
    key = sorted(k for k in d.hidden if 0 < d.values[k] < 5)[0]
    figures = built / TINY / "figures.json"
    original = figures.read_text(encoding="utf-8")
    planted = json.loads(original)
    planted["chapters"].append({"chapter": "extra-mine", "exhibits": [{
        "exhibit": "My chapter", "numbers": [{
            "exhibit": "My chapter", "text": str(d.values[key]), "kind": "count",
            "value": d.values[key], "digits": 0, "shown": True, "lineage": {"cell": key},
            "chart": False}]}]})
    found = _release_with(built, figures, json.dumps(planted))
    assert (f"{TINY}/report.html (My chapter: {d.values[key]})", "lineage") in \
        [(f.file, f.rule) for f in found]
    assert not (built / RELEASE).exists()


def _headline_shown(out: Path, area: str) -> list[bool]:
    """Whether each outcome chapter of the area's report showed its score (its records)."""
    import json

    chapters = json.loads((out / area / "figures.json").read_text())["chapters"]
    shown = []
    for chapter in chapters[1:6]:  # the five outcome chapters, in report order
        (headline,) = [e for e in chapter["exhibits"] if e["exhibit"] == "Case assessment score"]
        shown.append(next(n["shown"] for n in headline["numbers"] if n["kind"] == "score"))
    return shown


@pytest.mark.slow
def test_the_index_hides_the_scores_its_reports_hide(published: Built) -> None:
    """The released index prints an area's five scores as its report does: a score over a
    hidden count is [c] in both (outcome scores are means of question shares)."""
    from bs4 import BeautifulSoup

    built = published.out

    soup = BeautifulSoup((built / RELEASE / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    rows = {r.th.get_text(strip=True): [td.get_text(strip=True) for td in r.find_all(
        "td", class_="score")] for r in soup.find("table").find_all("tr") if r.th and r.td}
    names = {a.id: a.name for a in load_areas(published.data, check_cases=False)}
    seen = []
    for area in (AREA, TINY):
        shown = _headline_shown(built, area)
        printed = rows[names[area]]
        assert [s != "[c]" for s in printed] == shown, (area, printed, shown)
        seen += shown
    assert False in seen  # the tiny area hides its scores


@pytest.mark.slow
def test_no_words_or_picks_give_a_withheld_figure_away(published: Built) -> None:
    """Classes an intruder used on an earlier release: a criterion's best and worst questions
    said "N points above the criterion's score" while the score was [c] (the gap and the share
    give the score, and the score a withheld share of the criterion); a key strength,
    priority or recommendation picked a question whose share was withheld ("In [c] of the 26
    cases", listed only if its lower limit was at least 80%); "within the usual range" or
    "high"/"low" beside a withheld score."""
    from bs4 import BeautifulSoup

    built = published.out

    for area in (AREA, TINY):
        soup = BeautifulSoup((built / RELEASE / area / "report.html").read_text(
            encoding="utf-8"), "html.parser")
        for p in soup.find_all("p", class_="findings"):
            text = " ".join(p.get_text(" ").split())
            if "(its score: [c])" in text:
                assert "criterion's score" not in text, text
        for ol in soup.find_all("ol", class_=["key-findings", "priorities", "recommendations"]):
            for li in ol.find_all("li"):  # the pick's own "k of n" is shown
                text = " ".join(li.get_text(" ").split())
                assert "[c] of" not in text and "of [c]" not in text, text
        for li in soup.select("ul.verdicts li"):
            text = " ".join(li.get_text(" ").split())
            if ": [c] done well enough" in text:
                assert "usual range" not in text and "unusually" not in text, text
    aggregate = (built / RELEASE / "aggregate" / "report.html").read_text(encoding="utf-8")
    assert "[c] high" not in aggregate and "[c] low" not in aggregate
