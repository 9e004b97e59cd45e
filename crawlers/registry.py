"""Source names -> Source instances, from the source modules listed here.

Every source module is imported by name at the top of this file, so a missing or broken one fails at
start-up with its name rather than quietly disappearing from `fagui crawl --list`. Each entry of PROVIDERS
makes the sources of one module from the `SourceOptions` whoever runs them passes in (sources read no
settings: the command line and the worker turn FAGUI_FILES_PATH and the corpus path into options).

Site configs of the normative-document libraries are data (TOML files, from the package and from the
operator's folder `SourceOptions.sites_dir`): a broken one is skipped with the reason, naming its file
(`problems()`), and every other site and source stays usable."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

# `import a.b as b`, not `from a import b`: a missing module is then reported by its full name.
import crawlers.sources.files as files
import crawlers.sources.flk as flk
import crawlers.sources.gov_policy as gov_policy
import crawlers.sources.lawrefbook as lawrefbook
import crawlers.sources.normative_library as normative_library
from crawlers.sources.base import Source
from fagui.errors import FaguiError


@dataclass(frozen=True)
class SourceOptions:
    """What the sources need from whoever runs them."""

    files_path: Path | None = None  # the uploads folder of the `files` source
    corpus_path: Path | None = None  # the corpus dump the `lawrefbook` source walks
    sites_dir: Path | None = None  # the operator's site configs (FAGUI_SITES_DIR), beside the package's own


Provider = Callable[[SourceOptions], Iterable[Source]]


class Provided(list[Source]):
    """Sources a provider made, with the ones it could not make and why (name -> Chinese reason)."""

    def __init__(self, sources: Iterable[Source], problems: Mapping[str, str]) -> None:
        super().__init__(sources)
        self.problems = dict(problems)


def _normative_libraries(options: SourceOptions) -> Iterable[Source]:
    found, broken = normative_library.load_sites(options.sites_dir)
    return Provided(found.values(), broken)


# One entry per source module, in the order `fagui crawl --list` shows them.
PROVIDERS: dict[str, Provider] = {
    "flk": lambda options: [flk.SOURCE],
    "gov_policy": lambda options: [gov_policy.SOURCE],
    "normative_library": _normative_libraries,
    "files": lambda options: [files.FilesSource(options.files_path)],
    "lawrefbook": lambda options: [lawrefbook.CorpusSource(options.corpus_path)],
}


class UnknownSource(FaguiError, LookupError):
    """No such source; the message is for people."""


class Registry:
    """The sources of `providers` (PROVIDERS by default), made once, on first use."""

    def __init__(self, options: SourceOptions | None = None, providers: Mapping[str, Provider] | None = None) -> None:
        self.options = options or SourceOptions()
        self.providers = dict(PROVIDERS if providers is None else providers)
        self._sources: dict[str, Source] | None = None
        self._problems: dict[str, str] = {}

    def _load(self) -> dict[str, Source]:
        if self._sources is None:
            found: dict[str, Source] = {}
            for key, provide in self.providers.items():
                try:
                    provided = provide(self.options)
                    made = list(provided)
                except normative_library.SiteConfigError as exc:  # data, not code: the other sources stay
                    self._problems[key] = f"来源模块 crawlers.sources.{key} 加载失败（{type(exc).__name__}: {exc}），已跳过"
                    continue
                for name, why in getattr(provided, "problems", {}).items():
                    self._problems[name] = why
                for source in made:
                    found.setdefault(source.name, source)
            self._sources = found
        return self._sources

    def get(self, name: str) -> Source:
        """The source called `name`; UnknownSource with the known names (or why its sites were skipped)."""
        sources = self._load()
        if name in sources:
            return sources[name]
        why = self._problems.get(name)
        known = "、".join(sources) or "无"
        raise UnknownSource(why or f"没有名为 {name} 的来源；可用的来源：{known}")

    def rebased(self, name: str, base_url: str) -> Source:
        """The source called `name` on another address (a mirror, a test copy); only configured sites can."""
        source = self.get(name)
        if not isinstance(source, normative_library.NormativeLibrarySource):
            raise UnknownSource(f"来源 {name} 不支持更换网址（--base-url 只用于站点配置的来源 norms-*）")
        if not re.match(r"https?://[^/\s]+", base_url):
            raise UnknownSource(f"--base-url 必须是 http:// 或 https:// 开头的网址，而不是 {base_url!r}")
        return normative_library.NormativeLibrarySource(source.config, base_url=base_url)

    def all(self) -> list[Source]:
        return list(self._load().values())

    def problems(self) -> dict[str, str]:
        """Why the sources of a module were skipped (a broken site config), after all() or get()."""
        self._load()
        return dict(self._problems)
