"""Static files under fingerprinted names cached for a year, the plain names revalidated, and answers
gzip-compressed for clients that accept it."""

from __future__ import annotations

import gzip
import re

from portal.static_assets import plain_name


def test_pages_link_fingerprinted_static_files_cached_for_good(client):
    html = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/site\.([0-9a-f]{10})\.css)"', html)
    assert css and re.search(r'src="/static/app\.[0-9a-f]{10}\.js"', html)
    r = client.get(css.group(1))
    assert r.status_code == 200 and r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "body" in r.get_data(as_text=True)
    plain = client.get("/static/site.css")
    assert plain.status_code == 200 and plain.headers["Cache-Control"] == "no-cache"
    assert plain.get_data() == r.get_data()
    # A fingerprint that is not the file's content (a page made before the file changed) is not served as it.
    assert client.get("/static/site.0000000000.css").status_code == 404
    assert plain_name("site.1a2b3c4d5e.css") == "site.css" and plain_name("site.css") == "site.css"


def test_answers_are_gzipped_for_clients_that_accept_it(client):
    plain = client.get("/search?q=安全生产", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    packed = client.get("/search?q=安全生产", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    body = gzip.decompress(packed.get_data())
    assert body == plain.get_data() and len(packed.get_data()) < len(body) / 2
    css = client.get("/static/site.css", headers={"Accept-Encoding": "gzip"})
    assert css.headers["Content-Encoding"] == "gzip" and b"body" in gzip.decompress(css.get_data())
    assert int(css.headers["Content-Length"]) == len(css.get_data())
    api = client.get("/api/v1/search?q=安全生产", headers={"Accept-Encoding": "gzip"})
    assert api.headers["Content-Encoding"] == "gzip"
    # Small answers are not worth it.
    tiny = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in tiny.headers


def test_service_worker_precaches_the_fingerprinted_names(client):
    script = client.get("/sw.js").get_data(as_text=True)
    assert re.search(r'"/static/site\.[0-9a-f]{10}\.css"', script)
    assert re.search(r'const SHELL = "fagui-shell-[0-9a-f]{10}";', script)
