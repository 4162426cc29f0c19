"""The built reports in a real browser: self-contained, navigable, accessible, printable.

Playwright drives Debian's headless Chromium (``/usr/bin/chromium``; no browser download). The
accessibility checker is axe-core from the npm registry, pinned in tests/browser/package.json and
installed into tests/browser/node_modules by .ci/run (or here, if it is missing). Browser tests
skip with a reason where Chromium is absent; CI installs it, so there they run.
"""

from __future__ import annotations

import contextlib
import html
import itertools
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from analysis.core import paths
from analysis.pipeline.pdf import PdfError, find_chromium, print_reports

from .conftest import BUILT_AREAS, Built

CHROMIUM = Path("/usr/bin/chromium")
AREAS = ["durham-tees-valley", "vale-of-braxness"]
PAGES = ["index.html", *(f"{a}/report.html" for a in AREAS), "aggregate/report.html"]
REPORTS = PAGES[1:]
#: The documents whose charts are measured in the browser: Durham Tees Valley's report and
#: annex, the aggregate report and a group's (the aggregates' annexes have no chart; every
#: document the build writes is scanned by test_every_document_draws_its_charts_for_a_phone).
CHARTED = [f"{AREAS[0]}/report.html", f"{AREAS[0]}/annex.html", "aggregate/report.html",
           "groups/protecting-children/report.html"]
#: Every kind of page once: the index, an area report (Durham Tees Valley's has every optional
#: section: foreword, commentary, the reconstruction note) and the aggregate. The other area's
#: report is made by the same notebooks and template; axe takes 10 to 15 s a report.
KINDS = [p for p in PAGES if p != f"{AREAS[1]}/report.html"]
BROWSER_DIR = Path(__file__).resolve().parent / "browser"
AXE = BROWSER_DIR / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
# An A4 page's width inside report.css's 14 mm side margins, in CSS pixels (96 per inch).
A4_TEXT = {"width": round((210 - 2 * 14) / 25.4 * 96), "height": 1000}

F = TypeVar("F", bound=Callable[..., Any])


def needs_chromium(test: F) -> F:
    """Mark a test as a (slow) browser test, skipped with a reason where Chromium is absent."""
    for mark in (pytest.mark.browser, pytest.mark.slow,
                 pytest.mark.skipif(not CHROMIUM.exists(),
                                    reason=f"{CHROMIUM} not installed (apt-get install chromium)")):
        test = mark(test)
    return test


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, two_areas: Built) -> Path:
    """Two areas and the aggregate: a copy of the session's build (this module adds
    screenshots and a PDF to it)."""
    assert BUILT_AREAS == AREAS
    return two_areas.copy(tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="module")
def axe_script() -> Path:
    """axe-core's browser bundle, installed from the npm registry if it is not there yet."""
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("axe-core not installed and npm not found (run .ci/run)")
        lock = (BROWSER_DIR / "package-lock.json").exists()
        subprocess.run([npm, "ci" if lock else "install", "--no-audit", "--no-fund",
                        "--prefix", str(BROWSER_DIR)], check=True, capture_output=True,
                       timeout=300)
    assert AXE.exists(), f"npm did not install {AXE}"
    return AXE


@pytest.fixture(scope="module")
def context() -> Iterator[Any]:
    """A Chromium context with a new empty profile; every request outside the build is
    blocked and recorded (``context.blocked``)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with tempfile.TemporaryDirectory(prefix="iaow-profile-") as profile, \
            sync_api.sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), args=FLAGS, headless=True,
            viewport=VIEWPORT)
        try:
            yield ctx
        finally:
            ctx.close()


class Recorder:
    """Every request a page makes; those outside the build's folder are aborted."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve().as_uri() + "/"
        self.requests: list[str] = []
        self.outside: list[str] = []

    def allowed(self, url: str) -> bool:
        return url.startswith("data:") or url.startswith(self.root)

    def on_request(self, request: Any) -> None:
        self.requests.append(request.url)
        if not self.allowed(request.url):
            self.outside.append(request.url)

    def route(self, route: Any) -> None:
        if self.allowed(route.request.url):
            route.continue_()
        else:
            route.abort()


@contextlib.contextmanager
def open_page(context: Any, site: Path, name: str, viewport: dict[str, int] | None = None,
              media: str | None = None) -> Iterator[tuple[Any, Recorder]]:
    """A loaded page (at ``viewport``, as ``media`` if given) and the record of its requests;
    the page is closed afterwards."""
    recorder = Recorder(site)
    page = context.new_page()
    try:
        if viewport is not None:
            page.set_viewport_size(viewport)
        if media is not None:
            page.emulate_media(media=media)
        page.on("request", recorder.on_request)
        page.route("**/*", recorder.route)
        page.goto((site / name).as_uri(), wait_until="load")
        # Scroll through the page so that anything lazily loaded would be requested too.
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_load_state("networkidle")
        page.evaluate("window.scrollTo(0, 0)")
        yield page, recorder
    finally:
        page.close()


@needs_chromium
@pytest.mark.parametrize("name", PAGES)
def test_self_contained(context: Any, site: Path, name: str) -> None:
    """No request leaves the report's own files: no CDN, no web font, no remote image."""
    with open_page(context, site, name) as (_, recorder):
        assert recorder.requests, "the page itself was not recorded"
        assert recorder.outside == [], f"{name} requested {recorder.outside}"
        html = (site / name).read_text(encoding="utf-8")
        remote = re.findall(r'(?:src|href)\s*=\s*["\']?\s*(?:https?:)?//[^"\'>\s]+', html)
        assert remote == [], f"{name} refers to remote resources: {remote[:5]}"
        assert "<link" not in html and "<iframe" not in html
        # one small inline script, on a page with a sortable table (the aggregates' table of
        # every area); the page is complete without it
        scripts = re.findall(r"<script[^>]*>", html)
        assert scripts == (["<script>"] if "data-sortable" in html else []), name


@needs_chromium
@pytest.mark.parametrize("name", PAGES)
def test_images_load_with_alt_text(context: Any, site: Path, name: str) -> None:
    with open_page(context, site, name) as (page, _):
        images = page.eval_on_selector_all(
            "img", "els => els.map(e => ({src: e.src.slice(0, 30), complete: e.complete, "
            "width: e.naturalWidth, alt: e.getAttribute('alt') || ''}))")
        # an area report: at a glance and each outcome's data summary (the rest in its annex)
        least = 0 if name == "index.html" else 6 if name.split("/")[0] in AREAS else 10
        assert len(images) >= least, f"{name}: only {len(images)} charts"
        for img in images:
            assert img["src"].startswith("data:image/"), img["src"]
            assert img["complete"] and img["width"] > 0, f"{name}: image did not load"
            assert len(img["alt"]) > 40, f"{name}: chart without real alternative text"


@needs_chromium
@pytest.mark.parametrize("name", REPORTS)
def test_table_of_contents_links_scroll_to_their_chapter(context: Any, site: Path,
                                                         name: str) -> None:
    with open_page(context, site, name) as (page, _):
        links = page.eval_on_selector_all("nav.toc a", "els => els.map(e => e.hash)")
        assert len(links) >= 5
        for href in links:
            page.evaluate("window.scrollTo(0, 0)")
            page.click(f'nav.toc a[href="{href}"]')
            page.wait_for_function("h => window.location.hash === h", arg=href)
            state = page.evaluate(
                """h => { const t = document.getElementById(decodeURIComponent(h.slice(1)));
                if (!t) return null;
                const r = t.getBoundingClientRect();
                const atEnd = window.scrollY + window.innerHeight
                              >= document.documentElement.scrollHeight - 2;
                return {top: r.top, height: r.height, atEnd: atEnd,
                        inner: window.innerHeight}; }""", href)
            assert state is not None, f"{name}: {href} has no target"
            assert state["height"] > 0, f"{name}: {href} target is hidden"
            assert -2 <= state["top"] < state["inner"], f"{name}: {href} not in view: {state}"
            assert state["top"] < 50 or state["atEnd"], f"{name}: {href} not at top: {state}"


@needs_chromium
def test_index_links_every_report_and_back(context: Any, site: Path) -> None:
    with open_page(context, site, "index.html") as (page, _):
        hrefs = page.eval_on_selector_all("main a", "els => els.map(e => e.href)")
        expected = {(site / r).as_uri() for r in REPORTS}
        assert expected <= set(hrefs)
    for name in REPORTS:
        with open_page(context, site, name) as (page, _):
            back = page.eval_on_selector_all('a[href$="index.html"]',
                                             "els => els.map(e => e.href)")
            assert (site / "index.html").as_uri() in back, name
            page.click("header .back a")
            page.wait_for_load_state("load")
            assert page.url == (site / "index.html").as_uri()


def axe_violations(page: Any, axe: Path) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(axe))
    violations: list[dict[str, Any]] = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})
        .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.length,
              targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))""", AXE_TAGS)
    return violations


@needs_chromium
@pytest.mark.parametrize("name", KINDS)
def test_no_serious_accessibility_violations(context: Any, site: Path, axe_script: Path,
                                             name: str) -> None:
    """axe-core with the WCAG 2.0, 2.1 and 2.2 A and AA rules: nothing serious or critical."""
    with open_page(context, site, name) as (page, _):
        violations = axe_violations(page, axe_script)
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert serious == [], "\n".join(
            f"{v['impact']} {v['id']} ({v['nodes']} elements): {v['help']}; {v['targets']}"
            for v in serious)


@needs_chromium
@pytest.mark.parametrize("name", REPORTS)
def test_headings_nest_without_skipping_a_level(context: Any, site: Path, name: str) -> None:
    with open_page(context, site, name) as (page, _):
        headings = page.eval_on_selector_all(
            "h1, h2, h3, h4, h5, h6", "els => els.map(e => [Number(e.tagName[1]), e.id])")
    assert headings[0][0] == 1 and sum(1 for level, _ in headings if level == 1) == 1
    skips = [ident for (prev, _), (level, ident) in itertools.pairwise(headings)
             if level > prev + 1]
    assert skips == [], f"{name}: headings that skip a level: {skips}"


@needs_chromium
def test_screenshots(context: Any, site: Path) -> None:
    """Screenshots of the index and one report for people to look at."""
    shots = site / "screenshots"
    shots.mkdir(exist_ok=True)
    for name, file in (("index", "index.html"), ("report", f"{AREAS[0]}/report.html")):
        with open_page(context, site, file) as (page, _):
            page.screenshot(path=str(shots / f"{name}.png"))
            page.screenshot(path=str(shots / f"{name}-full.png"), full_page=True)
    pngs = sorted(shots.glob("*.png"))
    assert len(pngs) == 4 and all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    repo_outputs = paths.REPO_ROOT / "outputs"
    if repo_outputs.is_dir():
        (repo_outputs / "screenshots").mkdir(exist_ok=True)
        for png in pngs:
            shutil.copy2(png, repo_outputs / "screenshots" / png.name)


PAGE_WIDTH_JS = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if (x === 'auto' || x === 'scroll') return p; } return null; };
  const tables = [...document.querySelectorAll('table')].map(t => {
    const box = scrolls(t);
    return {caption: (t.caption ? t.caption.textContent : '').slice(0, 60),
            right: t.getBoundingClientRect().right,
            box: box ? box.getBoundingClientRect().right : null}; });
  const images = [...document.querySelectorAll('img, svg')].filter(
    e => e.getBoundingClientRect().right > width + 1).length;
  return {width: width, scroll: document.documentElement.scrollWidth, tables: tables,
          images: images}; }"""


@needs_chromium
@pytest.mark.parametrize("name", PAGES)
def test_phone_width_never_scrolls_the_page_sideways(context: Any, site: Path,
                                                     name: str) -> None:
    """On a 375-pixel-wide phone the page never scrolls sideways: each table fits the screen or
    scrolls in a box of its own that does, and images fit."""
    with open_page(context, site, name, viewport=PHONE) as (page, _):
        state = page.evaluate(PAGE_WIDTH_JS)
    assert state["width"] == PHONE["width"]
    assert state["scroll"] <= PHONE["width"] + 1, f"{name} scrolls sideways: {state['scroll']}"
    assert state["tables"], f"{name} has no table"
    for table in state["tables"]:
        fits = table["right"] <= PHONE["width"] + 1
        boxed = table["box"] is not None and table["box"] <= PHONE["width"] + 1
        assert fits or boxed, f"{name}: table {table['caption']!r} is wider than the phone"
    assert state["images"] == 0, f"{name}: images wider than the phone"


SIDEWAYS_JS = """() => [...document.querySelectorAll('body *')].filter(e => {
  const s = getComputedStyle(e);
  return (s.overflowX === 'auto' || s.overflowX === 'scroll') && e.scrollWidth > e.clientWidth + 1;
}).map(e => e.getAttribute('aria-label') || e.tagName)"""


@needs_chromium
@pytest.mark.parametrize("name", REPORTS)
def test_phone_tables_reflow_to_cards_nothing_scrolls_sideways(context: Any, site: Path,
                                                               name: str) -> None:
    """At 375 px a report's tables are cards (one per row, each figure under its column's
    name): no box has to be scrolled sideways, and every figure keeps its column's name."""
    with open_page(context, site, name, viewport=PHONE) as (page, _):
        sideways = page.evaluate(SIDEWAYS_JS)
        labelled = page.evaluate(
            """() => [...document.querySelectorAll('table.cards td[data-label]')].slice(0, 50)
            .every(td => getComputedStyle(td, '::before').content.includes(td.dataset.label))""")
    assert sideways == [], f"{name}: boxes to scroll sideways at 375 px: {sideways}"
    assert labelled, f"{name}: a card's figure lost its column's name"


@needs_chromium
def test_index_has_no_sideways_box_at_1280(context: Any, site: Path) -> None:
    with open_page(context, site, "index.html") as (page, _):
        assert page.evaluate(SIDEWAYS_JS) == []


CHARTS_JS = """() => [...document.querySelectorAll('main img, main svg')]
  .filter(e => !(e.parentElement && e.parentElement.closest('svg')))
  .map(e => ({alt: (e.getAttribute('alt') || e.tagName).slice(0, 60),
              rendered: e.getBoundingClientRect().width,
              drawn: e.tagName === 'IMG' ? e.naturalWidth : e.width.baseVal.value}))"""
#: The least share of its drawn width a chart keeps on a 375-pixel phone (issue 28).
PHONE_SHARE = 0.75
#: The least size of a chart's text once printed, in points.
PRINT_PT = 9.0


@needs_chromium
@pytest.mark.parametrize("name", CHARTED)
def test_charts_keep_three_quarters_of_their_size_on_a_phone(context: Any, site: Path,
                                                              name: str) -> None:
    """At 375 px no chart is shrunk below three quarters of its drawn width: they are drawn
    narrow enough for a phone, so their text stays legible there."""
    with open_page(context, site, name, viewport=PHONE) as (page, _):
        charts = page.evaluate(CHARTS_JS)
    assert charts, f"{name} has no chart"
    shrunk = [(c["alt"], round(c["rendered"] / c["drawn"], 2)) for c in charts
              if c["rendered"] < PHONE_SHARE * c["drawn"]]
    assert shrunk == [], f"{name}: charts shrunk below {PHONE_SHARE} at 375 px: {shrunk}"


SVG_IMAGE = re.compile(r'<img[^>]*src="data:image/svg\+xml;base64,([^"]+)"')
SVG_WIDTH = re.compile(r'<svg[^>]*\swidth="([\d.]+)pt"')
FONT_SIZE = re.compile(r"font(?:-size)?:\s*(?:[a-z]+\s+)*([\d.]+)px")


def printed_font_sizes(page: str) -> list[tuple[float, float]]:
    """Each chart of a page: the smallest size of its text once printed (points) and its
    drawn width (points). A chart is printed at its drawn size, or scaled down to an A4
    page's text width (report.css: never up)."""
    import base64

    a4_points = A4_TEXT["width"] * 72 / 96
    found = []
    for data in SVG_IMAGE.findall(page):
        svg = base64.b64decode(data).decode("utf-8")
        width = SVG_WIDTH.search(svg)
        sizes = [float(x) for x in FONT_SIZE.findall(svg)]
        assert width is not None and sizes, "a chart without a width or text"
        drawn = float(width.group(1))
        found.append((min(sizes) * min(1.0, a4_points / drawn), drawn))
    return found


def test_the_font_scan_reads_matplotlib_svg() -> None:
    import base64

    svg = ('<svg width="331.2pt" height="100pt"><text style="font: 10.5px \'DejaVu Sans\'">'
           'a</text><text style="font: 9.5px \'DejaVu Sans\'">b</text></svg>')
    encoded = base64.b64encode(svg.encode()).decode()
    page = f'<img alt="x" src="data:image/svg+xml;base64,{encoded}">'
    assert printed_font_sizes(page) == [(9.5, 331.2)]


@pytest.mark.parametrize("name", CHARTED)
def test_chart_text_is_at_least_9_pt_in_print(site: Path, name: str) -> None:
    """Every chart's text is at least 9 pt at print size (as matplotlib writes it into the
    SVG, in points of the drawing)."""
    sizes = printed_font_sizes((site / name).read_text(encoding="utf-8"))
    assert sizes, f"{name} has no chart"
    small = [round(pt, 2) for pt, _ in sizes if pt < PRINT_PT]
    assert small == [], f"{name}: chart text under {PRINT_PT} pt in print: {small}"


def test_every_document_draws_its_charts_for_a_phone(site: Path) -> None:
    """Every document the build writes (area reports and annexes, the aggregate, each group's,
    their annexes, the index): each chart is drawn narrow enough to keep PHONE_SHARE of its
    size in a 375-pixel phone's text width (351 px: its image is never scaled up) and its text
    prints at PRINT_PT or more."""
    documents = sorted(p for p in site.rglob("*.html") if "notebooks" not in p.parts)
    names = {p.relative_to(site).as_posix() for p in documents}
    assert {*CHARTED, "aggregate/annex.html", "groups/violent-offending/report.html",
            "groups/protecting-children/annex.html"} <= names
    charted, faults = 0, []
    for path in documents:
        found = printed_font_sizes(path.read_text(encoding="utf-8"))
        charted += bool(found)
        for pt, drawn in found:
            share = min(1.0, 351 / (drawn * 96 / 72))
            if share < PHONE_SHARE or pt < PRINT_PT:
                faults.append((path.relative_to(site).as_posix(), round(share, 2),
                               round(pt, 2)))
    assert charted >= len(CHARTED) + 1
    assert faults == [], f"charts too wide for a phone or text too small in print: {faults}"


@needs_chromium
@pytest.mark.parametrize("name", REPORTS)
def test_printed_tables_fit_an_a4_page(context: Any, site: Path, name: str) -> None:
    """In print (nothing can scroll on paper) every table fits between an A4 page's margins,
    and a page break is forced before each chapter after the first and nowhere else."""
    with open_page(context, site, name, viewport=A4_TEXT, media="print") as (page, _):
        state = page.evaluate(PAGE_WIDTH_JS)
        breaks = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
            .filter(e => ['page', 'always'].includes(getComputedStyle(e).breakBefore))
            .map(e => e.matches('main > .chapter') && e.previousElementSibling !== null)""")
        chapters = page.evaluate("() => document.querySelectorAll('main > .chapter').length")
    wide = [t["caption"] for t in state["tables"] if t["right"] > A4_TEXT["width"] + 1]
    assert wide == [], f"{name}: tables wider than an A4 page: {wide}"
    assert state["scroll"] <= A4_TEXT["width"] + 1
    assert breaks == [True] * (chapters - 1), f"{name}: breaks forced elsewhere: {breaks}"


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", data))


def plain(text: str) -> str:
    """Text as extracted from a PDF and as written in HTML compared alike: ligatures and
    entities undone, runs of white space one space."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", html.unescape(text))).strip()


@needs_chromium
def test_pdf(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each contents entry of the PDF gives the page on which its chapter's heading is printed
    (that page's foot says the same number)."""
    pypdf = pytest.importorskip("pypdf")
    monkeypatch.setenv("IAOW_CHROMIUM", str(CHROMIUM))
    report = site / AREAS[0] / "report.html"
    (pdf,) = print_reports([report])
    assert pdf == report.with_suffix(".pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    assert 15 <= pdf_pages(data) <= 25, "the public report prints at 15 to 25 pages"
    assert not list(pdf.parent.glob(".tmp-*")), "temporary file left behind"
    pages = [page.extract_text() for page in pypdf.PdfReader(pdf).pages]
    nav = re.search(r'<nav class="toc".*?</nav>', report.read_text(encoding="utf-8"), re.S)
    assert nav is not None
    entries = [plain(t) for t in re.findall(r'<a href="#[^"]+">(.*?)</a>', nav.group(0))]
    contents = plain(" ".join(pages[:2]))
    assert len(entries) >= 8
    numbers = []
    for title in entries:
        given = re.search(re.escape(title) + r" ?(\d+)", contents)
        assert given is not None, f"contents give no page number for {title!r}"
        number = int(given.group(1))
        numbers.append(number)
        assert 1 <= number <= len(pages), title
        printed = pages[number - 1]
        assert f"Page {number} of {len(pages)}" in plain(printed)
        heading = r"\s+".join(re.escape(word) for word in title.split())
        starts = re.search(r"(^|\n)\s*" + heading, unicodedata.normalize("NFKC", printed))
        assert starts is not None, f"{title!r} is not printed on page {number}"
    assert numbers == sorted(numbers) and numbers[-1] > numbers[0]
    # bookmarks: every chapter of the contents is a top-level entry of the PDF's outline,
    # leading to the page its contents entry gives
    reader = pypdf.PdfReader(pdf)
    marks = {plain(m.title): reader.get_destination_page_number(m) + 1
             for m in _outline(reader.outline)}
    assert {t: marks.get(t) for t in entries} == dict(zip(entries, numbers, strict=True))


def _outline(entries: list[Any]) -> list[Any]:
    """Every bookmark of a PDF outline, nested ones too."""
    out = []
    for e in entries:
        out += _outline(e) if isinstance(e, list) else [e]
    return out


def test_missing_chromium_is_a_clear_error(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    monkeypatch.delenv("IAOW_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PdfError, match=r"Chromium not found.*apt-get install chromium"):
        find_chromium()
    monkeypatch.setenv("IAOW_CHROMIUM", str(tmp_path / "no-such-browser"))
    with pytest.raises(PdfError, match="IAOW_CHROMIUM"):
        print_reports([tmp_path / "report.html"])
    assert print_reports([]) == []


def test_configured_chromium_is_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "my-chrome"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.setenv("IAOW_CHROMIUM", str(fake))
    assert find_chromium() == str(fake)
    report = tmp_path / "report.html"
    report.write_text("<!DOCTYPE html><title>t</title>")
    with pytest.raises(PdfError, match="failed to print"):
        print_reports([report])
    assert not (tmp_path / "report.pdf").exists() and not list(tmp_path.glob(".tmp-*"))
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("IAOW_CHROMIUM", "my-chrome")
    assert find_chromium() == str(fake)


@needs_chromium
def test_the_table_of_every_area_sorts_and_filters(context: Any, site: Path) -> None:
    """The aggregate's table of areas: a column heading sorts it (again: the other way), the
    box above filters its rows; every row is there before any script runs."""
    html = (site / "aggregate/report.html").read_text(encoding="utf-8")
    assert html.count("<tr>") >= len(AREAS)
    with open_page(context, site, "aggregate/report.html") as (page, _):
        table = "table[data-sortable]"

        def column(i: int) -> list[str]:
            return page.eval_on_selector_all(
                f"{table} tbody tr:not([hidden])",
                f"rows => rows.map(r => r.cells[{i}].getAttribute('data-value'))")

        names = column(0)
        assert len(names) >= len(AREAS)
        page.click(f"{table} thead th:nth-child(1) button")
        up = column(0)
        page.click(f"{table} thead th:nth-child(1) button")
        assert sorted(up) == sorted(names) and column(0) == up[::-1]
        assert page.get_attribute(f"{table} thead th:nth-child(1)", "aria-sort") == "descending"
        last = page.eval_on_selector(f"{table} thead tr", "r => r.cells.length") - 1
        page.click(f"{table} thead th:nth-child({last + 1}) button")
        assert [float(v) for v in column(last)] == sorted(float(v) for v in column(last))
        page.fill("input[type=search]", names[0][:6])
        shown = column(0)
        assert 1 <= len(shown) <= len(names) and all(names[0][:6] in n for n in shown)


#: Pairs of text boxes of the page that overlap (neither inside the other), at most six.
OVERLAPS = """() => {
  const sel = 'main p, main li, main th, main td, main h2, main h3, figcaption';
  const boxes = [...document.querySelectorAll(sel)]
    .map(e => [e, e.getBoundingClientRect()]).filter(([, r]) => r.width && r.height);
  const out = [];
  for (let i = 0; i < boxes.length && out.length < 6; i++) {
    for (let j = i + 1; j < boxes.length && out.length < 6; j++) {
      const [a, p] = boxes[i], [b, q] = boxes[j];
      if (a.contains(b) || b.contains(a)) continue;
      if (p.left < q.right - 1 && q.left < p.right - 1 && p.top < q.bottom - 1
          && q.top < p.bottom - 1) {
        out.push([a.textContent.slice(0, 40), b.textContent.slice(0, 40)]);
      }
    }
  }
  return out;
}"""

#: A built site of many areas (e.g. 200, from ``make benchmark BENCHFLAGS="--aggregate-only
#: 200"``): its aggregate page is checked as the bundled one is. Unset: skipped.
SCALE_SITE = os.environ.get("IAOW_SCALE_SITE", "")


@needs_chromium
@pytest.mark.skipif(not SCALE_SITE, reason="IAOW_SCALE_SITE (a site of many areas) not set")
def test_aggregate_at_scale_is_accessible_and_its_text_never_overlaps(
        context: Any, axe_script: Path) -> None:
    site = Path(SCALE_SITE)
    with open_page(context, site, "aggregate/report.html") as (page, _):
        serious = [v for v in axe_violations(page, axe_script)
                   if v["impact"] in ("serious", "critical")]
        assert serious == [], serious
        clashes = page.evaluate(OVERLAPS)
        assert clashes == []
