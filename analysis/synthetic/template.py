"""An empty case-data file with the right columns, and the data dictionary beside it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..core.atomic import atomic_path, write_bytes
from ..method.bank import QuestionBank, load_bank
from ..method.tables import csv_bytes
from ..method.validation import allowed_text


def dictionary(bank: QuestionBank) -> pd.DataFrame:
    """One row per column of the case-data contract: what it is and what may be typed."""
    rows = [
        {"column": "area_id", "kind": "id", "label": "Area id", "criterion": "",
         "outcomes": "", "applies_when": "every case",
         "allowed": "lower-case letters, digits, '-', '_'", "text": "The inspected area"},
        {"column": "case_id", "kind": "id", "label": "Case id", "criterion": "",
         "outcomes": "", "applies_when": "every case", "allowed": "pseudonymous id",
         "text": "Pseudonymous case id; never shown in any output"},
    ]
    for f in bank.fields:
        rows.append({"column": f.id, "kind": "field", "label": f.label, "criterion": "",
                     "outcomes": "", "applies_when": "every case" if f.required else "optional",
                     "allowed": allowed_text(bank.scales[f.scale]), "text": f.description})
    for q in bank.questions:
        rows.append({"column": q.id, "kind": q.kind, "label": q.label, "criterion": q.criterion,
                     "outcomes": ", ".join(map(str, q.outcomes)),
                     "applies_when": (q.applies_when.source if q.applies_when else "every case")
                     + (" (inspectors may judge not applicable)" if q.judged else ""),
                     "allowed": allowed_text(bank.scales[q.scale]), "text": q.text})
    return pd.DataFrame(rows)


def write_template(folder: str | Path) -> list[Path]:
    """Write ``case-data-template.csv`` and ``.xlsx`` (sheets ``cases`` and ``dictionary``)."""
    folder = Path(folder)
    bank = load_bank()
    d = dictionary(bank)
    empty = pd.DataFrame(columns=d["column"].tolist())
    csv_path = folder / "case-data-template.csv"
    xlsx_path = folder / "case-data-template.xlsx"
    write_bytes(csv_path, csv_bytes(empty))
    with atomic_path(xlsx_path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        empty.to_excel(writer, sheet_name="cases", index=False)
        d.to_excel(writer, sheet_name="dictionary", index=False)
    return [csv_path, xlsx_path]
