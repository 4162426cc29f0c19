"""The chapters of every report, in order, each with what it reads: written once.

The build plans from it (which inputs each chapter's notebook depends on), stitches in its
order, warms kernels with its modules, and the tests and the contents follow it. Adding a
chapter is one entry here and one notebook in ``notebooks/``; a researcher's own chapter is a
notebook in ``notebooks/extra/`` and needs no entry (:func:`area_chapters`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

EXTRA_FOLDER = "extra"      # notebooks/extra/: researchers' own chapters
EXTRA_PREFIX = "extra-"     # their executed notebooks: <area>/notebooks/extra-<name>.ipynb

#: The documents a report folder holds, in the order the build writes and links them: the
#: public report, and the technical annex for analysts (method detail, every question's
#: figures, the reconstruction's readings). A chapter names its document; the build stitches
#: each document from its own chapters into ``<folder>/<document>.html``.
REPORT = "report"
ANNEX = "annex"
DOCUMENTS = (REPORT, ANNEX)


@dataclass(frozen=True)
class Chapter:
    """One chapter: its notebook, what it reads beyond its own area's tables, and the
    package modules its notebook imports (a warm kernel imports them once)."""

    notebook: str                  # the notebook's stem; an extra chapter's is extra-<stem>
    cross_area: bool = False       # reads the cross-area tables: re-runs when any area changes
    #: reads the all-areas figures only through its area's view, at the precision it shows
    #: them (analysis.method.display): re-runs when a figure of that view changes
    view: bool = False
    commentary: bool = False       # prints the area's commentary file
    extra: bool = False            # a researcher's own: runs in a kernel of its own
    modules: tuple[str, ...] = ()
    document: str = REPORT         # the document it is printed in (REPORT or ANNEX)

    @property
    def own_tables(self) -> bool:
        """Reads nothing but its own area's tables (and data): it can run before the
        cross-area tables are made."""
        return not (self.cross_area or self.view)

    def source(self, notebooks: Path) -> Path:
        """The notebook this chapter runs (an extra chapter lives in ``notebooks/extra/``)."""
        if self.extra:
            return notebooks / EXTRA_FOLDER / f"{self.notebook.removeprefix(EXTRA_PREFIX)}.ipynb"
        return notebooks / f"{self.notebook}.ipynb"


_OUTCOMES = ("analysis.chapters.outcomes", "analysis.chapters.commentary")

#: An area report's built-in chapters, in the order the report prints them.
AREA_CHAPTERS = (
    Chapter("00_summary", view=True, commentary=True,
            modules=("analysis.chapters.summary", "analysis.chapters.commentary")),
    Chapter("01_assisting_sentencing", commentary=True, modules=_OUTCOMES),
    Chapter("02_delivering_sentence", commentary=True, modules=_OUTCOMES),
    Chapter("03_reducing_reoffending", commentary=True, modules=_OUTCOMES),
    Chapter("04_protecting_public", commentary=True, modules=_OUTCOMES),
    Chapter("05_victims", commentary=True, modules=_OUTCOMES),
    Chapter("06_comparison", view=True, modules=("analysis.chapters.comparison",)),
    Chapter("07_appendices", modules=("analysis.chapters.appendices",
                                      "analysis.chapters.glossary")),
    # The annex in two chapters: the longest, which reads only its area's tables (it runs
    # while the cross-area tables are made, and never again for another area's change), and
    # the part that reads the area's view (the key questions against all areas).
    Chapter("08_annex", document=ANNEX,
            modules=("analysis.chapters.annex", "analysis.chapters.outcomes",
                     "analysis.chapters.appendices")),
    Chapter("09_annex_comparison", view=True, document=ANNEX,
            modules=("analysis.chapters.comparison", "analysis.chapters.reconstruction",
                     "analysis.chapters.glossary")),
)
#: Their notebooks' names, in order (derived: the entries above are the one source).
AREA_NOTEBOOKS = tuple(c.notebook for c in AREA_CHAPTERS)
#: The aggregate report (of every area, and of each group of areas): one chapter, and its
#: annex.
AGGREGATE_CHAPTER = Chapter("aggregate", cross_area=True,
                            modules=("analysis.chapters.aggregate",
                                     "analysis.chapters.group_comparison",
                                     "analysis.chapters.glossary"))
AGGREGATE_ANNEX = Chapter("aggregate_annex", cross_area=True, document=ANNEX,
                          modules=("analysis.chapters.aggregate", "analysis.chapters.annex"))
AGGREGATE_CHAPTERS = (AGGREGATE_CHAPTER, AGGREGATE_ANNEX)


def area_chapters(notebooks: Path) -> tuple[Chapter, ...]:
    """An area report's chapters in order: the built-in ones, then the researchers' own
    (``notebooks/extra/*.ipynb`` in name order; they may read anything)."""
    extra = sorted(p.stem for p in (notebooks / EXTRA_FOLDER).glob("*.ipynb"))
    return AREA_CHAPTERS + tuple(Chapter(EXTRA_PREFIX + stem, cross_area=True, extra=True)
                                 for stem in extra)


def chapter(name: str) -> Chapter:
    """The chapter of a notebook name (built-in, aggregate or extra)."""
    for c in (*AREA_CHAPTERS, *AGGREGATE_CHAPTERS):
        if c.notebook == name:
            return c
    if name.startswith(EXTRA_PREFIX):
        return Chapter(name, cross_area=True, extra=True)
    raise KeyError(f"no chapter {name!r}")


def kernel_modules() -> tuple[str, ...]:
    """Every module the built-in chapters import, in order, each once: what a warm kernel
    imports before its first notebook."""
    return tuple(dict.fromkeys(m for c in (*AREA_CHAPTERS, *AGGREGATE_CHAPTERS)
                               for m in c.modules))


def in_document(chapters: tuple[Chapter, ...], document: str) -> tuple[Chapter, ...]:
    """The chapters of one document, in order (a researcher's own are in the report)."""
    return tuple(c for c in chapters if c.document == document)
