"""Key strengths and areas for improvement: one rule, the same in every area.

Inspectors chose these by judgement; here a rule chooses them, measured against the lists of
the published Durham Tees Valley report (``data/published/durham-tees-valley.key-findings.yaml``;
recall and precision in the README and ``tests/test_keyfindings.py``). The rule:

- only the outcome's own criteria (victims questions that also count towards Protecting the
  Public are listed under Outcome 5, where the published report discusses them), and only
  questions with at least ``min_n`` applicable cases;
- a *strength* has a 95% Wilson lower limit of at least 80% as printed: we are confident at
  least four in five were done well;
- an *area for improvement* has an upper limit of at most 75% as printed: we are confident at
  most three-quarters were;
- at most three of each, the most certain first, but one question from each criterion before
  a second from the same criterion, so a list spans the outcome's criteria.

Limits are compared as the whole percents the report prints (:func:`printed_percent`), so an
interval shown as "30–75%" always sits beside "at most 75%".
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .words import printed_percent

STRENGTH_LOWER = 80    # printed Wilson lower limit, at least (%)
IMPROVE_UPPER = 75     # printed Wilson upper limit, at most (%)
MAX_LISTED = 3


@dataclass(frozen=True)
class KeyFindings:
    """The questions (rows of the question-scores table) listed for one outcome."""

    strengths: pd.DataFrame
    improvements: pd.DataFrame


def _spread(frame: pd.DataFrame) -> pd.DataFrame:
    """Keep the order, but take one question per criterion before a second from any."""
    turn = frame.groupby("criterion", sort=False).cumcount()
    return frame.assign(_turn=turn.to_numpy()).sort_values("_turn", kind="stable") \
        .drop(columns="_turn").head(MAX_LISTED)


def key_findings(question_scores: pd.DataFrame, outcome: int, min_n: int) -> KeyFindings:
    """The rule above, applied to one area's question scores."""
    q = question_scores
    own = q["criterion"].astype(str).str.split(".").str[0] == str(outcome)
    rows = q[(q["outcome"] == outcome) & own & (q["n"] >= min_n)]
    lower = rows["lower"].map(printed_percent)
    upper = rows["upper"].map(printed_percent)
    strong = rows[lower >= STRENGTH_LOWER].sort_values(["lower", "order"],
                                                       ascending=[False, True])
    weak = rows[upper <= IMPROVE_UPPER].sort_values(["upper", "order"])
    return KeyFindings(_spread(strong), _spread(weak))


MIN_PRIORITIES = 3     # an area's priorities: at least this many (where questions allow) ...
MAX_PRIORITIES = 5     # ... and at most this many
MAX_PER_OUTCOME = 2    # no outcome takes more than two, so the priorities span the work


def priorities(question_scores: pd.DataFrame, outcomes: list[int], min_n: int) -> pd.DataFrame:
    """An area's priorities, the weakest work first: its areas for improvement (the rule
    above, every outcome), then, until there are ``MIN_PRIORITIES``, the questions with the
    lowest upper limits that are not strengths; at most ``MAX_PER_OUTCOME`` from one outcome
    and ``MAX_PRIORITIES`` in all. Its rows are question-scores rows with ``listed``:
    "improvement" (met the rule) or "weakest" (the lowest of the rest)."""
    q = question_scores
    own = q["criterion"].astype(str).str.split(".").str[0] == q["outcome"].astype(str)
    rows = q[own & (q["n"] >= min_n) & q["outcome"].isin(outcomes)]
    rows = rows.drop_duplicates("question")
    upper = rows["upper"].map(printed_percent)
    lower = rows["lower"].map(printed_percent)
    rows = rows.assign(listed=["improvement" if u <= IMPROVE_UPPER else "weakest"
                               for u in upper])[lower < STRENGTH_LOWER]
    ranked = rows.sort_values(["upper", "order"])
    ranked = ranked[ranked.groupby("outcome").cumcount() < MAX_PER_OUTCOME]
    improve = ranked[ranked["listed"] == "improvement"]
    chosen = improve if len(improve) >= MIN_PRIORITIES else ranked.head(MIN_PRIORITIES)
    return chosen.head(MAX_PRIORITIES).reset_index(drop=True)
