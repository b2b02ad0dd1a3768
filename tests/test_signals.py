"""Deferred signals: a critical section (renames, stopping workers) is never cut short, and
the signal is not lost."""

import os
import signal

import pytest

from negsim.signals import deferred


def test_ctrl_c_inside_is_delivered_after_the_block():
    done = []
    with pytest.raises(KeyboardInterrupt):
        with deferred():
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(1000):  # the handler would run here without the deferral
                pass
            done.append(True)
    assert done == [True]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_python_handler_of_sigterm_runs_once_after_the_block():
    seen = []
    previous = signal.signal(signal.SIGTERM, lambda s, _: seen.append(s))
    try:
        with deferred():
            os.kill(os.getpid(), signal.SIGTERM)
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(1000):
                pass
            assert seen == []
        assert seen == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_nothing_pending_changes_nothing():
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    with deferred():
        pass
    assert {s: signal.getsignal(s) for s in before} == before
