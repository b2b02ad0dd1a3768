"""Deferring termination signals over a short critical section (renaming finished files
into place, stopping worker processes), so that it is never left half done."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

NAMES = ("SIGINT", "SIGTERM", "SIGHUP")


@contextmanager
def deferred(second_acts: bool = False):
    """Hold Ctrl-C, SIGTERM and SIGHUP until the block is over, then deliver them.

    Each signal's handler is replaced by one that only records it; on leaving, the handlers
    are restored and every recorded signal is raised again, so its own handler (an exception
    such as KeyboardInterrupt, or the default action) takes effect once the block is
    complete. With ``second_acts``, the first signal restores the handlers at once, so that
    a second one acts without waiting (a block that may take long, such as writing a large
    file, stays interruptible by insisting). A no-op outside the main thread, where handlers
    cannot be changed.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous = {}

    def record(number, _frame):
        pending.append(number)
        if second_acts:
            for held, handler in previous.items():
                signal.signal(held, handler)

    try:
        for name in NAMES:
            number = getattr(signal, name, None)
            if number is not None and signal.getsignal(number) is not None:
                previous[number] = signal.signal(number, record)
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        for number in dict.fromkeys(pending):
            signal.raise_signal(number)
