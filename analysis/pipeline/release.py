"""The release folder of a publication build: what may be handed out, and nothing else.

A ``--publish`` build copies into ``<output>/release/`` the area reports and the aggregate
report (with their PDFs when printed from the reports as they are now), the index, and the
area tables of the allow-list (:data:`~analysis.pipeline.outputs.RELEASED_TABLES`) as CSV with
every count and share its report hides written as ``[c]``. Only what the allow-list names is
released: a file or column it does not name stops the release, whatever its content. It then
runs the disclosure scanner (:mod:`analysis.pipeline.scanner`) over that folder, checks that
no shown figure's lineage touches a hidden count and audits the whole release by linear
programming (:mod:`analysis.pipeline.audited`, :mod:`analysis.method.audit`). A finding fails
the build: each is listed with its file and place on the console and in
``<output>/release-findings.txt``, and no release folder is left. Working files (the
unsuppressed tables, every other table, executed notebooks) stay outside it, and so do the
technical annexes (``annex.html``): they are analysts' documents, made of sensitivity readings,
the method's detail and every question's row, which are read from the same hidden cells as the
tables kept back; a publication build's reports and index do not link them.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from ..core import atomic, paths
from ..method.bank import QuestionBank
from ..method.catalogue import Area
from ..method.disclosure import (
    Disclosure,
    Policy,
    area_disclosure,
    cell_key,
    factor_key,
    k_key,
    level_key,
    margin_total_key,
    n_key,
)
from ..method.tables import csv_bytes, read_table
from .audited import check_release
from .outputs import AGGREGATE, RELEASED_TABLES, released_table
from .pdf import current_pdf
from .scanner import Finding, labels_of, scan

RELEASE = "release"
FINDINGS = "release-findings.txt"
EXIT_CODE = 3  # the release would disclose a hidden count: nothing was released


def release(out: Path, areas: Sequence[Area], policy: Policy, bank: QuestionBank) -> list[Finding]:
    """Write and scan ``out/release``; on any finding remove it and return the findings."""
    final, partial = out / RELEASE, out / f".{RELEASE}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    shutil.rmtree(final, ignore_errors=True)
    (out / FINDINGS).unlink(missing_ok=True)
    partial.mkdir(parents=True)
    if (out / "index.html").exists():
        shutil.copy2(out / "index.html", partial / "index.html")
    for folder in [*(a.id for a in areas), AGGREGATE]:
        report = out / folder / "report.html"
        pdf = current_pdf(report)
        for path in [p for p in (report, pdf) if p is not None and p.exists()]:
            (partial / folder).mkdir(exist_ok=True)
            shutil.copy2(path, partial / folder / path.name)
    findings: list[Finding] = []
    disclosures: dict[str, Disclosure] = {}
    released: dict[str, dict[str, pd.DataFrame]] = {}
    for a in areas:
        # the disclosure also reads the number of cases inspected (outcome_scores)
        tables = {n: read_table(paths.area_tables(out, a.id), n)
                  for n in (*RELEASED_TABLES, "outcome_scores")}
        findings += undeclared_columns(a.id, {n: tables[n] for n in RELEASED_TABLES})
        d = disclosures[a.id] = area_disclosure(tables, bank.sufficient_levels, policy,
                                                 cache=out)
        released[a.id] = suppressed_tables(tables, d)
        for name, frame in released[a.id].items():
            atomic.write_bytes(partial / a.id / "tables" / released_table(name),
                               csv_bytes(frame))
    findings += off_the_list(partial, [a.id for a in areas])
    findings += scan(partial, out, labels_of(bank), {a.id: a.name for a in areas},
                     policy.threshold)
    for area_id in pooled_over(out, disclosures):  # areas scored but not in this release
        tables = {n: read_table(paths.area_tables(out, area_id), n)
                  for n in (*RELEASED_TABLES, "outcome_scores")}
        disclosures[area_id] = area_disclosure(tables, bank.sufficient_levels, policy,
                                               cache=out)
    reports = {f: partial / f / "report.html" for f in [*(a.id for a in areas), AGGREGATE]}
    findings += check_release(disclosures, {f: out / f / "report.html"
                                            for f, r in reports.items() if r.exists()},
                              released, policy, cache=out)
    if findings:
        shutil.rmtree(partial)
        atomic.write_text(out / FINDINGS, "".join(f"{f}\n" for f in findings))
        return findings
    partial.rename(final)
    return []


def pooled_over(out: Path, released: Mapping[str, object]) -> list[str]:
    """The areas the all-areas figures of the reports are pooled over (every area of the
    cross-area tables) that this release leaves out."""
    shared = paths.all_tables(out) / "question_scores.parquet"  # as the chapters read it
    if not shared.exists():
        return []
    ids = sorted(set(pd.read_parquet(shared, columns=["area_id"])["area_id"].astype(str)))
    return [a for a in ids if a not in released]


ALLOW_LIST = "allow-list"


def allowed_files(area_ids: Sequence[str]) -> frozenset[str]:
    """Every file a release may hold, relative to its folder: the index, each report and its
    PDF, and each area's released tables (never a technical annex)."""
    names = {"index.html"}
    for folder in [*area_ids, AGGREGATE]:
        names |= {f"{folder}/report.html", f"{folder}/report.pdf"}
    for area_id in area_ids:
        names |= {f"{area_id}/tables/{released_table(t)}" for t in RELEASED_TABLES}
    return frozenset(names)


def off_the_list(folder: Path, area_ids: Sequence[str]) -> list[Finding]:
    """A finding for every file in ``folder`` that the allow-list does not name."""
    allowed = allowed_files(area_ids)
    return [Finding(name, "file", ALLOW_LIST, "not on the release's allow-list: only the "
                    "index, the reports, their PDFs and the tables of RELEASED_TABLES are "
                    "released")
            for name in sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                               if p.is_file())
            if name not in allowed]


def undeclared_columns(area_id: str, tables: Mapping[str, pd.DataFrame]) -> list[Finding]:
    """A finding for every column of a released table that the allow-list does not declare
    safe or suppressed (a new column is never released by default)."""
    return [Finding(f"{area_id}/tables/{released_table(name)}", f"column {col!r}", ALLOW_LIST,
                    "neither suppressed nor declared safe in RELEASED_TABLES")
            for name, frame in tables.items() for col in frame.columns
            if col not in RELEASED_TABLES[name]]


def _shares(frame: pd.DataFrame, d: Disclosure, keys: Sequence[tuple[str, str]],
            columns: Sequence[str]) -> None:
    """A share and its limits, hidden with their counts."""
    for col in columns:
        frame[col] = [d.fraction(k, n, float(v)) for (k, n), v in zip(keys, frame[col],
                                                                       strict=True)]


def suppressed_tables(tables: Mapping[str, pd.DataFrame], d: Disclosure) -> dict[str, pd.DataFrame]:
    """The allow-listed area tables as they may be handed out: every count and share the
    report hides is [c], read from the same disclosure the report was formatted with; only
    the declared columns are kept."""
    out = {name: tables[name][[c for c in tables[name].columns if c in columns]].copy()
           for name, columns in RELEASED_TABLES.items()}
    q = out["question_scores"]
    keys = [(k_key(x), n_key(x)) for x in q["question"]]
    _shares(q, d, keys, ("share", "lower", "upper"))
    q["k"], q["n"] = [d.count(k) for k, _ in keys], [d.count(n) for _, n in keys]
    dist = out["distributions"]
    keys = [(level_key(v, lv), n_key(v)) for v, lv in zip(dist["variable"], dist["level"],
                                                        strict=True)]
    _shares(dist, d, keys, ("share", "lower", "upper"))
    dist["count"], dist["n"] = [d.count(k) for k, _ in keys], [d.count(n) for _, n in keys]
    x = out["crosstab"]
    x["count"] = [d.count(cell_key(*r)) for r in zip(
        x["row_field"], x["row_level"], x["col_field"], x["col_level"], strict=True)]
    x["n"] = [d.count(margin_total_key(d.values, rf, cf, int(n))) for rf, cf, n in zip(
        x["row_field"], x["col_field"], x["n"], strict=True)]
    f = out["factors"]
    for part in ("interventions", "progress"):
        keys = [(factor_key(v, f"{part}:k"), factor_key(v, f"{part}:n")) for v in f["factor"]]
        _shares(f, d, keys, (f"{part}_share", f"{part}_lower", f"{part}_upper"))
        f[f"{part}_k"] = [d.count(k) for k, _ in keys]
        f[f"{part}_n"] = [d.count(n) for _, n in keys]
    f["identified"] = [d.count(factor_key(v, "identified")) for v in f["factor"]]
    return out
