"""The release audit (linear programming over everything released) and the lineage rule.

Each attack of issue 26 is planted in a small system and must be caught; random small areas
(1 to 15 cases, several areas pooled) protected by the policy leave no small hidden count
pinned inside the protection interval.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.chapters import numbers
from analysis.method.audit import Audit, Figure, audit, sensitive
from analysis.method.disclosure import (
    Disclosure,
    Policy,
    Relation,
    _Builder,
    k_key,
    n_key,
    pooled_disclosure,
    protect,
)
from analysis.method.intervals import wilson
from analysis.pipeline.readback import pdf_sentences, svg_text
from analysis.report.exhibit import Exhibit
from analysis.report.guard import publishing
from analysis.report.model import Cell, Chart, Kind, Mean, Number, Paragraph, Text, share_of

P = Policy(True, 5)
CAP = 20  # the cases of the toy area: no count can exceed it


def _pinned(values: dict[str, int], hidden: set[str], relations: list[Relation],
            figures: list[Figure]) -> set[str]:
    problems = audit(values, hidden, relations, figures, lambda _k: CAP, P.protection,
                     sensitive(values, hidden, P.threshold))
    return {p.key for p in problems}


# one question of 12 applicable cases, 2 sufficient (hidden), its complement unpublished; a
# second question shown in full
VALUES = {"a:n": 12, "a:k": 2, "a:rest": 10, "b:n": 10, "b:k": 5, "b:rest": 5}
HIDDEN = {"a:k", "a:rest", "b:rest"}
RELATIONS = [Relation("a:n", ("a:k", "a:rest")), Relation("b:n", ("b:k", "b:rest"))]


def test_relations_alone_leave_the_hidden_count_its_range() -> None:
    assert _pinned(VALUES, HIDDEN, RELATIONS, []) == set()


def test_a_shown_total_less_shown_parts_is_found() -> None:
    assert _pinned(VALUES, {"a:k"}, RELATIONS, []) == {"a:k"}


def test_a_score_as_a_mean_of_shares_is_found() -> None:
    """criterion_scores.csv: a score to six decimals over a hidden share and a shown one."""
    score = (2 / 12 + 5 / 10) / 2
    lineage = {"mean": [{"ratio": ["a:k", "a:n"]}, {"ratio": ["b:k", "b:n"]}]}
    assert _pinned(VALUES, HIDDEN, RELATIONS,
                   [Figure("scores", lineage, "score", round(score, 6), 4)]) == {"a:k"}


def test_a_whole_percent_score_in_a_caption_is_found() -> None:
    """"(criterion score 38%)": P ± 0.5 leaves one value of the hidden k."""
    lineage = {"mean": [{"ratio": ["a:k", "a:n"]}, {"ratio": ["b:k", "b:n"]}]}
    score = round(100 * (2 / 12 + 5 / 10) / 2) / 100
    assert _pinned(VALUES, HIDDEN, RELATIONS,
                   [Figure("caption", lineage, "score", score, 0)]) == {"a:k"}


def test_a_group_sum_less_its_members_shown_counts_is_found() -> None:
    """A group's count (the sum of its areas') beside the member areas' shown counts."""
    values = {**VALUES, "x/a:k": 7, "x/a:n": 20, "x/a:rest": 13}
    lineage = {"sum": [{"cell": "a:k"}, {"cell": "x/a:k"}]}
    assert _pinned(values, HIDDEN, RELATIONS,
                   [Figure("group", lineage, "count", 9.0)]) == {"a:k"}


def test_a_mean_of_areas_is_found() -> None:
    """12 x mean - shown shares: a mean of two areas' shares to 0.1 point."""
    values = {**VALUES, "x/a:k": 7, "x/a:n": 20}
    mean = round(100 * (2 / 12 + 7 / 20) / 2, 1) / 100
    lineage = {"mean": [{"ratio": ["a:k", "a:n"]}, {"ratio": ["x/a:k", "x/a:n"]}]}
    assert _pinned(values, HIDDEN, RELATIONS,
                   [Figure("mean of areas", lineage, "score", mean, 1)]) == {"a:k"}


def test_a_wilson_interval_of_a_hidden_count_is_found() -> None:
    lo, hi = wilson(2, 12)
    figure = Figure("interval", {"wilson": ["a:k", "a:n"], "bound": "interval"}, "interval",
                    (round(100 * float(lo)) / 100, round(100 * float(hi)) / 100))
    assert _pinned(VALUES, HIDDEN, RELATIONS, [figure]) == {"a:k"}


def test_a_figure_the_audit_cannot_bound_is_a_problem() -> None:
    """A p-value (opaque) over a hidden count is never certified."""
    figure = Figure("p", {"opaque": ["a:k", "a:n"]}, "p_value", 0.03)
    assert _pinned(VALUES, HIDDEN, RELATIONS, [figure]) == {"a:k"}


def test_a_share_of_hidden_counts_is_bounded_through_both() -> None:
    """A share shown while k and n are hidden: 19.5% n <= k <= 20.5% n, 1 <= n <= 20."""
    a = Audit({"k": 2, "n": 10}, frozenset({"k", "n"}), lambda _k: CAP)
    a.release([Figure("s", {"ratio": ["k", "n"]}, "share", 0.2, 0)])
    found = {r.key: (r.low, r.high) for r in a.ranges()}
    assert found == {"k": (1, 4), "n": (5, 20)}  # 1 of 5 ... 4 of 20


def test_one_equation_shortcut_agrees_with_the_solver() -> None:
    values = {"t": 9, "x": 2, "y": 3, "z": 4}
    a = Audit(values, frozenset({"x", "y"}), lambda _k: 9)
    a.relate([Relation("t", ("x", "y", "z"))])
    direct = sorted((r.key, r.low, r.high) for r in a.ranges())
    a._one_row = lambda *_: None  # type: ignore[method-assign]
    assert sorted((r.key, r.low, r.high) for r in a.ranges()) == direct == [
        ("x", 0, 5), ("y", 0, 5)]


# the lineage rule ---------------------------------------------------------------------------
D = Disclosure(P, {"a:k": 2, "a:n": 12, "b:k": 5, "b:n": 10, "z:k": 0, "z:n": 0},
               frozenset({"a:k", "z:k", "z:n"}))


def test_a_score_over_a_hidden_share_is_hidden_whoever_made_it() -> None:
    """A number made without the policy (an extra chapter's raw count, a score) is hidden
    by the exhibit it is printed in."""
    score = Number(0.38, Kind.SCORE, Mean((share_of("a:k", "a:n"), share_of("b:k", "b:n"))),
                   digits=1)
    raw = Number(2, Kind.COUNT, Cell("a:k"))
    shown = Number(0.5, Kind.SHARE, share_of("b:k", "b:n"), digits=1)
    with publishing(D):
        ex = Exhibit((Paragraph(Text.of(score, " ", raw, " ", shown)),))
    printed = [n.text for n in ex.numbers()]
    assert printed == ["[c]", "[c]", "50%"]  # shown at the release precision
    plain = Exhibit((Paragraph(Text.of(score, " ", raw)),))
    assert [n.text for n in plain.numbers()] == ["38.0%", "2"]


def test_a_chart_drawing_a_hidden_figure_is_left_out() -> None:
    chart = Chart(b"<svg/>", "2 of 12", Text.of("caption"),
                  (Number(2, Kind.COUNT, Cell("a:k")),))
    with publishing(D):
        (block,) = Exhibit((chart,)).blocks
    assert isinstance(block, Paragraph)
    assert block.text.plain() == "caption"


def test_a_hidden_zero_denominator_prints_as_hidden() -> None:
    """Not "not applicable": that would say the hidden n is 0."""
    assert numbers.share(D, "z:k", "z:n").text == "[c]"
    assert numbers.share(Disclosure(Policy(), D.values), "z:k", "z:n").text == \
        "not applicable"


def test_released_shares_are_at_the_release_precision() -> None:
    assert D.fraction("b:k", "b:n", 0.5) == "0.50"
    assert Disclosure(Policy(), D.values).fraction("b:k", "b:n", 0.5) == "0.500000"


# properties: random small areas -------------------------------------------------------------
@st.composite
def small_area(draw: st.DrawFn, name: str) -> tuple[dict[str, int], list[Relation], set[str]]:
    """An area of 1 to 15 cases: questions (k of n, n - k), a distribution, a 2 x 2 table."""
    b = _Builder()
    cases = draw(st.integers(1, 15))
    b.add("cases", cases)
    for q in range(draw(st.integers(1, 4))):
        n = draw(st.integers(0, cases))
        k = draw(st.integers(0, n))
        qn, qk = b.add(n_key(f"q{q}"), n), b.add(k_key(f"q{q}"), k)
        b.relate(qn, (qk, b.add(f"q{q}:rest", n - k, printed=False)))
    cuts = sorted(draw(st.lists(st.integers(0, cases), min_size=2, max_size=2)))
    levels = [cuts[0], cuts[1] - cuts[0], cases - cuts[1]]
    b.add(n_key("d"), cases)
    b.relate(n_key("d"), [b.add(f"d={i}", v) for i, v in enumerate(levels)])
    cells = [draw(st.integers(0, 4)) for _ in range(4)]
    b.add("x:n", sum(cells), printed=False)
    keys = [b.add(f"x{i}", v) for i, v in enumerate(cells)]
    rows = [b.add("x:r0", cells[0] + cells[1], printed=False),
            b.add("x:r1", cells[2] + cells[3], printed=False)]
    b.relate(rows[0], keys[:2])
    b.relate(rows[1], keys[2:])
    b.relate("x:n", rows)
    return b.values, b.relations, b.unpublished


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(small_area("a"), min_size=1, max_size=3))
def test_random_small_areas_leave_no_small_count_pinned(
        areas: list[tuple[dict[str, int], list[Relation], set[str]]]) -> None:
    """Each area protected on its own, then pooled: the audit over everything pins no small
    hidden count (areas' and pooled) inside the protection interval."""
    protected = {f"area{i}": protect(v, r, P, u) for i, (v, r, u) in enumerate(areas)}
    for d in protected.values():
        top = max(d.values.values())
        assert not audit(d.values, d.hidden, d.relations, [], lambda _k, t=top: t,
                         P.protection, sensitive(d.values, d.hidden, P.threshold))
    pooled = pooled_disclosure(protected, P)
    cases = {a: max(d.values.values()) for a, d in protected.items()}

    def upper(key: str) -> int:  # an area's count is at most its largest, a pooled one the sum
        return cases.get(key.split("/")[0], sum(cases.values()))

    assert not audit(pooled.values, pooled.hidden, pooled.relations, [], upper,
                     P.protection, sensitive(pooled.values, pooled.hidden, P.threshold))


# the scanner reads sentences ----------------------------------------------------------------
def test_a_wrapped_pdf_line_does_not_join_two_sentences() -> None:
    lines = ["Contact was made in [c] of the 15 cases where a victim was identified. In 12",
             "cases the plan was reviewed on time.", "Table 3 15 12"]
    found = pdf_sentences(lines)
    assert found == ["Contact was made in [c] of the 15 cases where a victim was identified.",
                     "In 12 cases the plan was reviewed on time.", "Table 3 15 12"]


def test_the_text_of_a_chart_drawing_is_read() -> None:
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg"><text>3 of 8</text>'
           b'<g><text>Some label</text></g></svg>')
    assert svg_text(svg) == ["3 of 8", "Some label"]


def test_words_chosen_by_a_hidden_number_cannot_give_it_away() -> None:
    """A wording macro sees a hidden number as hidden, also inside a record of numbers:
    "[c] points", never "[c] point" (which would say the hidden gap is one point)."""
    from dataclasses import dataclass

    from analysis.report import guard
    from analysis.report.wording import _noun

    @dataclass(frozen=True)
    class Pair:
        size: Number
        label: str

    one = Number(1, Kind.NUMBER, Cell("a:k"))
    with publishing(D):
        seen = guard.values({"gap": Pair(one, "x"), "n": one, "many": [one]})
    assert not seen["gap"].size.shown and not seen["n"].shown  # type: ignore[attr-defined]
    assert not seen["many"][0].shown  # type: ignore[index]
    assert _noun(seen["n"], "point") == "points"  # type: ignore[arg-type]
    assert _noun(one, "point") == "point"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_area("a"), st.data())
def test_ranges_cut_short_by_witnesses_decide_as_exact_ones(
        area: tuple[dict[str, int], list[Relation], set[str]], data: st.DataObject) -> None:
    """With a protection interval, a count whose solver-found values already span it is not
    solved again: the counts pinned, and their ranges, are those of the exact ranges."""
    values, relations, _ = area
    hidden = data.draw(st.sets(st.sampled_from(sorted(values)), min_size=1))
    top = max(values.values())
    a = Audit(values, frozenset(hidden), lambda _k: top)
    a.relate(relations)
    exact = {r.key: r for r in a.ranges()}
    short = {r.key: r for r in a.ranges(protection=P.protection)}
    assert set(short) == set(exact)
    for key, r in short.items():
        assert exact[key].low <= r.low <= r.value <= r.high <= exact[key].high
        assert a.pinned(r, P.protection) == a.pinned(exact[key], P.protection)
        if a.pinned(r, P.protection):
            assert (r.low, r.high) == (exact[key].low, exact[key].high)
