"""The load generator's pure parts: percentiles, request bytes, the HTTP/1.1 reader."""

from __future__ import annotations

import asyncio

import pytest

from launchready_tui.core.loadgen import (
    MAX_BODY_BYTES,
    LoadReport,
    ResponseError,
    build_request,
    parse_target,
    percentile,
    read_response,
)


def test_percentile_is_nearest_rank():
    vals = sorted(float(i) for i in range(1, 101))
    assert percentile(vals, 50) == 50
    assert percentile(vals, 95) == 95
    assert percentile(vals, 99) == 99
    assert percentile(vals, 100) == 100
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 95) is None


def test_percentile_of_a_two_level_distribution():
    # 97 fast and 3 slow: p95 is fast, p99 is slow.
    vals = sorted([30.0] * 97 + [400.0] * 3)
    assert percentile(vals, 95) == 30.0
    assert percentile(vals, 99) == 400.0


def test_parse_target():
    t = parse_target("https://api.example.com/v1/me?x=1")
    assert (t.scheme, t.host, t.port, t.path) == ("https", "api.example.com", 443, "/v1/me?x=1")
    assert t.host_header == "api.example.com"
    t2 = parse_target("http://example.com:8080")
    assert (t2.port, t2.path, t2.host_header) == (8080, "/", "example.com:8080")
    with pytest.raises(ValueError):
        parse_target("ftp://example.com/")
    with pytest.raises(ValueError):
        parse_target("not a url")


def test_build_request_keeps_real_host_and_length():
    t = parse_target("https://api.example.com/login")
    raw = build_request(t, "post", {"Authorization": "Bearer x", "Host": "evil"}, b'{"a":1}')
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST /login HTTP/1.1"
    assert "Host: api.example.com" in lines
    assert "Host: evil" not in lines
    assert "Content-Length: 7" in lines
    assert "Authorization: Bearer x" in lines
    assert body == b'{"a":1}'


def test_build_request_rejects_header_injection():
    t = parse_target("https://a.example/")
    with pytest.raises(ValueError):
        build_request(t, "GET", {"X-A": "1\r\nX-B: 2"}, None)


async def _read(data: bytes, method: str = "GET", eof: bool = True):
    r = asyncio.StreamReader(limit=64 * 1024)
    r.feed_data(data)
    if eof:
        r.feed_eof()
    out = await read_response(r, method)
    rest = await r.read() if eof else b""
    return out, rest


async def test_reads_content_length_and_leaves_next_response():
    data = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 204 No Content\r\n\r\n"
    (status, keep), rest = await _read(data)
    assert (status, keep) == (200, True)
    assert rest.startswith(b"HTTP/1.1 204")


async def test_reads_chunked_with_trailers():
    data = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: y\r\n\r\nNEXT")
    (status, keep), rest = await _read(data)
    assert (status, keep) == (200, True)
    assert rest == b"NEXT"


async def test_connection_close_and_http10():
    (s, keep), _ = await _read(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
    assert (s, keep) == (200, False)
    (s, keep), _ = await _read(b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")
    assert keep is False
    (s, keep), _ = await _read(b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n")
    assert keep is True


async def test_body_until_close_when_no_length():
    (s, keep), rest = await _read(b"HTTP/1.1 200 OK\r\n\r\nsome body until eof")
    assert (s, keep) == (200, False)
    assert rest == b""


async def test_head_204_304_have_no_body():
    (s, _), rest = await _read(b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\nX", method="HEAD")
    assert s == 200 and rest == b"X"
    (s, _), rest = await _read(b"HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\nX")
    assert s == 304 and rest == b"X"


async def test_interim_100_continue_is_skipped():
    data = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"
    (s, _), _ = await _read(data)
    assert s == 201


async def test_garbage_and_oversize_are_errors():
    with pytest.raises(ResponseError):
        await _read(b"SSH-2.0-OpenSSH\r\n\r\n")
    with pytest.raises(ResponseError):
        await _read(f"HTTP/1.1 200 OK\r\nContent-Length: {MAX_BODY_BYTES + 1}\r\n\r\n".encode())
    with pytest.raises(ResponseError):
        await _read(b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n")
    with pytest.raises(ResponseError):  # headers that never end within the limit
        await _read(b"HTTP/1.1 200 OK\r\nX: " + b"a" * 70_000 + b"\r\n\r\n")


async def test_truncated_body_raises_incomplete_read():
    with pytest.raises(asyncio.IncompleteReadError):
        await _read(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")


def test_report_summary_is_json_safe():
    import json

    rep = LoadReport("https://a.example/", "GET", 10, 1, 10, sent=10, completed=10)
    rep.latencies_ms = [1.0, 2.0, 3.0]
    s = rep.summary()
    json.dumps(s)
    assert s["p50_ms"] == 2.0 and s["max_ms"] == 3.0
    assert "latencies_ms" not in s
