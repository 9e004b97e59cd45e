"""`fagui serve` on a port already in use: a Chinese message at once, not gunicorn's English retries."""

from __future__ import annotations

import socket

import pytest
from click.testing import CliRunner

from fagui.cli import serve
from fagui.cli.commands import cli


@pytest.fixture
def busy_port():
    """A port on this machine that another program is listening on."""
    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def test_check_port_refuses_a_port_in_use_and_accepts_a_free_one(busy_port):
    for host in ("127.0.0.1", "0.0.0.0"):
        with pytest.raises(serve.PortUnavailable, match=f"端口 {busy_port} 已被占用.*用 --port 或 FAGUI_PORT 换一个"):
            serve.check_port(host, busy_port)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    serve.check_port("127.0.0.1", free)  # nothing raised, and the port is let go again
    serve.check_port("127.0.0.1", free)
    with pytest.raises(serve.PortUnavailable, match="本机没有这个地址"):
        serve.check_port("192.0.2.1", free)  # TEST-NET-1: never an address of this machine


@pytest.mark.parametrize("dev", [False, True])
def test_serve_on_a_busy_port_exits_with_a_chinese_message(tmp_path, monkeypatch, busy_port, dev):
    monkeypatch.setenv("FAGUI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FAGUI_DATABASE_URL", raising=False)
    monkeypatch.setenv("FAGUI_PORT", str(busy_port))

    def never(*_args, **_kw):
        raise AssertionError("the server was started on a port in use")

    monkeypatch.setattr(serve.PortalServer, "run", never)
    monkeypatch.setattr("flask.Flask.run", never)
    assert CliRunner().invoke(cli, ["db", "upgrade"]).exit_code == 0
    result = CliRunner().invoke(cli, ["serve", *(["--dev"] if dev else [])], prog_name="fagui")
    assert result.exit_code == 1
    assert f"错误：端口 {busy_port} 已被占用" in result.output and "用 --port 或 FAGUI_PORT 换一个" in result.output
    assert "网站地址" not in result.output and "Traceback" not in result.output


def _start(port: int, env: dict):
    import subprocess
    import sys
    import time
    import urllib.request

    proc = subprocess.Popen([sys.executable, "-m", "fagui.cli.commands", "serve", "--port", str(port),
                             "--workers", "1", "--threads", "2"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                return proc
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)


def _metrics(port: int) -> str:
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
        return answer.read().decode()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_second_server_keeps_its_own_metrics_and_control_files(tmp_path, monkeypatch):
    import os

    monkeypatch.setenv("FAGUI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FAGUI_DATABASE_URL", raising=False)
    assert CliRunner().invoke(cli, ["db", "upgrade"]).exit_code == 0
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_RUNTIME_DIR": str(home)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    first_port, second_port = _free_port(), _free_port()
    line = 'fagui_http_requests_total{endpoint="health.healthz",method="GET",status="200"}'
    first = _start(first_port, env)
    second = None
    try:
        assert line in _metrics(first_port)
        second = _start(second_port, env)
        # before: the second server emptied the shared metrics directory, and the first one's counts were gone
        assert line in _metrics(first_port)
        assert line in _metrics(second_port)
        assert {p.name for p in (tmp_path / "run").iterdir()} == {f"127.0.0.1-{first_port}",
                                                                 f"127.0.0.1-{second_port}"}
        assert not list(home.rglob("gunicorn.ctl"))  # no control socket one user's servers would share
        second.terminate()
        second.wait(timeout=30)
        assert line in _metrics(first_port)
        assert not (tmp_path / "run" / f"127.0.0.1-{second_port}" / "metrics").exists()
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=30)
