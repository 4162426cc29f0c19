"""Wording lives in the wording files, not in Python: the chapters hold at most a handful of
sentences, and every macro a chapter calls exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from analysis.core import paths

CHAPTERS = paths.PACKAGE_ROOT / "chapters"
MOST = 15  # prose literals of five words or more the chapters may keep (error messages)


def prose_literals(path: Path) -> list[tuple[int, str]]:
    """String literals of five words or more, docstrings left out (a module's, class's or
    function's, and a string right under an assignment, which documents it)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list):
            for i, stmt in enumerate(body):
                is_doc = i == 0 and isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
                after_assign = i > 0 and isinstance(body[i - 1], ast.Assign | ast.AnnAssign)
                if (is_doc or after_assign) and isinstance(stmt, ast.Expr) \
                        and isinstance(stmt.value, ast.Constant):
                    docs.add(id(stmt.value))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):  # its parts are not counted again on their own
            docs.update(id(v) for v in node.values)
            words = "".join(str(v.value) for v in node.values if isinstance(v, ast.Constant))
            if len(words.split()) >= 5:
                found.append((node.lineno, words))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in docs and len(node.value.split()) >= 5:
            found.append((node.lineno, node.value))
    return found


def test_the_chapters_keep_their_sentences_in_the_wording_files() -> None:
    literals = {f"{p.name}:{line}": text for p in sorted(CHAPTERS.glob("*.py"))
                for line, text in prose_literals(p)}
    assert len(literals) <= MOST, literals


def test_the_count_sees_a_sentence_in_python(tmp_path: Path) -> None:
    planted = tmp_path / "chapter.py"
    planted.write_text('"""Doc string of a module with many words."""\n'
                       'X = 1\n"""A constant documented in many words."""\n'
                       'def f(n):\n    return f"In {n} cases the plan was reviewed."\n',
                       encoding="utf-8")
    assert [line for line, _ in prose_literals(planted)] == [5]


def test_every_wording_macro_a_chapter_calls_exists() -> None:
    """``say("file.macro")`` and ``plain("file.macro")`` name a macro of ``wording/file.j2``."""
    called = {m for p in CHAPTERS.glob("*.py")
              for m in re.findall(r'(?:say|plain)\("(\w+\.\w+)"', p.read_text(encoding="utf-8"))}
    defined = {f"{p.stem}.{m}" for p in (CHAPTERS / "wording").glob("*.j2")
               for m in re.findall(r"\{%-? macro (\w+)\(", p.read_text(encoding="utf-8"))}
    assert called - defined == set()
    assert len(called) > 80
