"""The source registry: the source modules are listed and imported by name, so a missing or broken one fails at
start-up naming it; sources get their paths from whoever runs them; a broken site config (data) is skipped
with its reason."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crawlers.registry import PROVIDERS, Registry, SourceOptions, UnknownSource
from crawlers.sources import normative_library

REPO = Path(__file__).resolve().parents[2]


class _Source:
    def __init__(self, name: str) -> None:
        self.name, self.title, self.hosts = name, f"来源 {name}", ("example.gov.cn",)

    def listings(self, fetch, since=None):
        return iter(())

    def record(self, listing, page, fetch):
        raise NotImplementedError


@pytest.fixture
def registry():
    return Registry(providers={"single": lambda options: [_Source("single")],
                               "multi": lambda options: [_Source("site-a"), _Source("site-b")]})


def test_sources_by_name_including_multi_site_modules(registry):
    assert registry.get("single").name == "single"
    assert registry.get("site-b").title == "来源 site-b"
    assert [s.name for s in registry.all()] == ["single", "site-a", "site-b"]
    with pytest.raises(UnknownSource) as info:
        registry.get("nothing")
    assert "没有名为 nothing 的来源" in str(info.value)
    assert "single" in str(info.value) and "site-a" in str(info.value)


def test_the_shipped_registry_has_every_source_module():
    registry = Registry()
    names = {s.name for s in registry.all()}
    assert {"flk", "gov_policy", "files", "lawrefbook"} <= names
    assert any(name.startswith("norms-") for name in names)
    assert set(PROVIDERS) == {"flk", "gov_policy", "normative_library", "files", "lawrefbook"}
    assert registry.problems() == {}
    for source in registry.all():
        assert source.title and isinstance(tuple(source.hosts), tuple)


def test_sources_get_their_paths_from_the_options(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    registry = Registry(SourceOptions(files_path=tmp_path, corpus_path=corpus))
    assert registry.get("files").folder == tmp_path
    assert registry.get("lawrefbook").path == corpus


@pytest.mark.parametrize("module", ["crawlers.sources.gov_policy", "crawlers.sources.files"])
def test_a_missing_source_module_fails_at_start_up_naming_it(module):
    # A fresh interpreter in which the module cannot be found, as when its file is missing.
    code = ("import sys\n"
            "class Hide:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            f"        if name == {module!r}:\n"
            "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
            "sys.meta_path.insert(0, Hide())\n"
            "import crawlers.registry\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert f"No module named '{module}'" in done.stderr


def test_a_broken_source_module_fails_at_start_up_naming_it(tmp_path):
    # A copy of the package whose flk module raises on import: the traceback names the module's file.
    shutil.copytree(REPO / "crawlers", tmp_path / "crawlers", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "crawlers" / "sources" / "flk.py").write_text("raise RuntimeError('坏了')\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", "import crawlers.registry"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, env={"PYTHONPATH": f"{tmp_path}:{REPO}", "PATH": ""})
    assert done.returncode != 0
    assert "crawlers/sources/flk.py" in done.stderr and "坏了" in done.stderr


def test_a_broken_site_config_skips_only_that_site_with_the_reason(tmp_path):
    (tmp_path / "broken.toml").write_text('title = "坏的"\nbase_url = \n', encoding="utf-8")
    good = (normative_library.SITES / "jiaxing.toml").read_text(encoding="utf-8")
    (tmp_path / "mycity.toml").write_text(good.replace("嘉兴市行政规范性文件库", "我的城市文件库"), encoding="utf-8")
    registry = Registry(SourceOptions(sites_dir=tmp_path))
    names = {s.name for s in registry.all()}
    assert {"flk", "norms-guangdong", "norms-jiaxing", "norms-mycity"} <= names and "norms-broken" not in names
    assert registry.get("norms-mycity").title == "我的城市文件库"
    why = registry.problems()["norms-broken"]
    assert str(tmp_path / "broken.toml") in why and "TOML 格式有误，第 2 行" in why
    with pytest.raises(UnknownSource, match="TOML 格式有误"):
        registry.get("norms-broken")


def test_an_operator_config_replaces_the_package_one_and_a_source_can_be_rebased(tmp_path):
    own = (normative_library.SITES / "jiaxing.toml").read_text(encoding="utf-8")
    (tmp_path / "jiaxing.toml").write_text(own.replace("https://www.jiaxing.gov.cn", "https://mirror.example.cn"),
                                           encoding="utf-8")
    registry = Registry(SourceOptions(sites_dir=tmp_path))
    assert registry.get("norms-jiaxing").base_url == "https://mirror.example.cn"
    assert registry.rebased("norms-jiaxing", "http://127.0.0.1:9").hosts[0] == "http://127.0.0.1:9"
    with pytest.raises(UnknownSource, match="不支持更换网址"):
        registry.rebased("flk", "http://127.0.0.1:9")
    missing = Registry(SourceOptions(sites_dir=tmp_path / "nowhere"))
    assert "norms-jiaxing" in {s.name for s in missing.all()}
    assert "站点配置目录不存在" in missing.problems()["sites_dir"]


def test_any_other_error_of_a_source_is_not_swallowed():
    def broken(options):
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError, match="bug"):
        Registry(providers={"broken": broken}).all()
