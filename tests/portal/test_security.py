"""Security headers and /metrics: HSTS only where the site is https, /metrics only for allowed addresses or the
token, and a method a client makes up cannot add label values to the metrics."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fagui.errors import SettingsError
from fagui.settings import load_settings


def test_hsts_is_sent_when_the_public_url_is_https(app, portal_instance):
    from portal import create_app

    assert "Strict-Transport-Security" not in app.test_client().get("/").headers
    secure = create_app(replace(portal_instance, public_url="https://fagui.example.gov.cn"), testing=True)
    res = secure.test_client().get("/")
    assert res.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_metrics_only_for_allowed_addresses_or_the_token(portal_instance):
    from portal import create_app

    client = create_app(replace(portal_instance, metrics_token="s3cret-scrape-token"), testing=True).test_client()
    assert client.get("/metrics").status_code == 200  # 127.0.0.1, this machine
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::ffff:127.0.0.1"}).status_code == 200
    outside = {"REMOTE_ADDR": "203.0.113.7"}
    refused = client.get("/metrics", environ_base=outside)
    assert refused.status_code == 403 and "无权读取监控指标" in refused.get_data(as_text=True)
    assert "fagui_http_requests_total" not in refused.get_data(as_text=True)
    assert client.get("/metrics", environ_base=outside,
                      headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/metrics", environ_base=outside,
                      headers={"Authorization": "Bearer s3cret-scrape-token"}).status_code == 200
    network = create_app(replace(portal_instance, metrics_allow=("10.0.0.0/8",)), testing=True).test_client()
    assert network.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert network.get("/metrics").status_code == 403


def test_metrics_allow_is_checked_when_the_settings_are_loaded():
    assert load_settings({}).metrics_allow == ("127.0.0.1/32", "::1/128")
    assert load_settings({"FAGUI_METRICS_ALLOW": "10.0.0.0/8, 192.168.1.5"}).metrics_allow == (
        "10.0.0.0/8", "192.168.1.5/32")
    assert load_settings({"FAGUI_METRICS_ALLOW": ""}).metrics_allow == ()
    with pytest.raises(SettingsError, match="FAGUI_METRICS_ALLOW"):
        load_settings({"FAGUI_METRICS_ALLOW": "localhost"})


def test_made_up_methods_share_one_label_value(client):
    for method in ("FOO", "BAR", "X" * 40):
        client.open("/healthz", method=method)
    text = client.get("/metrics").get_data(as_text=True)
    assert 'method="other"' in text
    assert 'method="FOO"' not in text and 'method="BAR"' not in text and "XXXX" not in text
