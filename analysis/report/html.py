"""The report model written as HTML: accessible, deterministic, self-contained fragments.

Each block is laid out by a macro of ``templates/blocks.html.j2``; words and numbers come from
the model and are escaped here (``html.escape``: ``&``, ``<`` and ``>`` in text, quotes too in
attributes), so a label or a commentary can never inject markup. Figures are inline SVG
``data:`` URLs.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from functools import cache
from html import escape
from pathlib import Path

import jinja2
from markupsafe import Markup as Safe

from .model import (
    Banner,
    Block,
    Chart,
    Definitions,
    Heading,
    ItemList,
    Link,
    Markup,
    Number,
    Paragraph,
    Role,
    Section,
    Segment,
    Strong,
    Table,
    Text,
)

TEMPLATES = Path(__file__).resolve().parent / "templates"
_MACRO = {Heading: "heading", Paragraph: "paragraph", Banner: "banner", ItemList: "item_list",
          Definitions: "definitions", Table: "table", Chart: "chart", Section: "section",
          Markup: "markup"}


def segment_html(p: Segment) -> str:
    """One segment of a text: words escaped, a number as printed, emphasis and roles marked."""
    if isinstance(p, str):
        return escape(p, quote=False)
    if isinstance(p, Number):
        return escape(p.text, quote=False)
    inner = "".join(segment_html(x) for x in p.parts)
    if isinstance(p, Strong):
        return f"<strong>{inner}</strong>"
    if isinstance(p, Link):
        return f'<a href="{escape(p.href)}">{inner}</a>'
    assert isinstance(p, Role)
    return f'<span class="{escape(p.name)}">{inner}</span>'


def text_html(value: Text | Number | str) -> Safe:
    """A text, a number or a plain string, as escaped HTML."""
    if isinstance(value, Text):
        return Safe("".join(segment_html(p) for p in value.parts))
    return Safe(segment_html(value))


def sort_value(cell: Text | Number | str) -> str:
    """What a sortable table sorts a cell by: its first shown number's value, else its words
    (lower case)."""
    found = [cell] if isinstance(cell, Number) else \
        list(cell.numbers()) if isinstance(cell, Text) else []
    if found and found[0].shown and isinstance(found[0].value, int | float):
        return f"{float(found[0].value):.6g}"
    words = cell.plain() if isinstance(cell, Text) else \
        cell.text if isinstance(cell, Number) else cell
    return escape(words.lower())


def _svg(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@cache
def _macros() -> object:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=False,
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=False)
    env.filters["esc"] = escape
    env.filters["esc_text"] = lambda value: escape(str(value), quote=False)
    env.globals.update(text=text_html, svg=_svg, block=block_html, sort_value=sort_value)
    return env.get_template("blocks.html.j2").module


def block_html(block: Block) -> Safe:
    """One block as HTML."""
    return Safe(str(getattr(_macros(), _MACRO[type(block)])(block)))


def render(blocks: Sequence[Block]) -> str:
    """Blocks as one HTML fragment, in order."""
    return "".join(block_html(b) for b in blocks)
