"""Tidy tables on disk: CSV for people, Parquet for programs, both written atomically."""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.atomic import atomic_path, write_bytes

if TYPE_CHECKING:  # imported where used: the build's no-op path needs only the table names
    import pandas as pd

FLOAT_FORMAT = "%.6f"
AREA_TABLES = ("question_scores", "criterion_scores", "outcome_scores", "section_scores",
               "distributions", "crosstab", "factors", "sensitivity", "bootstrap_counts")
#: Tables for programs only, written as Parquet without a CSV (each area's bootstrap
#: counts: 2,000 rows of two counts per question).
PARQUET_ONLY = frozenset({"bootstrap_counts"})


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV with fixed float formatting and line endings, so reruns are byte-identical; text a
    spreadsheet would run as a formula is kept as text (:mod:`analysis.method.formulas`)."""
    from .formulas import inert_frame

    buffer = io.StringIO()
    inert_frame(frame).to_csv(buffer, index=False, float_format=FLOAT_FORMAT,
                              lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def write_table(frame: pd.DataFrame, folder: str | Path, name: str) -> list[Path]:
    """Write ``name.csv`` and ``name.parquet`` into ``folder`` (Parquet only for
    :data:`PARQUET_ONLY`); return the paths."""
    folder = Path(folder)
    csv_path = folder / f"{name}.csv"
    parquet_path = folder / f"{name}.parquet"
    if name not in PARQUET_ONLY:
        write_bytes(csv_path, csv_bytes(frame))
    with atomic_path(parquet_path) as tmp:
        frame.to_parquet(tmp, index=False)
    return [parquet_path] if name in PARQUET_ONLY else [csv_path, parquet_path]


def write_tables(tables: Mapping[str, pd.DataFrame], folder: str | Path) -> list[Path]:
    written: list[Path] = []
    for name, frame in tables.items():
        written.extend(write_table(frame, folder, name))
    return written


def read_table(folder: str | Path, name: str) -> pd.DataFrame:
    """Read a tidy table back (Parquet keeps dtypes)."""
    import pandas as pd

    return pd.read_parquet(Path(folder) / f"{name}.parquet")


CROSS_AREA_TABLES = ("pooled_questions", "pooled_outcomes", "comparisons", "dispersion",
                     "funnel_limits", "group_figures", "group_differences")


def load_tables(output_dir: str | Path = "",
                area_id: str | None = None) -> dict[str, pd.DataFrame]:
    """The tidy tables a build wrote under ``output_dir``, as DataFrames by table name.

    An empty ``output_dir`` is the default outputs folder (the repository's ``outputs/``, or
    ``$IAOW_OUTPUTS``), whatever the current folder: a notebook reads the same tables from
    JupyterLab (which runs it in ``notebooks/``) as from the repository folder.

    With ``area_id``: that area's tables (question_scores, criterion_scores, outcome_scores,
    section_scores, distributions, crosstab, factors, sensitivity, bootstrap_counts). Without:
    the same tables for every area the folder holds, stacked (each row keeps its ``area_id``),
    plus the cross-area tables (pooled_questions, pooled_outcomes, comparisons, dispersion,
    funnel_limits, group_figures, group_differences) when they were written.
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
    tables = {name: pd.concat([read_table(f, name) for f in folders], ignore_index=True)
              for name in AREA_TABLES}
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
