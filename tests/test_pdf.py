"""PDF printing without a real browser: progress as each PDF is written, which PDF is current
(printed from its report as it is now), and the contents' page numbers: where chapters land is
read from the PDF's named destinations, and the contents are printed again until the page
numbers they give are the pages the chapters are on (a stand-in for Chromium moves the chapters
as the contents fill in). Real printing is tested in test_browser."""

from __future__ import annotations

import html
import io
import os
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from pypdf import PdfReader, PdfWriter

from analysis.pipeline import pdf as printing
from analysis.pipeline.pdf import (
    PASSES,
    PdfError,
    current_pdf,
    destination_pages,
    print_report,
    print_reports,
    progress_printer,
    retitle_outline,
)

#: A stand-in for Chromium that writes a one-line PDF where it is told to print.
FAKE = """#!/bin/sh
for a in "$@"; do
  case "$a" in --print-to-pdf=*) printf '%%PDF-1.4\\n' > "${a#--print-to-pdf=}";; esac
done
"""


@pytest.fixture
def browser(tmp_path: Path) -> str:
    path = tmp_path / "fake-chromium"
    path.write_text(FAKE)
    path.chmod(0o755)
    return str(path)


def reports(root: Path, *folders: str) -> list[Path]:
    found = []
    for folder in folders:
        report = root / folder / "report.html"
        report.parent.mkdir(parents=True)
        report.write_text("<!DOCTYPE html><title>t</title>")
        found.append(report)
    return found


def test_each_pdf_is_said_as_it_is_written(tmp_path: Path, browser: str) -> None:
    root = tmp_path / "out"
    stream = io.StringIO()
    pdfs = print_reports(reports(root, "north", "groups/one"), browser,
                         progress=progress_printer(root, stream))
    assert stream.getvalue().splitlines() == [
        f"pdf 1/2: north -> {root / 'north' / 'report.pdf'}",
        f"pdf 2/2: groups/one -> {root / 'groups' / 'one' / 'report.pdf'}"]
    assert all(p.read_bytes().startswith(b"%PDF-") for p in pdfs)


def test_a_pdf_is_current_only_when_printed_from_the_report_as_it_is(tmp_path: Path,
                                                                      browser: str) -> None:
    (report,) = reports(tmp_path, "north")
    assert current_pdf(report) is None
    (pdf,) = print_reports([report], browser)
    assert current_pdf(report) == pdf
    later = pdf.stat().st_mtime_ns + 10**9
    os.utime(report, ns=(later, later))  # the report was rewritten after printing
    assert current_pdf(report) is None


class StandIn:
    """Prints a page's contents slots to a PDF with a named destination (percent-encoded, as
    Chromium names them) per chapter, on page 2, or 3 once any number is written ("settle"),
    or 1 + the sum of the numbers written ("drift"): filling in the contents moves chapters."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.prints: list[list[str]] = []

    def __call__(self, browser: str, report: Path, source: Path, target: Path, profile: Path,
                 timeout: float) -> None:
        slots = re.findall(r'data-page-of="([^"]*)">([^<]*)<', source.read_text("utf-8"))
        self.prints.append([n for _, n in slots])
        written = [int(n) for _, n in slots if n]
        page = (3 if written else 2) if self.mode == "settle" else 2 + sum(written)
        writer = PdfWriter()
        for _ in range(page + 1):
            writer.add_blank_page(595, 842)
        for ident, _ in slots:
            writer.add_named_destination(quote(html.unescape(ident)), page - 1)
        writer.write(target)


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "report.html"
    path.write_text('<nav><span class="toc-page" data-page-of="outcome-1"></span>'
                    '<span class="toc-page" data-page-of="caf&#xe9;"></span></nav>',
                    encoding="utf-8")
    return path


def stand_in(monkeypatch: pytest.MonkeyPatch, mode: str) -> StandIn:
    fake = StandIn(mode)
    monkeypatch.setattr(printing, "run_chromium", fake)
    return fake


def test_destination_pages_counts_from_one_and_reads_encoded_names(tmp_path: Path) -> None:
    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(595, 842)
    for name, index in (("main", 0), ("outcome-1", 1), ("caf%C3%A9", 2)):
        writer.add_named_destination(name, index)
    pdf = tmp_path / "x.pdf"
    writer.write(pdf)
    assert destination_pages(pdf, {"outcome-1", "café", "absent"}) == {"outcome-1": 2,
                                                                        "café": 3}


def test_contents_are_printed_again_until_their_numbers_hold(
        report: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = stand_in(monkeypatch, "settle")
    before = report.read_text(encoding="utf-8")
    pdf = print_report(report, "chromium")
    assert fake.prints == [["", ""], ["2", "2"], ["3", "3"]]
    assert destination_pages(pdf, {"outcome-1", "café"}) == {"outcome-1": 3, "café": 3}
    assert report.read_text(encoding="utf-8") == before, "the HTML report is unchanged"
    assert sorted(p.name for p in report.parent.iterdir()) == ["report.html", "report.pdf"]


def test_contents_that_never_settle_are_an_error(report: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    fake = stand_in(monkeypatch, "drift")
    with pytest.raises(PdfError, match="page numbers still moved"):
        print_report(report, "chromium")
    assert len(fake.prints) == PASSES + 1
    assert sorted(p.name for p in report.parent.iterdir()) == ["report.html"]


def test_a_page_without_contents_is_printed_once(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    fake = stand_in(monkeypatch, "settle")
    plain = tmp_path / "plain.html"
    plain.write_text("<p>no contents</p>", encoding="utf-8")
    assert PdfReader(print_report(plain, "chromium")).pages
    assert fake.prints == [[]]


def test_a_bookmark_split_where_its_heading_wrapped_gets_the_heading_back(tmp_path: Path) -> None:
    """Chromium drops the space where a heading wraps ("the riskof harm"); the bookmark takes
    the heading's words again, other bookmarks and the pages untouched."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_outline_item(title="Outcome 4: minimising the riskof harm", page_number=0)
    writer.add_outline_item(title="Glossary", page_number=0)
    pdf = tmp_path / "report.pdf"
    with open(pdf, "wb") as out:
        writer.write(out)
    page = ("<h2 id='o4'>Outcome 4: minimising <em>the risk</em>\n of harm</h2>"
            "<h2>Glossary</h2><h3>Other &amp; more</h3>")
    assert printing.headings(page) == ["Outcome 4: minimising the risk of harm", "Glossary",
                                       "Other & more"]
    retitle_outline(pdf, printing.headings(page))
    reader = PdfReader(pdf)
    assert [m.title for m in reader.outline] == ["Outcome 4: minimising the risk of harm",
                                                 "Glossary"]
    assert len(reader.pages) == 1


def test_a_file_pypdf_cannot_read_is_left_as_it_is(tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    retitle_outline(pdf, ["Anything"])
    assert pdf.read_bytes() == b"%PDF-1.4\n"
