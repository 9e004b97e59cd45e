"""Per-app store and search backend, and a per-request database session."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from indexer.search.backends import open_backend
from indexer.search.backends.base import SearchBackend
from indexer.store.app_store import Store, open_store


def init_app(app: Flask) -> None:
    app.extensions["fagui.store"] = None
    app.extensions["fagui.backend"] = None
    app.teardown_appcontext(_close_session)


def store() -> Store:
    # Opened on first use, not at start-up: a portal whose database is down still starts and answers 503.
    st = current_app.extensions.get("fagui.store")
    if st is None:
        st = open_store(current_app.config["FAGUI_SETTINGS"], reader=True)
        current_app.extensions["fagui.store"] = st
    return st


def backend() -> SearchBackend:
    be = current_app.extensions.get("fagui.backend")
    if be is None:
        be = open_backend(current_app.config["FAGUI_SETTINGS"])
        current_app.extensions["fagui.backend"] = be
    return be


def session() -> Session:
    if "fagui_session" not in g:
        g.fagui_session = store().sessions()
    return g.fagui_session


def writer_session() -> Session:
    """A session for the portal's own writes (accounts, clearance decisions): on SQLite it begins IMMEDIATE,
    so a write that follows a read waits for a crawler's transaction instead of failing."""
    if "fagui_writer_session" not in g:
        st = store()
        factory = current_app.extensions.get("fagui.writer_sessions")
        if factory is None:
            from indexer.store.db import session_factory

            factory = current_app.extensions.setdefault("fagui.writer_sessions", session_factory(st.engine))
        g.fagui_writer_session = factory()
    return g.fagui_writer_session


def _close_session(_exc: BaseException | None) -> None:
    for name in ("fagui_session", "fagui_writer_session"):
        sess = g.pop(name, None)
        if sess is not None:
            sess.close()


def public_base() -> str:
    """The site's address for absolute links in exports: FAGUI_PUBLIC_URL where set, else the address this request
    reached the site at (so a site served on another port never links to the default one)."""
    from flask import request

    settings = current_app.config["FAGUI_SETTINGS"]
    return settings.public_url if settings.public_url_set else request.host_url.rstrip("/")


def export_heading() -> str:
    """The data source line heading an XLSX export."""
    from clearance.exports import source_line

    return source_line(public_base())
