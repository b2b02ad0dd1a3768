"""Atomic file writes: a temporary file beside the target, then a rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from .signals import deferred


def write_atomic(path: str | Path, write: Callable[[str], None]) -> None:
    """Call ``write(temporary path)``, then rename the result onto ``path``.

    Readers never see a half-written file, and an error or Ctrl-C leaves nothing behind.
    The file gets the usual permissions (0666 less the umask). Raises OSError when the
    folder cannot be written.
    """
    path = Path(path)
    done: list[tuple[str, Path]] = []
    try:
        tmp = _temporary(path, done)
        with deferred(second_acts=True):  # see write_all_atomic
            write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        for tmp, _ in done:
            Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write text (UTF-8) to ``path`` atomically."""
    write_atomic(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def write_all_atomic(files: dict[Path, Callable[[str], None]],
                     remove: Iterable[Path] = ()) -> None:
    """Write several files so that either all of them appear or none does.

    Missing folders of the targets are created. Each ``write(temporary path)`` runs first;
    an error, Ctrl-C or (under the command line) SIGTERM or SIGHUP meanwhile removes every
    temporary file, and the folders this call created, and leaves the targets untouched.
    A signal is held while one file is being written and acts when that file is complete:
    raised inside a third-party writer it could be replaced by the writer's own error (numpy's
    zip file refuses to close half-written), which would end the command with a traceback.
    A second signal during that write acts at once.
    Then all are renamed into place, and the files in ``remove`` (left by an earlier job,
    say) are deleted, with termination signals deferred until that is done
    (``signals.deferred``): a folder holds all of a job's files or none.
    """
    made: list[Path] = []
    for folder in sorted({Path(p).parent for p in files}, key=lambda p: len(p.parts)):
        for missing in reversed([folder, *folder.parents]):
            if not missing.exists():
                missing.mkdir()
                made.append(missing)
    done: list[tuple[str, Path]] = []
    renamed = 0
    try:
        for path, write in files.items():
            path = Path(path)
            tmp = _temporary(path, done)
            with deferred(second_acts=True):  # a writer (numpy's zip, pyarrow) never meets
                write(tmp)  # the first signal midway; a second one acts at once
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        with deferred():
            for tmp, path in done:
                os.replace(tmp, path)
                renamed += 1
            for path in remove:
                Path(path).unlink(missing_ok=True)
            global _commits
            _commits += 1
    except BaseException:
        for tmp, _ in done[renamed:]:
            Path(tmp).unlink(missing_ok=True)
        if not renamed:
            for folder in reversed(made):  # deepest first
                try:
                    folder.rmdir()
                except OSError:
                    pass
        raise


def _temporary(path: Path, done: list[tuple[str, Path]]) -> str:
    """Create an empty temporary file beside ``path`` and record it in ``done``, with
    termination signals deferred in between: a signal never finds a file made but not yet
    recorded, which the cleanup would then leave behind. Call it inside the ``try`` whose
    cleanup removes what ``done`` holds: a deferred signal is raised on the way out."""
    with deferred():
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        done.append((tmp, path))
    return tmp


_commits = 0


def commits() -> int:
    """How many sets of files write_all_atomic has put in place in this process (so that a
    command interrupted just after writing can say so)."""
    return _commits
