"""The reports' words: Jinja2 macros in wording files, filled with numbers and names.

A chapter says ``wording.say("outcomes.headline", score=..., title=...)``: the macro
``headline`` of ``outcomes.j2`` in the chapters' wording folder is called with those values
and its result comes back as :class:`~analysis.report.model.Text`. Numbers keep their
identity on the way (each :class:`~analysis.report.model.Number` becomes a segment of the
text, not a string), so the model still knows every figure a sentence prints. Templates hold
words and logic of wording only (which phrase fits a value); values are computed by the caller.
``strong(...)`` marks emphasis. Whitespace runs become one space, so a sentence may be laid
out over several template lines.

Wording is plain text: no HTML in the files, and every value is escaped by the renderer.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from ..method.rounding import half_up
from .model import Link, Number, Role, Segment, Strong, Text

_SLOT = re.compile(r"\x00(\d+)\x00")
_SPACE = re.compile(r"\s+")
_slots: contextvars.ContextVar[list[Segment] | None] = contextvars.ContextVar(
    "wording_slots", default=None)


def _finalize(value: Any) -> Any:
    """A number, emphasis or text printed by a template becomes a slot of the text."""
    slots = _slots.get()
    if slots is None or not isinstance(value, Number | Strong | Role | Link | Text):
        return value
    parts = value.parts if isinstance(value, Text) else (value,)
    out = []
    for p in parts:
        if isinstance(p, str):
            out.append(p)
        else:
            slots.append(p)
            out.append(f"\x00{len(slots) - 1}\x00")
    return "".join(out)


def _strong(*parts: Any) -> Strong:
    return Strong(tuple(_segments(p) for p in parts))


def _link(anchor: str, *parts: Any) -> Link:
    return Link("#" + str(anchor).removeprefix("#"), tuple(_segments(p) for p in parts))


def _noun(number: Number | float, singular: str) -> str:
    """The noun after a number as printed in whole units: "1 point", "31 points"."""
    value = number.value if isinstance(number, Number) else number
    one = isinstance(value, int | float) and half_up(abs(value)) == 1  # as printed
    return singular if one else singular + "s"


def _segments(value: Any) -> Segment:
    if isinstance(value, Number | Strong | Role | Link | str):
        return value
    return str(value)


@contextmanager
def _collecting() -> Iterator[list[Segment]]:
    token = _slots.set([])
    try:
        slots = _slots.get()
        assert slots is not None
        yield slots
    finally:
        _slots.reset(token)


class Wording:
    """The wording files of one folder (``<name>.j2``, each a set of macros)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(folder)), autoescape=False,
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
            finalize=_finalize, keep_trailing_newline=False, auto_reload=False)
        self.env.globals["strong"] = _strong
        self.env.globals["link"] = _link
        self.env.globals["noun"] = _noun
        self.modules: dict[str, Any] = {}

    def module(self, file: str) -> Any:
        """A wording file's macros, compiled once per process (a kernel re-reads nothing)."""
        if file not in self.modules:
            self.modules[file] = self.env.get_template(f"{file}.j2").module
        return self.modules[file]

    def say(self, name: str, /, **values: Any) -> Text:
        """The text of macro ``file.macro`` filled with ``values``."""
        file, _, macro = name.partition(".")
        module = self.module(file)
        with _collecting() as slots:
            raw = str(getattr(module, macro)(**values))
        return _parse(_SPACE.sub(" ", raw).strip(), slots)

    def plain(self, name: str, /, **values: Any) -> str:
        """The words alone (alternative text, a caption made of words only)."""
        return self.say(name, **values).plain()


def _parse(raw: str, slots: list[Segment]) -> Text:
    parts: list[Segment] = []
    pos = 0
    for m in _SLOT.finditer(raw):
        if m.start() > pos:
            parts.append(raw[pos:m.start()])
        parts.append(slots[int(m.group(1))])
        pos = m.end()
    if pos < len(raw):
        parts.append(raw[pos:])
    return Text(tuple(parts))


@cache
def wording(folder: Path) -> Wording:
    """One :class:`Wording` per folder and process (templates are compiled once)."""
    return Wording(folder)
