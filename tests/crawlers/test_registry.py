"""The source registry: names to sources, lazily, skipping modules that are missing or broken with a reason."""

from __future__ import annotations

import sys
import types

import pytest

from crawlers.registry import Registry, UnknownSource


class _Source:
    def __init__(self, name: str) -> None:
        self.name, self.title, self.hosts = name, f"来源 {name}", ("example.gov.cn",)

    def listings(self, fetch, since=None):
        return iter(())

    def record(self, listing, page, fetch):
        raise NotImplementedError


@pytest.fixture
def modules(monkeypatch):
    single = types.ModuleType("fagui_test_single")
    single.SOURCE = _Source("single")
    multi = types.ModuleType("fagui_test_multi")
    multi.SOURCES = lambda: {"site-a": _Source("site-a"), "site-b": _Source("site-b")}
    not_a_source = types.ModuleType("fagui_test_name_only")
    not_a_source.SOURCE = "just a name"
    for mod in (single, multi, not_a_source):
        monkeypatch.setitem(sys.modules, mod.__name__, mod)
    return Registry({"single": "fagui_test_single:SOURCE", "multi": "fagui_test_multi:SOURCES",
                     "name_only": "fagui_test_name_only:SOURCE", "absent": "fagui_test_absent_module:SOURCE"})


def test_sources_by_name_including_multi_site_modules(modules):
    assert modules.get("single").name == "single"
    assert modules.get("site-b").title == "来源 site-b"
    assert [s.name for s in modules.all()] == ["single", "site-a", "site-b"]


def test_missing_and_unusable_modules_are_skipped_with_a_reason(modules):
    modules.all()
    problems = modules.problems()
    assert "尚不存在" in problems["absent"]
    assert "没有提供可抓取的来源" in problems["name_only"]
    with pytest.raises(UnknownSource) as info:
        modules.get("absent")
    assert "尚不存在" in str(info.value)
    with pytest.raises(UnknownSource) as info:
        modules.get("nothing")
    assert "single" in str(info.value) and "site-a" in str(info.value)


def test_the_shipped_registry_loads_every_adapter_that_exists():
    from crawlers.registry import TARGETS

    registry = Registry(TARGETS)
    names = {s.name for s in registry.all()}
    assert {"flk", "gov_policy"} <= names
    for source in registry.all():
        assert source.title and isinstance(tuple(source.hosts), tuple)
