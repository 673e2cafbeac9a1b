"""Files written beside the user's own: temporary copies made safely, and leftovers swept.

A copy (a backup, an export) is written under a temporary name in the destination's folder and
renamed into place. The temporary file is created exclusively and without following links (a
symlink planted under its name cannot redirect the write), carries the permissions of the log it
copies (a 0600 log gives 0600 copies), and one left behind by a process that was killed is
removed by the next run that writes to the same destination.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from pathlib import Path

from tracker.store.engine import remove_sqlite_files


def temporary_beside(dest: Path, suffix: str, mode: int = 0o644) -> Path:
    """Create, exclusively and without following links, an empty file next to ``dest`` whose
    name says which process made it (``.NAME.PID-TOKEN.SUFFIX``); return its path."""
    sweep_leftovers(dest, suffix)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}-{secrets.token_hex(4)}.{suffix}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                 mode & 0o666)
    os.close(fd)
    with contextlib.suppress(OSError):
        os.chmod(tmp, mode & 0o666)  # the umask may have taken bits the log has
    return tmp


def sweep_leftovers(dest: Path, suffix: str) -> list[Path]:
    """Remove the temporary files (and their -wal, -shm, -journal) that processes no longer
    running left next to ``dest``; return what was removed."""
    pattern = re.compile(re.escape(f".{dest.name}.") + r"(\d+)(?:-[0-9a-f]+)?\." + re.escape(suffix)
                         + r"$")
    removed: list[Path] = []
    try:
        names = os.listdir(dest.parent)
    except OSError:
        return removed
    for name in names:
        found = pattern.match(name)
        if found is None or _running(int(found.group(1))):
            continue
        path = dest.parent / name
        if path.is_symlink() or path.is_file():
            remove_sqlite_files(path)
            removed.append(path)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except (OverflowError, OSError):
        return False
    return True


def mode_of(path: Path | None) -> int:
    """The permission bits a copy of ``path`` should have (0644 when there is no file)."""
    if path is None:
        return 0o644
    try:
        return path.stat().st_mode & 0o666
    except OSError:
        return 0o644


def is_log_file(dest: Path, log: Path | None) -> bool:
    """Whether ``dest`` is the log itself or one of the files SQLite keeps beside it."""
    if log is None:
        return False
    target = dest.resolve()
    base = log.resolve()
    return target in {base, *(Path(f"{base}{side}") for side in ("-wal", "-shm", "-journal"))}
