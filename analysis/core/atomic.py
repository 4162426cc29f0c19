"""Write every output to a temporary name in the same folder and rename it into place.

A build killed at any moment then leaves either the previous complete file or none, never a
truncated one: ``os.replace`` is atomic on POSIX within one filesystem.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

TMP_PREFIX = ".tmp-"


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{target.name}.", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_bytes(target: str | Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text(target: str | Path, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))


def clean_temporaries(folder: str | Path) -> int:
    """Remove temporaries a killed build left behind; return how many."""
    count = 0
    root = Path(folder)
    if not root.exists():
        return 0
    for path in root.rglob(f"{TMP_PREFIX}*"):
        with contextlib.suppress(OSError):
            path.unlink()
            count += 1
    return count
