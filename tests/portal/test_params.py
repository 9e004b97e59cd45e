"""Request arguments read by portal.params for the search page, the API and the feeds: a value that cannot be
used is a Chinese 400 on every one of them, never a 500."""

from __future__ import annotations

import pytest

ENDPOINTS = ["/search", "/api/v1/search", "/api/v1/facets", "/feeds/atom.xml"]


@pytest.mark.parametrize("body", ["9223372036854775808", "99999999999999999999999", "²", "①"])
@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_body_that_looks_like_a_number_but_is_no_id_is_not_found(client, path, body):
    res = client.get(path, query_string={"q": "安全", "body": body})
    assert res.status_code == 400, res.get_data(as_text=True)[:500]
    assert f"未找到制定机关“{body}”" in res.get_data(as_text=True)


@pytest.mark.parametrize("body", ["9223372036854775807", "１２", "٣"])
@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_decimal_body_id_is_looked_up(client, path, body):
    res = client.get(path, query_string={"q": "安全", "body": body})
    assert res.status_code in (200, 400), res.get_data(as_text=True)[:500]
    if res.status_code == 400:
        assert "未找到制定机关" in res.get_data(as_text=True)
