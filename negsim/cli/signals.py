"""Termination signals as exceptions, so that SIGTERM and SIGHUP clean up like Ctrl-C.

Python turns SIGINT into KeyboardInterrupt; SIGTERM and SIGHUP would end the process at once,
leaving temporary files, an empty output folder and worker processes behind. ``install``
makes them raise ``Terminated`` instead, which every command handles like KeyboardInterrupt:
workers are stopped, nothing partial is left, and the process exits 128 + the signal number
(143 for SIGTERM, 129 for SIGHUP). Only the command line installs this; the library leaves
the signal handlers of its caller alone.
"""

from __future__ import annotations

import signal

SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
NAMES = {getattr(signal, "SIGTERM", None): "terminated", getattr(signal, "SIGHUP", None):
         "hung up", signal.SIGINT: "interrupted"}
BROKEN_PIPE = 141  # 128 + SIGPIPE: the conventional status when the reader went away


class Terminated(BaseException):
    """The process received SIGTERM or SIGHUP (a BaseException, like KeyboardInterrupt)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """128 + the signal number, as a shell reports a process the signal ended."""
        return 128 + self.signum

    @property
    def word(self) -> str:
        """What happened, in a word or two: 'terminated' or 'hung up'."""
        return NAMES.get(self.signum, "terminated")


def _raise(signum, frame):
    if signum == getattr(signal, "SIGHUP", None):
        _detach_terminal()
    raise Terminated(signum)


def _detach_terminal() -> None:
    """After a hang-up the terminal is gone: point stdout and stderr at /dev/null where they
    were the terminal, so that cleaning up and exiting 129 do not fail writing to it."""
    import os

    devnull = None
    for fd in (1, 2):
        try:
            if os.isatty(fd):
                devnull = os.open(os.devnull, os.O_WRONLY) if devnull is None else devnull
                os.dup2(devnull, fd)
        except OSError:
            pass


def install() -> None:
    """Make SIGTERM and SIGHUP raise Terminated in the main thread, and keep a signal from
    being lost when its exception is raised where Python cannot pass it on."""
    import sys

    global _previous_hook
    if sys.unraisablehook is not _unraisable:
        _previous_hook = sys.unraisablehook
        sys.unraisablehook = _unraisable
    for signum in SIGNALS:
        signal.signal(signum, _raise)


_previous_hook = None
REDELIVERY = 0.01  # seconds before a lost signal is sent again


def _unraisable(unraisable) -> None:
    """An exception raised inside a weakref callback or a finaliser (importlib runs such
    callbacks while modules load) is "unraisable": Python prints it and goes on, so a
    Ctrl-C or SIGTERM that lands there would be lost and the command would run to the end.
    Deliver such a signal again instead; it then acts in ordinary code."""
    exc = unraisable.exc_value
    if isinstance(exc, Terminated | KeyboardInterrupt):
        import os
        import threading

        signum = exc.signum if isinstance(exc, Terminated) else signal.SIGINT
        # from another thread a moment later, so that it arrives once this hook has
        # returned (raised here, it would be unraisable again); should it land in such a
        # callback again, it comes back here
        timer = threading.Timer(REDELIVERY, os.kill, args=(os.getpid(), signum))
        timer.daemon = True
        timer.start()
    elif _previous_hook is not None:
        _previous_hook(unraisable)


