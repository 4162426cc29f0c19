"""Every input beside the case files gets the case files' treatment (issue #29): encodings
read or refused with a message, size limits, ids that name no area refused, one message per
fault, text never written to a CSV cell as a formula, no output folder among the inputs."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.core import paths
from analysis.core.errors import InputError, Problem
from analysis.method import textfile
from analysis.method.catalogue import load_areas
from analysis.method.commentary import check_commentaries, load_commentary
from analysis.method.context import check_context, read_context
from analysis.method.formulas import inert_frame
from analysis.method.glossary import check_glossary, load_glossary
from analysis.method.tables import csv_bytes
from analysis.method.words import check_scale, load_scale

from .conftest import seed_tables

DATA = paths.data_dir()
AREAS = [a.id for a in load_areas(DATA, check_cases=False)]
SURVEY = ("area_id,year,responses,involved_percent,positive_percent,motivate_percent,source\n"
          "north,2013,238,90,92,87,Süd survey – 2013\n")


def context_folder(tmp_path: Path, name: str, data: bytes) -> Path:
    (tmp_path / "context").mkdir(exist_ok=True)
    (tmp_path / "context" / f"{name}.csv").write_bytes(data)
    return tmp_path


def messages(problems: list[Problem]) -> list[tuple[int | None, str | None, str]]:
    return [(p.row, p.column, p.message) for p in problems]


# --------------------------------------------------------------------------------- context


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_context_in_any_encoding_people_save(tmp_path: Path, encoding: str,
                                             newline: str) -> None:
    folder = context_folder(tmp_path, "survey",
                            SURVEY.replace("\n", newline).encode(encoding))
    assert check_context(folder, ["north"]) == []
    frame = read_context(folder, "survey")
    assert frame.loc[0, "source"] == "Süd survey – 2013"
    assert frame.loc[0, "responses"] == 238 and frame.loc[0, "involved_percent"] == 90.0


def test_context_utf16_without_a_mark_is_refused_by_name(tmp_path: Path) -> None:
    folder = context_folder(tmp_path, "survey", SURVEY.encode("utf-16-le"))
    (p,) = check_context(folder, ["north"])
    assert p.file.endswith("survey.csv") and "UTF-16" in p.message


def test_context_values_and_ids_are_checked_each_once(tmp_path: Path) -> None:
    rows = ["area_id,year,responses,involved_percent,positive_percent,motivate_percent",
            "north,2013,1,2,3,4", "nowhere,2013,1,2,3,4", "north,2014,1,2,3,4",
            "south,13,-5,101,,=1+1"]
    folder = context_folder(tmp_path, "survey", "\n".join(rows).encode())
    found = messages(check_context(folder, ["north", "south"]))
    assert found == [
        (3, "area_id", "area id names no area of areas.csv"),
        (4, "area_id", "area appears more than once (first on row 2)"),
        (5, "year", "not a number of this kind"),
        (5, "responses", "not a number of this kind"),
        (5, "involved_percent", "not a number of this kind"),
        (5, "positive_percent", "value is missing"),
        (5, "motivate_percent", "not a number of this kind")]


def test_a_reference_row_may_leave_an_unpublished_figure_blank(tmp_path: Path) -> None:
    rows = ["area_id,total,white_percent,minority_percent,male_percent,female_percent",
            "north,1,2,3,4,5", "national,,76.4%,19.9,90,10"]
    folder = context_folder(tmp_path, "caseload", "\n".join(rows).encode())
    assert check_context(folder, ["north"]) == []
    frame = read_context(folder, "caseload")
    assert frame["white_percent"].tolist() == [2.0, 76.4] and pd.isna(frame.loc[1, "total"])


def test_context_columns_unknown_files_and_long_cells(tmp_path: Path) -> None:
    rows = ["area_id,name,unemployment_percent,populaton,bme_percent",
            "north," + "x" * (textfile.MAX_CELL_CHARS + 1) + ",1,2,3"]
    folder = context_folder(tmp_path, "local_authorities", "\n".join(rows).encode())
    (folder / "context" / "surveys.csv").write_text(SURVEY, encoding="utf-8")
    found = messages(check_context(folder, ["north"]))
    assert (None, None, "unknown context file: the build would not read it") in found
    assert (1, "population", "required column is missing") in found
    assert (1, "populaton", "unknown column") in found
    assert any(m.startswith("cell is too long") for _, _, m in found)


def test_the_bundled_context_is_valid_and_typed() -> None:
    assert check_context(DATA, AREAS) == []
    la = read_context(DATA, "local_authorities")
    assert la["population"].dtype == "int64" and la["bme_percent"].dtype == float


# ------------------------------------------------------------------------------ commentary


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_commentary_words_survive_the_encoding(tmp_path: Path, encoding: str) -> None:
    (tmp_path / "commentary").mkdir()
    text = "## Foreword\r\nCafé – “quoted” £5 =SUM(A1)\r\n"
    (tmp_path / "commentary" / "north.md").write_bytes(text.encode(encoding))
    assert check_commentaries(tmp_path, ["north"], ["north"]) == []
    assert load_commentary(tmp_path, "north").foreword == "Café – “quoted” £5 =SUM(A1)"


def test_commentary_that_cannot_be_read_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "commentary").mkdir()
    (tmp_path / "commentary" / "north.md").write_bytes("## Foreword\nx\n".encode("utf-16-le"))
    (p,) = check_commentaries(tmp_path, ["north"])
    assert "UTF-16" in p.message
    with pytest.raises(InputError):
        load_commentary(tmp_path, "north")


def test_a_commentary_file_that_names_no_area_is_refused(tmp_path: Path) -> None:
    (tmp_path / "commentary").mkdir()
    for name in ("north.md", "nrth.md", "South.md", "south.txt"):
        (tmp_path / "commentary" / name).write_text("## Foreword\nx\n", encoding="utf-8")
    found = check_commentaries(tmp_path, ["north", "south"], ["north", "south"])
    assert sorted(Path(p.file).name for p in found) == ["South.md", "nrth.md", "south.txt"]
    assert all("names no area" in p.message for p in found)


# ------------------------------------------------------------------- glossary, word scale


def test_glossary_read_as_people_save_it(tmp_path: Path) -> None:
    path = tmp_path / "glossary.yaml"
    path.write_bytes("entries:\n- {term: Café, meaning: A place, group: method}\n"
                     .encode("cp1252"))
    assert check_glossary(path) == []
    assert [e.term for e in load_glossary(path)] == ["Café"]
    path.write_bytes(b"entries:\n- {term: A, meaning: \x00\x00 b, group: method}\n" * 3)
    (p,) = check_glossary(path)
    assert p.file == str(path)


@pytest.mark.parametrize(("entry", "message"), [
    ({"term": ["a", "list"], "meaning": "m", "group": "method"}, "'term' must be text"),
    ({"term": "T", "meaning": "m", "group": "method", "colour": "red"}, "unknown field"),
    ({"term": "T" * 100, "meaning": "m", "group": "method"}, "longer than a heading"),
    ({"term": "T", "meaning": "m" * 2_000, "group": "method"}, "'meaning' is too long"),
    ("just text", "is not a mapping")])
def test_each_glossary_fault_gets_one_message(tmp_path: Path, entry: object,
                                              message: str) -> None:
    path = tmp_path / "glossary.yaml"
    path.write_text(yaml.safe_dump({"entries": [entry]}), encoding="utf-8")
    (p,) = check_glossary(path)
    assert message in p.message


def test_word_scale_faults_are_problems(tmp_path: Path) -> None:
    raw = yaml.safe_load((DATA / "word_scale.yaml").read_text(encoding="utf-8"))
    raw["all_but"] = {1: "all but one", 3: "all but three"}
    raw["none"] = ""
    raw["bands"][0]["to"] = 150
    path = tmp_path / "scale.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    found = [p.message for p in check_scale(path)]
    assert found == ["'none': a phrase must be text",
                     "'all_but' keys are the cases missed, 1 or 2",
                     "band 1 (very few): 'from' and 'to' must be percents from 1 to 100, "
                     "from no more than to"]
    path.write_bytes(yaml.safe_dump(yaml.safe_load((DATA / "word_scale.yaml").read_text(
        encoding="utf-8")), allow_unicode=True).encode("utf-16"))
    assert check_scale(path) == [] and load_scale(path).describe(1, 2) == "half"


# ------------------------------------------------------------------------------ areas.csv


def test_two_areas_naming_one_case_file_is_one_message(tmp_path: Path) -> None:
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "north.csv").write_text("area_id,case_id\n", encoding="utf-8")
    (tmp_path / "areas.csv").write_text("area_id,name,label,cases\nnorth,North,real,"
                                        "cases/north.csv\nsouth,South,real,cases/north.csv\n",
                                        encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_areas(tmp_path)
    (p,) = info.value.problems
    assert (Path(p.file).name, p.row, p.column) == ("areas.csv", 3, "cases")
    assert "area 'north' (row 2)" in p.message


# -------------------------------------------------------------------------------- formulas


def test_text_a_spreadsheet_would_run_is_written_as_text() -> None:
    frame = pd.DataFrame({"label": ["=HYPERLINK(\"x\")", "+1", "-", "@A1", "\tx", "ok"],
                          "share": [-0.5, 1.0, 2.0, 3.0, 4.0, 5.0]})
    cells = list(csv.reader(io.StringIO(csv_bytes(frame).decode())))[1:]
    assert [c[0] for c in cells] == ["'=HYPERLINK(\"x\")", "'+1", "'-", "'@A1", "'\tx", "ok"]
    assert cells[0][1] == "-0.500000"  # numbers are never changed
    same = pd.DataFrame({"label": ["a", "b"]})
    assert inert_frame(same) is same


@pytest.mark.slow
def test_a_group_label_typed_as_a_formula_reaches_the_tables_as_text(
        tmp_path: Path, scored: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    areas = pd.read_csv(data / "areas.csv", dtype=str, keep_default_na=False)
    label = '=HYPERLINK("http://example.invalid","click")'
    areas.loc[areas["group"] == areas["group"].iloc[0], "group_label"] = label
    areas.to_csv(data / "areas.csv", index=False, lineterminator="\n")
    out = seed_tables(scored, tmp_path / "outputs")
    proc = run("build", "--data", str(data), "--output", str(out), "--tables-only", "--quiet")
    assert proc.returncode == 0, proc.stderr[-2000:]
    written = (paths.all_tables(out) / "group_figures.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK(" in written
    assert not [line for line in written.splitlines() if line.startswith("=")]


# ---------------------------------------------------------------------------- output folder


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=paths.REPO_ROOT,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONHASHSEED": "0"})


@pytest.mark.parametrize(("output", "says"), [
    ("{data}/outputs", "--output is inside the data folder"),
    ("{data}/cases", "--output is inside the data folder"),
    ("{root}", "--output holds the data folder"),
    ("{package}/out", "--output is inside the analysis package")])
def test_no_output_folder_among_the_inputs(tmp_path: Path, output: str, says: str) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    target = output.format(data=data, root=tmp_path, package=paths.PACKAGE_ROOT)
    proc = run("build", "--data", str(data), "--output", target, "--tables-only", "--quiet")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert says in proc.stderr and "Nothing was written." in proc.stderr
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    assert not (paths.PACKAGE_ROOT / "out").exists()
