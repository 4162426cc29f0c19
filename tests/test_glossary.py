"""The glossary appendix: every abbreviation the reports use is spelled out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from analysis.chapters.glossary import GlossaryError, glossary, load_glossary

DATA = Path(__file__).resolve().parent.parent / "data"


def test_abbreviations_in_the_question_bank_are_explained() -> None:
    bank_text = (DATA / "question_bank.yaml").read_text(encoding="utf-8")
    abbreviations = set(re.findall(r"\b(?:RoSH|MAPPA|OASys|NOMS|PSR)\b", bank_text))
    terms = {e.term for e in load_glossary()}
    assert abbreviations and abbreviations <= terms


def test_renders_sorted_groups_with_expansions() -> None:
    exhibit = glossary()
    html = exhibit.html
    assert set(exhibit.data["term"]) >= {"RoSH", "MAPPA", "OASys"}
    assert html.startswith('<h2 id="glossary">Glossary</h2>')
    assert "<dt>MAPPA <span class=\"stands-for\">(Multi-Agency Public Protection " in html
    practice = html.split("How the figures are made")[0]
    terms = re.findall(r"<dt>([^<]+)", practice)
    assert [t.strip().lower() for t in terms] == sorted(t.strip().lower() for t in terms)


def test_bad_entries_are_all_reported(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text(yaml.safe_dump({"entries": [
        {"term": "A", "meaning": "x", "group": "nope"}, {"term": "B"},
        {"term": "C", "meaning": "y", "group": "method"},
        {"term": "c", "meaning": "z", "group": "method"}]}), encoding="utf-8")
    with pytest.raises(GlossaryError) as err:
        load_glossary(path)
    found = [p.message for p in err.value.problems]
    assert found == ["entry 1 (A): unknown group", "entry 2 (B) needs a 'meaning'",
                     "entry 2 (B) needs a 'group'", "term listed twice (first as 'C')"]
