"""The conda files agree with pyproject.toml and the locks: environment.yml holds the runtime
dependencies (no test or lint tool) and environment-dev.yml the test tools, each pinned to the
version its lock installs, under its conda-forge name."""

from __future__ import annotations

import tomllib

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from analysis.core import paths

from .conftest import lock_script

lock = lock_script()
ROOT = paths.REPO_ROOT
#: Each conda file: the lock whose versions it carries and the pyproject.toml lists it holds.
FILES = {"runtime": ("environment.yml", ("dependencies", "build-system")),
         "test": ("environment-dev.yml", ("test",))}
FROM_CONDA = {conda: pypi for pypi, conda in lock.CONDA_NAMES.items()}


def conda_pins(name: str) -> dict[str, str]:
    """A conda file's ``name==version`` entries by PyPI name (python and pip aside)."""
    env = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
    assert env["channels"] == ["conda-forge", "nodefaults"]
    found = {}
    for entry in env["dependencies"]:
        assert isinstance(entry, str), f"{name}: no pip section: {entry}"
        if entry.split("=")[0] in ("python", "pip"):
            continue
        conda, version = entry.split("==")
        found[lock.normalise(FROM_CONDA.get(conda, conda))] = version
    return found


@pytest.mark.parametrize("kind", sorted(FILES))
def test_conda_file_pins_pyprojects_requirements_to_the_locked_versions(kind: str) -> None:
    name, lists = FILES[kind]
    specs = [Requirement(s) for key in lists for s in lock.dependency_lists()[key]]
    pins = conda_pins(name)
    locked = lock.read_pins(lock.LOCKS[kind])
    assert set(pins) == {lock.normalise(r.name) for r in specs}
    for req in specs:
        version = pins[lock.normalise(req.name)]
        assert version == locked[lock.normalise(req.name)], req.name
        assert req.specifier.contains(version, prereleases=True), req.name


def test_researchers_environment_has_no_test_or_lint_tool() -> None:
    tools = {lock.normalise(Requirement(s).name) for s in lock.dependency_lists()["test"]}
    assert not tools & set(conda_pins("environment.yml"))
    assert tools == set(conda_pins("environment-dev.yml"))


def test_python_version_agrees() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert f"python={lock.PYTHON}" in env["dependencies"]
    assert SpecifierSet(project["requires-python"]).contains(f"{lock.PYTHON}.0")


@pytest.mark.parametrize("kind", sorted(FILES))
def test_conda_files_are_what_make_lock_writes(kind: str) -> None:
    """Edited by hand, a conda file would drift from the locks at the next `make lock`."""
    assert (ROOT / FILES[kind][0]).read_text(encoding="utf-8") == lock.conda_file(kind)
