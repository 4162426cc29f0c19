"""Streamed scoring (issue #31): each area validated and scored on its own, in the workers;
nothing written when any file is bad, and every file's problems reported in one run; the same
tables as scoring every area at once."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .conftest import keep_listed

if TYPE_CHECKING:
    from analysis.pipeline.scores import ScoreJob

AREAS = ("braxbrook", "briskwick", "haskbrook")


def _data(tmp_path: Path) -> Path:
    """A data folder of three bundled areas."""
    from analysis.core import paths

    data = tmp_path / "data"
    shutil.copytree(paths.data_dir(), data, ignore=shutil.ignore_patterns("cases"))
    (data / "cases").mkdir()
    rows = ["area_id,name,label,cases"]
    for a in AREAS:
        shutil.copy(paths.data_dir() / "cases" / f"{a}.csv", data / "cases" / f"{a}.csv")
        rows.append(f"{a},{a.title()},synthetic,cases/{a}.csv")
    (data / "areas.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    keep_listed(data)
    return data


def _break(data: Path, area: str, old: str, new: str) -> None:
    path = data / "cases" / f"{area}.csv"
    header, first, *rest = path.read_text(encoding="utf-8").splitlines()
    bad = first.replace(old, new, 1)
    assert bad != first
    path.write_text("\n".join([header, bad, *rest]) + "\n", encoding="utf-8")


def _flip(data: Path, area: str) -> None:
    """A valid edit: one answer of one case changed."""
    import pandas as pd

    path = data / "cases" / f"{area}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "case_recording"] = "no" if frame.loc[0, "case_recording"] == "yes" else "yes"
    frame.to_csv(path, index=False, lineterminator="\n")


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file()}


class _Kernel(Exception):
    """Raised in place of starting the workers' kernels."""


def _no_kernel(self: object) -> None:
    raise _Kernel


def test_bad_files_among_good_ones_in_the_workers_write_nothing_and_report_every_problem(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from analysis.core.errors import InputError
    from analysis.pipeline.builder import build
    from analysis.pipeline.executors.local import LocalWorkers
    from analysis.pipeline.options import BuildOptions

    monkeypatch.setattr(LocalWorkers, "warm", _no_kernel)
    data = _data(tmp_path)
    _break(data, "braxbrook", ",yes,", ",yess,")
    _break(data, "haskbrook", ",no,", ",nope,")
    out = tmp_path / "out"
    with pytest.raises(InputError) as refused:  # jobs=2: areas scored in the workers
        build(BuildOptions(data=data, output=out, jobs=2, quiet=True))
    files = {p.file for p in refused.value.problems}
    assert files == {str(data / "cases" / "braxbrook.csv"), str(data / "cases" / "haskbrook.csv")}
    values = {p.value for p in refused.value.problems}
    assert {"yess", "nope"} <= values and all(p.row and p.column for p in refused.value.problems)
    # briskwick was valid and scored, but nothing was published: no tables, no staging left
    assert not any(p.is_file() for p in out.rglob("*")) if out.exists() else True


def test_a_refused_rebuild_keeps_every_previous_table(tmp_path: Path) -> None:
    """In this process (tables only): a valid change to one file and a bad one to another
    leave every table as it was."""
    from analysis.core.errors import InputError
    from analysis.pipeline.builder import build
    from analysis.pipeline.options import BuildOptions

    data = _data(tmp_path)
    out = tmp_path / "out"
    build(BuildOptions(data=data, output=out, quiet=True, tables_only=True))
    before = _files(out)
    _flip(data, "briskwick")  # valid
    _break(data, "haskbrook", ",no,", ",nope,")  # not
    with pytest.raises(InputError) as refused:
        build(BuildOptions(data=data, output=out, quiet=True, tables_only=True))
    assert [p.value for p in refused.value.problems] == ["nope"]
    assert _files(out) == before


def test_another_areas_cases_in_a_case_file_are_refused(tmp_path: Path) -> None:
    from analysis.core.errors import InputError
    from analysis.pipeline.builder import build
    from analysis.pipeline.options import BuildOptions

    data = _data(tmp_path)
    path = data / "cases" / "briskwick.csv"
    header, first, *rest = path.read_text(encoding="utf-8").splitlines()
    stray = first.replace("briskwick", "haskbrook", 1).replace("SYN-BRI-0001", "SYN-BRI-9999")
    path.write_text("\n".join([header, first, *rest, stray]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        build(BuildOptions(data=data, output=tmp_path / "out", quiet=True, tables_only=True))
    (p,) = refused.value.problems
    assert (p.file, p.column, p.value) == (str(path), "area_id", "haskbrook")


def test_streamed_tables_equal_scoring_every_area_at_once(scored: Path, tmp_path: Path) -> None:
    """The tables a build writes, area by area and then across areas from the written
    summaries, are byte for byte those of validating every file together and scoring from
    memory (the build before issue #31)."""
    from analysis.core import paths
    from analysis.method import crossarea
    from analysis.method.bank import load_bank
    from analysis.method.catalogue import load_areas
    from analysis.method.published import headline_scores
    from analysis.method.scoring import score_area, sensitivity_table
    from analysis.method.tables import write_tables
    from analysis.method.validation import load_cases

    bank = load_bank()
    areas = load_areas(paths.data_dir())
    data = load_cases([a.cases for a in areas], bank)
    every = {}
    for a in areas:
        cases = data.area(a.id)
        tables = score_area(cases, bank, a.id).as_dict()
        tables["sensitivity"] = sensitivity_table(cases, bank, a.id,
                                                  headline_scores(paths.data_dir(), a.id))
        every[a.id] = tables
    for a in areas[:2]:
        write_tables(every[a.id], tmp_path / a.id)
        theirs = paths.area_tables(scored, a.id)
        for p in sorted((tmp_path / a.id).glob("*.*")):
            assert p.read_bytes() == (theirs / p.name).read_bytes(), (a.id, p.name)
    shared = crossarea.comparison_tables(every)
    names = [n for n in shared if n != "comparisons"]  # the file adds the groups' rows
    write_tables({n: shared[n] for n in names}, tmp_path / "all")
    for n in names:
        for suffix in (".csv", ".parquet"):
            assert ((tmp_path / "all" / f"{n}{suffix}").read_bytes()
                    == (paths.all_tables(scored) / f"{n}{suffix}").read_bytes()), n


def _job(data: Path, area_id: str, staging: Path) -> ScoreJob:
    from analysis.method.catalogue import load_areas
    from analysis.pipeline.scores import ScoreJob

    area = next(a for a in load_areas(data) if a.id == area_id)
    return ScoreJob(area, str(data), str(staging), "d", lenient=False, scoring=None)


def test_a_packed_job_stages_what_the_job_stages_and_names_the_builds_file(
        tmp_path: Path) -> None:
    """Scoring from the files a job carries (on a Dask worker that does not share the
    build's folders) stages the same bytes as scoring in place, the published figures
    included; a bad file's problems name the build's file, not the worker's copy."""
    from analysis.core import paths
    from analysis.pipeline.scores import PackedScoreJob, score_one, score_packed

    durham = "durham-tees-valley"
    job = _job(paths.data_dir(), durham, tmp_path / "here")
    assert not score_one(job).problems
    staged = score_packed(PackedScoreJob.of(job))
    assert not staged.outcome.problems and staged.files
    staged.unpack(tmp_path / "there")
    assert _files(tmp_path / "there") == _files(tmp_path / "here")

    data = _data(tmp_path)
    _break(data, "haskbrook", ",no,", ",nope,")
    bad = score_packed(PackedScoreJob.of(_job(data, "haskbrook", tmp_path / "s")))
    assert bad.outcome.problems and not bad.files
    assert {p.file for p in bad.outcome.problems} == {str(data / "cases" / "haskbrook.csv")}


def test_a_dask_build_scores_on_its_workers_and_refuses_as_a_local_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--executor dask: the changed areas are scored on the cluster's workers (the build
    process scores none), every bad file is reported by the build's path and
    nothing is written."""
    from analysis.core.errors import InputError
    from analysis.pipeline import builder
    from analysis.pipeline.builder import build
    from analysis.pipeline.options import BuildOptions

    def here(job: object) -> None:
        raise AssertionError("scored in the build process")

    monkeypatch.setattr(builder, "score_one", here)
    data = _data(tmp_path)
    _break(data, "braxbrook", ",yes,", ",yess,")
    _break(data, "haskbrook", ",no,", ",nope,")
    out = tmp_path / "out"
    with pytest.raises(InputError) as refused:
        build(BuildOptions(data=data, output=out, jobs=2, quiet=True, executor="dask"))
    files = {p.file for p in refused.value.problems}
    assert files == {str(data / "cases" / "braxbrook.csv"), str(data / "cases" / "haskbrook.csv")}
    assert not any(p.is_file() for p in out.rglob("*")) if out.exists() else True


def test_a_dask_cluster_scores_areas_as_this_process_does(tmp_path: Path) -> None:
    """Areas scored on a real LocalCluster's workers stage the bytes this process stages
    for them, and come back in the jobs' order."""
    from analysis.core import paths
    from analysis.method.catalogue import load_areas
    from analysis.pipeline.builder import _scored
    from analysis.pipeline.executors.dask import DaskExecutor
    from analysis.pipeline.options import BuildOptions
    from analysis.pipeline.scores import score_one

    ids = [a.id for a in load_areas(paths.data_dir())][:3]
    executor = DaskExecutor(BuildOptions(output=tmp_path / "out", jobs=1, quiet=True))
    try:
        executor.start()
        jobs = [_job(paths.data_dir(), a, tmp_path / "there") for a in ids]
        outcomes = list(_scored(executor, executor.score(jobs[0]), jobs[1:], window=2))
    finally:
        executor.close()
    assert [o.area_id for o in outcomes] == ids and not any(o.problems for o in outcomes)
    for job in jobs:
        score_one(_job(paths.data_dir(), job.area.id, tmp_path / "here"))
    assert _files(tmp_path / "there") == _files(tmp_path / "here")
    assert len(_files(tmp_path / "here")) > 3 * 5


def test_workers_of_another_package_version_are_refused(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker whose package differs would score and run under this build's stamp."""
    from analysis.core.errors import InputError
    from analysis.pipeline.executors import dask as dx

    class Client:
        def run(self, fn: object) -> dict[str, str]:
            return {"tcp://a:1": "ours", "tcp://b:2": "old"}

    monkeypatch.setattr("analysis.pipeline.digests.package_digest", lambda: "ours")
    with pytest.raises(InputError) as refused:
        dx.check_workers(Client(), "tcp://sched:8786")  # type: ignore[arg-type]
    (p,) = refused.value.problems
    assert p.value == "tcp://b:2" and "tcp://sched:8786" in p.file and "1 of 2" in p.message


def test_score_jobs_are_handed_out_a_window_at_a_time(tmp_path: Path) -> None:
    """However many areas changed, at most ``window`` jobs are with the workers at once
    (on Dask a finished job's tables wait on its worker until taken); every job is taken,
    in order."""
    from analysis.pipeline.builder import _scored
    from analysis.pipeline.scores import ScoreOutcome

    class Executor:
        def __init__(self) -> None:
            self.out = self.most = 0

        def score(self, job: ScoreJob) -> Executor.Pending:
            self.out += 1
            self.most = max(self.most, self.out)
            return Executor.Pending(self, job.area.id)

        class Pending:
            def __init__(self, executor: Executor, area_id: str) -> None:
                self.executor, self.area_id = executor, area_id

            def result(self) -> ScoreOutcome:
                self.executor.out -= 1
                return ScoreOutcome(self.area_id)

    from analysis.core import paths

    base = _job(paths.data_dir(), "braxbrook", tmp_path)
    jobs = [replace(base, area=replace(base.area, id=f"area-{i}")) for i in range(20)]
    executor = Executor()
    outcomes = list(_scored(executor, executor.score(jobs[0]), jobs[1:], window=3))  # type: ignore[arg-type]
    assert [o.area_id for o in outcomes] == [j.area.id for j in jobs]
    assert executor.most == 3


@pytest.mark.parametrize("budget", [0, 2 * 2**20])
def test_cross_area_tables_are_the_same_whatever_the_area_tables_kept(
        scored: Path, tmp_path: Path, budget: int) -> None:
    """The cross-area step keeps the area tables it has read up to a budget (the session's
    tables were made with the build's, which holds them all): with none kept, or only the
    scores and the first two areas' resample counts, every group's and all areas' table is
    byte for byte the same."""
    from analysis.core import paths
    from analysis.method.catalogue import groups_of, load_areas
    from analysis.pipeline.digests import package_digest
    from analysis.pipeline.outputs import OutputTree
    from analysis.pipeline.scores import (
        TableDigests,
        TableReads,
        write_group_tables,
        write_shared_tables,
    )

    from .conftest import seed_tables

    out = OutputTree(seed_tables(scored, tmp_path / "outputs"))
    areas = load_areas(paths.data_dir(), check_cases=False)
    groups, digests, package = groups_of(areas), TableDigests(out), package_digest()
    reads = TableReads(budget)
    write_group_tables(out, groups, digests, package, True, reads)
    write_shared_tables(out, areas, groups, digests, package, True, reads)
    counts = [p for p in reads.kept if p.name == "bootstrap_counts.parquet"]
    assert reads.used <= budget and reads.full and len(counts) == (2 if budget else 0)
    folders = [paths.all_tables(out.root), *(paths.group_tables(out.root, g.id) for g in groups)]
    for folder in folders:
        theirs = scored / folder.relative_to(out.root)
        for p in sorted(folder.glob("*.*")):
            assert p.read_bytes() == (theirs / p.name).read_bytes(), (folder.name, p.name)


def test_table_reads_keep_the_first_tables_read_until_one_does_not_fit(scored: Path) -> None:
    """Tables are kept in the order first read until one does not fit the budget; after it
    nothing more is kept (each pass over the areas then still finds the first ones), and a
    kept table answers a selection of columns as the file does."""
    import pyarrow.parquet as pq

    from analysis.core import paths
    from analysis.pipeline.scores import TableReads

    def path(area: str, name: str) -> Path:
        return paths.area_tables(scored, area) / f"{name}.parquet"

    counts = pq.read_table(path("braxbrook", "bootstrap_counts")).nbytes
    reads = TableReads(counts + counts // 2)
    reads.read(path("braxbrook", "bootstrap_counts"), "bootstrap_counts")
    reads.read(path("briskwick", "bootstrap_counts"), "bootstrap_counts")
    reads.read(path("braxbrook", "question_scores"), "question_scores")
    assert list(reads.kept) == [path("braxbrook", "bootstrap_counts")]
    assert reads.used == counts and reads.full

    def keep(c: str) -> bool:
        return c.endswith("psr_oral_record")

    for area in ("braxbrook", "briskwick"):
        fresh = TableReads(0).read(path(area, "bootstrap_counts"), "bootstrap_counts", keep)
        assert list(fresh.columns) == ["k:psr_oral_record", "n:psr_oral_record"]
        assert reads.read(path(area, "bootstrap_counts"), "bootstrap_counts", keep).equals(
            fresh)
    reads.clear()
    assert not reads.kept and reads.used == 0 and not reads.full


@pytest.mark.parametrize("budget", [0, 2**20])
def test_table_reads_refuse_a_table_without_its_declared_columns(
        scored: Path, tmp_path: Path, budget: int) -> None:
    """A table written by another version of the package (a declared column missing) is
    refused with what it lacks and how to rebuild it, kept or not."""
    import pyarrow.parquet as pq

    from analysis.core import paths
    from analysis.method.tables import TableError
    from analysis.pipeline.scores import TableReads

    table = pq.read_table(paths.area_tables(scored, "braxbrook") / "question_scores.parquet")
    old = tmp_path / "question_scores.parquet"
    pq.write_table(table.drop_columns(["label"]), old)
    with pytest.raises(TableError, match=r"lacks columns label: rebuild it with"):
        TableReads(budget).read(old, "question_scores")
