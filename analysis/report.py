"""Building blocks of the report chapters: what the notebooks call, one function per exhibit.

Each function returns an HTML fragment (see :mod:`analysis.htmlout`) so a notebook cell is one
line: ``show(headline(ctx, 1))``. Numbers come from the tidy tables; nothing here is area-specific
text: strengths and areas for improvement follow the rule in :func:`strengths_and_improvements`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from . import charts, htmlout, paths, style
from .bank import QuestionBank, load_bank
from .catalogue import Area, load_areas
from .htmlout import SUPPRESSED, heading, interval, note, paragraph, pct, table
from .intervals import wilson
from .scoring import score_area
from .tables import AREA_TABLES, read_table
from .validation import load_cases

STRENGTH_LOWER = 0.80      # a strength: confident (Wilson lower limit) at least 80% done well
IMPROVE_UPPER = 0.67       # an area for improvement: confident at most two-thirds done well
MAX_LISTED = 3

COMPARISON_TABLES = ("pooled_questions", "pooled_outcomes", "funnel_flags", "all_outcome_scores")


@dataclass
class AreaContext:
    """Everything a chapter needs about one area, read once per notebook."""

    area: Area
    bank: QuestionBank
    tables: dict[str, pd.DataFrame]
    data_dir: Path
    output_dir: Path
    publish: bool = False
    threshold: int = 5
    comparison: dict[str, pd.DataFrame] = field(default_factory=dict)

    @classmethod
    def load(cls, area_id: str, data_dir: str = "", output_dir: str = "",
             publish: bool = False, threshold: int = 5) -> AreaContext:
        """Read the area's tidy tables, or score its cases if no build has written them."""
        data = paths.data_dir(data_dir)
        out = paths.output_dir(output_dir)
        bank = load_bank()
        areas = {a.id: a for a in load_areas(data)}
        if area_id not in areas:
            raise KeyError(f"area {area_id!r} is not in {data / 'areas.csv'}")
        area = areas[area_id]
        folder = paths.area_tables(out, area_id)
        if all((folder / f"{name}.parquet").exists() for name in AREA_TABLES):
            tables = {name: read_table(folder, name) for name in AREA_TABLES}
        else:
            cases = load_cases([area.cases], bank).area(area_id)
            tables = score_area(cases, bank, area_id).as_dict()
        return cls(area, bank, tables, data, out, publish, threshold)

    def load_comparison(self) -> dict[str, pd.DataFrame]:
        """The cross-area tables; read only by the comparison chapter, so that a change in
        another area re-runs only that chapter here (see :mod:`analysis.pipeline`)."""
        shared = paths.all_tables(self.output_dir)
        for name in COMPARISON_TABLES:
            if (shared / f"{name}.parquet").exists():
                self.comparison[name] = read_table(shared, name)
        return self.comparison

    # disclosure control -------------------------------------------------------------
    def count(self, k: int | float) -> str:
        if self.publish and 0 < k < self.threshold:
            return SUPPRESSED
        return str(int(k))

    def share(self, k: int | float, n: int | float, value: float) -> str:
        if n == 0:
            return htmlout.NOT_APPLICABLE
        if self.publish and (n < self.threshold or 0 < k < self.threshold
                             or 0 < n - k < self.threshold):
            return SUPPRESSED
        text = pct(value)
        return text + " *" if n < style.SMALL_N else text

    def interval(self, k: int | float, n: int | float, lower: float, upper: float) -> str:
        if self.share(k, n, 0.0) == SUPPRESSED:
            return SUPPRESSED
        return interval(lower, upper)

    def suppression_note(self) -> str:
        if not self.publish:
            return ""
        return note(f"Publication mode: counts below {self.threshold}, and shares whose "
                    f"denominator or count is below {self.threshold}, are shown as {SUPPRESSED} "
                    "and left out of charts.")


def show(html: str) -> None:
    """Display an HTML fragment as the cell's only output."""
    from IPython.display import HTML, display

    display(HTML(html))


def _outcome_slug(outcome: int) -> str:
    return f"outcome-{outcome}"


def label_banner(ctx: AreaContext) -> str:
    return f'<p class="data-label" role="note"><strong>Data:</strong> ' \
           f'{htmlout.escape(ctx.area.label_text)}.</p>'


def published_headlines(data_dir: Path, area_id: str) -> dict[int, int]:
    path = data_dir / "published" / f"{area_id}.yaml"
    if not path.exists():
        return {}
    raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {int(h["outcome"]): int(h["percent"]) for h in raw.get("headline_scores", [])}


# chapter parts ------------------------------------------------------------------------
def chapter_title(ctx: AreaContext, outcome: int) -> str:
    o = ctx.bank.outcome_by_id[outcome]
    return heading(f"Outcome {o.id}: {o.title}", 2, _outcome_slug(outcome)) + label_banner(ctx)


def headline(ctx: AreaContext, outcome: int) -> str:
    """The case assessment score with its interval, denominator and (if any) published figure."""
    o = ctx.bank.outcome_by_id[outcome]
    row = ctx.tables["outcome_scores"].set_index("outcome").loc[outcome]
    slug = _outcome_slug(outcome)
    parts = [heading("Case assessment score", 3, f"{slug}-score")]
    if math.isnan(row["score"]):
        parts.append(paragraph("No scoring question applied to any case: not applicable."))
        return "".join(parts)
    parts.append(
        f'<p class="headline"><span class="score">{pct(row["score"])}</span> of work on '
        f"{htmlout.escape(o.title.lower())} was done well enough (95% bootstrap interval "
        f"{interval(row['lower'], row['upper'])}).</p>")
    parts.append(paragraph(
        f"The score is the mean, over the {int(row['n_questions'])} scoring questions of this "
        f"outcome that applied to at least one case, of the share of applicable cases judged "
        f"sufficient; {int(row['n_cases'])} cases were inspected. The interval comes from "
        "resampling cases (seeded bootstrap, 2,000 resamples).", "method"))
    published = published_headlines(ctx.data_dir, ctx.area.id)
    if outcome in published:
        diff = 100 * row["score"] - published[outcome]
        parts.append(paragraph(
            f"Published in the 2014 report: {published[outcome]}%. Recomputed here from the "
            f"reconstructed cases over the questions the report describes: {pct(row['score'])} "
            f"(difference {diff:+.0f} points).", "published"))
    return "".join(parts)


def expectations(ctx: AreaContext, outcome: int) -> str:
    o = ctx.bank.outcome_by_id[outcome]
    return heading("What we expect to see", 3, f"{_outcome_slug(outcome)}-expect") + \
        paragraph(o.expect)


def _scoring_rows(ctx: AreaContext, outcome: int) -> pd.DataFrame:
    q = ctx.tables["question_scores"]
    return q[q["outcome"] == outcome].sort_values("order")


def strengths_and_improvements(ctx: AreaContext, outcome: int) -> str:
    """Key strengths and areas for improvement by a fixed rule, the same in every area.

    Rule: among the outcome's scoring questions with at least ``style.SMALL_N`` applicable
    cases, a *key strength* has a Wilson 95% lower limit of at least 80% (we are confident at
    least four in five were done well); a *key area for improvement* has an upper limit below
    67% (confident at most two-thirds were). At most three of each, the most certain first.
    """
    rows = _scoring_rows(ctx, outcome)
    rows = rows[rows["n"] >= max(style.SMALL_N, ctx.threshold if ctx.publish else 0)]
    strong = rows[rows["lower"] >= STRENGTH_LOWER].sort_values("lower", ascending=False)
    weak = rows[rows["upper"] < IMPROVE_UPPER].sort_values("upper")
    slug = _outcome_slug(outcome)

    def items(frame: pd.DataFrame) -> str:
        if frame.empty:
            return "<p>No question met the rule.</p>"
        li = "".join(
            f"<li>{htmlout.escape(r.label)}: {ctx.share(r.k, r.n, r.share)} of {r.n} applicable "
            f"cases (95% interval {ctx.interval(r.k, r.n, r.lower, r.upper)}).</li>"
            for r in frame.head(MAX_LISTED).itertuples())
        return f"<ol>{li}</ol>"

    rule = ("Listed by rule, not by hand: a strength has a 95% Wilson lower limit of at least "
            f"{STRENGTH_LOWER:.0%}; an area for improvement an upper limit below "
            f"{IMPROVE_UPPER:.0%}; only questions with at least {style.SMALL_N} applicable cases.")
    return (heading("Key strengths", 3, f"{slug}-strengths") + items(strong)
            + heading("Key areas for improvement", 3, f"{slug}-improve") + items(weak)
            + note(rule))


def _question_table(ctx: AreaContext, rows: pd.DataFrame, caption: str) -> str:
    body = [[r.label, ctx.count(r.n), ctx.count(r.k), ctx.share(r.k, r.n, r.share),
             ctx.interval(r.k, r.n, r.lower, r.upper)] for r in rows.itertuples()]
    return table(caption, ["Question", "Applicable cases (n)", "Sufficient (k)", "Share",
                           "95% Wilson interval"], body, numeric=(1, 2, 3, 4))


def findings(ctx: AreaContext, outcome: int) -> str:
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
        parts.append(_question_table(
            ctx, sub, f"Criterion {c.id}: questions judged sufficient (criterion score "
            f"{pct(score)}, the mean of its question shares)"))
    also = rows[~rows["criterion"].isin([c.id for c in ctx.bank.criteria_of(outcome)])]
    if not also.empty:
        parts.append(heading("Also counted in this score", 4, f"{slug}-also"))
        parts.append(_question_table(
            ctx, also, "Victims questions that also count towards this outcome's score "
            "(seed footnote 2); discussed under Outcome 5"))
    parts.append(note("n is the number of cases where the question applied; share = k / n. "
                      "* marks a share on fewer than 10 cases: read it with its interval. "
                      "'not applicable' means no case in the sample needed this work."))
    parts.append(ctx.suppression_note())
    return "".join(parts)


def slug_id(text: str) -> str:
    return text.replace(".", "-")


def data_summary(ctx: AreaContext, outcome: int) -> str:
    """The data-summary chart of the outcome's key questions, always in bank order."""
    o = ctx.bank.outcome_by_id[outcome]
    rows = _scoring_rows(ctx, outcome)
    rows = rows[rows["key"]]
    shown = rows[(rows["n"] > 0) & ~rows.apply(
        lambda r: ctx.share(r["k"], r["n"], r["share"]) == SUPPRESSED, axis=1)]
    parts = [heading("Data summary", 3, f"{_outcome_slug(outcome)}-summary")]
    if shown.empty:
        return "".join(parts) + paragraph("No key question applied to any case.")
    fig, alt = charts.sufficiency_bars(shown, f"{o.short}: key questions")
    parts.append(htmlout.figure(fig, alt, f"Key questions of outcome {o.id}: share of "
                                f"applicable cases judged sufficient (n per bar)."))
    charts.close(fig)
    left_out = len(rows) - len(shown)
    if left_out:
        parts.append(note(f"{left_out} key question(s) left out: no applicable case"
                          + (" or suppressed in publication mode." if ctx.publish else ".")))
    return "".join(parts)


def distribution(ctx: AreaContext, variable: str, title: str, anchor: str,
                 level: int = 4) -> str:
    """A categorical exhibit (report types, progress, compliance path...) as chart + table."""
    d = ctx.tables["distributions"]
    sub = d[d["variable"] == variable]
    if sub.empty or int(sub["n"].iloc[0]) == 0:
        return heading(title, level, anchor) + paragraph("Not applicable: no case had this.")
    scale = ctx.bank.scale_of(variable)
    n = int(sub["n"].iloc[0])
    levels = [scale.label(v) for v in sub["level"]]
    counts = [int(c) for c in sub["count"]]
    parts = [heading(title, level, anchor)]
    body = [[lv, ctx.count(c), ctx.share(c, n, c / n)] for lv, c in
            zip(levels, counts, strict=True)]
    parts.append(table(f"{title} (denominator: {ctx.count(n)} cases where it applied)",
                       ["Answer", "Cases", "Share"], body, numeric=(1, 2)))
    if not (ctx.publish and (n < ctx.threshold or any(0 < c < ctx.threshold for c in counts))):
        fig, alt = charts.distribution_bars(levels, counts, n, title)
        parts.append(htmlout.figure(fig, alt, f"{title}: share of {n} cases."))
        charts.close(fig)
    else:
        parts.append(note("Chart left out: it would show suppressed counts."))
    return "".join(parts)


def questions_chart(ctx: AreaContext, qids: list[str], title: str, anchor: str) -> str:
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
        rows.append({"label": q.label, "n": n, "k": k,
                     "share": k / n if n else math.nan, "lower": lo[0], "upper": hi[0]})
    frame = pd.DataFrame(rows)
    parts = [heading(title, 4, anchor)]
    if frame.empty:
        return "".join(parts) + paragraph("Not applicable.")
    parts.append(_question_table(ctx, frame, f"{title}: cases judged sufficient / yes"))
    shown = frame[(frame["n"] > 0) & ~frame.apply(
        lambda r: ctx.share(r["k"], r["n"], r["share"]) == SUPPRESSED, axis=1)]
    if not shown.empty:
        fig, alt = charts.sufficiency_bars(shown, title)
        parts.append(htmlout.figure(fig, alt, f"{title} (n per bar)."))
        charts.close(fig)
    return "".join(parts)


def rosh_agreement(ctx: AreaContext) -> str:
    """RoSH classification: as the area recorded it (rows) against inspectors' judgement."""
    x = ctx.tables["crosstab"]
    parts = [heading("RoSH classification: area against inspectors", 4, "outcome-4-rosh")]
    if x.empty:
        return "".join(parts) + paragraph("Not applicable.")
    scale = ctx.bank.scale_of("rosh_start")
    levels = list(scale.levels)
    body = []
    for r in levels:
        cells = [ctx.count(int(x[(x["row_level"] == r) & (x["col_level"] == c)]["count"].sum()))
                 for c in levels]
        body.append([scale.label(r), *cells])
    n = int(x["n"].iloc[0])
    lower = sum(int(x[(x["row_level"] == r) & (x["col_level"] == c)]["count"].sum())
                for i, r in enumerate(levels) for c in levels[i + 1:])
    higher = sum(int(x[(x["row_level"] == r) & (x["col_level"] == c)]["count"].sum())
                 for i, r in enumerate(levels) for c in levels[:i])
    parts.append(table(f"RoSH at the start as the area recorded it (rows) and as inspectors "
                       f"judged it (columns), {n} cases",
                       ["Area's classification", *[f"Inspectors: {scale.label(c)}"
                                                   for c in levels]], body,
                       numeric=tuple(range(1, len(levels) + 1))))
    parts.append(paragraph(
        f"Inspectors disagreed in {ctx.count(lower + higher)} of {n} cases: the area's "
        f"classification was lower in {ctx.count(lower)} and higher in {ctx.count(higher)}."))
    return "".join(parts)


def factor_table(ctx: AreaContext) -> str:
    """Table 3.4: offending-related factors, interventions and progress."""
    f = ctx.tables["factors"]
    body = [[r.label, ctx.count(r.identified),
             ctx.share(r.interventions_k, r.interventions_n, r.interventions_share),
             ctx.share(r.progress_k, r.progress_n, r.progress_share)]
            for r in f.sort_values(["prevalent", "identified"], ascending=False).itertuples()]
    return heading("Offending-related factors", 4, "outcome-3-factors") + table(
        "Offending-related factors: cases where inspectors identified the factor, and of those "
        "the share with sufficient interventions and with sufficient progress",
        ["Factor", "Cases identified (n)", "Sufficient interventions", "Sufficient progress"],
        body, numeric=(1, 2, 3))


# comparison chapter -----------------------------------------------------------------------
def comparison(ctx: AreaContext) -> str:
    """This area beside the all-areas pooled value, for every outcome and key question."""
    parts = [heading("How this area compares", 2, "comparison"), label_banner(ctx)]
    if not ctx.load_comparison():
        return "".join(parts) + paragraph(
            "No cross-area tables: build all areas with `python -m analysis build`.")
    outcomes = ctx.comparison["all_outcome_scores"]
    mine = outcomes[outcomes["area_id"] == ctx.area.id].sort_values("outcome")
    body = [[f"Outcome {r.outcome}: {r.title}", pct(r.score), interval(r.lower, r.upper),
             pct(r.pooled), r.flag] for r in mine.itertuples()]
    parts.append(paragraph(
        "Pooled: every case in every area counted once (sum of sufficient answers over sum of "
        "applicable cases, per question; an outcome's pooled score is the mean of its pooled "
        "question shares). An outcome is marked when the pooled score lies outside this area's "
        "bootstrap interval; a question when this area's share lies outside the exact binomial "
        "95% funnel limits around the pooled share at this area's n (Spiegelhalter 2005)."))
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
    flags = ctx.comparison["funnel_flags"]
    mine_f = flags[flags["area_id"] == ctx.area.id].set_index("question")
    q = ctx.tables["question_scores"]
    charted: list[pd.DataFrame] = []
    for o in ctx.bank.outcomes:
        keyq = q[(q["outcome"] == o.id) & q["key"]].sort_values("order")
        rows = []
        for r in keyq.itertuples():
            f = mine_f.loc[r.question] if r.question in mine_f.index else None
            rows.append({"question": r.question, "label": r.label, "n": r.n, "k": r.k,
                         "share": r.share,
                         "lower": r.lower, "upper": r.upper,
                         "pooled": float(f["pooled"]) if f is not None else math.nan,
                         "flag": str(f["flag"]) if f is not None else "within"})
        frame = pd.DataFrame(rows)
        parts.append(heading(f"Outcome {o.id}: key questions", 3, f"comparison-outcome-{o.id}"))
        if frame.empty:
            parts.append(paragraph("No key question."))
            continue
        body = [[r.label, ctx.count(r.n), ctx.share(r.k, r.n, r.share), pct(r.pooled),
                 "not applicable" if r.n == 0 else r.flag] for r in frame.itertuples()]
        parts.append(table(f"Outcome {o.id} key questions: this area, all areas pooled, and "
                           "position against the 95% funnel limits",
                           ["Question", "n", "This area", "All areas (pooled)",
                            "Funnel position"], body, numeric=(1, 2, 3)))
        shown = frame[(frame["n"] > 0) & frame["pooled"].notna() & ~frame.apply(
            lambda r: ctx.share(r["k"], r["n"], r["share"]) == SUPPRESSED, axis=1)]
        charted.append(shown.assign(label=[f"{o.id}: {lab}" for lab in shown["label"]]))
    every = pd.concat(charted, ignore_index=True) if charted else pd.DataFrame()
    every = every.drop_duplicates("question") if len(every) else every
    if len(every):
        parts.append(heading("Key questions against all areas", 3, "comparison-chart"))
        fig, alt = charts.comparison_dots(every, "Key questions against all areas",
                                          ctx.area.name)
        parts.append(htmlout.figure(fig, alt, "Every key question (numbered by outcome): "
                                    "share with 95% Wilson interval; the black mark is the "
                                    "all-areas pooled share."))
        charts.close(fig)
    parts.append(ctx.suppression_note())
    return "".join(parts)


# appendices -----------------------------------------------------------------------------
def _context(ctx: AreaContext, name: str) -> pd.DataFrame:
    path = ctx.data_dir / "context" / f"{name}.csv"
    if not path.exists():
        return pd.DataFrame()
    return pd.read_csv(path, dtype={"area_id": str})


def area_context(ctx: AreaContext) -> str:
    """Appendix 1: local authorities against England and Wales; caseload against national."""
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
    if len(cl) and ctx.area.id in set(cl["area_id"]):
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
    return "".join(parts)


def case_sample(ctx: AreaContext) -> str:
    """Appendix 2: type of case, RoSH at start, ethnicity, principal offence."""
    n = int(ctx.tables["outcome_scores"]["n_cases"].iloc[0])
    parts = [heading("Appendix 2: the case sample", 2, "appendix-sample"),
             paragraph(f"{n} cases were inspected in {ctx.area.name}.")]
    for var, title in (("case_type", "Type of case"),
                       ("rosh_start", "RoSH classification at the start"),
                       ("ethnicity", "Race and ethnicity"),
                       ("offence_group", "Principal offence"), ("sex", "Sex")):
        if var in ctx.bank.field_by_id:
            parts.append(distribution(ctx, var, title,
                                      f"appendix-sample-{var.replace('_', '-')}", level=3))
    parts.append(ctx.suppression_note())
    return "".join(parts)


def survey(ctx: AreaContext) -> str:
    s = _context(ctx, "survey")
    parts = [heading("Offender survey", 3, "appendix-survey")]
    if s.empty or ctx.area.id not in set(s["area_id"]):
        return "".join(parts) + paragraph("No survey results are held for this area.")
    r = s[s["area_id"] == ctx.area.id].iloc[0]
    body = [["Felt involved in sentence planning", f"{r['involved_percent']:.0f}%"],
            ["Broadly positive about their experience", f"{r['positive_percent']:.0f}%"],
            ["Officer tries to motivate them", f"{r['motivate_percent']:.0f}%"]]
    src = str(r.get("source", ""))
    parts.append(table(f"Survey of people under supervision, {int(r['year'])}: "
                       f"{int(r['responses'])} responses ({src})", ["Statement", "Agreed"],
                       body, numeric=(1,)))
    return "".join(parts)


def method(ctx: AreaContext) -> str:
    """The scoring method and its denominators, stated once in every report."""
    sec = ctx.tables["section_scores"]
    body = [[r.title, pct(r.score), r.n_criteria] for r in sec.itertuples()]
    return (heading("Appendix 3: scoring method and denominators", 2, "appendix-method")
            + paragraph(
                "Each scoring question is judged per case as sufficient or not, or does not "
                "apply. A question's figure is k / n: k cases judged sufficient out of the n "
                "cases where it applied (its denominator), with a 95% Wilson score interval. "
                "A criterion's score is the mean of its questions' shares; an outcome's score "
                "is the mean over all scoring questions feeding it, so victims questions of "
                "criteria 5.1–5.3 count in both Protecting the Public and Victims. A question "
                "that applied to no case is 'not applicable' and is left out of every mean. "
                "Outcome intervals come from a seeded case-level bootstrap (2,000 resamples): "
                "cases are resampled and the whole score recomputed, which keeps the "
                "correlation between one case's answers.")
            + table("Section scores: the mean of the component criteria scores (Appendix 5)",
                    ["Section", "Score", "Criteria"], body, numeric=(1, 2))
            + paragraph(f"Shares on fewer than {style.SMALL_N} cases are marked *. Case "
                        "identifiers are never shown."))


def victim_path(ctx: AreaContext) -> str:
    """The statutory victim contact path: each step's count out of the step before."""
    d = ctx.tables["distributions"]

    def yes(var: str) -> tuple[int, int]:
        sub = d[(d["variable"] == var) & (d["level"] == "yes")]
        return (int(sub["count"].iloc[0]), int(sub["n"].iloc[0])) if len(sub) else (0, 0)

    steps = [("Statutory victim contact cases", "statutory_victim"),
             ("Offer of contact made", "victim_offer_made"),
             ("Offer made within 8 weeks", "victim_offer_8_weeks"),
             ("Victim took up the offer", "victim_took_up"),
             ("Quality of contact sufficient", "victim_contact_quality")]
    body = []
    for label, var in steps:
        k, n = yes(var)
        body.append([label, ctx.count(k), ctx.count(n),
                     ctx.share(k, n, k / n if n else math.nan)])
    rj_k, rj_n = yes("rj_offered")
    rjp_k, rjp_n = yes("rj_proceeded")
    return (heading("Victim contact and restorative justice", 4, "outcome-5-victim-path")
            + table("The statutory victim contact path: cases at each step, out of the cases "
                    "that reached the step before (the denominator)",
                    ["Step", "Cases", "Out of (n)", "Share"], body, numeric=(1, 2, 3))
            + paragraph(f"Restorative justice was offered in {ctx.count(rj_k)} of {rj_n} cases "
                        f"and proceeded in {ctx.count(rjp_k)} of {rjp_n} where offered."))
