"""Small fixtures built in code: a five-question bank and case frames."""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd
import pytest

from analysis.method.bank import QuestionBank, build_bank

MINI_BANK: dict[str, Any] = {
    "outcomes": [
        {"id": 1, "key": "a", "title": "Outcome one", "short": "One", "expect": "x"},
        {"id": 4, "key": "p", "title": "Protecting", "short": "Public", "expect": "x"},
        {"id": 5, "key": "v", "title": "Victims", "short": "Victims", "expect": "x"},
    ],
    "sections": [{"id": "assessment_planning", "title": "Assessment"},
                 {"id": "delivery_review", "title": "Delivery"}],
    "criteria": [
        {"id": "1.1", "outcome": 1, "section": "assessment_planning", "title": "C11"},
        {"id": "4.1", "outcome": 4, "section": "assessment_planning", "title": "C41"},
        {"id": "5.2", "outcome": 5, "section": "delivery_review", "title": "C52"},
    ],
    "scales": {
        "yes_no": {"levels": ["yes", "no"], "sufficient": ["yes"]},
        "sufficiency": {"levels": ["sufficient", "insufficient", "none"],
                        "sufficient": ["sufficient"]},
        "case_type": {"levels": ["community_order", "licence"]},
        "report_type": {"levels": ["oral", "short", "full", "none"]},
    },
    "fields": [{"id": "case_type", "label": "Type", "scale": "case_type", "required": True},
               {"id": "statutory_victim", "label": "Victim", "scale": "yes_no",
                "required": True}],
    "questions": [
        {"id": "report_type", "label": "Report", "criterion": "1.1", "kind": "descriptive",
         "scale": "report_type", "applies_when": 'case_type == "community_order"'},
        {"id": "report_quality", "label": "Quality", "criterion": "1.1", "kind": "scoring",
         "scale": "yes_no", "applies_when": 'report_type in ["short", "full"]', "key": True},
        {"id": "rmp", "label": "RMP", "criterion": "4.1", "kind": "scoring",
         "scale": "sufficiency", "judged": True},
        {"id": "victim_safety", "label": "Victim safety", "criterion": "5.2", "kind": "scoring",
         "scale": "yes_no", "outcomes": [4, 5], "judged": True},
        {"id": "victim_offer", "label": "Offer", "criterion": "5.2", "kind": "scoring",
         "scale": "yes_no", "outcomes": [5], "applies_when": 'statutory_victim == "yes"'},
    ],
    "factors": [{"id": "alcohol", "label": "alcohol misuse", "prevalent": True}],
}


def mini_bank_dict() -> dict[str, Any]:
    return copy.deepcopy(MINI_BANK)


@pytest.fixture
def mini_bank() -> QuestionBank:
    raw = mini_bank_dict()
    raw["criteria"].append({"id": "3.1", "outcome": 1, "section": "assessment_planning",
                            "title": "factors"})
    return build_bank(raw)


def case_frame(rows: list[dict[str, str]]) -> pd.DataFrame:
    """A raw (string) case frame as a CSV reader would return it."""
    frame = pd.DataFrame(rows).fillna("")
    return frame.astype(str)
