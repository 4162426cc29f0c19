"""Every figure a report prints is a number of the report model, and the report shows exactly
those: nothing computed from the data reaches the page as a plain string.

Every exhibit of the area and aggregate chapters is made from the session's two-area build and
rendered twice: as the report renders it, and with every number of the model printed as a
mark. What is left of the page's words once the numbers are marks may hold digits only where
the wording files or the data's own labels write them (an outcome's number in its title, a
criterion's id, "95%"); a count or share formatted outside the model would show there. The
built reports' ``figures.json`` (what the build gathered from the notebooks) lists the same
numbers, in the order the report prints them.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from bs4 import BeautifulSoup

from analysis.chapters import (
    aggregate,
    annex,
    appendices,
    comparison,
    group_comparison,
    outcomes,
    summary,
)
from analysis.chapters.commentary import foreword, outcome_commentary
from analysis.chapters.context import AggregateContext, AreaContext
from analysis.chapters.glossary import glossary
from analysis.chapters.reconstruction import about_reconstruction
from analysis.core import paths
from analysis.report import format as fmt
from analysis.report.exhibit import Exhibit
from analysis.report.html import render
from analysis.report.model import Markup, Paragraph, Section, Text, block_numbers

from .conftest import BUILT_AREAS, Built

TOKEN = re.compile(r"\[c\]|\d+(?:,\d{3})*(?:\.\d+)?%?")
MARK = "\u2063#\u2063"  # an invisible separator either side: a mark never joins a digit
SOURCES = [*(paths.PACKAGE_ROOT / "chapters" / "wording").glob("*"),
           paths.data_dir() / "question_bank.yaml", paths.data_dir() / "glossary.yaml",
           paths.data_dir() / "areas.csv", *(paths.data_dir() / "context").glob("*.csv"),
           *(paths.data_dir() / "published").glob("*.yaml")]


def _allowed() -> set[str]:
    """Digits the words of a report may hold: those its wording files and data labels write."""
    return {t for p in SOURCES for t in TOKEN.findall(p.read_text(encoding="utf-8"))}


def visible(html: str) -> str:
    """A fragment's text as a reader sees it (image alternative text is not on the page)."""
    return BeautifulSoup(html, "html.parser").get_text(" ")


def _without_commentary(exhibit: Exhibit) -> Exhibit:
    """People's own words (the commentary) are theirs, not computed: checked elsewhere."""
    return Exhibit(tuple(b for b in exhibit.blocks if not isinstance(b, Section | Markup)),
                   exhibit.data)


def stray_digits(exhibit: Exhibit, allowed: set[str], monkeypatch: pytest.MonkeyPatch
                 ) -> list[str]:
    """Digits on the page that no number of the model printed and no wording wrote."""
    with monkeypatch.context() as m:
        m.setattr(fmt, "number_text", lambda n: MARK)
        masked = visible(render(exhibit.blocks))
    return [t for t in TOKEN.findall(masked) if t not in allowed]


def area_exhibits(ctx: AreaContext) -> Iterator[tuple[str, Exhibit]]:
    yield "foreword", foreword(ctx)
    yield "at a glance", summary.at_a_glance(ctx)
    yield "recommendations", summary.recommendations(ctx)
    yield "summary", summary.summary(ctx)
    blocks: dict[str, Callable[[AreaContext, int], Exhibit]] = {
        "title": outcomes.chapter_title, "headline": outcomes.headline,
        "commentary": outcome_commentary, "expect": outcomes.expectations,
        "strengths": outcomes.strengths_and_improvements, "findings": outcomes.findings,
        "data summary": outcomes.data_summary}
    for o in range(1, 6):
        for name, block in blocks.items():
            yield f"{name} {o}", block(ctx, o)
    yield "report types", outcomes.distribution(ctx, "report_type", "Report types", "rt")
    yield "start", outcomes.questions_chart(ctx, ["initial_appointment_timely",
                                                  "induction_personalised"], "Start", "st")
    yield "rosh", outcomes.rosh_agreement(ctx)
    yield "factors", outcomes.factor_table(ctx)
    yield "victims", outcomes.victim_path(ctx)
    yield "comparison", comparison.comparison(ctx)
    yield "annex: comparison", comparison.key_questions(ctx)  # the technical annex's
    yield "annex: every question", annex.every_question(ctx)
    yield "annex: method", appendices.method_detail(ctx)
    for name in ("area_context", "case_sample", "survey", "method"):
        yield name, getattr(appendices, name)(ctx)
    yield "reconstruction", about_reconstruction(ctx)
    yield "glossary", glossary()


def aggregate_exhibits(ctx: AggregateContext) -> Iterator[tuple[str, Exhibit]]:
    for name in ("overview", "area_table", "introduction", "outcome_summary",
                 "outcome_intervals", "funnels", "question_heatmap", "pooled_question_table",
                 "pooled_factors",
                 "published_vs_recomputed", "methods_appendix"):
        yield name, getattr(aggregate, name)(ctx)
    yield "groups", group_comparison.group_comparison(ctx)
    yield "scope", group_comparison.scope_note(ctx)


@pytest.fixture(scope="module")
def out(two_areas: Built) -> Path:
    return two_areas.out


def _check(named: Iterator[tuple[str, Exhibit]], monkeypatch: pytest.MonkeyPatch) -> int:
    allowed, found, checked = _allowed(), {}, 0
    for name, exhibit in named:
        for fig in exhibit.figures:
            plt.close(fig)
        exhibit = _without_commentary(exhibit)
        if stray := stray_digits(exhibit, allowed, monkeypatch):
            found[name] = stray
        page = Counter(TOKEN.findall(visible(exhibit.html)))
        printed = Counter(t for n in exhibit.printed() if not n.chart
                          for t in TOKEN.findall(n.text))
        assert printed <= page, name  # every number of the model in words is on the page
        checked += sum(1 for _ in exhibit.numbers())
    assert found == {}
    return checked


@pytest.mark.slow
@pytest.mark.parametrize("policy", ["open", "publish:5"])
def test_every_digit_on_an_area_page_is_a_number_of_the_model(
        out: Path, policy: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for area in BUILT_AREAS:
        ctx = AreaContext.load(area, output_dir=str(out), policy=policy)
        assert _check(area_exhibits(ctx), monkeypatch) > 500


@pytest.mark.slow
def test_every_digit_on_the_aggregate_pages_is_a_number_of_the_model(
        out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for group in ["", "violent-offending"]:
        ctx = AggregateContext.load(output_dir=str(out), group=group)
        assert _check(aggregate_exhibits(ctx), monkeypatch) > 300


def test_a_count_printed_as_a_plain_string_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check itself: a share formatted into words outside the model is a stray digit."""
    planted = Exhibit((Paragraph(Text.of("In 12 of 40 cases (31%), plans were reviewed.")),))
    assert "31%" in stray_digits(planted, _allowed(), monkeypatch)


@pytest.mark.slow
def test_the_built_reports_list_the_numbers_they_print_in_order(out: Path) -> None:
    """``figures.json`` beside each report holds its chapters' numbers; each is on the page,
    in the order the page prints them (charts' numbers are in their pictures)."""
    reports = [out / area / "report.html" for area in BUILT_AREAS] + [
        out / "aggregate" / "report.html"]
    for report in reports:
        figures = json.loads((report.parent / "figures.json").read_text(encoding="utf-8"))
        soup = BeautifulSoup(report.read_text(encoding="utf-8"), "html.parser")
        for drop in soup.select("nav, footer"):
            drop.decompose()
        page = soup.get_text(" ")
        at, count = 0, 0
        for chapter in figures["chapters"]:
            for exhibit in chapter["exhibits"]:
                shown = [n for n in exhibit["numbers"] if not _in_chart(n)]
                for n in shown:
                    found = page.find(n["text"], at)
                    assert found >= 0, (report.parent.name, exhibit["exhibit"], n["text"])
                    at, count = found + len(n["text"]), count + 1
        assert count > 200, report
        hidden = [n for c in figures["chapters"] for e in c["exhibits"] for n in e["numbers"]
                  if not n["shown"]]
        assert all(n["value"] is None and n["text"] == "[c]" for n in hidden)


def _in_chart(n: dict[str, object]) -> bool:
    return bool(n.get("chart"))


def test_numbers_of_a_chart_are_known_as_such() -> None:
    """A chart's numbers are recorded apart from its caption's, so that the order of the
    page's words can be checked (a chart draws its numbers in its picture)."""
    from analysis.report.model import Chart, Kind, Number, Printed, share_of

    drawn = Number(0.5, Kind.SHARE, share_of("a:k", "a:n"))
    caption = Number(40, Kind.COUNT, share_of("a:k", "a:n").whole)
    chart = Chart(b"", "", Text.of("Of ", caption, " cases"), (drawn,))
    assert list(block_numbers(chart)) == [caption, drawn]
    ex = Exhibit((chart,))
    records = [p.as_json() for p in ex.printed()]
    assert [r["chart"] for r in records] == [False, True]
    assert Printed.of("x", drawn).exhibit == "x"


def test_a_documents_numbers_are_its_chapters_files_put_together_as_json_dumps_would(
        tmp_path: Path) -> None:
    """figures.json is made from the chapters' files without parsing them: the bytes of
    dumping every chapter's parsed records (a chapter without a file has none)."""
    from analysis.pipeline import printed

    records = [[{"exhibit": "Éa", "numbers": [{"text": "3", "value": 3.0, "lineage": None}]}],
               [], [{"exhibit": "b", "numbers": []}, {"exhibit": "c", "numbers": []}]]
    notebooks = [tmp_path / f"0{i}_chapter.ipynb" for i in range(4)]
    for nb, chapter in zip(notebooks, records, strict=False):
        printed.write_chapter(nb, chapter)
    target = printed.write_report(tmp_path / "report.html", notebooks)
    expected = {"chapters": [{"chapter": nb.stem, "exhibits": printed.read_chapter(nb)}
                             for nb in notebooks]}
    assert target.read_text(encoding="utf-8") == json.dumps(expected, ensure_ascii=False) + "\n"
