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


def test_a_signal_raised_inside_a_weakref_callback_is_not_lost():
    """Python cannot pass on an exception raised in a weakref callback (importlib runs
    them while modules load): the command line delivers the signal again instead."""
    import subprocess
    import sys

    code = """
import os, signal, weakref
from negsim.cli.signals import Terminated, install
install()
class Thing: pass
def callback(_):
    os.kill(os.getpid(), signal.SIGTERM)  # its exception is raised in here
    for _ in range(1000): pass
thing = Thing()
ref = weakref.ref(thing, callback)
import time
try:
    del thing
    time.sleep(2)
    print("lost")
except Terminated:
    print("terminated")
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.strip() == "terminated", (result.stdout, result.stderr)
    assert "Exception ignored" not in result.stderr
