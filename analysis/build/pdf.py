"""Print reports to PDF with a headless Chromium (optional: ``build --pdf``).

Each ``<dir>/report.html`` is printed to ``<dir>/report.pdf`` by the browser's own print engine,
so the PDF follows the report's ``@media print`` rules: A4, a chapter per new page, figures and
tables never cut, no browser header or footer. The report is self-contained, so printing needs
no network; the browser is started with its background services off and a throw-away profile.

Chromium is not a Python dependency. It is looked up, in order, as ``$IAOW_CHROMIUM`` (a path or
a command name), then ``chromium``, ``chromium-browser``, ``google-chrome`` and
``google-chrome-stable`` on ``PATH``. On Debian: ``apt-get install chromium``. Without it,
:func:`print_reports` raises :class:`PdfError`, a clear message with no traceback from the
command line; the HTML reports are not affected.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from ..core import atomic
from ..core.errors import InputError, Problem

ENV_VAR = "IAOW_CHROMIUM"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# --no-sandbox: Chromium refuses to start as root (containers, CI) without it; it only ever
# opens this build's own local files. The rest keep it from reaching out to the network.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--disable-default-apps", "--mute-audio",
         "--run-all-compositor-stages-before-draw", "--no-pdf-header-footer")
TIMEOUT_SECONDS = 300.0
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


def print_report(report: Path, browser: str | None = None,
                 timeout: float = TIMEOUT_SECONDS) -> Path:
    """Print one report to ``report.pdf`` beside it, atomically; return the PDF's path.

    The previous PDF, if any, stays in place until the new one is complete.
    """
    report = Path(report)
    if not report.is_file():
        raise PdfError([Problem(str(report), "report to print not found")])
    browser = browser or find_chromium()
    target = pdf_path(report)
    with tempfile.TemporaryDirectory(prefix="iaow-chromium-") as profile, \
            atomic.atomic_path(target) as tmp:
        try:
            done = subprocess.run(command(browser, report, tmp, Path(profile)),
                                  capture_output=True, text=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PdfError([Problem(str(report), f"Chromium did not finish printing within "
                                    f"{timeout:.0f} s")]) from exc
        except OSError as exc:
            raise PdfError([Problem(str(report), f"Chromium ({browser}) could not be "
                                    f"started: {exc}. {INSTALL_HINT}")]) from exc
        with open(tmp, "rb") as handle:
            head = handle.read(5)
        if done.returncode != 0 or head != b"%PDF-":
            lines = [line for line in (done.stderr or "").splitlines() if line.strip()]
            detail = lines[-1][:300] if lines else "no error output"
            raise PdfError([Problem(str(report), "Chromium failed to print the report "
                                    f"(exit code {done.returncode}): {detail}",
                                    value=browser)])
    return target


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
