"""iaow-analysis: reproducible reports from HM Inspectorate of Probation case inspection data.

The public API is small: load the question bank, load and validate case data, score an area.
Everything else (notebooks, the build) calls these. The names are imported on first use
(PEP 562), so that ``python -m analysis build`` with nothing to rebuild never imports pandas.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_PUBLIC = {
    "AreaScores": "scoring",
    "CaseData": "validation",
    "InputError": "errors",
    "Problem": "errors",
    "QuestionBank": "bank",
    "load_bank": "bank",
    "load_cases": "validation",
    "score_area": "scoring",
}

__all__ = [
    "AreaScores",
    "CaseData",
    "InputError",
    "Problem",
    "QuestionBank",
    "__version__",
    "load_bank",
    "load_cases",
    "score_area",
]

if TYPE_CHECKING:
    from .core.errors import InputError, Problem
    from .method.bank import QuestionBank, load_bank
    from .method.scoring import AreaScores, score_area
    from .method.validation import CaseData, load_cases


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(import_module(f".{_PUBLIC[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
