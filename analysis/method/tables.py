"""The tidy tables: each declared once (columns, types, grain), written and read through it.

A build writes every table of :data:`CATALOGUE`: an area's under ``outputs/<area>/tables/``
(CSV for people, Parquet for programs), the cross-area ones under ``outputs/tables/`` (and a
group's under ``outputs/groups/<group>/tables/``), beside the area tables the cross-area step
reads, stacked over its areas under the same names (``outputs/tables/question_scores``: every
area's rows). One table, one name, wherever it is. Each table says what one row is (its
*grain*) and which columns identify a row; a table is checked against its declaration when it
is written (a renamed or missing column stops the build there, naming the table, instead of
failing later inside a notebook) and when it is read. :meth:`Table.schema` gives the same
declaration as a pandera schema, for a researcher who wants to validate a table.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..core.atomic import atomic_path, write_bytes

if TYPE_CHECKING:  # imported where used: the build's no-op path needs only the table names
    import pandas as pd

FLOAT_FORMAT = "%.6f"
AREA = "area"
CROSS_AREA = "cross-area"

TEXT, INTEGER, COUNT, NUMBER, BOOLEAN = "text", "integer", "count", "number", "boolean"
_KINDS = {TEXT: "O", INTEGER: "i", COUNT: "i", NUMBER: "f", BOOLEAN: "b"}


class TableError(ValueError):
    """A table that does not match its declaration."""


@dataclass(frozen=True)
class Table:
    """One tidy table: what a row is, the columns that identify it, every column's type."""

    name: str
    scope: str
    grain: str
    key: tuple[str, ...]
    columns: Mapping[str, str]
    about: str
    programs_only: bool = False  # Parquet only, no CSV (and never released)
    extra_columns: str = ""      # columns named by the data (bootstrap_counts: k:<question>)
    nullable: frozenset[str] = field(default_factory=frozenset)

    def check(self, frame: pd.DataFrame) -> None:
        """Raise :class:`TableError` when ``frame`` differs from the declaration: columns
        missing or unknown, a column of the wrong type, or two rows with the same key."""
        declared = list(self.columns)
        got = list(frame.columns)
        extra = [c for c in got if c not in self.columns]
        if self.extra_columns:
            extra = [c for c in extra if not c.startswith(("k:", "n:"))]
        missing = [c for c in declared if c not in got]
        if missing or extra:
            raise TableError(f"table {self.name}: columns missing {missing or 'none'}, "
                             f"not declared {extra or 'none'} (declared: {', '.join(declared)})")
        for col, kind in self.columns.items():
            actual = frame[col].dtype.kind
            if len(frame) and actual != _KINDS[kind] and not (kind == TEXT and actual in "OUT"):
                raise TableError(f"table {self.name}, column {col!r}: {frame[col].dtype} where "
                                 f"{kind} is declared")
        if self.key and len(frame) and frame.duplicated(list(self.key)).any():
            raise TableError(f"table {self.name}: more than one row per "
                             f"{', '.join(self.key)} (its grain: {self.grain})")

    def conform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """An empty table with its declared types (an area with no published report has no
        sensitivity rows, but its columns are still numbers); a table with rows as it is."""
        if len(frame):
            return frame
        types = {TEXT: object, INTEGER: "int64", COUNT: "Int64", NUMBER: "float64",
                 BOOLEAN: bool}
        return frame.astype({c: types[k] for c, k in self.columns.items() if c in frame})

    def schema(self) -> Any:
        """The declaration as a pandera ``DataFrameSchema`` (columns, types, unique key)."""
        import pandera.pandas as pa

        text = pa.Check(lambda s: s.dropna().map(lambda v: isinstance(v, str)).all(),
                        name="text")
        types = {INTEGER: int, COUNT: "Int64", NUMBER: float, BOOLEAN: bool}

        def column(name: str, kind: str) -> Any:
            nullable = kind in (NUMBER, COUNT) or name in self.nullable
            if kind == TEXT:  # str or object, as the pandas version stores text
                return pa.Column(None, checks=text, nullable=nullable)
            return pa.Column(types[kind], nullable=nullable, coerce=kind == INTEGER)

        return pa.DataFrameSchema({c: column(c, k) for c, k in self.columns.items()},
                                  unique=list(self.key) or None,
                                  strict=not self.extra_columns, name=self.name)


def _area(name: str, grain: str, key: tuple[str, ...], columns: dict[str, str], about: str,
          **kw: Any) -> Table:
    return Table(name, AREA, grain, key, {"area_id": TEXT, **columns}, about, **kw)


_SHARE = {"share": NUMBER, "lower": NUMBER, "upper": NUMBER}
_FACTOR = {f"{part}_{what}": kind for part in ("interventions", "progress")
           for what, kind in (("n", INTEGER), ("k", INTEGER), ("share", NUMBER),
                              ("lower", NUMBER), ("upper", NUMBER))}
_QUESTION = {"outcome": INTEGER, "criterion": TEXT, "question": TEXT, "label": TEXT,
             "key": BOOLEAN, "order": INTEGER}
_OUTCOME = {"outcome": INTEGER, "title": TEXT, "n_questions": INTEGER, "n_cases": INTEGER,
            "score": NUMBER, "lower": NUMBER, "upper": NUMBER, "reading": TEXT,
            "lower_independent": NUMBER, "upper_independent": NUMBER}

AREA_CATALOGUE = (
    _area("question_scores", "one row per area, outcome and scoring question (a victims "
          "question that also counts towards Protecting the Public has a row under each "
          "outcome: for one row per question, drop duplicates of area_id and question)",
          ("area_id", "outcome", "question"),
          {**_QUESTION, "n": INTEGER, "k": INTEGER, **_SHARE},
          "k of the n applicable cases judged sufficient, the share and its Wilson 95% interval"),
    _area("criterion_scores", "one row per area and criterion", ("area_id", "criterion"),
          {"outcome": INTEGER, "criterion": TEXT, "section": TEXT, "title": TEXT,
           "n_questions": INTEGER, "score": NUMBER},
          "a criterion's score: the mean of its questions' shares"),
    _area("outcome_scores", "one row per area and outcome", ("area_id", "outcome"), _OUTCOME,
          "the outcome's score with its 95% case-bootstrap interval (and the interval if one "
          "case's answers were independent), the scoring reading and the cases inspected"),
    _area("section_scores", "one row per area and section", ("area_id", "section"),
          {"section": TEXT, "title": TEXT, "n_criteria": INTEGER, "score": NUMBER},
          "a section's score: the mean of its criteria's scores"),
    _area("distributions", "one row per area, variable (a field or question) and answer",
          ("area_id", "variable", "level"),
          {"variable": TEXT, "kind": TEXT, "level": TEXT, "count": INTEGER, "n": INTEGER,
           **_SHARE}, "cases giving each answer, out of the cases where it applied"),
    _area("crosstab", "one row per area and cell of a cross-table (row field and answer, "
          "column field and answer)", ("area_id", "row_field", "row_level", "col_field",
                                       "col_level"),
          {"row_field": TEXT, "row_level": TEXT, "col_field": TEXT, "col_level": TEXT,
           "count": INTEGER, "n": INTEGER},
          "the RoSH classification as the area recorded it against inspectors' judgement"),
    _area("factors", "one row per area and offending-related factor", ("area_id", "factor"),
          {"factor": TEXT, "label": TEXT, "prevalent": BOOLEAN, "identified": INTEGER,
           **_FACTOR},
          "cases with the factor, and of those sufficient interventions and progress"),
    _area("sensitivity", "one row per area, classification of the contested questions, "
          "scoring reading and outcome (no rows for an area without a published report)",
          ("area_id", "variant", "reading", "outcome"),
          {"variant": TEXT, "reading": TEXT, "outcome": INTEGER, "score": NUMBER,
           "published": NUMBER},
          "headline scores under every reading of the method the published report allows"),
    Table("bootstrap_counts", AREA, "one row per resample of the area's cases (2,000 "
          "resamples; stacked over areas, each row keeps its area_id)", (),
          {}, "k and n of every scoring question in each resample: columns k:<question> and "
          "n:<question>", programs_only=True, extra_columns="k:<question>, n:<question>"),
)

_POOLED = {"k": INTEGER, "n": INTEGER, "mean_of_areas": NUMBER, "n_areas": INTEGER,
           "pooled": NUMBER, "lower": NUMBER, "upper": NUMBER}
CROSS_AREA_CATALOGUE = (
    Table("pooled_questions", CROSS_AREA, "one row per outcome and scoring question",
          ("outcome", "question"), {**_QUESTION, **_POOLED},
          "each question pooled over every case of every area (k of n, Wilson interval) and "
          "the mean of the areas' shares"),
    Table("pooled_outcomes", CROSS_AREA, "one row per outcome", ("outcome",),
          {"outcome": INTEGER, "title": TEXT, "mean_of_areas": NUMBER, "n_areas": INTEGER,
           "pooled": NUMBER, "n_questions": INTEGER},
          "each outcome's all-areas score (the mean of its pooled question shares) and the "
          "mean of the areas' scores"),
    Table("comparisons", CROSS_AREA, "one row per scope (all areas, or a group), area, kind "
          "(question or outcome) and measure", ("scope", "area_id", "kind", "measure"),
          {"scope": TEXT, "area_id": TEXT, "measure": TEXT, "kind": TEXT, "k": COUNT,
           "n": COUNT, "share": NUMBER, "share_lower": NUMBER, "share_upper": NUMBER,
           "pooled": NUMBER, "gap": NUMBER, "gap_lower": NUMBER, "gap_upper": NUMBER,
           "gap_cases": NUMBER, "gap_cases_lower": NUMBER, "gap_cases_upper": NUMBER,
           "shrunk": NUMBER, "shrunk_lower": NUMBER, "shrunk_upper": NUMBER,
           "p_below": NUMBER, "p_value": NUMBER, "lower": NUMBER, "upper": NUMBER,
           "lower_95": NUMBER, "upper_95": NUMBER, "limits": TEXT, "decision": TEXT,
           "beyond_95": TEXT, "margin": NUMBER, "margin_mc_se": NUMBER,
           "borderline": BOOLEAN, "chance": NUMBER},
          "each area against the all-areas (or its group's) figure: the one decision every "
          "report shows (beyond the 99.8% limits that allow for the spread between areas), "
          "the gap in points and cases with its interval, the shrunken estimate"),
    Table("dispersion", CROSS_AREA, "one row per measure (scoring question or outcome)",
          ("kind", "measure"),
          {"measure": TEXT, "kind": TEXT, "pooled": NUMBER, "n_areas": INTEGER,
           "statistic": NUMBER, "df": INTEGER, "p_value": NUMBER, "dispersed": BOOLEAN,
           "rho": NUMBER, "rho_plain": NUMBER, "tau2": NUMBER, "spread": NUMBER,
           "limits": TEXT, "outside": INTEGER, "outside_95": INTEGER,
           "chance_flags": NUMBER},
          "how much the areas differ on each measure (the fitted spread between areas), and "
          "the limits its comparisons used"),
    Table("funnel_limits", CROSS_AREA, "one row per scoring question and number of cases n",
          ("measure", "n"), {"measure": TEXT, "n": INTEGER, "lower": NUMBER, "upper": NUMBER,
                             "lower_95": NUMBER, "upper_95": NUMBER},
          "the 99.8% limits each question's comparisons used (and the 95% ones), at every n "
          "its funnel chart draws"),
    Table("group_figures", CROSS_AREA, "one row per group (scope; 'all' for every area), "
          "kind and measure", ("scope", "kind", "measure"),
          {"scope": TEXT, "grouping": TEXT, "label": TEXT, "kind": TEXT, "measure": TEXT,
           "k": COUNT, "n": COUNT, "share": NUMBER, "lower": NUMBER, "upper": NUMBER,
           "interval": TEXT, "n_areas": INTEGER},
          "each group's pooled figure with its interval", nullable=frozenset({"grouping"})),
    Table("group_differences", CROSS_AREA, "one row per pair of groups of one grouping, kind "
          "and measure", ("group_a", "group_b", "kind", "measure"),
          {"grouping": TEXT, "group_a": TEXT, "group_b": TEXT, "kind": TEXT, "measure": TEXT,
           "share_a": NUMBER, "share_b": NUMBER, "difference": NUMBER, "lower": NUMBER,
           "upper": NUMBER, "interval": TEXT, "p_value": NUMBER, "chance": NUMBER,
           "n_areas_a": INTEGER, "n_areas_b": INTEGER, "labellings": INTEGER,
           "exact": BOOLEAN, "clear": BOOLEAN, "q_value": NUMBER},
          "the difference between two groups' figures, tested with the areas as the unit "
          "(a permutation test over their group labels), with its interval"),
)

CATALOGUE: dict[str, Table] = {t.name: t for t in (*AREA_CATALOGUE, *CROSS_AREA_CATALOGUE)}
AREA_TABLES = tuple(t.name for t in AREA_CATALOGUE)
CROSS_AREA_TABLES = tuple(t.name for t in CROSS_AREA_CATALOGUE)
PARQUET_ONLY = frozenset(t.name for t in AREA_CATALOGUE if t.programs_only)


def declared(name: str) -> Table:
    """The declaration of a table (an area's table keeps its name stacked over areas)."""
    if name in CATALOGUE:
        return CATALOGUE[name]
    raise TableError(f"no table {name!r} is declared (tables: {', '.join(CATALOGUE)})")


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV with fixed float formatting and line endings, so reruns are byte-identical; text a
    spreadsheet would run as a formula is kept as text (:mod:`analysis.method.formulas`)."""
    buffer = io.StringIO()
    _write_csv(frame, buffer, header=True)
    return buffer.getvalue().encode("utf-8")


def _write_csv(frame: pd.DataFrame, handle: IO[str], header: bool) -> None:
    from .formulas import inert_frame

    inert_frame(frame).to_csv(handle, header=header, index=False, float_format=FLOAT_FORMAT,
                              lineterminator="\n")


ROW_GROUP = 1 << 14
"""Rows in one Parquet row group: a table is converted to Arrow and written this many rows at
a time, so writing it never holds the whole table as Arrow buffers. A table of fewer rows is
one row group, byte for byte what ``DataFrame.to_parquet`` writes; a longer one holds the same
rows in several row groups."""
CSV_ROWS = 1 << 14
"""Rows made into CSV text at a time: a table's text is never held whole (the file is the
same bytes as the whole table's text)."""


class TableWriter:
    """One table written as it is made, piece after piece, into ``name.csv`` and
    ``name.parquet`` (Parquet only for a table for programs) under temporary names, renamed
    into place only when the block ends without error: a failed build leaves no half-written
    table. Each piece is checked against the declaration; ``distinct`` names a column whose
    values no two pieces share (each piece one area's rows, or one scope's), so that a key is
    unique over the whole table as :meth:`Table.check` makes it in one frame. Pieces with no
    rows are skipped, as ``pd.concat`` of them would; with no rows at all, the first piece's
    columns are written."""

    def __init__(self, folder: str | Path, name: str, distinct: str | None = None) -> None:
        self.table = declared(name)
        self.folder, self.name, self.distinct = Path(folder), name, distinct
        self.paths = [self.folder / f"{name}.parquet"] if self.table.programs_only else [
            self.folder / f"{name}.csv", self.folder / f"{name}.parquet"]
        self._stack = contextlib.ExitStack()
        self._csv: IO[str] | None = None
        self._parquet: Any = None   # pyarrow.parquet.ParquetWriter, made at the first rows
        self._pending: list[pd.DataFrame] = []
        self._pending_rows = 0
        self._first: pd.DataFrame | None = None
        self._rows = 0
        self._seen: set[object] = set()

    def __enter__(self) -> TableWriter:
        self._stack.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            if exc[0] is None:
                self._finish()
        except BaseException:
            self._stack.__exit__(*sys.exc_info())  # the temporaries removed, nothing renamed
            raise
        self._stack.__exit__(*exc)

    def add(self, frame: pd.DataFrame) -> None:
        """Check one piece and write it (its Parquet rows once a row group is full)."""
        if self._first is None:
            self._first = frame.iloc[:0]
        if not len(frame):
            return
        self.table.check(frame)
        self._check_distinct(frame)
        if self._csv is None and not self.table.programs_only:
            tmp = self._stack.enter_context(atomic_path(self.paths[0]))
            self._csv = self._stack.enter_context(  # closed by the exit stack
                open(tmp, "w", encoding="utf-8", newline=""))  # noqa: SIM115
        if self._csv is not None:
            for start in range(0, len(frame), CSV_ROWS):
                _write_csv(frame.iloc[start:start + CSV_ROWS], self._csv,
                           header=self._rows == 0 and start == 0)
        self._rows += len(frame)
        self._pending.append(frame)
        self._pending_rows += len(frame)
        if self._pending_rows >= ROW_GROUP:
            self._flush(whole_groups=True)

    def _check_distinct(self, frame: pd.DataFrame) -> None:
        if self.distinct is None:
            if self._rows:
                raise TableError(f"table {self.name}: written in pieces without a column "
                                 "that tells them apart")
            return
        values = set(frame[self.distinct].unique())
        again = values & self._seen
        if again:
            raise TableError(f"table {self.name}: more than one row per "
                             f"{', '.join(self.table.key)} ({self.distinct} "
                             f"{', '.join(map(str, sorted(again, key=str)))} in two pieces; "
                             f"its grain: {self.table.grain})")
        self._seen |= values

    def _flush(self, whole_groups: bool) -> None:
        """Write the pending rows as row groups of :data:`ROW_GROUP` rows (the rest too unless
        ``whole_groups``)."""
        import pandas as pd

        pending = (self._pending[0] if len(self._pending) == 1
                   else pd.concat(self._pending, ignore_index=True))
        end = len(pending) - len(pending) % ROW_GROUP if whole_groups else len(pending)
        for start in range(0, end, ROW_GROUP):
            self._write_parquet(pending.iloc[start:start + ROW_GROUP])
        rest = pending.iloc[end:]
        self._pending = [rest] if len(rest) else []
        self._pending_rows = len(rest)

    def _write_parquet(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._parquet is None:
            arrow = pa.Table.from_pandas(frame, preserve_index=False)
            tmp = self._stack.enter_context(atomic_path(self.paths[-1]))
            self._parquet = self._stack.enter_context(
                pq.ParquetWriter(tmp, arrow.schema, compression="snappy"))
        else:
            arrow = pa.Table.from_pandas(frame, schema=self._parquet.schema,
                                         preserve_index=False)
        self._parquet.write_table(arrow)

    def _finish(self) -> None:
        if not self._rows:  # no rows: the columns of the first piece, as one frame
            import pandas as pd

            self._write_whole(self._first if self._first is not None else pd.DataFrame())
        elif self._pending:
            self._flush(whole_groups=False)

    def _write_whole(self, frame: pd.DataFrame) -> None:
        frame = self.table.conform(frame)
        self.table.check(frame)
        if not self.table.programs_only:
            write_bytes(self.paths[0], csv_bytes(frame))
        with atomic_path(self.paths[-1]) as tmp:
            frame.to_parquet(tmp, index=False)


def write_table(frame: pd.DataFrame, folder: str | Path, name: str) -> list[Path]:
    """Check ``frame`` against its declaration, then write ``name.csv`` and ``name.parquet``
    into ``folder`` (Parquet only for a table for programs) in chunks of rows; return the
    paths."""
    with TableWriter(folder, name) as writer:
        writer.add(frame)
    return writer.paths


def write_stacked(pieces: Iterable[pd.DataFrame], folder: str | Path, name: str,
                  distinct: str = "area_id") -> list[Path]:
    """Write one table from pieces (each one area's rows, in order) without stacking them in
    memory: the same files as writing ``pd.concat(pieces)``; return the paths."""
    with TableWriter(folder, name, distinct) as writer:
        for piece in pieces:
            writer.add(piece)
    return writer.paths


def write_tables(tables: Mapping[str, pd.DataFrame], folder: str | Path) -> list[Path]:
    """Write each table; a table file of the folder that is no longer written (an older
    build's, under a name since changed) is removed, so nothing links a stale table."""
    written: list[Path] = []
    for name, frame in tables.items():
        written.extend(write_table(frame, folder, name))
    remove_stale(folder, written)
    return written


def remove_stale(folder: str | Path, written: Sequence[Path]) -> None:
    """Remove the table files of ``folder`` not in ``written`` (an older build's)."""
    for stale in sorted(Path(folder).glob("*")):
        if stale.suffix in (".csv", ".parquet") and stale not in written:
            stale.unlink()


def read_table(folder: str | Path, name: str,
               columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Read a tidy table back (Parquet keeps dtypes), or only some of its ``columns``; a table
    whose columns are not the ones declared (written by another version of the package) is
    refused with what differs."""
    import pandas as pd

    path = Path(folder) / f"{name}.parquet"
    frame = pd.read_parquet(path, columns=None if columns is None else list(columns))
    check_columns(path, name, frame.columns, columns)
    return frame


def check_columns(path: Path, name: str, found: Iterable[str],
                  wanted: Sequence[str] | None = None) -> None:
    """Refuse a table read from ``path`` that lacks columns ``wanted`` (by default, those
    declared for table ``name``): written by another version of the package."""
    have = set(found)
    missing = [c for c in wanted or declared(name).columns if c not in have]
    if missing:
        raise TableError(f"{path} lacks columns {', '.join(missing)}: "
                         "rebuild it with `python -m analysis build --force`")


def table_list(width: int = 88) -> str:
    """Every table with its grain, as the README and ``load_tables``' help list them."""
    import textwrap

    return "\n".join(textwrap.fill(
        f"- ``{t.name}`` ({'each area' if t.scope == AREA else 'all areas'}): {t.grain}; "
        f"{t.about}.", width, subsequent_indent="  ") for t in CATALOGUE.values())


def load_tables(output_dir: str | Path = "",
                area_id: str | None = None) -> dict[str, pd.DataFrame]:
    """The tidy tables a build wrote under ``output_dir``, as DataFrames by table name.

    An empty ``output_dir`` is the default outputs folder (the repository's ``outputs/``, or
    ``$IAOW_OUTPUTS``), whatever the current folder: a notebook reads the same tables from
    JupyterLab (which runs it in ``notebooks/``) as from the repository folder.

    With ``area_id``: that area's tables. Without: the same tables for every area the folder
    holds, stacked (each row keeps its ``area_id``), plus the cross-area tables when they
    were written. The tables, with what one row is:

    {tables}
    """
    import pandas as pd

    from ..core import paths

    out = paths.output_dir(output_dir)
    hint = _build_hint(out)
    if area_id is not None:
        folders = [paths.area_tables(out, area_id)]
    else:
        folders = sorted(p.parent for p in out.glob(f"*/tables/{AREA_TABLES[0]}.parquet"))
        if not folders:
            raise FileNotFoundError(f"{out}: no area's tables found: {hint}")
    for folder in folders:
        missing = [n for n in AREA_TABLES if not (folder / f"{n}.parquet").exists()]
        if missing:
            raise FileNotFoundError(f"{folder}: tables missing ({', '.join(missing)}): {hint}")

    def stacked(name: str) -> pd.DataFrame:
        frames = [read_table(f, name) for f in folders]
        if "area_id" not in declared(name).columns:  # resamples: keep whose they are
            frames = [fr.assign(area_id=f.parent.name) for fr, f in zip(frames, folders,
                                                                        strict=True)]
        return pd.concat(frames, ignore_index=True)

    tables = {name: stacked(name) for name in AREA_TABLES}
    shared = paths.all_tables(out)
    if area_id is None:
        tables.update({name: read_table(shared, name) for name in CROSS_AREA_TABLES
                       if (shared / f"{name}.parquet").exists()})
    return tables


def _build_hint(out: Path) -> str:
    """The command that writes tables into ``out``: ``make report`` for the default folder."""
    from ..core import paths

    if out == paths.REPO_ROOT / "outputs":
        return ("run `make report` (or `python -m analysis build`) in the repository folder "
                f"{paths.REPO_ROOT} first")
    return (f"run `python -m analysis build --output {out}` (or `build --tables-only "
            f"--output {out}`) first")


if load_tables.__doc__:
    load_tables.__doc__ = load_tables.__doc__.replace(
        "{tables}", table_list().replace("\n", "\n    "))
