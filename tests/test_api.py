"""The public API: the names ``import analysis`` documents, and the README's examples."""

from __future__ import annotations

import doctest
import os
from pathlib import Path

import pandas as pd
import pytest

import analysis
from analysis.core import paths
from analysis.method.catalogue import load_areas
from analysis.method.tables import (
    AREA_TABLES,
    CATALOGUE,
    CROSS_AREA_TABLES,
    TableError,
    declared,
    load_tables,
    table_list,
    write_table,
)

AREAS = ["haskbrook", "braxbrook"]


def test_every_public_name_resolves() -> None:
    for name in analysis.__all__:
        assert getattr(analysis, name) is not None, name
    with pytest.raises(AttributeError):
        analysis.no_such_name  # noqa: B018


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, scored: Path) -> Path:
    """A folder laid out like the repository after a build: data/ and outputs/ (the session's
    tables of every area, read only)."""
    root = tmp_path_factory.mktemp("api")
    (root / "data").symlink_to(paths.data_dir())
    (root / "outputs").symlink_to(scored)
    return root


def test_load_tables_of_one_area_and_of_every_area(built: Path) -> None:
    one = load_tables(built / "outputs", "haskbrook")
    assert sorted(one) == sorted(AREA_TABLES)
    assert set(one["question_scores"]["area_id"]) == {"haskbrook"}
    every = load_tables(built / "outputs")
    assert sorted(every) == sorted(AREA_TABLES + CROSS_AREA_TABLES)
    # "all areas" is every area of the data folder, so a build of some areas scores them all
    everyone = [a.id for a in load_areas(built / "data")]
    assert set(AREAS) < set(everyone)
    for name in AREA_TABLES:
        parts = [load_tables(built / "outputs", a)[name] for a in everyone]
        assert len(every[name]) == sum(len(p) for p in parts), name
    assert set(every["outcome_scores"]["area_id"]) == set(everyone)


def test_every_table_is_listed_with_its_grain_in_the_readme_and_the_help() -> None:
    readme = (paths.REPO_ROOT / "README.md").read_text(encoding="utf-8")
    listed = readme.split("<!-- tables:", 1)[1].split("<!-- /tables -->", 1)[0]
    assert listed.split("\n", 1)[1].strip() == table_list(96).replace("``", "`")
    for table in CATALOGUE.values():
        assert table.grain.startswith("one row per"), table.name
        assert f"``{table.name}``" in (load_tables.__doc__ or "")


def test_every_table_written_is_as_declared(built: Path) -> None:
    """Each table of a build matches its declaration, as the light check and pandera see it."""
    out = built / "outputs"
    folders = [out / "haskbrook" / "tables", out / "tables"]
    for folder in folders:
        for path in sorted(folder.glob("*.parquet")):
            frame = pd.read_parquet(path)
            table = declared(path.stem)
            table.check(frame)
            table.schema().validate(frame)


def test_a_table_unlike_its_declaration_is_refused(tmp_path: Path) -> None:
    frame = pd.DataFrame({"area_id": ["a", "a"], "section": ["s", "s"], "title": ["t", "t"],
                          "n_criteria": [1, 2], "score": [0.5, 0.6]})
    with pytest.raises(TableError, match="more than one row per area_id, section"):
        write_table(frame, tmp_path, "section_scores")
    with pytest.raises(TableError, match="columns missing \\['score'\\]"):
        write_table(frame.drop(columns="score").iloc[:1], tmp_path, "section_scores")
    with pytest.raises(TableError, match=r"'n_criteria': (str|object) where integer"):
        write_table(frame.iloc[:1].assign(n_criteria="one"), tmp_path, "section_scores")
    assert list(tmp_path.iterdir()) == []


def test_load_tables_says_what_to_run_when_nothing_was_built(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="analysis build"):
        load_tables(tmp_path)
    with pytest.raises(FileNotFoundError, match="question_scores"):
        load_tables(tmp_path, "haskbrook")


def test_score_file_asks_which_area_of_a_file_with_several(tmp_path: Path) -> None:
    two = tmp_path / "two.csv"
    lines = [(paths.data_dir() / "cases" / f"{a}.csv").read_text().splitlines() for a in AREAS]
    two.write_text("\n".join(lines[0] + lines[1][1:]) + "\n")
    with pytest.raises(analysis.InputError, match="choose one area"):
        analysis.score_file(two)
    scores = analysis.score_file(two, "braxbrook")
    assert set(scores.outcomes["area_id"]) == {"braxbrook"}


@pytest.mark.slow
def test_readme_examples(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's Python API examples, run from a folder laid out like the repository."""
    monkeypatch.chdir(built)
    result = doctest.testfile(os.fspath(paths.REPO_ROOT / "README.md"), module_relative=False,
                              optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.attempted >= 10
    assert result.failed == 0


@pytest.mark.slow
def test_extra_chapter_readme_examples(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """notebooks/extra/README.md's example of a chapter of one's own, as printed."""
    monkeypatch.setenv("IAOW_OUTPUTS", os.fspath(built / "outputs"))
    result = doctest.testfile(os.fspath(paths.NOTEBOOKS / "extra" / "README.md"),
                              module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE,
                              verbose=False)
    assert result.attempted >= 8
    assert result.failed == 0
