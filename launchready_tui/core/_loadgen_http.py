"""The HTTP/1.1 wire side of the load generator (private: import from `core.loadgen`):
the target, the request bytes built once, and a small reader for one whole response.

Only the standard library: the request path is raw asyncio streams, not httpx.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 8 * 1024 * 1024  # a bigger answer is an error, not a latency sample
USER_AGENT = "LaunchReady/0.1 (+latency probe)"


class ResponseError(Exception):
    """The server's answer could not be read as HTTP/1.1."""


# ---------------------------------------------------------------------------- target


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        h = f"[{self.host}]" if ":" in self.host else self.host
        return h if self.port == default else f"{h}:{self.port}"


def parse_target(url: str) -> _Target:
    u = urlsplit(url)
    if u.scheme not in ("http", "https") or not u.hostname:
        raise ValueError(f"'{url}' is not an http(s) URL")
    port = u.port or (443 if u.scheme == "https" else 80)
    path = u.path or "/"
    if u.query:
        path += "?" + u.query
    return _Target(u.scheme, u.hostname, port, path)


def build_request(t: _Target, method: str, headers: dict[str, str], body: bytes | None) -> bytes:
    """The bytes of one HTTP/1.1 request; built once and sent as is every time."""
    lines = [f"{method.upper()} {t.path} HTTP/1.1", f"Host: {t.host_header}"]
    given = {k.lower() for k in headers}
    if "user-agent" not in given:
        lines.append(f"User-Agent: {USER_AGENT}")
    if "accept" not in given:
        lines.append("Accept: */*")
    for k, v in headers.items():
        if "\r" in k or "\n" in k or "\r" in str(v) or "\n" in str(v):
            raise ValueError(f"header {k!r} contains a line break")
        if k.lower() in ("host", "content-length", "connection", "transfer-encoding"):
            continue
        lines.append(f"{k}: {v}")
    if body is not None or method.upper() in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body or b'')}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


# ---------------------------------------------------------------------------- HTTP/1.1 reading


async def read_response(reader: asyncio.StreamReader, method: str) -> tuple[int, bool]:
    """Read one whole response (headers and body, body discarded).

    Returns (status, keep_alive). Raises ResponseError, asyncio.IncompleteReadError or
    OSError."""
    while True:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.LimitOverrunError:
            raise ResponseError("response headers are too large") from None
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
            raise ResponseError(f"not an HTTP/1.x answer: {lines[0][:60]!r}")
        status = int(parts[1])
        if 100 <= status < 200 and status != 101:
            continue  # 100 Continue and other interim answers: the real one follows
        break
    http10 = parts[0] == b"HTTP/1.0"
    length: int | None = None
    chunked = False
    conn_hdr = b""
    for line in lines[1:]:
        if not line:
            continue
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            try:
                length = int(value.strip())
            except ValueError:
                raise ResponseError("bad Content-Length") from None
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            conn_hdr = value.strip().lower()
    keep_alive = (b"keep-alive" in conn_hdr) if http10 else (b"close" not in conn_hdr)
    if method == "HEAD" or status in (204, 304):
        return status, keep_alive
    if chunked:
        total = 0
        while True:
            size_line = await reader.readuntil(b"\r\n")
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise ResponseError("bad chunk size") from None
            if size == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":
                    pass  # trailers
                break
            total += size
            if total > MAX_BODY_BYTES:
                raise ResponseError(f"response body larger than {MAX_BODY_BYTES} bytes")
            await _discard(reader, size + 2)
        return status, keep_alive
    if length is not None:
        if length > MAX_BODY_BYTES:
            raise ResponseError(f"response body larger than {MAX_BODY_BYTES} bytes")
        await _discard(reader, length)
        return status, keep_alive
    # No length: the body runs until the server closes the connection.
    total = 0
    while True:
        chunk = await reader.read(65536)
        if not chunk:
            break
        total += len(chunk)
        if total > MAX_BODY_BYTES:
            raise ResponseError(f"response body larger than {MAX_BODY_BYTES} bytes")
    return status, False


async def _discard(reader: asyncio.StreamReader, n: int) -> None:
    if n <= 65536:
        await reader.readexactly(n)
        return
    while n > 0:
        chunk = await reader.read(min(n, 65536))
        if not chunk:
            raise asyncio.IncompleteReadError(b"", n)
        n -= len(chunk)
