"""The question bank: the IAOW framework (outcomes, criteria, questions) loaded and validated.

The bank is data (``data/question_bank.yaml``), not code, so the framework can be read and
changed by researchers; this module turns it into typed objects and refuses a malformed file
with an error that names the entry at fault.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..core import paths
from ..core.errors import BankError, Problem
from ..core.yamlfile import parse, stat_key
from .readings import DEFAULT_READING, READINGS
from .rules import Rule, RuleError, parse_rule

SECTIONS_ALLOWED = ("assessment_planning", "delivery_review", "case_outcomes", "victim_work")
KINDS = ("scoring", "descriptive")
FACTOR_PARTS = ("identified", "interventions", "progress")
FACTOR_PLACE = "Outcome 3, 3.4"
FACTOR_REASON = "factor_table"


@dataclass(frozen=True)
class Scale:
    """An answer scale: canonical levels, their labels, and which count as sufficient."""

    name: str
    levels: tuple[str, ...]
    labels: Mapping[str, str]
    sufficient: tuple[str, ...] = ()
    ordered: bool = False

    def label(self, level: str) -> str:
        return self.labels.get(level, level.replace("_", " "))


@dataclass(frozen=True)
class Outcome:
    id: int
    key: str
    title: str
    short: str
    expect: str


@dataclass(frozen=True)
class Section:
    id: str
    title: str


@dataclass(frozen=True)
class Criterion:
    id: str
    outcome: int
    section: str
    title: str


@dataclass(frozen=True)
class Field:
    """A case attribute that is not an inspection answer (case type, RoSH, sex...)."""

    id: str
    label: str
    scale: str
    required: bool = True
    description: str = ""


@dataclass(frozen=True)
class Alternative:
    """Another classification the report's text allows for a contested question."""

    label: str
    kind: str | None = None
    criterion: str | None = None
    outcomes: tuple[int, ...] = ()


@dataclass(frozen=True)
class Question:
    id: str
    label: str
    text: str
    criterion: str
    outcomes: tuple[int, ...]
    kind: str
    scale: str
    applies_when: Rule | None = None
    judged: bool = False
    key: bool = False
    order: int = 0
    factor: str | None = None
    place: str = ""  # where the report discusses it, e.g. "Outcome 4, 1.5"
    reason: str = ""  # why it scores or not: a key of the bank's ``reasons``
    alternatives: tuple[Alternative, ...] = ()

    @property
    def scoring(self) -> bool:
        return self.kind == "scoring"

    def under(self, alt: Alternative) -> Question:
        """The question classified as the alternative says."""
        return replace(self, kind=alt.kind or self.kind, criterion=alt.criterion or self.criterion,
                       outcomes=alt.outcomes or self.outcomes)


@dataclass(frozen=True)
class Factor:
    id: str
    label: str
    prevalent: bool


@dataclass(frozen=True)
class QuestionBank:
    """The validated framework; lookups by id are dictionaries built once."""

    outcomes: tuple[Outcome, ...]
    sections: tuple[Section, ...]
    criteria: tuple[Criterion, ...]
    fields: tuple[Field, ...]
    scales: Mapping[str, Scale]
    questions: tuple[Question, ...]
    factors: tuple[Factor, ...]
    source: str = field(default="<memory>", compare=False)
    reading: str = DEFAULT_READING  # settings: scoring
    reasons: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def question_by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    @cached_property
    def field_by_id(self) -> dict[str, Field]:
        return {f.id: f for f in self.fields}

    @cached_property
    def criterion_by_id(self) -> dict[str, Criterion]:
        return {c.id: c for c in self.criteria}

    @cached_property
    def outcome_by_id(self) -> dict[int, Outcome]:
        return {o.id: o for o in self.outcomes}

    @cached_property
    def sufficient_levels(self) -> dict[str, tuple[str, ...]]:
        """Each question's answers that count as sufficient (its k is their sum)."""
        return {q.id: tuple(self.scales[q.scale].sufficient) for q in self.questions}

    def scale_of(self, name: str) -> Scale:
        """The scale of a question or field id."""
        item = self.question_by_id.get(name) or self.field_by_id.get(name)
        if item is None:
            raise KeyError(name)
        return self.scales[item.scale]

    def scoring_questions(self, outcome: int | None = None) -> list[Question]:
        return [
            q for q in self.questions if q.scoring and (outcome is None or outcome in q.outcomes)
        ]

    def questions_in(self, criterion: str) -> list[Question]:
        return [q for q in self.questions if q.criterion == criterion]

    def criteria_of(self, outcome: int) -> list[Criterion]:
        return [c for c in self.criteria if c.outcome == outcome]

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)

    def reason_text(self, qid: str) -> str:
        """Why a question scores or not, in words ("" when the bank does not say)."""
        return self.reasons.get(self.question_by_id[qid].reason, "")

    def contested(self) -> list[Question]:
        """Questions whose classification the report's text leaves open."""
        return [q for q in self.questions if q.alternatives]

    def with_alternative(self, qid: str, alt: Alternative) -> QuestionBank:
        """The bank with one question classified as the alternative says."""
        questions = tuple(q.under(alt) if q.id == qid else q for q in self.questions)
        return replace(self, questions=questions)

    def with_reading(self, reading: str | None) -> QuestionBank:
        """The bank with another scoring reading (None keeps the bank's own)."""
        if reading is None or reading == self.reading:
            return self
        if reading not in READINGS:
            raise ValueError(f"scoring reading {reading!r}: allowed {', '.join(READINGS)}")
        return replace(self, reading=reading)


DEFAULT_BANK = paths.REPO_ROOT / "data" / "question_bank.yaml"


def load_bank(path: str | Path | None = None) -> QuestionBank:
    """Load and validate a question bank file, reporting every malformed entry at once.

    Parsed banks are cached by path, size and modification time: a warm kernel running many
    notebooks parses the bank once, and an edited bank is read afresh.
    """
    path = Path(path) if path is not None else DEFAULT_BANK
    try:
        key = stat_key(path)
    except FileNotFoundError:
        raise BankError([Problem(str(path), "question bank file not found")]) from None
    return _load_bank(*key)


@lru_cache(maxsize=8)
def _load_bank(name: str, size: int, mtime_ns: int) -> QuestionBank:
    path = Path(name)
    try:
        raw = parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BankError([Problem(name, "question bank file not found")]) from None
    except yaml.YAMLError as exc:
        raise BankError([Problem(name, f"not valid YAML: {exc}")]) from None
    if not isinstance(raw, dict):
        raise BankError([Problem(name, "the bank must be a mapping with 'questions' and others")])
    return build_bank(raw, source=name)


def build_bank(raw: Mapping[str, Any], source: str = "<memory>") -> QuestionBank:
    """Build a bank from already-parsed data; used by :func:`load_bank` and by tests.

    Every malformed entry is reported at once, each naming the entry at fault.
    """
    r = _BankReader(raw, source)
    scales = r.scales()
    outcomes = r.outcomes()
    sections = [Section(str(e["id"]), str(e.get("title", e["id"])))
                for e in r.items("sections") if "id" in e]
    criteria = r.criteria({o.id for o in outcomes}, {s.id for s in sections})
    fields = r.fields(scales)
    factors = [Factor(str(e["id"]), str(e.get("label", e["id"])), bool(e.get("prevalent", False)))
               for e in r.items("factors") if "id" in e]
    questions = [q for order, e in enumerate(r.items("questions"))
                 if (q := r.question(order, e, scales, criteria, outcomes)) is not None]
    questions.extend(_factor_questions(factors, criteria, len(questions)))
    r.check_ids(questions, fields)
    reasons = r.reasons()
    r.check_classifications(questions, reasons, scales)
    reading = r.reading()
    if r.problems:
        raise BankError(r.problems)
    return QuestionBank(tuple(outcomes), tuple(sections), tuple(criteria), tuple(fields),
                        scales, tuple(questions), tuple(factors), source, reading, reasons)


class _BankReader:
    """Reads one section of a raw bank at a time, collecting every problem it meets."""

    def __init__(self, raw: Mapping[str, Any], source: str) -> None:
        self.raw = raw
        self.source = source
        self.problems: list[Problem] = []

    def bad(self, entry: str, message: str) -> None:
        self.problems.append(Problem(self.source, f"{entry}: {message}"))

    def items(self, key: str) -> list[dict[str, Any]]:
        value = self.raw.get(key)
        if not isinstance(value, list):
            self.bad(key, "missing or not a list")
            return []
        out = []
        for i, entry in enumerate(value):
            if isinstance(entry, dict):
                out.append(entry)
            else:
                self.bad(f"{key}[{i}]", "must be a mapping")
        return out

    def has(self, entry: dict[str, Any], keys: tuple[str, ...], where: str) -> bool:
        """Whether every key is present and non-empty (each missing one is a problem)."""
        ok = True
        for key in keys:
            if key not in entry or entry[key] in (None, ""):
                self.bad(where, f"missing '{key}'")
                ok = False
        return ok

    def scales(self) -> dict[str, Scale]:
        scales: dict[str, Scale] = {}
        raw_scales = self.raw.get("scales")
        if not isinstance(raw_scales, dict):
            self.bad("scales", "missing or not a mapping")
            raw_scales = {}
        for name, spec in raw_scales.items():
            where = f"scale '{name}'"
            if not isinstance(spec, dict) or not isinstance(spec.get("levels"), list):
                self.bad(where, "must have a list of 'levels'")
                continue
            levels = tuple(str(v) for v in spec["levels"])
            sufficient = tuple(str(v) for v in spec.get("sufficient") or ())
            if len(set(levels)) != len(levels):
                self.bad(where, "levels repeat")
            for level in sufficient:
                if level not in levels:
                    self.bad(where, f"sufficient level '{level}' is not one of its levels")
            labels = {str(k): str(v) for k, v in (spec.get("labels") or {}).items()}
            scales[str(name)] = Scale(str(name), levels, labels, sufficient,
                                      bool(spec.get("ordered")))
        return scales

    def outcomes(self) -> list[Outcome]:
        return [Outcome(int(e["id"]), str(e["key"]), str(e["title"]),
                        str(e.get("short") or e["title"]), str(e.get("expect") or ""))
                for i, e in enumerate(self.items("outcomes"))
                if self.has(e, ("id", "key", "title"), f"outcome {e.get('id', i)}")]

    def criteria(self, outcome_ids: set[int], section_ids: set[str]) -> list[Criterion]:
        criteria: list[Criterion] = []
        for e in self.items("criteria"):
            where = f"criterion {e.get('id', '?')}"
            if not self.has(e, ("id", "outcome", "section", "title"), where):
                continue
            criterion = Criterion(str(e["id"]), int(e["outcome"]), str(e["section"]),
                                  str(e["title"]))
            if criterion.outcome not in outcome_ids:
                self.bad(where, f"unknown outcome {criterion.outcome}")
            if criterion.section not in section_ids:
                self.bad(where, f"unknown section '{criterion.section}'")
            criteria.append(criterion)
        return criteria

    def fields(self, scales: Mapping[str, Scale]) -> list[Field]:
        fields: list[Field] = []
        for e in self.items("fields"):
            where = f"field '{e.get('id', '?')}'"
            if not self.has(e, ("id", "scale"), where):
                continue
            if e["scale"] not in scales:
                self.bad(where, f"unknown scale '{e['scale']}'")
            fields.append(Field(str(e["id"]), str(e.get("label", e["id"])), str(e["scale"]),
                                bool(e.get("required", True)), str(e.get("description", ""))))
        return fields

    def question(self, order: int, e: dict[str, Any], scales: Mapping[str, Scale],
                 criteria: list[Criterion], outcomes: list[Outcome]) -> Question | None:
        where = f"question '{e.get('id', f'#{order + 1}')}'"
        if not self.has(e, ("id", "label", "criterion", "kind", "scale"), where):
            return None
        crit = str(e["criterion"])
        outs = self._question_outcomes(where, e, crit, criteria, {o.id for o in outcomes})
        if e["kind"] not in KINDS:
            self.bad(where, f"kind must be one of {', '.join(KINDS)}, not '{e['kind']}'")
        if e["scale"] not in scales:
            self.bad(where, f"unknown scale '{e['scale']}'")
        elif e["kind"] == "scoring" and not scales[e["scale"]].sufficient:
            self.bad(where, "a scoring question needs a scale with sufficient levels, "
                     f"not '{e['scale']}'")
        rule = None
        if e.get("applies_when"):
            try:
                rule = parse_rule(str(e["applies_when"]))
            except RuleError as exc:
                self.bad(where, f"applies_when: {exc}")
        return Question(str(e["id"]), str(e["label"]), str(e.get("text", e["label"])), crit,
                        outs, str(e["kind"]), str(e["scale"]), rule,
                        bool(e.get("judged", False)), bool(e.get("key", False)), order,
                        place=str(e.get("place") or ""), reason=str(e.get("reason") or ""),
                        alternatives=self._alternatives(where, e, criteria, outcomes))

    def _alternatives(self, where: str, e: dict[str, Any], criteria: list[Criterion],
                      outcomes: list[Outcome]) -> tuple[Alternative, ...]:
        """A contested question's other classifications, each checked against the framework."""
        raw = e.get("alternatives") or []
        if not isinstance(raw, list):
            self.bad(where, "'alternatives' must be a list")
            return ()
        out = []
        for i, a in enumerate(raw):
            at = f"{where}, alternative {i + 1}"
            if not isinstance(a, dict) or not self.has(a, ("label",), at):
                continue
            kind, crit = a.get("kind"), a.get("criterion")
            outs = tuple(int(o) for o in a.get("outcomes") or ())
            if kind is not None and kind not in KINDS:
                self.bad(at, f"kind must be one of {', '.join(KINDS)}, not '{kind}'")
            if crit is not None and str(crit) not in {c.id for c in criteria}:
                self.bad(at, f"unknown criterion '{crit}'")
            for o in set(outs) - {o.id for o in outcomes}:
                self.bad(at, f"unknown outcome {o}")
            out.append(Alternative(str(a["label"]), None if kind is None else str(kind),
                                   None if crit is None else str(crit), outs))
        return tuple(out)

    def reasons(self) -> dict[str, str]:
        raw = self.raw.get("reasons") or {}
        if not isinstance(raw, dict):
            self.bad("reasons", "must be a mapping of reason name to text")
            return {}
        return {str(k): str(v) for k, v in raw.items()}

    def reading(self) -> str:
        """The scoring reading the bank's settings choose (the default if none is set)."""
        settings = self.raw.get("settings") or {}
        value = str(settings.get("scoring", DEFAULT_READING)) if isinstance(settings, dict) \
            else ""
        if value not in READINGS:
            self.bad("settings", f"scoring must be one of {', '.join(READINGS)}, not "
                     f"'{value or settings}'")
            return DEFAULT_READING
        return value

    def check_classifications(self, questions: list[Question], reasons: Mapping[str, str],
                              scales: Mapping[str, Scale]) -> None:
        """A named reason exists; a question an alternative makes scoring can score."""
        for q in questions:
            where = f"question '{q.id}'"
            if q.reason and q.reason not in reasons and q.factor is None:
                self.bad(where, f"reason '{q.reason}' is not one of the bank's reasons "
                         f"({', '.join(sorted(reasons)) or 'none'})")
            for alt in q.alternatives:
                if alt.kind == "scoring" and q.scale in scales and not scales[q.scale].sufficient:
                    self.bad(where, f"alternative '{alt.label}' makes it scoring, but scale "
                             f"'{q.scale}' has no sufficient levels")

    def _question_outcomes(self, where: str, e: dict[str, Any], crit: str,
                           criteria: list[Criterion], outcome_ids: set[int]) -> tuple[int, ...]:
        """A question's outcomes: as listed, or its criterion's outcome."""
        outs = e.get("outcomes")
        by_id = {c.id: c for c in criteria}
        if crit not in by_id:
            self.bad(where, f"unknown criterion '{crit}'")
        elif outs is None:
            outs = [by_id[crit].outcome]
        if not isinstance(outs, list) or not outs:
            self.bad(where, "'outcomes' must be a non-empty list")
            outs = []
        for o in outs:
            if o not in outcome_ids:
                self.bad(where, f"unknown outcome {o}")
        return tuple(int(o) for o in outs)

    def check_ids(self, questions: list[Question], fields: list[Field]) -> None:
        """Ids unique and not reserved; rules refer only to known fields and questions."""
        seen: set[str] = set()
        for ident in [q.id for q in questions] + [f.id for f in fields]:
            if ident in seen:
                self.bad(f"id '{ident}'", "is used more than once")
            seen.add(ident)
        for ident in seen:
            if ident in ("area_id", "case_id"):
                self.bad(f"id '{ident}'", "is reserved for the loader")
        for q in questions:
            if q.applies_when is None:
                continue
            for name in sorted(q.applies_when.names - seen):
                self.bad(f"question '{q.id}'", f"applies_when refers to unknown field '{name}'")
            if q.id in q.applies_when.names:
                self.bad(f"question '{q.id}'", "applies_when refers to the question itself")


def _factor_questions(
    factors: list[Factor], criteria: list[Criterion], start: int
) -> list[Question]:
    """Expand each offending-related factor into its three descriptive questions (table 3.4)."""
    crit_ids = {c.id for c in criteria}
    out: list[Question] = []
    for i, f in enumerate(factors):
        ident = f"factor_{f.id}_identified"
        applies = parse_rule(f'{ident} == "yes"')
        parts = {
            "identified": (f"{f.label}: factor identified", "3.1", None),
            "interventions": (f"{f.label}: sufficient interventions", "3.2", applies),
            "progress": (f"{f.label}: sufficient progress", "3.3", applies),
        }
        for j, (part, (label, crit, rule)) in enumerate(parts.items()):
            out.append(
                Question(f"factor_{f.id}_{part}", label, label,
                         crit if crit in crit_ids else next(iter(crit_ids), crit), (3,),
                         "descriptive", "yes_no", rule, False, False,
                         start + 3 * i + j, factor=f.id, place=FACTOR_PLACE,
                         reason=FACTOR_REASON)
            )
    return out
