"""Reliability of real builds: killed builds leave no truncated output and resume; publication
mode suppresses small counts; no case id leaks; markup from data is escaped; reruns into other
folders are byte-identical; the manifest records what a build used and did."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from html import unescape as html_unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest

from analysis.core import paths
from analysis.core.atomic import TMP_PREFIX
from analysis.report.registry import AGGREGATE_CHAPTERS, AREA_NOTEBOOKS

from .conftest import BUILT_AREAS, PUBLISHED_AREAS, TINY, Built, seed_tables

pytestmark = pytest.mark.slow
AREAS = ["durham-tees-valley", "vale-of-braxness"]
#: The area of the interrupted build (one area: its notebooks are where the kills land).
RESUMED = AREAS[1]


def command(data: Path, out: Path, *extra: str, areas: tuple[str, ...] = tuple(AREAS)
            ) -> list[str]:
    return [sys.executable, "-m", "analysis", "build", "--data", str(data), "--output",
            str(out), "--areas", *areas, "--jobs", "2", "--quiet", *extra]


def _interruptible() -> None:
    """Ctrl-C as at a terminal, even when the tests themselves run as a background job (a
    shell starts those with SIGINT ignored, and the build would inherit that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(data: Path, out: Path, *extra: str, areas: tuple[str, ...] = tuple(AREAS)
          ) -> subprocess.Popen[str]:
    return subprocess.Popen(command(data, out, *extra, areas=areas), cwd=paths.REPO_ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, env={**os.environ, "PYTHONHASHSEED": "0"},
                            preexec_fn=_interruptible)


def run_build(data: Path, out: Path, *extra: str, areas: tuple[str, ...] = tuple(AREAS)
              ) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(command(data, out, *extra, areas=areas), cwd=paths.REPO_ROOT, text=True,
                          capture_output=True, timeout=600,
                          env={**os.environ, "PYTHONHASHSEED": "0"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    return proc


def copy_data(folder: Path) -> Path:
    data = folder / "data"
    shutil.copytree(paths.data_dir(), data)
    return data


def wait_for(predicate, proc: subprocess.Popen[str], timeout: float = 180) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        assert proc.poll() is None, "the build ended before it could be killed"
        time.sleep(0.05)
    raise AssertionError("timed out waiting for the build")


def executed(out: Path) -> list[Path]:
    return [p for p in out.glob("*/notebooks/*.ipynb") if not p.name.startswith(TMP_PREFIX)]


def kill_group(proc: subprocess.Popen[str], sig: int) -> tuple[int, str]:
    os.killpg(proc.pid, sig)
    try:
        _, err = proc.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise AssertionError(f"build did not stop on signal {sig}") from None
    return proc.returncode, err


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[list[str], list[list[str]]]] = []
        self.alts: list[str] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._head: list[str] = []
        self._rows: list[list[str]] = []
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._head, self._rows = [], []
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "img":
            self.alts.append(dict(attrs).get("alt") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            (self._head.extend if self._in_head else self._rows.append)(self._row)  # type: ignore[operator]
            self._row = None
        elif tag == "thead":
            self._in_head = False
        elif tag == "table":
            self.tables.append((self._head, self._rows))

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def parse(html: str) -> _Parser:
    p = _Parser()
    p.feed(html)
    p.close()
    return p


def assert_outputs_complete(out: Path) -> int:
    """Every output file (temporaries aside) is whole and readable; return how many."""
    count = 0
    for path in sorted(out.rglob("*")):
        if not path.is_file() or path.name.startswith(TMP_PREFIX):
            continue
        count += 1
        data = path.read_bytes()
        if path.name.endswith(".chapter.html"):  # a stitched chapter kept for reuse
            text = data.decode("utf-8")
            assert text.startswith("<!-- chapter ") and text.rstrip().endswith("</div>"), path
            parse(text)
        elif path.suffix == ".html":
            text = data.decode("utf-8")
            assert text.rstrip().endswith("</html>"), path
            assert text.lstrip().lower().startswith("<!doctype html"), path
            parse(text)
        elif path.suffix == ".ipynb":
            nb = nbformat.reads(data.decode("utf-8"), as_version=4)
            nbformat.validate(nb)
            assert "iaow" in nb.metadata, path
        elif path.suffix == ".parquet":
            pd.read_parquet(path)
        elif path.suffix == ".csv":
            if data != b"\n":     # an empty table is written as one newline
                pd.read_csv(path)
            assert data.endswith(b"\n"), path
        elif path.suffix == ".json":
            json.loads(data)
        elif path.name == ".report.digest":
            assert re.fullmatch(r"[0-9a-f]{64}", data.decode()), path
    return count


#: What an interrupt inside a process's asyncio loop printed, or a kernel outliving its
#: process (it says so when it notices; its stderr is the build's, so the build's output
#: ends only once the kernel has gone).
INTERRUPT_NOISE = ("Traceback", "Task exception was never retrieved", "was never awaited",
                   "Parent appears to have exited")


def assert_stopped_quietly(code: int, err: str) -> None:
    """Ctrl-C: exit 130, one line saying so, nothing of the machinery."""
    assert code == 130, err[-3000:]
    for noise in INTERRUPT_NOISE:
        assert noise not in err, err[-3000:]
    assert "interrupted: finished outputs are complete" in err


def temporaries(out: Path) -> list[Path]:
    return [p for p in out.rglob(f"{TMP_PREFIX}*")]


def assert_complete_build(out: Path, areas: tuple[str, ...] = tuple(AREAS)) -> None:
    assert not temporaries(out), temporaries(out)
    assert_outputs_complete(out)
    for area in areas:
        html = (out / area / "report.html").read_text(encoding="utf-8")
        for chapter in ("outcome-1", "outcome-5", "comparison", "appendix-method"):
            assert f'id="{chapter}"' in html
        assert len(list((out / area / "notebooks").glob("*.ipynb"))) == len(AREA_NOTEBOOKS)
    assert (out / "aggregate" / "report.html").exists()
    assert (out / "index.html").exists()


# builds shared by the tests of this module ----------------------------------------------
@pytest.fixture(scope="module")
def reference(two_areas: Built) -> tuple[Path, str]:
    """A clean build of two areas from the bundled data, with its console output (the
    session's build: read only)."""
    assert BUILT_AREAS == AREAS
    return two_areas.out, two_areas.log


@pytest.fixture(scope="module")
def resumed(tmp_path_factory: pytest.TempPathFactory, scored: Path,
            two_areas: Built) -> tuple[Path, str]:
    """A build of one area from a copy of the data in another folder, interrupted twice,
    then finished:
    SIGINT to the process group when the first executed notebook appears, then SIGKILL to
    the process group a few seconds into the second run, then a third run to the end (the
    area tables come from the session's scoring: the kills land among the notebooks)."""
    root = tmp_path_factory.mktemp("resumed")
    data = copy_data(root / "elsewhere")
    out = seed_tables(scored, root / "out" / "outputs")
    # the other area's report from an earlier build, as the reference has it: the aggregate
    # links the reports that exist, so both builds link the same two
    other = paths.area_report(out, AREAS[0])
    other.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(paths.area_report(two_areas.out, AREAS[0]), other)
    logs = []

    proc = start(data, out, areas=(RESUMED,))
    wait_for(lambda: bool(executed(out)), proc)
    code, err = kill_group(proc, signal.SIGINT)
    logs.append(err)
    assert_stopped_quietly(code, err)
    first = assert_outputs_complete(out)
    assert first > 0
    done = len(executed(out))
    assert done < len(AREA_NOTEBOOKS)

    proc = start(data, out, areas=(RESUMED,))
    wait_for(lambda: len(executed(out)) > done, proc)
    time.sleep(1.5)
    code, err = kill_group(proc, signal.SIGKILL)
    logs.append(err)
    assert code == -signal.SIGKILL
    assert_outputs_complete(out)

    final = run_build(data, out, areas=(RESUMED,))
    logs.append(final.stdout + final.stderr)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["reused"], "the finished notebooks of the killed runs are reused"
    return out, "\n".join(logs)


# kill tests -------------------------------------------------------------------------------
def test_killed_builds_leave_whole_files_and_the_next_build_finishes(resumed) -> None:  # type: ignore[no-untyped-def]
    out, _ = resumed
    assert_complete_build(out, (RESUMED,))


@pytest.mark.parametrize("how", [("--jobs", "1"), ("--executor", "dask")],
                         ids=["serial", "dask"])
def test_ctrl_c_stops_other_builds_quietly(how: tuple[str, ...], tmp_path: Path,
                                           scored: Path) -> None:
    """With one job the notebooks run in the build process itself: Ctrl-C lets the running
    one finish, and stops. On a local Dask cluster the build process stops its workers.
    Either way a second build finishes the rest."""
    out = seed_tables(scored, tmp_path / "outputs")
    proc = start(paths.data_dir(), out, *how, areas=(RESUMED,))
    wait_for(lambda: bool(executed(out)), proc)
    code, err = kill_group(proc, signal.SIGINT)
    assert_stopped_quietly(code, err)
    assert_outputs_complete(out)
    assert 0 < len(executed(out)) < len(AREA_NOTEBOOKS)
    run_build(paths.data_dir(), out, *how, areas=(RESUMED,))
    assert_complete_build(out, (RESUMED,))


def test_kill_to_the_build_process_alone_stops_it_and_its_workers(tmp_path: Path,
                                                                   scored: Path) -> None:
    """`kill PID` (SIGTERM: also a job scheduler's time limit) stops a build as Ctrl-C does;
    it used to end the build process at once and leave its workers and kernels running."""
    out = seed_tables(scored, tmp_path / "outputs")
    proc = start(paths.data_dir(), out, areas=(RESUMED,))
    wait_for(lambda: bool(executed(out)), proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=90)  # a kernel left running would hold stderr open
    assert_stopped_quietly(proc.returncode, err)
    assert_outputs_complete(out)
    assert not _group_left(proc.pid), "processes of the build still running"


def _group_left(pgid: int, wait: float = 10) -> bool:
    """Whether any process of the process group is still there after ``wait`` seconds (the
    fork server and resource tracker exit once they see the build process gone)."""
    end = time.monotonic() + wait
    while time.monotonic() < end:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.1)
    return True


def test_sigkill_during_rebuild_keeps_previous_reports_or_replaces_them(  # type: ignore[no-untyped-def]
        reference, tmp_path: Path) -> None:
    src, _ = reference
    out = tmp_path / "outputs"
    shutil.copytree(src, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    proc = start(paths.data_dir(), out, "--force")
    nb = out / AREAS[0] / "notebooks" / f"{AREA_NOTEBOOKS[0]}.ipynb"
    stamp = nb.stat().st_mtime_ns
    wait_for(lambda: any(p.stat().st_mtime_ns > stamp for p in executed(out)), proc)
    time.sleep(2.0)
    code, _ = kill_group(proc, signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert_outputs_complete(out)
    for rel, data in before.items():
        path = out / rel
        assert path.exists(), rel
        if rel.suffix == ".html":
            now = path.read_bytes()
            assert now == data or now.rstrip().endswith(b"</html>"), rel
    run_build(paths.data_dir(), out)
    assert_complete_build(out)
    for area in AREAS:
        rel = Path(area) / "report.html"
        assert (out / rel).read_bytes() == before[rel]


# reproducibility --------------------------------------------------------------------------
def test_reruns_in_other_folders_are_byte_identical(reference, resumed) -> None:  # type: ignore[no-untyped-def]
    a, _ = reference
    b, _ = resumed
    compared = ["aggregate/report.html", "aggregate/notebooks/aggregate.ipynb",
                f"{RESUMED}/report.html"]
    compared += [f"{RESUMED}/notebooks/{n}.ipynb" for n in AREA_NOTEBOOKS]
    compared += [str(p.relative_to(a)) for p in sorted((a / RESUMED / "tables").iterdir())]
    compared += [str(p.relative_to(a)) for p in sorted((a / "tables").rglob("*"))
                 if p.is_file()]  # the cross-area tables and each area's view of them
    assert sum(c.endswith(".parquet") for c in compared) >= 10
    different = [c for c in compared if (a / c).read_bytes() != (b / c).read_bytes()]
    assert not different
    for built, area in [(a, AREAS[0]), (a, AREAS[1]), (b, RESUMED)]:
        text = (built / area / "notebooks" / f"{AREA_NOTEBOOKS[0]}.ipynb").read_text()
        assert str(built) not in text and str(paths.data_dir()) not in text
        assert 'output_dir = \\"<output_dir>\\"' in text


def test_manifest_records_inputs_parameters_versions_and_work(reference) -> None:  # type: ignore[no-untyped-def]
    out, _ = reference
    m = json.loads((out / "manifest.json").read_text())
    for area in AREAS:
        digest = m["inputs"][f"cases/{area}.csv"]
        import hashlib

        expected = hashlib.sha256((paths.data_dir() / "cases" / f"{area}.csv").read_bytes())
        assert digest == expected.hexdigest()
    assert "areas.csv" in m["inputs"]
    assert any(k.startswith("context/") for k in m["inputs"])
    assert all(re.fullmatch(r"[0-9a-f]{64}", v) for v in m["inputs"].values())
    p = m["parameters"]
    assert sorted(p["areas"]) == sorted(AREAS) and p["publish"] is False and p["threshold"] == 5
    assert {"engine", "lenient", "force"} <= set(p)
    for package in ("python", "iaow-analysis", "papermill", "nbconvert", "pandas"):
        assert m["versions"][package] not in ("", "absent"), package
    assert len(m["executed"]) == (2 * len(AREA_NOTEBOOKS)
                                  + len(AGGREGATE_CHAPTERS) * (1 + len(m["groups"])))
    assert m["reused"] == [] and m["failed"] == {}
    assert sorted(m["notebook_seconds"]) == m["executed"]
    assert all(v > 0 for v in m["notebook_seconds"].values())
    assert f"{AREAS[0]}/{AREA_NOTEBOOKS[0]}" in m["executed"]


# disclosure --------------------------------------------------------------------------------
def test_no_case_id_in_any_file_or_log(reference, resumed) -> None:  # type: ignore[no-untyped-def]
    ids: set[str] = set()
    for path in (paths.data_dir() / "cases").glob("*.csv"):
        ids |= set(pd.read_csv(path, dtype=str)["case_id"])
    assert len(ids) > 500
    by_prefix: dict[str, set[str]] = {}  # ids sought only where their prefix occurs
    for i in ids:
        by_prefix.setdefault(i.rsplit("-", 1)[0], set()).add(i)
    assert 1 < len(by_prefix) < len(ids) / 10

    def found(text: str) -> list[str]:
        return [i for prefix, group in by_prefix.items() if prefix in text
                for i in group if i in text]

    for out, log in (reference, resumed):
        assert not found(log)
        scanned = 0
        for path in out.rglob("*"):
            if path.is_file():
                text = path.read_bytes().decode("latin-1")
                assert not found(text), (path, found(text))
                scanned += 1
        assert scanned > 60
    assert found(f"a report naming {min(ids)} by mistake") == [min(ids)]


# publication mode and escaping ---------------------------------------------------------------
@pytest.fixture(scope="module")
def publication(published: Built) -> Path:
    """--publish --threshold 5 of Durham Tees Valley and Tiny Shire, whose display name is
    markup (the session's publication build: read only)."""
    return published.out


def _is_count(header: str) -> bool:
    return header in {"Sufficient (k)", "Cases", "Cases identified (n)", "Cases identified",
                      "k"} or header.startswith("Inspectors:")


def test_escaped_markup_in_area_name(publication: Path) -> None:
    for page in (publication / TINY / "report.html", publication / "index.html",
                 publication / "aggregate" / "report.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>alert(1)" not in html, page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Shire" in html, page


def test_publication_mode_suppresses_small_counts(publication: Path) -> None:
    pages = [publication / a / doc for a in PUBLISHED_AREAS for doc in ("report.html",
                                                                         "annex.html")]
    pages += [publication / "aggregate" / "report.html"]
    suppressed_cells = 0
    for page in pages:
        html = page.read_text(encoding="utf-8")
        if page.parent.name in PUBLISHED_AREAS and page.name == "report.html":
            assert "Publication rules: no number of people from 1 to 4" in html, page
        doc = parse(html)
        count_columns = 0
        for head, rows in doc.tables:
            for col, name in enumerate(head):
                if not _is_count(name):
                    continue
                count_columns += 1
                for row in rows:
                    if col < len(row):
                        cell = row[col]
                        suppressed_cells += cell == "[c]"
                        assert cell not in {"1", "2", "3", "4"}, (page.name, name, row)
        assert count_columns > 0 or page.name == "report.html", page  # tables: the annex
    assert suppressed_cells > 0


def _small(r: Any) -> bool:
    """A share whose count of cases, sufficient or not, is from 1 to 4 (threshold 5)."""
    return bool(r.n < 5 or 0 < r.k < 5 or 0 < r.n - r.k < 5)


def test_charts_leave_out_suppressed_questions(publication: Path) -> None:
    """Each outcome's key-question chart leaves out the hidden shares; an outcome all of
    whose key shares are hidden has no chart (Tiny Shire, of seven cases, loses some)."""
    checked = 0
    charts = {}
    for area in PUBLISHED_AREAS:
        q = pd.read_parquet(paths.area_tables(publication, area) / "question_scores.parquet")
        html = (publication / area / "report.html").read_text(encoding="utf-8")
        summaries = re.findall(r"<img ([^>]*)>\s*<figcaption>Key questions of outcome (\d)",
                               html)
        keys = q[q["key"] & (q["n"] > 0)]
        shown = {str(r.outcome) for r in keys.itertuples() if not _small(r)}
        charts[area] = len(summaries)
        assert sorted(o for _, o in summaries) == sorted(shown), area
        for attrs, outcome in summaries:
            found = re.search(r'alt="([^"]*)"', attrs)
            assert found, attrs[:200]
            alt = html_unescape(found.group(1))
            keyq = keys[keys["outcome"] == int(outcome)]
            for r in keyq.itertuples():
                if _small(r):
                    checked += 1
                    assert f"{r.label}: " not in alt, (area, r.question, alt)
                else:
                    assert f"{r.label}: {100 * r.share:.0f}% sufficient of {r.n} cases" \
                        in alt, (area, r.question, alt)
    # with the bundled data some key questions have fewer than 5 cases not sufficient
    assert checked > 0
    assert charts[TINY] < charts[BUILT_AREAS[0]] == 5  # the bank's five outcomes
