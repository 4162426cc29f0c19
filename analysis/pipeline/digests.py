"""Digests of what outputs depend on, and the stamps that record them.

Every output the build writes (tables, executed notebooks, reports, the index) has a stamp
beside it holding the digest of its inputs. :class:`Target` is the single freshness check: an
output is fresh when every file of it exists and its stamp holds the digest it would be made
from now, unless the build is forced.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from .. import __version__
from ..core import atomic, paths

RENDER_PACKAGES = ("papermill", "nbclient", "nbconvert", "nbformat", "ipykernel", "pandas",
                   "numpy", "matplotlib", "seaborn", "statsmodels", "scipy", "jinja2")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str:
    return sha256_bytes(path.read_bytes()) if path.exists() else "absent"


def digest_of(*parts: Any) -> str:
    """A digest of JSON-able parts (anything else by its ``str``)."""
    return sha256_bytes(json.dumps(parts, sort_keys=True, default=str).encode())


# Files of the repository's data folder the package reads whatever ``--data`` says: the
# question bank, the glossary appendix and the word scale of sentences.
PACKAGE_DATA = ("question_bank.yaml", "glossary.yaml", "word_scale.yaml")


def package_digest() -> str:
    """Digest of the analysis package's own source and templates, and :data:`PACKAGE_DATA`."""
    h = hashlib.sha256()
    for path in sorted(paths.PACKAGE_ROOT.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".j2", ".css", ".yaml"):
            h.update(str(path.relative_to(paths.PACKAGE_ROOT)).encode())
            h.update(path.read_bytes())
    for name in PACKAGE_DATA:
        h.update(file_digest(paths.REPO_ROOT / "data" / name).encode())
    return h.hexdigest()


def versions() -> dict[str, str]:
    """Versions of Python, this package and everything that executes and renders notebooks."""
    out = {"python": sys.version.split()[0], "iaow-analysis": __version__}
    for name in RENDER_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


def installed() -> dict[str, str]:
    """Every distribution installed in this environment, by normalised name, with its
    version: what ``verify`` compares a later environment against."""
    found: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found.setdefault(normalise(name), dist.version)
    return dict(sorted(found.items()))


def normalise(name: str) -> str:
    """A distribution name as the packaging standards compare them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=paths.REPO_ROOT,
                              capture_output=True, text=True, timeout=10,
                              check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


@dataclass(frozen=True)
class Target:
    """An output (one or more files) and the stamp recording the digest it was made from."""

    files: tuple[Path, ...]
    stamp: Path

    @classmethod
    def of(cls, stamp: Path, *files: Path | Sequence[Path]) -> Target:
        flat: list[Path] = []
        for f in files:
            flat.extend([f] if isinstance(f, Path) else f)
        return cls(tuple(flat), stamp)

    def recorded(self) -> str | None:
        """The digest the output was made from (None: an output file or the stamp is absent)."""
        if not self.stamp.exists() or not all(f.exists() for f in self.files):
            return None
        return self.stamp.read_text(encoding="utf-8").strip() or None

    def fresh(self, digest: str, force: bool = False) -> bool:
        return not force and self.recorded() == digest

    def mark(self, digest: str) -> None:
        atomic.write_text(self.stamp, digest)
