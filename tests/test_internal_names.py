"""No internal names in a report's prose: file names, column ids or code words.

The reports of the session's two-area build (both areas, the aggregate and a group's), and
each one's technical annex, are read
as a reader reads them: the words of the report body, its headings, tables, captions and the
charts' alternative text. The contents, the data downloads and the provenance footer name files
on purpose (they are links and a record of the build) and are left out.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from .conftest import BUILT_AREAS, Built

FILE_NAME = re.compile(r"\b[\w-]+\.(?:csv|parquet|ya?ml|md|ipynb|json|j2|py)\b")
IDENTIFIER = re.compile(r"\b[a-z][a-z0-9]+(?:_[a-z0-9]+)+\b")  # ids (not formulas: k_i)
CODE_WORDS = ("seeded", "commentary file", "data/", "tables/", "not rebuilt", "latent",
              "RMS gap", "as the bank classifies", "col level", "->", "Scoring reading:",
              "NaN", "None")


def reader_text(page: str) -> str:
    """The words of the report's main part (and its charts' alternative text)."""
    main = page.split('<main id="main">', 1)[1].split("</main>", 1)[0]
    alts = " ".join(re.findall(r'alt="([^"]*)"', main))
    main = re.sub(r'<img[^>]*>', " ", main)
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main) + " " + alts))


def internal_names(text: str) -> list[str]:
    found = FILE_NAME.findall(text) + IDENTIFIER.findall(text)
    return found + [w for w in CODE_WORDS if w in text]


def test_the_scan_finds_what_it_looks_for() -> None:
    page = ('<main id="main"><p>As data/areas.csv groups them; psr_cs_check_made, a seeded '
            'bootstrap.</p><img alt="written to tables/comparisons.csv"></main>')
    found = internal_names(reader_text(page))
    assert {"areas.csv", "comparisons.csv", "psr_cs_check_made", "seeded", "data/",
            "tables/"} <= set(found)
    assert internal_names(reader_text('<main id="main"><p>In 10 of 18 cases (56%).</p></main>')) \
        == []


@pytest.mark.parametrize("report", [*(f"{a}/{d}.html" for a in BUILT_AREAS
                                      for d in ("report", "annex")),
                                    "aggregate/report.html", "aggregate/annex.html",
                                    "groups/protecting-children/report.html",
                                    "groups/protecting-children/annex.html", "index.html"])
def test_built_reports_carry_no_internal_names(two_areas: Built, report: str) -> None:
    page = (two_areas.out / report).read_text(encoding="utf-8")
    assert internal_names(reader_text(page)) == []


def test_reports_of_this_folder_are_found(two_areas: Built) -> None:
    assert all((two_areas.out / a / "report.html").exists() for a in BUILT_AREAS)
    assert isinstance(two_areas.out, Path)
