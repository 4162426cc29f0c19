"""The appendices: the area, the case sample, the survey and the scoring method."""

from __future__ import annotations

import pandas as pd

from ..method.context import read_context
from ..method.disclosure import CASES
from ..method.readings import READING_LABEL, READING_TEXT
from ..report.exhibit import Exhibit, combine
from . import style
from .context import AreaContext, label_banner
from .html import heading, interval, paragraph, pct, table
from .outcomes import distribution


def _context(ctx: AreaContext, name: str) -> pd.DataFrame:
    """A context file of the data folder, read and checked in :mod:`analysis.method.context`."""
    return read_context(ctx.data_dir, name)


def area_context(ctx: AreaContext) -> Exhibit:
    """Appendix 1: local authorities against England and Wales; caseload against national.

    Its data: the local-authority rows, then the caseload rows (column ``table`` says which).
    """
    parts = [heading("Appendix 1: the area", 2, "appendix-area"), label_banner(ctx)]
    la = _context(ctx, "local_authorities")
    mine = la[la["area_id"].isin([ctx.area.id, "england-and-wales"])] if len(la) else la
    if mine.empty:
        parts.append(paragraph("No local-authority context is held for this area."))
    else:
        body = [[r.name, f"{r.unemployment_percent:.1f}%", f"{int(r.population):,}",
                 f"{r.bme_percent:.1f}%"] for r in mine.itertuples()]
        source = "; ".join(sorted(set(mine["source"].astype(str)))) if "source" in mine else ""
        parts.append(table("Local authorities: unemployment, population and black and minority "
                           f"ethnic population, against England and Wales ({source})",
                           ["Local authority", "Unemployment", "Population",
                            "Black and minority ethnic"], body, numeric=(1, 2, 3)))
    cl = _context(ctx, "caseload")
    shown = [mine.assign(table="local_authorities")]
    if len(cl) and ctx.area.id in set(cl["area_id"]):
        shown.append(cl[cl["area_id"].isin([ctx.area.id, "national"])].assign(table="caseload"))
        a = cl[cl["area_id"] == ctx.area.id].iloc[0]
        nat = cl[cl["area_id"] == "national"]
        nat_row = nat.iloc[0] if len(nat) else None
        body = [["Total caseload", f"{int(a['total']):,}", "n/a"]]
        for col, lab in (("white_percent", "% White"), ("minority_percent", "% Minority ethnic"),
                         ("male_percent", "% Male"), ("female_percent", "% Female")):
            nv = f"{nat_row[col]:.1f}%" if nat_row is not None else "n/a"
            body.append([lab, f"{a[col]:.1f}%", nv])
        parts.append(table("Probation caseload by sex and ethnicity against the national "
                           "average", ["", ctx.area.name, "National average"], body,
                           numeric=(1, 2)))
    frames = [f for f in shown if not f.empty]
    return Exhibit("".join(parts),
                   pd.concat(frames, ignore_index=True) if frames else pd.DataFrame())


def case_sample(ctx: AreaContext) -> Exhibit:
    """Appendix 2: type of case, RoSH at start, ethnicity, principal offence."""
    parts: list[str | Exhibit] = [
        heading("Appendix 2: the case sample", 2, "appendix-sample"),
        paragraph(f"{ctx.count(CASES)} cases were inspected in {ctx.area.name}.")]
    for var, title in (("case_type", "Type of case"),
                       ("rosh_start", "RoSH classification at the start"),
                       ("ethnicity", "Race and ethnicity"),
                       ("offence_group", "Principal offence"), ("sex", "Sex")):
        if var in ctx.bank.field_by_id:
            parts.append(distribution(ctx, var, title,
                                      f"appendix-sample-{var.replace('_', '-')}", level=3))
    parts.append(ctx.suppression_note())
    return combine(parts)


def survey(ctx: AreaContext) -> Exhibit:
    s = _context(ctx, "survey")
    parts = [heading("Offender survey", 3, "appendix-survey")]
    if s.empty or ctx.area.id not in set(s["area_id"]):
        return Exhibit("".join(parts)
                       + paragraph("No survey results are held for this area."))
    r = s[s["area_id"] == ctx.area.id].iloc[0]
    body = [["Felt involved in sentence planning", f"{r['involved_percent']:.0f}%"],
            ["Broadly positive about their experience", f"{r['positive_percent']:.0f}%"],
            ["Officer tries to motivate them", f"{r['motivate_percent']:.0f}%"]]
    src = str(r.get("source", ""))
    parts.append(table(f"Survey of people under supervision, {int(r['year'])}: "
                       f"{int(r['responses'])} responses ({src})", ["Statement", "Agreed"],
                       body, numeric=(1,)))
    return Exhibit("".join(parts), s[s["area_id"] == ctx.area.id])


def method(ctx: AreaContext) -> Exhibit:
    """The scoring method and its denominators, stated once in every report."""
    sec = ctx.tables["section_scores"]
    body = [[r.title, pct(r.score), r.n_criteria] for r in sec.itertuples()]
    reading = str(ctx.tables["outcome_scores"]["reading"].iloc[0])
    return Exhibit(heading("Appendix 3: scoring method and denominators", 2, "appendix-method")
            + paragraph(
                "Each scoring question is judged per case as sufficient or not, or does not "
                "apply. A question's figure is k / n: k cases judged sufficient out of the n "
                "cases where it applied (its denominator), with a 95% Wilson score interval. "
                "A criterion's score is the mean of its questions' shares. This report reads "
                f"the method as '{READING_LABEL[reading]}': an outcome's score is "
                f"{READING_TEXT[reading]}. Victims questions of criteria 5.1–5.3 count in both "
                "Protecting the Public and Victims. A question that applied to no case is "
                "'not applicable' and is left out of every mean.")
            + _intervals(ctx)
            + table("Section scores: the mean of the component criteria scores (Appendix 5)",
                    ["Section", "Score", "Criteria"], body, numeric=(1, 2))
            + paragraph(f"Shares on fewer than {style.SMALL_N} cases are marked *. Case "
                        "identifiers are never shown."), sec)


def _intervals(ctx: AreaContext) -> str:
    """Outcome intervals as built (cases resampled) beside those independent answers give."""
    rows = []
    for r in ctx.tables["outcome_scores"].itertuples():
        built, alone = r.upper - r.lower, r.upper_independent - r.lower_independent
        ratio = f"{built / alone:.1f}" if alone > 0 else "not applicable"
        rows.append([r.title, pct(r.score, digits=1), interval(r.lower, r.upper),
                     interval(r.lower_independent, r.upper_independent), ratio])
    return (paragraph(
        "Outcome intervals come from a seeded case-level bootstrap (2,000 resamples; cases in "
        "case-id order, so the order of rows in the case file changes nothing): cases are "
        "resampled and the whole score recomputed. This keeps the correlation between one "
        "case's answers (a case done well tends to be done well throughout), which widens the "
        "interval. Beside each interval is the one the score would have if one case's answers "
        "were independent of each other (each question's cases resampled on their own).")
        + table("Outcome scores with their 95% intervals: cases resampled (as reported) and "
                "with independent answers", ["Outcome", "Score", "95% interval",
                                              "95% interval, independent answers",
                                              "Width ratio"], rows, numeric=(1, 2, 3, 4)))
