"""Applicability rules: a small, safe expression language over case fields and answers.

A rule such as ``case_type == "licence" and report_type in ["short", "full"]`` says which cases
form a question's denominator. Rules are parsed with :mod:`ast` and only a whitelisted subset of
Python is accepted, so a bank file can never run code. Evaluation is vectorised over a
:class:`pandas.DataFrame` of canonical answers, where not applicable is ``<NA>``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

_ALLOWED_NODES: tuple[type[ast.AST], ...] = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.Compare,
    ast.Constant, ast.List, ast.Tuple, ast.Load, ast.Eq, ast.NotEq, ast.In, ast.NotIn,
)


class RuleError(ValueError):
    """A rule that is not valid in the rule language."""


@dataclass(frozen=True)
class Rule:
    """A parsed applicability rule and the names it refers to."""

    source: str
    tree: ast.Expression
    names: frozenset[str]

    def evaluate(self, frame: pd.DataFrame) -> pd.Series:
        """Return a boolean Series: True where the rule holds for the row."""
        result = _eval(self.tree.body, frame)
        if isinstance(result, pd.Series):
            return result.astype(bool)
        return pd.Series(bool(result), index=frame.index)


def parse_rule(source: str) -> Rule:
    """Parse ``source`` into a :class:`Rule`, refusing anything outside the rule language."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise RuleError(f"not a valid rule: {exc.msg}") from None
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif not isinstance(node, _ALLOWED_NODES):
            raise RuleError(f"'{type(node).__name__}' is not allowed in a rule")
        if isinstance(node, ast.Constant) and not isinstance(node.value, str | int | float | bool):
            raise RuleError(f"constant {node.value!r} is not allowed in a rule")
        if isinstance(node, ast.Compare):
            if not isinstance(node.left, ast.Name):
                raise RuleError("a comparison must start with a field or question name")
            for comparator in node.comparators:
                _const(comparator)
    return Rule(source=source, tree=tree, names=frozenset(names))


def _const(node: ast.expr) -> Any:
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            return "yes" if value else "no"
        return value
    if isinstance(node, ast.List | ast.Tuple):
        return [_const(e) for e in node.elts]
    raise RuleError("the right side of a comparison must be a constant or a list of constants")


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series(pd.NA, index=frame.index, dtype="object")
    return frame[name]


def _eval(node: ast.expr, frame: pd.DataFrame) -> pd.Series:
    if isinstance(node, ast.BoolOp):
        parts = [_eval(v, frame) for v in node.values]
        out = parts[0]
        for part in parts[1:]:
            out = (out & part) if isinstance(node.op, ast.And) else (out | part)
        return out
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return ~_eval(node.operand, frame)
    if isinstance(node, ast.Compare):
        left = _column(frame, node.left.id) if isinstance(node.left, ast.Name) else None
        assert left is not None
        out = pd.Series(True, index=frame.index)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            value = _const(comparator)
            known = left.notna().to_numpy()
            text = left.astype("object").to_numpy()
            if isinstance(op, ast.Eq | ast.NotEq):
                hit = np.array([k and t == value for k, t in zip(known, text, strict=True)])
                hit = hit if isinstance(op, ast.Eq) else known & ~hit
            else:
                values = value if isinstance(value, list) else [value]
                hit = np.array([k and t in values for k, t in zip(known, text, strict=True)])
                hit = hit if isinstance(op, ast.In) else known & ~hit
            out = out & pd.Series(hit, index=frame.index, dtype=bool)
        return out
    if isinstance(node, ast.Constant):
        return pd.Series(bool(node.value), index=frame.index)
    raise RuleError(f"cannot evaluate '{type(node).__name__}'")
