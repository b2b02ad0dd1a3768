"""`negsim serve` through its entry point: bad input exits 2 with a message, the page is
served, and each stopping signal ends it with the usual exit code."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import urllib.request

import pytest

from negsim.web.app import LOOPBACK, host_names
from tests.cli.test_cli import negsim
from tests.conftest import BASELINE, ROOT


def test_a_missing_file_exits_2_with_its_name(tmp_path):
    result = negsim("serve", tmp_path / "nope.yaml", "--port", "0")
    assert result.returncode == 2
    assert "nope.yaml" in result.stderr and "cannot read" in result.stderr


def test_an_invalid_file_exits_2_with_a_located_message(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(re.sub(r"max_rounds: \d+", "max_rounds: -5", BASELINE.read_text(), count=1))
    result = negsim("serve", bad, "--port", "0")
    assert result.returncode == 2
    assert re.search(r"bad\.yaml:\d+:\d+: protocol\.max_rounds", result.stderr), result.stderr


def test_no_scenarios_here_exits_2(tmp_path):
    result = negsim("serve", "--port", "0", cwd=tmp_path)
    assert result.returncode == 2 and "no scenarios/*.yaml" in result.stderr


def test_a_port_in_use_exits_2_and_says_so():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = negsim("serve", BASELINE, "--port", str(port))
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "--port" in result.stderr


def test_a_loopback_server_answers_to_this_machines_names_only():
    assert host_names("127.0.0.1") == LOOPBACK and host_names("localhost") == LOOPBACK
    assert host_names("0.0.0.0") is None
    assert host_names("10.1.2.3") == ("10.1.2.3",) and host_names("fe80::1") == ("[fe80::1]",)


@pytest.mark.parametrize("signum, code, word", [
    (signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated"),
    (signal.SIGHUP, 129, "hung up")])
def test_the_server_serves_the_page_and_stops_on_a_signal(signum, code, word):
    process = subprocess.Popen([sys.executable, "-m", "negsim", "serve", str(BASELINE),
                                "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)
        assert "1 scenario;" in line
        with urllib.request.urlopen(url, timeout=30) as page:
            assert page.status == 200 and b"negsim" in page.read()
        process.send_signal(signum)
        _, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == code, err
    assert word in err and "Traceback" not in err
