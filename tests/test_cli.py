"""The command line on bad input: exit code 2, a message locating the problem, no traceback,
and nothing written or overwritten in the output folder."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.core import paths
from analysis.method.readers import column_id

from .conftest import SERIAL_JOBS, seed_tables

AREA = "vale-of-braxness"


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=paths.REPO_ROOT,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONHASHSEED": "0"})


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder under ``folder`` (hidden ones too), with file bytes."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


def copy_data(tmp: Path) -> Path:
    data = tmp / "data"
    shutil.copytree(paths.data_dir(), data)
    return data


def edit_case(data: Path, area: str, column: str, value: str, row: int = 0) -> Path:
    """Set one answer of one case (data row ``row``, 0-based) of an area's case file."""
    path = data / "cases" / f"{area}.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[row + 1][rows[0].index(column)] = value
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def assert_user_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    assert proc.stderr.count("error:") == 1
    for needle in needles:
        assert needle in proc.stderr, (needle, proc.stderr)


@pytest.fixture(scope="module")
def previous_build(tmp_path_factory: pytest.TempPathFactory, scored: Path) -> tuple[Path, str]:
    """A real, successful --lenient build of one area, over which bad builds must not write.

    The case file answers a question that does not apply (an oral-report record on a full
    report): an error without --lenient, a warning with it.
    """
    tmp = tmp_path_factory.mktemp("cli")
    data = copy_data(tmp)
    edit_case(data, AREA, "psr_oral_record", "yes")   # row 2 has report_type 'full'
    strict = run("build", "--data", str(data), "--areas", AREA, "--output",
                 str(tmp / "strict"), "--jobs", "2", "--quiet", "--no-aggregate")
    assert_user_error(strict, "row 2", "'psr_oral_record'", "does not apply", "'yes'",
                      "allowed: blank or N/A")
    assert not (tmp / "strict").exists()
    out = seed_tables(scored, tmp / "outputs")  # the other areas' tables: reused
    proc = run("build", "--data", str(data), "--areas", AREA, "--output", str(out),
               "--jobs", str(SERIAL_JOBS), "--quiet", "--no-aggregate", "--lenient")
    return out, proc.returncode.__str__() + "\n" + proc.stderr


@pytest.mark.slow
def test_lenient_turns_not_applicable_answer_into_warning(previous_build) -> None:  # type: ignore[no-untyped-def]
    out, log = previous_build
    code, _, stderr = log.partition("\n")
    assert code == "0", stderr[-3000:]
    assert "Traceback" not in stderr
    assert "treated as not applicable" in stderr and "psr_oral_record" in stderr
    assert "row 2" in stderr
    html = (out / AREA / "report.html").read_text(encoding="utf-8")
    assert 'id="outcome-5"' in html and html.rstrip().endswith("</html>")
    assert (out / "index.html").exists() and (out / "manifest.json").exists()


def _bad_answer(data: Path) -> tuple[list[str], list[str]]:
    path = edit_case(data, AREA, "psr_well_written", "yess")
    return ([], [str(path), "row 2", "column 'psr_well_written'", "'yess'",
                 "allowed: yes, no"])


def _bad_id_dots(data: Path) -> tuple[list[str], list[str]]:
    text = (data / "areas.csv").read_text(encoding="utf-8")
    (data / "areas.csv").write_text(text.replace(f"\n{AREA},", f"\n../{AREA},"),
                                    encoding="utf-8")
    return (["--areas", f"../{AREA}"],
            [str(data / "areas.csv"), "column 'area_id'", f"'../{AREA}'", "allowed:"])


def _bad_id_script(data: Path) -> tuple[list[str], list[str]]:
    text = (data / "areas.csv").read_text(encoding="utf-8")
    row = 1 + next(i for i, line in enumerate(text.splitlines()) if line.startswith("braxbrook,"))
    (data / "areas.csv").write_text(text.replace("\nbraxbrook,", "\n<script>,"),
                                    encoding="utf-8")
    return ([], [str(data / "areas.csv"), f"row {row}", "column 'area_id'", "'<script>'",
                 "allowed:"])


def _header_only(data: Path) -> tuple[list[str], list[str]]:
    path = data / "cases" / "varnwater.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0]
    path.write_text(header + "\n", encoding="utf-8")
    return (["--areas", AREA, "varnwater"], [str(path), "no cases"])


CASES = {"bad-answer": _bad_answer, "area-id-dots": _bad_id_dots,
         "area-id-script": _bad_id_script, "header-only": _header_only}


@pytest.mark.slow
@pytest.mark.parametrize(("case", "target"), [
    *[(case, "previous-build") for case in CASES],
    ("bad-answer", "fresh"), ("area-id-script", "fresh")])
def test_bad_input_exits_2_and_writes_nothing(case: str, target: str, previous_build,  # type: ignore[no-untyped-def]
                                              tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    extra, needles = CASES[case](data)
    out = tmp_path / "fresh" / "outputs" if target == "fresh" else previous_build[0]
    before = snapshot(out)
    # --force (rewrite everything) where areas.csv is wrong; a wrong case file over the
    # previous build is found as a rebuild finds it, validating only the files that changed
    force = ["--force"] if case.startswith("area-id") else []
    args = ["build", "--data", str(data), "--output", str(out), "--jobs", "2", "--quiet", *force]
    proc = run(*args, *(extra or ["--areas", AREA]))
    assert_user_error(proc, *needles)
    assert "Nothing was written." in proc.stderr
    assert snapshot(out) == before
    if target == "fresh":
        assert not out.exists()


def test_validate_good_and_bad_file(tmp_path: Path) -> None:
    good = paths.data_dir() / "cases" / f"{AREA}.csv"
    proc = run("validate", str(good))
    assert proc.returncode == 0, proc.stderr
    assert f"{AREA}: " in proc.stdout and "cases valid" in proc.stdout
    data = copy_data(tmp_path)
    bad = edit_case(data, AREA, "psr_well_written", "yess", row=3)
    proc = run("validate", str(bad))
    # the question does not apply in that row (its report was oral or none): a blank is
    # what that cell accepts, and the message offers nothing else
    assert_user_error(proc, str(bad), "row 5", "column 'psr_well_written'", "'yess'",
                      "allowed: blank or N/A (the question applies only when the report type "
                      "is short or full; not in this row)")


def test_template_files_validate_once_a_valid_row_is_added(tmp_path: Path) -> None:
    proc = run("template", "--output", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    template = tmp_path / "case-data-template.csv"
    assert template.exists() and (tmp_path / "case-data-template.xlsx").exists()
    with open(template, newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    with open(paths.data_dir() / "cases" / f"{AREA}.csv", newline="", encoding="utf-8") as h:
        source = next(iter(csv.DictReader(h)))
    row = [source.get(col, "") for col in header]
    # the empty template itself has no cases: refused, with exit code 2
    assert_user_error(run("validate", str(template)), str(template))
    with open(template, "a", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerow(row)
    proc = run("validate", str(template))
    assert proc.returncode == 0, proc.stderr
    assert f"{AREA}: 1 cases valid" in proc.stdout

    from openpyxl import load_workbook

    xlsx = tmp_path / "case-data-template.xlsx"
    book = load_workbook(xlsx)
    # each header cell: the column id, then the question's text on the lines below
    assert [column_id(c) for c in next(book["cases"].iter_rows(values_only=True))] == header
    book["cases"].append([v if v != "" else None for v in row])
    book.save(xlsx)
    proc = run("validate", str(xlsx), "--sheet", "cases")
    assert proc.returncode == 0, proc.stderr
    assert f"{AREA}: 1 cases valid" in proc.stdout


def test_build_help_documents_the_main_options() -> None:
    proc = run("build", "--help")
    assert proc.returncode == 0
    for option in ("--areas", "--data", "--output", "--jobs", "--publish", "--threshold",
                   "--lenient", "--force"):
        assert option in proc.stdout, option
    assert "areas.csv" in proc.stdout


def test_unknown_area_and_bad_jobs_are_user_errors(tmp_path: Path) -> None:
    out = tmp_path / "outputs"
    proc = run("build", "--areas", "no-such-area", "--output", str(out), "--quiet")
    assert_user_error(proc, "'no-such-area'", "allowed:")
    assert not out.exists()
    proc = run("build", "--jobs", "0", "--output", str(out))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "--jobs must be at least 1" in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize("command", ["build", "template"])
def test_output_naming_an_existing_file(tmp_path: Path, command: str) -> None:
    existing = tmp_path / "report.txt"
    existing.write_text("keep me", encoding="utf-8")
    for output in (existing, existing / "sub"):
        proc = run(command, "--output", str(output), *(["--tables-only"] if command == "build"
                                                        else []))
        assert_user_error(proc, "--output is not a folder", f"{existing} is a file")
    assert existing.read_text(encoding="utf-8") == "keep me"
