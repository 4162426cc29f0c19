"""Small fixtures built in code (a five-question bank and case frames), and the one real build
of two bundled areas that every end-to-end module reads."""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
import pytest
from filelock import FileLock
from hypothesis import settings

import analysis.pipeline  # noqa: F401  (first: nbformat's import then skips a slow grammar)
from analysis.method.bank import QuestionBank, build_bank

# The suite draws the same generated examples on every run, so a result does not depend on
# the day (`make test`, CI); `pytest --hypothesis-profile=explore` draws new ones each run.
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile("repeatable")

#: The session's shared builds (below): a test file using any of them waits for them.
SHARED_BUILDS = ("scored", "two_areas", "published")


def _file(item: pytest.Item) -> str:
    return item.nodeid.split("::")[0]


def _uses(item: pytest.Item, *fixtures: str) -> bool:
    return any(f in getattr(item, "fixturenames", ()) for f in fixtures)


def _file_ranks(items: list[pytest.Item]) -> dict[str, int]:
    """The order test files are handed to the pytest-xdist workers (``make test`` keeps the
    collection order): 0, the first file that needs the session's build of two areas (its
    worker starts that chain of builds); 1, the slow files that build from their own data (the
    other worker is busy meanwhile, and the longest files start early); 2, the other files
    that read the shared builds; 3, the quick files, which even out the end."""
    files: dict[str, list[pytest.Item]] = {}
    for item in items:
        files.setdefault(_file(item), []).append(item)
    ranks = {name: 2 if any(_uses(i, *SHARED_BUILDS) for i in its)
             else 1 if any(i.get_closest_marker("slow") for i in its) else 3
             for name, its in files.items()}
    starter = next((name for name, its in files.items()
                    if any(_uses(i, "two_areas") for i in its)), None)
    if starter is not None:
        ranks[starter] = 0
    return ranks


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    ranks = _file_ranks(items)
    items.sort(key=lambda item: ranks[_file(item)])  # stable: each file keeps its order


MINI_BANK: dict[str, Any] = {
    "outcomes": [
        {"id": 1, "key": "a", "title": "Outcome one", "short": "One", "expect": "x"},
        {"id": 4, "key": "p", "title": "Protecting", "short": "Public", "expect": "x"},
        {"id": 5, "key": "v", "title": "Victims", "short": "Victims", "expect": "x"},
    ],
    "sections": [{"id": "assessment_planning", "title": "Assessment"},
                 {"id": "delivery_review", "title": "Delivery"}],
    "criteria": [
        {"id": "1.1", "outcome": 1, "section": "assessment_planning", "title": "C11"},
        {"id": "4.1", "outcome": 4, "section": "assessment_planning", "title": "C41"},
        {"id": "5.2", "outcome": 5, "section": "delivery_review", "title": "C52"},
    ],
    "scales": {
        "yes_no": {"levels": ["yes", "no"], "sufficient": ["yes"]},
        "sufficiency": {"levels": ["sufficient", "insufficient", "none"],
                        "sufficient": ["sufficient"]},
        "case_type": {"levels": ["community_order", "licence"]},
        "report_type": {"levels": ["oral", "short", "full", "none"]},
    },
    "fields": [{"id": "case_type", "label": "Type", "scale": "case_type", "required": True},
               {"id": "statutory_victim", "label": "Victim", "scale": "yes_no",
                "required": True}],
    "questions": [
        {"id": "report_type", "label": "Report", "criterion": "1.1", "kind": "descriptive",
         "scale": "report_type", "applies_when": 'case_type == "community_order"'},
        {"id": "report_quality", "label": "Quality", "criterion": "1.1", "kind": "scoring",
         "scale": "yes_no", "applies_when": 'report_type in ["short", "full"]', "key": True},
        {"id": "rmp", "label": "RMP", "criterion": "4.1", "kind": "scoring",
         "scale": "sufficiency", "judged": True},
        {"id": "victim_safety", "label": "Victim safety", "criterion": "5.2", "kind": "scoring",
         "scale": "yes_no", "outcomes": [4, 5], "judged": True},
        {"id": "victim_offer", "label": "Offer", "criterion": "5.2", "kind": "scoring",
         "scale": "yes_no", "outcomes": [5], "applies_when": 'statutory_victim == "yes"'},
    ],
    "factors": [{"id": "alcohol", "label": "alcohol misuse", "prevalent": True}],
}


def mini_bank_dict() -> dict[str, Any]:
    return copy.deepcopy(MINI_BANK)


@pytest.fixture(autouse=True)
def _no_disclosure_in_force() -> Any:
    """A context loaded in publication mode puts its disclosure in force for every exhibit
    made after it (as in a notebook): each test starts and ends with none."""
    from analysis.report.guard import publish_with

    publish_with(None)
    yield
    publish_with(None)


@pytest.fixture
def mini_bank() -> QuestionBank:
    raw = mini_bank_dict()
    raw["criteria"].append({"id": "3.1", "outcome": 1, "section": "assessment_planning",
                            "title": "factors"})
    return build_bank(raw)


def case_frame(rows: list[dict[str, str]]) -> pd.DataFrame:
    """A raw (string) case frame as a CSV reader would return it."""
    frame = pd.DataFrame(rows).fillna("")
    return frame.astype(str)


# the shared end-to-end build ---------------------------------------------------------------
#: Durham Tees Valley (reconstructed, with a commentary file) and a synthetic area, both in
#: the protecting-children block of areas.csv.
BUILT_AREAS = ["durham-tees-valley", "vale-of-braxness"]


#: Jobs of the test builds whose claim is not about parallel work: their notebooks run one
#: after another in one kernel, in the build's own process (a one-area build costs a fifth less
#: CPU than with two workers and two kernels, and the suite's two test workers already keep
#: both cores busy). The session's builds, the kill tests and the Dask build use two.
SERIAL_JOBS = 1


@dataclass(frozen=True)
class Built:
    """A finished build: its outputs folder, its manifest and what it printed."""

    out: Path
    manifest: dict[str, Any]
    log: str
    data: Path

    def copy(self, folder: Path) -> Path:
        """A private copy of the outputs, for a test that rebuilds, breaks or adds files."""
        target = folder / "outputs"
        shutil.copytree(self.out, target)
        return target


def once(tmp_path_factory: pytest.TempPathFactory, name: str,
         make: Callable[[Path], None]) -> Path:
    """A folder ``make`` fills once per test run: with pytest-xdist, the first worker to ask
    makes it under the run's shared temporary folder while the others wait, then all read
    it (the pattern pytest-xdist documents for session fixtures)."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        folder = tmp_path_factory.mktemp(name)
        make(folder)
        return folder
    folder = tmp_path_factory.getbasetemp().parent / name
    done = folder / ".made"
    with FileLock(f"{folder}.lock"):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def scored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``build --tables-only`` of every bundled area, once per session: every build scores
    all areas of its data folder (the pooled figures are of all areas), which costs more than
    the notebooks of one area; builds in tests start from these tables (see
    :func:`seed_tables`) and rescore only what their test changed."""
    from analysis.core import paths
    from analysis.pipeline.builder import build
    from analysis.pipeline.options import BuildOptions

    def make(folder: Path) -> None:
        build(BuildOptions(data=paths.data_dir(), output=folder / "outputs", quiet=True,
                           tables_only=True))

    return once(tmp_path_factory, "scored", make) / "outputs"


def keep_listed(data: Path) -> Path:
    """Cut a copied data folder's context rows and commentary files to the areas its
    areas.csv lists, as a researcher trimming a copy of data/ does: a build refuses a row or
    file that names no listed area."""
    from analysis.method.catalogue import load_areas
    from analysis.method.context import FILES

    listed = {a.id for a in load_areas(data, check_cases=False)}
    for spec in FILES.values():
        path = spec.path(data)
        if path.exists():
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
            keep = frame["area_id"].isin(listed | set(spec.reference))
            frame[keep].to_csv(path, index=False, lineterminator="\n")
    for path in (data / "commentary").glob("*.md"):
        if path.stem not in listed:
            path.unlink()
    return data


def seed_tables(scored: Path, out: Path) -> Path:
    """Copy the session's tables (areas', groups' and all areas') into a new outputs folder;
    a build reuses those whose stamp still matches what they are made from (case file,
    package, options; the areas' tables for the cross-area ones) and rewrites the rest."""
    for tables in [scored / "tables", *scored.glob("*/tables"), *scored.glob("groups/*/tables")]:
        shutil.copytree(tables, out / tables.relative_to(scored))
    return out


@pytest.fixture(scope="session")
def two_areas(tmp_path_factory: pytest.TempPathFactory, scored: Path) -> Built:
    """``python -m analysis build`` of the two areas from the bundled data, run once per test
    session as a researcher runs it (reports, tables, aggregates, index). Read it; never write
    into it: :meth:`Built.copy` first (a full build costs about a minute and a half)."""
    from analysis.core import paths

    def make(folder: Path) -> None:
        _build(paths.data_dir(), seed_tables(scored, folder / "outputs"), *BUILT_AREAS)

    return _read(once(tmp_path_factory, "two-areas", make), paths.data_dir())


LOG = "build.log"


def _build(data: Path, out: Path, *areas: str, extra: tuple[str, ...] = ()) -> None:
    """Run the build as a researcher does; keep what it printed beside its outputs."""
    from analysis.core import paths

    proc = subprocess.run([sys.executable, "-m", "analysis", "build", "--data", str(data),
                           "--output", str(out), "--areas", *areas, "--jobs", "2", "--quiet",
                           *extra],
                          cwd=paths.REPO_ROOT, text=True, capture_output=True, timeout=900,
                          env={**os.environ, "PYTHONHASHSEED": "0"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    (out.parent / LOG).write_text(proc.stdout + proc.stderr, encoding="utf-8")


def _read(folder: Path, data: Path) -> Built:
    out = folder / "outputs"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return Built(out, manifest, (folder / LOG).read_text(encoding="utf-8"), data)


#: A small area of seven of Durham Tees Valley's cases, with markup for a name.
TINY = "tiny-shire"
SCRIPT_NAME = "<script>alert(1)</script> Shire"
#: The areas of the publication build.
PUBLISHED_AREAS = [BUILT_AREAS[0], TINY]


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory, scored: Path) -> Built:
    """``build --publish --threshold 5`` of Durham Tees Valley (the reconstruction, with
    commentary) and Tiny Shire (seven cases: counts of 1 to 4 everywhere; its display name
    made of markup), from a copy of the bundled data. Read it; copy before writing."""
    def make(root: Path) -> None:
        _build(_published_data(root / "data"), seed_tables(scored, root / "outputs"),
               *PUBLISHED_AREAS, extra=("--publish", "--threshold", "5"))

    root = once(tmp_path_factory, "published", make)
    return _read(root, root / "data")


def _published_data(data: Path) -> Path:
    """A copy of the bundled data with Tiny Shire added, named in markup."""
    from analysis.core import paths

    shutil.copytree(paths.data_dir(), data)
    dtv = BUILT_AREAS[0]
    frame = pd.read_csv(data / "cases" / f"{dtv}.csv", dtype=str, keep_default_na=False)
    tiny = frame.iloc[[0, 5, 11, 23, 40, 61, 80]].assign(area_id=TINY)
    tiny["case_id"] = [f"T{i}" for i in range(len(tiny))]
    tiny.to_csv(data / "cases" / f"{TINY}.csv", index=False, lineterminator="\n")
    areas = pd.read_csv(data / "areas.csv", dtype=str, keep_default_na=False)
    (group,) = areas.loc[areas["area_id"] == dtv, ["group", "group_label"]].to_numpy()
    row = {"area_id": TINY, "name": SCRIPT_NAME, "label": "synthetic",
           "cases": f"cases/{TINY}.csv", "group": group[0], "group_label": group[1]}
    areas = pd.concat([areas, pd.DataFrame([row])]).fillna("")
    areas.to_csv(data / "areas.csv", index=False, lineterminator="\n")
    return data


def lock_script() -> ModuleType:
    """``requirements/lock.py``, the script that writes the locks and the conda files (a
    script of the repository, not a module of the package)."""
    from analysis.core import paths

    path = paths.REPO_ROOT / "requirements" / "lock.py"
    spec = importlib.util.spec_from_file_location("iaow_lock_script", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
