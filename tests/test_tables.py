"""Tables written in pieces and chunks of rows: the same files as one frame written whole."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from analysis.method import tables
from analysis.method.tables import TableError, csv_bytes, write_stacked, write_table


def _area(area_id: str, rows: int) -> pd.DataFrame:
    return pd.DataFrame({
        "area_id": area_id, "variable": [f"v{i % 7}" for i in range(rows)],
        "kind": "field", "level": [f"=level {i}" for i in range(rows)],
        "count": range(rows), "n": rows, "share": [i / 3 for i in range(rows)],
        "lower": 0.125, "upper": float("nan")})


def _whole(frame: pd.DataFrame, folder: Path) -> tuple[bytes, bytes]:
    folder.mkdir()
    csv = csv_bytes(frame)
    frame.to_parquet(folder / "t.parquet", index=False)
    return csv, (folder / "t.parquet").read_bytes()


def test_one_row_group_is_what_to_parquet_writes(tmp_path: Path) -> None:
    frame = pd.concat([_area("a", 30), _area("b", 20)], ignore_index=True)
    csv, parquet = _whole(frame, tmp_path / "whole")
    write_stacked([_area("a", 30), _area("b", 0), _area("b", 20)], tmp_path, "distributions")
    assert (tmp_path / "distributions.csv").read_bytes() == csv
    assert (tmp_path / "distributions.parquet").read_bytes() == parquet


def test_chunks_and_row_groups_keep_every_byte_of_text_and_every_row(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Text made 7 rows at a time is the whole table's text; Parquet in row groups of 16
    rows holds the same rows and types."""
    monkeypatch.setattr(tables, "CSV_ROWS", 7)
    monkeypatch.setattr(tables, "ROW_GROUP", 16)
    pieces = [_area("a", 30), _area("b", 5), _area("c", 40)]
    frame = pd.concat(pieces, ignore_index=True)
    write_stacked(pieces, tmp_path / "stacked", "distributions")
    write_table(frame, tmp_path / "whole", "distributions")
    for folder in ("stacked", "whole"):
        assert (tmp_path / folder / "distributions.csv").read_bytes() == csv_bytes(frame)
        path = tmp_path / folder / "distributions.parquet"
        assert pq.ParquetFile(path).metadata.num_row_groups == 5  # 16 + 16 + 16 + 16 + 11
        pd.testing.assert_frame_equal(pd.read_parquet(path), frame)
    assert ((tmp_path / "stacked" / "distributions.parquet").read_bytes()
            == (tmp_path / "whole" / "distributions.parquet").read_bytes())


def test_no_rows_writes_the_columns(tmp_path: Path) -> None:
    write_stacked([_area("a", 0), _area("b", 0)], tmp_path, "distributions")
    assert (tmp_path / "distributions.csv").read_text().startswith("area_id,variable,")
    assert pd.read_parquet(tmp_path / "distributions.parquet").empty


def test_a_key_in_two_pieces_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="area_id a in two pieces"):
        write_stacked([_area("a", 3), _area("b", 3), _area("a", 3)], tmp_path, "distributions")
    assert list(tmp_path.iterdir()) == []


def test_a_failure_midway_leaves_the_previous_files(tmp_path: Path) -> None:
    write_stacked([_area("a", 3)], tmp_path, "distributions")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def pieces() -> Iterator[pd.DataFrame]:
        yield _area("b", 3)
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        write_stacked(pieces(), tmp_path, "distributions")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
