"""Why a build runs what it runs: ``build --dry-run``, and the lines a build ends with.

A stamp holds one digest of everything an output was made from, so by itself it says *that*
something changed, not *what*. Each build therefore keeps a record beside its outputs
(``.build-record.json``): for every area's tables and every notebook, the digest of each thing
it was made from (its case file, notebook, package files, versions, parameters, tables,
commentary, shared data). Comparing what a stale output is made from now with that record
names the change, from the most specific to the most general: a notebook that changed, the
package, versions, parameters, the area's own tables (and what changed them), its
commentary, the cross-area or group tables, the shared data.

``--dry-run`` scores what is stale in a scratch copy of the tables (the task digests do not
depend on the output folder), plans against it and compares with the real stamps: it lists
exactly what a build would run, and writes nothing into the output folder.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core import atomic, paths
from ..method.catalogue import REAL, Area
from ..report.registry import chapter
from .digests import PACKAGE_DATA, digest_of, file_digest, sha256_bytes
from .execute import Task
from .notebooks import portable_params
from .outputs import AGGREGATE

if TYPE_CHECKING:
    from .builder import Builder
    from .options import BuildOptions
    from .pages import BuildResult

RECORD = ".build-record.json"
SHORT = 16  # digests are kept to 16 hex digits: enough to tell a change


def _short(digest: str) -> str:
    return digest[:SHORT]


@dataclass(frozen=True)
class Reason:
    """Why an output is rebuilt: a kind (one summary line each) and what it names."""

    kind: str
    detail: str = ""

    def text(self) -> str:
        return f"{self.kind} ({self.detail})" if self.detail else self.kind


def package_files() -> dict[str, str]:
    """Each file of the package digest, by path: which of them changed is the reason."""
    files = {str(p.relative_to(paths.REPO_ROOT)): _short(file_digest(p))
             for p in sorted(paths.PACKAGE_ROOT.rglob("*"))
             if p.is_file() and p.suffix in (".py", ".j2", ".css", ".yaml")}
    for name in PACKAGE_DATA:
        files[f"data/{name}"] = _short(file_digest(paths.REPO_ROOT / "data" / name))
    return files


def _changed(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return sorted(k for k in {*old, *new} if old.get(k) != new.get(k))


def _shared(relative: str) -> bool:
    """An input every report reads: context, published figures, areas.csv."""
    return relative.startswith(("context/", "published/")) or relative == "areas.csv"


def _listing(names: Sequence[str], most: int = 3) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


class Explainer:
    """The reasons of one build (or dry run), from its builder and the previous record."""

    def __init__(self, b: Builder, record_root: Path | None = None) -> None:
        self.b = b
        self.root = record_root or b.out.root
        try:
            self.record: dict[str, Any] = json.loads(
                (self.root / RECORD).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.record = {}
        self.files = package_files()
        self._folders: dict[str, str] = {}

    # what outputs are made from, now --------------------------------------------------
    def table_parts(self, area: Area) -> dict[str, Any]:
        inputs = self.b.inputs
        return {"case file": _short(inputs.of_case_file(area)),
                "published": _short(inputs.of_published(area)),
                "package": _short(self.b.package), "lenient": self.b.o.lenient,
                "scoring": self.b.o.scoring}

    def _folder(self, folder: Path) -> str:
        key = str(folder)
        if key not in self._folders:
            self._folders[key] = _short(digest_of(
                {p.name: file_digest(p) for p in sorted(folder.glob("*.parquet"))}))
        return self._folders[key]

    def folders_changed(self) -> None:
        """Forget the tables' digests worked out so far: the build has written tables."""
        self._folders.clear()

    def task_parts(self, task: Task) -> dict[str, Any]:
        b, out = self.b, self.b.out.root
        shared = self._folder(paths.all_tables(out))
        if task.folder == AGGREGATE:
            own = shared
        elif task.folder.startswith(f"{paths.GROUPS}/"):
            own = self._folder(out / task.folder / "tables")
        else:
            own = _short(b.tables(task.folder))
        area = next((a for a in b.every if a.id == task.folder), None)
        return {"notebook": _short(sha256_bytes(task.notebook_json.encode())),
                "package": _short(b.package), "versions": dict(b.versions),
                "parameters": portable_params(task.parameters), "tables": own,
                "shared": shared,
                "figures": _short(file_digest(paths.area_view(out, task.folder)))
                if area else "",
                "commentary": _short(b.inputs.of_commentary(area)) if area else "",
                "context": _short(digest_of(b.inputs.context()))}

    def area_tables(self) -> dict[str, str]:
        return {a.id: _short(self.b.tables(a.id)) for a in self.b.every}

    # reasons ---------------------------------------------------------------------------
    def table_reason(self, area: Area) -> Reason:
        if self.b.o.force:
            return Reason("--force")
        if self.b.out.area_tables(area.id).recorded() is None:
            return Reason("not scored before (a new area or output folder)")
        old = self.record.get("tables", {}).get(area.id)
        if old is None:
            return Reason("changed since a build that kept no record of its inputs")
        now = self.table_parts(area)
        case_file = str(area.cases.relative_to(self.b.data)) \
            if area.cases.is_relative_to(self.b.data) else str(area.cases)
        for key, reason in (("case file", Reason("its case file changed", case_file)),
                            ("published", Reason("its published figures changed")),
                            ("package", self._package_reason(old["package"]))):
            if old.get(key) != now[key]:
                return reason
        options = [f"--{k}" for k in ("lenient", "scoring") if old.get(k) != now[k]]
        return Reason("the options changed", ", ".join(options)) if options else \
            Reason("its inputs changed")

    def _package_reason(self, recorded: str) -> Reason:
        """The package changed: which files, when the record holds the package it names."""
        last = self.record.get("package", {})
        if last.get("digest") == recorded:
            return Reason("the analysis package changed",
                          _listing(_changed(last.get("files", {}), self.files)))
        return Reason("the analysis package changed")

    def task_reason(self, task: Task, had_output: bool) -> Reason:
        if self.b.o.force:
            return Reason("--force")
        if not had_output:
            return Reason("not run before (a new area, chapter or output folder)")
        old = self.record.get("tasks", {}).get(task.key)
        if old is None:
            return Reason("changed since a build that kept no record of its inputs")
        now = self.task_parts(task)
        if old["notebook"] != now["notebook"]:
            return Reason("its notebook changed")
        if old["package"] != now["package"]:
            return self._package_reason(old["package"])
        if old["versions"] != now["versions"]:
            moved = [f"{k} {old['versions'].get(k)} -> {now['versions'].get(k)}"
                     for k in _changed(old["versions"], now["versions"])]
            return Reason("package versions changed", _listing(moved))
        if old["parameters"] != now["parameters"]:
            return Reason("its parameters changed",
                          _listing(_changed(old["parameters"], now["parameters"])))
        if old["tables"] != now["tables"]:
            return self._tables_reason(task)
        if old["commentary"] != now["commentary"]:
            return Reason("its commentary file changed", f"commentary/{task.folder}.md")
        if old.get("figures", now["figures"]) != now["figures"] and chapter(task.notebook).view:
            return Reason("the all-areas figures they show changed", self._moved_areas())
        if old["shared"] != now["shared"]:
            return Reason("the all-areas tables changed", self._moved_areas())
        if old["context"] != now["context"]:
            last = {k: v for k, v in self.record.get("inputs", {}).items() if _shared(k)}
            now_shared = {k: _short(v) for k, v in self.b.inputs.context().items()}
            return Reason("the shared data changed", _listing(_changed(last, now_shared)))
        return Reason("its inputs changed")

    def _moved_areas(self) -> str:
        old = self.record.get("area_tables", {})
        moved = [a for a, d in self.area_tables().items() if old.get(a) != d]
        return f"the tables of {_listing(moved)} changed" if moved else ""

    def _tables_reason(self, task: Task) -> Reason:
        if task.folder == AGGREGATE:
            return Reason("the all-areas tables changed", self._moved_areas())
        if task.folder.startswith(f"{paths.GROUPS}/"):
            return Reason("its group's tables changed", self._moved_areas())
        area = next((a for a in self.b.every if a.id == task.folder), None)
        cause = self.table_reason(area) if area is not None else None
        return Reason("their area's tables changed",
                      f"{task.folder}: {cause.kind}" if cause else task.folder)

    # the record ------------------------------------------------------------------------
    def write(self, tasks: Iterable[Task], fresh: set[str]) -> None:
        """Record what this build's current outputs are made from (tasks in ``fresh``: run
        now or reused), keeping the entries of outputs this build did not touch."""
        tables = dict(self.record.get("tables", {}))
        for a in self.b.every:
            if self.b.out.area_tables(a.id).fresh(self.b.source_digest(a)):
                tables[a.id] = self.table_parts(a)
        done = dict(self.record.get("tasks", {}))
        for t in tasks:
            if t.key in fresh:
                done[t.key] = self.task_parts(t)
        record = {"package": {"digest": _short(self.b.package), "files": self.files},
                  "inputs": {k: _short(v) for k, v in self.b.inputs.relative().items()},
                  "area_tables": self.area_tables(), "tables": tables, "tasks": done}
        atomic.write_text(self.root / RECORD, json.dumps(record, indent=0, sort_keys=True))


def group_lines(reasons: dict[str, Reason], verb: str, noun: str = "notebook") -> list[str]:
    """One line per kind of reason: how many, which, why (the details of all of them)."""
    kinds: dict[str, tuple[list[str], list[str]]] = {}
    for key, reason in reasons.items():
        keys, details = kinds.setdefault(reason.kind, ([], []))
        keys.append(key)
        if reason.detail and reason.detail not in details:
            details.append(reason.detail)
    lines = []
    for kind, (keys, details) in sorted(kinds.items(), key=lambda kv: -len(kv[1][0])):
        plural = noun if len(keys) == 1 else f"{noun}s"
        what = which(keys) if noun == "notebook" else _listing(sorted(keys))
        why = f"{kind} ({_listing(details)})" if details else kind
        lines.append(f"{verb} {len(keys)} {plural} ({what}): {why}")
    return lines


def which(keys: Sequence[str]) -> str:
    """Notebook keys (folder/notebook) in few words: the folders with the same chapters
    together ("06_comparison of 11 areas (braxbrook, ...)")."""
    by_folder: dict[str, list[str]] = {}
    for key in keys:
        folder, _, name = key.rpartition("/")
        by_folder.setdefault(folder, []).append(name)
    sets: dict[tuple[str, ...], list[str]] = {}
    for folder, names in by_folder.items():
        sets.setdefault(tuple(sorted(names)), []).append(folder)
    parts = []
    for chapters, folders in sets.items():
        names = sorted(_folder_name(f) for f in folders)
        unit = "areas" if all("/" not in f and f != AGGREGATE for f in folders) else "reports"
        where = names[0] if len(names) == 1 else f"{len(names)} {unit} ({_listing(names)})"
        parts.append(f"{_listing(list(chapters), 2)} of {where}" if len(chapters) < 4 else
                     f"{len(chapters)} chapters of {where}")
    return "; ".join(parts)


def _folder_name(folder: str) -> str:
    """An output folder as a reader names its report."""
    if folder == AGGREGATE:
        return "all areas"
    return f"group {folder.removeprefix(paths.GROUPS + '/')}" if "/" in folder else folder


class BuildExplanation:
    """The hook of a build: reasons taken before its notebooks run, said and recorded after."""

    def __init__(self, b: Builder, changed: Iterable[Area]) -> None:
        """``changed``: the areas whose tables this build scores again (taken before it
        scores them)."""
        self.why = Explainer(b)
        self.tasks: list[Task] = []
        self.stale: dict[str, Reason] = {}
        self.tables = {a.id: self.why.table_reason(a) for a in changed}

    def before(self, tasks: list[Task]) -> None:
        """Take each stale notebook's reason while the stamps still say what ran last."""
        b = self.why.b
        self.tasks = [*self.tasks, *tasks]
        self.why.folders_changed()  # the cross-area tables may have been made since
        for t in tasks:
            target = b.out.notebook(t.folder, t.notebook)
            if not target.fresh(t.digest, b.o.force):
                self.stale[t.key] = self.why.task_reason(t, target.recorded() is not None)

    def after(self, result: BuildResult) -> None:
        """Say what ran and why (one line per kind), then record what outputs are made of."""
        ran = set(result.executed) | set(result.failed)
        self.why.folders_changed()
        lines = group_lines({a: r for a, r in self.tables.items()}, "scored again", "area")
        lines += group_lines({k: r for k, r in self.stale.items() if k in ran}, "ran")
        lines += real_data_note(self.why.b.every, self.why.b.o.publish, self.why.b.out.root)
        for line in lines:
            print(line, file=sys.stderr)
        fresh = {t.key for t in self.tasks} - set(result.failed)
        self.why.write(self.tasks, fresh)


def real_data_note(areas: Sequence[Area], publish: bool, out: Path) -> list[str]:
    """A reminder, when areas hold real case data and the build is not a publication build,
    that nothing it wrote may be handed out."""
    real = sorted(a.id for a in areas if a.label == REAL)
    if not real or publish:
        return []
    areas_hold = f"{len(real)} areas hold" if len(real) > 1 else "1 area holds"
    return [f"note: {areas_hold} real case data ({_listing(real)}): everything under {out} is "
            "a working file; build with --publish and hand out only its release folder"]


def dry_run(options: BuildOptions) -> BuildResult:
    """Check the inputs, score what is stale in a scratch copy of the tables, and list what a
    build would score and run, and why; nothing is written to the output folder."""
    from ..method.catalogue import groups_of
    from .builder import Builder
    from .inputs import Inputs, check_texts, select_areas
    from .outputs import OutputTree
    from .pages import BuildResult

    real = OutputTree(options.output.resolve())
    with tempfile.TemporaryDirectory(prefix="iaow-dry-run-") as tmp:
        scratch = Path(tmp) / "outputs"
        _copy_tables(real.root, scratch)
        b = Builder(replace(options, output=scratch, dry_run=False, quiet=True))
        every = select_areas(b.data, None)
        b.every, b.groups = every, groups_of(every)
        areas = select_areas(b.data, options.areas)
        b.inputs = Inputs.record(b.data, every)
        check_texts(b.data, areas, every)
        why = Explainer(b, record_root=real.root)
        changed = b.changed_areas(every)
        tables = {a.id: why.table_reason(a) for a in changed}
        # validated (and, when notebooks would be planned, scored) as a build does; with no
        # notebooks to compare every one would run, so scoring is not needed to say so
        b.score(every, changed, None,
                write=not options.tables_only and _has_notebooks(real.root))
        tasks = [] if options.tables_only else b.planner().tasks(areas, every)
        stale = {}
        for t in tasks:
            target = real.notebook(t.folder, t.notebook)
            if not target.fresh(t.digest, options.force):
                stale[t.key] = why.task_reason(t, target.recorded() is not None)
    lines = [f"dry run: nothing was written to {real.root}"]
    lines += group_lines(tables, "would score again", "area") or ["no area's tables would "
                                                                  "be scored again"]
    if not options.tables_only:
        lines += group_lines(stale, "would run") or ["no notebook would run"]
        lines.append(f"{len(tasks) - len(stale)} of {len(tasks)} notebooks are current")
        lines.append("reports: each report with a notebook to run is stitched again (and "
                     "any whose page changed)")
    print("\n".join(lines))
    return BuildResult()


def _has_notebooks(root: Path) -> bool:
    """Whether the output folder holds any executed notebook's stamp: if not, every
    notebook would run, and the dry run need not score the tables to say so."""
    return any(root.glob("*/notebooks/.*.digest")) or any(
        root.glob(f"{paths.GROUPS}/*/notebooks/.*.digest"))


def _copy_tables(root: Path, scratch: Path) -> None:
    """The tables of an output folder (with their stamps), the only outputs scoring reads."""
    scratch.mkdir(parents=True)
    if not root.is_dir():
        return
    for folder in [root / "tables", *root.glob("*/tables"), *root.glob(f"{paths.GROUPS}/*/tables")]:
        if folder.is_dir():
            shutil.copytree(folder, scratch / folder.relative_to(root))
