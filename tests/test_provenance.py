"""Banners and provenance name only what applies to the report they head."""

from __future__ import annotations

from pathlib import Path

from analysis.core import paths
from analysis.method.catalogue import combined_label, groups_of, load_areas
from analysis.pipeline.inputs import Inputs

DTV = "durham-tees-valley"


def _names(inputs: dict[str, str]) -> set[str]:
    return {Path(k).name for k in inputs}


def test_an_area_lists_its_own_inputs_only() -> None:
    data = paths.data_dir()
    areas = {a.id: a for a in load_areas(data)}
    inputs = Inputs.record(data, list(areas.values()))
    haskbrook = _names(inputs.for_area(areas["haskbrook"]))
    assert "haskbrook.csv" in haskbrook and "areas.csv" in haskbrook
    assert not {n for n in haskbrook if n.startswith(DTV)}, haskbrook
    dtv = _names(inputs.for_area(areas[DTV]))
    assert {f"{DTV}.csv", f"{DTV}.md", f"{DTV}.yaml", f"{DTV}.key-findings.yaml"} <= dtv
    assert "haskbrook.csv" not in dtv


def test_a_group_lists_and_labels_its_own_areas_only() -> None:
    data = paths.data_dir()
    every = load_areas(data)
    inputs = Inputs.record(data, every)
    by_id = {a.id: a for a in every}
    for group in groups_of(every):
        names = _names(inputs.for_cases([by_id[a].cases for a in group.areas], group.areas))
        label = combined_label(by_id[a].label for a in group.areas)
        if DTV in group.areas:
            assert f"{DTV}.yaml" in names and "reconstructed" in label
        else:
            assert not {n for n in names if n.startswith(DTV)}, (group.id, names)
            assert "reconstructed" not in label, (group.id, label)
