"""Request bodies: every endpoint refuses a declared body above 1 MB with a Chinese 413 before reading it,
a body without a length stops at 1 MB, and the batch-check upload keeps its own larger cap."""

from __future__ import annotations

import io

from portal.body_limit import MAX_BODY_BYTES


class CountingStream(io.RawIOBase):
    """A request body of `size` bytes, made up as it is read, that counts what the application read."""

    def __init__(self, size: int) -> None:
        self.left, self.consumed = size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.left, 65536)
        buffer[:n] = b"a" * n
        self.left -= n
        self.consumed += n
        return n


def test_a_300_mb_anonymous_post_to_login_is_refused_at_once(client):
    stream = CountingStream(300 * 1024 * 1024)
    res = client.post("/login", content_type="multipart/form-data; boundary=b",
                      environ_overrides={"wsgi.input": stream, "CONTENT_LENGTH": str(300 * 1024 * 1024)})
    assert res.status_code == 413 and "请求内容过大" in res.get_data(as_text=True)
    assert stream.consumed == 0  # before, the form was parsed (and a multipart one spooled to disk)


def test_a_body_without_a_length_stops_at_the_limit(client):
    boundary = "b"
    stream = CountingStream(50 * 1024 * 1024)
    res = client.post("/login", content_type=f"multipart/form-data; boundary={boundary}",
                      environ_overrides={"wsgi.input": stream, "wsgi.input_terminated": True, "CONTENT_LENGTH": ""})
    assert res.status_code == 413
    assert stream.consumed <= 2 * MAX_BODY_BYTES


def test_small_forms_and_the_upload_view_are_not_affected(client, app):
    assert client.post("/login", data={"name": "x", "password": "y"}).status_code == 400  # the CSRF check
    view = app.view_functions["clearance.upload"]
    assert view.large_body is True
    # an anonymous large upload is sent to the login page, not refused as too large nor read
    stream = CountingStream(5 * 1024 * 1024)
    res = client.post("/clearance/check", content_type="multipart/form-data; boundary=b",
                      environ_overrides={"wsgi.input": stream, "CONTENT_LENGTH": str(5 * 1024 * 1024)})
    assert res.status_code == 302 and stream.consumed == 0
