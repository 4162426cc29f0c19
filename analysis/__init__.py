"""iaow-analysis: reproducible reports from HM Inspectorate of Probation case inspection data.

The public API is small: load the question bank, load and validate case data, score an area.
Everything else (notebooks, the build) calls these.
"""

from .bank import QuestionBank, load_bank
from .errors import InputError, Problem
from .scoring import AreaScores, score_area
from .validation import CaseData, load_cases

__version__ = "0.1.0"

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
