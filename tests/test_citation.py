"""One version everywhere: the package's, the one its reports print, CITATION.cff's and the
changelog's newest section."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata

import yaml
from packaging.version import Version

import analysis
from analysis.core import paths

ROOT = paths.REPO_ROOT


def test_citation_file_cites_this_version() -> None:
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert {"message", "title", "authors"} <= set(cff) and cff["authors"]
    assert str(cff["version"]) == analysis.__version__
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert cff["license"] == project["license"]


def test_installed_version_is_the_package_version() -> None:
    """pyproject.toml reads the version from the package (one place to change it)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "version" in project["dynamic"] and "version" not in project
    assert metadata.version("iaow-analysis") == analysis.__version__


def test_changelog_starts_with_this_version() -> None:
    """A development version is the changelog's Unreleased section; a release its own
    heading, newer than every other."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (\S+)(.*)$", text, re.M)
    version = Version(analysis.__version__)
    released = [Version(name) for name, _ in headings if name != "Unreleased"]
    assert released and all(v < version for v in released[1:])
    if version.is_devrelease:
        assert headings[0] == ("Unreleased", f" ({version})")
        assert released[0] < version
    else:
        assert headings[0][0] == str(version)
