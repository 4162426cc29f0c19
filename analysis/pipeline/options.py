"""Build options and notebook parameters, each declared once.

:class:`BuildOptions` is the build's configuration; the command line is generated from its
fields (flag, help and choices live in each field's metadata), so an option is written in one
place. :class:`AreaParameters` and :class:`AggregateParameters` are what the build passes to the
notebooks; every notebook's parameters cell must declare exactly these names (checked before a
notebook runs, and by the tests).
"""

from __future__ import annotations

import argparse
import os
from dataclasses import MISSING, Field, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from ..core import paths
from ..method.disclosure import DEFAULT_THRESHOLD, Policy
from ..method.readings import READINGS
from .execute import ENGINES
from .executors import EXECUTORS


def cpu_count() -> int:
    """Cores this process may use (the affinity mask, not the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _jobs(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("--jobs must be at least 1")
    return value


def _threshold(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("--threshold must be at least 1")
    return value


def _cli(flag: str, help: str, **extra: Any) -> dict[str, Any]:
    return {"flag": flag, "help": help, **extra}


@dataclass
class BuildOptions:
    """Everything a build can be asked to do; the CLI's ``build`` options are these fields."""

    data: Path = field(default=Path("data"), metadata=_cli(
        "--data", "data folder with areas.csv, cases/ and context/ (default: data)"))
    output: Path = field(default=Path("outputs"), metadata=_cli(
        "--output", "output folder (default: outputs)"))
    areas: list[str] | None = field(default=None, metadata=_cli(
        "--areas", "build only these area ids (default: every area in areas.csv)",
        nargs="+", metavar="AREA_ID"))
    jobs: int = field(default_factory=cpu_count, metadata=_cli(
        "--jobs", "parallel notebook workers (default: the cores this process may use)",
        type=_jobs))
    executor: str = field(default="local", metadata=_cli(
        "--executor", "local process pool (default) or a local Dask cluster",
        choices=tuple(EXECUTORS)))
    scheduler: str | None = field(default=None, metadata=_cli(
        "--scheduler", "run notebooks on an existing Dask scheduler, e.g. tcp://host:8786",
        metavar="ADDRESS"))
    engine: str = field(default="warm", metadata=_cli(
        "--engine", "warm: one kernel per worker reused with isolation (default); "
        "papermill: a fresh kernel per notebook", choices=tuple(ENGINES)))
    force: bool = field(default=False, metadata=_cli("--force", "rebuild everything"))
    lenient: bool = field(default=False, metadata=_cli(
        "--lenient", "answers where a question does not apply become warnings, and are "
        "treated as not applicable"))
    publish: bool = field(default=False, metadata=_cli(
        "--publish", "publication mode: suppress small counts as [c]"))
    scoring: str | None = field(default=None, metadata=_cli(
        "--scoring", "how an outcome's score combines its questions: the mean over its "
        "questions, the mean of its criterion scores, or pooled over cases (default: the "
        "question bank's setting, questions)", choices=READINGS))
    threshold: int = field(default=DEFAULT_THRESHOLD, metadata=_cli(
        "--threshold", "publication threshold: counts and denominators below it are "
        f"suppressed (default: {DEFAULT_THRESHOLD})", type=_threshold))
    pdf: bool = field(default=False, metadata=_cli(
        "--pdf", "also print each report to PDF with headless Chromium"))
    aggregate: bool = field(default=True, metadata=_cli(
        "--no-aggregate", "skip the aggregate report", action="store_false"))
    quiet: bool = field(default=False, metadata=_cli(
        "--quiet", "no progress bar and no line per PDF printed"))
    verbose: bool = field(default=False, metadata=_cli(
        "--verbose", "also show the logs of the notebook engine and of Dask workers (hidden "
        "by default)"))
    dry_run: bool = field(default=False, metadata=_cli(
        "--dry-run", "check the inputs and list what a build would score and run, and why "
        "(which input, notebook or code changed); write nothing"))
    tables_only: bool = field(default=False, metadata=_cli(
        "--tables-only", "validate and write the tidy scoring tables only; run no notebook"))
    notebooks: Path = paths.NOTEBOOKS

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """One command-line option per field that carries CLI metadata."""
        for f in _cli_fields():
            meta = dict(f.metadata)
            flag = meta.pop("flag")
            if f.type == "bool" and "action" not in meta:
                meta["action"] = "store_true"
            elif f.type == "Path":
                meta["type"] = Path
            default = f.default_factory() if f.default_factory is not MISSING else f.default
            parser.add_argument(flag, dest=f.name, default=default, **meta)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> BuildOptions:
        return cls(**{f.name: getattr(args, f.name) for f in _cli_fields()})

    @property
    def policy(self) -> Policy:
        """The disclosure policy of this build: the one value every notebook receives."""
        return Policy(self.publish, self.threshold) if self.publish else Policy()


def _cli_fields() -> list[Field[Any]]:
    return [f for f in fields(BuildOptions) if "flag" in f.metadata]


@dataclass(frozen=True)
class AreaParameters:
    """The parameters of every area notebook (its parameters cell declares these names)."""

    area_id: str
    data_dir: str
    output_dir: str
    policy: str  # the disclosure policy as text: "open" or "publish:5" (Policy.parse)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AggregateParameters:
    """The parameters of the aggregate notebook: every area's aggregate, or a group's."""

    areas: str
    data_dir: str
    output_dir: str
    policy: str  # the disclosure policy as text: "open" or "publish:5" (Policy.parse)
    group: str = ""  # a group id of areas.csv: that group's aggregate; empty: all areas
    reports: str = ""  # areas whose reports the build makes or made (linked); empty: on disk

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parameter_names(aggregate: bool) -> frozenset[str]:
    """The names a notebook's parameters cell must declare."""
    kind = AggregateParameters if aggregate else AreaParameters
    return frozenset(f.name for f in fields(kind))
