"""Command-line interface: ``python -m analysis {build,validate,template,generate}``.

User mistakes (bad data, bad options) end with a clear message and exit code 2, never a
traceback; a build in which some notebook failed ends with a summary and exit code 1.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .core.errors import InputError

log = logging.getLogger("analysis")


def _jobs(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("--jobs must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Build inspection reports from case-level IAOW data.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="score every area, execute its notebooks, stitch reports",
                       description="Score the areas, run each notebook with papermill, stitch "
                       "each area's notebooks into outputs/<area>/report.html, build the "
                       "aggregate report and outputs/index.html. Only what changed is rebuilt.")
    b.add_argument("--data", type=Path, default=Path("data"),
                   help="data folder with areas.csv, cases/ and context/ (default: data)")
    b.add_argument("--output", type=Path, default=Path("outputs"),
                   help="output folder (default: outputs)")
    b.add_argument("--areas", nargs="+", metavar="AREA_ID",
                   help="build only these area ids (default: every area in areas.csv)")
    b.add_argument("--jobs", type=_jobs, default=os.cpu_count() or 1,
                   help="parallel notebook workers (default: number of cores)")
    b.add_argument("--executor", choices=["local", "dask"], default="local",
                   help="local process pool (default) or a local Dask cluster")
    b.add_argument("--scheduler", metavar="ADDRESS",
                   help="run notebooks on an existing Dask scheduler, e.g. tcp://host:8786")
    b.add_argument("--engine", choices=["warm", "papermill"], default="warm",
                   help="warm: one kernel per worker reused with isolation (default); "
                   "papermill: a fresh kernel per notebook")
    b.add_argument("--force", action="store_true", help="rebuild everything")
    b.add_argument("--lenient", action="store_true",
                   help="answers where a question does not apply become warnings, and are "
                   "treated as not applicable")
    b.add_argument("--publish", action="store_true",
                   help="publication mode: suppress small counts as [c]")
    b.add_argument("--threshold", type=int, default=5,
                   help="publication threshold: counts and denominators below it are "
                   "suppressed (default: 5)")
    b.add_argument("--pdf", action="store_true",
                   help="also print each report to PDF with headless Chromium")
    b.add_argument("--no-aggregate", action="store_true", help="skip the aggregate report")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    b.add_argument("--tables-only", action="store_true",
                   help="validate and write the tidy scoring tables only; run no notebook")

    v = sub.add_parser("validate", help="check case-data files against the contract",
                       description="Report every problem in the given case-data files "
                       "(.csv, .xlsx, .parquet); exit 0 if none, 2 otherwise.")
    v.add_argument("files", nargs="+", type=Path)
    v.add_argument("--lenient", action="store_true")
    v.add_argument("--sheet", help="Excel sheet holding the cases")
    v.add_argument("--bank", type=Path, help="question bank file (default: the bundled one)")

    t = sub.add_parser("template", help="write an empty case-data file with a data dictionary")
    t.add_argument("--output", type=Path, default=Path("outputs/template"))

    s = sub.add_parser("stitch", help="stitch one area's executed notebooks into its report",
                       description="Merge outputs/<area>/notebooks/*.ipynb (executed by build "
                       "or by the papermill command) into outputs/<area>/report.html.")
    s.add_argument("area")
    s.add_argument("--data", type=Path, default=Path("data"))
    s.add_argument("--output", type=Path, default=Path("outputs"))

    g = sub.add_parser("generate", help="regenerate the bundled reconstructed and synthetic data")
    g.add_argument("--data", type=Path, default=Path("data"))
    g.add_argument("--areas", type=int, default=11, help="number of synthetic areas")
    g.add_argument("--seed", type=int, default=2014)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    for noisy in ("papermill", "traitlets", "distributed", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        if args.command == "build":
            from .build.pipeline import BuildOptions, build

            result = build(BuildOptions.from_args(args))
            return result.exit_code
        if args.command == "validate":
            return _validate(args)
        if args.command == "stitch":
            from .build.pipeline import stitch_only

            print(stitch_only(args.area, args.data, args.output))
            return 0
        if args.command == "template":
            from .synthetic.template import write_template

            for path in write_template(args.output):
                print(f"wrote {path}")
            return 0
        if args.command == "generate":
            from .synthetic.generate import regenerate

            for path in regenerate(args.data, n_synthetic=args.areas, seed=args.seed):
                print(f"wrote {path}")
            return 0
    except InputError as exc:
        print(f"error: {exc.render()}", file=sys.stderr)
        print("Nothing was written.", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted: finished outputs are complete; run the build again to finish",
              file=sys.stderr)
        return 130
    return 2


def _validate(args: argparse.Namespace) -> int:
    from .method.bank import load_bank
    from .method.validation import load_cases

    bank = load_bank(args.bank)
    data = load_cases(args.files, bank, lenient=args.lenient, sheet=args.sheet)
    for area in data.areas:
        n = int((data.frame["area_id"] == area).sum())
        print(f"{area}: {n} cases valid")
    if data.warnings:
        print(f"{len(data.warnings)} answers treated as not applicable (--lenient)")
    return 0
