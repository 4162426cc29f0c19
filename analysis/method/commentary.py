"""The inspectors' voice: an optional ``data/commentary/<area_id>.md``, read and checked.

The file is Markdown with ``## `` sections: ``Foreword`` and ``Recommendations`` (placed
around the summary, where a published report has them) and ``Outcome 1`` ... ``Outcome 5``
(placed at the start of that outcome's chapter). Any section may be left out; ``<!-- -->``
comments and a ``# `` title line are not printed. This module splits a file into its sections
(Markdown text) and reports every problem at once; the chapters render the Markdown
(:mod:`analysis.chapters.commentary`). The file is an input of the area's notebooks, so editing
it rebuilds that report only; the build checks every commentary file's sections before it
writes anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import InputError, Problem
from . import textfile

FOREWORD = "Foreword"
RECOMMENDATIONS = "Recommendations"
OUTCOME = re.compile(r"^Outcome ([1-5])\b")
ALLOWED = "Foreword, Recommendations, Outcome 1 ... Outcome 5"
_COMMENT = re.compile(r"<!--.*?-->", re.S)


class CommentaryError(InputError):
    """A commentary file that cannot be placed in its report."""


@dataclass(frozen=True)
class Commentary:
    """The sections of one area's commentary, as Markdown text."""

    foreword: str = ""
    recommendations: str = ""
    outcomes: dict[int, str] = field(default_factory=dict)


FOLDER = "commentary"


def commentary_path(data_dir: Path, area_id: str) -> Path:
    return data_dir / FOLDER / f"{area_id}.md"


def _blank_comments(text: str) -> str:
    """Comments removed, their line breaks kept so problems name the right line."""
    return _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def _sections(text: str, name: str) -> tuple[dict[str, list[str]], list[Problem]]:
    sections: dict[str, list[str]] = {}
    problems: list[Problem] = []
    current: str | None = None
    for number, line in enumerate(_blank_comments(text).splitlines(), start=1):
        if line.startswith("## "):
            title = line[3:].strip()
            match = OUTCOME.match(title)
            key = f"Outcome {match.group(1)}" if match else title
            if key not in (FOREWORD, RECOMMENDATIONS) and not match:
                problems.append(Problem(name, f"line {number}: unknown section", value=title,
                                        allowed=ALLOWED))
            elif key in sections:
                problems.append(Problem(name, f"line {number}: section given twice", value=key))
            current = key
            sections[key] = []
        elif line.startswith("#") and not (line.startswith("# ") and current is None):
            problems.append(Problem(name, f"line {number}: headings inside a section are not "
                                    "allowed (the report sets the headings)", value=line))
        elif current is not None:
            sections[current].append(line)
        elif line.strip() and not line.startswith("# "):
            problems.append(Problem(name, f"line {number}: text before the first '## ' section",
                                    value=line.strip()[:60], allowed=ALLOWED))
    return sections, problems


def parse(text: str, name: str) -> Commentary:
    """A commentary file's sections as Markdown text; every problem reported at once."""
    sections, problems = _sections(text, name)
    if problems:
        raise CommentaryError(problems)

    def body(key: str) -> str:
        return "\n".join(sections.get(key, [])).strip()

    outcomes = {int(k.split()[1]): body(k) for k in sections if k.startswith("Outcome")}
    return Commentary(body(FOREWORD), body(RECOMMENDATIONS),
                      {k: v for k, v in outcomes.items() if v})


def read_text(path: Path) -> str:
    """The file's text as people's editors save it (UTF-8, UTF-16 with a byte-order mark,
    Windows-1252; any line endings), within the size limit, or an input error saying why."""
    return textfile.read_text(path, "commentary file").text


def load_commentary(data_dir: Path, area_id: str) -> Commentary:
    """The area's commentary, or an empty one when it has no file."""
    path = commentary_path(data_dir, area_id)
    if not path.exists():
        return Commentary()
    return parse(read_text(path), str(path))


def check_commentaries(data_dir: Path, area_ids: Iterable[str],
                       every: Iterable[str] | None = None) -> list[Problem]:
    """Problems in any area's commentary file, found before a build writes anything; with
    ``every`` (every area of areas.csv), also a file of the commentary folder that belongs to
    no area, whose words would otherwise never be printed."""
    problems: list[Problem] = []
    for area_id in area_ids:
        path = commentary_path(data_dir, area_id)
        if not path.exists():
            continue
        try:
            problems.extend(_sections(read_text(path), str(path))[1])
        except InputError as exc:
            problems.extend(exc.problems)
    if every is not None:
        problems += stray_files(data_dir, set(every))
    return problems


def stray_files(data_dir: Path, area_ids: set[str]) -> list[Problem]:
    """Files of the commentary folder that no area of areas.csv would print: a name that is
    not ``<area_id>.md`` for a listed area (a misspelt id, another extension, capitals)."""
    folder = Path(data_dir) / FOLDER
    if not folder.is_dir():
        return []
    allowed = "<area_id>.md for an area of areas.csv, e.g. " + (
        f"{min(area_ids)}.md" if area_ids else "haskbrook.md")
    problems = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name.lower() == "readme.md":
            continue
        if path.suffix != ".md" or path.stem not in area_ids:
            problems.append(Problem(str(path), "commentary file names no area of areas.csv "
                                    "(it would never be printed)", value=path.name,
                                    allowed=allowed))
    return problems


#: "89% done well enough", "66% of this work was done well enough": a commentary's own figure
#: for an outcome's score (the words may run over a line break).
SCORE_CLAIM = re.compile(r"\b(\d{1,3})%\s+(?:of\s+(?:this|the)\s+work\s+)?(?:(?:was|as)\s+)?"
                         r"done\s+well\s+enough")
_HEADING = re.compile(r"^## +Outcome ([1-5])\b.*$", re.M)


@dataclass(frozen=True)
class Claim:
    """A score a commentary states for an outcome, where it states it."""

    line: int
    outcome: int
    percent: int


def score_claims(text: str) -> list[Claim]:
    """Every outcome score a commentary's outcome sections state as their own, with its line
    (a figure its sentence attributes to a published report is left alone)."""
    return [Claim(line, outcome, int(m.group(1)))
            for line, outcome, m in _own_figures(text, SCORE_CLAIM)]


def _own_figures(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int, re.Match[str]]]:
    """Each match of ``pattern`` in an outcome section, with its line and outcome, unless its
    sentence says the figure is a published report's."""
    plain = _blank_comments(text)
    heads = [(m.start(), int(m.group(1))) for m in _HEADING.finditer(plain)]
    others = [m.start() for m in re.finditer(r"^## ", plain, re.M)]
    found = []
    for m in pattern.finditer(plain):
        section = max((h for h in heads if h[0] < m.start()), default=None)
        if section is None or any(section[0] < o < m.start() for o in others):
            continue  # not in an outcome's section
        sentence = re.split(r"[.!?]\s", plain[section[0]:m.start()])[-1]
        if "published" in sentence.lower():
            continue  # a published report's figure, said to be one
        found.append((plain.count("\n", 0, m.start()) + 1, section[1], m))
    return found


#: "12 of the 18 cases", "12 out of 18", "67%": a commentary's own figure for a finding (a
#: question of its outcome); an outcome score's own wording is :data:`SCORE_CLAIM`'s.
SHARE_CLAIM = re.compile(r"\b(\d{1,4})\s+(?:of|out\s+of)\s+(?:the\s+|these\s+)?(\d{1,4})\b"
                         r"|\b(\d{1,3})%(?!\s+(?:of\s+(?:this|the)\s+work\s+)?"
                         r"(?:(?:was|as)\s+)?done\s+well\s+enough)")


@dataclass(frozen=True)
class ShareClaim:
    """A finding's figure a commentary states ("k of n" or a percentage), where it states it."""

    line: int
    outcome: int
    text: str
    share: float


def share_claims(text: str) -> list[ShareClaim]:
    """Every "k of n" and percentage an outcome section states as its own (0 < k <= n)."""
    out = []
    for line, outcome, m in _own_figures(text, SHARE_CLAIM):
        if m.group(3) is not None:
            out.append(ShareClaim(line, outcome, m.group(0), int(m.group(3)) / 100))
        elif 0 <= int(m.group(1)) <= int(m.group(2)) > 0:
            out.append(ShareClaim(line, outcome, m.group(0),
                                  int(m.group(1)) / int(m.group(2))))
    return out


def share_disagreements(path: Path, claims: list[ShareClaim],
                        intervals: dict[int, list[tuple[float, float]]]) -> list[str]:
    """Warnings for the stated findings that lie outside the recomputed 95% interval of every
    question of their outcome (``intervals``: outcome -> each question's (lower, upper), in
    whole percents as printed, over 100): a commentary's figure names no question, so it
    agrees when some question's recomputed share could be it."""
    out = []
    for c in claims:
        if c.outcome not in intervals:
            continue
        share = round(c.share, 2)
        if not any(lo - 1e-9 <= share <= hi + 1e-9 for lo, hi in intervals[c.outcome]):
            out.append(f"{path}: line {c.line}: Outcome {c.outcome} states {c.text!r} "
                       f"({share:.0%}), outside the recomputed 95% interval of every question "
                       "of the outcome; check the figure, or say which report it is from")
    return out


def disagreements(path: Path, claims: list[Claim],
                  intervals: dict[int, tuple[int, int, int]]) -> list[str]:
    """Warnings for the stated scores outside the recomputed score's 95% interval, each naming
    the file and line; ``intervals``: outcome -> (score, lower, upper) in whole percents as
    the report prints them."""
    out = []
    for c in claims:
        if c.outcome not in intervals:
            continue
        score, lower, upper = intervals[c.outcome]
        if not lower <= c.percent <= upper:
            out.append(f"{path}: line {c.line}: Outcome {c.outcome} states {c.percent}%, outside "
                       f"the recomputed score's 95% interval {lower}–{upper}% (score {score}%); "
                       "say which figure it is (the report shows the published one beside the "
                       "recomputed)")
    return out
