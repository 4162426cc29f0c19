"""One rule in one place: only the disclosure policy formats counts and shares of people.

Every module that writes what a reader sees (the chapters, the build's pages and release) is
read as Python: a count or share of people (a column or field such as ``r.n``, ``r.k``,
``row["n_cases"]``, ``r.share``, ``r.identified``) must not be formatted into text by an
f-string, ``str``, ``format`` or ``pct`` there; it goes through
:mod:`analysis.method.disclosure`, which hides it when the publication rules say so.
Not checked: the policy itself; ``html`` (formats whatever it is given); the ``charts``
subpackage (not collected: only the chapters' own modules are), which draws and describes only
figures the chapters have checked are shown (the scanner reads their alt text); and the
scanner, whose findings are written outside the release folder.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from analysis.core import paths

PACKAGE = paths.REPO_ROOT / "analysis"
CHECKED = sorted([*(PACKAGE / "chapters").glob("*.py"), *(PACKAGE / "pipeline").glob("*.py")])
POLICY = {"numbers.py", "html.py", "scanner.py", "readback.py"}
PEOPLE = {"n", "k", "count", "counts", "identified", "n_cases", "share", "interventions_k",
          "interventions_n", "progress_k", "progress_n", "interventions_share",
          "progress_share", "rj_k", "rj_n", "rjp_k", "rjp_n", "lower_count", "higher_count"}
FORMATTERS = {"str", "format", "pct", "repr"}


def _names(node: ast.AST) -> set[str]:
    """Fields an expression reads: attributes and string subscripts (``r.n``, ``row["k"]``);
    bare names are too often loop variables (``for n in names``) to judge."""
    out = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute):
            out.add(sub.attr)
        elif isinstance(sub, ast.Subscript) and isinstance(sub.slice, ast.Constant):
            out.add(str(sub.slice.value))
    return out


def _calls_policy(node: ast.AST) -> bool:
    """An expression that is itself a call of the policy (ctx.count(...), d.share(...))."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
        node.func.attr in {"count", "share", "interval", "k_of_n", "fraction"}


def _about_people(node: ast.JoinedStr) -> bool:
    """An f-string whose words speak of cases or people ('... of 87 cases', 'n = 12')."""
    text = "".join(v.value for v in node.values
                   if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return any(w in text for w in (" cases", " of ", "n=", " people", " responses"))


def violations(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.JoinedStr):
            for value in node.values:
                if not isinstance(value, ast.FormattedValue) or any(
                        _calls_policy(s) for s in ast.walk(value.value)):
                    continue
                bare = {s.id for s in ast.walk(value.value) if isinstance(s, ast.Name)}
                people = (_names(value.value) | (bare if _about_people(node) else set())) \
                    & PEOPLE
                if people:
                    found.append(f"line {node.lineno}: f-string formats {sorted(people)}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in FORMATTERS:
            people = set().union(*(_names(a) for a in node.args)) & PEOPLE
            if people:
                found.append(f"line {node.lineno}: {node.func.id}() formats {sorted(people)}")
    return found


@pytest.mark.parametrize("path", [p for p in CHECKED if p.name not in POLICY],
                         ids=lambda p: p.name)
def test_only_the_policy_formats_people(path: Path) -> None:
    assert violations(path.read_text(encoding="utf-8")) == []


def test_the_check_can_fail() -> None:
    assert violations("x = f'{r.n} cases'") == ["line 1: f-string formats ['n']"]
    assert violations("x = [f'{n}.csv' for n in names]") == []
    assert len(violations("x = f'in {k} of {n} cases'")) == 2
    assert violations("x = pct(r.share)") == ["line 1: pct() formats ['share']"]
    assert violations("x = str(int(row['n_cases']))") != []
    assert violations("x = f'{ctx.count(n_key(q))} of {ctx.share(k, n)}'") == []
