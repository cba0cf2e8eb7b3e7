"""Open-loop, fixed-rate HTTP load generation that measures from the intended send time.

Why this exists: closed-loop tools (send, wait, send again) slow down when the server
slows down, so a stall delays the requests that would have hit it and the tail latency
looks fine ("coordinated omission", rakyll/boom#100). Here request *i* is due at
`t0 + i / rate`, whatever happened before, and its latency runs from that due time to
the last byte of the answer. A request that waits for a free connection because the
server is stuck counts that wait.

How: one dispatcher puts due times on a queue on schedule; one worker per keep-alive
connection takes them, sends, and reads the whole answer. One spare connection is kept
open ahead of need, so TLS handshakes do not land on measured requests; more are opened
as needed, up to `max_connections`; past that, due times wait in the queue (and that
wait counts). Connections go through `Net.resolve_connect` (our
resolver and curl-style connect_to) and `Net.ssl_context()`, with the real host name
for SNI, the certificate check and the Host header.

The request path is raw asyncio streams with a small HTTP/1.1 reader (`_loadgen_http`,
re-exported here), not httpx: one shared httpx client collapses at about 77 requests/s
on a 2-core machine, and one client per connection still tops out near 600 (docs/loadgen.md has the figures). The `httpx`
engine stays for the benchmark's comparison only.

epoll sleeps in whole milliseconds, and a sleeping process wakes late when the CPU is
busy, so the dispatcher hands work out up to `slack_for(rate)` (2 to 5 ms) early; a
request sent before its due time is measured from when it was actually sent, so early
sending never shortens a latency.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import ssl
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from launchready_tui.core._loadgen_http import (
    MAX_BODY_BYTES,
    MAX_HEADER_BYTES,
    USER_AGENT,
    ResponseError,
    _Target,
    build_request,
    parse_target,
    read_response,
)

if TYPE_CHECKING:  # pragma: no cover
    import httpx

    from launchready_tui.core.net import Net

# Hand work out early: epoll sleeps in whole ms, and a process that sleeps between
# requests wakes up late when other processes want the CPU. Half the interval between
# requests, between 2 and 5 ms: at 10-100 requests/s that absorbs wake-up delays without
# bunching requests; at 1,000/s it stays at 2 ms.
SLACK_MIN_S = 0.002
SLACK_MAX_S = 0.005


def slack_for(rate: float) -> float:
    return max(SLACK_MIN_S, min(SLACK_MAX_S, 0.5 / rate))


@dataclass
class LoadSpec:
    url: str
    rate: float = 10.0  # requests per second
    duration_s: float = 10.0
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    timeout_s: float = 5.0  # per request, from the moment it is sent
    max_connections: int = 64
    prewarm: int | None = None  # connections opened before the clock starts

    @property
    def planned(self) -> int:
        return max(1, int(round(self.rate * self.duration_s)))


@dataclass
class LoadReport:
    """What happened. `latencies_ms` holds every measured request, sorted."""

    url: str
    method: str
    requested_rps: float
    duration_s: float
    planned: int
    sent: int = 0
    completed: int = 0  # answered with an HTTP status (any)
    errors: int = 0  # transport failures, timeouts and HTTP status >= 400
    error_kinds: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    achieved_rps: float = 0.0
    connections: int = 0
    max_send_lag_ms: float = 0.0
    p99_send_lag_ms: float = 0.0
    elapsed_s: float = 0.0
    engine: str = "raw"
    latencies_ms: list[float] = field(default_factory=list, repr=False)

    @property
    def error_rate(self) -> float:
        return self.errors / self.planned if self.planned else 0.0

    def percentile(self, q: float) -> float | None:
        return percentile(self.latencies_ms, q)

    def summary(self) -> dict[str, Any]:
        """JSON-safe figures for evidence and history (no raw samples)."""

        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 2)

        return {
            "url": self.url,
            "method": self.method,
            "requested_rps": self.requested_rps,
            "achieved_rps": round(self.achieved_rps, 2),
            "duration_s": self.duration_s,
            "planned": self.planned,
            "sent": self.sent,
            "completed": self.completed,
            "measured": len(self.latencies_ms),
            "p50_ms": r(self.percentile(50)),
            "p95_ms": r(self.percentile(95)),
            "p99_ms": r(self.percentile(99)),
            "max_ms": r(self.latencies_ms[-1] if self.latencies_ms else None),
            "errors": self.errors,
            "error_rate": round(self.error_rate, 4),
            "error_kinds": dict(self.error_kinds),
            "statuses": dict(self.statuses),
            "connections": self.connections,
            "max_send_lag_ms": round(self.max_send_lag_ms, 2),
            "p99_send_lag_ms": round(self.p99_send_lag_ms, 2),
            "engine": self.engine,
        }


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (the smallest value with at least q% at or below it)."""
    if not sorted_values:
        return None
    k = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[min(k, len(sorted_values)) - 1]



# ---------------------------------------------------------------------------- the generator


class _Run:
    """Bookkeeping shared by the dispatcher and the workers of one run."""

    def __init__(self, spec: LoadSpec, engine: str) -> None:
        self.spec = spec
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[float | None] = asyncio.Queue()
        self.workers: list[asyncio.Task] = []
        self.busy = 0
        self.latencies: list[float] = []
        self.send_lags: list[float] = []
        self.error_kinds: Counter[str] = Counter()
        self.statuses: Counter[str] = Counter()
        self.sent = 0
        self.completed = 0
        self.http_errors = 0
        self.last_send = 0.0
        self.connections = 0
        self.t0 = 0.0
        self.engine = engine

    def record(self, intended: float, sent: float, status: int | None, error: str | None) -> None:
        now = self.loop.time()
        start = min(intended, sent)
        if status is not None:
            self.completed += 1
            self.statuses[str(status)] += 1
            self.latencies.append((now - start) * 1000)
            if status >= 400:
                self.http_errors += 1
        else:
            assert error is not None
            self.error_kinds[error] += 1
            if error == "timeout":
                # A lower bound, but it keeps a stall visible in the tail.
                self.latencies.append((now - start) * 1000)


class _RawConnection:
    def __init__(self, target: _Target, addr: tuple[str, int], ssl_ctx: ssl.SSLContext | None,
                 request: bytes, method: str) -> None:
        self.target, self.addr, self.ssl_ctx = target, addr, ssl_ctx
        self.request, self.method = request, method
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def connect(self) -> None:
        kw: dict[str, Any] = {}
        if self.target.scheme == "https":
            kw = {"ssl": self.ssl_ctx, "server_hostname": self.target.host}
        self.reader, self.writer = await asyncio.open_connection(
            self.addr[0], self.addr[1], limit=MAX_HEADER_BYTES, **kw
        )
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            import socket

            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    @property
    def open(self) -> bool:
        return self.writer is not None

    async def exchange(self) -> tuple[int, bool]:
        assert self.reader is not None and self.writer is not None
        self.writer.write(self.request)
        # No drain(): requests are small, and the answer proves the bytes went out.
        return await read_response(self.reader, self.method)

    def close(self) -> None:
        if self.writer is not None:
            with contextlib.suppress(Exception):
                self.writer.transport.abort()
        self.reader = self.writer = None


def _classify(e: BaseException) -> str:
    import ssl

    if isinstance(e, TimeoutError):
        return "timeout"
    if isinstance(e, ssl.SSLCertVerificationError):
        return "certificate rejected"
    if isinstance(e, ssl.SSLError):
        return "TLS error"
    if isinstance(e, ConnectionRefusedError):
        return "connection refused"
    if isinstance(e, ConnectionResetError | BrokenPipeError):
        return "connection reset"
    if isinstance(e, asyncio.IncompleteReadError):
        return "connection closed mid-answer"
    if isinstance(e, ResponseError):
        return f"bad answer: {e}"
    if isinstance(e, OSError):
        return f"network error: {e.strerror or e}"
    return type(e).__name__


async def _raw_worker(run: _Run, conn: _RawConnection) -> None:
    spec = run.spec
    loop = run.loop
    if not conn.open:  # a spare: connect before any request needs it
        try:
            async with asyncio.timeout(spec.timeout_s):
                await conn.connect()
            run.connections += 1
        except Exception:
            conn.close()  # the request that comes next connects and counts the failure
    while True:
        intended = await run.queue.get()
        if intended is None:
            break
        run.busy += 1
        status: int | None = None
        error: str | None = None
        sent = loop.time()
        try:
            async with asyncio.timeout(spec.timeout_s):
                for attempt in (1, 2):
                    reused = conn.open
                    if not conn.open:
                        await conn.connect()
                        run.connections += 1
                    sent = loop.time()
                    if attempt == 1:
                        run.sent += 1
                        run.send_lags.append(sent - intended)
                        run.last_send = max(run.last_send, sent)
                    try:
                        status, keep = await conn.exchange()
                    except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError) as e:
                        # A kept-alive connection the server had already closed: retry once
                        # on a fresh one (as browsers do); anything else is a real failure.
                        conn.close()
                        partial = getattr(e, "partial", b"")
                        if reused and attempt == 1 and not partial and spec.method in ("GET", "HEAD"):
                            continue
                        raise
                    if not keep:
                        conn.close()
                    break
        except TimeoutError:
            error = "timeout"
            conn.close()
        except asyncio.CancelledError:
            # Cut off at the end of the run while waiting: a timeout, with the time so far.
            conn.close()
            run.record(intended, sent, None, "timeout")
            run.busy -= 1
            raise
        except Exception as e:  # every failure is a counted error, never a crash
            error = _classify(e)
            conn.close()
        run.record(intended, sent, status, error)
        run.busy -= 1
    conn.close()


async def _httpx_worker(run: _Run, client: httpx.AsyncClient, own: bool) -> None:
    """The same loop through httpx (benchmark comparison only)."""
    import httpx

    spec, loop = run.spec, run.loop
    try:
        while True:
            intended = await run.queue.get()
            if intended is None:
                break
            run.busy += 1
            status, error = None, None
            sent = loop.time()
            run.sent += 1
            run.send_lags.append(sent - intended)
            run.last_send = max(run.last_send, sent)
            try:
                async with asyncio.timeout(spec.timeout_s):
                    r = await client.request(spec.method, spec.url, headers=spec.headers, content=spec.body)
                    status = r.status_code
            except TimeoutError:
                error = "timeout"
            except asyncio.CancelledError:
                run.record(intended, sent, None, "timeout")
                raise
            except httpx.HTTPError as e:
                error = _classify(e.__cause__ or e)
            run.record(intended, sent, status, error)
            run.busy -= 1
    finally:
        if own:
            await client.aclose()


async def run_load(net: Net, spec: LoadSpec, *, engine: str = "raw") -> LoadReport:
    """Send `spec.planned` requests at `spec.rate` per second; return what was measured.

    Raises ValueError for a bad URL, and HostResolutionError / DnsFailure when the host
    does not resolve (nothing was sent then)."""
    from launchready_tui.core import guard

    target = parse_target(spec.url)
    guard.check_request(getattr(net, "credential_scope", None), target.host, spec.headers)
    method = spec.method.upper()
    spec.method = method
    run = _Run(spec, engine)
    loop = run.loop
    cap = max(1, int(spec.max_connections))
    report = LoadReport(spec.url, method, spec.rate, spec.duration_s, spec.planned, engine=engine)

    shared = None
    if engine == "raw":
        addr = await net.resolve_connect(target.host, target.port)
        ssl_ctx = net.ssl_context() if target.scheme == "https" else None
        request = build_request(target, method, spec.headers, spec.body)

        def new_worker() -> asyncio.Task:
            conn = _RawConnection(target, addr, ssl_ctx, request, method)
            return loop.create_task(_raw_worker(run, conn))

        prewarm = spec.prewarm if spec.prewarm is not None else min(cap, max(2, int(spec.rate // 100) + 1))
        warm: list[_RawConnection] = []
        for _ in range(min(prewarm, cap)):
            c = _RawConnection(target, addr, ssl_ctx, request, method)
            try:
                async with asyncio.timeout(spec.timeout_s):
                    await c.connect()
                run.connections += 1
            except Exception:
                c.close()  # counted when the real requests fail the same way
                break
            warm.append(c)
        for c in warm:
            run.workers.append(loop.create_task(_raw_worker(run, c)))
    elif engine in ("httpx", "httpx-per-connection"):
        shared = net.client(max_connections=cap) if engine == "httpx" else None

        def new_worker() -> asyncio.Task:
            if shared is not None:
                return loop.create_task(_httpx_worker(run, shared, False))
            return loop.create_task(_httpx_worker(run, net.client(max_connections=1), True))

        for _ in range(min(cap, max(2, int(spec.rate // 100) + 1))):
            run.workers.append(new_worker())
    else:
        raise ValueError(f"unknown engine {engine!r}")

    interval = 1.0 / spec.rate
    slack = slack_for(spec.rate)
    n = spec.planned
    await asyncio.sleep(0)  # let pre-warmed workers reach the queue
    run.t0 = t0 = loop.time() + 0.002
    try:
        i = 0
        while i < n:
            now = loop.time()
            horizon = now + slack
            while i < n and t0 + i * interval <= horizon:
                run.queue.put_nowait(t0 + i * interval)
                i += 1
                # Keep one connected spare: when no idle worker is left, open the next
                # connection now, not when a request is already waiting for it.
                free = len(run.workers) - run.busy - run.queue.qsize()
                if free <= 0 and len(run.workers) < cap:
                    run.workers.append(new_worker())
            if i < n:
                await asyncio.sleep(max(0.0, t0 + i * interval - slack - loop.time()))
        # Drain: every worker stops after the queue empties. Bound the wait.
        for _ in run.workers:
            run.queue.put_nowait(None)
        grace = spec.timeout_s * 2 + 1
        _done, pending = await asyncio.wait(run.workers, timeout=grace)
        if pending:
            for t in pending:
                t.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        end = loop.time()
        # Due times nobody got to before the grace ran out: the server was stuck.
        while not run.queue.empty():
            item = run.queue.get_nowait()
            if item is not None:
                run.error_kinds["not sent: all connections were stuck"] += 1
                run.latencies.append((end - item) * 1000)
        unaccounted = n - run.completed - sum(run.error_kinds.values())
        if unaccounted > 0:  # defensive: every due time must be counted somewhere
            run.error_kinds["timeout"] += unaccounted
    finally:
        for t in run.workers:
            if not t.done():
                t.cancel()
        await asyncio.gather(*run.workers, return_exceptions=True)
        if engine == "httpx" and shared is not None:
            await shared.aclose()

    report.sent = run.sent
    report.completed = run.completed
    report.errors = sum(run.error_kinds.values()) + run.http_errors
    report.error_kinds = dict(run.error_kinds)
    report.statuses = dict(run.statuses)
    report.connections = run.connections
    report.latencies_ms = sorted(run.latencies)
    window = max(spec.duration_s, (run.last_send - t0) + interval) if run.sent else spec.duration_s
    report.achieved_rps = run.sent / window if window > 0 else 0.0
    lags = sorted(max(0.0, x) * 1000 for x in run.send_lags)
    report.max_send_lag_ms = lags[-1] if lags else 0.0
    report.p99_send_lag_ms = percentile(lags, 99) or 0.0
    report.elapsed_s = loop.time() - t0
    return report


async def run_closed_loop(net: Net, url: str, duration_s: float, *, timeout_s: float = 5.0,
                          max_requests: int = 100_000) -> LoadReport:
    """One connection, one request after another, each timed from its own send: how
    closed-loop tools measure. Kept only to show what they miss (tests, benchmark)."""
    target = parse_target(url)
    loop = asyncio.get_running_loop()
    addr = await net.resolve_connect(target.host, target.port)
    ssl_ctx = net.ssl_context() if target.scheme == "https" else None
    conn = _RawConnection(target, addr, ssl_ctx, build_request(target, "GET", {}, None), "GET")
    lat: list[float] = []
    statuses: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    t0 = loop.time()
    try:
        while loop.time() - t0 < duration_s and len(lat) + sum(errors.values()) < max_requests:
            s = loop.time()
            try:
                async with asyncio.timeout(timeout_s):
                    if not conn.open:
                        await conn.connect()
                    status, keep = await conn.exchange()
                statuses[str(status)] += 1
                lat.append((loop.time() - s) * 1000)
                if not keep:
                    conn.close()
            except Exception as e:
                errors[_classify(e)] += 1
                conn.close()
    finally:
        conn.close()
    elapsed = loop.time() - t0
    n = len(lat) + sum(errors.values())
    rep = LoadReport(url, "GET", 0.0, duration_s, n, sent=n, completed=len(lat),
                     errors=sum(errors.values()), error_kinds=dict(errors), statuses=dict(statuses),
                     achieved_rps=n / elapsed if elapsed else 0.0, connections=1, engine="closed-loop")
    rep.latencies_ms = sorted(lat)
    rep.elapsed_s = elapsed
    return rep


__all__ = ["LoadSpec", "LoadReport", "run_load", "run_closed_loop", "percentile", "read_response",
           "build_request", "parse_target", "ResponseError", "MAX_BODY_BYTES", "MAX_HEADER_BYTES",
           "USER_AGENT", "slack_for"]
