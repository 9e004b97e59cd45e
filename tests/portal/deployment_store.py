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
# Effective documents each city site publishes (the third of each is 失效).
CRAWLED_EFFECTIVE_PER_CITY = 2
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


def _crawl(store, folder: Path, make_source, drop_on_second: str | None = None) -> None:
    site = FixtureSite()
    manifest = site.serve_examples(folder)
    with site:
        source = make_source(site.base_url)
        Runner(StoreSink(store.sessions), source, data_dir=store.settings.data_dir, fetcher_options=FAST).run()
        if drop_on_second:  # the site's list no longer shows this page: a full run marks it gone
            lists = [r["path"] for r in manifest["routes"] if r["kind"] == "list"]
            bodies = [site.routes[path].body.decode("utf-8") for path in lists]
            row = re.compile(r"<tr><td.*?</tr>", re.S)
            rows = [r for body in bodies for r in row.findall(body) if drop_on_second not in r]
            size = manifest.get("page_size") or 2
            for i, (path, body) in enumerate(zip(lists, bodies, strict=True)):
                kept = "".join(rows[i * size:(i + 1) * size])
                body = re.sub(r"<tbody>.*</tbody>", lambda _m, kept=kept: f"<tbody>\n{kept}\n</tbody>", body, flags=re.S)
                site.set_body(path, re.sub(r'total-records">\d+<', f'total-records">{len(rows)}<', body))
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
