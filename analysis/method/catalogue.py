"""The bundled areas and their context: ``data/areas.csv`` and ``data/context/``."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import InputError, Problem

AREA_ID_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
LABELS = {
    "reconstructed": "Reconstructed from the published report: figures the report does not "
                     "publish are synthetic",
    "synthetic": "Synthetic data: a fictional area generated for demonstration; no real cases",
}


@dataclass(frozen=True)
class Area:
    id: str
    name: str
    label: str
    cases: Path

    @property
    def label_text(self) -> str:
        return LABELS.get(self.label, self.label)


def check_area_id(area_id: str, file: str = "area id", row: int | None = None) -> str:
    """Refuse area ids that could escape the output folder or inject markup."""
    if not AREA_ID_RE.fullmatch(area_id):
        raise InputError([Problem(
            file, "area id is not allowed", row=row, column="area_id", value=area_id,
            allowed="lower-case letters, digits, '-' and '_', starting with a letter or digit "
                    "(no path separators, '..', spaces, markup or control characters)")])
    return area_id


def load_areas(data_dir: str | Path) -> list[Area]:
    """Read ``areas.csv``: id, name, label, cases (a path relative to the data folder)."""
    data_dir = Path(data_dir)
    path = data_dir / "areas.csv"
    if not path.exists():
        raise InputError([Problem(str(path), "area list not found",
                                  allowed="a data folder with areas.csv (see data/README.md)")])
    # The csv module, not pandas: a build with nothing to do reads this file and no table.
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        records = [{k: v or "" for k, v in rec.items() if k is not None}
                   for rec in reader if any(isinstance(v, str) and v.strip()
                                            for v in rec.values())]
        columns = reader.fieldnames or []
    problems: list[Problem] = []
    for col in ("area_id", "name", "label", "cases"):
        if col not in columns:
            problems.append(Problem(str(path), "required column is missing", row=1, column=col))
    if problems:
        raise InputError(problems)
    areas = []
    for i, rec in enumerate(records):
        try:
            check_area_id(rec["area_id"], str(path), i + 2)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if rec["label"] not in LABELS:
            problems.append(Problem(str(path), "unknown data label", row=i + 2, column="label",
                                    value=rec["label"], allowed=", ".join(LABELS)))
        areas.append(Area(rec["area_id"], rec["name"], rec["label"], data_dir / rec["cases"]))
    if problems:
        raise InputError(problems)
    return areas
