"""The project's own errors. Every one says in Chinese what went wrong and what to do; the command line
(fagui.cli) and the site (portal.errors) each turn them into a message in one place, so callers raise and
never format. `status` is what the site answers: 400 for something the reader or operator must correct,
503 for a part (database, search engine) that is not there right now."""

from __future__ import annotations


class FaguiError(Exception):
    """Base of fagui's errors; str(error) is the Chinese message shown to people."""

    status: int = 400


class UnavailableError(FaguiError):
    """A part the request needs is not reachable now; trying again later may work."""

    status = 503


class SettingsError(FaguiError, ValueError):
    """A FAGUI_* environment variable holds a value that cannot be used."""
