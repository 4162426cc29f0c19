"""Disclosure scanner: can a reader of the release folder work out a count that must be hidden?

Independent of the policy that formats the reports (:mod:`analysis.method.disclosure`): it
shares no code with it. From the unsuppressed
tidy tables it lists every count of people from 1 to threshold - 1 (and the label it would be
read beside), then reads every file of the release folder (HTML text, tables and alt text, CSV,
Parquet, PDF text) as a reader would, and reports each way to read one back: the value beside
its label, a 'k of n' phrase, a complement (n and the other part), a share beside its
denominator, a table total or margin less the cells shown, an all-areas total less what every
area report shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from ..method.bank import QuestionBank
from ..method.victims import VICTIM_PATH
from .readback import LONG_LABEL, SUPPRESSED, Context, Table, read_file

AREA_TABLES = ("question_scores", "distributions", "crosstab", "factors")
_PHRASE = re.compile(r"(\[c\]|\d[\d,]*) (?:of|out of) (\[c\]|\d[\d,]*)")


@dataclass(frozen=True)
class Secret:
    """A count of people that must not be readable, and what would give it away."""

    value: int
    labels: tuple[str, ...]   # it would be read beside any of these
    what: str
    total: int | None = None  # with the other part, the total gives it by subtraction
    other: int | None = None
    area: tuple[str, ...] = ()  # the area's id and name: a cross-area file must name it too


@dataclass(frozen=True)
class Finding:
    file: str
    place: str
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.file}: {self.place}: {self.rule}: {self.detail}"


@dataclass(frozen=True)
class Labels:
    """Display labels of levels and the step names chapters give some variables."""

    levels: Mapping[tuple[str, str], str]      # (variable, level) -> "White"
    aliases: Mapping[str, tuple[str, ...]]    # variable -> other names it is shown under


def labels_of(bank: QuestionBank) -> Labels:
    """Display labels of every level, and the victim-path step names, as reports print them."""
    levels = {}
    for variable, scale in [*((f.id, bank.scale_of(f.id)) for f in bank.fields),
                            *((q.id, bank.scales[q.scale]) for q in bank.questions)]:
        for level in scale.levels:
            levels[(variable, level)] = scale.label(level)
    return Labels(levels, {s.variable: (s.label,) for s in VICTIM_PATH})


# what must stay hidden ----------------------------------------------------------------------
def pair_secrets(labels: Sequence[str], k: int, n: int, what: str, t: int) -> list[Secret]:
    """k of n: k, n and n - k must each be 0 or at least the threshold."""
    small = lambda v: 0 < v < t  # noqa: E731
    out = []
    if small(n):
        out.append(Secret(n, tuple(labels), f"{what}: {n} cases in all"))
    if small(k):
        out.append(Secret(k, tuple(labels), f"{what}: {k} of {n}", n, n - k))
    if small(n - k):
        out.append(Secret(n - k, tuple(labels), f"{what}: {n - k} of {n} not", n, k))
    return out


def area_secrets(tables: Mapping[str, pd.DataFrame], names: Labels, t: int) -> list[Secret]:
    out: list[Secret] = []
    for r in tables["question_scores"].drop_duplicates("question").itertuples():
        out += pair_secrets([r.label, r.question], int(r.k), int(r.n), str(r.label), t)
    for r in tables["distributions"].itertuples():
        label = names.levels.get((r.variable, r.level), str(r.level))
        out += pair_secrets([label, f"{r.variable}={r.level}"], int(r.count), int(r.n),
                            f"{r.variable} = {label}", t)
        if r.level == "yes":
            out += pair_secrets(names.aliases.get(r.variable, ()), int(r.count), int(r.n),
                                f"{r.variable} (yes)", t)
    for r in tables["factors"].itertuples():
        out += pair_secrets([r.label, r.factor], int(r.identified), int(r.identified),
                            f"{r.label} identified", t)
        for part in ("interventions", "progress"):
            out += pair_secrets([r.label, r.factor], int(getattr(r, f"{part}_k")),
                                int(getattr(r, f"{part}_n")), f"{r.label} {part}", t)
    for (rf, rl), sub in tables["crosstab"].groupby(["row_field", "row_level"], sort=False):
        margin = int(sub["count"].sum())
        label = names.levels.get((str(rf), str(rl)), str(rl))
        for r in sub.itertuples():
            if 0 < r.count < t:
                out.append(Secret(int(r.count), (label,), f"{rf}={rl} and {r.col_field}="
                                  f"{r.col_level}: {r.count}", margin, margin - int(r.count)))
    return out


def margins(tables: Mapping[str, pd.DataFrame], names: Labels) -> dict[str, set[int]]:
    """Row and column totals of cross-tables by label: shown elsewhere, they are subtracted."""
    out: dict[str, set[int]] = {}
    x = tables["crosstab"]
    for fld, lvl in (("row_field", "row_level"), ("col_field", "col_level")):
        for (f, lv), sub in x.groupby([fld, lvl], sort=False):
            label = names.levels.get((str(f), str(lv)), str(lv)).lower()
            out.setdefault(label, set()).add(int(sub["count"].sum()))
    return out


# how it could be read back ------------------------------------------------------------------
def phrase_findings(c: Context, t: int) -> Iterable[Finding]:
    """'k of n' anywhere: k, n and n - k must not be small."""
    if " of " not in c.text:  # every match has it; most texts do not
        return
    for m in _PHRASE.finditer(c.text):
        k, n = (None if g == SUPPRESSED else int(g.replace(",", "")) for g in m.groups())
        small = [v for v in (k, n, None if k is None or n is None else n - k)
                 if v is not None and 0 < v < t]
        if small:
            yield Finding(c.file, c.place, "k of n", f"'{m.group(0)}' shows or gives {small[0]}")


def _unique_count(share: float, tolerance: float, n: int) -> int | None:
    fits = [k for k in range(n + 1) if abs(k / n - share) <= tolerance + 1e-9] if n else []
    return fits[0] if len(fits) == 1 else None


def secret_findings(c: Context, s: Secret, cross_area: bool) -> Iterable[Finding]:
    if cross_area and not any(c.about(a) for a in s.area):
        return
    if s.value in c.ints:
        yield Finding(c.file, c.place, "beside its label", f"{s.what}: {s.value} is shown")
        return
    if s.total is None or s.other is None:
        return
    totals = set(c.ints) | set(c.caption_ints)
    if s.total in totals and s.other in c.ints and s.other != s.total:
        yield Finding(c.file, c.place, "complement",
                      f"{s.what}: {s.total} less {s.other} gives {s.value}")
        return
    if s.total in totals:
        for sh in c.shares:
            if _unique_count(sh.value, sh.tolerance, s.total) in (s.value, s.other):
                yield Finding(c.file, c.place, "share with its denominator",
                              f"{s.what}: {sh.value:.0%} of {s.total} gives {s.value}")
                return


class SecretIndex:
    """Secrets by label: a table row looks its labels up, a sentence searches long labels."""

    def __init__(self, secrets: Iterable[Secret]) -> None:
        self.by_label: dict[str, list[Secret]] = {}
        for s in secrets:
            for label in dict.fromkeys(x.lower() for x in s.labels if x):
                self.by_label.setdefault(label, []).append(s)

        # a sentence is only ever about a long label (Context.about): the rest never match
        self.long = [(label, group) for label, group in self.by_label.items()
                     if len(label) >= LONG_LABEL]

    def about(self, c: Context) -> list[Secret]:
        if c.is_row:
            return [s for label in c.labels for s in self.by_label.get(label, ())]
        text = c.lowered
        return [s for label, group in self.long if label in text and c.about(label)
                for s in group]


def _sum_finding(file: str, place: str, total: int, cells: Sequence[int | str], t: int,
                 what: str) -> Finding | None:
    hidden = sum(1 for x in cells if x == SUPPRESSED)
    rest = total - sum(x for x in cells if isinstance(x, int))
    if not hidden or rest < 0:
        return None
    if hidden == 1 and rest > 0:
        return Finding(file, place, "total less the cells shown",
                       f"{what}: the hidden cell is {total} less the others = {rest}")
    if 0 < rest < t:
        return Finding(file, place, "total less the cells shown",
                       f"{what}: the {hidden} hidden cells add up to {rest}")
    return None


def _count_columns(table: Table) -> list[int]:
    width = min((len(r) for r in table.cells), default=0)
    cols = [j for j in range(width)
            if all(isinstance(r[j], int) or r[j] == SUPPRESSED for r in table.cells)]
    return cols if any(isinstance(r[j], int) for r in table.cells for j in cols) else []


def table_findings(table: Table, contexts: Sequence[Context], margin: Mapping[str, set[int]],
                   t: int) -> Iterable[Finding]:
    """Totals in the caption, and row totals printed elsewhere in the same file."""
    cols = _count_columns(table)
    if not cols:
        return
    where = f"table ({table.caption[:70]})"
    if table.total is not None:
        cells = [r[j] for r in table.cells for j in cols]
        f = _sum_finding(table.file, where, table.total, cells, t, "caption total")
        if f:
            yield f
    if len(cols) < 2:
        return
    for label, row in zip(table.row_labels, table.cells, strict=True):
        for total in margin.get(label.lower(), ()):
            shown_elsewhere = any(c.about(label) and total in c.ints and c.file == table.file
                                  and not c.place.startswith(where[:20]) for c in contexts)
            f = _sum_finding(table.file, f"{where}, row '{label}'", total,
                             [row[j] for j in cols], t, f"row total {total} shown elsewhere")
            if shown_elsewhere and f:
                yield f


def _shows_pair(contexts: Iterable[Context], label: str, k: int, n: int) -> bool:
    return any(c.is_row and c.about(label) and n in c.ints and k in c.ints for c in contexts)


def pooled_findings(contexts: Mapping[str, list[Context]],
                    questions: Mapping[str, pd.DataFrame], t: int) -> Iterable[Finding]:
    """An all-areas k beside its n, less the k every area report shows, gives the hidden ones.

    ``contexts`` are keyed by area id ('' for files outside an area folder)."""
    if not questions or not contexts.get(""):
        return
    frames = pd.concat([q.drop_duplicates("question").assign(area=a)
                        for a, q in questions.items()])
    for (_qid, label), sub in frames.groupby(["question", "label"], sort=True):
        k, n = int(sub["k"].sum()), int(sub["n"].sum())
        where = [c for c in contexts[""] if c.is_row and c.about(str(label))
                 and n in c.ints and k in c.ints]
        if not where:
            continue
        hidden = sub[[not _shows_pair(contexts.get(r.area, ()), str(label), int(r.k), int(r.n))
                      for r in sub.itertuples()]]
        ks, rests = int(hidden["k"].sum()), int((hidden["n"] - hidden["k"]).sum())
        one = len(hidden) == 1 and (0 < ks < t or 0 < rests < t)
        if one or 0 < ks < t or 0 < rests < t:
            yield Finding(where[0].file, where[0].place, "all-areas total less the areas shown",
                          f"{label}: {k} of {n} in all, less what the area reports show, "
                          f"gives {ks} of {ks + rests} in {', '.join(hidden['area'])}")


def scan_files(files: Sequence[Path], root: Path, secrets: Mapping[str, list[Secret]],
               margin: Mapping[str, Mapping[str, set[int]]], t: int,
               questions: Mapping[str, pd.DataFrame] | None = None) -> list[Finding]:
    """Findings in every file. ``secrets``, ``margin`` and ``questions`` (the unsuppressed
    question scores) are keyed by area id, the file's top folder; a file outside an area
    folder is checked against every area's secrets."""
    index = {area: SecretIndex(group) for area, group in secrets.items()}
    everyone = SecretIndex(s for group in secrets.values() for s in group)
    findings: list[Finding] = []
    by_area: dict[str, list[Context]] = {}
    for path in files:
        contexts, tables = read_file(path, root)
        parts = path.relative_to(root).parts
        area = parts[0] if len(parts) > 1 and parts[0] in index else ""
        by_area.setdefault(area, []).extend(contexts)
        mine = index[area] if area else everyone
        for c in contexts:
            findings.extend(phrase_findings(c, t))
            for s in mine.about(c):
                findings.extend(secret_findings(c, s, cross_area=not area))
        for table in tables:
            findings.extend(table_findings(table, contexts, margin.get(area, {}), t))
    findings.extend(pooled_findings(by_area, questions or {}, t))
    return sorted(set(findings), key=lambda f: (f.file, f.place, f.rule))


def scan(release: Path, outputs: Path, names: Labels, areas: Mapping[str, str],
         threshold: int) -> list[Finding]:
    """Scan every file under ``release`` against the unsuppressed tables of each area in
    ``areas`` (id -> name), read from ``outputs/<id>/tables``."""
    secrets: dict[str, list[Secret]] = {}
    margin: dict[str, dict[str, set[int]]] = {}
    questions: dict[str, pd.DataFrame] = {}
    for area_id, name in areas.items():
        folder = outputs / area_id / "tables"
        if not all((folder / f"{n}.parquet").exists() for n in AREA_TABLES):
            continue
        tables = {n: pd.read_parquet(folder / f"{n}.parquet") for n in AREA_TABLES}
        secrets[area_id] = [replace(s, area=(area_id, name))
                            for s in area_secrets(tables, names, threshold)]
        margin[area_id] = margins(tables, names)
        questions[area_id] = tables["question_scores"]
    files = sorted(p for p in release.rglob("*") if p.is_file())
    return scan_files(files, release, secrets, margin, threshold, questions)
