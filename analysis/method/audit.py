"""The release audit: what an intruder can work out about each hidden count, by linear programming.

Suppression decides cell by cell; an intruder reads everything at once. From everything a
release prints (counts; shares, scores and differences with the interval their rounding leaves;
scores as means of shares; pooled and group sums; means of areas; Wilson limits as functions of
k and n) and the relations a reader knows hold between counts (a total is the sum of its parts,
n = k + (n - k)), this module sets up the linear system an intruder would and computes, for
every hidden count, the smallest and the largest value consistent with it
(:func:`scipy.optimize.milp`, HiGHS, counts integer, 0 <= count <= the cases of its area). This
is the audit of tau-ARGUS and sdcTable's ``attack()`` (Hundepool et al., *Statistical Disclosure
Control*, Wiley 2012, ch. 4).

**Protection interval.** A release passes only when every hidden count's feasible range
(largest - smallest) is at least :data:`~analysis.method.disclosure.DEFAULT_PROTECTION` = 3
cases. Why 3: the rule hides counts of 1 to 4 (threshold 5, the GSS/ONS convention for counts of
people); the EU SDC handbook allows a protection level of 0 for a pure minimum-frequency rule
(the count must merely not be exact), and INSEE's tau-ARGUS wrapper asks for a 10% interval.
Neither is enough here: the intruder attacks of issue 26 counted a count pinned to within one
either side as recovered, and a range of 2 (three values) lets a guess of the middle be within
one every time. A range of 3 leaves at least four values (for a count of 1 to 4: "0 to 3", "1 to
4"...), as wide as the band of small counts the threshold protects, so the audit never certifies
a release from which a hidden small count can be placed within one. A figure that depends on a
hidden count through a relation the audit cannot bound (a p-value, a bootstrap limit, a share of
a hidden denominator inside a mean) is a finding in itself: nothing is certified on trust.

What it does not prove: inference from outside knowledge (a reader who knows one case), from
the policy itself (that a hidden count is small), or across releases.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .disclosure import Relation
from .intervals import wilson

#: Slack added to every rounding interval: floating point, never a wider release.
EPS = 1e-9


@dataclass(frozen=True)
class Figure:
    """One released figure as an intruder reads it: the lineage of the report model as JSON
    (``{"cell": key}``, ``{"ratio": [k, n]}``, ``{"mean": [...]}``, ``{"wilson": [k, n],
    "bound": ...}``...), its kind, the value printed (a pair for an interval) and its decimals
    in percent (or in its own unit for a count or a number)."""

    where: str
    lineage: Mapping[str, Any]
    kind: str
    value: float | tuple[float, float]
    digits: int = 0


@dataclass(frozen=True)
class Range:
    """What the intruder can say about one hidden count."""

    key: str
    value: int
    low: int
    high: int

    @property
    def width(self) -> int:
        return self.high - self.low


@dataclass(frozen=True)
class Problem:
    """Something released that pins a hidden count, or cannot be audited."""

    key: str
    detail: str

    def __str__(self) -> str:
        return f"{self.key}: {self.detail}"


@dataclass
class Audit:
    """The intruder's linear system over the hidden counts of a release."""

    values: Mapping[str, int]          # every base cell's true value (the auditor knows them)
    hidden: frozenset[str]
    upper: Callable[[str], int]        # the largest value a hidden count could take
    rows: list[tuple[dict[str, float], float, float]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    # what is known ------------------------------------------------------------------------
    def relate(self, relations: Iterable[Relation]) -> None:
        """total = sum of parts, with shown counts as constants."""
        for r in relations:
            self._row({r.total: 1.0, **_neg(r.parts)}, 0.0, 0.0)

    def release(self, figures: Iterable[Figure]) -> None:
        """Every released figure that depends on a hidden count, as constraints."""
        for f in figures:
            cells = cells_of(f.lineage)
            if cells.isdisjoint(self.hidden):
                continue
            self._figure(f)

    def _figure(self, f: Figure) -> None:
        lin = f.lineage
        if f.kind == "interval" and "wilson" in lin and isinstance(f.value, tuple):
            self._wilson(f, str(lin["wilson"][0]), str(lin["wilson"][1]))
            return
        if isinstance(f.value, tuple):
            return self._opaque(f)
        if f.kind == "count":
            form = self._linear(lin)
            if form is None:
                return self._opaque(f)
            self._row(form[0], f.value - form[1], f.value - form[1])
            return None
        if f.kind not in ("share", "score", "points"):
            return self._opaque(f)
        half = 0.5 * 10.0 ** -(f.digits + 2) + EPS  # a fraction printed in percent
        form = self._linear(lin)
        if form is not None:
            self._row(form[0], f.value - half - form[1], f.value + half - form[1])
            return None
        ratio = _pair(lin)
        if ratio is None:
            return self._opaque(f)
        part, whole = (self._linear(x) for x in ratio)
        if part is None or whole is None:
            return self._opaque(f)
        self._row(whole[0], 1.0 - whole[1], math.inf)  # a share is printed: n >= 1
        # (v - h) whole <= part <= (v + h) whole: linear in both counts
        for bound, sign in ((f.value - half, 1.0), (f.value + half, -1.0)):
            coef = dict(part[0])
            for k, c in whole[0].items():
                coef[k] = coef.get(k, 0.0) - bound * c
            const = part[1] - bound * whole[1]
            if sign > 0:
                self._row(coef, -const, math.inf)
            else:
                self._row(coef, -math.inf, -const)
        return None

    def _wilson(self, f: Figure, k: str, n: str) -> None:
        """A Wilson interval printed in whole percents: the (k, n) pairs it allows, as bounds
        on k and n (monotone in k for a known n)."""
        lo, hi = f.value  # type: ignore[misc]
        if (k not in self.hidden and k not in self.values) or (
                n not in self.hidden and n not in self.values):
            return
        ns = [self.values[n]] if n not in self.hidden else range(self.upper(n) + 1)
        ks_all: list[int] = []
        ns_ok: list[int] = []
        for nn in ns:
            if nn == 0:
                continue
            kk = np.arange(0 if k in self.hidden else self.values[k], (nn if k in self.hidden
                                                                       else self.values[k]) + 1)
            if len(kk) == 0:
                continue
            low, up = wilson(kk, np.full(len(kk), nn))
            ok = kk[(np.abs(np.round(100 * low, f.digits) / 100 - lo) < 0.005 + EPS)
                    & (np.abs(np.round(100 * up, f.digits) / 100 - hi) < 0.005 + EPS)]
            if len(ok):
                ks_all += list(map(int, ok))
                ns_ok.append(nn)
        if not ks_all:
            return
        if k in self.hidden:
            self._row({k: 1.0}, min(ks_all), max(ks_all))
        if n in self.hidden:
            self._row({n: 1.0}, min(ns_ok), max(ns_ok))

    def _opaque(self, f: Figure) -> None:
        for key in sorted(cells_of(f.lineage) & self.hidden):
            self.problems.append(Problem(key, f"{f.where} prints a {f.kind} computed from it "
                                         "that the audit cannot bound: it must be hidden"))

    def _linear(self, lin: Mapping[str, Any]) -> tuple[dict[str, float], float] | None:
        """The figure as a linear form of the hidden counts (coefficients, constant), or None
        when it is not linear in them (a share of a hidden denominator, an opaque function)."""
        if "cell" in lin:
            key = str(lin["cell"])
            if key in self.hidden:
                return {key: 1.0}, 0.0
            return None if key not in self.values else ({}, float(self.values[key]))
        if "ratio" in lin or "ratio_of" in lin:
            pair = _pair(lin)
            assert pair is not None
            part, whole = (self._linear(x) for x in pair)
            if part is None or whole is None or whole[0] or whole[1] == 0:
                return None
            return ({k: c / whole[1] for k, c in part[0].items()}, part[1] / whole[1])
        if "sum" in lin or "mean" in lin:
            items = lin.get("sum", lin.get("mean"))
            forms = [self._linear(x) for x in items]
            if any(x is None for x in forms) or not forms:
                return None
            scale = 1.0 / len(forms) if "mean" in lin else 1.0
            coef: dict[str, float] = {}
            const = 0.0
            for form in forms:
                assert form is not None
                for k, c in form[0].items():
                    coef[k] = coef.get(k, 0.0) + scale * c
                const += scale * form[1]
            return coef, const
        if "difference" in lin:
            a, b = (self._linear(x) for x in lin["difference"])
            if a is None or b is None:
                return None
            coef = dict(a[0])
            for k, c in b[0].items():
                coef[k] = coef.get(k, 0.0) - c
            return coef, a[1] - b[1]
        return None

    def _row(self, coef: Mapping[str, float], lo: float, hi: float) -> None:
        """One constraint lo <= sum(coef * hidden) <= hi, shown counts moved to the bounds."""
        free: dict[str, float] = {}
        for k, c in coef.items():
            if k in self.hidden:
                free[k] = free.get(k, 0.0) + c
            else:
                lo, hi = lo - c * self.values[k], hi - c * self.values[k]
        free = {k: c for k, c in free.items() if abs(c) > 1e-12}
        if free:
            self.rows.append((free, lo, hi))

    # the intruder's ranges ----------------------------------------------------------------
    def ranges(self, protected: Iterable[str] | None = None,
               protection: int | None = None) -> list[Range]:
        """The smallest and largest value of every ``protected`` hidden count (default: every
        hidden count the constraints touch), each group of linked counts solved on its own
        (a count no constraint touches ranges over 0 .. its upper bound). With
        ``protection``, a count whose largest value already lies that far above its own is
        not minimised (its range is wide enough: the minimum is reported as its value)."""
        wanted = None if protected is None else set(protected)
        out: list[Range] = []
        for keys, rows in _components(self.rows):
            targets = [k for k in keys if wanted is None or k in wanted]
            if not targets:
                continue
            if len(rows) == 1 and (simple := self._one_row(rows[0], targets)) is not None:
                out += simple
            else:
                out += self._solve(keys, rows, targets, protection)
        return out

    def _solve(self, keys: list[str], rows: list[tuple[dict[str, float], float, float]],
               targets: list[str], protection: int | None) -> list[Range]:
        """Ranges over one group of linked counts, by mixed-integer programming (HiGHS)."""
        from scipy.optimize import Bounds, LinearConstraint, milp

        col = {k: i for i, k in enumerate(keys)}
        a = np.zeros((len(rows), len(keys)))
        lo = np.empty(len(rows))
        hi = np.empty(len(rows))
        for r, (coef, low, high) in enumerate(rows):
            for k, c in coef.items():
                a[r, col[k]] = c
            lo[r], hi[r] = low, high
        cons = LinearConstraint(a, lo - 1e-7, hi + 1e-7)
        bounds = Bounds(np.zeros(len(keys)), np.array([self.upper(k) for k in keys], dtype=float))
        integ = np.ones(len(keys))

        # Every solution the solver returns is a release-consistent value of every count of
        # the group at once: a witness. With ``protection``, a count whose witnessed values
        # already span it needs no solve of its own (its range is at least that wide).
        seen = {k: [self.values[k], self.values[k]] for k in keys}

        def solve(key: str, sign: float) -> int:
            c = np.zeros(len(keys))
            c[col[key]] = sign
            res = milp(c, constraints=cons, integrality=integ, bounds=bounds)
            if not res.success:
                return self.values[key]
            for k, x in zip(keys, np.round(res.x).astype(int), strict=True):
                seen[k][0], seen[k][1] = min(seen[k][0], int(x)), max(seen[k][1], int(x))
            return round(sign * res.fun)

        def wide(key: str) -> bool:
            return protection is not None and seen[key][1] - seen[key][0] >= protection

        out = []
        for k in targets:
            if wide(k):
                out.append(Range(k, self.values[k], *seen[k]))
                continue
            high = solve(k, -1.0)
            low = seen[k][0] if wide(k) else solve(k, 1.0)
            out.append(Range(k, self.values[k], int(low), int(high)))
        return out

    def _one_row(self, row: tuple[dict[str, float], float, float],
                 targets: Sequence[str]) -> list[Range] | None:
        """Ranges over one equation of counts with coefficients +1 and -1 (a total and its
        parts), worked out directly: the same answer as the solver, a thousand times faster.
        None for any other row."""
        coef, lo, hi = row
        if abs(lo - hi) > 1e-6 or any(c not in (1.0, -1.0) for c in coef.values()):
            return None
        b = round(lo)
        up = {k: self.upper(k) for k in coef}
        plus = sum(up[k] for k, c in coef.items() if c > 0)
        minus = sum(up[k] for k, c in coef.items() if c < 0)
        out = []
        for k in targets:
            if coef[k] > 0:  # x = b - (other +) + (other -)
                high = min(up[k], b + minus)
                low = max(0, b - (plus - up[k]))
            else:  # x = (other +) - (other -) - b
                high = min(up[k], plus - b)
                low = max(0, -b - (minus - up[k]))
            out.append(Range(k, self.values[k], int(low), int(high)))
        return out

    def pinned(self, r: Range, protection: int) -> bool:
        """A range narrower than the protection interval, unless it already spans every value
        the count could take (0 .. the cases of a smaller area)."""
        return r.width < min(protection, self.upper(r.key))

    def check(self, protection: int, protected: Iterable[str] | None = None) -> list[Problem]:
        """Every ``protected`` hidden count (default: every hidden one) the release pins to a
        range narrower than ``protection``, and every figure the audit could not bound."""
        pinned = [Problem(r.key, f"pinned to {r.low}..{r.high} (range {r.width}, "
                                 f"protection {protection})")
                  for r in self.ranges(protected, protection) if self.pinned(r, protection)]
        return [*self.problems, *pinned]


def audit(values: Mapping[str, int], hidden: Iterable[str], relations: Iterable[Relation],
          figures: Iterable[Figure], upper: Callable[[str], int], protection: int,
          protected: Iterable[str] | None = None) -> list[Problem]:
    """Problems of a release (none: every ``protected`` count, by default every hidden one,
    keeps a range of ``protection``)."""
    a = Audit(values, frozenset(hidden), upper)
    a.relate(relations)
    a.release(figures)
    return a.check(protection, protected)


def sensitive(values: Mapping[str, int], hidden: Iterable[str], threshold: int) -> set[str]:
    """The hidden counts the protection interval is for: the small ones (1 to threshold - 1,
    the primary suppressions; a zero is no count of people to protect). Other hidden counts
    are hidden to protect these (secondary suppression) or never printed (n - k of shown k
    and n): their values are not secrets in themselves."""
    return {k for k in hidden if k in values and 0 < values[k] < threshold}


def _neg(keys: Sequence[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for k in keys:
        out[k] = out.get(k, 0.0) - 1.0
    return out


def _pair(lin: Mapping[str, Any]) -> tuple[Mapping[str, Any], Mapping[str, Any]] | None:
    if "ratio" in lin:
        return {"cell": lin["ratio"][0]}, {"cell": lin["ratio"][1]}
    if "ratio_of" in lin:
        return lin["ratio_of"][0], lin["ratio_of"][1]
    return None


def cells_of(lin: Mapping[str, Any]) -> frozenset[str]:
    """The base cells of a lineage in its JSON form."""
    if "cell" in lin:
        return frozenset({str(lin["cell"])})
    if "ratio" in lin or "wilson" in lin:
        return frozenset(map(str, lin.get("ratio", lin.get("wilson"))))
    if "opaque" in lin:
        return frozenset(map(str, lin["opaque"]))
    for key in ("ratio_of", "mean", "sum", "difference"):
        if key in lin:
            return frozenset().union(*(cells_of(x) for x in lin[key]))
    return frozenset()


def _components(rows: list[tuple[dict[str, float], float, float]]
                ) -> list[tuple[list[str], list[tuple[dict[str, float], float, float]]]]:
    parent: dict[str, str] = {}

    def root(k: str) -> str:
        parent.setdefault(k, k)
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for coef, _, _ in rows:
        keys = list(coef)
        for k in keys[1:]:
            parent[root(k)] = root(keys[0])
        root(keys[0])
    groups: dict[str, tuple[list[str], list[tuple[dict[str, float], float, float]]]] = {}
    for k in sorted(parent):
        groups.setdefault(root(k), ([], []))[0].append(k)
    for row in rows:
        groups[root(next(iter(row[0])))][1].append(row)
    return list(groups.values())
