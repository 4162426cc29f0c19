"""``python -m analysis verify``: were these outputs made by this code from these data, and does
a build made now give the same bytes?

A build's manifest (:func:`analysis.pipeline.pages.write_manifest`) records the SHA-256 of every
input file, the digest of the analysis package, the version of every installed distribution,
the build's options and the SHA-256 of every report and table it left. ``verify`` checks each
against what is here now and says exactly what differs; then it builds again into a temporary
folder with the recorded options and compares every report and table byte for byte. It does
not rebuild when the data differ: a build from other data cannot give the same outputs.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..core.errors import InputError, Problem
from ..method.disclosure import DEFAULT_THRESHOLD
from ..method.readings import READINGS
from .digests import file_digest, git_commit, installed, normalise, package_digest, versions
from .execute import ENGINES
from .options import BuildOptions, cpu_count
from .outputs import checked_files

MANIFEST = "manifest.json"
#: What a manifest must hold for its outputs to be checked at all.
REQUIRED = ("package", "versions", "parameters", "inputs")
#: A report's provenance footer: the commit, versions and checksums it was made with.
PROVENANCE = re.compile(rb'<footer class="provenance">.*?</footer>', re.S)


@dataclass
class Verdict:
    """What ``verify`` found: what matched, what differs (one message each) and the files
    that differ, as paths the user can open."""

    heading: str = ""
    matched: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when everything matched, 1 otherwise."""
        return 1 if self.differences else 0

    def differ(self, message: str, *files: str) -> None:
        self.differences.append(message)
        self.files.extend(f for f in files if f not in self.files)

    def render(self) -> str:
        """The verdict as ``verify`` prints it."""
        lines = [self.heading, *(f"  {m}" for m in self.matched)]
        if self.differences:
            lines += ["Differences:", *(f"  {d}" for d in self.differences)]
        if self.files:
            lines += [f"Files that differ ({len(self.files)}):", *(f"  {f}" for f in self.files)]
        lines.append("NOT verified: see the differences above (exit 1)" if self.differences
                     else "verified: every check matched (exit 0)")
        return "\n".join(lines)


def _problem(path: Path, message: str) -> InputError:
    return InputError([Problem(str(path), message, allowed="an outputs folder written by "
                               "`python -m analysis build` (it ends by writing manifest.json)")])


def read_manifest(outputs: Path) -> dict[str, Any]:
    """The outputs folder's manifest; bad input (no folder, no or unreadable manifest) is an
    :class:`InputError` naming the path."""
    if not outputs.exists():
        raise _problem(outputs, "folder not found")
    if not outputs.is_dir():
        raise _problem(outputs, "is a file, not an outputs folder")
    path = outputs / MANIFEST
    if not path.is_file():
        raise _problem(path, "no manifest: this folder holds no finished build")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _problem(path, f"cannot be read as JSON ({exc})") from None
    missing = [k for k in REQUIRED if not isinstance(data, dict)
               or not isinstance(data.get(k), dict)]
    if missing:
        raise _problem(path, f"not a build manifest: no {', '.join(missing)}")
    if bad := _bad_parameters(data["parameters"]):
        raise _problem(path, f"its build options cannot be rebuilt ({bad})")
    if bad := _bad_records(data):
        raise _problem(path, f"not a build manifest: {bad} is not a list of names and values")
    return data


def _bad_records(data: dict[str, Any]) -> str | None:
    """The first record ``verify`` reads that is not names and strings (a hand-edited or
    damaged manifest), or None."""
    for key in ("inputs", "versions", "environment", "outputs"):
        value = data.get(key, {})
        if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            return key
    timings = data.get("timings_seconds", {})
    if not isinstance(timings, dict) or not isinstance(timings.get("total", 0), int | float):
        return "timings_seconds"
    return None


def _bad_parameters(p: dict[str, Any]) -> str | None:
    """What in a manifest's recorded options no build accepts (None: all can be rebuilt)."""
    if p.get("engine", "warm") not in ENGINES:
        return f"engine {p.get('engine')!r}"
    if p.get("scoring") is not None and p["scoring"] not in READINGS:
        return f"scoring {p['scoring']!r}"
    if not isinstance(p.get("areas", []), list) or not all(
            isinstance(a, str) for a in p.get("areas", [])):
        return f"areas {p.get('areas')!r}"
    if not isinstance(p.get("threshold", DEFAULT_THRESHOLD), int):
        return f"threshold {p.get('threshold')!r}"
    if not isinstance(p.get("data", ""), str):
        return f"data {p.get('data')!r}"
    return None


def data_folder(manifest: dict[str, Any], data: Path | None) -> Path:
    """The data folder to check: ``--data``, else the one the build was given."""
    folder = data if data is not None else Path(manifest["parameters"].get("data", "data"))
    if not folder.is_dir():
        raise InputError([Problem(str(folder), "data folder not found", allowed="the data "
                                  "folder the outputs were built from (--data DIR)")])
    return folder


def check_data(manifest: dict[str, Any], data: Path, verdict: Verdict) -> bool:
    """Each input file the build read against its recorded SHA-256, and the files a build
    would read now that it did not; True when all match."""
    from .inputs import Inputs, select_areas

    recorded: dict[str, str] = manifest["inputs"]
    before = len(verdict.differences)
    for rel, digest in sorted(recorded.items()):
        path = data / rel
        if not path.is_file():
            verdict.differ(f"data changed: {path} is missing (the build read it)", str(path))
        elif (now := file_digest(path)) != digest:
            verdict.differ(f"data changed: {path} is not the file the outputs were made from "
                           f"(SHA-256 was {digest[:12]}..., is now {now[:12]}...)", str(path))
    try:
        current = Inputs.record(data.resolve(), select_areas(data.resolve(), None)).relative()
    except InputError as exc:
        verdict.differ(f"data changed: {exc.problems[0]}", str(data / "areas.csv"))
        current = {}
    for rel in sorted(set(current) - set(recorded)):
        verdict.differ(f"data changed: {data / rel} is read by a build now, but the build "
                       "that made the outputs did not read it (added since)", str(data / rel))
    if len(verdict.differences) == before:
        verdict.matched.append(f"data: the {len(recorded)} input files in {data} are the ones "
                               "the outputs were made from")
        return True
    return False


def check_code(manifest: dict[str, Any], verdict: Verdict) -> None:
    """The analysis package (source, templates, question bank, glossary, word scale) against
    the recorded digest, and the commit the reports print."""
    package = manifest["package"]
    then = f"iaow-analysis {package.get('version')} at git commit {package.get('git')}"
    now = f"iaow-analysis {__version__} at git commit {git_commit()}"
    if package.get("analysis_digest") != package_digest():
        verdict.differ(f"code changed: the analysis package (its source, templates, question "
                       f"bank, glossary or word scale) is not the one that made the outputs "
                       f"({then}; this is {now})")
    elif package.get("git") != git_commit():
        verdict.differ(f"code: the same analysis package, but the outputs were made by {then} "
                       f"and this is {now}: every report prints its commit, so each differs "
                       f"in its provenance (git checkout {package.get('git')} to re-run exactly)")
    else:
        verdict.matched.append(f"code: {now}, as recorded")


def required_distributions(root: str = "iaow-analysis") -> set[str]:
    """The distributions ``root`` needs, directly or not, in this environment (normalised
    names; the markers and extras of each requirement evaluated here)."""
    from importlib import metadata

    from packaging.markers import default_environment
    from packaging.requirements import Requirement

    env = {key: str(value) for key, value in default_environment().items()}
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [(normalise(root), frozenset[str]())]
    while todo:
        name, extras = todo.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for text in requires:
            req = Requirement(text)
            if req.marker is None or any(req.marker.evaluate({**env, "extra": e})
                                         for e in ("", *extras)):
                todo.append((normalise(req.name), frozenset(req.extras)))
    return {name for name, _ in seen if name != normalise(root)}


def check_versions(manifest: dict[str, Any], verdict: Verdict) -> None:
    """Python and the version of every distribution the package needs against those the
    outputs were made with (the versions their reports print, and the whole environment)."""
    printed: dict[str, str] = manifest["versions"]
    environment: dict[str, str] | None = manifest.get("environment")
    now_printed = versions()
    now_installed = installed()
    names = sorted(required_distributions() | (set(printed) - {"python", "iaow-analysis"}))
    compared: list[tuple[str, str, str]] = [("Python", printed.get("python", "unknown"),
                                             now_printed["python"])]
    for name in names:
        then = (environment or {}).get(name) or printed.get(name) or "not recorded"
        compared.append((name, then, now_installed.get(name, "not installed")))
    before = len(verdict.differences)
    for name, then, now in compared:
        if then != now:
            verdict.differ(f"library version: {name} {then} made the outputs, {now} is "
                           "installed here")
    if len(verdict.differences) == before:
        what = "the environment" if environment is not None else "the versions the reports print"
        verdict.matched.append(f"versions: Python and {len(names)} distributions as recorded "
                               f"({what})")


def _kind(rel: Path) -> str:
    return {"report.html": "report", "index.html": "index"}.get(rel.name, "table")


def check_outputs(manifest: dict[str, Any], outputs: Path, verdict: Verdict) -> None:
    """Every report, index and table against the SHA-256 the build recorded: a file edited,
    removed or added since the build."""
    recorded: dict[str, str] | None = manifest.get("outputs")
    if recorded is None:
        verdict.matched.append("outputs: the manifest records no digests of them (written "
                               "before verify existed); only the rebuild checks them")
        return
    now = {p.as_posix(): file_digest(outputs / p) for p in checked_files(outputs)}
    before = len(verdict.differences)
    for rel in sorted(set(recorded) | set(now)):
        path = str(outputs / rel)
        if rel not in now:
            verdict.differ(f"output missing: {path} (the build wrote it)", path)
        elif rel not in recorded:
            verdict.differ(f"output added since the build: {path}", path)
        elif now[rel] != recorded[rel]:
            verdict.differ(f"{_kind(Path(rel))} changed since the build: {path} is not the file "
                           "the build wrote (its SHA-256 differs from the manifest's)", path)
    if len(verdict.differences) == before:
        verdict.matched.append(f"outputs: the {len(now)} reports, index and tables are the "
                               "files the build wrote")


def rebuild_options(manifest: dict[str, Any], data: Path, into: Path, jobs: int
                    ) -> BuildOptions:
    """The recorded build's options, writing into ``into`` (always on local workers: a Dask
    build gives the same bytes; never printing PDFs, which are not compared)."""
    from .inputs import select_areas

    p = manifest["parameters"]
    areas = list(p.get("areas") or [])
    every = [a.id for a in select_areas(data.resolve(), None)]
    return BuildOptions(
        data=data, output=into, areas=None if sorted(areas) == sorted(every) else areas,
        jobs=jobs, engine=p.get("engine", "warm"), lenient=bool(p.get("lenient")),
        publish=bool(p.get("publish")), threshold=p.get("threshold", DEFAULT_THRESHOLD),
        scoring=p.get("scoring"), aggregate=bool(p.get("aggregate", True)), quiet=True)


def command_line(o: BuildOptions) -> str:
    """The ``build`` command a user would type for options ``o``."""
    words = ["python -m analysis build", f"--data {o.data}", f"--output {o.output}"]
    if o.areas:
        words.append("--areas " + " ".join(o.areas))
    words += [f"--engine {o.engine}"] + (["--lenient"] if o.lenient else [])
    if o.publish:
        words.append(f"--publish --threshold {o.threshold}")
    words += ([f"--scoring {o.scoring}"] if o.scoring else []) + (
        [] if o.aggregate else ["--no-aggregate"])
    return " ".join(words)


def compare(outputs: Path, rebuilt: Path) -> list[tuple[str, str]]:
    """Every report, index and table of ``outputs`` against the rebuild's, byte for byte:
    (file, what differs) for each that is not identical."""
    mine, theirs = set(checked_files(outputs)), set(checked_files(rebuilt))
    found = []
    for rel in sorted(mine | theirs, key=lambda p: p.as_posix()):
        path = str(outputs / rel)
        if rel not in theirs:
            found.append((path, "not made by the rebuild (left by an earlier build or one "
                                "with other options)"))
        elif rel not in mine:
            found.append((path, "made by the rebuild but missing from the outputs"))
        elif (a := (outputs / rel).read_bytes()) != (b := (rebuilt / rel).read_bytes()):
            same_body = rel.suffix == ".html" and PROVENANCE.sub(b"", a) == PROVENANCE.sub(b"", b)
            found.append((path, "differs from the rebuild in its provenance only (the commit, "
                                "versions or checksums it prints)" if same_body
                          else "differs from the rebuild"))
    return found


@contextlib.contextmanager
def _quiet_log() -> Iterator[None]:
    """The rebuild says only its warnings (how each file was read was said by the build)."""
    logger = logging.getLogger("analysis")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def check_keep(keep: Path | None, outputs: Path) -> None:
    """``--keep`` must name a new or empty folder outside the outputs checked: a rebuild never
    mixes with other files."""
    if keep is None:
        return
    if keep.exists() and (not keep.is_dir() or any(keep.iterdir())):
        problem = "--keep: exists and is not an empty folder"
    elif keep.resolve().is_relative_to(outputs.resolve()):
        problem = "--keep: inside the outputs folder being checked"
    else:
        return
    raise InputError([Problem(str(keep), problem, allowed="a new or empty folder outside "
                              "the outputs folder, for the rebuild")])


@contextlib.contextmanager
def _rebuild_folder(keep: Path | None) -> Iterator[Path]:
    """``keep`` (kept afterwards), or a temporary folder removed afterwards."""
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="iaow-verify-") as tmp:
        yield Path(tmp) / "outputs"


def rebuild_and_compare(manifest: dict[str, Any], outputs: Path, data: Path, jobs: int,
                        verdict: Verdict, say: Callable[[str], None],
                        keep: Path | None = None) -> None:
    """Build again into a temporary folder (or ``keep``) with the recorded options; compare
    every report and table."""
    from .builder import build

    with _rebuild_folder(keep) as folder:
        options = rebuild_options(manifest, data, folder, jobs)
        took = manifest.get("timings_seconds", {}).get("total")
        say(f"rebuilding with: {command_line(options)}"
            + (f" (the recorded build took {took:.0f} s)" if took else ""))
        start = time.perf_counter()
        try:
            with contextlib.redirect_stdout(sys.stderr), _quiet_log():
                result = build(options)
        except InputError as exc:
            verdict.differ(f"rebuild refused: {exc.render()}")
            return
        if result.exit_code:
            verdict.differ(f"rebuild failed (exit {result.exit_code}): "
                           + "; ".join([*result.failed, *result.disclosures][:10]))
        found = compare(outputs, options.output)
        for path, what in found:
            verdict.differ(f"{path}: {what}", path)
        total = len(set(checked_files(outputs)) | set(checked_files(options.output)))
        if not found:
            verdict.matched.append(f"rebuild: all {total} reports, index and tables are "
                                   f"byte-identical ({time.perf_counter() - start:.0f} s)")


def verify(outputs: Path, data: Path | None = None, *, rebuild: bool = True,
           jobs: int | None = None, keep: Path | None = None,
           say: Callable[[str], None] | None = None) -> Verdict:
    """Check ``outputs`` against its manifest, then rebuild (into ``keep`` if given) and
    compare (see the module); raises :class:`InputError` for input that cannot be checked."""
    say = say or (lambda line: print(line, file=sys.stderr))
    manifest = read_manifest(outputs)
    folder = data_folder(manifest, data)
    check_keep(keep, outputs)
    package = manifest["package"]
    verdict = Verdict(f"Checked {outputs} against {outputs / MANIFEST} (written by "
                      f"iaow-analysis {package.get('version')} at git commit "
                      f"{package.get('git')}):")
    same_data = check_data(manifest, folder, verdict)
    check_code(manifest, verdict)
    check_versions(manifest, verdict)
    check_outputs(manifest, outputs, verdict)
    if not rebuild:
        verdict.matched.append("rebuild: not asked for (--no-rebuild)")
    elif not same_data:
        verdict.differ("not rebuilt: the data are not those the outputs were made from, so a "
                       "build from them cannot give the same outputs")
    else:
        rebuild_and_compare(manifest, outputs, folder, jobs or cpu_count(), verdict, say, keep)
    return verdict

