"""An applicability rule read two ways: as an Excel formula per row, and as plain English.

Both walk the rule's syntax tree the way :mod:`analysis.rules` evaluates it, so the template's
greyed cells and its dictionary say what validation checks: a comparison on a name whose
answer is not applicable (blank or N/A) is false, whatever the operator.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence

from .bank import QuestionBank
from .rules import Rule
from .validation import NO, NOT_APPLICABLE, YES

NOT_APPLICABLE_TYPED = tuple(sorted(NOT_APPLICABLE - {""}))
YES_TYPED = ("yes", *sorted(YES - {"yes"}))
NO_TYPED = ("no", *sorted(NO - {"no"}))


def _constants(node: ast.expr) -> list[str]:
    if isinstance(node, ast.List | ast.Tuple):
        return [c for e in node.elts for c in _constants(e)]
    assert isinstance(node, ast.Constant)
    value = node.value
    if isinstance(value, bool):
        return ["yes" if value else "no"]
    return [str(value)]


# ------------------------------------------------------------------------------- Excel


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _spellings(value: str, name: str, bank: QuestionBank) -> list[str]:
    """Every spelling validation reads as ``value`` that a drop-down or a person would type."""
    out = [value]
    if value == "yes":
        out += list(YES_TYPED[1:])
    elif value == "no":
        out += list(NO_TYPED[1:])
    try:
        label = bank.scale_of(name).label(value)
    except KeyError:
        label = value
    if label.lower() != value.lower():
        out.append(label)
    return out


def _is_any(cell: str, values: Sequence[str]) -> str:
    tests = [f"TRIM({cell})={_quote(v)}" for v in values]
    return tests[0] if len(tests) == 1 else f"OR({','.join(tests)})"


def _known(cell: str) -> str:
    tests = [f'TRIM({cell})<>""'] + [f"TRIM({cell})<>{_quote(v)}" for v in NOT_APPLICABLE_TYPED]
    return f"AND({','.join(tests)})"


def excel_formula(rule: Rule, cell_of: Callable[[str], str], bank: QuestionBank) -> str:
    """An Excel formula, TRUE where ``rule`` holds for a row; ``cell_of(name)`` gives the
    cell of that column in the formula's first row (e.g. ``$C2``)."""

    def walk(node: ast.expr) -> str:
        if isinstance(node, ast.BoolOp):
            parts = ",".join(walk(v) for v in node.values)
            return f"{'AND' if isinstance(node.op, ast.And) else 'OR'}({parts})"
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return f"NOT({walk(node.operand)})"
        if isinstance(node, ast.Compare):
            assert isinstance(node.left, ast.Name)
            name = node.left.id
            cell = cell_of(name)
            tests = []
            for op, comparator in zip(node.ops, node.comparators, strict=True):
                values = [s for v in _constants(comparator) for s in _spellings(v, name, bank)]
                hit = _is_any(cell, values)
                if isinstance(op, ast.NotEq | ast.NotIn):
                    hit = f"AND({_known(cell)},NOT({hit}))"
                tests.append(hit)
            return tests[0] if len(tests) == 1 else f"AND({','.join(tests)})"
        if isinstance(node, ast.Constant):
            return "TRUE" if node.value else "FALSE"
        raise ValueError(f"cannot translate '{type(node).__name__}'")

    return walk(rule.tree.body)


# ----------------------------------------------------------------------------- English


def _or_list(values: Sequence[str]) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]


def _name(name: str) -> str:
    return "the " + name.replace("_", " ")


def english(rule: Rule | None) -> str:
    """The rule as a sentence a person reads: 'the report type is short or full'."""
    if rule is None:
        return "every case"

    def walk(node: ast.expr, parent: type[ast.boolop] | None = None) -> str:
        if isinstance(node, ast.BoolOp):
            word = " and " if isinstance(node.op, ast.And) else " or "
            text = word.join(walk(v, type(node.op)) for v in node.values)
            return f"({text})" if parent is not None and parent is not type(node.op) else text
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return f"it is not the case that {walk(node.operand, ast.Or)}"
        if isinstance(node, ast.Compare):
            assert isinstance(node.left, ast.Name)
            subject = _name(node.left.id)
            parts = []
            for op, comparator in zip(node.ops, node.comparators, strict=True):
                values = [v.replace("_", " ") for v in _constants(comparator)]
                if isinstance(op, ast.Eq | ast.In):
                    parts.append(f"{subject} is {_or_list(values)}")
                elif len(values) == 1:
                    parts.append(f"{subject} is answered and is not {values[0]}")
                else:
                    parts.append(f"{subject} is answered and is none of {_or_list(values)}")
            return " and ".join(parts)
        if isinstance(node, ast.Constant):
            return "every case" if node.value else "no case"
        raise ValueError(f"cannot translate '{type(node).__name__}'")

    return walk(rule.tree.body)
