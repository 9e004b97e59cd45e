"""The polite fetcher: every request a source makes goes through one `Fetcher`.

It obeys robots.txt (cached per host), sends one request at a time per host with a delay between them,
retries timeouts, connection resets and 5xx answers with exponential backoff (never 4xx), asks conditionally
(If-None-Match / If-Modified-Since) so an unchanged page costs no body, streams bodies and stops at a size
limit (counted after decompression, which is done here layer by layer: crawlers.decoding), follows redirects
itself (loops, other origins and https -> http refused), and contacts only the origins its source declares.
Pages come back as `FetchResult` (a crawlers.sources.base.Page); anything else raises `FetchError` with a
Chinese reason and a machine code, so a run summary can count failures by kind."""

from __future__ import annotations

import codecs
import json as jsonlib
import logging
import re
import ssl
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from crawlers.decoding import ACCEPTED, DecodingError, TooLarge, decoded, encodings_of
from fagui.errors import FaguiError
from fagui.normalise.text import decode_bytes, repair_mojibake

CONTACT = "https://github.com/fagui/fagui"


def _version() -> str:
    try:
        return metadata.version("fagui")
    except metadata.PackageNotFoundError:
        return "0"


log = logging.getLogger(__name__)

USER_AGENT = f"fagui/{_version()} (+{CONTACT})"
ROBOTS_AGENT = "fagui"  # the token robots.txt groups are matched against

# (etag, last_modified) kept for a URL from its last stored fetch; None when the URL was never stored.
Validators = Callable[[str], "tuple[str | None, str | None] | None"]
# Called with every final response (not redirects, not 304s) so it can be archived.
ResponseHook = Callable[["FetchResult", "RequestInfo"], None]

_REDIRECTS = (301, 302, 303, 307, 308)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


class FetchError(FaguiError):
    """A page that could not be had: `code` for counting (timeout, http_500, too_large, redirect_loop,
    robots, host_not_allowed, not_found ...), `reason` in Chinese for people."""

    def __init__(self, url: str, code: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {reason} [{code}]")
        self.url = url
        self.code = code
        self.reason = reason
        self.http_status = status  # the page's answer; FaguiError.status is what the site would answer


def status_error(url: str, status: int) -> FetchError:
    """The FetchError for a final HTTP error status (shared by the live fetcher and the archive replay)."""
    if status == 404:
        return FetchError(url, "not_found", "页面不存在（HTTP 404）", status)
    if status == 410:
        return FetchError(url, "gone", "页面已被删除（HTTP 410）", status)
    if status in (401, 403):
        return FetchError(url, f"http_{status}", f"网站拒绝访问（HTTP {status}），可能需要登录或已被封禁", status)
    if status == 429:
        return FetchError(url, "http_429", "网站限制访问频率（HTTP 429）", status)
    if status >= 500:
        return FetchError(url, f"http_{status}", f"网站服务器错误（HTTP {status}），重试后仍失败", status)
    return FetchError(url, f"http_{status}", f"网站返回错误（HTTP {status}）", status)


@dataclass(frozen=True)
class RequestInfo:
    """What was sent, as the archive records it."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes = b""


@dataclass
class FetchResult:
    """A fetched page; satisfies crawlers.sources.base.Page."""

    url: str  # final URL after redirects
    status: int
    content: bytes
    not_modified: bool = False
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    requested_url: str = ""
    method: str = "GET"
    from_archive: bool = False

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def header_charset(self) -> str | None:
        m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", self.headers.get("content-type", ""), re.I)
        return m.group(1) if m else None

    @cached_property
    def text(self) -> str:
        """The body as text: the HTTP header's charset where the bytes fit it, else the page's meta tag, else
        detection (decode_bytes: every GB2312/GBK label read as GB18030, UTF-8 that is valid wins, a GBK
        page that declares UTF-8 is detected as GBK); then mojibake from upstream mirrors is repaired.
        Raises fagui.normalise.NormaliseError when the body is not text at all."""
        declared = _fitting_charset(self.content, self.header_charset, _meta_charset(self.content))
        return repair_mojibake(decode_bytes(self.content, declared))

    def json(self) -> Any:
        try:
            return jsonlib.loads(self.text)
        except ValueError as exc:
            raise FetchError(self.url, "bad_json", f"返回内容不是有效的 JSON：{exc}", self.status) from exc


def _meta_charset(data: bytes) -> str | None:
    head = data[:4096]
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return m.group(1).decode("ascii", "replace") if m else None


def _fitting_charset(data: bytes, *labels: str | None) -> str | None:
    """The first declared label the bytes actually decode with. The header outranks the meta tag (as in
    browsers), but a server that labels everything UTF-8 is common on sites that serve GBK files."""
    from fagui.normalise.text import codec_name  # one place maps GB labels to GB18030

    first = next((label for label in labels if label), None)
    for label in labels:
        codec = codec_name(label)
        if not codec:
            continue
        try:
            codecs.decode(data, codec)
        except (UnicodeDecodeError, LookupError):
            continue
        return label
    return first


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL with a host and no user name; None for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port that is not a number, or out of range
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or "@" in parts.netloc:
        return None
    return scheme, parts.hostname.lower(), port if port is not None else _DEFAULT_PORTS[scheme]


def _downgraded(before: str, after: str) -> bool:
    return urlsplit(before).scheme.lower() == "https" and urlsplit(after).scheme.lower() != "https"


@dataclass(frozen=True)
class _Allowed:
    """One declared origin: scheme None admits http and https; port None admits the scheme's default port;
    a host starting with "." admits that domain and its subdomains."""

    scheme: str | None
    host: str
    port: int | None

    @classmethod
    def parse(cls, declared: str) -> _Allowed:
        scheme, sep, rest = declared.partition("://")
        if not sep:
            scheme, rest = "", declared
        netloc = rest.split("/", 1)[0].rsplit("@", 1)[-1]
        host, colon, port = netloc.rpartition(":") if not netloc.endswith("]") else (netloc, "", "")
        if not colon:
            host, port = netloc, ""
        if not port.isdigit():
            port = ""
        return cls(scheme or None, host.strip("[]"), int(port) if port else None)

    def admits(self, scheme: str, host: str, port: int) -> bool:
        if self.scheme is not None and scheme != self.scheme:
            return False
        if port != (self.port if self.port is not None else _DEFAULT_PORTS[scheme]):
            return False
        if self.host.startswith("."):
            return host == self.host[1:] or host.endswith(self.host)
        return host == self.host


@dataclass
class _Host:
    lock: threading.Lock = field(default_factory=threading.Lock)
    last_request: float = float("-inf")
    robots: urllib.robotparser.RobotFileParser | None = None
    robots_error: str | None = None
    delay: float = 0.0


class _Transient(Exception):
    """A failure worth retrying (timeout, reset, 5xx); carries the FetchError to raise when retries end."""

    def __init__(self, error: FetchError) -> None:
        super().__init__(error.reason)
        self.error = error


class Fetcher:
    """The polite fetcher for one source. Call it like crawlers.sources.base.Fetch.

    hosts: the only origins contacted: "https://example.gov.cn" (that scheme, host and port only),
    "http://127.0.0.1:8080", a bare host "example.gov.cn" (http or https on their default ports only),
    "127.0.0.1:8080" (that port), and ".example.gov.cn" in any of these for it and its subdomains.
    Redirects are held to the same origins and never go from https down to http. delay: seconds between two
    requests to one host (raised to robots.txt Crawl-delay, up to max_crawl_delay). timeout: seconds per
    connect/read; max_time: seconds for one attempt including the body; retries: extra attempts after a
    transient failure, waiting backoff * 2**n between them. verify: the TLS check (an SSLContext trusting a
    private CA, e.g. inside an intranet)."""

    def __init__(
        self,
        hosts: tuple[str, ...] | list[str],
        *,
        delay: float = 1.0,
        timeout: float = 20.0,
        max_time: float = 120.0,
        max_bytes: int = 50 * 1024 * 1024,
        max_redirects: int = 10,
        retries: int = 3,
        backoff: float = 1.0,
        max_crawl_delay: float = 30.0,
        user_agent: str = USER_AGENT,
        validators: Validators | None = None,
        on_response: ResponseHook | None = None,
        sleep: Callable[[float], None] = time.sleep,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self.hosts = tuple(h.lower() for h in hosts)
        self._allowed = tuple(_Allowed.parse(h) for h in self.hosts)
        self.delay = delay
        self.timeout = timeout
        self.max_time = max_time
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.retries = retries
        self.backoff = backoff
        self.max_crawl_delay = max_crawl_delay
        self.user_agent = user_agent
        self.validators = validators
        self.on_response = on_response
        self.sleep = sleep
        self.requests_sent = 0  # every HTTP request, robots.txt included (for tests and summaries)
        self.bodies_received = 0  # final responses that carried a body
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout), follow_redirects=False,
            headers={"User-Agent": user_agent, "Accept-Encoding": ACCEPTED},
            trust_env=False, verify=verify,
        )

    # -- public -------------------------------------------------------------------------------------------

    def __call__(
        self,
        url: str,
        method: str = "GET",
        data: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        conditional: bool = False,
    ) -> FetchResult:
        method = method.upper()
        extra = dict(headers or {})
        if conditional and method == "GET" and self.validators is not None:
            known = self.validators(url)
            if known:
                etag, modified = known
                if etag:
                    extra["If-None-Match"] = etag
                if modified:
                    extra["If-Modified-Since"] = modified
        seen: list[str] = []
        current = url
        while True:
            self._check_allowed(current)
            if current in seen:
                raise FetchError(url, "redirect_loop", f"重定向形成循环：{' -> '.join([*seen, current])}")
            if len(seen) > self.max_redirects:
                raise FetchError(url, "too_many_redirects", f"重定向次数超过 {self.max_redirects} 次")
            seen.append(current)
            result, location, request = self._with_retries(current, method, data, json, extra)
            if location is None:
                result.requested_url = url
                if result.status == 304:
                    result.not_modified = True
                    result.content = b""
                    log.info("%s %s: 304 not modified", method, current)
                    return result
                log.info("%s %s: %d, %d bytes", method, current, result.status, len(result.content))
                self.bodies_received += 1
                if self.on_response is not None:
                    self.on_response(result, request)
                if result.status >= 400:
                    raise status_error(result.url, result.status)
                return result
            log.info("%s %s: %d, redirected to %s", method, current, result.status, location)
            target = urljoin(current, location)
            if _downgraded(current, target):
                raise FetchError(url, "insecure_redirect", f"重定向从 https 降级到 http（{target}），不予访问")
            current = target
            if result.status == 303 or (result.status in (301, 302) and method == "POST"):
                method, data, json = "GET", None, None

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- hosts and robots ---------------------------------------------------------------------------------

    def host_allowed(self, url: str) -> bool:
        """Whether url is on a declared origin: its scheme is http(s), it carries no user name, and its host
        and port are those declared (a declaration without a port admits only the scheme's default port)."""
        target = _origin(url)
        return target is not None and any(allowed.admits(*target) for allowed in self._allowed)

    def _check_allowed(self, url: str) -> None:
        parts = urlsplit(url)
        if _origin(url) is None:
            raise FetchError(url, "bad_url", "不是可抓取的网址（只支持 http/https）")
        if not self.host_allowed(url):
            raise FetchError(
                url, "host_not_allowed",
                f"主机 {parts.netloc} 不在本来源声明的主机之内（{', '.join(self.hosts) or '无'}），不予访问")
        state = self._host(url)
        if state.robots is None and state.robots_error is None:
            self._load_robots(url, state)
        if state.robots_error is not None:
            log.warning("refused %s: %s", url, state.robots_error)
            raise FetchError(url, "robots", state.robots_error)
        if state.robots is None or not state.robots.can_fetch(ROBOTS_AGENT, url):
            log.warning("refused %s: robots.txt disallows it", url)
            raise FetchError(url, "robots", "robots.txt 禁止抓取该页面")

    def _host(self, url: str) -> _Host:
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc.lower()}"
        with self._hosts_lock:
            state = self._hosts.get(key)
            if state is None:
                state = self._hosts[key] = _Host(delay=self.delay)
            return state

    def _load_robots(self, url: str, state: _Host) -> None:
        """Read the host's robots.txt once. A missing file (404 and other 4xx) allows everything; 401/403
        forbid everything; an unreachable one (5xx, network errors after retries) forbids everything for
        now, as RFC 9309 asks, with a reason saying so."""
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        parser = urllib.robotparser.RobotFileParser(robots_url)
        try:
            result, location, _ = self._with_retries(robots_url, "GET", None, None, {})
            hops = 0
            while location is not None and hops < 5:
                target = urljoin(robots_url, location)
                if not self.host_allowed(target) or _downgraded(robots_url, target):
                    break
                result, location, _ = self._with_retries(target, "GET", None, None, {})
                hops += 1
        except FetchError as exc:
            state.robots_error = f"robots.txt 无法获取（{exc.reason}），暂不抓取该网站"
            log.warning("%s: %s", robots_url, state.robots_error)
            return
        if location is not None or result.status in (401, 403):
            parser.parse(["User-agent: *", "Disallow: /"])  # forbidden to read the rules: forbidden to crawl
        elif result.status >= 400:
            parser.parse([])  # no rules: everything allowed
        else:
            try:
                lines = result.content.decode("utf-8", "replace").splitlines()
            except Exception:  # pragma: no cover - decode with "replace" does not raise
                lines = []
            parser.parse(lines)
            crawl_delay = parser.crawl_delay(ROBOTS_AGENT)
            if crawl_delay:
                state.delay = max(state.delay, min(float(crawl_delay), self.max_crawl_delay))
        state.robots = parser

    # -- requests -----------------------------------------------------------------------------------------

    def _with_retries(self, url, method, data, json, headers) -> tuple[FetchResult, str | None, RequestInfo]:
        attempt = 0
        while True:
            try:
                return self._once(url, method, data, json, headers)
            except _Transient as exc:
                if attempt >= self.retries:
                    log.warning("%s %s failed after %d retries: [%s] %s", method, url, attempt, exc.error.code,
                                exc.error.reason)
                    raise exc.error from None
                wait = self.backoff * (2**attempt)
                log.info("%s %s: [%s] %s; retry %d of %d in %.1f s", method, url, exc.error.code,
                         exc.error.reason, attempt + 1, self.retries, wait)
                self.sleep(wait)
                attempt += 1

    def _once(self, url, method, data, json, headers) -> tuple[FetchResult, str | None, RequestInfo]:
        """One request, holding the host's lock so requests to a host never overlap and keep their delay."""
        state = self._host(url)
        with state.lock:
            wait = state.last_request + state.delay - time.monotonic()
            if wait > 0:
                log.debug("waiting %.1f s before the next request to %s", wait, urlsplit(url).netloc)
                self.sleep(wait)
            try:
                return self._send(url, method, data, json, headers)
            finally:
                state.last_request = time.monotonic()

    def _send(self, url, method, data, json, headers) -> tuple[FetchResult, str | None, RequestInfo]:
        deadline = time.monotonic() + self.max_time
        self.requests_sent += 1
        try:
            request = self._client.build_request(method, url, data=data, json=json, headers=headers)
            info = RequestInfo(method, url, dict(request.headers), request.read())
            response = self._client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise _Transient(FetchError(url, "timeout", f"连接或读取超时（{self.timeout} 秒），重试后仍失败")) from exc
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise _Transient(FetchError(url, "connection", f"网络连接失败或被重置：{type(exc).__name__}")) from exc
        try:
            status = response.status_code
            lowered = {k.lower(): v for k, v in response.headers.items()}
            if status in _REDIRECTS and "location" in lowered:
                return FetchResult(url, status, b"", headers=lowered, method=method), lowered["location"], info
            if status >= 500:
                raise _Transient(status_error(url, status))
            if status == 304:
                return FetchResult(url, 304, b"", headers=lowered, method=method), None, info
            declared = lowered.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise FetchError(url, "too_large",
                                 f"文件过大：{int(declared)} 字节，超过上限 {self.max_bytes} 字节")
            chunks: list[bytes] = []
            size = 0
            encodings = encodings_of(lowered.get("content-encoding"))
            for chunk in decoded(response.iter_raw(), encodings, self.max_bytes):
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(url, "too_large", f"文件过大：超过上限 {self.max_bytes} 字节，已停止下载")
                if time.monotonic() > deadline:
                    raise _Transient(FetchError(url, "timeout",
                                                f"下载超过时间上限（{self.max_time} 秒），重试后仍失败"))
                chunks.append(chunk)
            body = b"".join(chunks)
        except TooLarge as exc:
            raise FetchError(url, "too_large", f"文件过大：{exc}，已停止下载") from exc
        except DecodingError as exc:
            raise FetchError(url, "bad_encoding", str(exc)) from exc
        except httpx.TimeoutException as exc:
            raise _Transient(FetchError(url, "timeout", f"读取超时（{self.timeout} 秒），重试后仍失败")) from exc
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            # The server closed the connection before the declared length: a truncated page.
            raise _Transient(FetchError(url, "truncated", f"页面传输中断，内容不完整：{type(exc).__name__}")) from exc
        finally:
            response.close()
        lowered.pop("content-encoding", None)  # the body is kept decoded
        lowered.pop("transfer-encoding", None)
        return FetchResult(str(response.url), status, body, headers=lowered, method=method), None, info
