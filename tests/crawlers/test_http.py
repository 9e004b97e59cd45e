"""The polite fetcher against a real HTTP server on 127.0.0.1 with the faults real sites have."""

from __future__ import annotations

import gzip
import shutil
import ssl
import struct
import subprocess
import threading
import tracemalloc
import zlib

import pytest

from crawlers.http import USER_AGENT, Fetcher, FetchError
from tests.crawlers.fixture_site import FixtureSite, Route
from tests.fagui.normalise.test_text import misread_out_of_step

PAGE = "<html><head><meta charset='utf-8'><title>t</title></head><body><h1>中华人民共和国民法典</h1></body></html>"
ROBOTS = "User-agent: *\nDisallow: /private/\n"


@pytest.fixture
def site():
    s = FixtureSite()
    s.page("/robots.txt", ROBOTS, content_type="text/plain")
    s.page("/ok.html", PAGE)
    s.start()
    yield s
    s.stop()


class Sleeps:
    """Records every wait the fetcher asks for (and really waits, briefly)."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        threading.Event().wait(min(seconds, 0.05))


def make(site: FixtureSite, **opts) -> Fetcher:
    defaults = dict(delay=0, timeout=0.5, max_time=2.0, retries=2, backoff=0.01)
    return Fetcher((site.host,), **{**defaults, **opts})


def error_of(fetcher: Fetcher, url: str, **kw) -> FetchError:
    with pytest.raises(FetchError) as info:
        fetcher(url, **kw)
    return info.value


def test_a_page_comes_with_the_user_agent_and_robots_is_read_once_per_host(site):
    site.page("/two.html", PAGE)
    with make(site) as fetch:
        first = fetch(site.url("/ok.html"))
        fetch(site.url("/two.html"))
    assert first.status == 200 and "民法典" in first.text and not first.not_modified
    assert first.url == site.url("/ok.html")
    assert len(site.hits("/robots.txt")) == 1
    assert all(h.headers["user-agent"] == USER_AGENT for h in site.hits())
    assert USER_AGENT.startswith("fagui/") and "(+" in USER_AGENT


def test_robots_disallow_is_a_failure_and_the_page_is_never_requested(site):
    site.page("/private/doc.html", PAGE)
    with make(site) as fetch:
        err = error_of(fetch, site.url("/private/doc.html"))
    assert err.code == "robots" and "robots.txt" in err.reason
    assert site.hits("/private/doc.html") == []


def test_unreachable_robots_forbids_the_host_for_now():
    s = FixtureSite()
    s.add("/robots.txt", Route(kind="status", status=503))
    s.page("/ok.html", PAGE)
    with s, make(s, retries=1) as fetch:
        err = error_of(fetch, s.url("/ok.html"))
        assert err.code == "robots" and "无法获取" in err.reason
        assert s.hits("/ok.html") == []


def test_missing_robots_allows_everything():
    s = FixtureSite()
    s.page("/ok.html", PAGE)
    with s, make(s) as fetch:
        assert fetch(s.url("/ok.html")).status == 200


def test_only_declared_hosts_are_contacted(site):
    other = FixtureSite()
    other.page("/ok.html", PAGE)
    with other, make(site) as fetch:
        err = error_of(fetch, other.url("/ok.html"))
        assert err.code == "host_not_allowed" and other.host in err.reason
        assert other.hits() == []
        site.add("/away", Route(kind="redirect", location=other.url("/ok.html")))
        err = error_of(fetch, site.url("/away"))
        assert err.code == "host_not_allowed"
        assert other.hits() == []
    assert error_of(make(site), "ftp://127.0.0.1/x").code == "bad_url"


def test_5xx_is_retried_with_exponential_backoff_then_succeeds(site):
    site.page("/flaky.html", PAGE, fail_first=2)
    sleeps = Sleeps()
    with make(site, backoff=0.01, sleep=sleeps) as fetch:
        page = fetch(site.url("/flaky.html"))
    assert page.status == 200
    assert [h.status for h in site.hits("/flaky.html")] == [500, 500, 200]
    assert sleeps.calls == [0.01, 0.02]


def test_always_500_fails_after_the_retries_with_its_code(site):
    site.add("/broken.html", Route(kind="status", status=500))
    with make(site, retries=2) as fetch:
        err = error_of(fetch, site.url("/broken.html"))
    assert err.code == "http_500" and err.http_status == 500 and "服务器错误" in err.reason
    assert len(site.hits("/broken.html")) == 3


def test_4xx_is_not_retried(site):
    with make(site) as fetch:
        err = error_of(fetch, site.url("/missing.html"))
        assert err.code == "not_found" and "404" in err.reason
        site.add("/forbidden", Route(kind="status", status=403))
        assert error_of(fetch, site.url("/forbidden")).code == "http_403"
    assert len(site.hits("/missing.html")) == 1 and len(site.hits("/forbidden")) == 1


def test_a_hanging_server_times_out_after_retries(site):
    site.add("/hang.html", Route(kind="hang", seconds=5, body=b"late"))
    with make(site, timeout=0.2, retries=1) as fetch:
        err = error_of(fetch, site.url("/hang.html"))
    assert err.code == "timeout" and "超时" in err.reason
    assert len(site.hits("/hang.html")) == 2


def test_a_slow_page_within_the_limit_arrives_and_one_over_it_is_abandoned(site):
    body = (PAGE * 20).encode("utf-8")
    site.add("/slow-ok.html", Route(kind="slow", body=body, seconds=0.01))
    site.add("/slow-bad.html", Route(kind="slow", body=body, seconds=0.15))
    with make(site, max_time=0.5, retries=0) as fetch:
        assert fetch(site.url("/slow-ok.html")).content == body
        err = error_of(fetch, site.url("/slow-bad.html"))
    assert err.code == "timeout" and "时间上限" in err.reason
    assert site.hits("/slow-bad.html")[0].sent < len(body)


def test_a_truncated_body_is_a_failure_not_half_a_page(site):
    site.add("/cut.html", Route(kind="truncated", body=(PAGE * 50).encode("utf-8")))
    with make(site, retries=1) as fetch:
        err = error_of(fetch, site.url("/cut.html"))
    assert err.code == "truncated" and "不完整" in err.reason
    assert len(site.hits("/cut.html")) == 2


@pytest.mark.parametrize("declared", [True, False])
def test_an_oversized_file_is_refused_and_its_download_stopped(site, declared):
    size = 4 * 1024 * 1024
    site.add("/big.pdf", Route(kind="oversized", size=size, declare_length=declared))
    with make(site, max_bytes=256 * 1024) as fetch:
        err = error_of(fetch, site.url("/big.pdf"))
    assert err.code == "too_large" and "过大" in err.reason
    assert len(site.hits("/big.pdf")) == 1  # not retried


def test_redirects_are_followed_and_loops_detected(site):
    site.add("/old.html", Route(kind="redirect", location="/ok.html", status=301))
    site.add("/loop/a", Route(kind="redirect", location="/loop/b"))
    site.add("/loop/b", Route(kind="redirect", location="/loop/a"))
    for i in range(5):
        site.add(f"/chain/{i}", Route(kind="redirect", location=f"/chain/{i + 1}"))
    site.page("/chain/5", PAGE)
    with make(site, max_redirects=3) as fetch:
        page = fetch(site.url("/old.html"))
        assert page.url == site.url("/ok.html") and page.requested_url == site.url("/old.html")
        err = error_of(fetch, site.url("/loop/a"))
        assert err.code == "redirect_loop" and "循环" in err.reason
        assert error_of(fetch, site.url("/chain/0")).code == "too_many_redirects"
    assert len(site.hits("/loop/a")) == 1 and len(site.hits("/loop/b")) == 1


def test_conditional_requests_get_304_and_no_body(site):
    site.page("/lm-only.html", PAGE, etag=False)
    with make(site) as fetch:
        first = fetch(site.url("/ok.html"))
        lm_first = fetch(site.url("/lm-only.html"))
    assert first.etag and first.last_modified and lm_first.etag is None
    known = {site.url("/ok.html"): (first.etag, first.last_modified),
             site.url("/lm-only.html"): (None, lm_first.last_modified)}
    with make(site, validators=known.get) as fetch:
        again = fetch(site.url("/ok.html"), conditional=True)
        lm_again = fetch(site.url("/lm-only.html"), conditional=True)
        unconditional = fetch(site.url("/ok.html"))
        site.set_body("/ok.html", PAGE.replace("民法典", "刑法"))
        changed = fetch(site.url("/ok.html"), conditional=True)
    assert again.not_modified and again.status == 304 and again.content == b""
    assert lm_again.not_modified
    assert not unconditional.not_modified and unconditional.content
    assert not changed.not_modified and "刑法" in changed.text and changed.etag != first.etag
    assert [h.status for h in site.hits("/ok.html")] == [200, 304, 200, 200]


def test_delay_between_requests_to_one_host(site):
    sleeps = Sleeps()
    with make(site, delay=0.2, sleep=sleeps) as fetch:
        fetch(site.url("/ok.html"))
        fetch(site.url("/ok.html"))
    # robots.txt, then two pages: each later request waits for the rest of the delay
    assert len(sleeps.calls) == 2 and all(0.1 < s <= 0.2 for s in sleeps.calls)


def test_requests_to_one_host_never_overlap(site):
    # Two threads ask for slow pages (ten pieces, 0.02 s apart) at the same moment. The proof is on the
    # server's clock: the later request must arrive after the earlier one's last piece was about to be
    # written, before which its client cannot have finished. (Comparing with `ended`, taken after that
    # write, failed on busy machines: the client finished, released the host and sent the next request
    # before the server's handler thread was scheduled again to note the time.)
    site.add("/slow1", Route(kind="slow", body=b"x" * 1000, seconds=0.02))
    site.add("/slow2", Route(kind="slow", body=b"y" * 1000, seconds=0.02))
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def fetch_slow(path: str) -> None:
        try:
            start.wait(timeout=10)
            assert fetch(site.url(path)).content[:1] in (b"x", b"y")
        except BaseException as exc:  # a thread's failure must fail the test, not vanish in the thread
            failures.append(exc)

    with make(site, timeout=10, max_time=30, retries=0) as fetch:
        fetch(site.url("/ok.html"))  # robots read first
        threads = [threading.Thread(target=fetch_slow, args=(p,)) for p in ("/slow1", "/slow2")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert not failures and not any(t.is_alive() for t in threads)
    a, b = sorted(site.hits("/slow1") + site.hits("/slow2"), key=lambda h: h.started)
    assert a.status == b.status == 200 and a.last_piece and b.last_piece
    assert a.last_piece <= b.started


def test_gbk_page_that_declares_utf8_comes_out_right(site):
    html = "<html><head><meta charset='utf-8'></head><body>第一条 为了保护民事主体的合法权益，镕基制定本法。</body></html>"
    site.page("/gbk.html", html.encode("gbk"), content_type="text/html; charset=utf-8")
    site.page("/gb2312.html", html.replace("utf-8", "gb2312").encode("gb18030"),
              content_type="text/html")
    with make(site) as fetch:
        assert "为了保护民事主体的合法权益，镕基制定本法" in fetch(site.url("/gbk.html")).text
        # 镕 is not in GB2312: a GB2312 label is read as GB18030
        assert "镕基" in fetch(site.url("/gb2312.html")).text


def test_header_charset_outranks_meta_and_upstream_mojibake_is_repaired(site):
    line = "第二条 本条例适用于本市行政区域内大气污染防治及其监督管理活动。"
    site.page("/hdr.html", f"<meta charset='utf-8'><p>{line}</p>".encode("gb18030"),
              content_type="text/html; charset=GBK")
    garbled = misread_out_of_step(line)  # a mirror read the GBK original one byte out of step
    assert garbled != line
    clean = "<p>第一条 为了保护民事主体的合法权益，调整民事关系，维护社会和经济秩序，制定本法。</p>" * 10
    site.page("/mirror.html", f"<html><body>{clean}<p>\n{garbled}\n</p></body></html>")
    with make(site) as fetch:
        assert line in fetch(site.url("/hdr.html")).text
        assert line in fetch(site.url("/mirror.html")).text


def test_json_and_post(site):
    site.page("/api", '{"code": 200, "rows": [{"title": "民法典"}]}', content_type="application/json")
    site.page("/bad-json", "<html>验证码</html>", content_type="application/json")
    with make(site) as fetch:
        data = fetch(site.url("/api"), method="POST", json={"pageNum": 2}).json()
        assert data["rows"][0]["title"] == "民法典"
        with pytest.raises(FetchError) as info:
            fetch(site.url("/bad-json")).json()
        assert info.value.code == "bad_json"
    post = site.hits("/api")[0]
    assert post.method == "POST" and b'"pageNum"' in post.body


def test_declared_hosts_with_ports_and_subdomains():
    fetch = Fetcher(("flk.npc.gov.cn", ".gov.cn", "127.0.0.1:8123"), delay=0)
    assert fetch.host_allowed("https://flk.npc.gov.cn/law-search/search/list")
    assert fetch.host_allowed("https://www.jiaxing.gov.cn/a.html") and fetch.host_allowed("http://gov.cn/")
    assert fetch.host_allowed("http://127.0.0.1:8123/x") and not fetch.host_allowed("http://127.0.0.1:9999/x")
    assert not fetch.host_allowed("https://gov.cn.evil.example/") and not fetch.host_allowed("https://npc.com/")
    fetch.close()


def test_robots_crawl_delay_raises_the_delay_up_to_a_cap():
    s = FixtureSite()
    s.page("/robots.txt", "User-agent: *\nCrawl-delay: 60\n", content_type="text/plain")
    s.page("/a.html", PAGE)
    sleeps = Sleeps()
    with s, make(s, delay=0, max_crawl_delay=0.3, sleep=sleeps) as fetch:
        fetch(s.url("/a.html"))
        fetch(s.url("/a.html"))
    assert sleeps.calls and 0.2 < max(sleeps.calls) <= 0.3


def test_only_the_declared_port_and_scheme_are_contacted(site):
    other = FixtureSite()  # the same host (127.0.0.1), another port
    other.page("/ok.html", PAGE)
    with other:
        with Fetcher((site.base_url,), delay=0, retries=0) as fetch:
            assert fetch(site.url("/ok.html")).status == 200
            assert error_of(fetch, other.url("/ok.html")).code == "host_not_allowed"
            assert error_of(fetch, f"https://{site.host}/ok.html").code == "host_not_allowed"
            site.add("/port", Route(kind="redirect", location=other.url("/ok.html")))
            assert error_of(fetch, site.url("/port")).code == "host_not_allowed"
        with Fetcher(("127.0.0.1",), delay=0, retries=0) as fetch:  # a bare host: default ports only
            assert error_of(fetch, other.url("/ok.html")).code == "host_not_allowed"
            assert not fetch.host_allowed("http://user@127.0.0.1/") and not fetch.host_allowed("http://127.0.0.1:x/")
            assert fetch.host_allowed("http://127.0.0.1/") and fetch.host_allowed("https://127.0.0.1/")
        assert other.hits() == []


def tls_context(tmp_path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A self-signed certificate for 127.0.0.1: (server context, client context trusting it)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl 命令不可用，无法生成测试证书")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True, timeout=60)
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    return server, ssl.create_default_context(cafile=str(cert))


def test_a_redirect_from_https_down_to_http_is_refused(site, tmp_path):
    server_tls, client_tls = tls_context(tmp_path)
    secure = FixtureSite()
    secure.server.socket = server_tls.wrap_socket(secure.server.socket, server_side=True)
    origin = f"https://{secure.host}"
    secure.page("/ok.html", PAGE)
    secure.add("/down", Route(kind="redirect", location=site.url("/ok.html")))
    with secure, Fetcher((origin, site.base_url), delay=0, retries=0, verify=client_tls) as fetch:
        assert "民法典" in fetch(f"{origin}/ok.html").text
        err = error_of(fetch, f"{origin}/down")
        assert err.code == "insecure_redirect" and "降级" in err.reason
    assert site.hits("/ok.html") == []


def gzip_bomb(size: int) -> bytes:
    """gzip of `size` zero bytes (a multiple of 1 MiB), built from one compressed megabyte repeated."""
    mib = bytes(1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = deflate.compress(mib) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(mib) + deflate.flush(zlib.Z_FULL_FLUSH)  # the same bytes for every later MiB
    crc = 0
    for _ in range(size >> 20):
        crc = zlib.crc32(mib, crc)
    return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + first + block * ((size >> 20) - 1)
            + deflate.flush() + struct.pack("<II", crc, size & 0xFFFFFFFF))


def test_a_double_gzip_bomb_is_refused_while_it_is_decoded(site):
    bomb = gzip.compress(gzip_bomb(1 << 30))  # gzip, gzip: a gigabyte inside
    assert len(bomb) < 4096
    site.page("/bomb.html", bomb, headers={"Content-Encoding": "gzip, gzip"})
    limit = 4 << 20
    tracemalloc.start()
    try:
        with make(site, max_bytes=limit, max_time=30) as fetch:
            err = error_of(fetch, site.url("/bomb.html"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert err.code == "too_large" and "上限" in err.reason
    assert peak < 2 * limit  # never more than the limit and a few pieces in memory


def test_layered_and_deflated_bodies_are_decoded(site):
    body = PAGE.encode("utf-8")
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    site.page("/twice.html", gzip.compress(gzip.compress(body)), headers={"Content-Encoding": "gzip, gzip"})
    site.page("/zlib.html", zlib.compress(body), headers={"Content-Encoding": "deflate"})
    site.page("/raw.html", raw.compress(body) + raw.flush(), headers={"Content-Encoding": "deflate"})
    site.page("/br.html", b"\x0b\x02\x80", headers={"Content-Encoding": "br"})
    site.page("/bad.html", b"not gzip at all", headers={"Content-Encoding": "gzip"})
    with make(site) as fetch:
        for path in ("/twice.html", "/zlib.html", "/raw.html"):
            page = fetch(site.url(path))
            assert page.content == body and "content-encoding" not in page.headers, path
        assert error_of(fetch, site.url("/br.html")).code == "bad_encoding"
        assert error_of(fetch, site.url("/bad.html")).code == "bad_encoding"
    assert site.hits("/twice.html")[0].headers["accept-encoding"] == "gzip, deflate"
