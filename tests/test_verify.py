"""``python -m analysis verify``: a fresh build verifies; a report with one changed byte, a
changed case file, other code and another library version each fail with their own message;
a folder that cannot be checked is refused with exit code 2 and no traceback.

One real rebuild (of the session's two-area build) serves the whole file: it is kept
(``--keep``) and the tests that change a report compare against it."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

import analysis
from analysis.cli import main
from analysis.core import paths
from analysis.pipeline import verify as verify_module
from analysis.pipeline.verify import compare, verify

from .conftest import BUILT_AREAS, SERIAL_JOBS, Built

pytestmark = pytest.mark.slow
AREA = BUILT_AREAS[1]


@dataclass(frozen=True)
class Verified:
    """The first verify run: what it printed, its exit code, the outputs and the rebuild."""

    out: Path
    rebuilt: Path
    code: int
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def verified(two_areas: Built, tmp_path_factory: pytest.TempPathFactory) -> Verified:
    """``verify`` of an untouched copy of the session's build, its rebuild kept."""
    folder = tmp_path_factory.mktemp("verify")
    out = two_areas.copy(folder)
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["verify", str(out), "--data", str(two_areas.data), "--jobs",
                     str(SERIAL_JOBS), "--keep", str(folder / "rebuilt")])
    return Verified(out, folder / "rebuilt", code, stdout.getvalue(), stderr.getvalue())


def reports_and_tables(root: Path) -> dict[str, str]:
    """Every report, index and table under ``root`` with its SHA-256, found independently of
    the package's own list."""
    found = {}
    for path in root.rglob("*"):
        rel = path.relative_to(root).as_posix()
        is_table = path.parent.name == "tables" and path.suffix in (".csv", ".parquet")
        if path.name in ("report.html", "annex.html", "index.html") or is_table:
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["verify", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_fresh_build_verifies(verified: Verified) -> None:
    assert verified.code == 0, verified.stdout + verified.stderr[-3000:]
    files = reports_and_tables(verified.out)
    assert sum(name.endswith("report.html") for name in files) == 2 + 1 + 2  # areas, all, groups
    assert sum(name.endswith("annex.html") for name in files) == 2 + 1 + 2  # each its annex
    assert f"rebuild: all {len(files)} reports, index and tables are byte-identical" in (
        verified.stdout)
    assert verified.stdout.rstrip().endswith("verified: every check matched (exit 0)")
    assert reports_and_tables(verified.rebuilt) == files
    assert "Traceback" not in verified.stderr


def test_manifest_records_every_report_and_table(two_areas: Built) -> None:
    assert two_areas.manifest["outputs"] == reports_and_tables(two_areas.out)
    params = two_areas.manifest["parameters"]
    assert params["scoring"] is None and params["aggregate"] is True
    assert two_areas.manifest["environment"]["pandas"] == two_areas.manifest["versions"]["pandas"]


def flip_one_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_report_with_one_changed_byte_fails(verified: Verified, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "outputs"
    shutil.copytree(verified.out, out)
    report = out / AREA / "report.html"
    flip_one_byte(report)
    code, stdout, err = run(str(out), "--data", str(paths.data_dir()), "--no-rebuild",
                            capsys=capsys)
    assert code == 1, stdout
    assert f"report changed since the build: {report} is not the file the build wrote" in stdout
    assert stdout.split("Files that differ (1):\n")[1].splitlines()[0].strip() == str(report)
    assert "NOT verified" in stdout and "Traceback" not in err
    assert compare(out, verified.rebuilt) == [(str(report), "differs from the rebuild")]


def test_a_changed_table_fails(verified: Verified, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "outputs"
    shutil.copytree(verified.out, out)
    table = out / AREA / "tables" / "question_scores.parquet"
    flip_one_byte(table)
    code, stdout, _ = run(str(out), "--data", str(paths.data_dir()), "--no-rebuild",
                          capsys=capsys)
    assert code == 1
    assert f"table changed since the build: {table}" in stdout
    assert compare(out, verified.rebuilt) == [(str(table), "differs from the rebuild")]


def test_a_difference_in_the_provenance_only_is_named(verified: Verified,
                                                      tmp_path: Path) -> None:
    out = tmp_path / "outputs"
    shutil.copytree(verified.out, out)
    report = out / "aggregate" / "report.html"
    text = report.read_text(encoding="utf-8")
    commit = verified.out.joinpath("manifest.json").read_text(encoding="utf-8")
    git = json.loads(commit)["package"]["git"]
    assert text.count(f"(git {git})") == 1
    report.write_text(text.replace(f"(git {git})", "(git 0123456789ab)"), encoding="utf-8")
    assert compare(out, verified.rebuilt) == [
        (str(report), "differs from the rebuild in its provenance only (the commit, versions "
                      "or checksums it prints)")]


def test_outputs_checked_against_changed_data_fail_without_a_rebuild(
        verified: Verified, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    shutil.copytree(paths.data_dir(), data)
    cases = data / "cases" / f"{AREA}.csv"
    lines = cases.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace(",yes,", ",no,", 1)
    assert lines[1] != cases.read_text(encoding="utf-8").splitlines(keepends=True)[1]
    cases.write_text("".join(lines), encoding="utf-8")
    (data / "commentary" / f"{AREA}.md").write_text("## Foreword\nAdded.\n", encoding="utf-8")
    code, stdout, err = run(str(verified.out), "--data", str(data), capsys=capsys)
    assert code == 1
    assert f"data changed: {cases} is not the file the outputs were made from" in stdout
    assert (f"data changed: {data / 'commentary' / f'{AREA}.md'} is read by a build now, but "
            "the build that made the outputs did not read it") in stdout
    assert "not rebuilt: the data are not those the outputs were made from" in stdout
    assert "rebuilding" not in err


def test_a_different_library_version_is_named(verified: Verified, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    recorded = json.loads((verified.out / "manifest.json").read_text())["environment"]
    installed = verify_module.installed()
    monkeypatch.setattr(verify_module, "installed", lambda: {**installed, "pandas": "9.9.9"})
    code, stdout, _ = run(str(verified.out), "--data", str(paths.data_dir()), "--no-rebuild",
                          capsys=capsys)
    assert code == 1
    assert (f"library version: pandas {recorded['pandas']} made the outputs, 9.9.9 is "
            "installed here") in stdout
    assert stdout.count("library version:") == 1


def test_other_code_is_named(verified: Verified, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(verify_module, "package_digest", lambda: "0" * 64)
    code, stdout, _ = run(str(verified.out), "--data", str(paths.data_dir()), "--no-rebuild",
                          capsys=capsys)
    assert code == 1 and "code changed: the analysis package" in stdout
    monkeypatch.undo()
    monkeypatch.setattr(verify_module, "git_commit", lambda: "0123456789ab")
    code, stdout, _ = run(str(verified.out), "--data", str(paths.data_dir()), "--no-rebuild",
                          capsys=capsys)
    assert code == 1 and "the same analysis package, but the outputs were made by" in stdout
    assert "git checkout " in stdout


def test_a_publication_build_checks_its_release(published: Built) -> None:
    recorded = published.manifest["outputs"]
    assert any(name.startswith("release/") for name in recorded)
    verdict = verify(published.out, published.data, rebuild=False, say=lambda line: None)
    assert verdict.exit_code == 0, verdict.render()


def unreadable(case: str, tmp: Path) -> Path:
    """A folder (or path) ``verify`` cannot check, for each kind of bad input."""
    if case == "missing":
        return tmp / "nowhere"
    folder = tmp / "outputs"
    folder.mkdir()
    manifest = {"not json": "{not json", "not a manifest": "[]",
                "bad options": json.dumps({"package": {}, "versions": {}, "inputs": {},
                                           "parameters": {"engine": "turbo"}}),
                "bad record": json.dumps({"package": {}, "versions": {}, "parameters": {},
                                          "inputs": {"cases/a.csv": 3}})}.get(case)
    if manifest is not None:
        (folder / "manifest.json").write_text(manifest, encoding="utf-8")
    if case == "file":
        (folder / "a-file").write_text("x", encoding="utf-8")
        return folder / "a-file"
    return folder


@pytest.mark.parametrize("case, message", [
    ("missing", "folder not found"),
    ("file", "is a file, not an outputs folder"),
    ("empty", "no manifest: this folder holds no finished build"),
    ("not json", "cannot be read as JSON"),
    ("not a manifest", "not a build manifest: no package, versions, parameters, inputs"),
    ("bad options", "its build options cannot be rebuilt (engine 'turbo')"),
    ("bad record", "not a build manifest: inputs is not a list of names and values"),
])
def test_a_folder_that_cannot_be_checked_is_refused(case: str, message: str, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    folder = unreadable(case, tmp_path)
    code, stdout, err = run(str(folder), capsys=capsys)
    assert code == 2 and stdout == ""
    assert message in err and "Traceback" not in err
    assert "allowed: an outputs folder written by `python -m analysis build`" in err


def test_missing_data_folder_and_bad_options_are_refused(verified: Verified, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    code, _, err = run(str(verified.out), "--data", str(tmp_path / "none"), capsys=capsys)
    assert code == 2 and f"{tmp_path / 'none'}: data folder not found" in err
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    code, _, err = run(str(verified.out), "--data", str(paths.data_dir()), "--keep",
                       str(tmp_path / "full"), capsys=capsys)
    assert code == 2 and "--keep: exists and is not an empty folder" in err
    code, _, err = run(str(verified.out), "--data", str(paths.data_dir()), "--keep",
                       str(verified.out / "rebuilt"), capsys=capsys)
    assert code == 2 and "--keep: inside the outputs folder being checked" in err
    code, _, err = run(str(verified.out), "--jobs", "0", capsys=capsys)
    assert code == 2 and "--jobs: must be at least 1" in err


def test_reports_and_index_print_the_version(two_areas: Built) -> None:
    made_with = f"iaow-analysis {analysis.__version__} (git {two_areas.manifest['package']['git']})"
    reports = sorted(two_areas.out.rglob("report.html"))
    assert len(reports) == 5
    for report in reports:
        text = report.read_text(encoding="utf-8")
        assert f"<dt>Made with</dt><dd>{made_with}</dd>" in text, report
        assert "<dt>Checking and citing</dt><dd>python -m analysis verify, run on" in text
    index = (two_areas.out / "index.html").read_text(encoding="utf-8")
    assert f"Made with iaow-analysis {analysis.__version__}. " in index
