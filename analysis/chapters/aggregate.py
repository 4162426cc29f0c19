"""The cross-area aggregate report: what the aggregate notebook calls.

Reads only the tidy tables a build writes (``outputs/tables``), never executed notebooks.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..method import positions
from ..method.disclosure import area_key, factor_key, k_key, n_key, pooled_key
from ..method.positions import ABOVE, BELOW, BETA_BINOMIAL, OUTCOME, QUESTION
from ..method.published import headline_scores
from ..report.exhibit import DrawnOnDemand, Exhibit
from . import charts, numbers
from . import html as htmlout
from .comparison import chance_sentence
from .context import AggregateContext
from .html import escape, heading, interval, note, paragraph, pct, table

if TYPE_CHECKING:
    from matplotlib.figure import Figure


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


def _decided(ctx: AggregateContext, kind: str) -> pd.DataFrame:
    """The comparisons rows of one kind for the areas of this report, with area names."""
    rows = ctx.tables["comparisons"]
    rows = rows[rows["kind"] == kind].copy()
    rows["name"] = [ctx.name(a) for a in rows["area_id"]]
    return rows


def _chance(rows: pd.DataFrame, what: str) -> str:
    """The chance statement for these rows, with how many are marked."""
    marked = int(rows["decision"].isin([ABOVE, BELOW]).sum())
    return (chance_sentence(positions.expected_chance_flags(rows), len(rows), what)
            + f" {marked} are marked.")


def _names(rows: pd.DataFrame, decision: str) -> str:
    """The areas of one decision, highest share first (ties in table order), or "none"."""
    pick = rows["decision"].to_numpy() == decision
    shares = rows["share"].to_numpy(dtype=float)[pick]
    names = rows["name"].to_numpy()[pick][np.argsort(-shares, kind="stable")]
    return ", ".join(names) or "none"


def outcome_intervals(ctx: AggregateContext) -> Exhibit:
    """Each outcome's area scores with their intervals; data: the comparisons rows shown."""
    parts = [heading("Areas against the all-areas score, by outcome", 2, "outcome-intervals"),
             paragraph("Each area's outcome score with its 95% interval, sorted by score but "
                       "not numbered: overlapping intervals mean the order is not established. "
                       "An area is marked unusually high (or low) only when its score lies "
                       "beyond the 99.8% range that areas' scores usually span around the "
                       "all-areas score, allowing for how much areas differ from one another "
                       "as well as for the area's own sampling.")]
    decided = _decided(ctx, OUTCOME)
    # the chart draws each area's own interval, not the limits it was judged by
    decided = decided.assign(lower=decided["share_lower"], upper=decided["share_upper"])
    parts.append(paragraph(_chance(decided, "outcome results of the areas")))
    figures = []
    for o in ctx.bank.outcomes:
        sub = decided[decided["measure"] == str(o.id)]
        fig, alt = charts.score_intervals(sub, f"Outcome {o.id}: {o.short}",
                                          float(sub["pooled"].iloc[0]))
        parts.append(heading(f"Outcome {o.id}: {o.title}", 3, f"outcome-intervals-{o.id}"))
        parts.append(htmlout.figure(fig, alt, f"Outcome {o.id} scores with 95% intervals; "
                                    "dashed line: all-areas score."))
        charts.close(fig)
        figures.append(fig)
        parts.append(paragraph(f"Unusually high among areas: {_names(sub, ABOVE)}. Unusually "
                               f"low among areas: {_names(sub, BELOW)}."))
    return Exhibit("".join(parts), decided, tuple(figures))


def funnels(ctx: AggregateContext) -> Exhibit:
    """A chart per key question: the limits the decision used, every area named; a compact
    table for the other questions. Data: the comparisons rows of every question."""
    parts = [heading("How each area compares on the key questions", 2, "funnels"),
             paragraph(
                 "How to read the charts: each dot is an area, its share against its number of "
                 "applicable cases. The black line is the all-areas figure; the solid lines "
                 "enclose the range areas with that many cases usually span (99.8%), the "
                 "dashed lines the 95% range. Small samples vary more, so the range narrows "
                 "as the number of cases grows, but not to nothing: areas differ from one "
                 "another, and the range allows for that spread, estimated from the areas "
                 "themselves. An area outside the solid lines is marked as unusual among "
                 "areas. The methods appendix gives the formulas.")]
    decided = _decided(ctx, QUESTION)
    disp = ctx.tables["dispersion"].set_index("measure")
    pq = ctx.tables["pooled_questions"]
    keys = pq[pq["key"]].drop_duplicates("question").sort_values(["outcome", "order"])
    parts.append(paragraph(_chance(decided[decided["measure"].isin(set(keys["question"]))],
                                   "results of the areas on the key questions")))
    by_question = dict(tuple(decided.groupby("measure", sort=False)))
    curves = dict(tuple(ctx.tables["funnel_limits"].groupby("measure", sort=False)))
    canvas = charts.FunnelCanvas()
    drawn: list[FunnelArgs] = []
    for q in keys.itertuples():
        sub = by_question.get(q.question)
        if sub is None:
            continue
        d = disp.loc[q.question]
        parts.append(heading(q.label, 3, f"funnel-{q.question}"))
        args = _key_chart(ctx, sub, d, q.question, q.label, curves[q.question])
        if args is not None:
            fig, alt = canvas.draw(*args)
            k, n = pooled_key(k_key(q.question)), pooled_key(n_key(q.question))
            parts.append(htmlout.figure(fig, alt, f"{q.label} (criterion {q.criterion}): all "
                                        f"areas {ctx.share(k, n)}. * fewer than 10 cases "
                                        "(hollow dot)."))
            drawn.append(args)
        parts.append(paragraph(f"Unusually high among areas: {_names(sub, ABOVE)}. Unusually "
                               f"low: {_names(sub, BELOW)}. " + _dispersion_words(d)))
    charts.close(canvas.fig)
    parts.append(_other_questions(ctx, decided, by_question, keys))
    parts.append(ctx.note())
    return Exhibit("".join(parts), decided, DrawnOnDemand(len(drawn), functools.partial(
        _funnel_figure, drawn)))


#: What one funnel chart is drawn from: points, curve, all-areas figure, limits, title.
FunnelArgs = tuple[pd.DataFrame, pd.DataFrame, float, str, str]


def _funnel_figure(drawn: list[FunnelArgs], index: int) -> Figure:
    """The index-th funnel of a report as a figure of its own (closed to pyplot, as every
    chart of an exhibit is, so that it is shown only when asked for)."""
    fig, _ = charts.funnel_plot(*drawn[index])
    charts.close(fig)
    return fig


def _key_chart(ctx: AggregateContext, sub: pd.DataFrame, d: pd.Series, question: str,
               label: str, limits: pd.DataFrame) -> FunnelArgs | None:
    """What one key question's chart shows (``limits``: the build's curve of the limits the
    decision used, from the funnel_limits table), or None when publication hides its
    figures."""
    k, n = pooled_key(k_key(question)), pooled_key(n_key(question))
    shown = sub[[not _area_hidden(ctx, r.area_id, question) for r in sub.itertuples()]]
    if shown.empty or ctx.disclosure.share_hidden(k, n):  # hidden figures are left out
        return None
    drawn = limits[limits["n"] <= positions.chart_top(float(sub["n"].max()))]
    curve = pd.DataFrame({"n": drawn["n"].to_numpy(dtype=float),
                          **{c: drawn[c].to_numpy(dtype=float)
                             for c in ("lower", "upper", "lower_95", "upper_95")}})
    return shown, curve, float(d["pooled"]), str(d["limits"]), label


def _dispersion_words(d: pd.Series) -> str:
    if d["limits"] == BETA_BINOMIAL:
        return ("Areas' true shares typically differ from the all-areas figure by about "
                f"{100 * d['spread']:.0f} points (estimated from the areas), and the range "
                "allows for it.")
    return ("The areas differ no more than the sampling of their cases explains, so the "
            "range is the exact binomial one.")


def _other_questions(ctx: AggregateContext, decided: pd.DataFrame,
                     by_question: dict[str, pd.DataFrame], keys: pd.DataFrame) -> str:
    """The questions that are not key ones, in one compact table instead of 68 charts."""
    pq = ctx.tables["pooled_questions"].drop_duplicates("question").sort_values(
        ["outcome", "order"])
    rest = pq[~pq["question"].isin(set(keys["question"]))]
    rows = decided[decided["measure"].isin(set(rest["question"]))]
    body = []
    for q in rest.itertuples():
        sub = by_question.get(q.question)
        if sub is None:
            continue
        body.append([q.label, ctx.share(pooled_key(k_key(q.question)),
                                        pooled_key(n_key(q.question))),
                     _names(sub, ABOVE), _names(sub, BELOW)])
    return (heading("The other questions", 3, "funnels-other")
            + table("Every other scoring question: all-areas figure and the areas unusually "
                    "high or low among areas (same rule as the charts)",
                    ["Question", "All areas", "Unusually high", "Unusually low"], body,
                    numeric=(1,))
            + paragraph(_chance(rows, "results of the areas on these questions")))


def question_heatmap(ctx: AggregateContext) -> Exhibit:
    """Key questions by area, one heatmap per outcome so that the text stays readable."""
    qs = ctx.tables["all_question_scores"]
    keyq = qs[qs["key"]].drop_duplicates(["area_id", "question"]).copy()
    hidden = [_area_hidden(ctx, r.area_id, r.question) for r in keyq.itertuples()]
    keyq.loc[hidden, "share"] = math.nan  # hidden figures are left out of charts
    parts = [heading("Key questions across areas", 2, "question-heatmap")]
    figures = []
    for o in ctx.bank.outcomes:
        sub = keyq[keyq["outcome"] == o.id]
        if sub.empty:
            continue
        matrix = sub.pivot(index="label", columns="area_id", values="share")
        order = sub.drop_duplicates("label").sort_values("order")["label"]
        matrix = matrix.loc[[lab for lab in order if lab in matrix.index]]
        matrix.columns = [ctx.name(c) for c in matrix.columns]
        fig, alt = charts.heatmap(matrix, f"Outcome {o.id}: {o.short}", "Area")
        parts.append(htmlout.figure(fig, alt, f"Outcome {o.id} key questions by area: share "
                                    "judged sufficient (%)."))
        charts.close(fig)
        figures.append(fig)
    return Exhibit("".join(parts), keyq, tuple(figures))


def _area_hidden(ctx: AggregateContext, area_id: str, question: str) -> bool:
    """Whether the area's own report hides this question's share."""
    return ctx.disclosure.share_hidden(area_key(area_id, k_key(question)),
                                       area_key(area_id, n_key(question)))


def _pooled_figures(ctx: AggregateContext, question: str, lower: float,
                    upper: float) -> list[str]:
    """n, k, share and interval of a pooled question, as the policy shows them."""
    k, n = pooled_key(k_key(question)), pooled_key(n_key(question))
    return [ctx.count(n), ctx.count(k), ctx.share(k, n),
            numbers.share_interval(ctx.disclosure, k, n, lower, upper)]


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


def methods_appendix(ctx: AggregateContext) -> Exhibit:
    """The formulas behind the comparisons, for readers who want them (the body has none)."""
    items = list(positions.METHOD_FORMULAS)
    body = "".join(f"<dt>{escape(t)}</dt><dd>{escape(d)}</dd>" for t, d in items)
    return Exhibit(heading("Appendix: how areas are compared", 2, "methods")
                   + paragraph("Every comparison in this report and in the area reports is "
                               "decided once, by these rules, and written to "
                               "tables/comparisons.csv.")
                   + f"<dl>{body}</dl>" + paragraph(positions.MULTIPLICITY),
                   ctx.tables["dispersion"])
