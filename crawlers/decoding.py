"""Content-Encoding undone while the body streams in, with every layer bounded.

A body `Content-Encoding: gzip, gzip` of two kilobytes can hold a gigabyte: decoding a whole chunk at once
(as HTTP clients do) makes that gigabyte before anyone can count it. Here each layer hands on its output in
pieces of at most PIECE bytes, counts what it has produced, and stops with TooLarge as soon as that passes
the limit, so memory stays near the limit whatever the ratio or the number of layers."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

PIECE = 64 * 1024  # the most any layer produces from one call
ACCEPTED = "gzip, deflate"  # what we ask for: the encodings decoded here
_GZIP_WBITS = 16 + zlib.MAX_WBITS
_IDENTITY = ("", "identity")


class DecodingError(ValueError):
    """The body cannot be decoded: an encoding not supported here, or corrupt compressed data."""


class TooLarge(DecodingError):
    """A layer's decoded output passed the limit."""


def encodings_of(header: str | None) -> list[str]:
    """The Content-Encoding header's codings in the order they were applied (identity dropped)."""
    codings = [c.strip().lower() for c in (header or "").split(",")]
    return [c for c in codings if c not in _IDENTITY]


def decoded(chunks: Iterable[bytes], encodings: list[str], limit: int) -> Iterator[bytes]:
    """The body's bytes with every coding undone (the last applied undone first), in pieces; raises
    TooLarge when any layer has produced more than `limit` bytes, DecodingError for what cannot be read."""
    stream: Iterable[bytes] = chunks
    for coding in reversed(encodings):
        stream = _layer(stream, coding, limit)
    return iter(stream)


def _decompressor(coding: str) -> zlib._Decompress:
    if coding in ("gzip", "x-gzip"):
        return zlib.decompressobj(_GZIP_WBITS)
    if coding == "deflate":
        return zlib.decompressobj()  # zlib-wrapped, as RFC 9110 says; raw deflate is tried on failure
    raise DecodingError(f"不支持的内容编码：{coding}")


def _layer(chunks: Iterable[bytes], coding: str, limit: int) -> Iterator[bytes]:
    obj = _decompressor(coding)
    produced = 0
    started = False
    for chunk in chunks:
        data = chunk
        while data:
            try:
                out = obj.decompress(data, PIECE)
            except zlib.error as exc:
                if coding == "deflate" and not started:  # servers that send raw deflate
                    obj, started = zlib.decompressobj(-zlib.MAX_WBITS), True
                    continue
                raise DecodingError(f"压缩内容损坏（{coding}）：{exc}") from exc
            started = True
            data = obj.unconsumed_tail
            if obj.eof:
                rest = obj.unused_data
                if coding in ("gzip", "x-gzip") and rest.strip(b"\0"):
                    obj = zlib.decompressobj(_GZIP_WBITS)  # another gzip member follows
                    data = rest
                else:
                    data = b""  # trailing padding after the end of the stream
            if out:
                produced += len(out)
                if produced > limit:
                    raise TooLarge(f"解压后超过上限 {limit} 字节")
                yield out
            elif not data:
                break
        # Drain what the decompressor still holds from this chunk, a piece at a time.
        while not obj.eof:
            out = obj.decompress(b"", PIECE)
            if not out:
                break
            produced += len(out)
            if produced > limit:
                raise TooLarge(f"解压后超过上限 {limit} 字节")
            yield out
