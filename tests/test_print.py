"""The report page for print and reading: contents at chapter level with a slot for each
chapter's page number, the data label and page numbers on every printed page (CSS margin boxes,
which headless Chromium prints), a new printed page per chapter only, and tables that scroll in
a box of their own on a narrow screen."""

from __future__ import annotations

import re

from analysis.pipeline.jobs import Page, Provenance
from analysis.pipeline.pdf import numbered, slots
from analysis.pipeline.stitch import body_html, css, report_page


def page(label: str) -> str:
    body = ('<h2 id="summary">Summary</h2><h3 id="summary-compare">Compares</h3>'
            '<h2 id="outcome-1">Outcome 1</h2><h3 id="outcome-1-score">Score</h3>')
    provenance = Provenance("data", "package", {}, {}, {})
    return report_page([body], Page("Title", "Subtitle", label, provenance), "../index.html")


def test_contents_list_chapters_only() -> None:
    nav = re.search(r'<nav class="toc".*?</nav>', page("Synthetic"), re.S)
    assert nav is not None
    links = re.findall(r'href="#([^"]+)"', nav.group(0))
    assert links == ["summary", "outcome-1"]


def test_every_printed_page_carries_the_label_and_its_number() -> None:
    html = page('Synthetic "demo" data </style><script>')
    rule = re.search(r"<style>@page \{ @bottom-left \{ content: \"Data: \" (.*?); \} \}</style>",
                     html)
    assert rule is not None, "the data label is a margin box of every page"
    assert "</style><script>" not in rule.group(1) and '\\"demo\\"' in rule.group(1)
    assert 'counter(page) " of " counter(pages)' in html


def test_contents_entries_have_an_empty_page_number_slot_the_pdf_fills() -> None:
    html = page("Synthetic")
    assert slots(html) == ["summary", "outcome-1"]
    filled = numbered(html, {"summary": 2, "outcome-1": 11})
    assert re.findall(r'data-page-of="([^"]+)">(\d*)</span>', filled) == [("summary", "2"),
                                                                          ("outcome-1", "11")]
    assert slots(filled) == slots(html), "a numbered copy can be numbered again"
    assert numbered(html, {}) == html


def test_each_chapter_is_a_block_print_starts_on_a_new_page() -> None:
    chapters = ['<h2 id="a">A</h2><h3 id="a1">A1</h3>', "  ", '<h2 id="b">B</h2>']
    body = body_html(chapters)
    assert body.count('<div class="chapter">') == 2, "an empty chapter makes no page"
    assert "main > .chapter + .chapter { break-before: page" in css()
    assert not re.search(r"h[2-4][^{}]*\{[^}]*break-before:\s*page", css()), \
        "no break forced before a section heading"


def test_tables_scroll_in_a_labelled_box_of_their_own() -> None:
    body = body_html(['<p>x</p><table class="data"><caption>Scores &amp; <b>"intervals"</b>'
                      "</caption><tr><td>1</td></tr></table>"
                      '<table class="data"><tr><td>2</td></tr></table>'])
    boxes = re.findall(r'<div class="table-wrap" role="region" aria-label="([^"]*)" '
                       r'tabindex="0"><table class="data">.*?</table></div>', body)
    assert boxes == ["Scores &amp; &quot;intervals&quot;", "Table"]
    assert ".table-wrap { overflow-x: auto;" in css()
