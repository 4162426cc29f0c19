"""An area report opens (after its contents and foreword) on At a glance, has
recommendations, and ends with its data and downloads: read from the session's build."""

from __future__ import annotations

import re

import pytest

from .conftest import BUILT_AREAS, Built


def _h2(page: str) -> list[str]:
    return re.findall(r'<h2 id="([^"]+)"', page)


@pytest.mark.parametrize("area", BUILT_AREAS)
def test_at_a_glance_first_recommendations_then_downloads_last(two_areas: Built,
                                                              area: str) -> None:
    page = (two_areas.out / area / "report.html").read_text(encoding="utf-8")
    main = page.split('<main id="main">', 1)[1].split("</main>", 1)[0]
    sections = _h2(main)
    opening = sections[1:] if sections[0] == "foreword" else sections
    assert opening[:2] == ["at-a-glance", "recommendations"], sections[:4]
    glance = main.split('id="at-a-glance"', 1)[1].split('id="recommendations"', 1)[0]
    assert glance.count("<figure") == 1 and 'class="verdicts"' in glance
    assert 3 <= glance.split('class="priorities"')[1].split("</ol>")[0].count("<li>") <= 5
    whole = _h2(page)
    assert whole.index("downloads") > whole.index(sections[-1])  # after the last chapter
    assert whole[-1] == "provenance"
    # every link of the opening leads to a place in this report
    for anchor in re.findall(r'<a href="#([^"]+)"', glance):
        assert f'id="{anchor}"' in main, anchor
