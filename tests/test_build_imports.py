"""Importing the build keeps jsonschema's IRI grammar out of every build process, and
notebooks still validate."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import importlib.util, sys
installed = importlib.util.find_spec("rfc3987_syntax") is not None
{before}
import analysis.pipeline
import nbformat
nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]))
print(installed, sys.modules.get("rfc3987_syntax") is None, "lark" in sys.modules)
"""


def _probe(before: str = "") -> str:
    proc = subprocess.run([sys.executable, "-c", PROBE.format(before=before)], text=True,
                          capture_output=True, timeout=120, check=True)
    return proc.stdout.strip()


def test_the_build_never_compiles_the_iri_grammar() -> None:
    assert _probe().endswith(" True False")


def test_a_process_that_imported_jsonschema_first_keeps_it_whole() -> None:
    installed, skipped, lark = _probe("import jsonschema").split()
    expected = ("False", "True") if installed == "True" else ("True", "False")
    assert (skipped, lark) == expected


def test_a_kernel_draws_the_aggregate_and_an_interval_without_scipy_stats(scored) -> None:  # type: ignore[no-untyped-def]
    """What a notebook kernel imports and runs loads neither scipy.stats (a second and more)
    nor seaborn: the aggregate's funnels draw the build's funnel_limits table, intervals are
    computed without statsmodels' module, and the charts need nothing of seaborn's."""
    code = ("import sys\n"
            "import analysis.chapters.outcomes, analysis.chapters.comparison\n"
            "import analysis.chapters.appendices\n"
            "from analysis.chapters import aggregate\n"
            "from analysis.chapters.context import AggregateContext\n"
            "from analysis.method.intervals import wilson\n"
            f"ctx = AggregateContext.load(output_dir={str(scored)!r})\n"
            "pq = ctx.tables['pooled_questions']\n"  # two key questions: two charts suffice
            "keys = pq.loc[pq['key'], 'question'].drop_duplicates().head(2)\n"
            "ctx.tables['pooled_questions'] = pq[pq['question'].isin(keys)]\n"
            "funnels = aggregate.funnels(ctx)\n"
            "wilson([3], [7])\n"
            "print(len(funnels.figures) == 2, 'scipy.stats' in sys.modules,"
            " 'seaborn' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], text=True, capture_output=True,
                          timeout=300, check=True)
    assert proc.stdout.split() == ["True", "False", "False"], proc.stderr[-2000:]
