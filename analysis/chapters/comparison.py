"""The comparison chapter: this area beside the all-areas pooled value."""

from __future__ import annotations

import math

import pandas as pd

from . import charts
from . import html as htmlout
from .context import AreaContext, label_banner
from .disclosure import k_key, n_key, pooled_key
from .exhibit import Exhibit, combine
from .html import heading, interval, paragraph, pct, table


def comparison(ctx: AreaContext) -> Exhibit:
    """This area beside the all-areas pooled value, for every outcome and key question.

    Its data: one row per outcome (``kind`` "outcome"), then per key question ("question").
    """
    parts: list[str | Exhibit] = [heading("How this area compares", 2, "comparison"),
                                  label_banner(ctx)]
    if not ctx.load_comparison():
        return combine([*parts, paragraph(
            "No cross-area tables: build all areas with `python -m analysis build`.")])
    parts.append(_outcomes(ctx))
    flags = ctx.comparison["funnel_flags"]
    mine_f = flags[flags["area_id"] == ctx.area.id].set_index("question")
    charted: list[pd.DataFrame] = []
    pooled = ctx.pooled()
    for o in ctx.bank.outcomes:
        parts.append(heading(f"Outcome {o.id}: key questions", 3, f"comparison-outcome-{o.id}"))
        frame = _key_questions(ctx, o.id, mine_f)
        parts.append(Exhibit("", frame.assign(kind="question", outcome=o.id)))
        if frame.empty:
            parts.append(paragraph("No key question."))
            continue
        body = [[r.label, ctx.count(n_key(r.question)),
                 ctx.share(k_key(r.question), n_key(r.question)),
                 pooled.share(pooled_key(k_key(r.question)), pooled_key(n_key(r.question)),
                              mark_small=False),
                 "not applicable" if r.n == 0 else r.flag] for r in frame.itertuples()]
        parts.append(table(f"Outcome {o.id} key questions: this area, all areas pooled, and "
                           "position against the 95% funnel limits",
                           ["Question", "n", "This area", "All areas (pooled)",
                            "Funnel position"], body, numeric=(1, 2, 3)))
        shown = frame[[r.n > 0 and not math.isnan(r.pooled)
                       and not ctx.disclosure.share_hidden(k_key(r.question), n_key(r.question))
                       and not pooled.share_hidden(pooled_key(k_key(r.question)),
                                                   pooled_key(n_key(r.question)))
                       for r in frame.itertuples()]]
        charted.append(shown.assign(label=[f"{o.id}: {lab}" for lab in shown["label"]]))
    parts.append(_key_question_chart(ctx, charted))
    parts.append(ctx.suppression_note())
    return combine(parts)


def _outcomes(ctx: AreaContext) -> Exhibit:
    """The outcome scores beside the pooled scores: a table and a chart."""
    outcomes = ctx.comparison["all_outcome_scores"]
    mine = outcomes[outcomes["area_id"] == ctx.area.id].sort_values("outcome")
    body = [[f"Outcome {r.outcome}: {r.title}", pct(r.score), interval(r.lower, r.upper),
             pct(r.pooled), r.flag] for r in mine.itertuples()]
    parts = [paragraph(
        "Pooled: every case in every area counted once (sum of sufficient answers over sum of "
        "applicable cases, per question; an outcome's pooled score is the mean of its pooled "
        "question shares). An outcome is marked when the pooled score lies outside this area's "
        "bootstrap interval; a question when this area's share lies outside the exact binomial "
        "95% funnel limits around the pooled share at this area's n (Spiegelhalter 2005).")]
    parts.append(table("Outcome scores: this area and all areas pooled",
                       ["Outcome", "This area", "95% interval", "All areas (pooled)",
                        "Pooled value vs this area's interval"], body, numeric=(1, 2, 3)))
    chart_rows = mine.rename(columns={"score": "share"}).assign(
        label=[f"Outcome {o}" for o in mine["outcome"]])
    fig, alt = charts.comparison_dots(chart_rows, "Outcome scores against all areas",
                                      ctx.area.name)
    parts.append(htmlout.figure(fig, alt, "Outcome scores with 95% bootstrap intervals; the "
                                "black mark is the all-areas pooled score."))
    charts.close(fig)
    return Exhibit("".join(parts), mine.assign(kind="outcome"), (fig,))


def _key_questions(ctx: AreaContext, outcome: int, mine_f: pd.DataFrame) -> pd.DataFrame:
    """The outcome's key questions: this area's figures beside the pooled share and flag."""
    q = ctx.tables["question_scores"]
    keyq = q[(q["outcome"] == outcome) & q["key"]].sort_values("order")
    rows = []
    for r in keyq.itertuples():
        f = mine_f.loc[r.question] if r.question in mine_f.index else None
        rows.append({"question": r.question, "label": r.label, "n": r.n, "k": r.k,
                     "share": r.share, "lower": r.lower, "upper": r.upper,
                     "pooled": float(f["pooled"]) if f is not None else math.nan,
                     "flag": str(f["flag"]) if f is not None else "within"})
    return pd.DataFrame(rows)


def _key_question_chart(ctx: AreaContext, charted: list[pd.DataFrame]) -> Exhibit:
    """The chart of every key question; its data is already in the outcome tables' rows."""
    every = pd.concat(charted, ignore_index=True) if charted else pd.DataFrame()
    every = every.drop_duplicates("question") if len(every) else every
    if not len(every):
        return Exhibit("")
    fig, alt = charts.comparison_dots(every, "Key questions against all areas", ctx.area.name)
    html = htmlout.figure(fig, alt, "Every key question (numbered by outcome): share with 95% "
                          "Wilson interval; the black mark is the all-areas pooled share.")
    charts.close(fig)
    return Exhibit(heading("Key questions against all areas", 3, "comparison-chart") + html,
                   figures=(fig,))
