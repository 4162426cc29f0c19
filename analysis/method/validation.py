"""The case-data contract: normalise what people type, validate with pandera, check applicability.

Problems are collected in one pass and reported together, each naming the file, the row as a
spreadsheet user counts it (header = row 1), the column, the value and what is allowed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import InputError, Problem
from .bank import QuestionBank, Scale
from .readers import ReadInfo, column_letter, read_table

log = logging.getLogger(__name__)

AREA_ID_PATTERN = r"[a-z0-9][a-z0-9_-]{0,63}"
ID_COLUMNS = ("area_id", "case_id")

#: How answers people really type are read. Keys are compared in lower case, trimmed.
NOT_APPLICABLE = frozenset({"", "n/a", "na", "n.a.", "not applicable", "-"})
YES = frozenset({"yes", "y", "true", "1"})
NO = frozenset({"no", "n", "false", "0"})
#: Excel's error values: a formula that failed. Kept as text by the reader, never read as blank.
EXCEL_ERRORS = frozenset({"#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!",
                          "#SPILL!", "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!",
                          "#CONNECT!", "#BUSY!", "#UNKNOWN!"})


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


def answer_text(scale: Scale) -> str:
    """The answers a question that applies may take (not applicable is not one of them)."""
    extra = " (or Y/N)" if "yes" in scale.levels else ""
    return ", ".join(scale.levels) + extra


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


#: Schemas made, by bank and column set: a worker validates one file after another with the
#: same bank (building a schema of 170 columns cost a third as much as checking a file).
_SCHEMAS: dict[tuple[int, frozenset[str]], tuple[QuestionBank, Any]] = {}


def _schema(bank: QuestionBank, columns: Iterable[str]) -> Any:
    """The pandera schema of the bank's columns present in a file (made once per column set)."""
    present = frozenset(columns)
    key = (id(bank), present)
    made = _SCHEMAS.get(key)
    if made is None or made[0] is not bank:  # an id reused by another bank: make it again
        made = _SCHEMAS[key] = (bank, _make_schema(bank, present))
    return made[1]


def _make_schema(bank: QuestionBank, present: frozenset[str]) -> Any:
    import pandera.pandas as pa

    cols: dict[str, Any] = {
        "area_id": pa.Column(str, pa.Check.str_matches(AREA_ID_PATTERN + r"\Z"), nullable=False),
        "case_id": pa.Column(str, [pa.Check.str_length(min_value=1),
                                   pa.Check.notin(sorted(EXCEL_ERRORS))], nullable=False),
    }
    for f in bank.fields:
        if f.id in present:
            levels = list(bank.scales[f.scale].levels)
            cols[f.id] = pa.Column(object, pa.Check.isin(levels), nullable=not f.required)
    for q in bank.questions:
        if q.id in present:
            levels = list(bank.scales[q.scale].levels)
            cols[q.id] = pa.Column(object, pa.Check.isin(levels), nullable=True)
    return pa.DataFrameSchema(cols, strict=False, coerce=False)


def allowed_at(bank: QuestionBank, column: str, applies: bool | None = None) -> str:
    """What a cell of ``column`` accepts, as a user reads it in a message: exactly what
    would pass there. ``applies``: whether the question applies in the cell's row (None when
    unknown, because an answer its rule reads is wrong too). A blank or N/A is offered only
    where it would be accepted: never for a required field or a question that applies and
    that inspectors may not judge."""
    if column == "area_id":
        return "lower-case letters, digits, '-' and '_', starting with a letter or digit, ≤ 64"
    if column == "case_id":
        return "a non-empty pseudonymous id"
    field = bank.field_by_id.get(column)
    if field is not None:
        answers = answer_text(bank.scales[field.scale])
        return answers if field.required else f"{answers}, or blank"
    q = bank.question_by_id[column]
    answers = answer_text(bank.scales[q.scale])
    if q.judged:
        answers += ", or blank / N/A where inspectors judged it not applicable"
    rule = q.applies_when
    if rule is None:
        return answers
    from .ruletext import english  # it imports this module's spellings of yes, no and N/A

    when = english(rule)
    if applies is True:
        return f"{answers} (the question applies in this row: {when})"
    if applies is False:
        return f"blank or N/A (the question applies only when {when}; not in this row)"
    return f"{answers} where the question applies (when {when}); blank or N/A elsewhere"


def _normalised(column: pd.Series, scale: Scale) -> pd.Series:
    """``normalise_answer`` over a column, once per distinct value (a column holds a few)."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    canonical = np.empty(len(uniques) + 1, dtype=object)
    for i, value in enumerate(uniques):
        canonical[i] = normalise_answer(value, scale)
    canonical[-1] = pd.NA  # code -1: missing
    return pd.Series(canonical[codes], index=column.index, dtype=object)


def _column_problems(raw: pd.DataFrame, bank: QuestionBank, file: str) -> list[Problem]:
    problems: list[Problem] = []
    known = {"area_id", "case_id"} | set(bank.field_by_id) | set(bank.question_by_id)
    required = ["area_id", "case_id"] + [f.id for f in bank.fields if f.required]
    for col in raw.columns[raw.columns.duplicated()].unique().tolist():
        letters = " and ".join(column_letter(i) for i, c in enumerate(raw.columns)
                               if c == col)
        problems.append(Problem(file, f"column appears more than once (spreadsheet columns "
                                f"{letters}); the first is checked", row=1, column=col,
                                allowed="each column once"))
    for col in required:
        if col not in raw.columns:
            problems.append(Problem(file, "required column is missing", row=1, column=col))
    for col in raw.columns:
        if col not in known:
            problems.append(Problem(file, "unknown column: not a case field or a question id",
                                    row=1, column=col,
                                    allowed="the columns of `python -m analysis template`"))
    return problems


def _usable(raw: pd.DataFrame, bank: QuestionBank) -> pd.DataFrame:
    """The columns whose cells can be checked: known ones, the first of any repeated name."""
    known = {"area_id", "case_id"} | set(bank.field_by_id) | set(bank.question_by_id)
    seen: set[str] = set()
    keep = []
    for i, col in enumerate(raw.columns):
        if col in known and col not in seen:
            keep.append(i)
            seen.add(col)
    return raw.iloc[:, keep]


def _canonical(raw: pd.DataFrame, bank: QuestionBank) -> pd.DataFrame:
    """Every answer in its canonical form (values that cannot be read are kept as typed)."""
    columns: dict[str, pd.Series] = {
        "area_id": raw["area_id"].astype(str).str.strip(),
        "case_id": raw["case_id"].astype(str).str.strip(),
    }
    for col in raw.columns:
        if col not in ID_COLUMNS:
            columns[col] = _normalised(raw[col], bank.scale_of(col))
    return pd.DataFrame(columns, index=raw.index)


@dataclass
class _Rows:
    """Where each row of a frame of several files came from, and which columns its file has."""

    files: list[str]
    rows: list[int]
    parts: np.ndarray  # per row: which of the given files (the same path may be given twice)
    columns: list[frozenset[str]]  # per given file: its columns

    def problem(self, i: int, message: str, column: str, value: str, allowed: str) -> Problem:
        return Problem(self.files[i], message, row=self.rows[i], column=column, value=value,
                       allowed=allowed)

    def has(self, column: str) -> np.ndarray:
        """Per row: whether the row's file has the column (absent: not recorded there)."""
        return np.isin(self.parts, [n for n, cols in enumerate(self.columns) if column in cols])


class _Applies:
    """Whether a question applies in a row, for saying what its cell accepts: known when
    every answer its rule reads is allowed in that row, else None."""

    def __init__(self, frame: pd.DataFrame, bank: QuestionBank,
                 failures: Sequence[tuple[int, str]]) -> None:
        self.frame, self.bank = frame, bank
        self.wrong = set(failures)
        self.holds: dict[str, np.ndarray] = {}

    def __call__(self, i: int, column: str) -> bool | None:
        q = self.bank.question_by_id.get(column)
        if q is None or q.applies_when is None:
            return None
        rule = q.applies_when
        if any((i, name) in self.wrong for name in rule.names):
            return None
        if column not in self.holds:
            self.holds[column] = rule.evaluate(self.frame).to_numpy(dtype=bool)
        return bool(self.holds[column][i])


def _value_message(value: object) -> str:
    text = "" if value is None or pd.isna(value) else str(value).strip()
    if text == "":
        return "value is missing"
    if text.upper() in EXCEL_ERRORS:
        return "Excel error value (a formula that failed), not an answer"
    return "value not allowed"


def _value_problems(frame: pd.DataFrame, raw_all: pd.DataFrame, bank: QuestionBank,
                    where: _Rows) -> list[Problem]:
    """Values outside the contract (pandera), then duplicate case ids within a file."""
    import pandera.errors

    values: list[Problem] = []
    try:
        _schema(bank, frame.columns).validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        failures: list[tuple[int, str]] = []
        for rec in exc.failure_cases.to_dict("records"):
            col, index = rec.get("column"), rec.get("index")
            if col is None or index is None or pd.isna(index):
                for file in dict.fromkeys(where.files):
                    values.append(Problem(file, f"failed check {rec.get('check')}", column=col))
                continue
            if where.has(str(col))[int(index)]:  # a column the row's file lacks: said once
                failures.append((int(index), str(col)))
        applies = _Applies(frame, bank, failures)
        for i, col in failures:
            value = raw_all.at[i, col] if col in raw_all.columns else frame.at[i, col]
            values.append(where.problem(i, _value_message(value), col, str(value),
                                        allowed_at(bank, col, applies(i, col))))
    keys = pd.Series(where.parts.astype(str), dtype=object) + "\0" + frame["area_id"] + "\0" \
        + frame["case_id"]
    dup = keys.duplicated(keep="first").to_numpy()
    first_row = {k: where.rows[i] for i, k in enumerate(keys) if not dup[i]}
    for n in map(int, np.flatnonzero(dup)):
        area, case = str(frame.at[n, "area_id"]), str(frame.at[n, "case_id"])
        values.append(where.problem(n, f"duplicate case id in area '{area}' (first on row "
                                    f"{first_row[keys.iat[n]]})", "case_id", case,
                                    "each case id once per area"))
    return values


def _log_absent(kept: Sequence[tuple[pd.DataFrame, str]], bank: QuestionBank) -> None:
    for raw, file in kept:
        absent = [q.id for q in bank.questions if q.id not in raw.columns]
        if absent:
            log.info("%s: %d question columns absent (%s...), read as not recorded in this "
                        "file", file, len(absent), ", ".join(absent[:3]))


def validate_frames(
    raws: Sequence[tuple[pd.DataFrame, str]], bank: QuestionBank, *, lenient: bool = False
) -> tuple[pd.DataFrame, list[Problem], list[tuple[str, int]]]:
    """Validate several files' frames of strings at once; problems name each file and row.

    One pandera validation and one pass of the applicability rules over all files together
    (per file they cost twelve times as much). Returns the canonical frame, the warnings and,
    per row, its (file, spreadsheet row). Raises :class:`InputError` with every problem: by
    file, in file order. Column problems do not stop the cells being checked (unknown columns
    are left out, a repeated one checked once); a file with any problem is not checked for
    applicability, as its values cannot be trusted. A question column absent from a file is
    not recorded in that file, whatever the other files hold.
    """
    by_file: dict[str, list[Problem]] = {file: [] for _, file in raws}
    kept: list[tuple[pd.DataFrame, str]] = []
    for raw, file in raws:
        by_file[file].extend(_column_problems(raw, bank, file))
        if set(ID_COLUMNS) <= set(raw.columns):
            kept.append((_usable(raw, bank), file))
    if not kept:
        raise InputError([p for ps in by_file.values() for p in ps])
    _log_absent(kept, bank)
    files = [file for raw, file in kept for _ in range(len(raw))]
    rows = [_row(i) for raw, _ in kept for i in raw.index]
    parts = np.repeat(np.arange(len(kept)), [len(raw) for raw, _ in kept])
    raw_all = pd.concat([raw for raw, _ in kept], ignore_index=True)
    frame = pd.concat([_canonical(raw, bank) for raw, _ in kept], ignore_index=True)
    if len({tuple(raw.columns) for raw, _ in kept}) > 1:  # files with different columns
        frame = frame.astype(object).where(frame.notna(), pd.NA)
    where = _Rows(files, rows, parts, [frozenset(raw.columns) for raw, _ in kept])
    values = _value_problems(frame, raw_all, bank, where)
    for p in sorted(values, key=lambda p: (p.row or 0, p.column or "")):
        by_file[p.file].append(p)
    trusted = np.array([not by_file[f] for f in files], dtype=bool)
    warnings = _check_applicability(frame, bank, where, trusted, lenient, by_file)
    problems = [p for ps in by_file.values() for p in ps]
    if problems:
        raise InputError(problems)
    absent = [c for c in [f.id for f in bank.fields] + [q.id for q in bank.questions]
              if c not in frame.columns]
    if absent:
        frame = pd.concat([frame, pd.DataFrame(pd.NA, index=frame.index, columns=absent)],
                          axis=1)
    ordered = ["area_id", "case_id"] + [f.id for f in bank.fields] + [q.id for q in bank.questions]
    return frame[ordered].astype(object), warnings, list(zip(files, rows, strict=True))


def validate_frame(
    raw: pd.DataFrame, bank: QuestionBank, file: str, *, lenient: bool = False
) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate one file's frame of strings; return the canonical frame and any warnings."""
    frame, warnings, _ = validate_frames([(raw, file)], bank, lenient=lenient)
    frame.index = raw.index
    return frame, warnings


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
    frame: pd.DataFrame, bank: QuestionBank, where: _Rows, trusted: np.ndarray, lenient: bool,
    by_file: dict[str, list[Problem]],
) -> list[Problem]:
    """Answers only where the rule holds; answers required where it holds and is not judged.

    A question without a rule applies to every case. Only rows of files whose values were all
    allowed (``trusted``) are checked, and only in columns their file has.
    """
    warnings: list[Problem] = []
    everyone = np.ones(len(frame), dtype=bool)
    for qid in dependency_order(bank):
        q = bank.question_by_id[qid]
        if qid not in frame.columns:
            continue
        rule = q.applies_when
        holds = rule.evaluate(frame).to_numpy(dtype=bool) if rule is not None else everyone
        answered = frame[qid].notna().to_numpy()
        for i in np.flatnonzero(answered & ~holds & trusted):
            assert rule is not None
            p = where.problem(int(i), "answer given where the question does not apply "
                              f"(applies when {rule.source})", qid,
                              str(frame.at[i, qid]), "blank or N/A in this row")
            (warnings if lenient else by_file[p.file]).append(p)
            # read as not applicable from here on, so that rules reading it do not cascade
            frame.at[i, qid] = pd.NA
        if not q.judged:
            when = rule.source if rule is not None else "every case"
            for i in np.flatnonzero(holds & ~answered & trusted & where.has(qid)):
                by_file[where.files[i]].append(where.problem(
                    int(i), f"answer missing where the question applies ({when})", qid, "",
                    answer_text(bank.scales[q.scale])))
    return warnings


def load_cases(
    paths: Sequence[str | Path], bank: QuestionBank, *, lenient: bool = False,
    sheet: str | None = None,
) -> CaseData:
    """Read and validate case files; raise one :class:`InputError` listing every problem
    (each in a file that opens in a spreadsheet naming its cell as well, e.g. D9)."""
    raws: list[tuple[pd.DataFrame, str]] = []
    infos: list[ReadInfo] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            raw, info = read_table(path, sheet=sheet)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        raws.append((raw, str(path)))
        infos.append(info)
        problems.extend(info.problems)
    if not raws:
        raise InputError(problems)
    letters = {info.path: info.letters for info in infos}
    order = {str(p): n for n, p in enumerate(paths)}
    try:
        combined, warnings, where = validate_frames(raws, bank, lenient=lenient)
    except InputError as exc:  # every problem, by file in the order the files were given
        merged = sorted(problems + exc.problems, key=lambda p: order.get(p.file, len(order)))
        raise InputError(with_cells(merged, letters)) from None
    if problems:
        raise InputError(with_cells(problems, letters))
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
        raise InputError(with_cells(problems, letters))
    warnings = with_cells(warnings, letters)
    for w in warnings:
        log.warning("treated as not applicable: %s", w)
    return CaseData(combined, infos, warnings)


def with_cells(problems: Sequence[Problem], letters: dict[str, dict[str, str]]) -> list[Problem]:
    """Each problem with its spreadsheet cell (column letter and row) where its file opens in
    a spreadsheet and the problem names a row and column: a wide sheet has 171 columns."""
    out = []
    for p in problems:
        letter = letters.get(p.file, {}).get(p.column or "")
        if p.cell is None and letter and p.row is not None:
            p = replace(p, cell=f"{letter}{p.row}")
        out.append(p)
    return out
