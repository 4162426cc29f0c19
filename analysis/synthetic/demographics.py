"""Synthetic context for fictional areas: local authorities, caseload and survey figures."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .answers import GeneratedArea, logistic
from .names import DTV_ID, QUALIFIERS, SYNTHETIC, place

DTV_SOURCE = "published (Durham Tees Valley report, Appendix 1)"
SURVEY_SOURCE = "published (NOMS offender survey 2012)"


_LA_SUFFIX = ("", "", " District", " Borough", " City")


# context -----------------------------------------------------------------------------------------
#: Draws in a row that may find only names already taken before a local authority's name
#: gets a qualifier ("Upper ..."), and twice as many before it also gets a number: the plain
#: names (a syllable pair and a suffix) run out at about 500 areas, and the loop must end.
_LA_MISSES = 50


def _la_names(rng: np.random.Generator, k: int, taken: set[str]) -> list[str]:
    """``k`` local-authority names not in ``taken`` (added to it). With few areas the plain
    names never run out and the draws are those of every earlier version (the bundled data
    stay the same); with many, names are qualified, then numbered, rather than drawn forever."""
    out: list[str] = []
    misses = 0
    while len(out) < k:
        name = place(rng) + str(rng.choice(_LA_SUFFIX))
        if misses >= _LA_MISSES:
            name = f"{rng.choice(QUALIFIERS)} {name}"
        if misses >= 2 * _LA_MISSES:
            name = f"{name} {len(taken) + 1}"
        if name in taken:
            misses += 1
            continue
        taken.add(name)
        out.append(name)
        misses = 0
    return out


def _published_context() -> tuple[list[dict[str, object]], list[dict[str, object]],
                                  list[dict[str, object]]]:
    """Durham Tees Valley's context as its report publishes it (Appendix 1, the survey)."""
    la_rows: list[dict[str, object]] = [
        {"area_id": DTV_ID, "name": name, "unemployment_percent": u, "population": p,
         "bme_percent": b, "source": DTV_SOURCE}
        for name, u, p, b in (("County Durham", 10.0, 513200, 1.8),
                              ("Darlington", 10.5, 105600, 3.5),
                              ("Hartlepool", 14.5, 92000, 2.3),
                              ("Middlesbrough", 14.9, 138400, 12.0),
                              ("Redcar & Cleveland", 12.1, 135200, 1.5))]
    la_rows.append({"area_id": "england-and-wales", "name": "England & Wales",
                    "unemployment_percent": 8.0, "population": 56075900, "bme_percent": 14.1,
                    "source": DTV_SOURCE})
    caseload: list[dict[str, object]] = [
        {"area_id": DTV_ID, "total": 6102, "white_percent": 95.6, "minority_percent": 3.6,
         "male_percent": 88.5, "female_percent": 11.5, "source": DTV_SOURCE},
        {"area_id": "national", "total": None, "white_percent": 76.4, "minority_percent": 19.9,
         "male_percent": 90.0, "female_percent": 10.0, "source": DTV_SOURCE},
    ]
    survey: list[dict[str, object]] = [
        {"area_id": DTV_ID, "year": 2012, "responses": 663, "involved_percent": 87,
         "positive_percent": 82, "motivate_percent": 81, "source": SURVEY_SOURCE},
    ]
    return la_rows, caseload, survey


def _area_context(area: GeneratedArea, rng: np.random.Generator, taken: set[str]
                  ) -> tuple[list[dict[str, object]], dict[str, object], dict[str, object]]:
    """One fictional area's local authorities, caseload and survey, consistent with its cases."""
    k = int(rng.integers(2, 6))
    cases = area.cases
    bme = float((cases["ethnicity"] == "black_minority_ethnic").mean()) * 100
    not_recorded = float((cases["ethnicity"] == "not_recorded").mean()) * 100
    la_rows: list[dict[str, object]] = []
    for name in _la_names(rng, k, taken):
        la_rows.append({
            "area_id": area.id, "name": name,
            "unemployment_percent": round(float(rng.uniform(5.5, 15.0)), 1),
            "population": int(rng.integers(700, 5500)) * 100,
            "bme_percent": round(float(np.clip(bme * rng.uniform(0.4, 1.6), 0.5, 40.0)), 1),
            "source": SYNTHETIC})
    female = round(float(np.clip((cases["sex"] == "female").mean() * 100
                                 + rng.normal(0, 1.5), 6.0, 18.0)), 1)
    minority = round(float(np.clip(bme + rng.normal(0, 2.0), 1.0, 35.0)), 1)
    white = round(max(0.0, 100.0 - minority - max(0.5, not_recorded)), 1)
    caseload = {"area_id": area.id, "total": int(rng.integers(2500, 9000)),
                "white_percent": white, "minority_percent": minority,
                "male_percent": round(100.0 - female, 1), "female_percent": female,
                "source": SYNTHETIC}
    q = logistic(np.array([area.quality]))[0]
    survey: dict[str, object] = {"area_id": area.id, "year": 2013,
                                 "responses": int(rng.integers(150, 800))}
    for column, base in (("involved_percent", 70), ("positive_percent", 68),
                         ("motivate_percent", 66)):
        survey[column] = round(float(np.clip(base + 20 * q + rng.normal(0, 3), 50, 98)))
    survey["source"] = SYNTHETIC
    return la_rows, caseload, survey


def generate_context(
    areas: Sequence[GeneratedArea], rng: np.random.Generator
) -> dict[str, pd.DataFrame]:
    """Context tables for ``data/context/``: local authorities, caseload, offender survey."""
    la_rows, caseload, survey = _published_context()
    taken = {a.name for a in areas}
    for area in areas:
        las, cl_row, sv_row = _area_context(area, rng, taken)
        la_rows.extend(las)
        caseload.append(cl_row)
        survey.append(sv_row)
    la = pd.DataFrame(la_rows).sort_values(["area_id", "name"], kind="stable")
    cl = pd.DataFrame(caseload).sort_values("area_id", kind="stable")
    sv = pd.DataFrame(survey).sort_values("area_id", kind="stable")
    cl["total"] = cl["total"].astype("Int64")
    return {"local_authorities": la.reset_index(drop=True),
            "caseload": cl.reset_index(drop=True),
            "survey": sv.reset_index(drop=True)}
