"""The end of a build: PDFs printed only when not current, with progress; the last lines
name the index, the aggregate report and where the PDFs are."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from analysis.pipeline.builder import print_pdfs, summary
from analysis.pipeline.pages import BuildResult
from tests.test_pdf import FAKE, reports

from .conftest import keep_listed


def _builder(root: Path, report_paths: list[Path], quiet: bool = False,
             force: bool = False) -> SimpleNamespace:
    return SimpleNamespace(result=BuildResult(reports=report_paths),
                           o=SimpleNamespace(quiet=quiet, force=force),
                           out=SimpleNamespace(root=root))


def test_only_pdfs_that_are_not_current_are_printed(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    fake = tmp_path / "fake-chromium"
    fake.write_text(FAKE)
    fake.chmod(0o755)
    monkeypatch.setenv("IAOW_CHROMIUM", str(fake))
    root = tmp_path / "out"
    found = reports(root, "north", "aggregate")
    b = _builder(root, found)
    print_pdfs(b)  # type: ignore[arg-type]
    assert b.result.printed == 2 and b.result.pdfs == [r.with_suffix(".pdf") for r in found]
    assert capsys.readouterr().err.splitlines()[1].startswith("pdf 2/2: aggregate -> ")
    again = _builder(root, found, quiet=True)
    print_pdfs(again)  # type: ignore[arg-type]
    assert again.result.printed == 0 and len(again.result.pdfs) == 2
    forced = _builder(root, found, quiet=True, force=True)
    print_pdfs(forced)  # type: ignore[arg-type]
    assert forced.result.printed == 2 and capsys.readouterr().err == ""


def test_the_build_ends_naming_the_index_the_aggregate_and_the_pdfs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (report,) = reports(tmp_path, "aggregate")
    summary(BuildResult(pdfs=[report.with_suffix(".pdf")], printed=1), tmp_path, quiet=True)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"PDFs: {tmp_path} ")
    assert lines[-2:] == [f"index: {tmp_path / 'index.html'}", f"aggregate report: {report}"]
    summary(BuildResult(), tmp_path / "none", quiet=True)
    assert capsys.readouterr().out.splitlines() == [f"index: {tmp_path / 'none' / 'index.html'}"]


@pytest.mark.slow
def test_a_lenient_build_takes_a_strict_builds_tables_and_not_the_other_way(
        scored: Path, tmp_path: Path) -> None:
    """Leniency only lets more through: a file valid without it reads the same with it, so a
    lenient build reuses strict tables; a strict build rescores what a lenient one wrote."""
    from analysis.core import paths
    from analysis.pipeline.builder import Builder, build
    from analysis.pipeline.inputs import Inputs, select_areas
    from analysis.pipeline.options import BuildOptions

    from .conftest import seed_tables

    out = seed_tables(scored, tmp_path / "outputs")
    stamps = sorted(out.glob("*/tables/.source.digest"))
    assert len(stamps) == 12

    def recorded() -> dict[Path, str]:
        return {p: p.read_text() for p in stamps}

    strict = recorded()
    lenient = build(BuildOptions(data=paths.data_dir(), output=out, quiet=True,
                                 tables_only=True, lenient=True))
    assert lenient.exit_code == 0 and recorded() == strict
    area = next(a for a in select_areas(paths.data_dir(), None) if a.id == "braxbrook")
    lenient_builder = Builder(BuildOptions(data=paths.data_dir(), output=out, lenient=True))
    lenient_builder.inputs = Inputs.record(lenient_builder.data, [area])
    (stamp,) = [p for p in stamps if p.parent == paths.area_tables(out, area.id)]
    stamp.write_text(lenient_builder.source_digest(area))  # as a lenient build writes it
    assert recorded() != strict
    again = build(BuildOptions(data=paths.data_dir(), output=out, quiet=True, tables_only=True))
    assert again.exit_code == 0 and recorded() == strict


def test_a_build_refused_for_bad_input_starts_no_kernel(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers validate and score the areas; their kernels start once the data is valid,
    never for a build that is refused."""
    import shutil

    from analysis.core import paths
    from analysis.core.errors import InputError
    from analysis.pipeline.builder import build
    from analysis.pipeline.executors.local import LocalWorkers
    from analysis.pipeline.options import BuildOptions

    monkeypatch.setattr(LocalWorkers, "warm", _stop)
    data = tmp_path / "data"
    shutil.copytree(paths.data_dir(), data, ignore=shutil.ignore_patterns("cases"))
    (data / "cases").mkdir()
    source = paths.data_dir() / "cases" / "braxbrook.csv"
    header, first, *rest = source.read_text(encoding="utf-8").splitlines()
    (data / "areas.csv").write_text("area_id,name,label,cases\nbraxbrook,Braxbrook,synthetic,"
                                    "cases/braxbrook.csv\n", encoding="utf-8")
    keep_listed(data)
    bad = first.replace(",yes,", ",yess,", 1)
    assert bad != first
    (data / "cases" / "braxbrook.csv").write_text("\n".join([header, bad, *rest]) + "\n",
                                                  encoding="utf-8")
    with pytest.raises(InputError):  # not _Started: no kernel was started
        build(BuildOptions(data=data, output=tmp_path / "out", jobs=2, quiet=True))
    (data / "cases" / "braxbrook.csv").write_text("\n".join([header, first, *rest]) + "\n",
                                                  encoding="utf-8")
    with pytest.raises(_Started):
        build(BuildOptions(data=data, output=tmp_path / "out", jobs=2, quiet=True))


class _Started(Exception):
    """Raised by :func:`_stop` in place of starting the workers' kernels."""


def _stop(self: object) -> None:
    raise _Started


def test_the_preloaded_modules_are_the_cross_area_steps_own(scored: Path,
                                                            tmp_path: Path) -> None:
    """Every module the build imports ahead of its cross-area step is one that importing the
    build does not load already and that the step imports (a stale name would cost the build
    an import for nothing)."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from pathlib import Path\n"
            "from analysis.core import paths\n"
            "from analysis.method.catalogue import groups_of\n"
            "from analysis.pipeline.builder import CROSS_AREA_MODULES, Builder\n"
            "from analysis.pipeline.inputs import select_areas\n"
            "from analysis.pipeline.options import BuildOptions\n"
            f"b = Builder(BuildOptions(data=paths.data_dir(), output=Path({str(tmp_path)!r}),"
            " force=True))\n"
            "print([m for m in CROSS_AREA_MODULES if m in sys.modules])\n"
            "every = select_areas(b.data, None)\n"
            "b.every, b.groups = every, groups_of(every)\n"
            "b.cross_area(every)\n"
            "print([m for m in CROSS_AREA_MODULES if m not in sys.modules])\n")
    import shutil

    shutil.copytree(scored, tmp_path, dirs_exist_ok=True)
    proc = subprocess.run([sys.executable, "-c", code], text=True, capture_output=True,
                          timeout=300, check=True)
    assert proc.stdout.split("\n")[:2] == ["[]", "[]"], proc.stdout + proc.stderr[-2000:]


def test_a_chapter_planned_in_several_stages_has_its_parameters_read_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The aggregate is planned for each group, then for all areas: its declared parameters
    come from the worker that read them each time, never from this process (reading them
    here imports papermill into the build process)."""
    from concurrent.futures import Future

    from analysis.core import paths
    from analysis.pipeline import builder as b
    from analysis.pipeline.options import BuildOptions

    read: list[str] = []
    monkeypatch.setattr(b, "declared_parameters", lambda path: read.append(path) or ["x"])
    build = b.Builder(BuildOptions(data=paths.data_dir(), output=tmp_path))
    worker: Future[list[str]] = Future()
    worker.set_result(["area_id"])
    build.declared["aggregate"] = worker
    source = tmp_path / "aggregate.ipynb"
    assert [build._declared("aggregate", source) for _ in range(3)] == [["area_id"]] * 3
    assert read == []
    assert [build._declared("other", source) for _ in range(2)] == [["x"]] * 2
    assert read == [str(source)]  # without a worker, read here once


_ALLOCATOR = """
import sys
from analysis.cli import main
main(["build", "--data", sys.argv[1], "--output", sys.argv[2], "--tables-only", "--quiet"])
import pyarrow
print(pyarrow.default_memory_pool().backend_name)
"""


@pytest.mark.parametrize(("given", "used"), [(None, "system"), ("mimalloc", "mimalloc")])
def test_a_build_reads_tables_with_the_system_allocator_unless_told_otherwise(
        given: str | None, used: str, tmp_path: Path, scored: Path) -> None:
    """Arrow's own allocator keeps what it freed: the build process grew with the tables it
    had read. Its workers and kernels inherit the choice."""
    import os
    import subprocess
    import sys

    from analysis.core import paths
    from analysis.pipeline.builder import ARROW_ALLOCATOR

    from .conftest import seed_tables

    out = seed_tables(scored, tmp_path / "outputs")
    env = {k: v for k, v in os.environ.items() if k != ARROW_ALLOCATOR[0]}
    if given:
        env[ARROW_ALLOCATOR[0]] = given
    run = subprocess.run([sys.executable, "-c", _ALLOCATOR, str(paths.data_dir()), str(out)],
                         capture_output=True, text=True, env=env, cwd=paths.REPO_ROOT,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split()[-1] == used
