"""Results of a slow pure function kept on disk, found again by a digest of its inputs.

Suppression is worked out by integer programming (seconds per set of areas) and the same
answer is wanted by every notebook that prints an area's or the pooled figures, and by the
release check. The build's outputs folder keeps each answer once, in ``.cache/`` (hidden:
never released, never compared by ``verify``, safe to delete): the key is a digest of
everything the answer depends on, so a changed input or code never finds a stale answer, and
two processes that work out the same answer at once write the same file (atomically).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import atomic

CACHE = ".cache"


def cache_dir(output: Path, kind: str) -> Path:
    """Where answers of one ``kind`` are kept in an outputs folder."""
    return output / CACHE / kind


def digest(*parts: Any) -> str:
    """A key for JSON-able inputs (dictionaries in key order, so equal inputs give one key)."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def remembered(folder: Path | None, key: str, compute: Callable[[], Any]) -> Any:
    """``compute()``'s JSON-able answer, read from ``folder/<key>.json`` when an earlier call
    kept it there (``folder`` None: always computed). An unreadable file is worked out again."""
    if folder is None:
        return compute()
    path = folder / f"{key}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))["answer"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    answer = compute()
    atomic.write_text(path, json.dumps({"answer": answer}, separators=(",", ":")))
    return answer
