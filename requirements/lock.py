"""Write and check the locks: every package ``make report`` and ``make test`` install, pinned
with its hashes, for CPython 3.11 on Linux x86_64.

``python requirements/lock.py`` (``make lock``) resolves ``pyproject.toml``'s dependencies with
uv into ``runtime.txt`` (the dependencies and the build backend, so that the package itself is
installed without fetching anything unpinned) and ``test.txt`` (those and the ``test`` extra,
with every runtime package held at its ``runtime.txt`` version). Pins already in a lock are
kept unless pyproject.toml needs another version; ``--upgrade`` moves every pin to the newest
release allowed. Each lock starts with a digest of the dependency lists it was made from, so a
test (``tests/test_lock.py``) finds, offline, a pyproject.toml edited without ``make lock``.

``environment.yml`` (researchers: the runtime dependencies) and ``environment-dev.yml`` (the
test tools) list pyproject.toml's own requirements at the versions of the locks, under their
conda-forge names; conda solves the rest (``tests/test_environment.py`` keeps them in sync).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYPROJECT = HERE.parent / "pyproject.toml"
LOCKS = {"runtime": HERE / "runtime.txt", "test": HERE / "test.txt"}
PYTHON = "3.11"
PLATFORM = "x86_64-unknown-linux-gnu"
DIGEST_PREFIX = "# pyproject-digest: "
ROOT = HERE.parent
CONDA_FILES = {"runtime": ROOT / "environment.yml", "test": ROOT / "environment-dev.yml"}
#: conda-forge names that differ from the PyPI ones (matplotlib-base: matplotlib without Qt;
#: dask-core: dask without the extras pyproject.toml does not ask for).
CONDA_NAMES = {"matplotlib": "matplotlib-base", "dask": "dask-core",
               "playwright": "playwright-python", "types-pyyaml": "types-pyyaml"}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def dependency_lists(pyproject: Path = PYPROJECT) -> dict[str, list[str]]:
    """What the locks are made from: the runtime and test requirements, the build backend's
    and the supported Pythons."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = data["project"]
    return {"requires-python": [project["requires-python"]],
            "dependencies": list(project["dependencies"]),
            "test": list(project["optional-dependencies"]["test"]),
            "build-system": list(data["build-system"]["requires"])}


def pyproject_digest(pyproject: Path = PYPROJECT) -> str:
    """A digest of :func:`dependency_lists`: it changes whenever a requirement does."""
    text = json.dumps(dependency_lists(pyproject), sort_keys=True)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def normalise(name: str) -> str:
    """A distribution name as the packaging standards compare them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(spec: str) -> str:
    """The normalised distribution name of a requirement such as ``pandas>=2.2``."""
    match = PIN.match(spec) or re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)", spec.strip())
    if match is None:
        raise ValueError(f"not a requirement: {spec!r}")
    return normalise(match.group(1))


def read_pins(lock: Path) -> dict[str, str]:
    """Every ``name==version`` of a lock, by normalised name."""
    pins = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        if match := PIN.match(line):
            pins[normalise(match.group(1))] = match.group(2)
    return pins


def conda_name(spec: str) -> str:
    """A requirement's name on conda-forge: as pyproject.toml spells it (conda does not treat
    ``_`` and ``-`` alike: ``jupyter_client``), unless :data:`CONDA_NAMES` says otherwise."""
    match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
    if match is None:
        raise ValueError(f"not a requirement: {spec!r}")
    return CONDA_NAMES.get(normalise(match.group(1)), match.group(1).lower())


RUNTIME_HEAD = """\
# Conda environment for researchers: pyproject.toml's runtime dependencies at the versions
# of requirements/runtime.txt (what `make report` installs), from conda-forge. Written by
# `make lock`; do not edit. The README's "With conda" gives the whole route; the test tools
# are in environment-dev.yml.
"""
TEST_HEAD = """\
# The development tools (tests, linters, type checker) for the conda environment of
# environment.yml, at the versions of requirements/test.txt. Written by `make lock`; do not
# edit. Add them to that environment with:
#   conda env update --name iaow-analysis --file environment-dev.yml
"""


def conda_file(kind: str) -> str:
    """environment.yml (runtime) or environment-dev.yml (test tools), pinned to the lock."""
    lists = dependency_lists()
    pins = read_pins(LOCKS[kind])
    if kind == "runtime":
        wanted, head = [*lists["dependencies"], *lists["build-system"]], RUNTIME_HEAD
        fixed = [f"python={PYTHON}", "pip"]
    else:
        wanted, head, fixed = lists["test"], TEST_HEAD, []
    pinned = sorted(f"{conda_name(spec)}=={pins[requirement_name(spec)]}" for spec in wanted)
    return (head + "name: iaow-analysis\nchannels:\n  - conda-forge\n  - nodefaults\n"
            "dependencies:\n" + "".join(f"  - {line}\n" for line in [*fixed, *pinned]))


def recorded_digest(lock: Path) -> str | None:
    """The digest a lock's header records (None: no such line)."""
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line.startswith(DIGEST_PREFIX):
            return line.removeprefix(DIGEST_PREFIX).strip()
    return None


def _uv() -> list[str]:
    """The uv command, installed from pyproject.toml's ``lock`` extra when missing."""
    try:
        import uv  # noqa: F401
    except ImportError:
        data = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
        wanted = data["project"]["optional-dependencies"]["lock"]
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *wanted], check=True)
    return [sys.executable, "-m", "uv"]


def _header(kind: str) -> str:
    what = "runtime dependencies" if kind == "runtime" else "runtime and test dependencies"
    return (f"# iaow-analysis: its {what} and its build backend, pinned with the hash\n"
            f"# of every file, for CPython {PYTHON} on Linux x86_64. Made by `make lock` from\n"
            "# pyproject.toml; do not edit.\n"
            f"{DIGEST_PREFIX}{pyproject_digest()}\n")


def _uv_compile(kind: str, backend: Path, upgrade: bool) -> str:
    """uv's lock of one set (the build backend's requirements read from ``backend``)."""
    target = LOCKS[kind]
    command = [*_uv(), "pip", "compile", str(PYPROJECT), str(backend), "--generate-hashes",
               "--python-version", PYTHON, "--python-platform", PLATFORM,
               "--custom-compile-command", "make lock", "--quiet", "--output-file", str(target)]
    if kind == "test":
        command += ["--extra", "test", "--constraints", str(LOCKS["runtime"])]
    if upgrade:
        command.append("--upgrade")
    subprocess.run(command, check=True, cwd=HERE.parent)
    return target.read_text(encoding="utf-8").replace(str(backend), "build-system.requires")


def compile_lock(kind: str, upgrade: bool) -> None:
    """Resolve one lock with uv (keeping its pins unless ``upgrade``) and write it with the
    header recording :func:`pyproject_digest`."""
    with tempfile.TemporaryDirectory() as tmp:
        backend = Path(tmp) / "build-backend.in"
        backend.write_text("\n".join(dependency_lists()["build-system"]) + "\n",
                           encoding="utf-8")
        body = _uv_compile(kind, backend, upgrade)
    start = body.index("# This file was autogenerated")  # drop the previous header
    LOCKS[kind].write_text(_header(kind) + body[start:], encoding="utf-8")


def interpreter_warning() -> str | None:
    """Why the locks may not install into this interpreter (None: they are made for it)."""
    here = (f"{platform.python_implementation()} {platform.python_version()} on "
            f"{platform.system()} {platform.machine()}")
    if (platform.python_implementation(), platform.system(), platform.machine()) == (
            "CPython", "Linux", "x86_64") and here.split()[1].startswith(f"{PYTHON}."):
        return None
    return (f"warning: the locks in requirements/ are made for CPython {PYTHON} on Linux "
            f"x86_64, and this is {here}: installing them may fail (see the README's "
            "'Installing without the lock')")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upgrade", action="store_true",
                        help="move every pin to the newest release pyproject.toml allows")
    parser.add_argument("--check-interpreter", action="store_true",
                        help="only warn when this Python is not the one the locks are made for")
    args = parser.parse_args(argv)
    if args.check_interpreter:
        if warning := interpreter_warning():
            print(warning, file=sys.stderr)
        return 0
    for kind in LOCKS:
        compile_lock(kind, args.upgrade)
        print(f"wrote {LOCKS[kind].relative_to(ROOT)}")
    for kind, path in CONDA_FILES.items():
        path.write_text(conda_file(kind), encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
