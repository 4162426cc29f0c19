"""The reading each report names, the method note's intervals, and the reconstruction appendix."""

from __future__ import annotations

import html
import re
from dataclasses import replace

import pandas as pd
import pytest

from analysis.chapters.appendices import method, method_detail
from analysis.chapters.context import AreaContext
from analysis.chapters.outcomes import headline
from analysis.chapters.reconstruction import (
    about_reconstruction,
    plain_words,
    sensitivity_markdown,
)
from analysis.core import paths
from analysis.method.bank import QuestionBank, load_bank
from analysis.method.catalogue import load_areas
from analysis.method.disclosure import Policy, area_disclosure
from analysis.method.published import headline_scores, published_for
from analysis.method.scoring import score_area, sensitivity_table
from analysis.method.validation import load_cases

DATA = paths.REPO_ROOT / "data"
DTV = "durham-tees-valley"


def context(area_id: str, bank: QuestionBank, tmp: object) -> AreaContext:
    area = {a.id: a for a in load_areas(DATA)}[area_id]
    cases = load_cases([area.cases], bank).area(area_id)
    tables = score_area(cases, bank, area_id, resamples=200).as_dict()
    tables["sensitivity"] = sensitivity_table(cases, bank, area_id,
                                              headline_scores(DATA, area_id))
    disclosure = area_disclosure(tables, bank.sufficient_levels, Policy(False, 5))
    return AreaContext(area, bank, tables, DATA, paths.REPO_ROOT / "outputs", disclosure)


@pytest.fixture(scope="module")
def dtv() -> AreaContext:
    return context(DTV, load_bank(), None)


def text(markup: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)))


@pytest.mark.parametrize("reading,label", [("questions", "mean over questions"),
                                           ("pooled", "pooled over cases")])
def test_every_headline_names_its_reading(reading: str, label: str) -> None:
    ctx = context("braxbrook", load_bank().with_reading(reading), None)
    assert f"How the score is worked out ({label}): it is" in text(headline(ctx, 2).html)
    assert f"reads the method as '{label}'" in text(method(ctx).html)


def test_method_detail_shows_independent_intervals(dtv: AreaContext) -> None:
    """The annex's method detail sets the intervals beside those independent answers give."""
    note = text(method_detail(dtv).html)
    assert "95% interval, independent answers" in note
    o = dtv.tables["outcome_scores"]
    assert ((o["upper"] - o["lower"]) > (o["upper_independent"] - o["lower_independent"])).all()


def test_appendix_only_for_an_area_with_a_published_report(dtv: AreaContext) -> None:
    assert about_reconstruction(context("braxbrook", load_bank(), None)).html == ""
    exhibit = about_reconstruction(dtv)
    assert len(exhibit.data) == 75  # 5 classifications x 3 readings x 5 outcomes
    appendix = text(exhibit.html)
    pub = published_for(DATA, DTV)
    assert pub is not None
    assert "a correlation of 0.50" in appendix
    assert "mean over questions (this report)" in appendix
    for a in pub.assumptions:
        assert a.place in appendix
    assert "51 taken as a misprint for 61" in appendix  # the reading of "33 out of 51"
    assert "Kent" in appendix and "78 cases" in appendix
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", appendix), "an internal name is shown"
    assert "DTV-R-" not in appendix


def test_a_publication_build_quotes_none_of_the_reports_counts(dtv: AreaContext) -> None:
    """The report's own sentences carry counts of people the publication rules cannot see."""
    published = replace(dtv, disclosure=area_disclosure(dtv.tables, dtv.bank.sufficient_levels,
                                                        Policy(True, 5)))
    full, public = text(about_reconstruction(dtv).html), text(about_reconstruction(published).html)
    assert re.search(r"\b\d+ of \d+\b", full)
    assert not re.search(r"\b\d+ of \d+\b", public)
    assert "a publication build leaves them out" in public
    assert "Headline scores, published and recomputed" in public


def test_plain_words_for_internal_names(dtv: AreaContext) -> None:
    pub = published_for(DATA, DTV)
    assert pub is not None
    said = plain_words("cp_attention over 25 (not_recorded; as o1_made_sso)", dtv.bank, pub)
    assert said == ("'attention to protecting children' over 25 (not recorded; as the figure "
                    "at Outcome 1, 1.3)")


def test_readme_shows_the_generated_sensitivity_table(dtv: AreaContext) -> None:
    readme = (paths.REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- sensitivity:start -->\n(.*?)<!-- sensitivity:end -->", readme,
                      re.S)
    assert block, "README has no sensitivity block"
    expected = sensitivity_markdown(dtv.tables["sensitivity"], "questions")
    assert block.group(1) == expected, (
        "README sensitivity table is stale: run python -m analysis sensitivity --readme")
    assert isinstance(dtv.tables["sensitivity"], pd.DataFrame)
