"""Print reports to PDF with a headless Chromium (optional: ``build --pdf``).

Each ``<dir>/report.html`` is printed to ``<dir>/report.pdf`` by the browser's own print engine,
so the PDF follows the report's ``@media print`` rules: A4, a chapter per new page, figures and
tables never cut, no browser header or footer, and bookmarks (the PDF's outline) from the
report's headings. The report is self-contained, so printing needs
no network; the browser is started with its background services off and a throw-away profile.

The contents give page numbers. Chromium cannot compute them (CSS ``target-counter()`` is not
implemented in Chromium), so a report is printed twice: the first PDF says on which page each
chapter lands (Chromium writes a named destination for every element a link points to, read
here with pypdf), and a copy of the report with those numbers written into the contents'
empty slots is printed again. The slots have a fixed width in print, so filling them moves
nothing; the second PDF is checked against the numbers it prints, and printed once more if
they ever differ.

Chromium is not a Python dependency. It is looked up, in order, as ``$IAOW_CHROMIUM`` (a path or
a command name), then ``chromium``, ``chromium-browser``, ``google-chrome`` and
``google-chrome-stable`` on ``PATH``. On Debian: ``apt-get install chromium``. Without it,
:func:`print_reports` raises :class:`PdfError`, a clear message with no traceback from the
command line; the HTML reports are not affected.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TextIO
from urllib.parse import unquote

from ..core import atomic
from ..core.errors import InputError, Problem

ENV_VAR = "IAOW_CHROMIUM"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# --no-sandbox: Chromium refuses to start as root (containers, CI) without it; it only ever
# opens this build's own local files. The rest keep it from reaching out to the network.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--disable-default-apps", "--mute-audio",
         "--run-all-compositor-stages-before-draw", "--no-pdf-header-footer",
         "--generate-pdf-document-outline")
TIMEOUT_SECONDS = 300.0
# A contents entry's page-number slot, as report.html.j2 writes it (empty in the HTML report).
SLOT_RE = re.compile(r'(<span class="toc-page" data-page-of="([^"]*)">)[^<]*(</span>)')
# Prints after the first, at most, until the page numbers printed are the pages found.
PASSES = 3
INSTALL_HINT = ("PDF output needs Chromium: install it (Debian/Ubuntu: apt-get install "
                f"chromium) or set {ENV_VAR} to a Chromium or Chrome executable. PDF is "
                "optional: build without --pdf to write the HTML reports only")


#: Called after each PDF: (its number, how many are printed, the report, the PDF).
Progress = Callable[[int, int, Path, Path], None]


class PdfError(InputError):
    """Chromium is missing or failed to print a report."""


def find_chromium() -> str:
    """The path of the Chromium executable to print with; :class:`PdfError` if none is found."""
    configured = os.environ.get(ENV_VAR, "").strip()
    if configured:
        found = shutil.which(configured)
        if found is None:
            raise PdfError([Problem(f"${ENV_VAR}", f"{configured!r} is not an executable file "
                                    f"or command. {INSTALL_HINT}")])
        return found
    for name in CANDIDATES:
        found = shutil.which(name)
        if found is not None:
            return found
    raise PdfError([Problem("--pdf", f"Chromium not found (looked for ${ENV_VAR}, then "
                            f"{', '.join(CANDIDATES)} on PATH). {INSTALL_HINT}")])


def pdf_path(report: Path) -> Path:
    """Where a report's PDF goes: beside it, with the suffix ``.pdf``."""
    return report.with_suffix(".pdf")


def current_pdf(report: Path) -> Path | None:
    """The report's PDF if it was printed from the report as it is now (not older than it),
    else None: the only PDF the index links, a release copies and a build does not print again.
    A PDF left by an earlier build, from before the report was rewritten, is not current."""
    pdf = pdf_path(report)
    try:
        return pdf if pdf.stat().st_mtime_ns >= report.stat().st_mtime_ns else None
    except FileNotFoundError:
        return None


def progress_printer(root: Path, stream: TextIO) -> Progress:
    """Says each PDF as it is written (``pdf 3/12: <report folder> -> <pdf>``): printing
    takes a few seconds a report."""

    def say(number: int, total: int, report: Path, pdf: Path) -> None:
        folder = Path(os.path.relpath(report.parent, root)).as_posix()
        print(f"pdf {number}/{total}: {folder} -> {pdf}", file=stream, flush=True)

    return say


def command(browser: str, report: Path, target: Path, profile: Path) -> list[str]:
    """The command line that prints ``report`` (an HTML file) to ``target``."""
    return [browser, *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={target}",
            report.resolve().as_uri()]


def slots(page: str) -> list[str]:
    """The ids of the chapters whose page numbers the report's contents have room for."""
    return [html.unescape(m.group(2)) for m in SLOT_RE.finditer(page)]


def numbered(page: str, pages: Mapping[str, int]) -> str:
    """The report with each contents entry's page number written into its slot."""
    def fill(match: re.Match[str]) -> str:
        number = pages.get(html.unescape(match.group(2)))
        return f"{match.group(1)}{'' if number is None else number}{match.group(3)}"

    return SLOT_RE.sub(fill, page)


def destination_pages(pdf: Path, ids: Collection[str]) -> dict[str, int]:
    """The page (counted from 1, as the pages' feet count) on which each of ``ids`` lands.

    Chromium writes a named destination for every element that a link of the page points to,
    so every contents entry's chapter heading has one.
    """
    from pypdf import PdfReader  # needed only when printing

    reader = PdfReader(pdf)
    found = {}
    for name, dest in reader.named_destinations.items():
        ident = unquote(str(name).removeprefix("/"))
        index = reader.get_destination_page_number(dest)
        if ident in ids and index is not None:
            found[ident] = index + 1
    return found


HEADING_RE = re.compile(r"<h[1-6]\b[^>]*>(.*?)</h[1-6]>", re.S)


def headings(page: str) -> list[str]:
    """The report's headings as plain text, as a reader sees them."""
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", "", h)).split())
            for h in HEADING_RE.findall(page)]


def retitle_outline(pdf: Path, titles: Sequence[str]) -> None:
    """Give each bookmark its heading's words: Chromium builds a bookmark's title from the
    heading's printed lines and drops the space where a long heading wraps ("the riskof
    harm"). A bookmark is matched to the heading with the same letters; the file is
    rewritten only when a title changes."""
    from pypdf import PdfWriter
    from pypdf.errors import PdfReadError
    from pypdf.generic import NameObject, TextStringObject

    by_letters = {"".join(t.split()): t for t in titles}
    try:
        writer = PdfWriter(clone_from=str(pdf))
    except PdfReadError:  # not a PDF pypdf reads: no outline to mend
        return
    changed = False
    stack = [writer.root_object.get("/Outlines")]
    while stack:
        node = stack.pop()
        node = node.get_object() if node is not None else None
        if node is None:
            continue
        title = str(node.get("/Title", ""))
        wanted = by_letters.get("".join(title.split()))
        if wanted is not None and wanted != title:
            node[NameObject("/Title")] = TextStringObject(wanted)
            changed = True
        stack += [node.get("/First"), node.get("/Next")]
    if changed:
        with open(pdf, "wb") as out:
            writer.write(out)


@contextlib.contextmanager
def numbered_copy(report: Path, text: str) -> Iterator[Path]:
    """A hidden copy of the report beside it (so its relative links stay right), removed after."""
    handle, name = tempfile.mkstemp(prefix=".tmp-print-", suffix=".html", dir=report.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def run_chromium(browser: str, report: Path, source: Path, target: Path, profile: Path,
                 timeout: float) -> None:
    """Print ``source`` (``report`` or a copy of it) to ``target``; :class:`PdfError` if not."""
    try:
        done = subprocess.run(command(browser, source, target, profile),
                              capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired as exc:
        raise PdfError([Problem(str(report), f"Chromium did not finish printing within "
                                f"{timeout:.0f} s")]) from exc
    except OSError as exc:
        raise PdfError([Problem(str(report), f"Chromium ({browser}) could not be "
                                f"started: {exc}. {INSTALL_HINT}")]) from exc
    with open(target, "rb") as handle:
        head = handle.read(5)
    if done.returncode != 0 or head != b"%PDF-":
        lines = [line for line in (done.stderr or "").splitlines() if line.strip()]
        detail = lines[-1][:300] if lines else "no error output"
        raise PdfError([Problem(str(report), "Chromium failed to print the report "
                                f"(exit code {done.returncode}): {detail}", value=browser)])


def print_report(report: Path, browser: str | None = None,
                 timeout: float = TIMEOUT_SECONDS) -> Path:
    """Print one report to ``report.pdf`` beside it, atomically, its contents numbered; return
    the PDF's path.

    The previous PDF, if any, stays in place until the new one is complete.
    """
    report = Path(report)
    if not report.is_file():
        raise PdfError([Problem(str(report), "report to print not found")])
    browser = browser or find_chromium()
    target = pdf_path(report)
    text = report.read_text(encoding="utf-8")
    ids = slots(text)
    with tempfile.TemporaryDirectory(prefix="iaow-chromium-") as profile, \
            atomic.atomic_path(target) as tmp:
        run_chromium(browser, report, report, tmp, Path(profile), timeout)
        if not ids:
            retitle_outline(tmp, headings(text))
            return target
        pages = destination_pages(tmp, ids)
        for _ in range(PASSES):
            with numbered_copy(report, numbered(text, pages)) as copy:
                run_chromium(browser, report, copy, tmp, Path(profile), timeout)
            printed, pages = pages, destination_pages(tmp, ids)
            if printed == pages:
                retitle_outline(tmp, headings(text))
                return target
        raise PdfError([Problem(str(report), f"the contents' page numbers still moved after "
                                f"{PASSES + 1} prints")])


def print_reports(reports: Sequence[Path], browser: str | None = None,
                  timeout: float = TIMEOUT_SECONDS,
                  progress: Progress | None = None) -> list[Path]:
    """Print every report to a PDF beside it; return the PDFs' paths in the reports' order.

    Chromium is looked up once, before anything is printed; ``progress`` hears of each PDF.
    """
    if not reports:
        return []
    browser = browser or find_chromium()
    pdfs = []
    for number, report in enumerate(reports, start=1):
        pdfs.append(print_report(Path(report), browser, timeout))
        if progress is not None:
            progress(number, len(reports), Path(report), pdfs[-1])
    return pdfs
