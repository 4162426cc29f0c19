"""Published figures: ``data/published/<area_id>.yaml``, parsed in this one place.

An area with a published report (Durham Tees Valley) has every figure the report prints (each
with its place, its words and any reading taken of them), its headline scores, the readings
taken where the report is inconsistent or silent (each with its place), and the settings of the
reconstruction (the within-case correlation). The reconstruction reads the figures and the
settings; the chapters read the headline scores, the readings and the settings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..core.errors import Problem
from ..core.yamlfile import parse, stat_key

# Used when a published-figures file gives no `reconstruction: within_case_correlation`.
DEFAULT_WITHIN_CASE_CORRELATION = 0.5


class PublishedError(ValueError):
    """A malformed published-figures file."""


@dataclass(frozen=True)
class Assumption:
    """A reading taken where the report is inconsistent, or leaves a base or a word open."""

    place: str
    reading: str


@dataclass(frozen=True)
class Figure:
    """One published figure: k of n (or a percentage of n) for a level of a variable."""

    id: str
    kind: str
    name: str
    level: str | None
    k: int | None
    n: int
    percent: float | None
    op: str
    row_level: tuple[str, ...] = ()
    col_field: str = ""
    col_level: tuple[str, ...] = ()
    cite: str = ""  # its place in the report, e.g. "Outcome 4, 1.2"
    quote: str = ""  # the report's words
    assumption: str = ""  # the reading taken of them, if any


@dataclass(frozen=True)
class Published:
    """The published-figures file, indexed for the reconstruction."""

    area_id: str
    cases: int
    figures: tuple[Figure, ...]
    headlines: dict[int, int]
    assumptions: tuple[Assumption, ...] = ()
    within_case_correlation: float = DEFAULT_WITHIN_CASE_CORRELATION
    source: str = ""

    def on(self, name: str, kind: str | None = None) -> list[Figure]:
        """Figures about one question or field (crosstabs excluded)."""
        return [f for f in self.figures if f.name == name and f.kind != "crosstab"
                and (kind is None or f.kind == kind)]

    def crosstabs(self, row_field: str, col_field: str) -> list[Figure]:
        return [f for f in self.figures if f.kind == "crosstab" and f.name == row_field
                and f.col_field == col_field]


def published_path(data_dir: Path, area_id: str) -> Path:
    return data_dir / "published" / f"{area_id}.yaml"


def _levels(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return (str(value),)


def _figure(e: dict[str, Any]) -> Figure:
    kind = str(e["kind"])
    level = e.get("level") if kind != "crosstab" else None
    return Figure(
        id=str(e["id"]), kind=kind,
        name=str(e.get("question") or e.get("field") or e.get("row_field") or ""),
        level=None if level is None else str(level),
        k=None if e.get("k") is None else int(e["k"]), n=int(e["n"]),
        percent=None if e.get("percent") is None else float(e["percent"]),
        op=str(e.get("op") or "="), row_level=_levels(e.get("row_level")),
        col_field=str(e.get("col_field") or ""), col_level=_levels(e.get("col_level")),
        cite=str(e.get("cite") or ""), quote=str(e.get("quote") or ""),
        assumption=str(e.get("assumption") or ""),
    )


def _assumptions(path: Path, raw: Any) -> tuple[Assumption, ...]:
    if not isinstance(raw, list):
        raise PublishedError(f"{path}: 'assumptions' must be a list of place/reading entries")
    out = []
    for i, e in enumerate(raw):
        if not isinstance(e, dict) or not e.get("place") or not e.get("reading"):
            raise PublishedError(f"{path}: assumptions[{i}] needs a 'place' (where in the "
                                 "report) and a 'reading' (the reading taken)")
        out.append(Assumption(str(e["place"]), str(e["reading"])))
    return tuple(out)


def _correlation(path: Path, raw: Any) -> float:
    settings = raw if isinstance(raw, dict) else {}
    value = settings.get("within_case_correlation", DEFAULT_WITHIN_CASE_CORRELATION)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise PublishedError(f"{path}: reconstruction: within_case_correlation must be a "
                             f"number between 0 and 1 (exclusive), not {value!r}")
    return float(value)


def load_published(path: Path) -> Published:
    """Read a published-figures YAML file (parsed once per kernel until the file changes:
    every chapter of the area asks for its headline scores)."""
    return _load_published(*stat_key(Path(path)))


@lru_cache(maxsize=8)
def _load_published(name: str, size: int, mtime_ns: int) -> Published:
    path = Path(name)
    raw = parse(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or not isinstance(raw.get("figures"), list):
        raise PublishedError(f"{path}: expected a mapping with a 'figures' list")
    headlines = {int(h["outcome"]): int(h["percent"]) for h in raw.get("headline_scores", [])}
    return Published(str(raw.get("area_id", Path(path).stem)),
                     int(raw.get("cases_inspected", 87)),
                     tuple(_figure(e) for e in raw["figures"]), headlines,
                     _assumptions(path, raw.get("assumptions") or []),
                     _correlation(path, raw.get("reconstruction")), str(raw.get("source") or ""))


def published_for(data_dir: Path, area_id: str) -> Published | None:
    """An area's published figures, or None for an area with no published report."""
    path = published_path(data_dir, area_id)
    return load_published(path) if path.exists() else None


def headline_scores(data_dir: Path, area_id: str) -> dict[int, int]:
    """The published headline score of each outcome, or {} for an area with no report."""
    path = published_path(data_dir, area_id)
    return load_published(path).headlines if path.exists() else {}


#: What a published-figures file must look like, as a problem says it.
PUBLISHED_LAYOUT = ("a YAML mapping with a 'figures' list (each entry with an id, a kind and n), "
                    "laid out as data/published/durham-tees-valley.yaml")


def check_published(data_dir: Path, area_ids: Iterable[str]) -> list[Problem]:
    """Each area's published-figures file, where it has one, read as a build reads it: a
    malformed one is a problem naming the file, found before the area is scored, not a
    traceback in the middle of a build (or on a remote worker, under the worker's copy)."""
    problems = []
    for area_id in area_ids:
        path = published_path(data_dir, area_id)
        if not path.exists():
            continue
        try:
            load_published(path)
        except PublishedError as exc:
            problems.append(Problem(str(path), str(exc).split(": ", 1)[-1],
                                    allowed=PUBLISHED_LAYOUT))
        except KeyError as exc:
            problems.append(Problem(str(path), f"an entry has no {exc} field",
                                    allowed=PUBLISHED_LAYOUT))
        except (yaml.YAMLError, UnicodeDecodeError, TypeError, ValueError,
                AttributeError) as exc:
            mark = getattr(exc, "problem_mark", None)
            problems.append(Problem(str(path), "not a published-figures file "
                                    f"({type(exc).__name__}: {str(exc).splitlines()[0]})",
                                    row=None if mark is None else mark.line + 1,
                                    allowed=PUBLISHED_LAYOUT))
    return problems
