"""The case-data template: a workbook that prevents mistakes, its CSV twin, the dictionary.

The ``cases`` sheet has a frozen header whose cells hold the column id on their first line (what
the reader takes) and the question text below it; drop-down lists of each scale's answers;
cells greyed where the question does not apply given the row's other answers (the bank's
``applies_when`` as an Excel formula); widths to read by. The ``dictionary`` sheet says, for
people, what each column records, when it is asked and what may be typed.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..core.atomic import atomic_path, write_bytes
from ..method.bank import QuestionBank, load_bank
from ..method.ruletext import english, excel_formula
from ..method.tables import csv_bytes
from ..method.textfile import MAX_CELL_CHARS
from ..method.validation import AREA_ID_PATTERN, answer_text

#: Rows made ready (drop-downs, greying): a file of several areas of up to 90 cases each.
TEMPLATE_ROWS = 1_000
GREY = "D9D9D9"
HEADER_FILL = "DDEBF7"
NOT_APPLICABLE_CHOICE = "n/a"


def _levels(bank: QuestionBank, scale: str) -> str:
    s = bank.scales[scale]
    return "; ".join(f"{lv} ({s.label(lv)})" if s.label(lv).lower() != lv else lv
                     for lv in s.levels)


def dictionary(bank: QuestionBank) -> pd.DataFrame:
    """One row per column of the case-data contract, in the words of the people filling it."""
    rows = [
        {"column": "area_id", "what it records": "The inspected area's id",
         "asked when": "every case", "inspectors may judge not applicable": "no",
         "answers": f"lower-case letters, digits, '-' and '_' (pattern {AREA_ID_PATTERN})",
         "criterion": "", "outcomes": ""},
        {"column": "case_id", "what it records": "Pseudonymous case id, never shown in any "
         "output", "asked when": "every case", "inspectors may judge not applicable": "no",
         "answers": f"any text up to {MAX_CELL_CHARS:,} characters, once per area",
         "criterion": "", "outcomes": ""},
    ]
    for f in bank.fields:
        rows.append({"column": f.id, "what it records": f.description or f.label,
                     "asked when": "every case" if f.required else "optional",
                     "inspectors may judge not applicable": "no",
                     "answers": _levels(bank, f.scale), "criterion": "", "outcomes": ""})
    for q in bank.questions:
        asked = english(q.applies_when)
        rows.append({"column": q.id, "what it records": q.text,
                     "asked when": asked if q.applies_when is None else f"when {asked}",
                     "inspectors may judge not applicable":
                         f"yes: blank or {NOT_APPLICABLE_CHOICE}" if q.judged else "no",
                     "answers": _levels(bank, q.scale), "criterion": q.criterion,
                     "outcomes": ", ".join(map(str, q.outcomes))})
    return pd.DataFrame(rows)


def write_template(folder: str | Path) -> list[Path]:
    """Write ``case-data-template.csv`` and ``.xlsx`` (sheets ``cases``, ``dictionary`` and a
    hidden ``lists`` holding the drop-downs' answers)."""
    folder = Path(folder)
    bank = load_bank()
    d = dictionary(bank)
    csv_path = folder / "case-data-template.csv"
    xlsx_path = folder / "case-data-template.xlsx"
    write_bytes(csv_path, csv_bytes(pd.DataFrame(columns=d["column"].tolist())))
    with atomic_path(xlsx_path) as tmp:
        workbook(bank, d).save(tmp)
    return [csv_path, xlsx_path]


def workbook(bank: QuestionBank, d: pd.DataFrame):  # type: ignore[no-untyped-def]
    """The template workbook (openpyxl, imported here: only ``template`` needs it)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "cases"
    lists = _lists_sheet(book, bank)
    _cases_sheet(sheet, bank, lists)
    _dictionary_sheet(book, d)
    return book


def _lists_sheet(book, bank: QuestionBank) -> dict[tuple[str, bool], str]:  # type: ignore[no-untyped-def]
    """A hidden sheet with each scale's answers; returns the range of each drop-down list,
    by (scale, whether n/a is offered)."""
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet("lists")
    ranges = {}
    for col, (name, scale) in enumerate(bank.scales.items(), start=1):
        letter = get_column_letter(col)
        ws.cell(row=1, column=col, value=name)
        for r, value in enumerate([*scale.levels, NOT_APPLICABLE_CHOICE], start=2):
            ws.cell(row=r, column=col, value=value)
        last = len(scale.levels) + 1
        ranges[(name, False)] = f"lists!${letter}$2:${letter}${last}"
        ranges[(name, True)] = f"lists!${letter}$2:${letter}${last + 1}"
    ws.sheet_state = "hidden"
    return ranges


def _columns(bank: QuestionBank) -> list[tuple[str, str, str | None]]:
    """(column id, text under it, scale) in file order."""
    ids: list[tuple[str, str, str | None]] = [("area_id", "Area id", None),
                                              ("case_id", "Pseudonymous case id", None)]
    return (ids + [(f.id, f.label, f.scale) for f in bank.fields]
            + [(q.id, q.text, q.scale) for q in bank.questions])


def _cases_sheet(ws, bank: QuestionBank, lists: dict[tuple[str, bool], str]) -> None:  # type: ignore[no-untyped-def]
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = _columns(bank)
    letter = {cid: get_column_letter(i) for i, (cid, _, _) in enumerate(columns, start=1)}
    grey = PatternFill(bgColor=GREY)
    for i, (cid, text, scale) in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i, value=f"{cid}\n{text}")
        cell.font = Font(bold=True)
        cell.fill = PatternFill(fill_type="solid", start_color=HEADER_FILL, end_color=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[letter[cid]].width = 16 if scale is None else 24
        if scale is None:
            continue
        span = f"{letter[cid]}2:{letter[cid]}{TEMPLATE_ROWS + 1}"
        q = bank.question_by_id.get(cid)
        judged = q is not None and q.judged
        dv = DataValidation(type="list", formula1=f"={lists[(scale, judged)]}", allow_blank=True,
                            showErrorMessage=True, errorTitle="Not an allowed answer",
                            error=f"Allowed: {answer_text(bank.scales[scale])}"[:255])
        ws.add_data_validation(dv)
        dv.add(span)
        if q is not None and q.applies_when is not None:
            holds = excel_formula(q.applies_when, lambda n: f"${letter[n]}2", bank)
            ws.conditional_formatting.add(span, FormulaRule(formula=[f"NOT({holds})"],
                                                            fill=grey))
    ws.row_dimensions[1].height = 150
    ws.freeze_panes = "C2"  # the header row and the two id columns stay in view


def _dictionary_sheet(book, d: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet("dictionary")
    ws.append(list(d.columns))
    for rec in d.itertuples(index=False):
        ws.append(list(rec))
    widths = {"column": 30, "what it records": 60, "asked when": 50, "answers": 50}
    for i, name in enumerate(d.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(name, 14)
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "B2"
