"""The report page for print and reading: contents at chapter level, the data label and page
numbers on every printed page (CSS margin boxes, which headless Chromium prints)."""

from __future__ import annotations

import re

from analysis.build.jobs import Page, Provenance
from analysis.build.stitch import report_page


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
