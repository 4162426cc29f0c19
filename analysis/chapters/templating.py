"""Jinja2 templates for the reports' wording (``templates/*.html.j2``).

Sentences and short passages live in templates, not in Python strings, so a researcher can
change the wording without touching code; Python only passes values in. Every value is
escaped (labels and commentary come from data files) and an unknown name is an error.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True,
                              lstrip_blocks=True, keep_trailing_newline=False)


def render(template: str, **values: object) -> str:
    """One template filled in; the result is an HTML fragment."""
    return environment().get_template(template).render(**values).strip()
