"""Counts behind published figures: rounding as the report rounds, bounds, shared bases."""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping, Sequence

import numpy as np

from ..method.bank import QuestionBank
from ..method.published import Figure, Published
from ..method.rounding import percent_of
from ..method.rules import Rule


class ReconstructionError(ValueError):
    """The published figures cannot all hold at once (or the file is malformed)."""


class Infeasible(Exception):
    """One random draw left a judged base larger than the cases its rule allows; draw again."""


def round_half_up(k: int, n: int) -> int:
    """100·k/n rounded half up, as the report rounds (the one rule of
    :mod:`analysis.method.rounding`)."""
    return percent_of(k, n)


def satisfies(k: int, n: int, percent: float, op: str) -> bool:
    """Does k of n match a published percentage with its comparison ('=' means as rounded)?"""
    if op == "=":
        return round_half_up(k, n) == percent
    x = 100 * k / n
    checks = {">": x > percent, "<": x < percent, ">=": x >= percent, "<=": x <= percent}
    if op not in checks:
        raise ReconstructionError(f"unknown comparison '{op}'")
    return checks[op]


def count_for(fig: Figure, rng: np.random.Generator) -> int:
    """The count behind a figure: k when published, else a count that honours the percentage.

    For a bound ("over 80%", "fewer than 70%", "not always") the count is drawn from the quarter
    of the allowed counts nearest the bound, as such phrases rarely mean far past it.
    """
    if fig.k is not None:
        return fig.k
    if fig.percent is None:
        raise ReconstructionError(f"figure {fig.id}: neither k nor percent")
    allowed = [k for k in range(fig.n + 1) if satisfies(k, fig.n, fig.percent, fig.op)]
    if not allowed:
        raise ReconstructionError(f"figure {fig.id}: no count of {fig.n} gives {fig.percent}%")
    threshold = fig.percent * fig.n / 100
    allowed.sort(key=lambda k: (abs(k - threshold), k))
    near = allowed[: max(1, math.ceil(len(allowed) / 4))]
    return int(near[int(rng.integers(len(near)))])


def largest_remainder(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """Split ``total`` in proportion to ``weights`` into integers that add up exactly."""
    norm = sum(weights.values())
    raw = {k: total * w / norm for k, w in weights.items()}
    out = {k: math.floor(v) for k, v in raw.items()}
    short = total - sum(out.values())
    for key in sorted(raw, key=lambda k: (out[k] - raw[k], k))[:short]:
        out[key] += 1
    return out


def pick(rows: Sequence[int], k: int, rng: np.random.Generator,
          weights: Sequence[float] | None = None) -> list[int]:
    """k distinct rows, at random or in proportion to ``weights`` (Efraimidis-Spirakis keys)."""
    if k > len(rows):
        raise Infeasible(f"need {k} rows, have {len(rows)}")
    w = np.ones(len(rows)) if weights is None else np.asarray(weights, dtype=float)
    keys = rng.random(len(rows)) ** (1.0 / w)
    order = np.argsort(-keys, kind="stable")
    return sorted(int(rows[i]) for i in order[:k])


def simple_gate(rule: Rule | None) -> tuple[str, frozenset[str]] | None:
    """``name == "x"`` or ``name in [...]`` as (name, levels); None for anything else."""
    if rule is None:
        return None
    body = rule.tree.body
    if not (isinstance(body, ast.Compare) and len(body.ops) == 1
            and isinstance(body.ops[0], ast.Eq | ast.In) and isinstance(body.left, ast.Name)):
        return None
    right = body.comparators[0]
    values = right.elts if isinstance(right, ast.List | ast.Tuple) else [right]
    if not all(isinstance(v, ast.Constant) and isinstance(v.value, str) for v in values):
        return None
    return body.left.id, frozenset(str(v.value) for v in values if isinstance(v, ast.Constant))


def gate_totals(bank: QuestionBank, pub: Published) -> dict[tuple[str, frozenset[str]], int]:
    """Counts the report implies through bases: a question that applies exactly where
    ``name in levels`` (and is not judged case by case) has that many cases as its base.

    This is how, for instance, the 72 cases the inspectors rated medium RoSH or above come
    from the base of the risk management plan figures, and the 60 cases with an identifiable
    victim from the base of the victim-safety figures.
    """
    out: dict[tuple[str, frozenset[str]], int] = {}
    for q in bank.questions:
        gate = simple_gate(q.applies_when)
        figs = pub.on(q.id)
        if gate is None or q.judged or not figs:
            continue
        previous = out.setdefault(gate, figs[0].n)
        if previous != figs[0].n:
            raise ReconstructionError(f"bases disagree for {gate[0]} in {sorted(gate[1])}: "
                                      f"{previous} and {figs[0].n}")
    return out
