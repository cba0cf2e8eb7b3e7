"""HTTP plumbing behind `Net` (private: import from `core.net`): body decoding with a cap,
plain-words HTTP errors, and the httpx transport over httpcore's public network-backend API.

httpx and httpcore are imported inside functions, so importing this module is cheap.
"""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING, Any, cast

from launchready_tui.core.net import CREDENTIAL_HOST_EXT, DnsFailure, HostResolutionError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable
    from types import ModuleType

    import httpcore
    import httpx

    from launchready_tui.core.net import Net


def _header_items(headers: httpx.Headers) -> list[tuple[str, str]]:
    """Header (name, value) pairs, decoded as latin-1 like the wire (a non-ASCII
    Set-Cookie is kept, never a UnicodeError)."""
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers.raw]


def accept_encoding() -> str:
    """What we can decode without new dependencies: gzip and deflate, br when a brotli
    module happens to be installed."""
    try:
        import brotli  # noqa: F401
    except ImportError:
        return "gzip, deflate"
    return "gzip, deflate, br"


class BodyDecoder:
    """Decodes a response body by its Content-Encoding, chunk by chunk, keeping at most
    `limit` decoded bytes: decompression stops at the cap, so a bomb costs `limit`."""

    def __init__(self, encoding: str, limit: int) -> None:
        import zlib

        self.limit = int(limit)
        self.out = bytearray()
        self.truncated = False
        self.error = ""
        self._stages: list[Any] = []
        self._name = encoding
        codings = [c.strip() for c in encoding.split(",") if c.strip() and c.strip() != "identity"]
        for coding in reversed(codings):  # applied in order listed: undo the last first
            if coding in ("gzip", "x-gzip"):
                self._stages.append(zlib.decompressobj(16 + zlib.MAX_WBITS))
            elif coding == "deflate":
                self._stages.append(_Deflate())
            elif coding == "br":
                try:
                    import brotli

                    self._stages.append(_Brotli(brotli))
                except ImportError:
                    self.error = "the server sent a brotli-compressed body (br), which this install cannot read"
                    self._stages = None  # type: ignore[assignment]
                    break
            else:
                self.error = f"unknown content encoding '{coding}'"
                self._stages = None  # type: ignore[assignment]
                break

    @property
    def full(self) -> bool:
        return len(self.out) >= self.limit

    def feed(self, chunk: bytes) -> None:
        if self.full:
            self.truncated = True
            return
        if self._stages is None:  # undecodable: keep the raw bytes, capped
            self.out += chunk[: self.limit - len(self.out)]
            return
        data = chunk
        try:
            for i, st in enumerate(self._stages):
                last = i == len(self._stages) - 1
                room = self.limit - len(self.out) + 1 if last else self.limit + 1
                data = st.decompress(data, room)
                if len(data) >= room or st.unconsumed_tail:
                    self.truncated = True
        except Exception as e:  # zlib.error: not what the header says
            self.error = f"the body is not valid '{self._name}' data: {e}"
            self._stages = None  # type: ignore[assignment]
            return
        self.out += data
        if len(self.out) > self.limit:
            del self.out[self.limit :]
            self.truncated = True

    def finish(self) -> bytes:
        return bytes(self.out[: self.limit])


class _Deflate:
    """`deflate` is zlib-wrapped per the RFC, but servers often send raw deflate."""

    def __init__(self) -> None:
        import zlib

        self._z = zlib.decompressobj()
        self._first = True
        self._zlib = zlib

    @property
    def unconsumed_tail(self) -> bytes:
        return self._z.unconsumed_tail

    def decompress(self, data: bytes, max_length: int) -> bytes:
        if self._first:
            self._first = False
            try:
                return self._z.decompress(data, max_length)
            except self._zlib.error:
                self._z = self._zlib.decompressobj(-self._zlib.MAX_WBITS)
        return self._z.decompress(data, max_length)


class _Brotli:  # pragma: no cover - only with a brotli module installed
    unconsumed_tail = b""

    def __init__(self, brotli: ModuleType) -> None:
        self._d = brotli.Decompressor()

    def decompress(self, data: bytes, max_length: int) -> bytes:
        return self._d.process(data)[:max_length]


def describe_http_error(exc: BaseException) -> str:
    """A plain-words reason for an HTTP failure, for `error` results and hop notes."""
    import httpx

    from launchready_tui.core.guard import CredentialRefused

    if isinstance(exc, CredentialRefused):
        return str(exc)
    if isinstance(exc, HostResolutionError):
        return str(exc)
    if isinstance(exc, DnsFailure):
        return str(exc)
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return "the server did not answer in time (timeout)"
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"certificate rejected: {cause.verify_message or cause.reason}"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused (nothing is listening on that port)"
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect: {exc}" if str(exc) else "could not connect"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the server sent a broken HTTP reply: {exc}"
    return f"{type(exc).__name__}: {exc}"


# --- transport over httpcore's public API -----------------------------------


def _make_backend_class() -> Callable[[Net], httpcore.AsyncNetworkBackend]:
    import httpcore

    class _ResolvingBackend(httpcore.AsyncNetworkBackend):
        def __init__(self, net: Net) -> None:
            self._net = net
            self._inner = httpcore.AnyIOBackend()

        async def connect_tcp(
            self, host: str, port: int, timeout: float | None = None,
            local_address: str | None = None, socket_options: Iterable[Any] | None = None,
        ) -> httpcore.AsyncNetworkStream:
            try:
                ip, p = await self._net.resolve_connect(host, port)
            except (HostResolutionError, DnsFailure) as e:
                raise httpcore.ConnectError(str(e)) from e
            return await self._inner.connect_tcp(
                ip, p, timeout=timeout, local_address=local_address, socket_options=socket_options
            )

        async def connect_unix_socket(  # pragma: no cover
            self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None,
        ) -> httpcore.AsyncNetworkStream:
            raise httpcore.ConnectError("unix sockets are not used")

        async def sleep(self, seconds: float) -> None:
            await self._inner.sleep(seconds)

    return _ResolvingBackend


def _exc_map() -> list[tuple[type[Exception], type[httpx.TransportError]]]:
    import httpcore
    import httpx

    return [
        (httpcore.ConnectTimeout, httpx.ConnectTimeout),
        (httpcore.ReadTimeout, httpx.ReadTimeout),
        (httpcore.WriteTimeout, httpx.WriteTimeout),
        (httpcore.PoolTimeout, httpx.PoolTimeout),
        (httpcore.TimeoutException, httpx.TimeoutException),
        (httpcore.ConnectError, httpx.ConnectError),
        (httpcore.ReadError, httpx.ReadError),
        (httpcore.WriteError, httpx.WriteError),
        (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
        (httpcore.LocalProtocolError, httpx.LocalProtocolError),
        (httpcore.ProtocolError, httpx.ProtocolError),
        (httpcore.NetworkError, httpx.NetworkError),
    ]


def _map_exc(e: Exception, request: httpx.Request) -> httpx.TransportError | None:
    for src, dst in _exc_map():
        if isinstance(e, src):
            new = dst(str(e), request=request)
            new.__cause__ = e
            return new
    return None


def LaunchReadyTransport(  # the name callers know (it was a class): builds the transport
    net: Net, *, verify: bool = True, max_connections: int = 20
) -> httpx.AsyncBaseTransport:
    """An httpx transport over httpcore's pool with our resolving network backend."""
    import httpcore
    import httpx

    class _Stream(httpx.AsyncByteStream):
        def __init__(self, inner: AsyncIterable[bytes], request: httpx.Request) -> None:
            self._inner = inner
            self._request = request

        async def __aiter__(self) -> AsyncIterator[bytes]:
            try:
                async for part in self._inner:
                    yield part
            except Exception as e:
                mapped = _map_exc(e, self._request)
                if mapped is None:
                    raise
                raise mapped from e

        async def aclose(self) -> None:
            if hasattr(self._inner, "aclose"):
                await self._inner.aclose()

    class _Transport(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            if verify:
                ctx = net.ssl_context()
            else:
                ctx = ssl.create_default_context()
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            self._pool = httpcore.AsyncConnectionPool(
                ssl_context=ctx,
                max_connections=max_connections,
                max_keepalive_connections=max_connections,
                http1=True,
                http2=False,
                retries=0,
                network_backend=_make_backend_class()(net),
            )

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            from launchready_tui.core import guard

            guard.check_request(net.credential_scope, request.url.host, request.headers.raw,
                                request.extensions.get(CREDENTIAL_HOST_EXT))
            req = httpcore.Request(
                method=request.method,
                url=httpcore.URL(
                    scheme=request.url.raw_scheme,
                    host=request.url.raw_host,
                    port=request.url.port,
                    target=request.url.raw_path,
                ),
                headers=request.headers.raw,
                content=request.stream,
                extensions=request.extensions,
            )
            try:
                resp = await self._pool.handle_async_request(req)
            except Exception as e:
                mapped = _map_exc(e, request)
                if mapped is None:
                    raise
                raise mapped from e
            return httpx.Response(
                status_code=resp.status,
                headers=resp.headers,
                stream=_Stream(cast("AsyncIterable[bytes]", resp.stream), request),  # the async pool's
                extensions=resp.extensions,
            )

        async def aclose(self) -> None:
            await self._pool.aclose()

    return _Transport()
