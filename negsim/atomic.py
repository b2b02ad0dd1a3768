"""Atomic file writes: a temporary file beside the target, then a rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path


def write_atomic(path: str | Path, write: Callable[[str], None]) -> None:
    """Call ``write(temporary path)``, then rename the result onto ``path``.

    Readers never see a half-written file, and an error or Ctrl-C leaves nothing behind.
    The file gets the usual permissions (0666 less the umask). Raises OSError when the
    folder cannot be written.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write text (UTF-8) to ``path`` atomically."""
    write_atomic(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def write_all_atomic(files: dict[Path, Callable[[str], None]],
                     remove: Iterable[Path] = ()) -> None:
    """Write several files so that either all of them appear or none does.

    Missing folders of the targets are created. Each ``write(temporary path)`` runs first;
    an error or Ctrl-C meanwhile removes every temporary file, and the folders this call
    created, and leaves the targets untouched. Then all are renamed into place, and the
    files in ``remove`` (left by an earlier job, say) are deleted, with Ctrl-C held off for
    the few microseconds that takes (when called from the main thread).
    """
    import signal
    import threading

    made: list[Path] = []
    for folder in sorted({Path(p).parent for p in files}, key=lambda p: len(p.parts)):
        for missing in reversed([folder, *folder.parents]):
            if not missing.exists():
                missing.mkdir()
                made.append(missing)
    done: list[tuple[str, Path]] = []
    try:
        for path, write in files.items():
            path = Path(path)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            os.close(fd)
            done.append((tmp, path))
            write(tmp)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
    except BaseException:
        for tmp, _ in done:
            Path(tmp).unlink(missing_ok=True)
        for folder in reversed(made):  # deepest first
            try:
                folder.rmdir()
            except OSError:
                pass
        raise
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        for tmp, path in done:
            os.replace(tmp, path)
        for path in remove:
            Path(path).unlink(missing_ok=True)
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)
