"""The published-figures file: figures with their places, readings, reconstruction settings."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


# ------------------------------------------------ a malformed file: a problem, never a crash
def _mutated(clean: str, how: str, at: float, junk: bytes) -> bytes:
    """The bundled file cut short, with bytes put in, with one field of one figure taken out
    or of the wrong type, or as another YAML shape altogether."""
    raw = yaml.safe_load(clean)
    figure = raw["figures"][int(at * (len(raw["figures"]) - 1))]
    if how == "truncation":
        return clean.encode("utf-8")[: int(at * len(clean))]
    if how == "junk":
        data = clean.encode("utf-8")
        return data[: int(at * len(data))] + junk + data[int(at * len(data)):]
    if how == "field taken out":
        figure.pop(sorted(figure)[int(at * (len(figure) - 1))])
    elif how == "field of the wrong type":
        figure[sorted(figure)[int(at * (len(figure) - 1))]] = {"a": [1]}
    elif how == "headline not a mapping":
        raw["headline_scores"] = ["60"]
    else:
        raw = [raw] if how == "a list" else "figures"
    return yaml.safe_dump(raw, allow_unicode=True).encode("utf-8")


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(how=st.sampled_from(["truncation", "junk", "field taken out", "field of the wrong type",
                            "headline not a mapping", "a list", "a scalar"]),
       at=st.floats(0, 1), junk=st.binary(min_size=1, max_size=6))
def test_a_mutated_published_file_is_read_or_refused_by_name(
        tmp_path_factory: pytest.TempPathFactory, how: str, at: float, junk: bytes) -> None:
    """The check a build runs before scoring either passes (and the file then reads) or
    lists problems that name the file: never an exception."""
    from analysis.method.published import check_published, headline_scores, published_path

    data = tmp_path_factory.mktemp("published")
    path = published_path(data, "durham-tees-valley")
    path.parent.mkdir()
    clean = published_path(DATA, "durham-tees-valley").read_text(encoding="utf-8")
    path.write_bytes(_mutated(clean, how, at, junk))
    problems = check_published(data, ["durham-tees-valley", "braxbrook"])
    if problems:
        assert all(p.file.endswith("durham-tees-valley.yaml") and p.allowed for p in problems)
        assert how not in ("a list", "a scalar", "headline not a mapping") or len(problems) == 1
    else:
        assert isinstance(headline_scores(data, "durham-tees-valley"), dict)
        assert how not in ("a list", "a scalar", "headline not a mapping"), how


def test_a_malformed_published_file_stops_the_build_before_anything_is_written(
        tmp_path: Path) -> None:
    """Reported with a bad case file of another area, in one run; exit 2, no traceback."""
    import shutil
    import subprocess
    import sys

    data = tmp_path / "data"
    shutil.copytree(paths.data_dir(), data)
    path = data / "published" / "durham-tees-valley.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("figures:", "figurez:", 1),
                    encoding="utf-8")
    cases = data / "cases" / "braxbrook.csv"
    header, first, *rest = cases.read_text(encoding="utf-8").splitlines()
    cases.write_text("\n".join([header, first.replace(",yes,", ",yess,", 1), *rest]) + "\n",
                     encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "analysis", "build", "--data", str(data),
                           "--output", str(out), "--tables-only", "--quiet"],
                          capture_output=True, text=True, cwd=paths.REPO_ROOT, timeout=300)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "durham-tees-valley.yaml" in proc.stderr and "'figures' list" in proc.stderr
    assert "braxbrook.csv" in proc.stderr and "yess" in proc.stderr
    assert "Nothing was written." in proc.stderr and not out.exists()
