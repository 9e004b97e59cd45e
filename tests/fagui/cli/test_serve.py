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
