"""The inspectors' commentary in a report: each section of the area's commentary file
(:mod:`analysis.method.commentary`) rendered from Markdown where the report places it.

Raw HTML in the file is shown as text, never run.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from ..method.commentary import FOREWORD, RECOMMENDATIONS, load_commentary

if TYPE_CHECKING:
    from ..report.exhibit import Exhibit
    from .context import AreaContext


@lru_cache(maxsize=1)
def _markdown() -> Callable[[str], object]:
    """Markdown to HTML; raw HTML in the file is escaped, so it is shown, never run."""
    import mistune

    return mistune.create_markdown(escape=True)


def markdown_html(text: str) -> str:
    """A section's Markdown as an HTML fragment ("" for an empty section)."""
    return str(_markdown()(text)).strip() if text else ""


def _render(title: str, anchor: str, level: int, body: str) -> Exhibit:
    """A section as an exhibit (empty when the file has no such section); its data is the
    section's title and text."""
    import pandas as pd

    from ..report.exhibit import Exhibit
    from ..report.model import Heading, Markup, Paragraph, Section
    from .say import say

    if not body:
        return Exhibit()
    html = markdown_html(body)
    section = Section("commentary", (Heading(title, level, anchor), Markup(html, body),
                                     Paragraph(say("common.commentary_note"), "note")))
    return Exhibit((section,), pd.DataFrame({"section": [title], "html": [html]}))


def foreword(ctx: AreaContext) -> Exhibit:
    """The foreword, or nothing when the area's commentary has none."""
    return _render(FOREWORD, "foreword", 2, load_commentary(ctx.data_dir, ctx.area.id).foreword)


def recommendations(ctx: AreaContext) -> Exhibit:
    """The recommendations, or nothing when the area's commentary has none."""
    return _render(RECOMMENDATIONS, "recommendations", 2,
                   load_commentary(ctx.data_dir, ctx.area.id).recommendations)


def outcome_commentary(ctx: AreaContext, outcome: int) -> Exhibit:
    """The inspectors' commentary on one outcome, at the start of its chapter."""
    return _render("Inspectors' commentary", f"outcome-{outcome}-commentary", 3,
                   load_commentary(ctx.data_dir, ctx.area.id).outcomes.get(outcome, ""))
