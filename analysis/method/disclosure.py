"""The one disclosure policy: which counts and shares about people may be shown.

In publication mode no count of people between 1 and ``threshold - 1`` is shown (primary
suppression), a share is shown only when both its count and its denominator are, zeros are
hidden when their total is small, and enough further cells are hidden that no hidden count can
be worked back from what is shown: complements (n - k), totals and sub-totals, a share beside
its denominator, or a chain of steps (secondary suppression). Hidden values print as ``[c]``,
the Government Statistical Service symbol for confidential.

Hand-written on purpose: no maintained Python library does cell suppression of tables
(sdcMicro is R, tau-ARGUS is Java; PyPI's ``aisdc`` covers machine-learning models). The check
behind secondary suppression is small: the quantities of a report are linked by linear
relations (a total is the sum of its parts); a hidden quantity can be derived exactly when its
unit vector lies in the row space of those relations restricted to the hidden quantities
(numpy's matrix rank), and a group of hidden parts can be sized whenever its total is shown.

This module decides; it does not word. How a decision is printed in a report (a share with its
interval, "k of n", the rules in plain words) is :mod:`analysis.chapters.numbers`; a released
table's cells are :meth:`Disclosure.count` and :meth:`Disclosure.fraction`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..core import memo
from .victims import chains

if TYPE_CHECKING:
    import pandas as pd

SUPPRESSED = "[c]"
DEFAULT_THRESHOLD = 5
#: The one precision of a release: every share, score, interval and difference a publication
#: build prints (reports and released tables alike) is rounded to whole percents or points.
RELEASE_DIGITS = 0
#: How wide the intruder's range for a hidden count must stay (see :mod:`.audit`).
DEFAULT_PROTECTION = 3


@dataclass(frozen=True)
class Relation:
    """``total`` = sum of ``parts``: how a reader can work one count out from others."""

    total: str
    parts: tuple[str, ...]


OPEN = "open"
PUBLISH = "publish"


@dataclass(frozen=True)
class Policy:
    """Whether this build is for publication, and the smallest count of people it may show.

    One frozen value travels from the build options to every notebook as its text (``str``):
    ``"open"`` (nothing hidden) or ``"publish:5"`` (publication rules, counts below 5 hidden);
    :meth:`parse` reads it back.
    """

    publish: bool = False
    threshold: int = DEFAULT_THRESHOLD

    @property
    def protection(self) -> int:
        """The protection interval of the release audit (:mod:`analysis.method.audit`): every
        hidden count's feasible range, worked out from everything released, must be at least
        this wide (max - min, in cases)."""
        return DEFAULT_PROTECTION

    def digits(self, digits: int) -> int:
        """How many decimals a figure of the case data prints with: at most the release
        precision (:data:`RELEASE_DIGITS`) in publication mode, as asked otherwise."""
        return min(digits, RELEASE_DIGITS) if self.publish else digits

    def __post_init__(self) -> None:
        if self.threshold < 1:
            raise ValueError(f"publication threshold must be at least 1, not {self.threshold}")

    def __str__(self) -> str:
        return f"{PUBLISH}:{self.threshold}" if self.publish else OPEN

    @classmethod
    def parse(cls, value: str | Policy) -> Policy:
        """A policy from its text ("open", "publish:5"); a policy is returned as it is."""
        if isinstance(value, Policy):
            return value
        text = str(value).strip()
        if text == OPEN:
            return cls()
        kind, _, threshold = text.partition(":")
        if kind == PUBLISH and threshold.isdigit() and int(threshold) >= 1:
            return cls(True, int(threshold))
        raise ValueError(f"policy {value!r} is not 'open' or 'publish:N' (N a whole number "
                         "of at least 1)")

    def small(self, value: float) -> bool:
        """A count of people that must not be shown (1 .. threshold - 1)."""
        return self.publish and 0 < value < self.threshold

    @property
    def quotes_counts(self) -> bool:
        """Whether the published report's own sentences ("24 of 25 cases ...") may be quoted:
        not in publication builds, where their counts would escape the rules above."""
        return not self.publish

    @property
    def smallest_shown(self) -> int:
        """The smallest denominator whose share can be shown (0 outside publication mode)."""
        return self.threshold if self.publish else 0

    def count(self, value: float) -> str:
        """A count of people that no other printed figure adds up with (cases in an area)."""
        return SUPPRESSED if self.small(value) else str(int(value))

    def hides_share(self, k: float, n: float) -> bool:
        """Whether a share counted outside the linked tables (a group's pooled figure) is
        hidden: its count, denominator or complement is small."""
        return n != 0 and (self.small(k) or self.small(n) or self.small(n - k))


@dataclass(frozen=True)
class Disclosure:
    """The counts of people one report prints, and which are hidden: every formatter reads it.

    Keys name quantities (see :func:`n_key`, :func:`k_key`, :func:`level_key`...), so that the
    same count is hidden in every exhibit that prints it.
    """

    policy: Policy
    values: Mapping[str, int]
    hidden: frozenset[str] = field(default_factory=frozenset)
    relations: tuple[Relation, ...] = ()

    def shown(self, key: str) -> bool:
        return key not in self.hidden

    def joined(self, other: Disclosure) -> Disclosure:
        """This disclosure and another's counts together (an area's own and the pooled ones
        its comparison chapter prints)."""
        return Disclosure(self.policy, {**other.values, **self.values},
                          self.hidden | other.hidden, self.relations + other.relations)

    def shows(self, cells: Iterable[str]) -> bool:
        """**Lineage decides**: whether a figure computed from these base cells may be shown.

        The one rule for every figure a report or a released table prints, whatever it is
        (a count, a share, a score as a mean of shares, a mean of areas, a group's sum, an
        interval, a difference, a p-value): it is shown only when none of the cells it is
        computed from is hidden. A score, a mean or an interval over a hidden cell pins that
        cell down as soon as the other cells are shown (its value less the shown parts), so
        it is hidden with it; a share of a hidden zero denominator is hidden too (its "not
        applicable" would give the zero away). What is shown prints at the release precision
        (:meth:`Policy.digits`); the release audit (:mod:`analysis.method.audit`) checks what
        is left.
        """
        return not self.policy.publish or self.hidden.isdisjoint(cells)

    def count(self, key: str) -> str:
        """A count of people, or [c]."""
        return SUPPRESSED if key in self.hidden else str(self.values[key])

    def share_hidden(self, k: str, n: str) -> bool:
        """A share is hidden when its count or its denominator is: with n, it gives k."""
        return k in self.hidden or n in self.hidden

    def hides_any(self, keys: Iterable[str]) -> bool:
        """Whether any of these counts is hidden (a chart of them is then left out)."""
        return any(k in self.hidden for k in keys)

    def fraction(self, k: str, n: str, value: float) -> str:
        """A share (or one of its limits) for a released table: at the release precision
        (whole percents: two decimals of a fraction), or [c]."""
        if self.share_hidden(k, n):
            return SUPPRESSED
        digits = 2 + RELEASE_DIGITS if self.policy.publish else 6  # whole percents
        return "" if value != value else f"{value:.{digits}f}"


# secondary suppression ---------------------------------------------------------------------
def protect(values: Mapping[str, int], relations: Sequence[Relation], policy: Policy,
            unpublished: Iterable[str] = (), fixed: Iterable[str] = (),
            cache: Path | None = None) -> Disclosure:
    """Hide every small count and then enough others that none can be derived.

    ``unpublished`` quantities are never printed (for example n - k) but a reader can still
    work them out, so they are protected like any other. ``fixed`` ones are printed elsewhere
    as they are (in another report), so they are never chosen to be hidden here. With
    ``cache`` (an outputs folder), the answer is worked out once per set of inputs and read
    back by every later caller (:mod:`analysis.core.memo`).
    """
    if not policy.publish:
        return Disclosure(policy, dict(values), frozenset(unpublished))
    relations = [r for r in relations if all(q in values for q in (r.total, *r.parts))]
    unpublished, fixed = sorted(set(unpublished)), sorted(set(fixed))
    key = memo.digest(_code(), policy.threshold, policy.protection, values,
                      [(r.total, r.parts) for r in relations], unpublished, fixed)
    hidden = memo.remembered(None if cache is None else memo.cache_dir(cache, "disclosure"),
                             key, lambda: sorted(_hide(values, relations, policy,
                                                       unpublished, fixed)))
    return Disclosure(policy, dict(values), frozenset(hidden), tuple(relations))


@cache
def _code() -> str:
    """The source of the rules that decide what is hidden: a cached answer of other rules is
    never read back."""
    here = Path(__file__).parent
    return memo.digest(*((here / name).read_text(encoding="utf-8")
                         for name in ("disclosure.py", "audit.py", "victims.py",
                                      "intervals.py")))


def _hide(values: Mapping[str, int], relations: list[Relation], policy: Policy,
          unpublished: Iterable[str], fixed: Iterable[str]) -> set[str]:
    """The counts to hide: the small ones, then enough others (secondary suppression)."""
    sensitive = _primary(values, relations, policy) - set(fixed)
    state = _State(values, set(sensitive) | set(unpublished), frozenset(fixed), policy)
    for group, members in _components(values, relations):
        if not group & state.hidden:
            continue
        while (extra := state.next_to_hide(members, sensitive & group)) is not None:
            state.hidden.add(extra)
        _widen(state, members, policy)
    return state.hidden


def _widen(state: _State, relations: Sequence[Relation], policy: Policy) -> None:
    """Hide more until the audit (:mod:`.audit`) finds every small hidden count of this group
    free to move over at least the protection interval given everything shown: the linear
    programme an intruder would solve, not only exact derivations."""
    from .audit import Audit, sensitive

    top = max(state.values.values(), default=0)
    while True:
        a = Audit(state.values, frozenset(state.hidden), lambda _k: top)
        a.relate(relations)
        small = sensitive(state.values, state.hidden, policy.threshold)
        pinned = [r for r in a.ranges(small, policy.protection)
                  if a.pinned(r, policy.protection)]
        if not pinned:
            return
        key = pinned[0].key
        linked = [r for r in relations if key in (r.total, *r.parts)]
        pick = next((p for r in linked if (p := state.cheapest(r)) is not None), None)
        if pick is None:  # nothing beside it left to hide: widen over the whole group
            pool = state.choosable({q for r in relations for q in (r.total, *r.parts)})
            if not pool:
                return
            pick = min(pool, key=lambda q: (state.values[q] == 0, state.values[q], q))
        state.hidden.add(pick)


def _primary(values: Mapping[str, int], relations: Sequence[Relation],
             policy: Policy) -> set[str]:
    """Small counts, and zeros (or anything) whose total is small."""
    out = {k for k, v in values.items() if policy.small(v)}
    for r in relations:
        if policy.small(values[r.total]):
            out.update(r.parts)
    return out


def _components(values: Mapping[str, int],
                relations: Sequence[Relation]) -> list[tuple[set[str], list[Relation]]]:
    """Groups of quantities linked by relations, with their relations: each group is checked
    on its own (small matrices)."""
    parent = {k: k for k in values}

    def root(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for r in relations:
        for p in r.parts:
            parent[root(p)] = root(r.total)
    groups: dict[str, tuple[set[str], list[Relation]]] = {}
    for k in values:
        groups.setdefault(root(k), (set(), []))[0].add(k)
    for r in relations:
        groups[root(r.total)][1].append(r)
    return [g for g in groups.values() if g[1]]


@dataclass
class _State:
    values: Mapping[str, int]
    hidden: set[str]
    fixed: frozenset[str]
    policy: Policy

    def next_to_hide(self, relations: Sequence[Relation], sensitive: set[str]) -> str | None:
        """The shown quantity to hide next, or None when nothing hidden can be derived."""
        known = _determined(relations, self.hidden)
        for r in relations:  # the quick way first: hide another part of a small group
            if self.small_group(r, self.hidden, known, every=True) and (
                    pick := self.cheapest(r)) is not None:
                return pick
        for r in relations:
            if self.small_group(r, self.hidden, known):
                def group_leaks(h: set[str], r: Relation = r) -> bool:
                    return self.small_group(r, h, _determined(relations, h))

                return self.cheapest(r) or self.breaker(group_leaks, relations)
        for key in sorted(sensitive & known):
            def derived(h: set[str], key: str = key) -> bool:
                return key in _determined(relations, h)

            return self.breaker(derived, relations)
        return None

    def small_group(self, r: Relation, hidden: set[str], known: set[str],
                    every: bool = False) -> bool:
        """Whether the parts of ``r`` that cannot be worked out one by one (``every``: all its
        hidden parts) add up, beside a total that can, to a small group of people."""
        unknown = [p for p in r.parts if p in hidden and (every or p not in known)]
        return bool(unknown) and (r.total not in hidden or r.total in known) and \
            self.policy.small(sum(self.values[p] for p in unknown))

    def choosable(self, keys: Iterable[str]) -> list[str]:
        return [q for q in keys if q not in self.hidden and q not in self.fixed]

    def cheapest(self, r: Relation) -> str | None:
        """The smallest shown part (the total only when no part can be hidden)."""
        pool = self.choosable(r.parts) or self.choosable([r.total])
        return min(pool, key=lambda q: (self.values[q] == 0, self.values[q], q), default=None)

    def breaker(self, leaks: Callable[[set[str]], bool],
                relations: Sequence[Relation]) -> str | None:
        """The cheapest quantity whose hiding ends the leak (else the cheapest): parts first."""
        totals = {r.total for r in relations}
        ranked = sorted(self.choosable({q for r in relations for q in (r.total, *r.parts)}),
                        key=lambda q: (q in totals, self.values[q] == 0, self.values[q], q))
        for q in ranked:
            if not leaks(self.hidden | {q}):
                return q
        return ranked[0] if ranked else None


def _determined(relations: Sequence[Relation], hidden: set[str]) -> set[str]:
    """The hidden quantities the relations pin down given every shown one: those on which no
    solution of the relations restricted to hidden quantities can move (null-space rows of 0)."""
    from scipy.linalg import null_space

    names = sorted(hidden & {q for r in relations for q in (r.total, *r.parts)})
    col = {q: i for i, q in enumerate(names)}
    rows = []
    for r in relations:
        row = np.zeros(len(names))
        if r.total in col:
            row[col[r.total]] = 1.0
        for p in r.parts:
            if p in col:
                row[col[p]] -= 1.0
        if row.any():
            rows.append(row)
    if not rows:
        return set()
    free = null_space(np.array(rows))
    return {q for q, i in col.items() if not np.any(np.abs(free[i]) > 1e-9)}


# an area's report ---------------------------------------------------------------------------
# Steps of the victim contact path and of restorative justice: the cases at one step are the
# denominator of the next, so a reader links them (key of the step, key of the next one's n).
CHAINS = chains()
YES = "yes"
CASES = "cases"  # the number of cases inspected in the area


def level_key(variable: str, level: str) -> str:
    return f"{variable}={level}"


def n_key(variable: str) -> str:
    return f"{variable}:n"


def k_key(variable: str) -> str:
    return f"{variable}:k"


def cell_key(row_field: str, row_level: str, col_field: str, col_level: str) -> str:
    return f"{row_field}={row_level}&{col_field}={col_level}"


AGREEMENT = ("rosh_start", "rosh_inspector")  # the RoSH cross-table, with its disagreements
LOWER, HIGHER, DISAGREE = "rosh:lower", "rosh:higher", "rosh:disagree"


@dataclass
class _Builder:
    """Quantities and relations being collected for one area."""

    values: dict[str, int] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    unpublished: set[str] = field(default_factory=set)

    def add(self, key: str, value: float, *, printed: bool = True) -> str:
        self.values[key] = int(value)
        if not printed:
            self.unpublished.add(key)
        return key

    def relate(self, total: str, parts: Iterable[str]) -> None:
        self.relations.append(Relation(total, tuple(parts)))


#: The area tables a disclosure is worked out from (:func:`area_disclosure`).
DISCLOSED_FROM = ("outcome_scores", "distributions", "question_scores", "crosstab", "factors")


def score_cells(questions: Iterable[str]) -> frozenset[str]:
    """The counts a score over these questions (those that applied: n > 0) is computed from,
    under every scoring reading: each question's k and n. A score is shown only when the
    disclosure shows all of them (:meth:`Disclosure.shows`)."""
    return frozenset(key for q in questions for key in (k_key(q), n_key(q)))


def area_disclosure(tables: Mapping[str, pd.DataFrame], sufficient: Mapping[str, Iterable[str]],
                    policy: Policy, cache: Path | None = None) -> Disclosure:
    """Every count of people an area report can print, linked as a reader can link them
    (``cache``: the outputs folder that keeps the answer, see :func:`protect`)."""
    b = _Builder()
    if len(tables["outcome_scores"]):
        b.add(CASES, tables["outcome_scores"]["n_cases"].iloc[0])
    _distributions(b, tables["distributions"])
    _questions(b, tables["question_scores"], sufficient)
    _crosstabs(b, tables["crosstab"])
    _factors(b, tables["factors"])
    for var in {v for pair in CHAINS for v in pair}:  # printed even when nobody reached them
        for key in (n_key(var), level_key(var, YES)):
            b.values.setdefault(key, 0)
    for step, following in CHAINS:
        a, n = level_key(step, YES), n_key(following)
        if a in b.values and n in b.values and b.values[a] == b.values[n]:
            b.relate(a, (n,))
    return protect(b.values, b.relations, policy, b.unpublished, cache=cache)


def _distributions(b: _Builder, d: pd.DataFrame) -> None:
    levels: dict[str, list[str]] = {}
    for variable, level, count, n in zip(d["variable"].astype(str), d["level"].astype(str),
                                         d["count"], d["n"], strict=True):
        b.add(n_key(variable), n)
        levels.setdefault(variable, []).append(b.add(level_key(variable, level), count))
    for variable, keys in levels.items():
        b.relate(n_key(variable), keys)


def _questions(b: _Builder, q: pd.DataFrame, sufficient: Mapping[str, Iterable[str]]) -> None:
    """k of n for every scoring question, and for every yes/no question charted from its
    distribution: k is the sum of its sufficient answers."""
    scored = {str(r.question): (int(r.k), int(r.n)) for r in q.drop_duplicates("question")
              .itertuples()}
    for qid, levels in sufficient.items():
        keys = [level_key(qid, s) for s in levels if level_key(qid, s) in b.values]
        if qid not in scored and not keys:
            continue
        k_, n_ = scored.get(qid) or (sum(b.values[x] for x in keys), b.values[n_key(qid)])
        n = b.add(n_key(qid), n_)
        k = b.add(k_key(qid), k_)
        b.relate(n, (k, b.add(f"{qid}:rest", n_ - k_, printed=False)))
        if keys:
            b.relate(k, keys)


def _crosstabs(b: _Builder, x: pd.DataFrame) -> None:
    for (rf, cf), sub in x.groupby(["row_field", "col_field"], sort=False):
        rf, cf = str(rf), str(cf)
        n = int(sub["n"].iloc[0])
        rows = list(dict.fromkeys(sub["row_level"].astype(str)))
        cols = list(dict.fromkeys(sub["col_level"].astype(str)))
        cell = {(str(r.row_level), str(r.col_level)): b.add(
            cell_key(rf, str(r.row_level), cf, str(r.col_level)), r.count)
            for r in sub.itertuples()}
        grand = _margin_total(b, rf, cf, n)
        for field_, levels, pick in ((rf, rows, 0), (cf, cols, 1)):
            linked = b.values.get(n_key(field_)) == n
            margins = []
            for lv in levels:
                parts = [k for rc, k in cell.items() if rc[pick] == lv]
                key = level_key(field_, lv) if linked else f"{rf}*{cf}:{field_}={lv}"
                if key not in b.values:
                    b.add(key, sum(b.values[p] for p in parts), printed=False)
                b.relate(key, parts)
                margins.append(key)
            b.relate(grand, margins)
        if (rf, cf) == AGREEMENT:
            _disagreements(b, rows, cell)


def margin_total_key(values: Mapping[str, int], rf: str, cf: str, n: int) -> str:
    """The key of a cross-table's total: a field's own total when they agree."""
    return next((n_key(f) for f in (rf, cf) if values.get(n_key(f)) == n), f"{rf}*{cf}:n")


def _margin_total(b: _Builder, rf: str, cf: str, n: int) -> str:
    key = margin_total_key(b.values, rf, cf, n)
    return key if key in b.values else b.add(key, n, printed=False)


def _disagreements(b: _Builder, levels: list[str], cell: Mapping[tuple[str, str], str]) -> None:
    """Cases the area rated lower (or higher) than inspectors, as the report's sentence says."""
    order = {lv: i for i, lv in enumerate(levels)}
    lower = [k for (r, c), k in cell.items() if order.get(c, -1) > order[r]]
    higher = [k for (r, c), k in cell.items() if 0 <= order.get(c, -1) < order[r]]
    lo = b.add(LOWER, sum(b.values[k] for k in lower))
    hi = b.add(HIGHER, sum(b.values[k] for k in higher))
    b.relate(lo, lower)
    b.relate(hi, higher)
    b.relate(b.add(DISAGREE, b.values[lo] + b.values[hi]), (lo, hi))


def factor_key(factor: str, what: str) -> str:
    """'identified', or 'interventions:k', 'progress:n'... of an offending-related factor."""
    return f"factor:{factor}:{what}"


def _factors(b: _Builder, f: pd.DataFrame) -> None:
    for r in f.itertuples():
        identified = b.add(factor_key(r.factor, "identified"), r.identified)
        for part in ("interventions", "progress"):
            k_, n_ = int(getattr(r, f"{part}_k")), int(getattr(r, f"{part}_n"))
            n = b.add(factor_key(r.factor, f"{part}:n"), n_)
            if n_ == b.values[identified]:
                b.relate(identified, (n,))
            k = b.add(factor_key(r.factor, f"{part}:k"), k_)
            b.relate(n, (k, b.add(factor_key(r.factor, f"{part}:rest"), n_ - k_,
                                  printed=False)))


# all areas ----------------------------------------------------------------------------------
IDENTIFIED = ":identified"


def area_key(area_id: str, key: str) -> str:
    return f"{area_id}/{key}"


def pooled_key(key: str) -> str:
    return f"all/{key}"


def pooled_disclosure(areas: Mapping[str, Disclosure], policy: Policy,
                      cache: Path | None = None) -> Disclosure:
    """Counts summed over areas, and each area's own: a pooled count less the counts the area
    reports show gives the sum of the ones they hide, so a pooled count is hidden too when that
    would give a hidden one (or a small group) away. Area figures are as their reports show
    (``cache``: the outputs folder that keeps the answer, see :func:`protect`)."""
    b = _Builder()
    hidden: set[str] = set()
    shown: set[str] = set()

    def copy(area_id: str, d: Disclosure, key: str) -> str:
        (hidden if key in d.hidden else shown).add(area_key(area_id, key))
        return b.add(area_key(area_id, key), d.values[key])

    stems = sorted({k[:-2] for d in areas.values() for k in d.values
                    if k.endswith(":n") and f"{k[:-2]}:k" in d.values})
    for stem in stems:
        mine = {a: d for a, d in areas.items() if f"{stem}:k" in d.values}
        for a, d in mine.items():
            b.relate(copy(a, d, f"{stem}:n"), (copy(a, d, f"{stem}:k"), b.add(
                area_key(a, f"{stem}:rest"), d.values[f"{stem}:n"] - d.values[f"{stem}:k"],
                printed=False)))
        sums = {p: _pooled_sum(b, f"{stem}:{p}", [area_key(a, f"{stem}:{p}") for a in mine])
                for p in ("n", "k", "rest")}
        b.unpublished.add(sums["rest"])
        b.relate(sums["n"], (sums["k"], sums["rest"]))
    for key in sorted({k for d in areas.values() for k in d.values if k.endswith(IDENTIFIED)}):
        _pooled_sum(b, key, [copy(a, d, key) for a, d in areas.items() if key in d.values])
    return protect(b.values, b.relations, policy, b.unpublished | hidden, fixed=shown,
                   cache=cache)


def _pooled_sum(b: _Builder, key: str, parts: list[str]) -> str:
    total = b.add(pooled_key(key), sum(b.values[q] for q in parts))
    b.relate(total, parts)
    return total
