"""Atomic writes: a signal at any moment leaves either the finished files or nothing."""

from __future__ import annotations

import os
import signal
import tempfile
from pathlib import Path

import pytest

from negsim import atomic


class Stop(BaseException):
    pass


@pytest.fixture
def terminate_raises():
    """SIGTERM raises Stop in this test, as the command line makes it raise Terminated."""
    def handler(signum, frame):
        raise Stop(signum)

    previous = signal.signal(signal.SIGTERM, handler)
    yield
    signal.signal(signal.SIGTERM, previous)


@pytest.fixture
def signal_on_creation(monkeypatch):
    """SIGTERM arrives the moment a temporary file exists, before mkstemp has returned:
    the window a signal sent on seeing the first ``.tmp`` file hits."""
    real = tempfile.mkstemp

    def mkstemp(*args, **kwargs):
        made = real(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGTERM)
        return made

    monkeypatch.setattr(atomic.tempfile, "mkstemp", mkstemp)


def test_a_signal_as_the_temporary_file_is_made_leaves_nothing(
        tmp_path, terminate_raises, signal_on_creation):
    out = tmp_path / "out"
    files = {out / "a.json": lambda t: Path(t).write_text("{}"),
             out / "b.json": lambda t: Path(t).write_text("{}")}
    with pytest.raises(Stop):
        atomic.write_all_atomic(files)
    assert not out.exists()


def test_a_signal_as_the_single_temporary_file_is_made_leaves_nothing(
        tmp_path, terminate_raises, signal_on_creation):
    with pytest.raises(Stop):
        atomic.write_text_atomic(tmp_path / "a.txt", "text")
    assert list(tmp_path.iterdir()) == []


def test_files_written_in_full_replace_the_old_ones(tmp_path):
    (tmp_path / "old.txt").write_text("old")
    atomic.write_all_atomic({tmp_path / "new" / "a.txt": lambda t: Path(t).write_text("a")},
                            remove=[tmp_path / "old.txt"])
    assert (tmp_path / "new" / "a.txt").read_text() == "a"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.txt", "new"]


def test_a_signal_inside_a_writer_waits_for_the_file_then_cleans_up(tmp_path, terminate_raises):
    """numpy's savez closes its zip file in a ``finally``; a signal raised inside it used to
    turn into "Can't close the ZIP file" and a traceback. The writer now finishes first."""
    import io

    import numpy as np

    def write(tmp):
        buffer = io.BytesIO()
        os.kill(os.getpid(), signal.SIGTERM)  # arrives while the writer is at work
        np.savez_compressed(buffer, a=np.arange(10))
        Path(tmp).write_bytes(buffer.getvalue())
        written.append(tmp)

    written: list[str] = []
    out = tmp_path / "out"
    with pytest.raises(Stop):
        atomic.write_all_atomic({out / "tally.npz": write})
    assert written and not out.exists()


def test_a_second_signal_inside_a_writer_acts_at_once(tmp_path, terminate_raises):
    """Insisting interrupts a long write: the first signal waits, the second acts."""
    def write(tmp):
        os.kill(os.getpid(), signal.SIGTERM)  # held
        os.kill(os.getpid(), signal.SIGTERM)  # acts here, inside the writer
        reached.append(tmp)

    reached: list[str] = []
    out = tmp_path / "out"
    with pytest.raises(Stop):
        atomic.write_all_atomic({out / "a.txt": write})
    assert not reached and not out.exists()
