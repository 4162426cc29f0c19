"""The method's run in a build: score changed areas, write their tables and the cross-area ones.

This is the only place a build runs the method; chapters read what is written here.

Streamed: each changed area is validated and scored on its own (:func:`score_one`, a job for
the build's workers), its tables written to a staging folder; the build publishes them only
when every file was valid (:class:`Staging`), so a refused build writes nothing and still
reports the problems of every file. The cross-area step then reads the areas' summary tables
one area at a time (:class:`AreaTables`): no process ever holds every area's cases, nor every
area's bootstrap counts, at once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..core import paths
from ..core.errors import InputError, Problem
from ..method.catalogue import Area, Group
from ..method.tables import AREA_TABLES
from .digests import digest_of, file_digest
from .outputs import OutputTree

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from ..method.bank import QuestionBank


class TableDigests:
    """Digests of each area's written tables, hashed once per build (after they are written)."""

    def __init__(self, out: OutputTree) -> None:
        self.out = out
        self._cache: dict[str, str] = {}

    def __call__(self, area_id: str) -> str:
        if area_id not in self._cache:
            folder = paths.area_tables(self.out.root, area_id)
            self._cache[area_id] = digest_of(
                {n: file_digest(folder / f"{n}.parquet") for n in AREA_TABLES})
        return self._cache[area_id]


def write_area_tables(out: OutputTree, area: Area, cases: pd.DataFrame, bank: QuestionBank,
                      digest: str, published: Mapping[int, int]) -> None:
    """Score one area's validated cases and write its tidy tables and their stamp; with the
    area's published headline scores (if it has a report), the sensitivity table too (empty
    otherwise, so every area has the same tables)."""
    from ..method.scoring import score_area, sensitivity_table
    from ..method.tables import write_tables

    target = out.area_tables(area.id)
    tables = score_area(cases, bank, area.id).as_dict()
    tables["sensitivity"] = sensitivity_table(cases, bank, area.id, published)
    write_tables(tables, target.stamp.parent)
    target.mark(digest)


# streamed scoring ---------------------------------------------------------------------------
STAGING_PREFIX = ".staging-"


@dataclass(frozen=True)
class ScoreJob:
    """One area to validate and (unless ``write`` is false) score into ``staging``: picklable,
    so it runs in a build's worker process as well as in the build's own."""

    area: Area
    data: str            # the data folder (the area's published figures are read from it)
    staging: str         # the staging output folder: tables go to <staging>/<area>/tables
    digest: str          # the stamp of the area's tables
    lenient: bool
    scoring: str | None  # the scoring reading of the bank
    write: bool = True   # false: validate only (a dry run that needs no tables)
    relay: bool = False  # capture this job's log records and return them (in a worker)


@dataclass
class ScoreOutcome:
    """What came back from one area's job: its problems (none: its tables are staged), the
    warnings of a lenient reading, the other area ids its file holds, and its log records."""

    area_id: str
    problems: list[Problem] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    records: list[logging.LogRecord] = field(default_factory=list)


@cache
def _bank(scoring: str | None) -> QuestionBank:
    from ..method.bank import load_bank

    return load_bank().with_reading(scoring)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args = record.getMessage(), None  # picklable whatever the args
        record.exc_info = None
        self.records.append(record)


_RELAY_LOCK = threading.Lock()


@contextlib.contextmanager
def _relayed(on: bool) -> Iterator[list[logging.LogRecord]]:
    """In a worker, the package's log records of one job are kept to be logged again by the
    build (a worker's own logging is not configured), not printed here. The logger is the
    process's, so one relayed job runs at a time in a process (a Dask worker may have
    several threads): another job's records never reach this one's list."""
    if not on:
        yield []
        return
    logger = logging.getLogger("analysis")
    handler = _Collect()
    with _RELAY_LOCK:
        level, propagate = logger.level, logger.propagate
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
        try:
            yield handler.records
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate


def score_one(job: ScoreJob) -> ScoreOutcome:
    """Validate one area's case file; if valid, score it and write its tables to staging.

    Only this area's cases are held, and only while it is scored.
    """
    from ..method.published import headline_scores
    from ..method.validation import load_cases

    outcome = ScoreOutcome(job.area.id)
    with _relayed(job.relay) as records:
        bank = _bank(job.scoring)
        try:
            data = load_cases([job.area.cases], bank, lenient=job.lenient)
        except InputError as exc:
            outcome.problems = list(exc.problems)
        else:
            outcome.others = [a for a in data.areas if a != job.area.id]
            frame = data.area(job.area.id)
            del data
            if frame.empty:
                outcome.problems.append(Problem(
                    str(job.area.cases), f"area '{job.area.id}' has no cases",
                    column="area_id", value=job.area.id,
                    allowed="at least one case row for each area listed in areas.csv"))
            elif job.write:
                write_area_tables(OutputTree(Path(job.staging)), job.area, frame, bank,
                                  job.digest, headline_scores(Path(job.data), job.area.id))
    outcome.records = records
    return outcome


# scoring on a worker that does not share the build's folders --------------------------------
@dataclass(frozen=True)
class PackedScoreJob:
    """A score job with the files it reads (the area's case file and its published figures,
    if any): what travels to a worker that does not share the build's folders (Dask)."""

    job: ScoreJob
    cases: bytes
    published: bytes | None

    @classmethod
    def of(cls, job: ScoreJob) -> PackedScoreJob:
        from ..method.published import published_path

        published = published_path(Path(job.data), job.area.id)
        return cls(job, job.area.cases.read_bytes(),
                   published.read_bytes() if published.exists() else None)


@dataclass
class StagedTables:
    """What came back from a packed job: its outcome and the files it staged, by their path
    under the staging folder."""

    outcome: ScoreOutcome
    files: dict[str, bytes]

    def unpack(self, staging: Path) -> ScoreOutcome:
        """Write the staged files into the build's staging folder; the job's outcome."""
        for rel, data in self.files.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return self.outcome


def score_packed(packed: PackedScoreJob) -> StagedTables:
    """:func:`score_one` in a folder of its own, from the files the job carries; its staged
    tables come back as bytes. Problems and log records name the build's case file, not the
    copy scored here."""
    from ..method.published import published_path

    job = packed.job
    with tempfile.TemporaryDirectory(prefix="iaow-score-") as tmp:
        root = Path(tmp)
        cases = root / "cases" / job.area.cases.name
        cases.parent.mkdir()
        cases.write_bytes(packed.cases)
        data = root / "data"
        if packed.published is not None:
            published = published_path(data, job.area.id)
            published.parent.mkdir(parents=True)
            published.write_bytes(packed.published)
        staging = root / "staging"
        outcome = score_one(replace(job, area=replace(job.area, cases=cases), data=str(data),
                                    staging=str(staging)))
        files = {p.relative_to(staging).as_posix(): p.read_bytes()
                 for p in sorted(staging.rglob("*")) if p.is_file()}
    here, there = str(cases), str(job.area.cases)
    outcome.problems = [replace(p, file=p.file.replace(here, there),
                                message=p.message.replace(here, there))
                        for p in outcome.problems]
    for record in outcome.records:
        record.msg = str(record.msg).replace(here, there)
    return StagedTables(outcome, files)


def relay(outcome: ScoreOutcome) -> None:
    """Log a worker's records in this process, as if logged here."""
    for record in outcome.records:
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)


def cross_file_problems(outcomes: Sequence[ScoreOutcome], areas: Sequence[Area],
                        subset: bool) -> list[Problem]:
    """What one file's validation cannot see: rows of another area in an area's case file
    (each area's cases are in its own file), and areas not listed at all in areas.csv."""
    listed = {a.id for a in areas}
    files = {a.id: str(a.cases) for a in areas}
    problems = []
    for o in outcomes:
        other = [a for a in o.others if a in listed]
        if other:
            problems.append(Problem(files[o.area_id], f"cases of another area in the case file "
                                    f"of area '{o.area_id}'", column="area_id",
                                    value=", ".join(other),
                                    allowed=f"only area '{o.area_id}': each area's cases are "
                                    "in its own case file (areas.csv)"))
    stray = sorted({a for o in outcomes for a in o.others} - listed)
    if stray and not subset:
        problems.append(Problem(", ".join(files[o.area_id] for o in outcomes if o.others),
                                "cases for areas not listed in areas.csv", column="area_id",
                                value=", ".join(stray)))
    return problems


class Staging:
    """A folder beside the outputs that changed areas' tables are written to, and published
    from (each area's tables folder renamed into place) only when every file was valid."""

    def __init__(self, out: OutputTree) -> None:
        self.out = out
        self.root = out.root / f"{STAGING_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.new = not out.root.exists()  # a refused first build leaves no output folder

    def publish(self, area_ids: Sequence[str]) -> None:
        for a in area_ids:
            new = paths.area_tables(self.root, a)
            old = paths.area_tables(self.out.root, a)
            old.parent.mkdir(parents=True, exist_ok=True)
            trash = self.root / f".old-{a}"
            if old.exists():
                os.replace(old, trash)
            os.replace(new, old)
        self.discard()

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        if self.new:
            with contextlib.suppress(OSError):  # only if nothing else was written there
                self.out.root.rmdir()

    @staticmethod
    def clean(out: OutputTree) -> None:
        """Remove staging folders a killed build left behind."""
        if out.root.is_dir():
            for p in out.root.glob(f"{STAGING_PREFIX}*"):
                shutil.rmtree(p, ignore_errors=True)


# the cross-area step ------------------------------------------------------------------------
#: The area tables the cross-area tables are made from.
CROSS_AREA_INPUTS = ("question_scores", "outcome_scores", "factors", "distributions",
                     "bootstrap_counts")


#: The bytes of area tables the cross-area step keeps once read (Arrow's measure): every table
#: it reads of the 12 bundled areas (11 MiB, nine tenths of it their resample counts, 0.8 MiB
#: an area), and no more at any number of areas.
READ_BUDGET = 12 * 2**20


class TableReads:
    """The area tables the cross-area step has read, kept up to ``budget`` bytes.

    The step reads an area's tables again and again: for its groups' tables and then for the
    all-areas ones, and its resample counts once per outcome and once more for the groups'
    sums; each read of a small Parquet file costs about 5 ms, most of it fixed, so a
    one-area rebuild spent a fifth of its cross-area step reading. Tables are kept in the
    order first read until the budget is spent, and none is dropped for a newer one: the step
    passes over the areas in the same order each time, so dropping the oldest would miss on
    every read once the areas outgrew the budget, where keeping the first serves them on every
    pass. Once a table does not fit, nothing more is kept, and a table not kept is read from
    disk each time, only the columns asked for.
    """

    def __init__(self, budget: int = READ_BUDGET) -> None:
        self.budget = budget
        self.used = 0
        self.kept: dict[Path, pa.Table] = {}
        self.full = budget <= 0

    def read(self, path: Path, name: str,
             keep: Callable[[str], bool] | None = None) -> pd.DataFrame:
        """Table ``name`` at ``path``, or only the columns that ``keep`` accepts, in the
        table's order (refused, as :func:`analysis.method.tables.read_table` refuses it, when
        it lacks a declared column)."""
        import pyarrow.parquet as pq

        from ..method.tables import check_columns

        table = self.kept.get(path)
        if table is None and not self.full:
            table = pq.read_table(path)
            check_columns(path, name, table.column_names)
            self.full = self.used + table.nbytes > self.budget
            if not self.full:
                self.kept[path] = table
                self.used += table.nbytes
        if table is None:
            with pq.ParquetFile(path) as file:
                names = [c for c in file.schema_arrow.names if keep is None or keep(c)]
                if keep is None:
                    check_columns(path, name, names)
                table = file.read(columns=names)
        elif keep is not None:
            table = table.select([c for c in table.column_names if keep(c)])
        frame: pd.DataFrame = table.to_pandas()
        return frame

    def clear(self) -> None:
        """Drop every table kept (the step is over)."""
        self.kept.clear()
        self.used = 0
        self.full = self.budget <= 0


class AreaTables(Mapping[str, "pd.DataFrame"]):
    """One area's tables read back from Parquet when asked for (through ``reads``, which
    keeps them within its budget): the cross-area step holds one area's bootstrap counts at
    a time beyond it (same types whether an area was just scored or reused)."""

    def __init__(self, out: OutputTree, area_id: str, reads: TableReads | None = None) -> None:
        self.folder = paths.area_tables(out.root, area_id)
        self.reads = reads if reads is not None else TableReads(0)

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in CROSS_AREA_INPUTS:
            raise KeyError(name)
        return self.reads.read(self.folder / f"{name}.parquet", name)

    def select(self, name: str, keep: Callable[[str], bool]) -> pd.DataFrame:
        """Only the columns of a table that ``keep`` accepts, in the file's order: an
        outcome's resample counts without the other outcomes'. Read, when not kept, by
        pyarrow's file reader, which costs a third of pandas' ``read_parquet`` on tables this
        small (the cross-area step reads an area's counts once per outcome and scope)."""
        if name not in CROSS_AREA_INPUTS:
            raise KeyError(name)
        return self.reads.read(self.folder / f"{name}.parquet", name, keep)

    def __contains__(self, name: object) -> bool:
        return name in CROSS_AREA_INPUTS

    def __iter__(self) -> Iterator[str]:
        return iter(CROSS_AREA_INPUTS)

    def __len__(self) -> int:
        return len(CROSS_AREA_INPUTS)


def _frames(out: OutputTree, area_ids: Sequence[str],
            reads: TableReads | None) -> dict[str, AreaTables]:
    """Areas' tables, each read when the cross-area step reaches it."""
    return {a: AreaTables(out, a, reads) for a in area_ids}


def _write_cross_area(out: OutputTree, area_ids: Sequence[str], folder: Path,
                      made: dict[str, pd.DataFrame], reads: TableReads | None,
                      more_comparisons: Sequence[Path] = ()) -> None:
    """Write the cross-area tables of these areas into ``folder``: each made table (popped,
    so its frame is dropped once written), the comparisons followed by those of the folders
    ``more_comparisons`` (a scope each), and the stacked area tables read and written one
    area at a time; then remove any other table file of the folder."""
    from ..method.crossarea import STACKED
    from ..method.tables import read_table, remove_stale, write_stacked, write_table

    written: list[Path] = []
    for name in list(made):
        frame = made.pop(name)
        if name == "comparisons":
            pieces = (frame, *(read_table(f, name) for f in more_comparisons))
            written += write_stacked(pieces, folder, name, distinct="scope")
        else:
            written += write_table(frame, folder, name)
        del frame
    for name in STACKED:
        written += write_stacked((AreaTables(out, a, reads)[name] for a in area_ids), folder,
                                 name)
    remove_stale(folder, written)


def write_group_tables(out: OutputTree, groups: Sequence[Group], tables: TableDigests,
                       package: str, force: bool, reads: TableReads | None = None) -> None:
    """Each group's cross-area tables, over its areas only (``groups/<g>/tables``): its
    aggregate report reads them, so one area's change re-writes only its own groups'.
    ``reads``: the area tables read so far, shared with :func:`write_shared_tables`."""
    for g in groups:
        target = out.group_tables(g.id)
        digest = digest_of(asdict(g), [tables(a) for a in g.areas], package)
        if target.fresh(digest, force):
            continue
        from ..method import crossarea  # pandas: only when a group's tables are stale

        made = crossarea.decided_tables(_frames(out, g.areas, reads), scope=g.id)
        _write_cross_area(out, g.areas, target.stamp.parent, made, reads)
        target.mark(digest)


def write_shared_tables(out: OutputTree, areas: list[Area], groups: Sequence[Group],
                        tables: TableDigests, package: str, force: bool,
                        reads: TableReads | None = None) -> None:
    """The cross-area tables over every area; the comparisons table holds every scope (each
    group's rows read back from its tables, as decided there); the groups' pooled figures
    and differences (written after :func:`write_group_tables`). Each table is written as
    soon as it is made and then dropped; the stacked area tables never held stacked."""
    target = out.shared_tables()
    digest = digest_of([tables(a.id) for a in areas], [asdict(g) for g in groups], package)
    if target.fresh(digest, force):
        return
    from ..method import crossarea
    from ..method import group_figures as grouped

    ids = [a.id for a in areas]
    frames = _frames(out, ids, reads)
    made = crossarea.decided_tables(frames)
    counts = ((a, grouped.Counts.from_table(frames[a]["bootstrap_counts"])) for a in ids)
    every, sums = grouped.add_up(groups, counts)
    made["group_figures"], made["group_differences"] = grouped.group_tables(
        groups, made["question_scores"], every, sums)
    del every, sums
    _write_cross_area(out, ids, paths.all_tables(out.root), made, reads,
                      [paths.group_tables(out.root, g.id) for g in groups])
    target.mark(digest)
