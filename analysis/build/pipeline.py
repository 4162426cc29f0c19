"""The build: validate, score, run notebooks (only what changed), stitch, index, manifest.

Incremental: each executed notebook records a digest of what it depends on (the notebook
source, the ``analysis`` package source, the input files it reads, its parameters and the
versions of the packages that execute and render it), in its metadata and in a small stamp file
beside it. A notebook whose digest is unchanged is reused. Outcome and appendix chapters read
only their own area's tables, so a change in one area's data re-runs that area's chapters,
every area's short comparison chapter (the pooled values it shows did change) and the
aggregate. Tables, reports and the index carry stamps the same way.

Fast paths: a build with nothing to do reads only stamps and checksums (no pandas, no
notebook is parsed); a build with work starts its worker processes and their kernels first,
so they warm up while the data is validated and scored, and stitches each report in a worker
as soon as that report's notebooks are done.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import logging
import multiprocessing
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__

from ..core import atomic

from ..core import paths
from ..method.catalogue import Area, load_areas
from ..core.errors import InputError, Problem
from .execute import LocalWorkers, Result, Task, cpu_count, run_dask, run_serial
from ..method.tables import AREA_TABLES

if TYPE_CHECKING:  # heavy imports stay out of a build that has nothing to do
    import nbformat

    from ..method.bank import QuestionBank

log = logging.getLogger(__name__)

AREA_NOTEBOOKS = ("01_assisting_sentencing", "02_delivering_sentence",
                  "03_reducing_reoffending", "04_protecting_public", "05_victims",
                  "06_comparison", "07_appendices")
AGGREGATE_NOTEBOOK = "aggregate"
RENDER_PACKAGES = ("papermill", "nbclient", "nbconvert", "nbformat", "ipykernel", "pandas",
                   "numpy", "matplotlib", "seaborn", "statsmodels", "scipy", "jinja2")
STRIP_NB_METADATA = ("papermill", "widgets")
STRIP_CELL_METADATA = ("papermill", "execution", "ExecuteTime")
# Absolute folders are parameters of a run, not of its content: executed notebooks and their
# digests carry these placeholders so that builds into different folders are byte-identical.
PATH_PLACEHOLDERS = {"data_dir": "<data_dir>", "output_dir": "<output_dir>"}


@dataclass
class BuildOptions:
    data: Path = Path("data")
    output: Path = Path("outputs")
    areas: list[str] | None = None
    jobs: int = field(default_factory=cpu_count)
    executor: str = "local"
    scheduler: str | None = None
    engine: str = "warm"
    force: bool = False
    lenient: bool = False
    publish: bool = False
    threshold: int = 5
    pdf: bool = False
    aggregate: bool = True
    quiet: bool = False
    tables_only: bool = False
    notebooks: Path = paths.NOTEBOOKS

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> BuildOptions:
        return cls(data=args.data, output=args.output, areas=args.areas, jobs=args.jobs,
                   executor=args.executor, scheduler=args.scheduler, engine=args.engine,
                   force=args.force, lenient=args.lenient, publish=args.publish,
                   threshold=args.threshold, pdf=args.pdf, aggregate=not args.no_aggregate,
                   quiet=args.quiet, tables_only=args.tables_only)


@dataclass
class BuildResult:
    executed: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    reports: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    cell_seconds: float = 0.0
    notebook_seconds: dict[str, float] = field(default_factory=dict)  # wall time, per notebook

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str:
    return sha256_bytes(path.read_bytes()) if path.exists() else "absent"


def package_digest() -> str:
    """Digest of the analysis package's own source and templates."""
    h = hashlib.sha256()
    for path in sorted(paths.PACKAGE_ROOT.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".j2", ".css", ".yaml"):
            h.update(str(path.relative_to(paths.PACKAGE_ROOT)).encode())
            h.update(path.read_bytes())
    h.update(file_digest(paths.REPO_ROOT / "data" / "question_bank.yaml").encode())
    return h.hexdigest()


def versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0], "iaow-analysis": __version__}
    for name in RENDER_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


def git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=paths.REPO_ROOT,
                              capture_output=True, text=True, timeout=10,
                              check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def digest_of(*parts: Any) -> str:
    return sha256_bytes(json.dumps(parts, sort_keys=True, default=str).encode())


def normalise_notebook(text: str) -> nbformat.NotebookNode:
    """Drop timings and renumber execution counts so reruns are byte-identical."""
    import nbformat

    nb = nbformat.reads(text, as_version=4)
    for key in STRIP_NB_METADATA:
        nb.metadata.pop(key, None)
    count = 0
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:03d}"
        for key in STRIP_CELL_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
            for out in cell.get("outputs", []):
                if "execution_count" in out:
                    out["execution_count"] = count
    return nb


def portable_params(params: dict[str, Any]) -> dict[str, Any]:
    """The parameters with the absolute data/output folders replaced by placeholders."""
    return {k: PATH_PLACEHOLDERS.get(k, v) for k, v in params.items()}


def portable_parameters_cell(nb: nbformat.NotebookNode) -> None:
    """Replace the absolute folders papermill injected by placeholders (in place)."""
    for cell in nb.cells:
        if "injected-parameters" not in cell.get("metadata", {}).get("tags", []):
            continue
        lines = cell.source.split("\n")
        for i, line in enumerate(lines):
            for name, placeholder in PATH_PLACEHOLDERS.items():
                if line.startswith(f"{name} = "):
                    lines[i] = f'{name} = "{placeholder}"'
        cell.source = "\n".join(lines)


def write_notebook(nb: nbformat.NotebookNode, target: Path) -> None:
    import nbformat

    atomic.write_text(target, nbformat.writes(nb) + "\n")


def _progress(total: int, quiet: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc="notebooks", unit="nb", disable=quiet or total == 0,
                file=sys.stderr, dynamic_ncols=True)


class Builder:
    """One build; methods follow its steps in order."""

    def __init__(self, options: BuildOptions) -> None:
        self.o = options
        self.out = options.output.resolve()
        self.data = options.data.resolve()
        self.result = BuildResult()
        self.pkg_digest = package_digest()
        self.versions = versions()
        self.inputs: dict[str, str] = {}
        self.declared: dict[str, Future[list[str]]] = {}
        self._table_digests: dict[str, str] = {}

    def read_parameters(self, workers: LocalWorkers) -> None:
        """Have the workers read each notebook's declared parameters while data is scored
        (papermill is imported there anyway; in this process it would cost half a second)."""
        for name in [*AREA_NOTEBOOKS, AGGREGATE_NOTEBOOK]:
            path = self.o.notebooks / f"{name}.ipynb"
            if path.exists():
                self.declared[name] = workers.submit(declared_parameters, str(path))

    @cached_property
    def bank(self) -> QuestionBank:
        """Loaded only when cases are validated or the index is rewritten."""
        from ..method.bank import load_bank

        return load_bank()

    # 1. inputs ------------------------------------------------------------------------
    def select_areas(self) -> list[Area]:
        areas = load_areas(self.data)
        if self.o.areas:
            known = {a.id for a in areas}
            unknown = [a for a in self.o.areas if a not in known]
            if unknown:
                raise InputError([Problem(str(self.data / "areas.csv"), "unknown area id",
                                          value=u, allowed=", ".join(sorted(known)))
                                  for u in unknown])
            areas = [a for a in areas if a.id in self.o.areas]
        return areas

    def record_inputs(self, areas: list[Area]) -> None:
        """Checksums of every input file: for digests, provenance and the manifest."""
        for a in areas:
            self.inputs[str(a.cases)] = file_digest(a.cases)
        for extra in [self.data / "areas.csv", *sorted((self.data / "context").glob("*.csv")),
                      *sorted((self.data / "published").glob("*.yaml"))]:
            self.inputs[str(extra)] = file_digest(extra)

    def source_digest(self, area: Area) -> str:
        """What an area's tables depend on: its case file, the package and bank, options."""
        return digest_of(area.id, self.inputs[str(area.cases)], self.pkg_digest, self.o.lenient)

    def tables_current(self, area: Area) -> bool:
        folder = paths.area_tables(self.out, area.id)
        stamp = folder / ".source.digest"
        return (not self.o.force and stamp.exists()
                and stamp.read_text() == self.source_digest(area)
                and all((folder / f"{n}.parquet").exists() for n in AREA_TABLES))

    def changed_areas(self, areas: list[Area]) -> list[Area]:
        """Areas whose tables must be (re)written: their cases, the package or options changed.

        An unchanged area was valid when its tables were written and is not read again: a
        no-op rebuild stays cheap.
        """
        return [a for a in areas if not self.tables_current(a)]

    def validate(self, areas: list[Area], changed: list[Area]) -> dict[str, Any]:
        """Validate every changed area's cases before anything is written."""
        if not changed:
            return {}
        from ..method.validation import load_cases

        data = load_cases([a.cases for a in changed], self.bank, lenient=self.o.lenient)
        problems = []
        by_area = {}
        for a in changed:
            frame = data.area(a.id)
            if frame.empty:
                problems.append(Problem(str(a.cases), f"area '{a.id}' has no cases",
                                        column="area_id", value=a.id,
                                        allowed="at least one case row for each area listed "
                                        "in areas.csv"))
            by_area[a.id] = frame
        stray = sorted(set(data.areas) - {a.id for a in areas})
        if stray and not self.o.areas:
            problems.append(Problem(", ".join(str(a.cases) for a in changed),
                                    "cases for areas not listed in areas.csv", column="area_id",
                                    value=", ".join(stray)))
        if problems:
            raise InputError(problems)
        return by_area

    # 2. tables ------------------------------------------------------------------------
    def score(self, areas: list[Area], cases: dict[str, Any]) -> None:
        """Score changed areas and write their tables, then the cross-area tables.

        The cross-area tables are made from every area's tables read back from Parquet, so
        they have the same types whether an area was just scored or reused.
        """
        if cases:
            from ..method.scoring import score_area
            from ..method.tables import write_tables
        for a in areas:
            if a.id in cases:
                folder = paths.area_tables(self.out, a.id)
                write_tables(score_area(cases[a.id], self.bank, a.id).as_dict(), folder)
                atomic.write_text(folder / ".source.digest", self.source_digest(a))
        shared = paths.all_tables(self.out)
        stamp = shared / ".source.digest"
        digest = digest_of([self.table_digest(a.id) for a in areas], self.pkg_digest)
        if not self.o.force and stamp.exists() and stamp.read_text() == digest:
            return
        from ..method import compare
        from ..method.tables import read_table, write_tables

        tables = {a.id: {n: read_table(paths.area_tables(self.out, a.id), n)
                         for n in AREA_TABLES} for a in areas}
        write_tables(compare.comparison_tables(tables), shared)
        atomic.write_text(stamp, digest)

    def table_digest(self, area_id: str) -> str:
        """Digest of an area's written tables (hashed once a build: they are written before
        the first call, in :meth:`score`, and used again by :meth:`plan`)."""
        if area_id not in self._table_digests:
            folder = paths.area_tables(self.out, area_id)
            self._table_digests[area_id] = digest_of(
                {n: file_digest(folder / f"{n}.parquet") for n in AREA_TABLES})
        return self._table_digests[area_id]

    # 3. notebooks ---------------------------------------------------------------------
    def plan(self, areas: list[Area]) -> list[Task]:
        context = digest_of({os.path.relpath(k, self.data): v
                             for k, v in self.inputs.items()
                             if "/context/" in k or "/published/" in k or k.endswith("areas.csv")})
        shared = digest_of({p.name: file_digest(p) for p in
                            sorted(paths.all_tables(self.out).glob("*.parquet"))})
        tasks = []
        if self.o.aggregate:  # first: the longest notebook, so no worker idles at the end
            params = self._params("")
            params.pop("area_id")
            params["areas"] = ",".join(a.id for a in areas)
            tasks.append(self._task(f"aggregate/{AGGREGATE_NOTEBOOK}", AGGREGATE_NOTEBOOK,
                                    params, [shared, context]))
        for a in areas:
            area_digest = self.table_digest(a.id)
            for name in AREA_NOTEBOOKS:
                deps = [area_digest, context]
                if name == "06_comparison":
                    deps.append(shared)
                tasks.append(self._task(f"{a.id}/{name}", name, self._params(a.id), deps))
        return tasks

    def _params(self, area_id: str) -> dict[str, Any]:
        return {"area_id": area_id, "data_dir": str(self.data), "output_dir": str(self.out),
                "publish": self.o.publish, "threshold": self.o.threshold, "benchmark": False}

    def _task(self, key: str, name: str, params: dict[str, Any], deps: list[str]) -> Task:
        source = self.o.notebooks / f"{name}.ipynb"
        text = source.read_text(encoding="utf-8")
        digest = digest_of(key, sha256_bytes(text.encode()), self.pkg_digest, deps,
                           portable_params(params), self.versions)
        return Task(key, text, params, digest)

    def executed_path(self, key: str) -> Path:
        area, name = key.split("/")
        return self.out / area / "notebooks" / f"{name}.ipynb"

    def digest_path(self, key: str) -> Path:
        """The executed notebook's digest, beside it: read without parsing the notebook."""
        path = self.executed_path(key)
        return path.with_name(f".{path.stem}.digest")

    def recorded_digest(self, key: str) -> str | None:
        """The digest an executed notebook was made from (None: absent or damaged stamp)."""
        stamp = self.digest_path(key)
        if not self.executed_path(key).exists() or not stamp.exists():
            return None
        return stamp.read_text(encoding="utf-8").strip() or None

    def is_current(self, task: Task) -> bool:
        return not self.o.force and self.recorded_digest(task.key) == task.digest

    def execute(self, tasks: list[Task], areas: list[Area],
                workers: LocalWorkers | None) -> None:
        """Run what is not current; stitch each report as soon as its notebooks are done."""
        pending = [t for t in tasks if not self.is_current(t)]
        checked: set[str] = set()
        for t in pending:
            name = t.key.split("/")[1]
            if name not in checked:
                declared = self.declared.pop(name, None)
                check_parameters(self.o.notebooks / f"{name}.ipynb", t.parameters,
                                 None if declared is None else declared.result())
                checked.add(name)
        self.result.reused = [t.key for t in tasks if t not in pending]
        jobs: dict[str, Callable[[], dict[str, Any] | None]] = {
            a.id: functools.partial(self.stitch_job, a) for a in areas}
        if self.o.aggregate:
            jobs["aggregate"] = functools.partial(self.aggregate_job, areas)
        waiting = Counter(t.key.split("/")[0] for t in pending)
        stitcher = _Stitcher(workers)
        for folder, job in jobs.items():
            if not waiting[folder]:  # notebooks all reused; the report may still be stale
                stitcher.add(job())
        if self.o.executor == "dask" or self.o.scheduler:
            for t in pending:
                t.files = self.bundle(t)
            runner: Iterator[Result] = run_dask(pending, self.o.jobs, self.o.engine,
                                                self.o.scheduler, shared=self.shared_bundle())
        elif workers is not None and len(pending) > 1:
            runner = workers.run(pending)
        else:
            runner = run_serial(pending, self.o.engine)
        with _progress(len(pending), self.o.quiet) as bar:
            for res in runner:
                self.collect(res)
                bar.update(1)
                folder = res.key.split("/")[0]
                waiting[folder] -= 1
                if not waiting[folder]:
                    stitcher.add(jobs[folder]())
        stitcher.finish(self.o.jobs)

    def bundle(self, task: Task) -> dict[str, str]:
        """The files only this task needs on a remote worker: its area's tables."""
        area = task.key.split("/")[0]
        return _encode({f"output/{p.relative_to(self.out)}": p for p in
                        sorted(paths.area_tables(self.out, area).glob("*.parquet"))})

    def shared_bundle(self) -> dict[str, str]:
        """The files every task needs (data other than case files, the cross-area tables):
        sent to each Dask worker once, not with every task."""
        files = {f"data/{p.relative_to(self.data)}": p for p in sorted(self.data.rglob("*"))
                 if p.is_file() and "cases" not in p.relative_to(self.data).parts}
        for p in sorted(paths.all_tables(self.out).glob("*.parquet")):
            files[f"output/{p.relative_to(self.out)}"] = p
        return _encode(files)

    def collect(self, res: Result) -> None:
        nb = normalise_notebook(res.notebook_json)
        portable_parameters_cell(nb)
        nb.metadata["iaow"] = {"digest": res.digest, "key": res.key}
        self.result.cell_seconds += res.cell_seconds
        self.result.notebook_seconds[res.key] = res.seconds
        area, name = res.key.split("/")
        if res.ok:
            write_notebook(nb, self.executed_path(res.key))
            atomic.write_text(self.digest_path(res.key), res.digest)
            failed = self.out / area / "failed" / f"{name}.ipynb"
            failed.unlink(missing_ok=True)
            self.result.executed.append(res.key)
        else:
            nb.metadata["iaow"]["digest"] = "failed"
            write_notebook(nb, self.out / area / "failed" / f"{name}.ipynb")
            self.result.failed[res.key] = res.error

    # 4. reports -----------------------------------------------------------------------
    def stitch_job(self, area: Area) -> dict[str, Any] | None:
        """What stitching this area's report needs, or None if it is current or failed."""
        keys = [f"{area.id}/{n}" for n in AREA_NOTEBOOKS]
        if any(k in self.result.failed for k in keys):
            log.warning("%s: a notebook failed; its previous report (if any) is kept", area.id)
            return None
        inputs = {k: v for k, v in self.inputs.items()
                  if k == str(area.cases) or "/cases/" not in k}
        return self._job(keys, area.id,
                         title=f"Inspection of adult offending work: {area.name}",
                         subtitle="Area report: five outcomes, comparison with all areas, "
                                  "appendices",
                         label=area.label_text,
                         provenance=self.provenance(area.label_text, {"area_id": area.id},
                                                    inputs))

    def aggregate_job(self, areas: list[Area]) -> dict[str, Any] | None:
        key = f"aggregate/{AGGREGATE_NOTEBOOK}"
        if key in self.result.failed or not self.executed_path(key).exists():
            return None
        return self._job([key], "aggregate", title="Inspection of adult offending work: "
                         "all areas", subtitle=f"Aggregate report across {len(areas)} areas",
                         label="Synthetic areas and one area reconstructed from its published "
                         "report; no real cases",
                         provenance=self.provenance("synthetic and reconstructed areas",
                                                    {"areas": ", ".join(a.id for a in areas)},
                                                    self.inputs))

    def _job(self, keys: list[str], folder: str, **page: Any) -> dict[str, Any] | None:
        digests = [self.recorded_digest(k) for k in keys]
        if None in digests:  # a notebook never executed: nothing to stitch yet
            return None
        digest = digest_of(digests, self.pkg_digest, page)
        target = self.out / folder / "report.html"
        stamp = self.out / folder / ".report.digest"
        self.result.reports.append(target)
        if target.exists() and stamp.exists() and stamp.read_text() == digest and \
                not self.o.force:
            return None
        return {"notebooks": [str(self.executed_path(k)) for k in keys], "target": str(target),
                "stamp": str(stamp), "digest": digest, "page": page, "digests": digests}

    def provenance(self, label: str, params: dict[str, Any],
                   inputs: dict[str, str]) -> dict[str, Any]:
        return {
            "Data": label,
            "Package": f"iaow-analysis {__version__} (git {git_commit()})",
            "Parameters": {**params, "publish": self.o.publish, "threshold": self.o.threshold},
            "Input checksums (SHA-256)": {Path(k).name: v[:16] for k, v in
                                          sorted(inputs.items())},
            "Versions": {k: v for k, v in self.versions.items()},
        }

    def index(self, areas: list[Area], aggregate: bool) -> None:
        """The index page; rewritten only when what it shows changed."""
        rows: list[dict[str, Any]] = []
        for a in areas:
            report = self.out / a.id / "report.html"
            failed = any(k.startswith(f"{a.id}/") for k in self.result.failed)
            rows.append({
                "id": a.id, "name": a.name, "label": a.label,
                "href": f"{a.id}/report.html" if report.exists() else None,
                "status": ("failed: previous report kept" if failed and report.exists()
                           else "failed" if failed else "built"),
                "scores_digest": file_digest(paths.area_tables(self.out, a.id)
                                             / "outcome_scores.parquet"),
            })
        target = self.out / "index.html"
        stamp = self.out / ".index.digest"
        digest = digest_of(rows, aggregate, self.pkg_digest)
        if target.exists() and stamp.exists() and stamp.read_text() == digest:
            return
        from . import stitch
        from ..chapters.html import interval, pct
        from ..method.tables import read_table

        for row in rows:
            o = read_table(paths.area_tables(self.out, row["id"]), "outcome_scores")
            o = o.sort_values("outcome")
            row["cases"] = int(o["n_cases"].iloc[0])
            row["scores"] = [f"{pct(r.score)} ({interval(r.lower, r.upper)})"
                             for r in o.itertuples()]
        html = stitch.render_page("index.html.j2", title="Inspection of adult offending work: "
                                  "area reports", areas=rows,
                                  outcomes=[o.short for o in self.bank.outcomes],
                                  aggregate_href="aggregate/report.html" if aggregate else None)
        atomic.write_text(target, html)
        atomic.write_text(stamp, digest)

    def manifest(self, areas: list[Area]) -> None:
        data = {
            "package": {"version": __version__, "git": git_commit(),
                        "analysis_digest": self.pkg_digest},
            "versions": self.versions,
            "parameters": {"areas": [a.id for a in areas], "publish": self.o.publish,
                           "threshold": self.o.threshold, "engine": self.o.engine,
                           "executor": "dask" if self.o.scheduler else self.o.executor,
                           "lenient": self.o.lenient, "force": self.o.force},
            "inputs": {str(Path(k).relative_to(self.data)) if k.startswith(str(self.data))
                       else k: v for k, v in sorted(self.inputs.items())},
            "executed": sorted(self.result.executed),
            "reused": sorted(self.result.reused),
            "failed": dict(sorted(self.result.failed.items())),
            "timings_seconds": {k: round(v, 3) for k, v in sorted(self.result.timings.items())},
            "notebook_cell_seconds": round(self.result.cell_seconds, 3),
            "notebook_seconds": {k: round(v, 3) for k, v in
                                 sorted(self.result.notebook_seconds.items())},
        }
        atomic.write_text(self.out / "manifest.json", json.dumps(data, indent=1) + "\n")


def _encode(files: dict[str, Path]) -> dict[str, str]:
    """Files as base64 text by relative path: what travels to a remote worker."""
    import base64

    return {rel: base64.b64encode(p.read_bytes()).decode() for rel, p in files.items()}


class _Stitcher:
    """Stitch reports in the build's workers as they become ready, or at the end if none."""

    def __init__(self, workers: LocalWorkers | None) -> None:
        self.workers = workers
        self.futures: list[Future[Any]] = []
        self.later: list[dict[str, Any]] = []

    def add(self, job: dict[str, Any] | None) -> None:
        if job is None:
            return
        from . import stitch

        if self.workers is not None:
            self.futures.append(self.workers.submit(stitch.write_report, job))
        else:
            self.later.append(job)

    def finish(self, jobs: int) -> None:
        for future in self.futures:
            future.result()
        if not self.later:
            return
        from . import stitch

        if len(self.later) > 1 and jobs > 1:  # nbconvert is slow: stitch in parallel
            context = multiprocessing.get_context("forkserver")
            with ProcessPoolExecutor(min(jobs, len(self.later)), mp_context=context) as pool:
                list(pool.map(stitch.write_report, self.later))
        else:
            for job in self.later:
                stitch.write_report(job)


def declared_parameters(notebook: str) -> list[str]:
    """The parameters a notebook declares in its parameters cell, as papermill reads them."""
    import papermill as pm

    return sorted(pm.inspect_notebook(notebook))


def check_parameters(notebook: Path, params: dict[str, Any],
                     declared: list[str] | None = None) -> None:
    """Refuse a parameter the notebook does not declare (papermill only warns)."""
    known = set(declared_parameters(str(notebook)) if declared is None else declared)
    unknown = sorted(set(params) - known)
    if unknown:
        raise InputError([Problem(str(notebook), "parameters not declared in the notebook's "
                                  "parameters cell", value=", ".join(unknown),
                                  allowed=", ".join(sorted(known)))])


def build(options: BuildOptions) -> BuildResult:
    """Run a whole build; raises :class:`InputError` before writing anything on bad input."""
    t0 = time.perf_counter()
    b = Builder(options)
    if options.pdf:  # fail before anything is written when the optional browser is missing
        from .pdf import find_chromium

        find_chromium()
    areas = b.select_areas()
    b.record_inputs(areas)
    changed = b.changed_areas(areas)
    local = options.executor == "local" and not options.scheduler
    workers = (LocalWorkers(options.jobs, options.engine)
               if local and options.jobs > 1 and not options.tables_only else None)
    try:
        if workers is not None and changed:  # kernels start while the data is scored
            workers.start()
            b.read_parameters(workers)
        cases = b.validate(areas, changed)
        atomic.clean_temporaries(b.out)
        b.score(areas, cases)
        b.result.timings["score"] = time.perf_counter() - t0
        if options.tables_only:
            print(f"tables: {b.out}", file=sys.stdout)
            return b.result
        t1 = time.perf_counter()
        b.execute(b.plan(areas), areas, workers)
        b.result.timings["notebooks_and_reports"] = time.perf_counter() - t1
    finally:
        if workers is not None:
            workers.close()
    aggregate = (b.out / "aggregate" / "report.html").exists() and options.aggregate
    b.index(areas, aggregate)
    if options.pdf:
        from .pdf import print_reports

        print_reports(b.result.reports)
    b.result.timings["total"] = time.perf_counter() - t0
    b.manifest(areas)
    summary(b.result, b.out, options.quiet)
    return b.result


def summary(result: BuildResult, out: Path, quiet: bool) -> None:
    stream = sys.stderr
    print(f"notebooks executed: {len(result.executed)}, reused: {len(result.reused)}, "
          f"failed: {len(result.failed)} ({result.timings.get('total', 0):.1f} s)", file=stream)
    if result.failed:
        print("\nFailed notebooks (kept under <area>/failed/, not in any report):", file=stream)
        width = max(len(k) for k in result.failed)
        for key, error in sorted(result.failed.items()):
            print(f"  {key:<{width}}  {error[:160]}", file=stream)
    print(f"index: {out / 'index.html'}", file=sys.stdout)


def stitch_only(area_id: str, data: Path, output: Path) -> Path:
    """Stitch one area's already executed notebooks (``outputs/<area>/notebooks``) into its
    report: the step a researcher runs by hand after executing notebooks with ``papermill``."""
    import nbformat

    from . import stitch

    options = BuildOptions(data=data, output=output, areas=[area_id], quiet=True)
    b = Builder(options)
    (area,) = b.select_areas()
    b.inputs[str(area.cases)] = file_digest(area.cases)
    for key in (f"{area_id}/{n}" for n in AREA_NOTEBOOKS):
        path = b.executed_path(key)
        if not path.exists():
            raise InputError([Problem(str(path), "executed notebook not found",
                                      allowed="run the notebooks first (papermill or build)")])
        nb = nbformat.read(path, as_version=4)
        if "iaow" not in nb.metadata:
            nb = normalise_notebook(nbformat.writes(nb))
            nb.metadata["iaow"] = {"digest": "external", "key": key}
            write_notebook(nb, path)
        if b.recorded_digest(key) is None:
            atomic.write_text(b.digest_path(key), nb.metadata["iaow"]["digest"])
    options.force = True
    job = b.stitch_job(area)
    assert job is not None
    return Path(stitch.write_report(job))
