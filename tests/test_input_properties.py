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
import html
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


# ------------------------------------------------------- the inputs beside the case files
# The commentary, context files, areas.csv (with its grouping columns), the glossary and the
# word scale, mutated as the case files are: every mutation is read to the same content or
# refused with input errors naming the file (never a traceback, never words silently lost);
# a row or file naming no area, and an over-long cell, are refused with one message each.

BESIDE = ("commentary", "survey", "caseload", "local_authorities", "areas", "glossary",
          "scale")
ENCODINGS = ("cp1252", "utf-16", "utf-8-sig", "utf-32")


def beside_path(folder: Path, kind: str) -> Path:
    from analysis.method.context import FILES

    if kind == "commentary":
        return folder / "commentary" / "durham-tees-valley.md"
    if kind in FILES:
        return FILES[kind].path(folder)
    return folder / {"areas": "areas.csv", "glossary": "glossary.yaml",
                     "scale": "word_scale.yaml"}[kind]


def beside_read(folder: Path, kind: str) -> object:
    """The file's content as the build reads it (problems raised as InputError)."""
    from analysis.method.catalogue import load_areas
    from analysis.method.commentary import check_commentaries, load_commentary
    from analysis.method.context import FILES, check_context, read_context
    from analysis.method.glossary import check_glossary, load_glossary
    from analysis.method.words import check_scale, load_scale

    listed = [a.id for a in load_areas(paths.data_dir(), check_cases=False)]
    path = beside_path(folder, kind)
    if kind == "commentary":
        problems = check_commentaries(folder, listed, listed)
        content: object = None if problems else load_commentary(folder, "durham-tees-valley")
    elif kind in FILES:
        problems = check_context(folder, listed)
        content = None if problems else read_context(folder, kind)
    elif kind == "areas":
        return [(a.id, a.name, a.label, a.cases.name, a.groups)
                for a in load_areas(folder, check_cases=False)]
    elif kind == "glossary":
        problems = check_glossary(path)
        content = None if problems else load_glossary.__wrapped__(path)
    else:
        problems = check_scale(path)
        content = None if problems else load_scale.__wrapped__(path)
    if problems:
        raise InputError(problems)
    return content


def beside_folder(root: Path) -> Path:
    """The bundled data beside the case files, copied (the case files are not read here)."""
    folder = root / "data"
    shutil.copytree(paths.data_dir(), folder, ignore=shutil.ignore_patterns("cases",
                                                                            "published"))
    shutil.copy(paths.REPO_ROOT / "data" / "glossary.yaml", folder)
    shutil.copy(paths.REPO_ROOT / "data" / "word_scale.yaml", folder)
    return folder


@st.composite
def beside_mutation(draw: st.DrawFn) -> tuple[str, str, Any]:
    """(file kind, mutation kind, what the mutation needs)."""
    kind = draw(st.sampled_from(BESIDE))
    mutation = draw(st.sampled_from(["encoding", "line endings", "truncation", "junk",
                                     "utf-16 without mark", "formula", "long", "no area"]))
    detail = {"encoding": st.sampled_from(ENCODINGS),
              "line endings": st.sampled_from(["\r\n", "\r"]),
              "truncation": st.floats(0, 1), "junk": st.binary(min_size=1, max_size=8),
              }.get(mutation, st.none())
    return kind, mutation, draw(detail)


def _mutate_text(kind: str, mutation: str, text: str) -> str:
    """The text with a formula, an over-long value, or an id naming no area put in."""
    long = "x" * 1_200
    if kind == "commentary":
        return {"formula": text + "\n=SUM(A1) @home +44 -x\n",
                "long": text + "\n" + long + "\n"}.get(mutation, text)
    if kind in ("glossary", "scale"):
        spot = "\n  meaning: " if kind == "glossary" else "phrase: "
        line = "\n  meaning: A structured" if kind == "glossary" else "phrase: very few"
        value = {"formula": "=SUM(A1) ", "long": long}[mutation]
        assert line in text
        return text.replace(line, spot + value + line.removeprefix(spot), 1)
    lines = text.split("\n")
    cells = lines[1].split(",")
    if mutation == "no area" and kind != "areas":
        cells[0] = "nowhere"
        return "\n".join([*lines, ",".join(cells)])
    if mutation == "no area":  # areas.csv: a second area naming the first one's case file
        cells[0], cells[1] = "nowhere", "Nowhere"
        return "\n".join([*lines, ",".join(cells)])
    column = -1 if kind != "areas" else 1  # a text column: source, or the area's name
    cells[column] = "=HYPERLINK(x)" if mutation == "formula" else long
    lines[1] = ",".join(cells)
    return "\n".join(lines)


@settings(max_examples=60, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(case=beside_mutation())
def test_every_mutation_beside_the_case_files_is_refused_or_harmless(
        tmp_path_factory: pytest.TempPathFactory, case: tuple[str, str, Any]) -> None:
    kind, mutation, detail = case
    folder = beside_folder(tmp_path_factory.mktemp("beside"))
    want = beside_read(folder, kind)
    path = beside_path(folder, kind)
    clean = path.read_bytes().decode("utf-8")
    if mutation == "no area" and kind == "commentary":
        shutil.copy(path, path.with_name("nowhere.md"))
    elif mutation in ("formula", "long", "no area"):
        if mutation == "no area" and kind in ("glossary", "scale"):
            return  # they name no area
        path.write_text(_mutate_text(kind, mutation, clean), encoding="utf-8")
    elif mutation == "encoding":
        try:
            path.write_bytes(clean.encode(detail))
        except UnicodeEncodeError:  # a character Windows-1252 lacks: saved as UTF-8 then
            path.write_bytes(clean.encode("utf-8-sig"))
    elif mutation == "line endings":
        path.write_bytes(clean.replace("\n", detail).encode("utf-8"))
    elif mutation == "truncation":
        path.write_bytes(clean.encode("utf-8")[: int(detail * len(clean))])
    elif mutation == "junk":
        data = clean.encode("utf-8")
        path.write_bytes(data[: len(data) // 2] + detail + data[len(data) // 2:])
    else:
        path.write_bytes(clean.encode("utf-16-le"))
    try:
        got = beside_read(folder, kind)
    except InputError as exc:  # refused: every problem names a file of the data folder
        assert exc.problems and all(p.file.startswith(str(folder)) for p in exc.problems)
        assert mutation not in ("encoding", "line endings"), (kind, mutation, exc.render())
        if mutation in ("long", "no area"):  # one fault, one message
            assert len(exc.problems) == 1, exc.render()
        return
    if kind == "commentary" and mutation == "long":  # a long paragraph is Markdown's own
        assert "x" * 1_200 in repr(got)
    else:
        assert mutation not in ("long", "no area", "utf-16 without mark"), (kind, mutation)
    if mutation in ("encoding", "line endings"):  # the same words, whatever the encoding
        assert got.equals(want) if isinstance(got, pd.DataFrame) else got == want, (kind,
                                                                                    mutation)
    if mutation == "formula":  # kept as typed: text, never lost, never run (see tables)
        assert "=" in (got.to_csv() if isinstance(got, pd.DataFrame) else repr(got))


@pytest.mark.parametrize("fault", ["context row of no area", "commentary of no area",
                                   "commentary without a mark", "one case file, two areas",
                                   "long context cell"])
def test_faults_beside_the_case_files_through_the_command_line_write_nothing(
        tmp_path: Path, fault: str) -> None:
    """Refused before anything is written: exit 2, one message, no traceback, no outputs."""
    data = tmp_path / "data"
    shutil.copytree(paths.data_dir(), data)
    if fault == "context row of no area":
        with open(data / "context" / "survey.csv", "a", encoding="utf-8") as handle:
            handle.write("nowhere,2013,1,2,3,4,synthetic\n")
    elif fault == "commentary of no area":
        (data / "commentary" / "haskbrok.md").write_text("## Foreword\nWords.\n")
    elif fault == "commentary without a mark":
        path = data / "commentary" / "durham-tees-valley.md"
        path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16-le"))
    elif fault == "one case file, two areas":
        text = (data / "areas.csv").read_text(encoding="utf-8")
        (data / "areas.csv").write_text(text.replace("cases/briskwick.csv",
                                                     "cases/braxbrook.csv"), encoding="utf-8")
    else:
        text = (data / "context" / "caseload.csv").read_text(encoding="utf-8")
        (data / "context" / "caseload.csv").write_text(text.replace(",synthetic\n",
                                                                    ",x" + "y" * 1_000 + "\n",
                                                                    1), encoding="utf-8")
    out = tmp_path / "out"
    proc = run("build", "--data", str(data), "--output", str(out), "--tables-only", "--quiet")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "1 problem found" in proc.stderr and "Nothing was written." in proc.stderr
    assert not out.exists()


# ----------------------------------------------------------------- valid data always builds

VARIANTS = ("as generated", "all sufficient", "none sufficient", "no victims", "licence only",
            "no question columns")
AREA_IDS = ("braxbrook", "briskwick", "haskbrook")
#: Words a researcher may type beside the case files: each reaches the report as typed.
WORDS = ("Café – “quoted” £5", "=SUM(A1) is text", "<b>not bold</b>", "@home, +44 and -1")
GROUP_LABEL = "=Block A"


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
    lines = ["area_id,name,label,cases,group,group_label"]
    labels = dict(zip(AREA_IDS, ("real", "synthetic", "real"), strict=True))
    for (n, variant), area_id in zip(areas, AREA_IDS, strict=False):
        path = data / "cases" / f"{area_id}.csv"
        area_cases(area_id, n, variant, seed).to_csv(path, index=False)
        lines.append(f"{area_id},{area_id.title()},{labels[area_id]},cases/{area_id}.csv,"
                     f"block,{GROUP_LABEL}")
    (data / "areas.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    keep_listed(data)  # the context rows of the areas kept (the bundled ids), no others
    commentary = data / "commentary" / f"{AREA_IDS[0]}.md"
    commentary.write_bytes(("## Foreword\r\n" + "\r\n".join(WORDS) + "\r\n").encode("cp1252"))
    out = tmp / "out"
    proc = run("build", "--data", str(data), "--output", str(out), "--jobs", str(SERIAL_JOBS),
               "--quiet")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, (areas, proc.stderr[-3000:])
    assert "failed: 0" in proc.stderr
    for area_id in AREA_IDS[: len(areas)]:
        report = (out / area_id / "report.html").read_text(encoding="utf-8")
        assert ("Real case data from an inspection" in report) == (labels[area_id] == "real")
    first = (out / AREA_IDS[0] / "report.html").read_text(encoding="utf-8")
    assert all(html.escape(w, quote=False) in first for w in WORDS), "no word is lost"
    annex = (out / AREA_IDS[0] / "annex.html").read_text(encoding="utf-8")
    assert html.escape(GROUP_LABEL, quote=False) in first + annex  # its tables: the annex
    assert "Real case data from inspections" in (out / "aggregate" / "report.html").read_text(
        encoding="utf-8")
    assert "Real case data from inspections" in (out / "index.html").read_text(encoding="utf-8")
    assert "real case data (braxbrook" in proc.stderr and "--publish" in proc.stderr
