"""The outcome chapters: headline score, strengths, findings by criterion, charts.

Each function returns an :class:`~analysis.report.exhibit.Exhibit` (report-model blocks, the
data behind them, their chart) so a notebook cell is one line: ``display(headline(ctx, 1))``.
Numbers come from the tidy tables; every count and share is a number of the report model
(:mod:`analysis.chapters.numbers`), every sentence a wording macro (``wording/outcomes.j2``).
Strengths and areas for improvement follow the rule in :mod:`analysis.method.keyfindings`,
and findings are sentences from :mod:`analysis.chapters.prose` beside each criterion's table.
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
from ..report.model import (
    Column,
    Difference,
    External,
    Heading,
    Kind,
    Number,
    Paragraph,
    Role,
    Table,
    TableCell,
    Text,
    depends_on,
    share_of,
)
from . import charts, numbers, prose, style
from .context import AreaContext, label_banner
from .figures import chart
from .say import plain, say


def _outcome_slug(outcome: int) -> str:
    return f"outcome-{outcome}"


def chapter_title(ctx: AreaContext, outcome: int) -> Exhibit:
    o = ctx.bank.outcome_by_id[outcome]
    data = pd.DataFrame({"area_id": [ctx.area.id], "area": [ctx.area.name],
                         "label": [ctx.area.label_text], "outcome": [o.id], "title": [o.title]})
    return Exhibit((Heading(plain("outcomes.chapter_heading", outcome=o), 2,
                            _outcome_slug(outcome)), label_banner(ctx)), data)


def outcome_score(ctx: AreaContext, outcome: int) -> tuple[Number, Number]:
    """An outcome's score and its bootstrap interval, with their lineage."""
    row = ctx.tables["outcome_scores"].set_index("outcome").loc[outcome]
    lineage = numbers.score_lineage(_scoring_rows(ctx, outcome), str(row["reading"]))
    return (numbers.score(float(row["score"]), lineage),
            numbers.interval(float(row["lower"]), float(row["upper"]), depends_on(lineage)))


def headline(ctx: AreaContext, outcome: int) -> Exhibit:
    """The case assessment score with its interval, denominator and (if any) published figure."""
    o = ctx.bank.outcome_by_id[outcome]
    scores = ctx.tables["outcome_scores"]
    row = scores.set_index("outcome").loc[outcome]
    published = headline_scores(ctx.data_dir, ctx.area.id)
    data = scores[scores["outcome"] == outcome].assign(
        published_percent=published.get(outcome, math.nan))
    blocks: list = [Heading("Case assessment score", 3, f"{_outcome_slug(outcome)}-score")]
    if math.isnan(row["score"]):
        blocks.append(Paragraph(say("outcomes.not_applicable")))
        return Exhibit(tuple(blocks), data)
    score, spread = outcome_score(ctx, outcome)
    blocks.append(Paragraph(say("outcomes.headline", score=Role("score", (score,)),
                                title=o.title, interval=spread), "headline"))
    reading = str(row["reading"])
    rows = _scoring_rows(ctx, outcome)
    questions = Number(int(row["n_questions"]), Kind.NUMBER,
                       depends_on(*(share_of(k_key(q), n_key(q))
                                    for q in rows["question"])))
    blocks.append(Paragraph(say("outcomes.scoring_method", reading_label=READING_LABEL[reading],
                                reading_text=READING_TEXT[reading], questions=questions,
                                cases=ctx.count(CASES)), "method"))
    if outcome in published:
        shown = numbers.external(published[outcome], Kind.PERCENT, "published report")
        gap = Number(float(row["score"]) - published[outcome] / 100, Kind.POINTS,
                     Difference(score.lineage, External("published report")), digits=0)
        blocks.append(Paragraph(say("outcomes.published", published=shown, score=score,
                                    difference=gap), "published"))
    return Exhibit(tuple(blocks), data)


def expectations(ctx: AreaContext, outcome: int) -> Exhibit:
    o = ctx.bank.outcome_by_id[outcome]
    return Exhibit((Heading(plain("outcomes.expect_heading"), 3,
                            f"{_outcome_slug(outcome)}-expect"),
                    Paragraph(Text.of(o.expect))),
                   pd.DataFrame({"outcome": [o.id], "expect": [o.expect]}))


def _scoring_rows(ctx: AreaContext, outcome: int) -> pd.DataFrame:
    q = ctx.tables["question_scores"]
    return q[q["outcome"] == outcome].sort_values("order")


def strengths_and_improvements(ctx: AreaContext, outcome: int) -> Exhibit:
    """Key strengths and areas for improvement as sentences, chosen by the one rule of
    :mod:`analysis.method.keyfindings` (the same in every area and in the summary)."""
    return prose.key_findings_block(ctx, outcome)


def question_table(ctx: AreaContext, rows: pd.DataFrame, caption: Text) -> Table:
    """A table of questions: n, k, share and interval, each as the policy shows it."""
    body = tuple((str(r.label), ctx.count(n_key(r.question)), ctx.count(k_key(r.question)),
                  ctx.share(k_key(r.question), n_key(r.question)),
                  ctx.interval(k_key(r.question), n_key(r.question), r.lower, r.upper))
                 for r in rows.itertuples())
    return Table(caption, (Column("Question"), Column("Applicable cases (n)", True),
                           Column("Sufficient (k)", True), Column("Share", True),
                           Column("95% Wilson interval", True)), body)


def findings(ctx: AreaContext, outcome: int) -> Exhibit:
    """Explanation of findings: per criterion, what stands out, in words; every question's
    figures are tabled in the technical annex (:func:`question_tables`), not here twice."""
    slug = _outcome_slug(outcome)
    blocks: list = [Heading("Explanation of findings", 3, f"{slug}-findings")]
    crit_scores = ctx.tables["criterion_scores"].set_index("criterion")
    rows = _scoring_rows(ctx, outcome)
    for c in ctx.bank.criteria_of(outcome):
        sub = rows[rows["criterion"] == c.id]
        blocks.append(Heading(plain("outcomes.criterion_heading", criterion=c), 4,
                              f"{slug}-criterion-{slug_id(c.id)}"))
        if sub.empty:
            blocks.append(Paragraph(say("outcomes.no_question")))
            continue
        blocks.extend(prose.criterion_paragraph(ctx, sub, _criterion_score(ctx, sub, c.id,
                                                                           crit_scores)))
    blocks.append(Paragraph(say("outcomes.tables_in_annex"), "note"))
    blocks.extend(ctx.rules())
    return Exhibit(tuple(blocks), rows)


def _criterion_score(ctx: AreaContext, sub: pd.DataFrame, criterion: str,
                     crit_scores: pd.DataFrame) -> Number:
    """A criterion's score as printed, with the lineage of its questions' shares."""
    value = crit_scores.loc[criterion, "score"] if criterion in crit_scores.index else math.nan
    return numbers.score(float(value), numbers.score_lineage(sub, "questions"))


def question_tables(ctx: AreaContext, outcome: int) -> Exhibit:
    """Every scoring question of an outcome with its n, k, share and interval, one table per
    criterion: the analysts' full rows behind the report's explanation of findings (printed
    in the technical annex)."""
    o = ctx.bank.outcome_by_id[outcome]
    slug = f"annex-{_outcome_slug(outcome)}"
    blocks: list = [Heading(plain("outcomes.annex_outcome_heading", outcome=o), 3, slug)]
    crit_scores = ctx.tables["criterion_scores"].set_index("criterion")
    rows = _scoring_rows(ctx, outcome)
    for c in ctx.bank.criteria_of(outcome):
        sub = rows[rows["criterion"] == c.id]
        if sub.empty:
            continue
        score = _criterion_score(ctx, sub, c.id, crit_scores)
        blocks.append(question_table(ctx, sub, say("outcomes.criterion_caption", criterion=c,
                                                   score=score)))
    also = rows[~rows["criterion"].isin([c.id for c in ctx.bank.criteria_of(outcome)])]
    if not also.empty:
        blocks.append(question_table(ctx, also, say("outcomes.also_caption")))
    return Exhibit(tuple(blocks), rows)


def slug_id(text: str) -> str:
    return text.replace(".", "-")


def _bar_numbers(ctx: AreaContext, rows: pd.DataFrame) -> tuple[Number, ...]:
    """What a bar chart of questions draws: each question's share and n."""
    return tuple(n for r in rows.itertuples()
                 for n in (ctx.share(k_key(r.question), n_key(r.question)),
                           ctx.count(n_key(r.question))))


def data_summary(ctx: AreaContext, outcome: int) -> Exhibit:
    """The data-summary chart of the outcome's key questions, always in bank order."""
    o = ctx.bank.outcome_by_id[outcome]
    rows = _scoring_rows(ctx, outcome)
    rows = rows[rows["key"]]
    shown = rows[[r.n > 0 and not ctx.disclosure.share_hidden(k_key(r.question),
                                                              n_key(r.question))
                  for r in rows.itertuples()]]
    blocks: list = [Heading("Data summary", 3, f"{_outcome_slug(outcome)}-summary")]
    if shown.empty:
        blocks.append(Paragraph(say("outcomes.no_key_question")))
        return Exhibit(tuple(blocks), rows)
    fig, alt = charts.sufficiency_bars(shown, plain("outcomes.data_summary_title", outcome=o))
    blocks.append(chart(fig, alt, say("outcomes.data_summary_caption", outcome=o),
                        _bar_numbers(ctx, shown)))
    charts.close(fig)
    left_out = len(rows) - len(shown)
    if left_out:
        count = Number(left_out, Kind.NUMBER, depends_on(*(
            share_of(k_key(q), n_key(q)) for q in rows["question"])))
        blocks.append(Paragraph(say("outcomes.key_left_out", count=count,
                                    publish=ctx.disclosure.policy.publish), "note"))
    return Exhibit(tuple(blocks), rows, (fig,))


def distribution(ctx: AreaContext, variable: str, title: str, anchor: str,
                 level: int = 4) -> Exhibit:
    """A categorical exhibit (report types, progress, compliance path...) as chart + table."""
    d = ctx.tables["distributions"]
    sub = d[d["variable"] == variable]
    if sub.empty or int(sub["n"].iloc[0]) == 0:
        return Exhibit((Heading(title, level, anchor),
                        Paragraph(say("outcomes.nothing_to_show"))), sub)
    scale = ctx.bank.scale_of(variable)
    n = int(sub["n"].iloc[0])
    ids = [str(v) for v in sub["level"]]
    levels = [scale.label(v) for v in ids]
    counts = [int(c) for c in sub["count"]]
    keys = [level_key(variable, str(v)) for v in sub["level"]]
    body = tuple((lv, ctx.count(key), ctx.share(key, n_key(variable)))
                 for lv, key in zip(levels, keys, strict=True))
    denominator = ctx.count(n_key(variable))
    blocks: list = [Heading(title, level, anchor), Table(
        say("outcomes.distribution_caption", title=title, n=denominator),
        (Column("Answer"), Column("Cases", True), Column("Share", True)), body)]
    data = sub.assign(label=levels)
    if not ctx.disclosure.hides_any([*keys, n_key(variable)]):
        bars = style.categories(scale, ids, counts)
        fig, alt = charts.distribution_bars(bars, dict(zip(ids, levels, strict=True)), n, title)
        drawn = tuple(x for key in keys for x in (ctx.count(key),
                                                  ctx.share(key, n_key(variable))))
        blocks.append(chart(fig, alt, say("outcomes.distribution_chart_caption", title=title,
                                          n=denominator), (denominator, *drawn),
                            combined=[scale.label(lv) for b in bars if b.other
                                      for lv in b.levels]))
        charts.close(fig)
        return Exhibit(tuple(blocks), data, (fig,))
    blocks.append(Paragraph(say("outcomes.chart_left_out"), "note"))
    return Exhibit(tuple(blocks), data)


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
    blocks: list = [Heading(title, 4, anchor)]
    if frame.empty:
        blocks.append(Paragraph(say("outcomes.not_applicable_short")))
        return Exhibit(tuple(blocks), frame)
    blocks.append(question_table(ctx, frame, say("outcomes.questions_caption", title=title)))
    shown = frame[[r.n > 0 and not ctx.disclosure.share_hidden(k_key(r.question),
                                                               n_key(r.question))
                   for r in frame.itertuples()]]
    if shown.empty:
        return Exhibit(tuple(blocks), frame)
    fig, alt = charts.sufficiency_bars(shown, title)
    blocks.append(chart(fig, alt, say("outcomes.questions_chart_caption", title=title),
                        _bar_numbers(ctx, shown)))
    charts.close(fig)
    return Exhibit(tuple(blocks), frame, (fig,))


def rosh_agreement(ctx: AreaContext) -> Exhibit:
    """RoSH classification: as the area recorded it (rows) against inspectors' judgement."""
    x = ctx.tables["crosstab"]
    blocks: list = [Heading(plain("outcomes.rosh_heading"), 4, "outcome-4-rosh")]
    if x.empty:
        blocks.append(Paragraph(say("outcomes.not_applicable_short")))
        return Exhibit(tuple(blocks), x)
    scale = ctx.bank.scale_of("rosh_start")
    levels = list(scale.levels)
    rf, cf = AGREEMENT
    body: tuple[tuple[TableCell, ...], ...] = tuple(
        (scale.label(r), *[ctx.count(cell_key(rf, r, cf, c)) for c in levels]) for r in levels)
    blocks.append(Table(say("outcomes.rosh_caption", n=ctx.count(n_key(rf))),
                        (Column("Area's classification"),
                         *[Column(f"Inspectors: {scale.label(c)}", True) for c in levels]),
                        body))
    blocks.append(Paragraph(say("outcomes.rosh_disagreement",
                                disagreed=numbers.k_of_n(ctx.disclosure, DISAGREE, n_key(rf)),
                                lower=ctx.count(LOWER), higher=ctx.count(HIGHER))))
    return Exhibit(tuple(blocks), x)


def factor_table(ctx: AreaContext) -> Exhibit:
    """Table 3.4: offending-related factors, interventions and progress."""
    f = ctx.tables["factors"].sort_values(["prevalent", "identified"], ascending=False)
    body = tuple((str(r.label), ctx.count(factor_key(r.factor, "identified")),
                  ctx.share(factor_key(r.factor, "interventions:k"),
                            factor_key(r.factor, "interventions:n")),
                  ctx.share(factor_key(r.factor, "progress:k"),
                            factor_key(r.factor, "progress:n")))
                 for r in f.itertuples())
    return Exhibit((Heading("Offending-related factors", 4, "outcome-3-factors"), Table(
        say("outcomes.factors_caption"),
        (Column("Factor"), Column("Cases identified (n)", True),
         Column("Sufficient interventions", True), Column("Sufficient progress", True)),
        body)), f)


def victim_path(ctx: AreaContext) -> Exhibit:
    """The statutory victim contact path: each step's count out of the step before."""
    d = ctx.tables["distributions"]

    def yes(var: str) -> tuple[int, int]:
        sub = d[(d["variable"] == var) & (d["level"] == "yes")]
        return (int(sub["count"].iloc[0]), int(sub["n"].iloc[0])) if len(sub) else (0, 0)

    body = tuple((s.label, ctx.count(level_key(s.variable, YES)), ctx.count(n_key(s.variable)),
                  ctx.share(level_key(s.variable, YES), n_key(s.variable)))
                 for s in VICTIM_PATH)
    shown = ctx.disclosure
    offered = numbers.k_of_n(shown, level_key("rj_offered", YES), n_key("rj_offered"))
    proceeded = numbers.k_of_n(shown, level_key("rj_proceeded", YES), n_key("rj_proceeded"), "")
    data = pd.DataFrame([(s.label, s.variable, *yes(s.variable))
                         for s in (*VICTIM_PATH, *RESTORATIVE_JUSTICE)],
                        columns=["step", "variable", "k", "n"])
    return Exhibit((
        Heading(plain("outcomes.victims_heading"), 4, "outcome-5-victim-path"),
        Table(say("outcomes.victim_path_caption"),
              (Column("Step"), Column("Cases", True), Column("Out of (n)", True),
               Column("Share", True)), body),
        Paragraph(say("outcomes.restorative_justice", offered=offered, proceeded=proceeded))),
        data)
