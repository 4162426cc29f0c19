"""What a chapter reads: the tidy tables a build wrote, for one area or for all areas.

Chapters never run the method: they read tables and fail with a clear message when the build
has not written them yet (``python -m analysis build``, or ``build --tables-only``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..core import paths
from ..method.bank import QuestionBank, load_bank
from ..method.catalogue import Area, Group, groups_of, load_areas
from ..method.disclosure import (
    OPEN,
    Disclosure,
    Policy,
    area_disclosure,
    k_key,
    n_key,
    pooled_disclosure,
    pooled_key,
)
from ..method.display import area_view, key_questions, read_view
from ..method.positions import QUESTION
from ..method.tables import AREA_TABLES, PARQUET_ONLY, read_table
from ..report.guard import publish_with
from ..report.model import Banner, Kind, Number, Paragraph, share_of
from . import numbers

SHARED = ("question_scores", "outcome_scores", "factors", "pooled_questions",
          "pooled_outcomes", "comparisons", "dispersion", "funnel_limits")
GROUP_TABLES = ("group_figures", "group_differences")  # in the all-areas tables only
CHAPTER_TABLES = tuple(n for n in AREA_TABLES if n not in PARQUET_ONLY)
ALL = "all"  # the comparisons table's scope of every area
BUILD_HINT = "run `python -m analysis build` (or `build --tables-only`) first"


class TablesMissing(FileNotFoundError):
    """The build has not written the tables a chapter reads."""


def _read_tables(folder: Path, names: tuple[str, ...], what: str) -> dict[str, pd.DataFrame]:
    missing = [n for n in names if not (folder / f"{n}.parquet").exists()]
    if missing:
        raise TablesMissing(f"{what} missing in {folder} ({', '.join(missing)}): {BUILD_HINT}")
    return {name: read_table(folder, name) for name in names}


@dataclass
class AreaContext:
    """Everything a chapter needs about one area, read once per notebook."""

    area: Area
    bank: QuestionBank
    tables: dict[str, pd.DataFrame]
    data_dir: Path
    output_dir: Path
    disclosure: Disclosure
    comparison: dict[str, pd.DataFrame] = field(default_factory=dict)

    @classmethod
    def load(cls, area_id: str, data_dir: str = "", output_dir: str = "",
             policy: str | Policy = OPEN) -> AreaContext:
        """Read the area's tidy tables (the notebook parameters are this method's arguments;
        ``policy`` is the disclosure policy's text, "open" or "publish:5")."""
        data = paths.data_dir(data_dir)
        out = paths.output_dir(output_dir)
        areas = {a.id: a for a in load_areas(data, check_cases=False)}
        if area_id not in areas:
            raise KeyError(f"area {area_id!r} is not in {data / 'areas.csv'}")
        tables = _read_tables(paths.area_tables(out, area_id), CHAPTER_TABLES,
                              f"tables of area {area_id!r}")
        bank = load_bank()
        disclosure = area_disclosures(out, [area_id], Policy.parse(policy))[area_id]
        publish_with(disclosure)  # every exhibit of this notebook passes the lineage rule
        return cls(areas[area_id], bank, tables, data, out, disclosure)

    def load_comparison(self) -> dict[str, pd.DataFrame]:
        """This area's view of the cross-area figures (its rows of the comparisons table, at
        the precision the report shows them: :mod:`analysis.method.display`); read only by
        the summary and comparison chapters, whose digest covers exactly this view, so that a
        change in another area re-runs them here only when a figure they show changed (see
        :mod:`analysis.pipeline.plan`)."""
        if self.comparison:
            return self.comparison
        rows = _area_view(self.output_dir, self.area.id, self.bank)
        if rows is None:
            return self.comparison
        mine = {g.id for g in self.area.groups}
        self.comparison["comparisons"] = rows[rows["scope"] == ALL]
        self.comparison["group_comparisons"] = rows[rows["scope"].isin(mine)]
        if self.disclosure.policy.publish:
            self.pooled()
        return self.comparison

    def pooled_share(self, question: str) -> Number:
        """A question's all-areas share as this area's view holds it (hidden as the pooled
        counts are, in publication mode); not applicable when no area has a case for it."""
        rows = self.load_comparison()["comparisons"]
        hit = rows[(rows["kind"] == QUESTION) & (rows["measure"] == question)]["pooled"]
        value = float(hit.iloc[0]) if len(hit) else math.nan
        keys = (pooled_key(k_key(question)), pooled_key(n_key(question)))
        return Number(None if math.isnan(value) else value, Kind.SHARE, share_of(*keys),
                      shown=self.pooled().shows(keys))

    def pooled(self) -> Disclosure:
        """All areas' counts and the pooled ones, as the aggregate report hides them (from
        now on the exhibits of this notebook pass the lineage rule under both). Without a
        publication policy nothing is hidden and no chapter prints a pooled count, so no
        other area's tables are read (the chapter depends on its view only)."""
        if not self.disclosure.policy.publish:
            return Disclosure(self.disclosure.policy, {})
        pooled = all_areas_disclosure(self.output_dir, self.disclosure.policy)
        publish_with(self.disclosure.joined(pooled))
        return pooled

    def groups(self) -> list[Group]:
        """This area's groups (one per grouping of areas.csv), each with all its areas."""
        mine = {g.id for g in self.area.groups}
        return [g for g in groups_of(load_areas(self.data_dir, check_cases=False))
                if g.id in mine]

    def choosable_questions(self) -> pd.DataFrame:
        """The questions a rule may pick from (key findings, priorities): in a publication
        build only those whose counts are shown. Picking a question with a withheld share, or
        passing it over, would say where that share lies (a strength's lower limit is at least
        80%), so a withheld one is never a candidate, whatever its value."""
        q = self.tables["question_scores"]
        return q[[self.disclosure.shows((k_key(x), n_key(x))) for x in q["question"].astype(str)]]

    def count(self, key: str) -> Number:
        """A count of people in this area's report, by its key (``n_key("rmp")``,
        ``level_key("report_type", "oral")``): hidden as [c] when the policy says so.

        >>> ctx.count(n_key("rmp")).text       # doctest: +SKIP
        '33'
        """
        return numbers.count(self.disclosure, key)

    def share(self, k: str, n: str) -> Number:
        """The share k / n of two counts of this area, by their keys (``k_key("rmp")``,
        ``n_key("rmp")``): hidden with either count, * on fewer than 10 cases."""
        return numbers.share(self.disclosure, k, n)

    def interval(self, k: str, n: str, lower: float, upper: float) -> Number:
        """The 95% interval ``lower``-``upper`` of the share k / n, hidden with the share."""
        return numbers.share_interval(self.disclosure, k, n, lower, upper)

    def rules(self) -> tuple[Paragraph, ...]:
        """The publication rules in plain words (nothing outside publication mode)."""
        return numbers.rules(self.disclosure.policy)


def _area_view(output_dir: Path, area_id: str, bank: QuestionBank) -> pd.DataFrame | None:
    """An area's view of the cross-area figures: the file the build wrote, else worked out
    from the comparisons table the same way (None before the cross-area tables exist)."""
    view = paths.area_view(output_dir, area_id)
    if view.exists():
        return read_view(view.read_text(encoding="utf-8"))
    shared = paths.all_tables(output_dir)
    if not (shared / "comparisons.parquet").exists():
        return None
    return read_view(area_view(read_table(shared, "comparisons"), area_id,
                               key_questions(bank)))


def area_disclosures(output_dir: Path, area_ids: Iterable[str],
                     policy: Policy) -> dict[str, Disclosure]:
    """Each area's counts as its own report hides them; worked out once per area's tables in
    a kernel (a warm kernel runs the chapters of an area one after the other)."""
    out = {}
    for area_id in area_ids:
        folder = paths.area_tables(output_dir, area_id)
        stamp = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in folder.glob("*.parquet")))
        out[area_id] = _area(output_dir, area_id, policy, stamp)
    return out


@lru_cache(maxsize=16)
def _area(output_dir: Path, area_id: str, policy: Policy,
          stamp: tuple[tuple[str, int], ...]) -> Disclosure:
    tables = _read_tables(paths.area_tables(output_dir, area_id), AREA_TABLES,
                          f"tables of area {area_id!r}")
    return area_disclosure(tables, load_bank().sufficient_levels, policy, cache=output_dir)


def all_areas_disclosure(output_dir: Path, policy: Policy,
                         folder: Path | None = None) -> Disclosure:
    """Every area's counts and the pooled ones (over the areas of the cross-area tables in
    ``folder``: all areas', or a group's), as the aggregate report hides them; computed once
    per set of tables in a kernel."""
    folder = folder or paths.all_tables(output_dir)
    stamp = tuple(sorted((str(p), p.stat().st_mtime_ns) for p in folder.glob("*.parquet")))
    return _pooled(output_dir, policy, folder, stamp)


@lru_cache(maxsize=4)
def _pooled(output_dir: Path, policy: Policy, folder: Path,
            stamp: tuple[tuple[str, int], ...]) -> Disclosure:
    pooled = _read_tables(folder, ("question_scores",),
                          "cross-area tables")["question_scores"]
    ids = sorted(set(pooled["area_id"].astype(str)))
    return pooled_disclosure(area_disclosures(output_dir, ids, policy), policy, cache=output_dir)


@dataclass
class AggregateContext:
    """Every area's tables and the cross-area tables, for the aggregate report."""

    areas: list[Area]
    bank: QuestionBank
    tables: dict[str, pd.DataFrame]
    data_dir: Path
    disclosure: Disclosure  # every area's counts and the pooled ones (of the group's)
    group: Group | None = None  # a group's aggregate; None: every area's
    reports: frozenset[str] = frozenset()  # the areas with a report to link to

    @classmethod
    def load(cls, areas: str = "", data_dir: str = "", output_dir: str = "",
             policy: str | Policy = OPEN, group: str = "",
             reports: str = "") -> AggregateContext:
        """Read the cross-area tables, keeping the areas named (comma-separated; empty: all);
        with ``group``, that group's tables (pooled over its areas only). ``reports``: the
        areas whose reports exist (comma-separated; empty: those found in the outputs folder),
        the only ones the report links to."""
        data = paths.data_dir(data_dir)
        out = paths.output_dir(output_dir)
        every = load_areas(data, check_cases=False)
        chosen_group = next((g for g in groups_of(every) if g.id == group), None)
        if group and chosen_group is None:
            raise KeyError(f"group {group!r} is not in {data / 'areas.csv'}")
        folder = paths.group_tables(out, group) if group else paths.all_tables(out)
        tables = _read_tables(folder, SHARED if group else SHARED + GROUP_TABLES,
                              f"cross-area tables of group {group!r}" if group
                              else "cross-area tables")
        wanted = [a for a in areas.split(",") if a] if areas else None
        chosen = [a for a in every if wanted is None or a.id in wanted]
        ids = {a.id for a in chosen}
        for name in ("question_scores", "outcome_scores", "factors",
                     "comparisons"):
            tables[name] = tables[name][tables[name]["area_id"].isin(ids)]
        rows = tables["comparisons"]
        tables["comparisons"] = rows[rows["scope"] == (group or ALL)]
        linked = frozenset(r for r in reports.split(",") if r) if reports else frozenset(
            a.id for a in every if paths.area_report(out, a.id).exists())
        disclosure = all_areas_disclosure(out, Policy.parse(policy), folder)
        publish_with(disclosure)  # every exhibit of this notebook passes the lineage rule
        return cls(chosen, load_bank(), tables, data, disclosure, chosen_group, linked)

    def count(self, key: str) -> Number:
        """A count of people (an area's, ``area_key``, or pooled, ``pooled_key``)."""
        return numbers.count(self.disclosure, key)

    def share(self, k: str, n: str) -> Number:
        """A share of two counts by their keys, hidden with either."""
        return numbers.share(self.disclosure, k, n, mark_small=False)

    def rules(self) -> tuple[Paragraph, ...]:
        """The publication rules in plain words (nothing outside publication mode)."""
        return numbers.rules(self.disclosure.policy)

    def name(self, area_id: str) -> str:
        return next((a.name for a in self.areas if a.id == area_id), area_id)


def label_banner(ctx: AreaContext) -> Banner:
    """The data label (synthetic / reconstructed) at the start of a chapter."""
    return Banner(ctx.area.label_text)
