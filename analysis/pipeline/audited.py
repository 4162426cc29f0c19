"""The release as an intruder reads it, handed to the audit (:mod:`analysis.method.audit`).

Everything a release prints is gathered here in one namespace of base cells (an area report's
``rmp:k`` is ``<area>/rmp:k``, as the aggregate report names it): every number of every
released report (its ``figures.json``, as printed: at its own rounding), every cell of every
released table, and the relations between counts that each disclosure links. Two checks follow:

* **lineage**: a shown figure whose lineage touches a hidden cell breaks the rule of
  :meth:`~analysis.method.disclosure.Disclosure.shows` (a chapter, a group figure or a
  researcher's own chapter made a number the policy never saw);
* **audit**: every hidden count keeps a feasible range of at least the protection interval.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..method.audit import Figure, Problem, audit, cells_of, sensitive
from ..method.disclosure import (
    CASES,
    SUPPRESSED,
    Disclosure,
    Policy,
    Relation,
    area_key,
    cell_key,
    factor_key,
    k_key,
    level_key,
    pooled_disclosure,
)
from .printed import figures_path
from .scanner import Finding

AUDIT = "audit"
LINEAGE = "lineage"


def qualify(lineage: Mapping[str, Any], prefix: str, own: Iterable[str]) -> dict[str, Any]:
    """A lineage with an area report's own keys named as the aggregate names them."""
    keep = tuple(own)

    def key(k: str) -> str:
        return k if k.startswith(keep) else f"{prefix}{k}"

    out: dict[str, Any] = {}
    for name, v in lineage.items():
        if name in ("cell",):
            out[name] = key(str(v))
        elif name in ("ratio", "wilson", "opaque"):
            out[name] = [key(str(x)) for x in v]
        elif name in ("ratio_of", "mean", "sum", "difference"):
            out[name] = [qualify(x, prefix, keep) for x in v]
        else:
            out[name] = v
    return out


def printed_value(kind: str, value: Any, digits: int) -> float | tuple[float, float] | None:
    """The value as a reader reads it: rounded as the report printed it."""
    if value is None:
        return None
    if kind == "interval":
        lo, hi = value
        return (round(100 * lo) / 100, round(100 * hi) / 100)
    if kind in ("share", "score", "points"):
        return round(100 * float(value), digits) / 100
    if kind == "count":
        return float(int(value))
    return float(value)


def report_figures(report: Path, where: str, prefix: str, own: Sequence[str]) -> list[Figure]:
    """Every shown number of a released report (its ``figures.json``)."""
    path = figures_path(report)
    if not path.exists():
        return []
    out = []
    for chapter in json.loads(path.read_text(encoding="utf-8"))["chapters"]:
        for exhibit in chapter["exhibits"]:
            for n in exhibit["numbers"]:
                value = printed_value(n["kind"], n["value"], n["digits"])
                if not n["shown"] or value is None:
                    continue
                out.append(Figure(f"{where} ({exhibit['exhibit'] or chapter['chapter']}: "
                                  f"{n['text']})", qualify(n["lineage"], prefix, own),
                                  n["kind"], value, n["digits"]))
    return out


def _count(v: Any) -> float | None:
    return None if str(v) == SUPPRESSED or v is None or v != v or v == "" else float(v)


def table_figures(area_id: str, tables: Mapping[str, pd.DataFrame]) -> list[Figure]:
    """Every cell of an area's released tables, as figures of their cells."""
    p = f"{area_id}/"
    where = f"{area_id}/tables"
    out: list[Figure] = []

    def add(k: str, n: str, row: Any, count: str | None, n_col: str | None,
            share: str, lower: str, upper: str) -> None:
        for col, key in ((count, k), (n_col, n)):
            if col is not None and (v := _count(getattr(row, col))) is not None:
                out.append(Figure(where, {"cell": p + key}, "count", v))
        if (v := _count(getattr(row, share))) is not None:
            out.append(Figure(where, {"ratio": [p + k, p + n]}, "share", round(v, 2), 0))
        lo, hi = _count(getattr(row, lower)), _count(getattr(row, upper))
        if lo is not None and hi is not None:
            out.append(Figure(where, {"wilson": [p + k, p + n], "bound": "interval"},
                              "interval", (round(lo, 2), round(hi, 2)), 0))

    for r in tables["question_scores"].itertuples():
        add(k_key(r.question), f"{r.question}:n", r, "k", "n", "share", "lower", "upper")
    for r in tables["distributions"].itertuples():
        add(level_key(r.variable, r.level), f"{r.variable}:n", r, "count", "n", "share",
            "lower", "upper")
    for r in tables["crosstab"].itertuples():
        if (v := _count(r.count)) is not None:
            out.append(Figure(where, {"cell": p + cell_key(r.row_field, r.row_level,
                                                           r.col_field, r.col_level)},
                              "count", v))
    for r in tables["factors"].itertuples():
        if (v := _count(r.identified)) is not None:
            out.append(Figure(where, {"cell": p + factor_key(r.factor, "identified")},
                              "count", v))
        for part in ("interventions", "progress"):
            add(factor_key(r.factor, f"{part}:k"), factor_key(r.factor, f"{part}:n"), r,
                f"{part}_k", f"{part}_n", f"{part}_share", f"{part}_lower", f"{part}_upper")
    return out


def check_release(areas: Mapping[str, Disclosure], released: Mapping[str, Path],
                  tables: Mapping[str, Mapping[str, pd.DataFrame]],
                  policy: Policy, cache: Path | None = None) -> list[Finding]:
    """The lineage rule and the audit over one release: a finding per problem.

    ``areas`` are every area the all-areas figures are pooled over (as the chapters pool
    them); ``released`` maps a report's folder (an area id, or the aggregate's) to its report;
    ``tables`` the released tables of each released area. An area not in this release is
    taken as its own report would show it (the reader may hold that report from another
    release): its shown counts known, its hidden ones not. ``cache``: the outputs folder whose
    suppression answers the chapters kept (the pooled counts are hidden as they hid them).
    """
    areas = {a: areas[a] for a in sorted(areas)}  # pooled as the chapters pool: by id
    pooled = pooled_disclosure(areas, policy, cache=cache)
    values: dict[str, int] = dict(pooled.values)
    hidden: set[str] = set(pooled.hidden)
    relations: list[Relation] = list(pooled.relations)
    own = (*(f"{a}/" for a in areas), "all/")
    for a, d in areas.items():
        p = f"{a}/"
        values.update({p + k: v for k, v in d.values.items()})
        hidden |= {p + k for k in d.hidden}
        relations += [Relation(p + r.total, tuple(p + x for x in r.parts)) for r in d.relations]
    figures: list[Figure] = []
    for folder, report in released.items():
        prefix = f"{folder}/" if folder in areas else ""
        figures += report_figures(report, f"{folder}/report.html", prefix, own)
    for a, frames in tables.items():
        figures += table_figures(a, frames)
    findings = [Finding(f.where, f"cell {sorted(set(_keys(f.lineage)) & hidden)[0]}", LINEAGE,
                        "a shown figure computed from a hidden count")
                for f in figures if not hidden.isdisjoint(_keys(f.lineage))]
    cases = {a: d.values.get(CASES, max(d.values.values(), default=0))
             for a, d in areas.items()}
    everyone = sum(cases.values())

    def upper(key: str) -> int:
        area = key.split("/", 1)[0]
        return int(cases.get(area, everyone))

    problems: list[Problem] = audit(values, hidden, relations, figures, upper,
                                    policy.protection,
                                    sensitive(values, hidden, policy.threshold))
    findings += [Finding(p.key.split("/", 1)[0], f"cell {p.key}", AUDIT, p.detail)
                 for p in problems]
    return findings


def _keys(lin: Mapping[str, Any]) -> set[str]:
    return set(cells_of(lin))


__all__ = ["area_key", "check_release", "qualify", "report_figures", "table_figures"]
