"""An area context scored in memory (no build), for tests of the chapter modules."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from analysis.chapters.context import AreaContext
from analysis.method.bank import load_bank
from analysis.method.catalogue import load_areas
from analysis.method.disclosure import Policy, area_disclosure
from analysis.method.scoring import score_area
from analysis.method.validation import load_cases

DATA = Path(__file__).resolve().parent.parent / "data"


@cache
def _tables(area_id: str) -> dict[str, pd.DataFrame]:
    bank = load_bank()
    area = next(a for a in load_areas(DATA) if a.id == area_id)
    return score_area(load_cases([area.cases], bank).frame, bank, area_id,
                      resamples=200).as_dict()


def area_context(area_id: str, tmp: Path, *, publish: bool = False,
                 data_dir: Path = DATA) -> AreaContext:
    """The area's tables scored here once per session (200 resamples), outputs under ``tmp``."""
    area = next(a for a in load_areas(DATA) if a.id == area_id)
    bank = load_bank()
    tables = _tables(area_id)
    return AreaContext(area, bank, tables, data_dir, tmp,
                       area_disclosure(tables, bank.sufficient_levels, Policy(publish, 5)))
