"""The published-figures file: figures with their places, readings, reconstruction settings."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from analysis.core import paths
from analysis.method.published import PublishedError, load_published, published_for

DATA = paths.REPO_ROOT / "data"


def test_bundled_file_records_every_reading_with_its_place() -> None:
    pub = published_for(DATA, "durham-tees-valley")
    assert pub is not None and pub.within_case_correlation == 0.5
    assert len(pub.assumptions) == 29 and all(a.place and a.reading for a in pub.assumptions)
    assert any("61" in a.reading and a.place == "Outcome 4, 2.7" for a in pub.assumptions)
    readings = [f for f in pub.figures if f.assumption]
    assert readings and all(f.cite and f.quote for f in readings)
    assert published_for(DATA, "braxbrook") is None


def _write(tmp_path: Path, **extra: object) -> Path:
    raw = {"area_id": "x", "figures": [], **extra}
    path = tmp_path / "x.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def test_an_assumption_needs_a_place_and_a_reading(tmp_path: Path) -> None:
    with pytest.raises(PublishedError, match=r"assumptions\[0\] needs a 'place'"):
        load_published(_write(tmp_path, assumptions=["free text"]))


@pytest.mark.parametrize("value", [0, 1, 1.5, "half", True])
def test_correlation_must_lie_between_0_and_1(tmp_path: Path, value: object) -> None:
    path = _write(tmp_path, reconstruction={"within_case_correlation": value})
    with pytest.raises(PublishedError, match="between 0 and 1"):
        load_published(path)


def test_correlation_defaults_when_not_given(tmp_path: Path) -> None:
    assert load_published(_write(tmp_path)).within_case_correlation == 0.5
