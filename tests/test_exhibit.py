"""Exhibits: the HTML a report shows, the DataFrame behind it and its charts."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import nbformat
import pandas as pd
import pytest
from IPython.core.formatters import DisplayFormatter

from analysis.core import paths
from analysis.report.exhibit import NUMBERS_MIME, DrawnOnDemand, Exhibit, combine
from analysis.report.model import Cell, Heading, Kind, Number, Paragraph, Text

from .conftest import BUILT_AREAS, Built

AREAS = ["durham-tees-valley", "vale-of-braxness"]
NOTEBOOKS = [*sorted(paths.NOTEBOOKS.glob("[0-9]*.ipynb")), paths.NOTEBOOKS / "aggregate.ipynb"]

BLOCKS = (Heading("Small counts", 3, "x"),
          Paragraph(Text.of("In ", Number(3, Kind.COUNT, Cell("q:k")), " of ",
                            Number(2, Kind.COUNT, Cell("q:n"), shown=False), " cases.")))
HTML = '<h3 id="x">Small counts</h3><p>In 3 of [c] cases.</p>'


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"label": ["Question"], "n": [3], "k": [2]})


def test_html_is_what_jupyter_renders_with_the_numbers_beside_it() -> None:
    """Jupyter's formatter gives the exhibit's HTML as text/html, and its printed numbers
    (with their lineage, a hidden one without its value) as the numbers MIME type."""
    data, _ = DisplayFormatter().format(Exhibit(BLOCKS, _frame()))
    assert data["text/html"] == HTML
    numbers = json.loads(data[NUMBERS_MIME])  # the records' text: never parsed on its way
    assert numbers["exhibit"] == "Small counts"
    assert [(n["text"], n["value"], n["shown"], n["lineage"]) for n in numbers["numbers"]] == [
        ("3", 3, True, {"cell": "q:k"}), ("[c]", None, False, {"cell": "q:n"})]


def test_text_form_names_the_exhibit_but_never_its_values() -> None:
    """The text/plain form is stored in executed notebooks, publication builds included."""
    ex = Exhibit(BLOCKS, pd.DataFrame({"label": ["Secret label"], "n": [3], "k": [2]}))
    text = DisplayFormatter().format(ex)[0]["text/plain"]
    assert "Small counts" in text and "1 × 3" in text
    assert "Secret" not in text and "3" not in text.replace("1 × 3", "")


def test_figure_is_the_first_chart_or_none() -> None:
    assert Exhibit(BLOCKS).figure is None
    assert Exhibit(BLOCKS).data.empty
    first, second = plt.figure(), plt.figure()
    try:
        ex = Exhibit(BLOCKS, _frame(), (first, second))
        assert ex.figure is first and ex.figures == (first, second)
    finally:
        plt.close(first)
        plt.close(second)


def test_combine_keeps_order_stacks_data_and_collects_figures() -> None:
    fig = plt.figure()
    try:
        a = Exhibit((Paragraph(Text.of("a")),), _frame().assign(variable="a"), (fig,))
        b = Exhibit((Paragraph(Text.of("b")),), _frame().assign(variable="b"))
        ex = combine([Heading("t", 2, "t"), a, Paragraph(Text.of("mid")), b])
        assert ex.html == '<h2 id="t">t</h2><p>a</p><p>mid</p><p>b</p>'
        assert list(ex.data["variable"]) == ["a", "b"]
        assert ex.figures == (fig,)
        assert combine([Paragraph(Text.of("x"))]).data.empty
    finally:
        plt.close(fig)


def test_figures_drawn_on_demand_are_drawn_once_each_when_asked_for() -> None:
    drawn: list[int] = []

    def draw(i: int) -> Any:
        drawn.append(i)
        fig = plt.figure()
        plt.close(fig)
        return fig

    figures = DrawnOnDemand(3, draw)
    ex = Exhibit(BLOCKS, _frame(), figures)
    assert len(ex.figures) == 3 and drawn == [] and "3 figures" in repr(ex)
    assert ex.figure is figures[0] is figures[-3] and drawn == [0]
    assert list(figures[1:]) == [figures[1], figures[2]] and drawn == [0, 1, 2]
    with pytest.raises(IndexError):
        figures[3]


# the bundled notebooks -----------------------------------------------------------------------
PROBE = """
import json as _json
from analysis.report.exhibit import Exhibit as _Exhibit
from matplotlib.figure import Figure as _Figure
import pandas as _pd
print(_json.dumps({k: [isinstance(v.data, _pd.DataFrame), len(v.data), bool(v.html),
                       all(isinstance(v.figures[i], _Figure) for i in {0, len(v.figures) - 1}
                           if v.figures)]
                   for k, v in dict(globals()).items() if isinstance(v, _Exhibit)}))
"""
AS_HTML = "from IPython.display import HTML as _HTML\n"


def _run(nb: Any, params: dict[str, Any], name: str) -> Any:
    """Execute a notebook in this process's warm kernel, as the build does."""
    from analysis.pipeline.execute import Task, run_task

    result = run_task(Task("test", name, nbformat.writes(nb), params, "test"), "warm")
    assert result.ok, result.error
    return nbformat.reads(result.notebook_json, as_version=4)


def _displayed(nb: Any) -> list[str]:
    return [m for c in nb.cells if c.cell_type == "code"
            for m in re.findall(r"^display\((\w+)\)$", c.source, re.M)]


@pytest.fixture(scope="module")
def tables(two_areas: Built) -> Path:
    """Two areas' tables and the cross-area tables, what the notebooks read: the session's
    build (the notebooks here run in memory and write nothing)."""
    assert BUILT_AREAS == AREAS
    return two_areas.out


HTML_TEXT = "<IPython.core.display.HTML object>"


def _keep(nb: Any, as_html: bool) -> Any:
    """The run's notebook with only the displays of exhibits, or only their HTML's."""
    kept = copy.deepcopy(nb)
    for cell in kept.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if (o.get("output_type") != "display_data"
                            or (o["data"].get("text/plain") == HTML_TEXT) == as_html)]
    return kept


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_exhibit_has_data_and_renders_as_its_html(path: Path, tables: Path) -> None:
    """Each displayed exhibit that shows anything carries a non-empty DataFrame (an absent
    section, such as a commentary the area lacks, shows and carries nothing), and a chapter
    rendered from ``display(exhibit)`` is byte-identical to one rendered from
    ``display(HTML(html))`` (each exhibit is displayed both ways in one run)."""
    from analysis.pipeline import stitch

    nb = nbformat.read(path, as_version=4)
    params = {"data_dir": str(paths.data_dir()), "output_dir": str(tables)}
    if path.stem != "aggregate":
        params["area_id"] = AREAS[1]
    names = _displayed(nb)
    assert names, "the notebook displays no exhibit"
    probed = copy.deepcopy(nb)
    for cell in probed.cells:
        if cell.cell_type == "code" and re.search(r"^display\(\w+\)$", cell.source, re.M):
            cell.source = AS_HTML + re.sub(
                r"^display\((\w+)\)$", r"display(\1)\ndisplay(_HTML(\1._repr_html_()))",
                cell.source, flags=re.M)
    probed.cells.append(nbformat.v4.new_code_cell(PROBE))
    ran = _run(probed, params, path.stem)
    found = json.loads(ran.cells[-1].outputs[0]["text"])
    assert sorted(found) == sorted(names)
    bad = [name for name, (is_frame, rows, shown, figs_ok) in found.items()
           if not (is_frame and (rows > 0 or not shown) and figs_ok)]
    assert bad == [], f"exhibits without data or figures: {bad}"
    ran.cells.pop()
    exhibits, as_html = _keep(ran, as_html=False), _keep(ran, as_html=True)
    assert sum(len(c.get("outputs", [])) for c in as_html.cells) > 0
    assert stitch.chapter_html(exhibits, 0, "t") == stitch.chapter_html(as_html, 0, "t")


def test_numbers_travel_as_text_and_make_the_chapter_file_the_records_make() -> None:
    """The numbers MIME carries the records' JSON text (a worker never parses them); the
    chapter's records file made from the texts is what ``json.dumps`` of the parsed records
    gives, and a notebook of an older version (records, not text) gives the same file."""
    from analysis.pipeline import printed

    data, _ = DisplayFormatter().format(Exhibit(BLOCKS, _frame()))
    message = json.loads(json.dumps(data))  # as a kernel's message carries it
    output = nbformat.v4.new_output("display_data", data=message)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[output])])
    old = copy.deepcopy(nb)
    old.cells[0].outputs[0].data[NUMBERS_MIME] = json.loads(message[NUMBERS_MIME])
    text = printed.chapter_text(printed.take_number_texts(nb) * 2)
    assert text == printed.chapter_text(printed.take_number_texts(old) * 2)
    assert text == json.dumps([json.loads(message[NUMBERS_MIME])] * 2, ensure_ascii=False)
    assert NUMBERS_MIME not in nb.cells[0].outputs[0].data


def test_numbers_text_writes_numpy_numbers_as_a_kernel_message_would() -> None:
    import numpy as np

    from analysis.report.model import numbers_text

    assert numbers_text({"b": np.int64(3), "a": np.float64(0.5)}) == '{"a": 0.5, "b": 3}'
