"""The scoring readings: how an outcome's score combines its scoring questions.

Appendix 5 of the report can be read three ways; the bank's settings choose one (``settings:
scoring``), a build may override it (``--scoring``), and every report says which it used. This
module has no dependencies so the command line can offer the choices without loading the bank.
"""

from __future__ import annotations

#: The default is the mean over questions, argued from Appendix 5's wording in the README.
READINGS = ("questions", "criteria", "pooled")
DEFAULT_READING = "questions"
READING_TEXT = {
    "questions": "the mean, over the outcome's scoring questions, of the share of applicable "
                 "cases judged sufficient",
    "criteria": "the mean of the outcome's criterion scores, each the mean of its questions' "
                "shares",
    "pooled": "sufficient answers over applicable answers, pooled over the outcome's scoring "
              "questions (so a question weighs by its cases)",
}
READING_LABEL = {
    "questions": "mean over questions",
    "criteria": "mean of criterion scores",
    "pooled": "pooled over cases",
}
