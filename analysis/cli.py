"""Command-line interface: ``python -m analysis {build,validate,template,stitch,sensitivity,
generate,verify,lab,kernel}`` (also installed as the ``iaow`` command).

User mistakes (bad data, bad options) end with a clear message and exit code 2, never a
traceback; a build in which some notebook failed ends with a summary and exit code 1.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from .core.errors import InputError, Problem
from .pipeline.options import BuildOptions

log = logging.getLogger("analysis")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="iaow" if Path(sys.argv[0]).name == "iaow" else "python -m analysis",
        description="Build inspection reports from case-level IAOW data.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="score every area, execute its notebooks, stitch reports",
                       description="Score the areas, run each notebook with papermill, stitch "
                       "each area's notebooks into outputs/<area>/report.html, build the "
                       "aggregate report and outputs/index.html. Only what changed is rebuilt.")
    BuildOptions.add_arguments(b)

    v = sub.add_parser("validate", help="check case-data files against the contract",
                       description="Report every problem in the given case-data files "
                       "(.csv, .xlsx, .parquet); exit 0 if none, 2 otherwise.")
    v.add_argument("files", nargs="+", type=Path, metavar="FILE",
                   help="case-data files (.csv, .xlsx, .parquet), checked together")
    v.add_argument("--lenient", action="store_true",
                   help="answers where a question does not apply become warnings, and are "
                   "treated as not applicable (as build --lenient reads them)")
    v.add_argument("--sheet", help="Excel sheet holding the cases (default: the sheet named "
                   "'cases', or the only sheet with area_id and case_id columns)")
    v.add_argument("--bank", type=Path, help="question bank file (default: the bundled one)")

    t = sub.add_parser("template", help="write an empty case-data file with a data dictionary",
                       description="Write case-data-template.xlsx (drop-downs, greyed cells "
                       "where a question does not apply, a dictionary sheet) and the same "
                       "columns as case-data-template.csv.")
    t.add_argument("--output", type=Path, default=Path("outputs/template"),
                   help="folder to write the two files into, created if missing "
                   "(default: outputs/template)")

    s = sub.add_parser("stitch", help="stitch one area's executed notebooks into its report",
                       description="Merge outputs/<area>/notebooks/*.ipynb (executed by build "
                       "or by the papermill command) into outputs/<area>/report.html.")
    s.add_argument("area", metavar="AREA_ID", help="the area whose notebooks to stitch")
    s.add_argument("--data", type=Path, default=Path("data"),
                   help="data folder with areas.csv (default: data)")
    s.add_argument("--output", type=Path, default=Path("outputs"),
                   help="output folder holding <area>/notebooks/ (default: outputs)")

    r = sub.add_parser("sensitivity", help="print an area's sensitivity table as Markdown",
                       description="Headline scores under every scoring reading and contested "
                       "classification, beside the published ones (an area with a published "
                       "report); --readme rewrites the README's table in place.")
    r.add_argument("--area", default="durham-tees-valley", metavar="AREA_ID",
                   help="an area with a published-figures file (default: durham-tees-valley)")
    r.add_argument("--data", type=Path, default=Path("data"),
                   help="data folder with areas.csv and published/ (default: data)")
    r.add_argument("--readme", type=Path, help="rewrite the table between the sensitivity "
                   "markers of this file")

    g = sub.add_parser("generate", help="rewrite the bundled data/ with regenerated "
                       "reconstructed and synthetic data",
                       description="Regenerate Durham Tees Valley's reconstruction, the "
                       "synthetic areas' case files, the context files and areas.csv. By "
                       "default this OVERWRITES ./data, which run from the repository folder "
                       "is the bundled data; give --data another folder to write a copy "
                       "instead.")
    g.add_argument("--data", type=Path, default=Path("data"),
                   help="folder to write into (default: ./data, from the repository folder "
                   "the bundled data, overwritten)")
    g.add_argument("--areas", type=int, default=11, help="number of synthetic areas "
                   "(default: 11)")
    g.add_argument("--seed", type=int, default=2014,
                   help="random seed: the same seed writes the same files (default: 2014)")

    c = sub.add_parser("verify", help="check that an outputs folder is what this code makes "
                       "from these data", description="Check the outputs folder against its "
                       "manifest.json: the data files, the analysis code, the installed versions "
                       "and every report and table; then build again into a temporary folder "
                       "with the recorded options and compare every report and table byte for "
                       "byte. Exit 0 when everything matches, 1 when something differs (each "
                       "difference is listed), 2 when the folder cannot be checked.")
    c.add_argument("outputs", nargs="?", type=Path, default=Path("outputs"),
                   help="the outputs folder to check (default: outputs)")
    c.add_argument("--data", type=Path, metavar="DIR", help="the data folder it was built from "
                   "(default: the one the manifest records)")
    c.add_argument("--jobs", type=int, metavar="N", help="parallel notebook workers for the "
                   "rebuild (default: the cores this process may use)")
    c.add_argument("--keep", type=Path, metavar="DIR", help="rebuild into this new or empty "
                   "folder and keep it, to compare the files that differ (default: a temporary "
                   "folder, removed afterwards)")
    c.add_argument("--no-rebuild", dest="rebuild", action="store_false",
                   help="check the data, code, versions and files against the manifest only "
                   "(seconds instead of a whole build)")

    sub.add_parser("lab", help="open JupyterLab on notebooks/ with the package's kernel",
                   description="Install the iaow-analysis kernel into this environment and "
                   "start JupyterLab on the notebooks folder; other arguments go to JupyterLab "
                   "(e.g. --no-browser --port 8889). Run as root (a container), it adds "
                   "--allow-root and says so.")

    sub.add_parser("kernel", help="register the package's Jupyter kernel, Python "
                   "(iaow-analysis), for this environment",
                   description="Install the iaow-analysis kernelspec into this interpreter's "
                   "prefix (a virtual environment or a conda environment), so that JupyterLab "
                   "or Jupyter Notebook started from this environment opens the notebooks with "
                   "it. make lab does this too.")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if rest and args.command != "lab":
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    from .pipeline import logs

    logs.configure(verbose=getattr(args, "verbose", False))
    from .pipeline.interrupts import terminate_as_interrupt

    with terminate_as_interrupt():  # `kill` stops a build as Ctrl-C does
        return _run(args, rest)


def _run(args: argparse.Namespace, rest: list[str]) -> int:
    try:
        if args.command in ("build", "template", "stitch"):
            check_output_folder(args.output)
        if args.command in ("template", "stitch"):  # build checks its own (builder.build)
            from .core import paths
            from .pipeline.inputs import check_output

            check_output(args.output, getattr(args, "data", paths.data_dir()))
        if args.command == "build":
            from .pipeline.builder import build

            result = build(BuildOptions.from_args(args))
            return result.exit_code
        if args.command == "validate":
            return _validate(args)
        if args.command == "verify":
            return _verify(args)
        if args.command == "lab":
            from .pipeline.lab import run_lab

            return run_lab(rest)
        if args.command == "kernel":
            return _kernel()
        if args.command == "stitch":
            from .pipeline.builder import stitch_only

            print(stitch_only(args.area, args.data, args.output))
            return 0
        if args.command == "template":
            from .synthetic.template import write_template

            for path in write_template(args.output):
                print(f"wrote {path}")
            return 0
        if args.command == "sensitivity":
            return _sensitivity(args)
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


def _kernel() -> int:
    """Register the kernel and say where Jupyter finds it, and how to start Jupyter with it."""
    from jupyter_client.kernelspec import KernelSpecManager

    from .pipeline.engine import KERNEL_NAME, ensure_kernelspec

    ensure_kernelspec()
    found = KernelSpecManager().find_kernel_specs().get(KERNEL_NAME, "not found by Jupyter")
    print(f"installed kernel {KERNEL_NAME!r}, Python (iaow-analysis), for {sys.executable}: "
          f"{found}")
    print("start JupyterLab from this environment (jupyter lab notebooks/, or make lab): the "
          "notebooks open with it")
    return 0


def check_output_folder(folder: Path) -> None:
    """``--output`` must be a folder or not exist yet: refuse a file (or a path under one)."""
    for path in (folder, *folder.parents):
        if path.exists():
            if not path.is_dir():
                raise InputError([Problem(str(folder), f"--output is not a folder: {path} is a "
                                          "file", allowed="a folder (created if missing)")])
            return


def _verify(args: argparse.Namespace) -> int:
    from .pipeline.verify import verify

    if args.jobs is not None and args.jobs < 1:
        raise InputError([Problem("--jobs", "must be at least 1", value=str(args.jobs),
                                  allowed="a whole number of workers, 1 or more")])
    verdict = verify(args.outputs, args.data, rebuild=args.rebuild, jobs=args.jobs,
                     keep=args.keep)
    print(verdict.render())
    return verdict.exit_code


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


SENSITIVITY_BLOCK = re.compile(r"(<!-- sensitivity:start -->\n).*?(<!-- sensitivity:end -->)",
                               re.S)


def _sensitivity(args: argparse.Namespace) -> int:
    from .chapters.reconstruction import sensitivity_markdown
    from .core.atomic import write_text
    from .method.bank import load_bank
    from .method.catalogue import load_areas
    from .method.published import headline_scores
    from .method.scoring import sensitivity_table
    from .method.validation import load_cases

    bank = load_bank()
    areas = {a.id: a for a in load_areas(args.data)}
    published = headline_scores(args.data, args.area)
    if args.area not in areas or not published:
        raise InputError([Problem(str(args.data), "no published report for this area",
                                  column="area", value=args.area,
                                  allowed="an area of areas.csv with a published-figures file")])
    cases = load_cases([areas[args.area].cases], bank).area(args.area)
    text = sensitivity_markdown(sensitivity_table(cases, bank, args.area, published),
                                bank.reading)
    if args.readme is None:
        print(text, end="")
        return 0
    old = args.readme.read_text(encoding="utf-8")
    if not SENSITIVITY_BLOCK.search(old):
        raise InputError([Problem(str(args.readme), "no sensitivity block to rewrite",
                                  allowed="<!-- sensitivity:start --> and "
                                  "<!-- sensitivity:end --> lines")])
    write_text(args.readme, SENSITIVITY_BLOCK.sub(lambda m: m.group(1) + text + m.group(2), old))
    print(f"wrote {args.readme}")
    return 0
