"""The manifest, the service worker and the pages it relies on."""

from __future__ import annotations

import json


def test_manifest_and_service_worker(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.mimetype == "application/manifest+json"
    data = json.loads(manifest.data)
    assert data["lang"] == "zh-CN" and data["start_url"] == "/" and data["icons"]
    assert client.get(data["icons"][0]["src"]).status_code == 200
    sw = client.get("/sw.js")
    assert sw.status_code == 200 and "javascript" in sw.mimetype
    assert sw.headers["Cache-Control"] == "no-cache"
    script = sw.get_data(as_text=True)
    # every file the worker pre-caches exists, or its install would fail and offline use with it
    shell = json.loads(script.split("const SHELL_URLS = ", 1)[1].split(";", 1)[0])
    for url in shell:
        assert client.get(url).status_code == 200, url


def test_saved_and_offline_pages(client):
    assert "我的收藏" in client.get("/saved").get_data(as_text=True)
    assert "没有网络连接" in client.get("/offline").get_data(as_text=True)
