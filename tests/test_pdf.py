"""PDF printing without a real browser: progress as each PDF is written, and which PDF is
current (printed from its report as it is now). Real printing is tested in test_browser."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from analysis.build.pdf import current_pdf, print_reports, progress_printer

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
