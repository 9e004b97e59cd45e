"""A store for the deployment tests: the bundled corpus sample plus the normative documents crawled, by the real
crawler over HTTP on 127.0.0.1, from two city sites of one province: 嘉兴市's saved example site
(tests/examples/normative_library/jiaxing, the config crawlers/sources/sites/jiaxing.toml) and a second city,
湖州市, served as the same site form with the city's name in its pages (a copy made here, config beside it).
The 湖州 site's second crawl no longer lists one page, so its document is "gone" from its source."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from crawlers.runner import Runner
from crawlers.sources import lawrefbook
from crawlers.sources.normative_library import SITES, NormativeLibrarySource, read_config
from fagui.settings import BUNDLED_SAMPLE, Settings, load_settings
from indexer.ingest.crawl_state import StoreSink
from indexer.ingest.pipeline import ingest
from indexer.search.backends import open_backend
from indexer.search.indexing import rebuild
from indexer.store.app_store import open_store
from tests.crawlers.fixture_site import FixtureSite
from tests.crawlers.site_source import FAST

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "normative_library" / "jiaxing"
# Documents in force each city site publishes: all 3 of its pages, which give no 有效性 and no 有效期至 and were
# published in 2018 and 2020 (a page the site stops listing is marked gone, not ended).
CRAWLED_EFFECTIVE_PER_CITY = 3
PASSWORD = "deploy-password-20"


def _huzhou(folder: Path, config_dir: Path) -> tuple[Path, NormativeLibrarySource]:
    """The 湖州 copy of the 嘉兴 example site: every page with the city's name changed."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in EXAMPLES.iterdir():
        if path.is_file():
            data = path.read_bytes()
            if path.suffix in (".html", ".json"):
                text = data.decode("utf-8").replace("嘉兴", "湖州").replace("全市人民政府全年度", "湖州市人民政府全年度")
                data = text.encode("utf-8")
            (folder / path.name).write_bytes(data)
    toml = (SITES / "jiaxing.toml").read_text(encoding="utf-8").replace("嘉兴", "湖州")
    (config_dir / "huzhou.toml").write_text(toml, encoding="utf-8")
    return folder, NormativeLibrarySource(read_config(config_dir / "huzhou.toml"))


_ROW = re.compile(r"<li>.*?</li>\n?", re.S)  # one row of the JCMS column list (`.page-content > li`)


def _without_row(body: str, ref: str) -> tuple[str, int]:
    """A list page with the `<li>` row linking to ref taken out, and how many rows were: the static column page
    (HTML) or a build/unit answer (JSON whose data.html holds the rows)."""

    def cut(html: str) -> tuple[str, int]:
        rows = _ROW.findall(html)
        return _ROW.sub(lambda m: "" if ref in m.group(0) else m.group(0), html), sum(ref in r for r in rows)

    if body.lstrip().startswith("{"):
        answer = json.loads(body)
        html, n = cut(answer["data"]["html"])
        answer["data"]["html"] = html
        return json.dumps(answer, ensure_ascii=False, indent=2), n
    return cut(body)


def _crawl(store, folder: Path, make_source, drop_on_second: str | None = None) -> None:
    site = FixtureSite()
    manifest = site.serve_examples(folder)
    with site:
        source = make_source(site.base_url)
        Runner(StoreSink(store.sessions), source, data_dir=store.settings.data_dir, fetcher_options=FAST).run()
        if drop_on_second:  # the site's list no longer shows this page: a full run marks it gone
            lists = [r["path"] for r in manifest["routes"] if r["kind"] in ("list", "list_end")]
            dropped = 0
            for path in lists:
                body, n = _without_row(site.routes[path].body.decode("utf-8"), drop_on_second)
                if n:
                    site.set_body(path, body)
                    dropped += n
            assert dropped == 1, f"{drop_on_second} is listed {dropped} times"
            Runner(StoreSink(store.sessions), source, data_dir=store.settings.data_dir, fetcher_options=FAST).run()


def build(root: Path) -> Settings:
    env = {"FAGUI_DATA_DIR": str(root / "data"), "FAGUI_SECRET_KEY": "test-secret",
           "FAGUI_API_RATE_LIMIT": "1000000", "FAGUI_SEARCH_CACHE_SECONDS": "0"}
    if os.environ.get("FAGUI_ES_URL"):  # the same tests on Elasticsearch (docker compose up elasticsearch)
        env["FAGUI_ES_URL"] = os.environ["FAGUI_ES_URL"]
    settings = load_settings(env)
    store = open_store(settings, migrate=True)
    report = lawrefbook.read_corpus(BUNDLED_SAMPLE)
    ingest(store.sessions, lawrefbook.SOURCE, report.records, report.errors)
    from crawlers.sources import normative_library

    _crawl(store, EXAMPLES, lambda url: normative_library.make_source(base_url=url, site="jiaxing"))
    folder, huzhou = _huzhou(root / "huzhou-site", root)
    gone = json.loads((folder / "routes.json").read_text(encoding="utf-8"))["routes"][0]["path"].rsplit("/", 1)[1]
    _crawl(store, folder, lambda url: NormativeLibrarySource(huzhou.config, base_url=url), drop_on_second=gone)
    from portal.accounts import create_user

    with store.sessions() as session:
        create_user(session, "office", PASSWORD, "clearance")
        session.commit()
    backend = open_backend(settings)
    rebuild(store.sessions, backend)
    backend.close()
    store.engine.dispose()
    return settings


def with_region(settings: Settings, code: str | None) -> Settings:
    from dataclasses import replace

    region = load_settings({"FAGUI_REGION": code} if code else {})
    return replace(settings, region_code=region.region_code, platform_name=region.platform_name)
