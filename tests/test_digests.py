"""One freshness rule for every output: files present and the stamp holds the digest."""

from __future__ import annotations

from pathlib import Path

from analysis.pipeline.digests import Target, digest_of
from analysis.pipeline.outputs import OutputTree


def test_a_target_is_fresh_only_with_its_files_and_its_digest(tmp_path: Path) -> None:
    out = OutputTree(tmp_path)
    target = out.report("area")
    assert target.recorded() is None and not target.fresh("d")
    target.files[0].parent.mkdir(parents=True)
    target.files[0].write_text("report")
    assert not target.fresh("d")             # no stamp yet
    target.mark("d")
    assert target.fresh("d")
    assert not target.fresh("d", force=True)  # --force rebuilds everything
    assert not target.fresh("other")
    target.files[0].unlink()
    assert not target.fresh("d")             # the stamp alone is not the output


def test_an_empty_stamp_records_nothing(tmp_path: Path) -> None:
    target = Target.of(tmp_path / ".stamp", tmp_path / "file")
    (tmp_path / "file").write_text("x")
    (tmp_path / ".stamp").write_text("  \n")
    assert target.recorded() is None


def test_digest_of_is_stable_and_order_sensitive() -> None:
    assert digest_of({"b": 1, "a": 2}) == digest_of({"a": 2, "b": 1})
    assert digest_of([1, 2]) != digest_of([2, 1])


def test_output_paths(tmp_path: Path) -> None:
    out = OutputTree(tmp_path)
    nb = out.notebook("area", "01_x")
    assert nb.files == (tmp_path / "area" / "notebooks" / "01_x.ipynb",)
    assert nb.stamp == tmp_path / "area" / "notebooks" / ".01_x.digest"
    assert out.failed("area", "01_x") == tmp_path / "area" / "failed" / "01_x.ipynb"
    assert out.area_tables("area").stamp == tmp_path / "area" / "tables" / ".source.digest"
    assert out.index().files == (tmp_path / "index.html",)
