"""Two properties of the data path as a whole (issue #14).

Every mutation of a valid file (encodings, line endings, blanks, duplicated rows and columns,
stray values, truncation) either validates to the same cases or is refused with an input error
(exit 2, nothing written) - never a traceback, never a silent change beyond what the file
itself says. And any valid dataset builds: areas of 1 to 90 cases, questions never applicable,
no victim cases, every answer sufficient or none, one area alone.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from analysis.core import paths
from analysis.core.errors import InputError
from analysis.method.bank import load_bank
from analysis.method.validation import dependency_order, load_cases
from analysis.synthetic.generate import generate_area

from .conftest import SERIAL_JOBS, keep_listed

BANK = load_bank()
SOURCE = paths.data_dir() / "cases" / "vale-of-braxness.csv"
CASES = 6
STRAY = ["maybe", "#N/A", "1.5", "yes!", "x" * 2_000, "\x00", "=SUM(A1)"]
ANSWERS = {f.id for f in BANK.fields} | set(BANK.question_by_id)


def clean_rows() -> list[list[str]]:
    with open(SOURCE, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))[: CASES + 1]


def to_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


@st.composite
def mutation(draw: st.DrawFn) -> tuple[str, bytes, tuple[int, int] | None]:
    """(kind, the mutated file's bytes, the blanked cell if any) of one mutation."""
    rows = clean_rows()
    kind = draw(st.sampled_from(["encoding", "line endings", "blank", "duplicate row",
                                 "duplicate column", "stray value", "truncation"]))
    r = draw(st.integers(1, CASES))
    c = draw(st.integers(2, len(rows[0]) - 1))  # an answer column (not area_id or case_id)
    cell = None
    if kind == "blank":
        rows[r][c], cell = "", (r, c)
    elif kind == "duplicate row":
        rows.insert(draw(st.integers(1, CASES + 1)), list(rows[r]))
    elif kind == "duplicate column":
        rows = [[*row[: c + 1], row[c], *row[c + 1:]] for row in rows]
    elif kind == "stray value":
        rows[r][c] = draw(st.sampled_from(STRAY))
    text = to_text(rows)
    if kind == "line endings":
        ending = draw(st.sampled_from(["\r", "\r\n", "mixed"]))
        lines = text.split("\n")
        text = ("".join(x + ("\r" if i % 2 else "\r\n") for i, x in enumerate(lines))
                if ending == "mixed" else ending.join(lines))
    data = text.encode("utf-8")
    if kind == "encoding":
        data = text.encode(draw(st.sampled_from(["cp1252", "utf-16", "utf-8-sig", "utf-32",
                                                 "utf-16-le"])))
    if kind == "truncation":
        data = data[: draw(st.integers(0, len(data) - 1))]
    return kind, data, cell


@functools.cache
def clean_frame() -> pd.DataFrame:
    """The unmutated file's cases (validated once: a validation costs about a second)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "clean.csv"
        path.write_text(to_text(clean_rows()), encoding="utf-8")
        return load_cases([path], BANK).frame


def judged_blank_only(got: pd.DataFrame, want: pd.DataFrame) -> bool:
    """Equal, except answers left blank in questions inspectors may judge not applicable."""
    if list(got.columns) != list(want.columns) or len(got) != len(want):
        return False
    differ = ~((got == want).fillna(False) | (got.isna() & want.isna()))
    for col in got.columns[differ.any(axis=0).to_numpy()]:
        q = BANK.question_by_id.get(col)
        if q is None or not q.judged or not got.loc[differ[col], col].isna().all():
            return False
    return True


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(mutated=mutation())
def test_every_mutation_is_refused_or_harmless(tmp_path: Path,
                                               mutated: tuple[str, bytes, Any]) -> None:
    kind, data, _ = mutated
    path = tmp_path / "mutated.csv"
    path.write_bytes(data)
    want = clean_frame()
    try:
        got = load_cases([path], BANK).frame
    except InputError as exc:  # refused: every problem names the file and renders
        assert exc.problems and all(p.file == str(path) for p in exc.problems)
        assert exc.render()
        return
    assert kind not in ("duplicate row", "duplicate column", "stray value"), kind
    if kind == "truncation":  # whole rows cut off: the cases that remain are unchanged
        want = want.head(len(got))
    assert judged_blank_only(got, want), kind


def test_mutations_through_the_command_line_write_nothing(tmp_path: Path) -> None:
    """A refused file ends the build with exit 2, no traceback and no output folder."""
    data = tmp_path / "data"
    shutil.copytree(paths.data_dir(), data)
    rows = clean_rows()
    rows[2][5] = "#REF!"
    (data / "areas.csv").write_text("area_id,name,label,cases\nvale-of-braxness,Vale of "
                                    "Braxness,synthetic,cases/mutated.csv\n", encoding="utf-8")
    keep_listed(data)
    (data / "cases" / "mutated.csv").write_bytes(to_text(rows).encode("utf-16-le"))
    out = tmp_path / "out"
    proc = run("build", "--data", str(data), "--output", str(out), "--tables-only", "--quiet")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "UTF-16" in proc.stderr and not out.exists()


# ----------------------------------------------------------------- valid data always builds

VARIANTS = ("as generated", "all sufficient", "none sufficient", "no victims", "licence only",
            "no question columns")
AREA_IDS = ("braxbrook", "briskwick", "haskbrook")


def consistent(frame: pd.DataFrame) -> pd.DataFrame:
    """Blank answers where their rule no longer holds; answer where one is required."""
    view = frame.replace("", pd.NA).astype(object)
    for qid in dependency_order(BANK):
        q = BANK.question_by_id[qid]
        holds = (q.applies_when.evaluate(view).to_numpy(dtype=bool) if q.applies_when
                 else np.ones(len(view), dtype=bool))
        view.loc[~holds, qid] = pd.NA
        if not q.judged:
            scale = BANK.scales[q.scale]
            view.loc[holds & view[qid].isna().to_numpy(),
                     qid] = (scale.sufficient or scale.levels)[0]
    return view.fillna("").astype(str)


def area_cases(area_id: str, n: int, variant: str, seed: int) -> pd.DataFrame:
    frame = generate_area(BANK, area_id, n, 1.5, np.random.default_rng(seed))
    if variant == "no victims":
        frame["statutory_victim"] = "no"
        frame["identifiable_victim"] = "no"
    elif variant == "licence only":
        frame["case_type"] = "licence"
    for q in BANK.scoring_questions():
        scale = BANK.scales[q.scale]
        bad = [lv for lv in scale.levels if lv not in scale.sufficient]
        level = {"all sufficient": scale.sufficient[0], "none sufficient": bad[0]}.get(variant)
        if level is not None:
            frame.loc[frame[q.id] != "", q.id] = level
    frame = consistent(frame)
    if variant == "no question columns":
        frame = frame[["area_id", "case_id", *[f.id for f in BANK.fields]]]
    return frame


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=paths.REPO_ROOT,
                          capture_output=True, text=True, timeout=900,
                          env={**os.environ, "PYTHONHASHSEED": "0"})


# one or two areas per generated dataset: every example is a full build (about a minute on two
# cores), so the explicit examples above carry the three-area case
datasets = st.lists(st.tuples(st.integers(1, 90), st.sampled_from(VARIANTS)), min_size=1,
                    max_size=2)


@pytest.mark.slow
@settings(max_examples=1, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(areas=[(1, "no question columns")], seed=1)  # one case, no question applies, alone
@example(areas=[(90, "all sufficient"), (1, "no victims"), (12, "none sufficient")], seed=2)
@given(areas=datasets, seed=st.integers(0, 2**16))
def test_valid_data_always_builds(tmp_path_factory: pytest.TempPathFactory,
                                  areas: list[tuple[int, str]], seed: int) -> None:
    tmp = tmp_path_factory.mktemp("valid")
    data = tmp / "data"
    shutil.copytree(paths.data_dir(), data, ignore=shutil.ignore_patterns("cases"))
    (data / "cases").mkdir()
    lines = ["area_id,name,label,cases"]
    labels = dict(zip(AREA_IDS, ("real", "synthetic", "real"), strict=True))
    for (n, variant), area_id in zip(areas, AREA_IDS, strict=False):
        path = data / "cases" / f"{area_id}.csv"
        area_cases(area_id, n, variant, seed).to_csv(path, index=False)
        lines.append(f"{area_id},{area_id.title()},{labels[area_id]},cases/{area_id}.csv")
    (data / "areas.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    keep_listed(data)
    out = tmp / "out"
    proc = run("build", "--data", str(data), "--output", str(out), "--jobs", str(SERIAL_JOBS),
               "--quiet")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, (areas, proc.stderr[-3000:])
    assert "failed: 0" in proc.stderr
    for area_id in AREA_IDS[: len(areas)]:
        report = (out / area_id / "report.html").read_text(encoding="utf-8")
        assert ("Real case data from an inspection" in report) == (labels[area_id] == "real")
    assert "Real case data from inspections" in (out / "aggregate" / "report.html").read_text(
        encoding="utf-8")
    assert "Real case data from inspections" in (out / "index.html").read_text(encoding="utf-8")
