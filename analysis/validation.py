"""The case-data contract: normalise what people type, validate with pandera, check applicability.

Problems are collected in one pass and reported together, each naming the file, the row as a
spreadsheet user counts it (header = row 1), the column, the value and what is allowed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .bank import QuestionBank, Scale
from .errors import InputError, Problem
from .readers import ReadInfo, read_table

log = logging.getLogger(__name__)

AREA_ID_PATTERN = r"[a-z0-9][a-z0-9_-]{0,63}"
ID_COLUMNS = ("area_id", "case_id")

#: How answers people really type are read. Keys are compared in lower case, trimmed.
NOT_APPLICABLE = frozenset({"", "n/a", "na", "n.a.", "not applicable", "-"})
YES = frozenset({"yes", "y", "true", "1"})
NO = frozenset({"no", "n", "false", "0"})


def _key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def normalise_answer(raw: object, scale: Scale) -> object:
    """Map a typed answer to its canonical level, ``pd.NA`` for not applicable.

    A value that cannot be read is returned unchanged, so that validation reports it as typed.
    """
    if raw is None or (isinstance(raw, float) and pd.isna(raw)) or raw is pd.NA:
        return pd.NA
    text = str(raw).strip()
    low = text.lower()
    if low in NOT_APPLICABLE:
        return pd.NA
    if "yes" in scale.levels and low in YES:
        return "yes"
    if "no" in scale.levels and low in NO:
        return "no"
    key = _key(text)
    for level in scale.levels:
        if key == level or key == _key(scale.label(level)):
            return level
    return text


def allowed_text(scale: Scale) -> str:
    """The allowed answers for a scale, as a user reads them in a message."""
    levels = ", ".join(scale.levels)
    extra = " (or Y/N)" if "yes" in scale.levels else ""
    return f"{levels}{extra}, or blank / N/A for not applicable"


@dataclass
class CaseData:
    """Validated cases in canonical form: one row per case, ``pd.NA`` where not applicable."""

    frame: pd.DataFrame
    sources: list[ReadInfo] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def areas(self) -> list[str]:
        return sorted(self.frame["area_id"].unique().tolist())

    def area(self, area_id: str) -> pd.DataFrame:
        return self.frame[self.frame["area_id"] == area_id].reset_index(drop=True)


def _row(index: object) -> int:
    return int(str(index)) + 2


def _schema(bank: QuestionBank, columns: Iterable[str]) -> Any:
    import pandera.pandas as pa

    cols: dict[str, Any] = {
        "area_id": pa.Column(str, pa.Check.str_matches(AREA_ID_PATTERN + r"\Z"), nullable=False),
        "case_id": pa.Column(str, pa.Check.str_length(min_value=1), nullable=False),
    }
    present = set(columns)
    for f in bank.fields:
        if f.id in present:
            levels = list(bank.scales[f.scale].levels)
            cols[f.id] = pa.Column(object, pa.Check.isin(levels), nullable=not f.required)
    for q in bank.questions:
        if q.id in present:
            levels = list(bank.scales[q.scale].levels)
            cols[q.id] = pa.Column(object, pa.Check.isin(levels), nullable=True)
    return pa.DataFrameSchema(cols, strict=False, coerce=False)


def _allowed_for(bank: QuestionBank, column: str) -> str:
    if column == "area_id":
        return "lower-case letters, digits, '-' and '_', starting with a letter or digit, ≤ 64"
    if column == "case_id":
        return "a non-empty pseudonymous id"
    return allowed_text(bank.scale_of(column))


def validate_frame(
    raw: pd.DataFrame, bank: QuestionBank, file: str, *, lenient: bool = False
) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate one file's frame of strings; return the canonical frame and any warnings."""
    problems: list[Problem] = []
    known = {"area_id", "case_id"} | set(bank.field_by_id) | set(bank.question_by_id)
    required = ["area_id", "case_id"] + [f.id for f in bank.fields if f.required]
    dupes = raw.columns[raw.columns.duplicated()].tolist()
    for col in dupes:
        problems.append(Problem(file, "column appears more than once", row=1, column=col))
    for col in required:
        if col not in raw.columns:
            problems.append(Problem(file, "required column is missing", row=1, column=col))
    for col in raw.columns:
        if col not in known:
            problems.append(Problem(file, "unknown column: not a case field or a question id",
                                    row=1, column=col,
                                    allowed="the columns of `python -m analysis template`"))
    if problems:
        raise InputError(problems)

    columns: dict[str, pd.Series] = {
        "area_id": raw["area_id"].astype(str).str.strip(),
        "case_id": raw["case_id"].astype(str).str.strip(),
    }
    for col in raw.columns:
        if col in ID_COLUMNS:
            continue
        scale = bank.scale_of(col)
        columns[col] = raw[col].map(lambda v, s=scale: normalise_answer(v, s)).astype(object)
    frame = pd.DataFrame(columns, index=raw.index)

    import pandera.errors

    try:
        _schema(bank, frame.columns).validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        for rec in exc.failure_cases.to_dict("records"):
            col = rec.get("column")
            index = rec.get("index")
            if col is None or index is None or pd.isna(index):
                problems.append(Problem(file, f"failed check {rec.get('check')}", column=col))
                continue
            value = raw.at[index, col] if col in raw.columns else rec.get("failure_case")
            message = ("value is missing" if value is None or str(value).strip() == ""
                       else "value not allowed")
            problems.append(Problem(file, message, row=_row(index), column=str(col),
                                    value=str(value), allowed=_allowed_for(bank, str(col))))
    dup = frame.duplicated(["area_id", "case_id"], keep="first")
    first_row = {(str(a), str(c)): _row(i) for i, a, c in
                 zip(frame.index, frame["area_id"], frame["case_id"], strict=True) if not dup[i]}
    for i in frame.index[dup]:
        area, case = str(frame.at[i, "area_id"]), str(frame.at[i, "case_id"])
        problems.append(Problem(file, f"duplicate case id in area '{area}' (first on row "
                                f"{first_row[(area, case)]})", row=_row(i), column="case_id",
                                value=case, allowed="each case id once per area"))
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.row or 0, p.column or "")))

    warnings = _check_applicability(frame, bank, file, lenient, problems)
    if problems:
        raise InputError(problems)
    absent = [c for c in [f.id for f in bank.fields] + [q.id for q in bank.questions]
              if c not in frame.columns]
    if absent:
        frame = pd.concat([frame, pd.DataFrame(pd.NA, index=frame.index, columns=absent)],
                          axis=1)
    ordered = ["area_id", "case_id"] + [f.id for f in bank.fields] + [q.id for q in bank.questions]
    return frame[ordered].astype(object), warnings


def dependency_order(bank: QuestionBank) -> list[str]:
    """Questions ordered so that every rule is evaluated after the answers it reads."""
    qids = set(bank.question_by_id)
    done: list[str] = []
    placed: set[str] = set()

    def visit(qid: str, stack: tuple[str, ...]) -> None:
        if qid in placed or qid in stack:
            return
        rule = bank.question_by_id[qid].applies_when
        for dep in sorted((rule.names if rule else frozenset()) & qids):
            visit(dep, (*stack, qid))
        placed.add(qid)
        done.append(qid)

    for q in bank.questions:
        visit(q.id, ())
    return done


def _check_applicability(
    frame: pd.DataFrame, bank: QuestionBank, file: str, lenient: bool, problems: list[Problem]
) -> list[Problem]:
    """Answers only where the rule holds; answers required where it holds and is not judged."""
    warnings: list[Problem] = []
    for qid in dependency_order(bank):
        q = bank.question_by_id[qid]
        if qid not in frame.columns or q.applies_when is None:
            continue
        holds = q.applies_when.evaluate(frame)
        answered = frame[qid].notna()
        for i in frame.index[answered & ~holds]:
            p = Problem(file, "answer given where the question does not apply "
                        f"(applies when {q.applies_when.source})", row=_row(i), column=qid,
                        value=str(frame.at[i, qid]), allowed="blank or N/A in this row")
            (warnings if lenient else problems).append(p)
            # read as not applicable from here on, so that rules reading it do not cascade
            frame.at[i, qid] = pd.NA
        if not q.judged:
            for i in frame.index[holds & ~answered]:
                problems.append(Problem(file, "answer missing where the question applies "
                                        f"({q.applies_when.source})", row=_row(i), column=qid,
                                        value="", allowed=allowed_text(bank.scales[q.scale])))
    return warnings


def load_cases(
    paths: Sequence[str | Path], bank: QuestionBank, *, lenient: bool = False,
    sheet: str | None = None,
) -> CaseData:
    """Read and validate case files; raise one :class:`InputError` listing every problem."""
    frames: list[pd.DataFrame] = []
    where: list[tuple[str, int]] = []  # (file, spreadsheet row) of every case, in order
    infos: list[ReadInfo] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    for path in paths:
        try:
            raw, info = read_table(path, sheet=sheet)
            frame, warned = validate_frame(raw, bank, str(path), lenient=lenient)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        frames.append(frame)
        where.extend((str(path), _row(i)) for i in frame.index)
        infos.append(info)
        warnings.extend(warned)
    if problems:
        raise InputError(problems)
    combined = pd.concat(frames, ignore_index=True)
    first: dict[tuple[str, str], int] = {}
    for pos, (area, case) in enumerate(zip(combined["area_id"], combined["case_id"],
                                           strict=True)):
        seen = first.setdefault((str(area), str(case)), pos)
        if seen != pos:
            (file, row), (first_file, first_row) = where[pos], where[seen]
            problems.append(Problem(
                file, f"the same case id appears in more than one file (area '{area}', first "
                f"in {first_file}, row {first_row})", row=row, column="case_id", value=str(case),
                allowed="each case id once per area, across all files"))
    if problems:
        raise InputError(problems)
    for w in warnings:
        log.warning("treated as not applicable: %s", w)
    return CaseData(combined, infos, warnings)
