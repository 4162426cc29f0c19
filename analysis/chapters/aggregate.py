"""The cross-area aggregate report: what the aggregate notebook calls.

Reads only the tidy tables a build writes (``outputs/tables``), never executed notebooks.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..method import funnel
from ..method.published import headline_scores
from . import charts
from . import html as htmlout
from .context import AggregateContext
from .disclosure import area_key, factor_key, k_key, n_key, pooled_key
from .exhibit import Exhibit
from .html import heading, interval, note, paragraph, pct, table


def introduction(ctx: AggregateContext) -> Exhibit:
    labels = sorted({a.label for a in ctx.areas})
    data = pd.DataFrame({"area_id": [a.id for a in ctx.areas],
                         "name": [a.name for a in ctx.areas],
                         "label": [a.label for a in ctx.areas]})
    return Exhibit(heading("About this aggregate report", 2, "about")
            + paragraph(f"{len(ctx.areas)} areas ({', '.join(labels)} data). Two kinds of "
                        "all-area figure are shown and they differ on purpose:")
            + "<ul><li><strong>Pooled</strong>: over cases. For a question, the sufficient "
              "answers of every area summed, over the applicable cases of every area summed; "
              "each case counts once, so larger samples weigh more. A pooled outcome score is "
              "the mean of its pooled question shares.</li><li><strong>Mean of area "
              "figures</strong>: the areas' own figures averaged; each area counts once "
              "whatever its sample size.</li></ul>"
            + paragraph("Areas are compared with intervals and funnel plots, not ranked: with "
                        "50 to 90 cases an area's figure is uncertain by several points, and a "
                        "league table mostly orders that noise."), data)


def outcome_summary(ctx: AggregateContext) -> Exhibit:
    po = ctx.tables["pooled_outcomes"].sort_values("outcome")
    body = [[f"Outcome {r.outcome}: {r.title}", pct(r.pooled), pct(r.mean_of_areas),
             int(r.n_areas), int(r.n_questions)] for r in po.itertuples()]
    out = ctx.tables["all_outcome_scores"]
    matrix = out.pivot(index="area_id", columns="outcome", values="score")
    matrix.index = [ctx.name(i) for i in matrix.index]
    matrix.columns = [ctx.bank.outcome_by_id[int(c)].short for c in matrix.columns]
    fig, alt = charts.heatmap(matrix, "Outcome scores by area", "Outcome")
    html = htmlout.figure(fig, alt, "Areas by outcomes: each cell an area's outcome score (%).")
    charts.close(fig)
    return Exhibit(heading("Outcome scores across areas", 2, "outcomes")
                   + table("Outcome scores: pooled over all cases and mean of area scores",
                           ["Outcome", "Pooled", "Mean of areas", "Areas", "Questions"], body,
                           numeric=(1, 2, 3, 4))
                   + html, po, (fig,))


def outcome_intervals(ctx: AggregateContext) -> Exhibit:
    parts = [heading("Areas against the pooled score, by outcome", 2, "outcome-intervals"),
             paragraph("Each area's outcome score with its 95% case-level bootstrap interval, "
                       "sorted by score but not numbered: overlapping intervals mean the "
                       "order is not established.")]
    out = ctx.tables["all_outcome_scores"]
    po = ctx.tables["pooled_outcomes"].set_index("outcome")
    frames, figures = [], []
    for o in ctx.bank.outcomes:
        sub = out[out["outcome"] == o.id].copy()
        sub["name"] = [ctx.name(a) for a in sub["area_id"]]
        fig, alt = charts.score_intervals(sub, f"Outcome {o.id}: {o.short}",
                                          float(po.loc[o.id, "pooled"]))
        parts.append(heading(f"Outcome {o.id}: {o.title}", 3, f"outcome-intervals-{o.id}"))
        parts.append(htmlout.figure(fig, alt, f"Outcome {o.id} scores with 95% intervals; "
                                    "dashed line: pooled score."))
        charts.close(fig)
        frames.append(sub)
        figures.append(fig)
        flagged = sub[sub["flag"] != "within"]
        parts.append(paragraph(
            "Pooled score outside the area's interval: " + (", ".join(
                f"{r.name} ({r.flag})" for r in flagged.itertuples()) or "none") + "."))
    return Exhibit("".join(parts), pd.concat(frames, ignore_index=True), tuple(figures))


def funnels(ctx: AggregateContext) -> Exhibit:
    """A funnel plot per key question, with the over-dispersion check and adjustment.

    Its data: every charted area's position on every key question (the funnel flags).
    """
    parts = [heading("Funnel plots of the key questions", 2, "funnels"),
             paragraph("How to read them: each dot is an area, its share against its number "
                       "of applicable cases. The horizontal line is the pooled share; the "
                       "dashed and dotted curves are 95% and 99.8% limits from the exact "
                       "binomial distribution (with interpolation, Spiegelhalter 2005). An area "
                       "inside the limits differs from the pooled value no more than chance "
                       "would explain; about 1 in 20 areas falls outside the 95% limits by "
                       "chance alone. When many areas fall outside (over-dispersion: phi, the "
                       "mean squared Winsorised z-score, above (I-1)/I), the limits are widened "
                       "by a random-effects variance tau² on the arcsine scale and the "
                       "adjusted position is reported too.")]
    flags = ctx.tables["funnel_flags"]
    disp = ctx.tables["dispersion"].set_index("question")
    pq = ctx.tables["pooled_questions"]
    keys = pq[pq["key"]].drop_duplicates("question").sort_values(["outcome", "order"])
    outside_rows = []
    frames, figures = [], []
    for q in keys.itertuples():
        sub = flags[flags["question"] == q.question].copy()
        if sub.empty:
            continue
        sub["label"] = [ctx.name(a) for a in sub["area_id"]]
        target = float(sub["pooled"].iloc[0])
        k, n = pooled_key(k_key(q.question)), pooled_key(n_key(q.question))
        # hidden figures are left out of charts
        sub = sub[[not _area_hidden(ctx, r.area_id, q.question) for r in sub.itertuples()]]
        if sub.empty or ctx.disclosure.share_hidden(k, n):
            continue
        n_max = int(max(sub["n"].max(), 10))
        grid = np.unique(np.linspace(1, n_max * 1.1, 120).astype(int))
        limits = funnel.funnel_limits(target, grid)
        fig, alt = charts.funnel_plot(sub, limits, target, q.label)
        parts.append(heading(f"{q.label}", 3, f"funnel-{q.question}"))
        parts.append(htmlout.figure(fig, alt, f"Funnel plot: {q.label} (criterion "
                                    f"{q.criterion}); pooled {ctx.share(k, n)}."))
        charts.close(fig)
        frames.append(sub)
        figures.append(fig)
        d = disp.loc[q.question] if q.question in disp.index else None
        if d is not None and not math.isnan(d["phi"]):
            parts.append(paragraph(
                f"Over-dispersion: phi = {d['phi']:.2f}, tau² = {d['tau2']:.4f} over "
                f"{int(d['n_areas'])} areas; {int(d['outside95'])} outside the 95% limits. "
                + ("Dispersed: the adjusted (random-effects) limits apply." if d["dispersed"]
                   else "Not over-dispersed: the plain limits apply.")))
        for r in sub[(sub["flag"] != "within") | (sub["flag_adjusted"] != "within")].itertuples():
            mine = (area_key(r.area_id, k_key(q.question)),
                    area_key(r.area_id, n_key(q.question)))
            outside_rows.append([q.label, r.label, ctx.share(*mine), ctx.count(mine[1]),
                                 r.flag, r.flag_adjusted])
    parts.append(heading("Areas outside the limits", 3, "funnels-outside"))
    parts.append(table("Areas outside the 95% funnel limits, by key question (plain and "
                       "over-dispersion-adjusted)", ["Question", "Area", "Share", "n",
                                                     "Plain limits", "Adjusted limits"],
                       outside_rows or [["none", "", "", "", "", ""]], numeric=(2, 3)))
    parts.append(ctx.note())
    data = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return Exhibit("".join(parts), data, tuple(figures))


def question_heatmap(ctx: AggregateContext) -> Exhibit:
    qs = ctx.tables["all_question_scores"]
    keyq = qs[qs["key"]].drop_duplicates(["area_id", "question"]).copy()
    hidden = [_area_hidden(ctx, r.area_id, r.question) for r in keyq.itertuples()]
    keyq.loc[hidden, "share"] = math.nan  # hidden figures are left out of charts
    matrix = keyq.pivot(index="area_id", columns="label", values="share")
    order = keyq.drop_duplicates("label").sort_values(["outcome", "order"])["label"]
    matrix = matrix[[c for c in order if c in matrix.columns]]
    matrix.index = [ctx.name(i) for i in matrix.index]
    fig, alt = charts.heatmap(matrix, "Key questions by area", "Question")
    html = htmlout.figure(fig, alt, "Areas by key questions: share judged sufficient (%).")
    charts.close(fig)
    return Exhibit(heading("Key questions across areas", 2, "question-heatmap") + html, keyq,
                   (fig,))


def _area_hidden(ctx: AggregateContext, area_id: str, question: str) -> bool:
    """Whether the area's own report hides this question's share."""
    return ctx.disclosure.share_hidden(area_key(area_id, k_key(question)),
                                       area_key(area_id, n_key(question)))


def _pooled_figures(ctx: AggregateContext, question: str, lower: float,
                    upper: float) -> list[str]:
    """n, k, share and interval of a pooled question, as the policy shows them."""
    k, n = pooled_key(k_key(question)), pooled_key(n_key(question))
    return [ctx.count(n), ctx.count(k), ctx.share(k, n),
            ctx.disclosure.interval(k, n, lower, upper)]


def pooled_question_table(ctx: AggregateContext) -> Exhibit:
    pq = ctx.tables["pooled_questions"].drop_duplicates("question")
    body = [[r.label, r.criterion, *_pooled_figures(ctx, r.question, r.lower, r.upper),
             pct(r.mean_of_areas)] for r in pq.itertuples()]
    return Exhibit(heading("Every question, pooled", 2, "pooled-questions")
                   + table("Every scoring question: pooled over all cases (k of n, Wilson 95% "
                           "interval) and mean of area shares",
                           ["Question", "Criterion", "n", "k", "Pooled", "95% interval",
                            "Mean of areas"], body, numeric=(2, 3, 4, 5, 6))
                   + ctx.note(), pq)


def pooled_factors(ctx: AggregateContext) -> Exhibit:
    f = ctx.tables["all_factors"]
    g = f.groupby(["factor", "label", "prevalent"], as_index=False).agg(
        identified=("identified", "sum"), ik=("interventions_k", "sum"),
        inn=("interventions_n", "sum"), pk=("progress_k", "sum"), pn=("progress_n", "sum"))
    g = g.sort_values(["prevalent", "identified"], ascending=False)
    body = [[r.label, ctx.count(pooled_key(factor_key(r.factor, "identified"))),
             *[ctx.share(pooled_key(factor_key(r.factor, f"{part}:k")),
                         pooled_key(factor_key(r.factor, f"{part}:n")))
               for part in ("interventions", "progress")]] for r in g.itertuples()]
    return Exhibit(heading("Offending-related factors, pooled", 2, "pooled-factors")
                   + table("Offending-related factors across all areas: cases identified, and "
                           "of those the pooled share with sufficient interventions and "
                           "progress", ["Factor", "Cases identified", "Sufficient interventions",
                                        "Sufficient progress"], body, numeric=(1, 2, 3))
                   + ctx.note(), g)


def published_vs_recomputed(ctx: AggregateContext) -> Exhibit:
    parts = [heading("Published and recomputed headline scores", 2, "published")]
    out = ctx.tables["all_outcome_scores"]
    rows = []
    data = []
    for a in ctx.areas:
        pub = headline_scores(ctx.data_dir, a.id)
        if not pub:
            continue
        mine = out[out["area_id"] == a.id].set_index("outcome")
        for o in ctx.bank.outcomes:
            if o.id in pub and o.id in mine.index:
                score = float(mine.loc[o.id, "score"])
                rows.append([f"{a.name}: outcome {o.id}", f"{pub[o.id]}%", pct(score),
                             f"{100 * score - pub[o.id]:+.0f}",
                             interval(mine.loc[o.id, "lower"], mine.loc[o.id, "upper"])])
                data.append({"area_id": a.id, "outcome": o.id, "published_percent": pub[o.id],
                             "score": score, "lower": float(mine.loc[o.id, "lower"]),
                             "upper": float(mine.loc[o.id, "upper"])})
    if not rows:
        return Exhibit("".join(parts) + paragraph("No area has published figures."))
    parts.append(table("Headline scores as published in 2014 and as recomputed from the "
                       "reconstructed cases over the questions the report describes",
                       ["Area and outcome", "Published", "Recomputed", "Difference (points)",
                        "95% interval"], rows, numeric=(1, 2, 3, 4)))
    parts.append(note("The recomputed score averages only the questions the report describes; "
                      "the inspection tool had more, so the two need not agree. The "
                      "difference is shown, not forced to zero."))
    return Exhibit("".join(parts), pd.DataFrame(data))
