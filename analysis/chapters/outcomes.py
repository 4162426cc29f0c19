"""The outcome chapters: headline score, strengths, findings by criterion, charts.

Each function returns an :class:`~analysis.report.exhibit.Exhibit` (its HTML, the data behind
it, its chart) so a notebook cell is one line: ``display(headline(ctx, 1))``. Numbers come from
the tidy tables; nothing here is area-specific text: strengths and areas for improvement follow
the rule in :mod:`analysis.method.keyfindings`, and findings are sentences from
:mod:`analysis.chapters.prose` beside each criterion's table.
"""

from __future__ import annotations

import math

import pandas as pd

from ..method.disclosure import (
    AGREEMENT,
    CASES,
    DISAGREE,
    HIGHER,
    LOWER,
    YES,
    cell_key,
    factor_key,
    k_key,
    level_key,
    n_key,
)
from ..method.intervals import wilson
from ..method.published import headline_scores
from ..method.readings import READING_LABEL, READING_TEXT
from ..method.victims import RESTORATIVE_JUSTICE, VICTIM_PATH
from ..report.exhibit import Exhibit
from . import charts, numbers, prose, style
from . import html as htmlout
from .context import AreaContext, label_banner
from .html import heading, interval, note, paragraph, pct, table


def _outcome_slug(outcome: int) -> str:
    return f"outcome-{outcome}"


def chapter_title(ctx: AreaContext, outcome: int) -> Exhibit:
    o = ctx.bank.outcome_by_id[outcome]
    data = pd.DataFrame({"area_id": [ctx.area.id], "area": [ctx.area.name],
                         "label": [ctx.area.label_text], "outcome": [o.id], "title": [o.title]})
    return Exhibit(heading(f"Outcome {o.id}: {o.title}", 2, _outcome_slug(outcome))
                   + label_banner(ctx), data)


def headline(ctx: AreaContext, outcome: int) -> Exhibit:
    """The case assessment score with its interval, denominator and (if any) published figure."""
    o = ctx.bank.outcome_by_id[outcome]
    scores = ctx.tables["outcome_scores"]
    row = scores.set_index("outcome").loc[outcome]
    published = headline_scores(ctx.data_dir, ctx.area.id)
    data = scores[scores["outcome"] == outcome].assign(
        published_percent=published.get(outcome, math.nan))
    slug = _outcome_slug(outcome)
    parts = [heading("Case assessment score", 3, f"{slug}-score")]
    if math.isnan(row["score"]):
        parts.append(paragraph("No scoring question applied to any case: not applicable."))
        return Exhibit("".join(parts), data)
    parts.append(
        f'<p class="headline"><span class="score">{pct(row["score"])}</span> of work on '
        f"{htmlout.escape(o.title.lower())} was done well enough (95% bootstrap interval "
        f"{interval(row['lower'], row['upper'])}).</p>")
    reading = str(row["reading"])
    parts.append(paragraph(
        f"Scoring reading: {READING_LABEL[reading]}. The score is {READING_TEXT[reading]}; "
        f"{int(row['n_questions'])} scoring questions of this outcome applied to at least one "
        f"case, and {ctx.count(CASES)} cases were inspected. The interval comes from "
        "resampling cases (seeded bootstrap, 2,000 resamples).", "method"))
    if outcome in published:
        diff = 100 * row["score"] - published[outcome]
        parts.append(paragraph(
            f"Published in the 2014 report: {published[outcome]}%. Recomputed here from the "
            f"reconstructed cases over the questions the report describes: {pct(row['score'])} "
            f"(difference {diff:+.0f} points). Appendix 4 shows the score under the other "
            "readings of the method the report allows.", "published"))
    return Exhibit("".join(parts), data)


def expectations(ctx: AreaContext, outcome: int) -> Exhibit:
    o = ctx.bank.outcome_by_id[outcome]
    return Exhibit(heading("What we expect to see", 3, f"{_outcome_slug(outcome)}-expect")
                   + paragraph(o.expect), pd.DataFrame({"outcome": [o.id], "expect": [o.expect]}))


def _scoring_rows(ctx: AreaContext, outcome: int) -> pd.DataFrame:
    q = ctx.tables["question_scores"]
    return q[q["outcome"] == outcome].sort_values("order")


def strengths_and_improvements(ctx: AreaContext, outcome: int) -> Exhibit:
    """Key strengths and areas for improvement as sentences, chosen by the one rule of
    :mod:`analysis.method.keyfindings` (the same in every area and in the summary)."""
    return prose.key_findings_block(ctx, outcome)


def _question_table(ctx: AreaContext, rows: pd.DataFrame, caption: str) -> str:
    body = [[r.label, ctx.count(n_key(r.question)), ctx.count(k_key(r.question)),
             ctx.share(k_key(r.question), n_key(r.question)),
             ctx.interval(k_key(r.question), n_key(r.question), r.lower, r.upper)]
            for r in rows.itertuples()]
    return table(caption, ["Question", "Applicable cases (n)", "Sufficient (k)", "Share",
                           "95% Wilson interval"], body, numeric=(1, 2, 3, 4))


def findings(ctx: AreaContext, outcome: int) -> Exhibit:
    """Explanation of findings: one table per criterion of the outcome's scoring questions."""
    slug = _outcome_slug(outcome)
    parts = [heading("Explanation of findings", 3, f"{slug}-findings")]
    crit_scores = ctx.tables["criterion_scores"].set_index("criterion")
    rows = _scoring_rows(ctx, outcome)
    for c in ctx.bank.criteria_of(outcome):
        sub = rows[rows["criterion"] == c.id]
        score = crit_scores.loc[c.id, "score"] if c.id in crit_scores.index else math.nan
        parts.append(heading(f"{c.id} {c.title}", 4, f"{slug}-criterion-{slug_id(c.id)}"))
        if sub.empty:
            parts.append(paragraph("No scoring question in this criterion."))
            continue
        parts.append(prose.criterion_paragraph(ctx, sub))
        parts.append(_question_table(
            ctx, sub, f"Criterion {c.id}: questions judged sufficient (criterion score "
            f"{pct(score)}, the mean of its question shares)"))
    also = rows[~rows["criterion"].isin([c.id for c in ctx.bank.criteria_of(outcome)])]
    if not also.empty:
        parts.append(heading("Also counted in this score", 4, f"{slug}-also"))
        parts.append(_question_table(
            ctx, also, "Victims questions that also count towards this outcome's score; "
            "discussed under Outcome 5"))
    parts.append(note("n is the number of cases where the question applied; share = k / n. "
                      "* marks a share on fewer than 10 cases: read it with its interval. "
                      "'not applicable' means no case in the sample needed this work."))
    parts.append(ctx.suppression_note())
    return Exhibit("".join(parts), rows)


def slug_id(text: str) -> str:
    return text.replace(".", "-")


def data_summary(ctx: AreaContext, outcome: int) -> Exhibit:
    """The data-summary chart of the outcome's key questions, always in bank order."""
    o = ctx.bank.outcome_by_id[outcome]
    rows = _scoring_rows(ctx, outcome)
    rows = rows[rows["key"]]
    shown = rows[[r.n > 0 and not ctx.disclosure.share_hidden(k_key(r.question),
                                                              n_key(r.question))
                  for r in rows.itertuples()]]
    parts = [heading("Data summary", 3, f"{_outcome_slug(outcome)}-summary")]
    if shown.empty:
        return Exhibit("".join(parts) + paragraph("No key question applied to any case."), rows)
    fig, alt = charts.sufficiency_bars(shown, f"{o.short}: key questions")
    parts.append(htmlout.figure(fig, alt, f"Key questions of outcome {o.id}: share of "
                                f"applicable cases judged sufficient (n per bar)."))
    charts.close(fig)
    left_out = len(rows) - len(shown)
    if left_out:
        parts.append(note(f"{left_out} key question(s) left out: no applicable case"
                          + (" or suppressed in publication mode."
                             if ctx.disclosure.policy.publish else ".")))
    return Exhibit("".join(parts), rows, (fig,))


def distribution(ctx: AreaContext, variable: str, title: str, anchor: str,
                 level: int = 4) -> Exhibit:
    """A categorical exhibit (report types, progress, compliance path...) as chart + table."""
    d = ctx.tables["distributions"]
    sub = d[d["variable"] == variable]
    if sub.empty or int(sub["n"].iloc[0]) == 0:
        return Exhibit(heading(title, level, anchor)
                       + paragraph("Not applicable: no case had this."), sub)
    scale = ctx.bank.scale_of(variable)
    n = int(sub["n"].iloc[0])
    ids = [str(v) for v in sub["level"]]
    levels = [scale.label(v) for v in ids]
    counts = [int(c) for c in sub["count"]]
    parts = [heading(title, level, anchor)]
    keys = [level_key(variable, str(v)) for v in sub["level"]]
    body = [[lv, ctx.count(key), ctx.share(key, n_key(variable))] for lv, key in
            zip(levels, keys, strict=True)]
    parts.append(table(f"{title} (denominator: {ctx.count(n_key(variable))} cases where it "
                       "applied)", ["Answer", "Cases", "Share"], body, numeric=(1, 2)))
    data = sub.assign(label=levels)
    if not ctx.disclosure.hides_any([*keys, n_key(variable)]):
        bars = style.categories(scale, ids, counts)
        fig, alt = charts.distribution_bars(bars, dict(zip(ids, levels, strict=True)), n, title)
        parts.append(htmlout.figure(fig, alt, f"{title}: share of "
                                    f"{ctx.count(n_key(variable))} cases.",
                                    combined=[scale.label(lv) for b in bars if b.other
                                              for lv in b.levels]))
        charts.close(fig)
        return Exhibit("".join(parts), data, (fig,))
    parts.append(note("Chart left out: it would show suppressed counts."))
    return Exhibit("".join(parts), data)


def questions_chart(ctx: AreaContext, qids: list[str], title: str, anchor: str) -> Exhibit:
    """A chart and table of a handful of yes/no questions (engagement at the start, checks...)."""
    d = ctx.tables["distributions"]
    rows = []
    for qid in qids:
        q = ctx.bank.question_by_id.get(qid)
        if q is None:
            continue
        sub = d[(d["variable"] == qid)]
        ok = set(ctx.bank.scales[q.scale].sufficient) or {"yes"}
        k = int(sub[sub["level"].isin(ok)]["count"].sum())
        n = int(sub["n"].iloc[0]) if len(sub) else 0
        lo, hi = wilson([k], [n])
        rows.append({"question": qid, "label": q.label, "n": n, "k": k,
                     "share": k / n if n else math.nan, "lower": lo[0], "upper": hi[0]})
    frame = pd.DataFrame(rows)
    parts = [heading(title, 4, anchor)]
    if frame.empty:
        return Exhibit("".join(parts) + paragraph("Not applicable."), frame)
    parts.append(_question_table(ctx, frame, f"{title}: cases judged sufficient / yes"))
    shown = frame[[r.n > 0 and not ctx.disclosure.share_hidden(k_key(r.question),
                                                               n_key(r.question))
                   for r in frame.itertuples()]]
    if shown.empty:
        return Exhibit("".join(parts), frame)
    fig, alt = charts.sufficiency_bars(shown, title)
    parts.append(htmlout.figure(fig, alt, f"{title} (n per bar)."))
    charts.close(fig)
    return Exhibit("".join(parts), frame, (fig,))


def rosh_agreement(ctx: AreaContext) -> Exhibit:
    """RoSH classification: as the area recorded it (rows) against inspectors' judgement."""
    x = ctx.tables["crosstab"]
    parts = [heading("RoSH classification: area against inspectors", 4, "outcome-4-rosh")]
    if x.empty:
        return Exhibit("".join(parts) + paragraph("Not applicable."), x)
    scale = ctx.bank.scale_of("rosh_start")
    levels = list(scale.levels)
    rf, cf = AGREEMENT
    body = [[scale.label(r), *[ctx.count(cell_key(rf, r, cf, c)) for c in levels]]
            for r in levels]
    parts.append(table(f"RoSH at the start as the area recorded it (rows) and as inspectors "
                       f"judged it (columns), {ctx.count(n_key(rf))} cases",
                       ["Area's classification", *[f"Inspectors: {scale.label(c)}"
                                                   for c in levels]], body,
                       numeric=tuple(range(1, len(levels) + 1))))
    parts.append(paragraph(
        f"Inspectors disagreed in {numbers.k_of_n(ctx.disclosure, DISAGREE, n_key(rf))}: the "
        "area's "
        f"classification was lower in {ctx.count(LOWER)} and higher in {ctx.count(HIGHER)}."))
    return Exhibit("".join(parts), x)


def factor_table(ctx: AreaContext) -> Exhibit:
    """Table 3.4: offending-related factors, interventions and progress."""
    f = ctx.tables["factors"].sort_values(["prevalent", "identified"], ascending=False)
    body = [[r.label, ctx.count(factor_key(r.factor, "identified")),
             ctx.share(factor_key(r.factor, "interventions:k"),
                       factor_key(r.factor, "interventions:n")),
             ctx.share(factor_key(r.factor, "progress:k"), factor_key(r.factor, "progress:n"))]
            for r in f.itertuples()]
    return Exhibit(heading("Offending-related factors", 4, "outcome-3-factors") + table(
        "Offending-related factors: cases where inspectors identified the factor, and of those "
        "the share with sufficient interventions and with sufficient progress",
        ["Factor", "Cases identified (n)", "Sufficient interventions", "Sufficient progress"],
        body, numeric=(1, 2, 3)), f)



VICTIM_STEPS = tuple((s.label, s.variable) for s in VICTIM_PATH)


def victim_path(ctx: AreaContext) -> Exhibit:
    """The statutory victim contact path: each step's count out of the step before."""
    d = ctx.tables["distributions"]

    def yes(var: str) -> tuple[int, int]:
        sub = d[(d["variable"] == var) & (d["level"] == "yes")]
        return (int(sub["count"].iloc[0]), int(sub["n"].iloc[0])) if len(sub) else (0, 0)

    body = [[label, ctx.count(level_key(var, YES)), ctx.count(n_key(var)),
             ctx.share(level_key(var, YES), n_key(var))] for label, var in VICTIM_STEPS]
    shown = ctx.disclosure
    offered = numbers.k_of_n(shown, level_key("rj_offered", YES), n_key("rj_offered"))
    proceeded = numbers.k_of_n(shown, level_key("rj_proceeded", YES), n_key("rj_proceeded"), "")
    counted = [*VICTIM_STEPS, *((s.label, s.variable) for s in RESTORATIVE_JUSTICE)]
    data = pd.DataFrame([(label, var, *yes(var)) for label, var in counted],
                        columns=["step", "variable", "k", "n"])
    return Exhibit(heading("Victim contact and restorative justice", 4, "outcome-5-victim-path")
            + table("The statutory victim contact path: cases at each step, out of the cases "
                    "that reached the step before (the denominator)",
                    ["Step", "Cases", "Out of (n)", "Share"], body, numeric=(1, 2, 3))
            + paragraph(f"Restorative justice was offered in {offered} and proceeded in "
                        f"{proceeded} where offered."), data)

