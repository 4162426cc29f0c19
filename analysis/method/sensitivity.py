"""How far the recomputed headline scores move under the other readings the report allows.

For an area with a published report, every scoring reading (:data:`~.bank.READINGS`) is applied
to the bank as classified and to the bank with each contested question classified the other way
the report's text allows (:attr:`~.bank.Question.alternatives`). Each row gives the five outcome
scores beside the published ones and the root-mean-square gap. The scores are computed by
:func:`~.scoring.sensitivity_table` (the build writes them as the ``sensitivity`` table); this
module names the variants and reads the table back, so chapters never score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .bank import QuestionBank

AS_CLASSIFIED = "as classified in the bank"
COLUMNS = ["area_id", "variant", "reading", "outcome", "score", "published"]


@dataclass(frozen=True)
class SensitivityRow:
    """One reading of one classification: its outcome scores and its gap to the published."""

    variant: str
    reading: str
    scores: dict[int, float]
    rms_gap: float


def variants(bank: QuestionBank) -> list[tuple[str, QuestionBank]]:
    """The bank as classified, then once per alternative of each contested question."""
    out = [(AS_CLASSIFIED, bank)]
    for q in bank.contested():
        out += [(alt.label, bank.with_alternative(q.id, alt)) for alt in q.alternatives]
    return out


def sensitivity_rows(table: pd.DataFrame) -> list[SensitivityRow]:
    """The table as rows in the order written, each with its root-mean-square gap in points
    over the outcomes that have a published score."""
    out = []
    for (variant, reading), sub in table.groupby(["variant", "reading"], sort=False):
        gaps = (100 * sub["score"] - sub["published"]).dropna()
        rms = float(np.sqrt(np.mean(np.square(gaps)))) if len(gaps) else math.nan
        out.append(SensitivityRow(str(variant), str(reading),
                                  dict(zip(sub["outcome"].astype(int), sub["score"],
                                           strict=True)), rms))
    return out


def published_scores(table: pd.DataFrame) -> dict[int, float]:
    first = table.drop_duplicates("outcome")
    return dict(zip(first["outcome"].astype(int), first["published"], strict=True))
