"""`fagui serve`: the portal under gunicorn (Flask's own server only with --dev)."""

from __future__ import annotations

import errno
import os
import re
import shutil
import socket
from pathlib import Path

from gunicorn.app.base import BaseApplication

from fagui.errors import FaguiError
from fagui.settings import Settings


class PortalServer(BaseApplication):
    def __init__(self, settings: Settings, options: dict) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)
        self.cfg.set("child_exit", _child_exit)
        self.cfg.set("on_exit", _on_exit)

    def load(self):
        from portal import create_app

        return create_app(self.settings)


class PortUnavailable(FaguiError):
    """The address cannot be bound: the message says why, in Chinese."""


def check_port(host: str, port: int) -> None:
    """Bind host:port once, the way gunicorn will (SO_REUSEADDR, IPv6 for an IPv6 address), and let it go again.

    gunicorn itself reports a port in use in English and retries for several seconds; this fails at once, clearly.
    """
    address = host.strip("[]")
    try:
        socket.inet_pton(socket.AF_INET6, address)
        family = socket.AF_INET6
    except OSError:
        family = socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((address, port))
    except OSError as exc:
        hint = "（用 --port 或 FAGUI_PORT 换一个）"
        if exc.errno == errno.EADDRINUSE:
            raise PortUnavailable(f"端口 {port} 已被占用：可能已有一个网站服务或其他程序在使用它{hint}") from None
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise PortUnavailable(f"没有权限使用端口 {port}：1024 以下的端口需要管理员权限{hint}") from None
        if exc.errno == errno.EADDRNOTAVAIL or isinstance(exc, socket.gaierror):
            raise PortUnavailable(f"无法监听地址 {host}：本机没有这个地址（用 --host 或 FAGUI_HOST 换一个，"
                                  "例如 127.0.0.1 或 0.0.0.0）") from None
        raise PortUnavailable(f"无法监听 {host}:{port}：{exc.strerror or exc}") from None
    except OverflowError:
        raise PortUnavailable(f"端口 {port} 无效：应在 1 到 65535 之间{hint}") from None


def server_dir(settings: Settings, host: str, port: int) -> Path:
    """This server's own directory, `$FAGUI_DATA_DIR/run/<host>-<port>`: no other live server can have it
    (check_port has just bound that address), so a second `fagui serve` never touches the first one's files."""
    key = re.sub(r"[^0-9A-Za-z.]", "_", host.strip("[]")) + f"-{port}"
    return settings.data_dir / "run" / key


def prepare_metrics_dir(settings: Settings, host: str, port: int) -> Path:
    """A fresh directory where each worker of this server keeps its Prometheus numbers, set before the workers
    start. Before, every server shared `$FAGUI_DATA_DIR/metrics` and a second one wiped the first one's numbers."""
    path = server_dir(settings, host, port) / "metrics"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    return path


def _child_exit(_server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def _on_exit(_server) -> None:
    """The server stops: its numbers go with it (another server's directory is never this one)."""
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if path:
        shutil.rmtree(path, ignore_errors=True)


def gunicorn_options(host: str, port: int, workers: int, threads: int = 4) -> dict:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        # Threads let one worker overlap the database and the search engine; gthread keeps it dependency-free,
        # and our subclass reads each request in the event loop, so slow clients hold no thread
        # (fagui/cli/guarded_worker.py).
        "worker_class": "fagui.cli.guarded_worker.GuardedThreadWorker",
        "threads": threads,
        "timeout": 60,
        # gunicorn's largest request line: a shared search URL with a long Chinese query and its filters is
        # several KB once percent-encoded, and must reach the site's own Chinese answer, not a bare 414.
        "limit_request_line": 8190,
        "graceful_timeout": 10,
        # gunicorn's control socket (for gunicornc) defaults to one path per user, ~/.gunicorn/gunicorn.ctl: a
        # second server took it over and removed it when it stopped. fagui uses none.
        "control_socket_disable": True,
        "accesslog": "-",
        "access_log_format": '%(h)s "%(r)s" %(s)s %(b)s %(M)sms',
    }
