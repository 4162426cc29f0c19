"""The case-data template: its Excel formulas agree with the rule engine, its dictionary is
written for people, and a filled template validates and builds a report."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.core import paths
from analysis.method.bank import load_bank
from analysis.method.readers import column_id
from analysis.method.rules import parse_rule
from analysis.method.ruletext import english, excel_formula
from analysis.method.validation import normalise_answer
from analysis.synthetic.template import TEMPLATE_ROWS, dictionary, write_template

from .conftest import SERIAL_JOBS, keep_listed

BANK = load_bank()
AREA = "vale-of-braxness"
TOKEN = re.compile(r'\s*(?:(?P<str>"(?:[^"]|"")*")|(?P<cell>\$[A-Z]+\d+)|(?P<fn>[A-Z]+)\(|'
                   r'(?P<bool>TRUE|FALSE)|(?P<op><>|=)|(?P<punct>[(),]))')


def evaluate(formula: str, cells: dict[str, str]) -> bool:
    """A small Excel evaluator for the functions the template uses (AND, OR, NOT, TRIM, =, <>),
    written independently of the translator: text compared ignoring case, as Excel does."""
    tokens = []
    pos = 0
    while pos < len(formula):
        m = TOKEN.match(formula, pos)
        assert m, formula[pos:]
        assert m.lastgroup is not None
        tokens.append((m.lastgroup, m.group(m.lastgroup)))
        pos = m.end()
    tokens.append(("end", ""))
    at = [0]

    def take() -> tuple[str, str]:
        at[0] += 1
        return tokens[at[0] - 1]

    def value() -> Any:
        kind, text = take()
        if kind == "str":
            return text[1:-1].replace('""', '"')
        if kind == "cell":
            return cells[text]
        if kind == "bool":
            return text == "TRUE"
        assert kind == "fn", (kind, text)
        args = [expr()]
        while tokens[at[0]] == ("punct", ","):
            take()
            args.append(expr())
        assert take() == ("punct", ")")
        functions = {"AND": lambda a: all(a), "OR": lambda a: any(a), "NOT": lambda a: not a[0],
                     "TRIM": lambda a: " ".join(str(a[0]).split())}
        return functions[text](args)

    def expr() -> Any:
        left = value()
        if tokens[at[0]][0] == "op":
            _, op = take()
            same = str(left).lower() == str(value()).lower()
            return same if op == "=" else not same
        return left

    out = expr()
    assert tokens[at[0]][0] == "end"
    return bool(out)


def typed_values(name: str) -> list[str]:
    """What people type in a column: blanks, N/A spellings, levels in any case, labels, Y/N."""
    scale = BANK.scale_of(name)
    out = ["", "N/A", "na", " - "]
    for level in scale.levels:
        out += [level, level.upper(), scale.label(level)]
    if "yes" in scale.levels:
        out += ["Y", "n", "True"]
    return out


EXTRA_RULES = ['case_type != "licence"', 'report_type not in ["short", "full"]',
               'not (case_type == "licence")',
               '(case_type == "licence" or report_type == "oral") and statutory_victim == "yes"',
               "True"]
RULES = ([q.applies_when for q in BANK.questions if q.applies_when]
         + [parse_rule(s) for s in EXTRA_RULES])


@st.composite
def rule_and_row(draw: st.DrawFn) -> tuple[Any, dict[str, str]]:
    rule = draw(st.sampled_from(RULES))
    return rule, {n: draw(st.sampled_from(typed_values(n))) for n in sorted(rule.names)}


@settings(max_examples=400, deadline=None)
@given(rule_and_row())
def test_greying_formula_agrees_with_the_rule_engine(case: tuple[Any, dict[str, str]]) -> None:
    rule, row = case
    cell = {n: f"$A{i}" for i, n in enumerate(sorted(rule.names), start=1)}
    formula = excel_formula(rule, lambda n: cell[n], BANK)
    canonical = pd.DataFrame([{n: normalise_answer(v, BANK.scale_of(n)) for n, v in row.items()}],
                             index=[0], dtype=object)
    expected = bool(rule.evaluate(canonical).iloc[0])
    assert evaluate(formula, {cell[n]: v for n, v in row.items()}) == expected, formula


@pytest.mark.parametrize(("source", "text"), [
    ('report_type in ["short", "full"]', "the report type is short or full"),
    ('case_type == "licence"', "the case type is licence"),
    ('case_type in ["community_order", "suspended_sentence_order"]',
     "the case type is community order or suspended sentence order"),
    ('report_type in ["oral", "short", "full"]', "the report type is oral, short or full"),
    ('case_type != "licence"', "the case type is answered and is not licence"),
    ('significant_change == "yes" and rmp in ["sufficient", "insufficient"]',
     "the significant change is yes and the rmp is sufficient or insufficient"),
    ('(case_type == "licence" or report_type == "oral") and statutory_victim == "yes"',
     "(the case type is licence or the report type is oral) and the statutory victim is yes"),
    ('not case_type == "licence"', "it is not the case that the case type is licence"),
    ("statutory_victim == True", "the statutory victim is yes"),
])
def test_rules_in_english(source: str, text: str) -> None:
    assert english(parse_rule(source)) == text


def test_dictionary_is_written_for_people() -> None:
    d = dictionary(BANK).set_index("column")
    assert d.loc["psr_well_written", "asked when"] == "when the report type is short or full"
    assert d.loc["tier_correct", "asked when"] == "every case"
    assert not d["asked when"].str.contains(r'==|\[|"', regex=True).any()
    assert len(d) == 2 + len(BANK.fields) + len(BANK.questions)


def test_workbook_header_dropdowns_greying_widths(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    _, xlsx = write_template(tmp_path)
    book = load_workbook(xlsx)
    ws = book["cases"]
    assert ws.freeze_panes == "C2"
    header = [c.value for c in ws[1]]
    q = BANK.question_by_id["psr_well_written"]
    cell = header[[column_id(h) for h in header].index(q.id)]
    assert cell == f"{q.id}\n{q.text}"
    assert all(ws.column_dimensions[c.column_letter].width >= 16 for c in ws[1])
    lists = book["lists"]
    assert lists.sheet_state == "hidden"
    validations = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert len(validations) == len(BANK.fields) + len(BANK.questions)
    letter = ws.cell(row=1, column=header.index(cell) + 1).column_letter
    ref = validations[f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"]
    col, first, last = re.fullmatch(r"=lists!\$([A-Z]+)\$(\d+):\$[A-Z]+\$(\d+)", ref).groups()  # type: ignore[union-attr]
    assert [lists[f"{col}{r}"].value for r in range(int(first), int(last) + 1)] == ["yes", "no"]
    ruled = sum(1 for x in BANK.questions if x.applies_when is not None)
    assert len(list(ws.conditional_formatting)) == ruled
    assert book["dictionary"]["C1"].value == "asked when"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=paths.REPO_ROOT,
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONHASHSEED": "0"})


@pytest.mark.slow
def test_filled_template_validates_and_builds_a_report(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    _, xlsx = write_template(tmp_path / "template")
    book = load_workbook(xlsx)
    ws = book["cases"]
    header = [column_id(c.value) for c in ws[1]]
    with open(paths.data_dir() / "cases" / f"{AREA}.csv", newline="", encoding="utf-8") as h:
        cases = list(csv.DictReader(h))
    for r, case in enumerate(cases, start=2):
        for c, column in enumerate(header, start=1):
            if case.get(column):
                ws.cell(row=r, column=c, value=case[column])
    data = tmp_path / "data"
    shutil.copytree(paths.data_dir(), data)
    book.save(data / "cases" / f"{AREA}.xlsx")
    (data / "areas.csv").write_text(f"area_id,name,label,cases\n{AREA},Vale of Braxness,"
                                    f"synthetic,cases/{AREA}.xlsx\n", encoding="utf-8")
    keep_listed(data)
    proc = run("validate", str(data / "cases" / f"{AREA}.xlsx"))
    assert proc.returncode == 0, proc.stderr
    assert f"{AREA}: {len(cases)} cases valid" in proc.stdout
    out = tmp_path / "outputs"
    proc = run("build", "--data", str(data), "--output", str(out), "--jobs", str(SERIAL_JOBS),
               "--quiet", "--no-aggregate")
    assert proc.returncode == 0, proc.stderr[-3000:]
    html = (out / AREA / "report.html").read_text(encoding="utf-8")
    assert 'id="outcome-5"' in html and html.rstrip().endswith("</html>")
