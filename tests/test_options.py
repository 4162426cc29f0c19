"""Build options and notebook parameters are declared once and everything reads them."""

from __future__ import annotations

import os
from dataclasses import fields
from pathlib import Path

import pytest

from analysis.cli import build_parser
from analysis.pipeline.options import (
    AggregateParameters,
    AreaParameters,
    BuildOptions,
    cpu_count,
    parameter_names,
)


def _build_args(*argv: str) -> BuildOptions:
    return BuildOptions.from_args(build_parser().parse_args(["build", *argv]))


def test_every_option_with_a_flag_is_on_the_command_line() -> None:
    helptext = build_parser()._subparsers._group_actions[0].choices["build"].format_help()  # type: ignore[union-attr]
    flags = [f.metadata["flag"] for f in fields(BuildOptions) if "flag" in f.metadata]
    assert len(flags) >= 14
    for flag in flags:
        assert flag in helptext, flag


def test_command_line_defaults_equal_the_dataclass_defaults() -> None:
    assert _build_args() == BuildOptions()


def test_command_line_values_reach_the_options() -> None:
    opts = _build_args("--data", "d", "--areas", "a", "b", "--jobs", "3", "--publish",
                       "--threshold", "10", "--no-aggregate", "--engine", "papermill")
    assert opts.data == Path("d") and opts.areas == ["a", "b"] and opts.jobs == 3
    assert opts.publish and opts.threshold == 10 and not opts.aggregate
    assert opts.engine == "papermill"


def test_jobs_default_is_the_cores_this_process_may_use() -> None:
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert cpu_count() == expected == BuildOptions().jobs


@pytest.mark.parametrize("bad", ["0", "-2", "x"])
def test_jobs_below_one_is_refused(bad: str) -> None:
    with pytest.raises(SystemExit):
        _build_args("--jobs", bad)


def test_notebook_parameters_are_the_dataclass_fields() -> None:
    assert parameter_names(aggregate=False) == {f.name for f in fields(AreaParameters)}
    assert parameter_names(aggregate=True) == {f.name for f in fields(AggregateParameters)}
    area = AreaParameters("x", "d", "o", "publish:7").as_dict()
    assert area == {"area_id": "x", "data_dir": "d", "output_dir": "o", "policy": "publish:7"}
