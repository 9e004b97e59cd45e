"""Source names -> Source instances, imported lazily so one broken or missing adapter never stops the others.

A target is "module:attribute"; the attribute is a Source, or a collection of Sources (a module that serves
several sites from configuration, such as the normative-document libraries). A module that is not there yet
or fails to import is skipped with a message saying why (`problems()`), never a crash."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from typing import Any

from crawlers.sources.base import Source
from fagui.errors import FaguiError

# name -> "module:attribute". A multi-site module is listed under its module name; its sources are
# registered under their own names.
TARGETS: dict[str, str] = {
    "flk": "crawlers.sources.flk:SOURCE",
    "gov_policy": "crawlers.sources.gov_policy:SOURCE",
    "normative_library": "crawlers.sources.normative_library:SOURCES",
    "files": "crawlers.sources.files:SOURCE",
    "lawrefbook": "crawlers.sources.lawrefbook:CRAWL_SOURCE",
}


class UnknownSource(FaguiError, LookupError):
    """No such source (or its module could not be loaded); the message is for people."""


def _is_source(obj: Any) -> bool:
    return all(hasattr(obj, name) for name in ("name", "listings", "record")) and not isinstance(obj, type)


def _sources_of(obj: Any) -> list[Source]:
    if _is_source(obj):
        return [obj]
    if callable(obj) and not isinstance(obj, type):
        return _sources_of(obj())
    if isinstance(obj, Mapping):
        obj = obj.values()
    if isinstance(obj, Iterable) and not isinstance(obj, (str, bytes)):
        return [s for s in obj if _is_source(s)]
    return []


class Registry:
    def __init__(self, targets: Mapping[str, str] | None = None) -> None:
        self.targets = dict(TARGETS if targets is None else targets)
        self._loaded: dict[str, list[Source]] = {}
        self._problems: dict[str, str] = {}

    def _load(self, key: str) -> list[Source]:
        if key in self._loaded:
            return self._loaded[key]
        target = self.targets[key]
        module_name, _, attr = target.partition(":")
        sources: list[Source] = []
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                self._problems[key] = f"来源模块 {module_name} 尚不存在，已跳过"
            else:
                self._problems[key] = f"来源模块 {module_name} 缺少依赖 {exc.name}，已跳过"
        except Exception as exc:  # noqa: BLE001 - a broken adapter must not stop the others
            self._problems[key] = f"来源模块 {module_name} 加载失败（{type(exc).__name__}: {exc}），已跳过"
        else:
            # The named attribute first; adapters that chose another common name are still found.
            for name in dict.fromkeys([attr, "SOURCES", "SOURCE", "CRAWL_SOURCE"]):
                if name and hasattr(module, name):
                    sources = _sources_of(getattr(module, name))
                    if sources:
                        break
            if not sources:
                self._problems[key] = f"来源模块 {module_name} 没有提供可抓取的来源（{attr}），已跳过"
        self._loaded[key] = sources
        return sources

    def get(self, name: str) -> Source:
        """The source called `name`; UnknownSource with the known names (or why its module is missing)."""
        keys = [name] if name in self.targets else []
        keys += [k for k in self.targets if k != name]
        for key in keys:
            for source in self._load(key):
                if source.name == name or (key == name and len(self._loaded[key]) == 1):
                    return source
        why = self._problems.get(name)
        known = "、".join(s.name for s in self.all()) or "无"
        raise UnknownSource(why or f"没有名为 {name} 的来源；可用的来源：{known}")

    def all(self) -> list[Source]:
        found: dict[str, Source] = {}
        for key in self.targets:
            for source in self._load(key):
                found.setdefault(source.name, source)
        return list(found.values())

    def problems(self) -> dict[str, str]:
        """Why each skipped module was skipped (after all() or get() tried it)."""
        return dict(self._problems)


_default: Registry | None = None


def default_registry() -> Registry:
    global _default
    if _default is None:
        _default = Registry()
    return _default


def get_source(name: str) -> Source:
    return default_registry().get(name)
