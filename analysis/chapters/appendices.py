"""The appendices: the area, the survey and the scoring method; for the technical annex, the
case sample and the method's detail."""

from __future__ import annotations

import pandas as pd

from ..method.context import read_context
from ..method.disclosure import CASES
from ..method.readings import READING_LABEL, READING_TEXT
from ..report.exhibit import Exhibit, combine
from ..report.model import Column, Heading, Kind, Mean, Number, Paragraph, Table, depends_on
from . import numbers, style
from .context import AreaContext, label_banner
from .outcomes import distribution, outcome_score
from .prose import key_rule
from .say import plain, say

CONTEXT = "context statistics"
SURVEY = "offender survey"
NOT_AVAILABLE = "n/a"


def _context(ctx: AreaContext, name: str) -> pd.DataFrame:
    """A context file of the data folder, read and checked in :mod:`analysis.method.context`."""
    return read_context(ctx.data_dir, name)


def _percent(value: float, source: str, digits: int = 1) -> Number:
    return numbers.external(value, Kind.PERCENT, source, digits)


def area_context(ctx: AreaContext) -> Exhibit:
    """Appendix 1: local authorities against England and Wales; caseload against national.

    Its data: the local-authority rows, then the caseload rows (column ``table`` says which).
    """
    blocks: list = [Heading(plain("appendices.area_heading"), 2, "appendix-area"),
                    label_banner(ctx)]
    la = _context(ctx, "local_authorities")
    mine = la[la["area_id"].isin([ctx.area.id, "england-and-wales"])] if len(la) else la
    if mine.empty:
        blocks.append(Paragraph(say("appendices.no_local_authorities")))
    else:
        body = tuple((str(r.name), _percent(r.unemployment_percent, CONTEXT),
                      numbers.external(r.population, Kind.NUMBER, CONTEXT, grouped=True),
                      _percent(r.bme_percent, CONTEXT)) for r in mine.itertuples())
        source = "; ".join(sorted(set(mine["source"].astype(str)))) if "source" in mine else ""
        blocks.append(Table(say("appendices.local_authorities_caption", source=source),
                            (Column("Local authority"), Column("Unemployment", True),
                             Column("Population", True), Column("Black and minority ethnic",
                                                                True)), body))
    cl = _context(ctx, "caseload")
    shown = [mine.assign(table="local_authorities")]
    if len(cl) and ctx.area.id in set(cl["area_id"]):
        shown.append(cl[cl["area_id"].isin([ctx.area.id, "national"])].assign(table="caseload"))
        a = cl[cl["area_id"] == ctx.area.id].iloc[0]
        nat = cl[cl["area_id"] == "national"]
        nat_row = nat.iloc[0] if len(nat) else None
        rows: list[tuple[str, Number | str, Number | str]] = [
            ("Total caseload", numbers.external(a["total"], Kind.NUMBER, CONTEXT, grouped=True),
             NOT_AVAILABLE)]
        for col, lab in (("white_percent", "% White"), ("minority_percent", "% Minority ethnic"),
                         ("male_percent", "% Male"), ("female_percent", "% Female")):
            national = (_percent(nat_row[col], CONTEXT) if nat_row is not None
                        else NOT_AVAILABLE)
            rows.append((lab, _percent(a[col], CONTEXT), national))
        blocks.append(Table(say("appendices.caseload_caption"),
                            (Column(""), Column(ctx.area.name, True),
                             Column("National average", True)), tuple(rows)))
    frames = [f for f in shown if not f.empty]
    return Exhibit(tuple(blocks),
                   pd.concat(frames, ignore_index=True) if frames else pd.DataFrame())


def case_sample(ctx: AreaContext) -> Exhibit:
    """The case sample (in the technical annex): type of case, RoSH at start, ethnicity,
    principal offence."""
    parts: list = [Heading(plain("appendices.sample_heading"), 2, "appendix-sample"),
                   Paragraph(say("appendices.sample_intro", cases=ctx.count(CASES),
                                 area=ctx.area.name))]
    for var in ("case_type", "rosh_start", "ethnicity", "offence_group", "sex"):
        if var in ctx.bank.field_by_id:
            parts.append(distribution(ctx, var, plain("appendices.sample_title", variable=var),
                                      f"appendix-sample-{var.replace('_', '-')}", level=3))
    parts.extend(ctx.rules())
    return combine(parts)


def survey(ctx: AreaContext) -> Exhibit:
    s = _context(ctx, "survey")
    blocks: list = [Heading("Offender survey", 3, "appendix-survey")]
    if s.empty or ctx.area.id not in set(s["area_id"]):
        blocks.append(Paragraph(say("appendices.no_survey")))
        return Exhibit(tuple(blocks))
    r = s[s["area_id"] == ctx.area.id].iloc[0]
    body = tuple((plain("appendices.survey_statement", column=col), _percent(r[col], SURVEY, 0))
                 for col in ("involved_percent", "positive_percent", "motivate_percent"))
    blocks.append(Table(say("appendices.survey_caption",
                            year=numbers.external(r["year"], Kind.NUMBER, SURVEY),
                            responses=numbers.external(r["responses"], Kind.NUMBER, SURVEY),
                            source=str(r.get("source", ""))),
                        (Column("Statement"), Column("Agreed", True)), body))
    return Exhibit(tuple(blocks), s[s["area_id"] == ctx.area.id])


def method(ctx: AreaContext) -> Exhibit:
    """The scoring method and its denominators, stated once in every report, in the words a
    reader needs; its detail (intervals compared, section scores) is in the annex."""
    reading = str(ctx.tables["outcome_scores"]["reading"].iloc[0])
    return Exhibit((
        Heading(plain("appendices.method_heading"), 2, "appendix-method"),
        Paragraph(say("appendices.method", reading_label=READING_LABEL[reading],
                      reading_text=READING_TEXT[reading])),
        Paragraph(say("appendices.small_and_ids", small_n=numbers.constant(style.SMALL_N))),
        key_rule(ctx),
        Paragraph(say("appendices.method_in_annex"))),
        ctx.tables["outcome_scores"])


def method_detail(ctx: AreaContext) -> Exhibit:
    """For the technical annex: the outcome intervals as built beside those independent
    answers would give, and the section scores with their criteria counts."""
    sec = ctx.tables["section_scores"]
    body = tuple((str(r.title), numbers.score(float(r.score), _section_lineage(ctx, r.section)),
                  Number(int(r.n_criteria), Kind.NUMBER, depends_on(
                      _section_lineage(ctx, r.section))))
                 for r in sec.itertuples())
    return Exhibit((
        Heading(plain("appendices.method_detail_heading"), 2, "annex-method"),
        *_intervals(ctx),
        Table(say("appendices.sections_caption"),
              (Column("Section"), Column("Score", True), Column("Criteria", True)), body)),
        sec)


def _section_lineage(ctx: AreaContext, section: str) -> Mean:
    """A section's score: the mean of its criteria's scores, each the mean of its shares."""
    crit = ctx.tables["criterion_scores"]
    ids = list(crit[crit["section"] == section]["criterion"])
    q = ctx.tables["question_scores"].drop_duplicates("question")
    return Mean(tuple(numbers.score_lineage(q[q["criterion"] == c], "questions") for c in ids))


def _intervals(ctx: AreaContext) -> tuple[Paragraph, Table]:
    """Outcome intervals as built (cases resampled) beside those independent answers give."""
    rows = []
    for r in ctx.tables["outcome_scores"].itertuples():
        score, spread = outcome_score(ctx, int(r.outcome))
        alone = numbers.interval(r.lower_independent, r.upper_independent, spread.lineage)
        built, apart = r.upper - r.lower, r.upper_independent - r.lower_independent
        ratio: Number | str = (Number(built / apart, Kind.NUMBER, spread.lineage, digits=1)
                               if apart > 0 else numbers.NOT_APPLICABLE)
        rows.append((str(r.title), Number(score.value, Kind.SCORE, score.lineage, digits=1),
                     spread, alone, ratio))
    return (Paragraph(say("appendices.intervals")),
            Table(say("appendices.intervals_caption"),
                  (Column("Outcome"), Column("Score", True), Column("95% interval", True),
                   Column("95% interval, independent answers", True),
                   Column("Width ratio", True)), tuple(rows)))
