"""The locks (requirements/*.txt) agree with pyproject.toml, offline: CI fails when a
dependency list is edited without `make lock`, or a lock no longer satisfies it."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from analysis.core import paths

from .conftest import lock_script

lock = lock_script()
ROOT = paths.REPO_ROOT
HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")
#: What each lock must satisfy: the lists of pyproject.toml it is made from.
LISTS = {"runtime": ("dependencies", "build-system"),
         "test": ("dependencies", "build-system", "test")}


def entries(path: Path) -> list[str]:
    """A lock's requirement entries, each with its continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", path.read_text(encoding="utf-8"))
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


@pytest.mark.parametrize("kind", sorted(lock.LOCKS))
def test_lock_records_the_digest_of_the_dependency_lists(kind: str) -> None:
    assert lock.recorded_digest(lock.LOCKS[kind]) == lock.pyproject_digest(), (
        f"{lock.LOCKS[kind].name} was made from other dependency lists than pyproject.toml's: "
        "run `make lock` and commit the locks")


def test_digest_follows_every_requirement_and_nothing_else(tmp_path: Path) -> None:
    """The check above can fail: a moved lower bound changes the digest, prose does not."""
    copy = tmp_path / "pyproject.toml"
    shutil.copy(ROOT / "pyproject.toml", copy)
    original = lock.pyproject_digest(copy)
    text = copy.read_text(encoding="utf-8")
    copy.write_text(text.replace('"pandas>=2.2"', '"pandas>=2.3"'), encoding="utf-8")
    assert lock.pyproject_digest(copy) != original
    copy.write_text(text.replace('"syrupy>=4.6"', '"syrupy>=4.7"'), encoding="utf-8")
    assert lock.pyproject_digest(copy) != original
    copy.write_text(text.replace("Reproducible analysis", "Analysis"), encoding="utf-8")
    assert lock.pyproject_digest(copy) == original


@pytest.mark.parametrize("kind", sorted(lock.LOCKS))
def test_every_requirement_is_satisfied_by_a_pin(kind: str) -> None:
    lists = lock.dependency_lists()
    pins = lock.read_pins(lock.LOCKS[kind])
    env = {"python_version": lock.PYTHON, "python_full_version": f"{lock.PYTHON}.0",
           "sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64",
           "implementation_name": "cpython", "platform_python_implementation": "CPython",
           "os_name": "posix", "extra": ""}
    unmet = []
    for name in LISTS[kind]:
        for spec in lists[name]:
            req = Requirement(spec)
            if req.marker is not None and not req.marker.evaluate(env):
                continue
            pinned = pins.get(lock.normalise(req.name))
            if pinned is None or not req.specifier.contains(pinned, prereleases=True):
                unmet.append(f"{spec} (locked: {pinned or 'absent'})")
    assert not unmet, f"{lock.LOCKS[kind].name} does not satisfy: {unmet}; run `make lock`"


def test_test_lock_holds_the_runtime_versions() -> None:
    """`make test` tests the versions `make report` runs."""
    runtime = lock.read_pins(lock.LOCKS["runtime"])
    test = lock.read_pins(lock.LOCKS["test"])
    assert {n: (v, test.get(n)) for n, v in runtime.items() if test.get(n) != v} == {}
    assert set(test) > set(runtime)


@pytest.mark.parametrize("kind", sorted(lock.LOCKS))
def test_every_entry_is_an_exact_pin_with_hashes(kind: str) -> None:
    found = entries(lock.LOCKS[kind])
    assert len(found) == len(lock.read_pins(lock.LOCKS[kind])) > 50
    for entry in found:
        assert re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*==[^\s;]+ ", entry), entry
        assert HASH.search(entry), entry
        assert " -e " not in f" {entry}" and "://" not in entry, entry


def test_locked_python_is_supported() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert SpecifierSet(project["requires-python"]).contains(f"{lock.PYTHON}.0")


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_installs_the_locks_and_reinstalls_when_they_change() -> None:
    """The install stamps depend on the locks, and install them with hashes required."""
    database = subprocess.run(["make", "-pnq", "-f", "Makefile", "--no-builtin-rules"],
                              cwd=ROOT, capture_output=True, text=True, timeout=60).stdout
    for stamp, locks in [(".venv/.installed-runtime", ["requirements/runtime.txt"]),
                         (".venv/.installed-test", ["requirements/runtime.txt",
                                                    "requirements/test.txt"])]:
        rule = re.search(rf"^{re.escape(stamp)}:(.*)$", database, re.M)
        assert rule is not None, stamp
        assert set(locks) <= set(rule.group(1).split()), rule.group(0)
    assert "pip install --quiet --require-hashes -r $(1)" in database
    assert "pip install --quiet --no-deps --no-build-isolation -e ." in database
