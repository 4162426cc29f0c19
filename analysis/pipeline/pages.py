"""The pages around the reports: each report's page and provenance, the index, the manifest."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..core import atomic, paths
from ..core.paths import group_folder
from ..method.catalogue import Area, Group, combined_label
from ..method.disclosure import DISCLOSED_FROM
from ..report.registry import ANNEX, REPORT
from .digests import digest_of, file_digest, git_commit, installed
from .jobs import Download, Page, Provenance
from .options import BuildOptions
from .outputs import AGGREGATE, OutputTree, checked_files
from .pdf import current_pdf

if TYPE_CHECKING:
    import pandas as pd

    from ..method.bank import QuestionBank
    from ..method.disclosure import Policy

@dataclass
class BuildResult:
    """What a build did: notebooks executed, reused and failed, reports, timings."""

    executed: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    reports: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    cell_seconds: float = 0.0
    notebook_seconds: dict[str, float] = field(default_factory=dict)  # wall time, per notebook
    disclosures: list[str] = field(default_factory=list)  # the release scanner's findings
    release: Path | None = None  # the release folder of a publication build that passed
    pdfs: list[Path] = field(default_factory=list)  # with --pdf: the reports' current PDFs
    printed: int = 0  # how many of them this build printed

    @property
    def exit_code(self) -> int:
        """3: the release would let a hidden count be worked out; 1: a notebook failed."""
        return 3 if self.disclosures else 1 if self.failed else 0


@dataclass(frozen=True)
class Pages:
    """Writes what surrounds the chapters, for one build."""

    options: BuildOptions
    versions: dict[str, str]
    out: OutputTree

    def provenance(self, label: str, params: dict[str, str],
                   inputs: dict[str, str]) -> Provenance:
        return Provenance(
            data=label, package=f"iaow-analysis {__version__} (git {git_commit()})",
            parameters={**params, "policy": str(self.options.policy)},
            checksums={Path(k).name: v[:16] for k, v in sorted(inputs.items())},
            versions=dict(self.versions))

    def linked(self, page: Page, folder: str) -> Page:
        """The page with what the report in ``folder`` links besides the index: its tables
        and, in a build that prints it, its PDF."""
        return replace(page, tables=self.out.downloads(folder, self.options.publish),
                       pdf=self.options.pdf, publish=self.options.publish)

    def of_document(self, page: Page, document: str) -> Page:
        """The page of one document of a folder: the report links its annex, the annex its
        report. A publication build releases no annex (:mod:`.release`), so its report links
        none."""
        if document == REPORT:
            return replace(page, companion=None if self.options.publish else f"{ANNEX}.html")
        return replace(page, document=document, title=f"Technical annex: {page.title}",
                       subtitle="For analysts: method detail, every question's figures, "
                                "checks and readings",
                       companion=f"{REPORT}.html")

    def area_page(self, area: Area, inputs: dict[str, str]) -> Page:
        page = Page(title=f"Inspection of adult offending work: {area.name}",
                    subtitle="Area report: five outcomes, comparison with all areas, appendices",
                    label=area.label_text,
                    provenance=self.provenance(area.label_text, {"area_id": area.id}, inputs))
        return self.linked(page, area.id)

    def aggregate_page(self, areas: list[Area], inputs: dict[str, str]) -> Page:
        label = combined_label(a.label for a in areas)
        page = Page(title="Inspection of adult offending work: all areas",
                    subtitle=f"Aggregate report across {len(areas)} areas",
                    label=label,
                    provenance=self.provenance(label, {"areas": ", ".join(a.id for a in areas)},
                                               inputs))
        return self.linked(page, AGGREGATE)

    def group_page(self, group: Group, inputs: dict[str, str],
                   labels: dict[str, str]) -> Page:
        """A group's page; ``labels`` are the data labels of its areas, by area id."""
        label = combined_label(labels[a] for a in group.areas)
        page = Page(title=f"Inspection of adult offending work: {group.label}",
                    subtitle=f"Aggregate report across the {len(group.areas)} "
                             f"area{'s' if len(group.areas) != 1 else ''} of this group",
                    label=label,
                    provenance=self.provenance(label, {"group": group.id,
                                                "areas": ", ".join(group.areas)}, inputs),
                    index_href="../../index.html")
        return self.linked(page, group_folder(group.id))


@dataclass(frozen=True)
class IndexGroup:
    """A group's aggregate report in the index."""

    label: str
    areas: int
    href: str
    pdf: str | None = None
    annex: str | None = None


def index_groups(out: OutputTree, groups: list[Group], publish: bool = False
                 ) -> list[IndexGroup]:
    """The groups whose aggregate report exists, in areas.csv order; none in a publication
    build (its release folder holds no group report)."""
    if publish:
        return []
    return [IndexGroup(g.label, len(g.areas), f"{group_folder(g.id)}/report.html",
                       _pdf_href(out, group_folder(g.id)), annex_href(out, group_folder(g.id)))
            for g in groups if out.report(group_folder(g.id)).files[0].exists()]


def linked_areas(out: OutputTree, areas: Sequence[Area], rebuilt: set[str],
                 publish: bool) -> list[Area]:
    """The areas whose report the index links: every area with a report; in a publication
    build only those of this build, which its release folder holds (a report left by an
    earlier build need not follow this build's publication rules)."""
    return [a for a in areas if out.report(a.id).files[0].exists()
            and (not publish or a.id in rebuilt)]


def _pdf_href(out: OutputTree, folder: str) -> str | None:
    """The link to a report's PDF when it was printed from the report as it is now."""
    return f"{folder}/report.pdf" if current_pdf(out.report(folder).files[0]) else None


def annex_href(out: OutputTree, folder: str) -> str | None:
    """The link to a folder's technical annex, when it has one."""
    annex = out.report(folder, ANNEX).files[0]
    return f"{folder}/{annex.name}" if annex.exists() else None


@dataclass
class IndexRow:
    """One area's line in the index."""

    id: str
    name: str
    label: str
    href: str | None
    status: str
    scores_digest: str
    pdf: str | None = None
    tables: str | None = None  # the report's list of its tables
    annex: str | None = None  # its technical annex (never in a publication build's index)
    cases: str = ""
    scores: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class IndexLinks:
    """What the index links besides the area reports."""

    aggregate: str | None
    aggregate_pdf: str | None
    groups: list[IndexGroup]
    tables: tuple[Download, ...]  # the cross-area tables
    aggregate_annex: str | None = None

    @classmethod
    def of(cls, out: OutputTree, groups: list[Group], publish: bool) -> IndexLinks:
        exists = out.report(AGGREGATE).files[0].exists()
        return cls(f"{AGGREGATE}/report.html" if exists else None,
                   _pdf_href(out, AGGREGATE) if exists else None,
                   index_groups(out, groups, publish), out.downloads(AGGREGATE, publish, at=""),
                   None if publish or not exists else annex_href(out, AGGREGATE))


def write_index(out: OutputTree, areas: list[Area], rebuilt: set[str], result: BuildResult,
                groups: list[Group], bank: Callable[[], QuestionBank],
                package: str, force: bool, policy: Policy) -> None:
    """The index page: every area that has a report or was rebuilt now, those not rebuilt
    marked so; rewritten only when what it shows changed (``bank`` is called only then, so a
    no-op build never loads it)."""
    linked = {a.id for a in linked_areas(out, areas, rebuilt, policy.publish)}
    rows = [_index_row(out, a, result, a.id in rebuilt, a.id in linked, policy.publish)
            for a in areas
            if a.id in rebuilt or out.report(a.id).files[0].exists()]
    target = out.index()
    links = IndexLinks.of(out, groups, policy.publish)
    digest = digest_of([r.__dict__ for r in rows], asdict(links), package, policy.publish,
                       policy.threshold)
    if target.fresh(digest, force):
        return
    from .stitch import render_page

    for row in rows:
        row.cases, row.scores = _index_scores(out, row.id, policy, bank)
    html = render_page("index.html.j2", title="Inspection of adult offending work: area reports",
                       areas=rows, outcomes=[o.short for o in bank().outcomes], links=links,
                       publish=policy.publish, version=__version__,
                       label=combined_label(a.label for a in areas))
    atomic.write_text(target.files[0], html)
    target.mark(digest)


def _index_scores(out: OutputTree, area_id: str, policy: Policy,
                  bank: Callable[[], QuestionBank]) -> tuple[str, list[str]]:
    """An area's cases and five scores with their intervals as its report prints them: in a
    publication build, a score computed from a count the report hides is hidden too (the
    lineage rule of :meth:`~analysis.method.disclosure.Disclosure.shows`)."""
    from ..method.disclosure import SUPPRESSED, area_disclosure, score_cells
    from ..method.tables import read_table
    from ..report.format import interval, pct

    folder = paths.area_tables(out.root, area_id)
    tables = {n: read_table(folder, n)
              for n in (DISCLOSED_FROM if policy.publish else ("outcome_scores",))}
    d = (area_disclosure(tables, bank().sufficient_levels, policy, cache=out.root)
         if policy.publish else None)
    scores = []
    for r in tables["outcome_scores"].sort_values("outcome").itertuples():
        shown = d is None or d.shows(score_cells(_applied(tables["question_scores"],
                                                          int(r.outcome))))
        scores.append(f"{pct(r.score)} ({interval(r.lower, r.upper)})" if shown
                      else SUPPRESSED)
    return policy.count(tables["outcome_scores"]["n_cases"].iloc[0]), scores


def _applied(questions: pd.DataFrame, outcome: int) -> list[str]:
    """The questions of an outcome that applied to at least one case (a score's questions)."""
    rows = questions[(questions["outcome"] == outcome) & (questions["n"] > 0)]
    return [str(x) for x in rows["question"]]


def _index_row(out: OutputTree, area: Area, result: BuildResult, rebuilt: bool,
               linked: bool, publish: bool = False) -> IndexRow:
    report = out.report(area.id).files[0]
    failed = any(k.startswith(f"{area.id}/") for k in result.failed)
    return IndexRow(
        id=area.id, name=area.name, label=area.label,
        href=f"{area.id}/report.html" if linked else None,
        status=("failed: previous report kept" if failed and report.exists()
                else "failed" if failed else "built" if rebuilt
                else "from an earlier build"),
        scores_digest=digest_of(*(file_digest(paths.area_tables(out.root, area.id)
                                              / f"{name}.parquet") for name in DISCLOSED_FROM)),
        pdf=_pdf_href(out, area.id) if linked else None,
        tables=f"{area.id}/report.html#downloads" if linked else None,
        annex=annex_href(out, area.id) if linked and not publish else None)


def write_manifest(out: OutputTree, options: BuildOptions, areas: list[Area],
                   result: BuildResult, inputs: dict[str, str], package: str,
                   versions: dict[str, str], groups: list[Group] | None = None) -> None:
    """What was built from what, with which versions and how long it took; the digest of
    every report and table written (what ``verify`` checks a folder and a rebuild against)."""
    data = {
        "package": {"version": __version__, "git": git_commit(), "analysis_digest": package},
        "versions": versions,
        "parameters": {"areas": [a.id for a in areas], "publish": options.publish,
                       "threshold": options.threshold, "engine": options.engine,
                       "executor": "dask" if options.scheduler else options.executor,
                       "lenient": options.lenient, "force": options.force,
                       "data": str(options.data), "scoring": options.scoring,
                       "aggregate": options.aggregate, "pdf": options.pdf},
        "groups": {g.id: {"grouping": g.grouping, "label": g.label, "areas": list(g.areas)}
                   for g in groups or []},
        "inputs": inputs,
        "executed": sorted(result.executed),
        "reused": sorted(result.reused),
        "failed": dict(sorted(result.failed.items())),
        "timings_seconds": {k: round(v, 3) for k, v in sorted(result.timings.items())},
        "notebook_cell_seconds": round(result.cell_seconds, 3),
        "notebook_seconds": {k: round(v, 3) for k, v in sorted(result.notebook_seconds.items())},
        "environment": installed(),
        "outputs": {p.as_posix(): file_digest(out.root / p) for p in checked_files(out.root)},
    }
    atomic.write_text(out.manifest, json.dumps(data, indent=1) + "\n")
