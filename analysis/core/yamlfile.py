"""YAML data files: one parser for every reader, and a cache key that notices edits.

libyaml's C parser (``CSafeLoader``, shipped in PyYAML's wheels) reads the published figures
and the question bank about ten times faster than the pure-Python one; a notebook in a warm
kernel reads them on every run, so every reader goes through :func:`parse`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

#: The fastest safe loader installed (the pure-Python one where libyaml is missing).
LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse(text: str) -> Any:
    """Parse YAML text safely (no arbitrary objects); raises ``yaml.YAMLError`` if malformed."""
    return yaml.load(text, Loader=LOADER)


def stat_key(path: Path) -> tuple[str, int, int]:
    """The resolved path, size and modification time: a cache key that changes on edit."""
    stat = path.stat()
    return str(path.resolve()), stat.st_size, stat.st_mtime_ns
