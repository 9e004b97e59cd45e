"""`fagui serve`: the portal under gunicorn (Flask's own server only with --dev)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from gunicorn.app.base import BaseApplication

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

    def load(self):
        from portal import create_app

        return create_app(self.settings)


def prepare_metrics_dir(settings: Settings) -> Path:
    """A fresh directory where each worker keeps its Prometheus numbers, set before the workers start."""
    path = settings.data_dir / "metrics"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    return path


def _child_exit(_server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def gunicorn_options(host: str, port: int, workers: int, threads: int = 4) -> dict:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        # Threads let one worker overlap the database and the search engine; gthread keeps it dependency-free.
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 60,
        "graceful_timeout": 10,
        "accesslog": "-",
        "access_log_format": '%(h)s "%(r)s" %(s)s %(b)s %(M)sms',
    }
