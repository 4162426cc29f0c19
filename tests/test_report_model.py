"""The report model: numbers print by one rule, wording keeps numbers as numbers, blocks
render to HTML and to text, and lineage names the cells a figure is computed from."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from analysis.report import html, text
from analysis.report.format import number_text
from analysis.report.model import (
    Banner,
    Cell,
    Chart,
    Column,
    Definitions,
    Difference,
    External,
    Heading,
    ItemList,
    Kind,
    Markup,
    Mean,
    Number,
    Paragraph,
    Role,
    Section,
    Strong,
    Table,
    Text,
    Wilson,
    block_numbers,
    depends_on,
    share_of,
)
from analysis.report.wording import Wording

K = Cell("rmp:k")


def n(value: object, kind: Kind = Kind.COUNT, **kw: object) -> Number:
    return Number(value, kind, K, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(("number", "printed"), [
    (n(87), "87"), (n(2000, grouped=True), "2,000"), (n(3, shown=False), "[c]"),
    (n(0.7356, Kind.SHARE), "74%"), (n(0.5, Kind.SHARE, small=True), "50% *"),
    (n(None, Kind.SHARE), "not applicable"), (n(0.2, Kind.SHARE, shown=False), "[c]"),
    (n(0.7921, Kind.SCORE, digits=1), "79.2%"), (n((0.61, 0.834), Kind.INTERVAL), "61–83%"),
    (n(None, Kind.INTERVAL), "–"), (n(0.11, Kind.POINTS, digits=0), "+11"),
    (n(-0.0321, Kind.POINTS, digits=1), "−3.2"), (n(10.5, Kind.PERCENT, digits=1), "10.5%"),
    (n(0.62, Kind.NUMBER, digits=2), "0.62"), (n(0.0004, Kind.P_VALUE), "< 0.001"),
    (n(0.0341, Kind.P_VALUE), "= 0.034"),
])
def test_every_kind_of_number_prints_by_one_rule(number: Number, printed: str) -> None:
    assert number.text == number_text(number) == printed


def test_lineage_names_the_cells_of_a_figure() -> None:
    score = Mean((share_of("a:k", "a:n"), share_of("b:k", "b:n")))
    assert score.cells() == {"a:k", "a:n", "b:k", "b:n"}
    assert depends_on(score, Cell("cases")).cells() == {"a:k", "a:n", "b:k", "b:n", "cases"}
    assert Difference(score, External("published")).cells() == score.cells()
    assert Wilson("a:k", "a:n", "lower").as_json() == {"wilson": ["a:k", "a:n"],
                                                       "bound": "lower"}
    assert score.as_json() == {"mean": [{"ratio": ["a:k", "a:n"]}, {"ratio": ["b:k", "b:n"]}]}


@pytest.fixture
def wording(tmp_path: Path) -> Wording:
    (tmp_path / "t.j2").write_text(
        '{% macro line(k, n, label) %}\nIn {{ k }} of\n  {{ n }} cases, {{ strong(label) }}'
        '{% if n.value > 10 %} (many){% endif %}.\n{% endmacro %}\n'
        '{% macro nested(k, n) %}Before: {{ line(k, n, "x") }}{% endmacro %}',
        encoding="utf-8")
    return Wording(tmp_path)


def test_wording_keeps_numbers_as_numbers_and_collapses_whitespace(wording: Wording) -> None:
    k, total = n(12), Number(40, Kind.COUNT, Cell("rmp:n"))
    said = wording.say("t.line", k=k, n=total, label="<b>plans</b>")
    assert said.parts == ("In ", k, " of ", total, " cases, ", Strong(("<b>plans</b>",)),
                          " (many).")
    assert list(said.numbers()) == [k, total]
    assert said.plain() == "In 12 of 40 cases, <b>plans</b> (many)."
    nested = wording.say("t.nested", k=k, n=total)
    assert list(nested.numbers()) == [k, total]


def test_a_missing_value_in_a_wording_macro_is_an_error(wording: Wording) -> None:
    with pytest.raises(jinja2.UndefinedError, match="'n' was not provided"):
        wording.say("t.line", k=n(1))


def test_blocks_render_to_html_escaped_and_to_text() -> None:
    blocks = (
        Heading("A & B", 2, "a-b"), Banner("synthetic data <x>"),
        Paragraph(Text.of(Role("score", (n(0.8, Kind.SCORE),)), " of <work>"), "headline"),
        ItemList((Text.of(Strong(("Lead:",)), " one"), Text.of("two")), ordered=True,
                 role="key-findings"),
        Definitions(((Text.of("RoSH ", Role("stands-for", ("(Risk)",))), Text.of("risk")),),
                    role="glossary"),
        Table(Text.of("Cap ", n(3)), (Column("Q"), Column("n", True), Column("")),
              (("row \"1\"", n(5), n(4, shown=False)),), notes=(Text.of("a note"),)),
        Chart(b"<svg/>", 'alt "text"', Text.of("cap")),
        Section("commentary", (Heading("C", 3, "c"), Markup("<p>md</p>", "md"))),
    )
    assert html.render(blocks) == (
        '<h2 id="a-b">A &amp; B</h2>'
        '<p class="data-label" role="note"><strong>Data:</strong> synthetic data &lt;x&gt;.</p>'
        '<p class="headline"><span class="score">80%</span> of &lt;work&gt;</p>'
        '<ol class="key-findings"><li><strong>Lead:</strong> one</li><li>two</li></ol>'
        '<dl class="glossary"><dt>RoSH <span class="stands-for">(Risk)</span></dt>'
        '<dd>risk</dd></dl>'
        '<table class="data cards"><caption>Cap 3</caption><thead><tr><th scope="col">Q</th>'
        '<th scope="col" class="num">n</th><td></td></tr></thead><tbody><tr>'
        '<th scope="row">row "1"</th><td class="num" data-label="n">5</td><td>[c]</td></tr>'
        '</tbody></table>'
        '<p class="note">a note</p>'
        '<figure class="chart"><img src="data:image/svg+xml;base64,PHN2Zy8+" '
        'alt="alt &quot;text&quot;"><figcaption>cap</figcaption></figure>'
        '<section class="commentary">\n<h3 id="c">C</h3>\n<p>md</p>\n</section>')
    assert text.render(blocks).splitlines() == [
        "## A & B {#a-b}", "> Data: synthetic data <x>.", "[headline] 80% of <work>",
        "1. **Lead:** one", "2. two", "RoSH (Risk): risk", "Table: Cap 3", "| Q | n |  |",
        '| row "1" | 5 | [c] |', "[note] a note", "Chart: cap", '  alt: alt "text"', "### C {#c}",
        "md"]
    assert [x.text for b in blocks for x in block_numbers(b)] == ["80%", "3", "5", "[c]"]
