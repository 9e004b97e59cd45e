"""Settings from environment variables prefixed FAGUI_, each with a working default.

This is the one module that reads the environment (README, Settings, lists every variable): the rest of the
code asks load_settings(), so a setting is named, defaulted and checked in one place. A value that cannot be
used is a SettingsError naming the variable, raised when the settings are loaded."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from fagui.errors import SettingsError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The shared corpus sits beside the project checkout; the bundled sample ships inside the package.
SHARED_CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "lawrefbook.jsonl.gz"
BUNDLED_SAMPLE = Path(__file__).resolve().parent / "data" / "lawrefbook-sample.jsonl.gz"
# The 国家法律法规数据库 snapshot beside the checkout, and the slice of it matching the bundled sample.
SHARED_FLK_SNAPSHOT = PROJECT_ROOT.parent / "shared" / "corpus" / "flk-snapshot.jsonl.gz"
BUNDLED_FLK_SAMPLE = Path(__file__).resolve().parent / "data" / "flk-snapshot-sample.jsonl.gz"
DEFAULT_PLATFORM_NAME = "法规统一公开查询平台"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    es_url: str | None
    corpus_path: Path | None
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    api_rate_limit: int = 120  # API requests per client per minute
    search_cache_seconds: int = 30  # how long a web worker reuses a search's result; 0: never
    secret_key_env: str | None = None
    files_path: Path | None = None  # the uploads folder `fagui crawl files` reads
    sites_dir: Path | None = None  # the operator's site configs (<site>.toml), beside the package's own
    crawl_sources: tuple[str, ...] = ()  # what `fagui worker` crawls
    crawl_hours: float = 24.0
    sync_seconds: float = 30.0
    public_url: str = "http://127.0.0.1:8000"  # absolute links in exported batch-check results
    public_url_set: bool = False  # FAGUI_PUBLIC_URL was given: else the site links to the address it is served on
    checklist_max_rows: int = 20000
    checklist_max_bytes: int = 20 * 1024 * 1024
    checklist_max_columns: int = 100  # columns of one row of a batch-check list
    checklist_max_cell_chars: int = 2000  # characters of one cell
    checklist_max_unpacked_bytes: int = 50 * 1024 * 1024  # what an uploaded XLSX may unpack to
    max_validity_years: float = 5.0  # longest validity period of a normative document (有效期)
    read_seconds: float = 10.0  # how long a client may take to send a request (and each read of a large body)
    queue_limit: int = 16  # requests per web worker that may wait for a thread; beyond: 503 at once
    trusted_proxies: int = 0  # reverse proxies in front of gunicorn whose X-Forwarded-For/-Proto are believed
    session_idle_minutes: float = 30.0  # a clearance login unused this long is ended on the server
    login_max_failures: int = 5  # failed logins per account name within login_lock_minutes before a pause
    login_max_failures_per_address: int = 20  # the same per client address (an office shares one address)
    login_lock_minutes: float = 15.0
    metrics_allow: tuple[str, ...] = ("127.0.0.1/32", "::1/128")  # networks that may read /metrics
    metrics_token: str | None = None  # or any client sending `Authorization: Bearer <token>`
    es_alias: str = "fagui-docs"  # the Elasticsearch alias searched; its versioned indices are <alias>-<time>
    index_heap_mb: int = 1000  # memory `fagui index rebuild` gives Tantivy's writer: fewer, larger segments
    region_code: str | None = None  # the deploying region (GB/T 2260); None: the nationwide site
    platform_name: str = DEFAULT_PLATFORM_NAME  # carried by titles, the home page, feeds and exports

    @property
    def secret_key(self) -> str:
        """FAGUI_SECRET_KEY, else a random key kept in the data directory so sessions survive restarts."""
        if self.secret_key_env:
            return self.secret_key_env
        import secrets

        path = self.data_dir / "secret_key"
        try:
            return path.read_text().strip()
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            key = secrets.token_hex(32)
            path.write_text(key)
            path.chmod(0o600)
            return key

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    data_dir = Path(env.get("FAGUI_DATA_DIR") or "instance").resolve()
    database_url = env.get("FAGUI_DATABASE_URL") or f"sqlite:///{data_dir / 'fagui.db'}"
    corpus = env.get("FAGUI_CORPUS_PATH")
    region_code, platform_name = _deployment(env)
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        es_url=env.get("FAGUI_ES_URL") or None,
        corpus_path=Path(corpus) if corpus else None,
        host=env.get("FAGUI_HOST") or "127.0.0.1",
        port=_int(env, "FAGUI_PORT", 8000),
        workers=_int(env, "FAGUI_WORKERS", 2),
        api_rate_limit=_int(env, "FAGUI_API_RATE_LIMIT", 120),
        search_cache_seconds=_int(env, "FAGUI_SEARCH_CACHE_SECONDS", 30),
        secret_key_env=env.get("FAGUI_SECRET_KEY") or None,
        files_path=Path(env["FAGUI_FILES_PATH"]) if env.get("FAGUI_FILES_PATH") else None,
        sites_dir=Path(env["FAGUI_SITES_DIR"]) if env.get("FAGUI_SITES_DIR") else None,
        crawl_sources=tuple(s.strip() for s in env.get("FAGUI_CRAWL_SOURCES", "").split(",") if s.strip()),
        crawl_hours=_number(env, "FAGUI_CRAWL_HOURS", 24.0),
        sync_seconds=_number(env, "FAGUI_SYNC_SECONDS", 30.0),
        public_url=(env.get("FAGUI_PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/"),
        public_url_set=bool((env.get("FAGUI_PUBLIC_URL") or "").strip()),
        checklist_max_rows=_int(env, "FAGUI_CHECKLIST_MAX_ROWS", 20000, positive=True),
        checklist_max_bytes=_int(env, "FAGUI_CHECKLIST_MAX_BYTES", 20 * 1024 * 1024, positive=True),
        checklist_max_columns=_int(env, "FAGUI_CHECKLIST_MAX_COLUMNS", 100, positive=True),
        checklist_max_cell_chars=_int(env, "FAGUI_CHECKLIST_MAX_CELL_CHARS", 2000, positive=True),
        checklist_max_unpacked_bytes=_int(env, "FAGUI_CHECKLIST_MAX_UNPACKED_BYTES", 50 * 1024 * 1024,
                                          positive=True),
        max_validity_years=_number(env, "FAGUI_MAX_VALIDITY_YEARS", 5.0),
        read_seconds=_number(env, "FAGUI_READ_SECONDS", 10.0),
        queue_limit=_int(env, "FAGUI_QUEUE_LIMIT", 16),
        trusted_proxies=_int(env, "FAGUI_TRUSTED_PROXIES", 0),
        session_idle_minutes=_number(env, "FAGUI_SESSION_IDLE_MINUTES", 30.0),
        login_max_failures=_int(env, "FAGUI_LOGIN_MAX_FAILURES", 5, positive=True),
        login_max_failures_per_address=_int(env, "FAGUI_LOGIN_MAX_FAILURES_PER_ADDRESS", 20, positive=True),
        login_lock_minutes=_number(env, "FAGUI_LOGIN_LOCK_MINUTES", 15.0),
        metrics_allow=_networks(env, "FAGUI_METRICS_ALLOW", "127.0.0.1,::1"),
        metrics_token=env.get("FAGUI_METRICS_TOKEN") or None,
        es_alias=_es_alias(env),
        index_heap_mb=_int(env, "FAGUI_INDEX_HEAP_MB", 1000, positive=True),
        region_code=region_code,
        platform_name=platform_name,
    )


_ES_ALIAS = re.compile(r"[a-z0-9][a-z0-9._-]{0,199}")


def _es_alias(env: dict[str, str]) -> str:
    """FAGUI_ES_ALIAS: a name Elasticsearch accepts for an alias and for indices named after it."""
    raw = env.get("FAGUI_ES_ALIAS") or "fagui-docs"
    if not _ES_ALIAS.fullmatch(raw):
        raise SettingsError(f"环境变量 FAGUI_ES_ALIAS 应由小写字母、数字、“.”、“_”、“-”组成，以字母或数字开头，"
                            f"最长 200 个字符，实际为：{raw!r}")
    return raw


def _deployment(env: dict[str, str]) -> tuple[str | None, str]:
    """FAGUI_REGION (a GB/T 2260 code or the division's exact name) and FAGUI_PLATFORM_NAME; a region without a
    name of its own gives the platform its region's name (河南省法规统一公开查询平台)."""
    from fagui.regions import get, regions

    raw = (env.get("FAGUI_REGION") or "").strip()
    name = (env.get("FAGUI_PLATFORM_NAME") or "").strip()
    if len(name) > 60:
        raise SettingsError("环境变量 FAGUI_PLATFORM_NAME 不应超过 60 个字")
    if not raw:
        return None, name or DEFAULT_PLATFORM_NAME
    region = get(raw) or next((r for r in regions().values() if r.name == raw), None)
    if region is None:
        raise SettingsError(f"环境变量 FAGUI_REGION 应为 GB/T 2260 行政区划代码（如 410000 河南省、410100 郑州市），"
                            f"未找到：{raw!r}")
    return region.code, name or f"{region.name}{DEFAULT_PLATFORM_NAME}"


def _int(env: dict[str, str], name: str, default: int, positive: bool = False) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"环境变量 {name} 应为整数，实际为：{raw!r}") from None
    if positive and value <= 0:
        raise SettingsError(f"环境变量 {name} 应大于 0")
    return value


def _networks(env: dict[str, str], name: str, default: str) -> tuple[str, ...]:
    """Comma-separated addresses or networks (10.0.0.0/8), each checked; empty: nobody."""
    import ipaddress

    raw = env.get(name)
    items = [part.strip() for part in (default if raw is None else raw).split(",") if part.strip()]
    try:
        return tuple(str(ipaddress.ip_network(item, strict=False)) for item in items)
    except ValueError as exc:
        raise SettingsError(f"环境变量 {name} 应为逗号分隔的地址或网段（如 127.0.0.1,10.0.0.0/8）：{exc}") from None


def _number(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"环境变量 {name} 应为数字，实际为：{raw!r}") from None
    if not value > 0:
        raise SettingsError(f"环境变量 {name} 应大于 0")
    return value


def default_corpus_path(settings: Settings) -> Path:
    """The corpus to import when none is named: FAGUI_CORPUS_PATH, the shared corpus, else the bundled sample."""
    if settings.corpus_path is not None:
        return settings.corpus_path
    if SHARED_CORPUS.exists():
        return SHARED_CORPUS
    return BUNDLED_SAMPLE


def default_flk_snapshot_path() -> Path:
    """The flk snapshot to import when none is named: the shared one beside the checkout, else the bundled slice
    (the versions of the bundled sample's national works)."""
    return SHARED_FLK_SNAPSHOT if SHARED_FLK_SNAPSHOT.exists() else BUNDLED_FLK_SAMPLE
