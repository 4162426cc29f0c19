"""iaow-analysis: reproducible reports from HM Inspectorate of Probation case inspection data.

The public API (documented, with examples that run as doctests, in the README's "Python API"):

- :func:`load_tables`: one area's or every area's tidy tables, as pandas DataFrames;
- :func:`score_file`: validate a case file and score an area (:func:`load_cases` and
  :func:`score_area` for several files or areas);
- :func:`load_bank`: the question bank (outcomes, criteria, questions, scales);
- :func:`comparison_tables`: the cross-area tables (pooled figures, the comparison
  decisions) from areas' tables;
- :func:`wilson`, :func:`plain_limits`, :func:`comparisons`, :func:`overdispersion`: the
  interval and funnel-plot statistics;
- :class:`Exhibit`: what every chapter building block returns.

Everything else is private by convention. The names are imported on first use (PEP 562), so
that ``python -m analysis build`` with nothing to rebuild never imports pandas.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0.dev0"

_PUBLIC = {
    "AreaScores": "method.scoring",
    "CaseData": "method.validation",
    "Exhibit": "report.exhibit",
    "InputError": "core.errors",
    "Problem": "core.errors",
    "QuestionBank": "method.bank",
    "comparison_tables": "method.crossarea",
    "plain_limits": "method.positions",
    "comparisons": "method.positions",
    "load_bank": "method.bank",
    "load_cases": "method.validation",
    "load_tables": "method.tables",
    "overdispersion": "method.funnel",
    "score_area": "method.scoring",
    "score_file": "method.scoring",
    "wilson": "method.intervals",
}

__all__ = [
    "AreaScores",
    "CaseData",
    "Exhibit",
    "InputError",
    "Problem",
    "QuestionBank",
    "__version__",
    "comparison_tables",
    "comparisons",
    "load_bank",
    "load_cases",
    "load_tables",
    "overdispersion",
    "plain_limits",
    "score_area",
    "score_file",
    "wilson",
]

if TYPE_CHECKING:
    from .core.errors import InputError, Problem
    from .method.bank import QuestionBank, load_bank
    from .method.crossarea import comparison_tables
    from .method.funnel import overdispersion
    from .method.intervals import wilson
    from .method.positions import comparisons, plain_limits
    from .method.scoring import AreaScores, score_area, score_file
    from .method.tables import load_tables
    from .method.validation import CaseData, load_cases
    from .report.exhibit import Exhibit


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(import_module(f".{_PUBLIC[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})
