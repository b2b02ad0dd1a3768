"""Atomic file writes: a temporary file beside the target, then a rename."""

from __future__ import annotations

import os
import signal
import tempfile
import threading
from collections.abc import Callable, Iterable
from contextlib import contextmanager
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
    an error, Ctrl-C or (under the command line) SIGTERM or SIGHUP meanwhile removes every
    temporary file, and the folders this call created, and leaves the targets untouched.
    Then all are renamed into place, and the files in ``remove`` (left by an earlier job,
    say) are deleted, with termination signals held off for the few microseconds that takes
    (``signals_held``).
    """
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
    with signals_held():
        for tmp, path in done:
            os.replace(tmp, path)
        for path in remove:
            Path(path).unlink(missing_ok=True)


@contextmanager
def signals_held():
    """Hold off Ctrl-C, SIGTERM and SIGHUP for the few microseconds files are renamed into
    place (main thread only): a signal with a Python handler (Ctrl-C; SIGTERM and SIGHUP
    under the command line) is ignored meanwhile, so the job completes; one with its default
    action is blocked and takes effect just after, once every file is in place."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    names = ("SIGINT", "SIGTERM", "SIGHUP")
    numbers = [getattr(signal, n) for n in names if hasattr(signal, n)]
    default = [s for s in numbers if signal.getsignal(s) is signal.SIG_DFL]
    ignored = {s: signal.signal(s, signal.SIG_IGN) for s in numbers
               if s not in default and signal.getsignal(s) not in (signal.SIG_IGN, None)}
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, default) if default else None
    try:
        yield
    finally:
        for s, handler in ignored.items():
            signal.signal(s, handler)
        if blocked is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
