"""`page_load`: key pages load within their budget (a network-level estimate).

For each `performance.pages` entry: fetch the HTML (following redirects within your own
hosts), then its same-origin scripts, stylesheets and images, and the fonts and images
those stylesheets name, over at most 6 connections to the host, as a browser does. The
total time, bytes and request count go into the evidence, with the slowest resource.

This is not a browser render: no JavaScript runs, nothing is painted, and third-party
resources (analytics, fonts from a CDN) are not fetched. It catches a page that is slow
to serve or too heavy to download; the evidence says so in plain words.
"""

from __future__ import annotations

import asyncio
import copy
import re
import time
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import urldefrag, urljoin, urlsplit

from launchready_tui.core.checks.base import Kind, Target, target_data
from launchready_tui.core.checks.latency import find_entry, shared_probe
from launchready_tui.core.guard import (
    CredentialRefused,
    NeedsCredential,
    auth_headers,
    own_host_refusal,
)
from launchready_tui.core.registry import MissingInput
from launchready_tui.core.results import CheckResult, errored, failed, passed, skipped, warned

if TYPE_CHECKING:
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.net import FetchResult
    from launchready_tui.core.profile import Profile

KIND = "page_load"
DEFAULT_BUDGET_MS = 2000.0
CONNECTIONS_PER_HOST = 6
MAX_RESOURCES = 150
MAX_REDIRECTS = 5
MAX_HTML_BYTES = 5 * 1024 * 1024
MAX_RESOURCE_BYTES = 10 * 1024 * 1024
ESTIMATE_NOTE = (
    "Network-level estimate, not a browser render: the time to download the HTML and its "
    "same-origin scripts, stylesheets, images and stylesheet fonts over at most 6 "
    "connections, like a browser. No JavaScript is run and third-party files are not "
    "counted, so real visitors may wait longer."
)
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""", re.I)


class _AssetParser(HTMLParser):
    """Collects what a browser fetches to render: scripts, stylesheets, images, preloads."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []  # (kind, raw url)
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "base" and a.get("href") and self.base is None:
            self.base = a["href"]
        elif tag == "script" and a.get("src"):
            self.found.append(("script", a["src"]))
        elif tag == "link" and a.get("href"):
            rel = set(a.get("rel", "").lower().split())
            if "stylesheet" in rel:
                self.found.append(("style", a["href"]))
            elif rel & {"preload", "modulepreload"}:
                self.found.append((a.get("as") or "preload", a["href"]))
        elif tag == "img":
            src = a.get("src") or (a.get("srcset", "").split(",")[0].strip().split(" ")[0])
            if src:
                self.found.append(("image", src))

    handle_startendtag = handle_starttag


def parse_assets(html: str, page_url: str) -> list[tuple[str, str]]:
    """(kind, absolute URL) of same-origin resources, in document order, without repeats."""
    p = _AssetParser()
    try:
        p.feed(html)
        p.close()
    except Exception:  # html.parser is lenient; a truly broken page keeps what was found
        pass
    base = urljoin(page_url, p.base) if p.base else page_url
    return _same_origin([(k, urljoin(base, u.strip())) for k, u in p.found], page_url)


def parse_css_urls(css: str, css_url: str, page_url: str) -> list[tuple[str, str]]:
    out = []
    for m in _CSS_URL.finditer(css):
        raw = m.group(2) or m.group(4)
        if raw and not raw.startswith("data:"):
            kind = "style" if m.group(4) else "css-asset"
            out.append((kind, urljoin(css_url, raw)))
    return _same_origin(out, page_url)


def _origin(url: str) -> tuple[str, str, int | None]:
    u = urlsplit(url)
    port = u.port or (443 if u.scheme == "https" else 80 if u.scheme == "http" else None)
    return (u.scheme, (u.hostname or "").lower(), port)


def _same_origin(items: list[tuple[str, str]], page_url: str) -> list[tuple[str, str]]:
    origin = _origin(page_url)
    seen: set[str] = set()
    out = []
    for kind, url in items:
        url = urldefrag(url)[0]
        if _origin(url) != origin or url in seen:
            continue
        seen.add(url)
        out.append((kind, url))
    return out


def _entries(profile: Profile, params: dict[str, Any]) -> list[dict[str, Any]]:
    raw = params.get("pages") or profile.get("performance.pages") or []
    return [r if isinstance(r, dict) else {"url": str(r)} for r in raw]


def targets(profile: Profile, params: dict[str, Any]) -> list[Target]:
    """One target per entry: its URL, carrying the entry's own settings."""
    es = [e for e in _entries(profile, params) if e.get("url")]
    if not es:
        raise MissingInput("performance.pages", "the key pages people open, e.g. the home page")
    return [Target(str(e["url"]), e) for e in es]


def deadline(params: dict[str, Any], timeout_s: float) -> float:
    return timeout_s * 6 + 10


def _logs_fix(profile: Profile) -> str:
    from launchready_tui.core.dashboards import logs_fix

    return logs_fix(profile, "this address")


async def check(ctx: CheckContext, target: str, params: dict[str, Any]) -> CheckResult:
    entry = target_data(target, lambda: find_entry(_entries(ctx.profile, params), target))
    url = str(entry.get("url") or target)
    refusal = own_host_refusal(KIND, ctx.profile, url, "load")
    if refusal is not None:
        return refusal
    budget = float(entry.get("budget_ms") or params.get("budget_ms") or DEFAULT_BUDGET_MS)
    key = ("page_load", url, str(entry.get("auth") or ""), budget)
    result = await shared_probe(ctx.net, key, lambda: _measure(ctx, url, entry, budget))
    return copy.deepcopy(result)


async def _measure(ctx: CheckContext, url: str, entry: dict[str, Any], budget: float) -> CheckResult:
    import httpx

    from launchready_tui.core.net import DnsFailure, HostResolutionError, describe_http_error

    name = entry.get("name") or url
    try:
        headers, _secret = await auth_headers(ctx, entry, url)
    except CredentialRefused as e:
        return errored(KIND, url, str(e), evidence={"url": url, "refused": True},
                       fix="Only list pages under your own domain in `performance.pages`.")
    except NeedsCredential as e:
        return skipped(KIND, url, e.reason, evidence={"url": url, "credential": e.cred_id})
    net_errors = (httpx.HTTPError, HostResolutionError, DnsFailure, TimeoutError, OSError)
    client = ctx.net.client(max_connections=CONNECTIONS_PER_HOST)
    resources: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    try:
        # 1. The HTML, following redirects within the profile's own hosts.
        page = url
        hops: list[str] = []
        for _ in range(MAX_REDIRECTS + 1):
            s = time.perf_counter()
            try:
                r = await ctx.net.fetch(page, headers=headers, max_bytes=MAX_HTML_BYTES, client=client)
            except net_errors as e:
                return errored(KIND, url, f"{page} did not load: {describe_http_error(e)}",
                               evidence={"url": url, "redirects": hops})
            resources.append(_res("document", page, r, s, t0))
            loc = r.header("location")
            if not (300 <= r.status < 400 and loc):
                break
            nxt = urljoin(page, loc)
            host = (urlsplit(nxt).hostname or "").lower()
            if not ctx.profile.is_own_host(host):
                return errored(
                    KIND, url, f"{page} redirects to {host}, which is not one of your sites "
                    "(a sign-in page?), so the page itself could not be timed",
                    evidence={"url": url, "redirects": [*hops, nxt]},
                    fix="If the page needs sign-in, store a test account's token with "
                    "`launchready credentials add ID` and add `auth: ID` to the page in "
                    "launchready.yaml; otherwise list the final address instead.",
                )
            hops.append(nxt)
            page = nxt
        else:
            return errored(KIND, url, f"{url} redirects more than {MAX_REDIRECTS} times",
                           evidence={"url": url, "redirects": hops})
        if not 200 <= r.status < 300:
            return failed(
                KIND, url, f"{name} does not load: HTTP {r.status}",
                evidence={"url": url, "final_url": page, "status": r.status, "estimate": ESTIMATE_NOTE},
                why="Visitors who open this page get an error instead of your product.",
                fix=_logs_fix(ctx.profile) + " Fix the error, then run the check again.",
            )

        # 2. Its same-origin resources, at most 6 at a time (the client's pool is 6 too).
        sem = asyncio.Semaphore(CONNECTIONS_PER_HOST)
        seen = {page}
        pending: set[asyncio.Task] = set()

        def enqueue(items: list[tuple[str, str]]) -> None:
            for kind, u in items:
                if u in seen or len(seen) >= MAX_RESOURCES:
                    continue
                seen.add(u)
                pending.add(asyncio.ensure_future(fetch_one(kind, u)))

        async def fetch_one(kind: str, u: str) -> None:
            async with sem:
                s = time.perf_counter()
                try:
                    rr = await ctx.net.fetch(u, headers=headers, max_bytes=MAX_RESOURCE_BYTES, client=client)
                except (*net_errors, ValueError) as e:  # ValueError: a header we cannot send
                    resources.append({"kind": kind, "url": u, "error": describe_http_error(e),
                                      "ms": round((time.perf_counter() - s) * 1000)})
                    return
            resources.append(_res(kind, u, rr, s, t0))
            ctype = (rr.header("content-type") or "").lower()
            if 200 <= rr.status < 300 and (kind == "style" or "text/css" in ctype):
                enqueue(parse_css_urls(rr.text, u, page))

        enqueue(parse_assets(r.text, page))
        try:
            while pending:
                done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                pending.difference_update(done)
                # every finished task's exception is retrieved (no "Task exception was
                # never retrieved"); the first one, a bug, surfaces here
                errors = [t.exception() for t in done if not t.cancelled()]
                bug = next((e for e in errors if e is not None), None)
                if bug is not None:
                    raise bug
        finally:
            for t in pending:
                t.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)
        total_ms = (time.perf_counter() - t0) * 1000
    finally:
        await client.aclose()

    sub = [x for x in resources if x["kind"] != "document"]
    broken = [x for x in sub if x.get("error") or x.get("status", 200) >= 400]
    slowest = max(sub or resources, key=lambda x: x.get("ms", 0))
    total_bytes = sum(x.get("bytes", 0) for x in resources)
    ev: dict[str, Any] = {
        "url": url,
        "final_url": page,
        "total_ms": round(total_ms),
        "budget_ms": budget,
        "requests": len(resources),
        "bytes": total_bytes,
        "html_ms": resources[0]["ms"] if resources else None,
        "slowest": {"url": slowest["url"], "ms": slowest.get("ms"), "kind": slowest["kind"]},
        "by_kind": _by_kind(resources),
        "connections_per_host": CONNECTIONS_PER_HOST,
        "estimate": ESTIMATE_NOTE,
    }
    if hops:
        ev["redirects"] = hops
    if len(seen) >= MAX_RESOURCES:
        ev["capped"] = f"only the first {MAX_RESOURCES} resources were fetched"
    if broken:
        ev["broken"] = [{"url": b["url"], "status": b.get("status"), "error": b.get("error")} for b in broken[:10]]
    figures = (f"{total_ms / 1000:.2f} s for {len(resources)} requests, {_size(total_bytes)} "
               f"(budget {budget / 1000:g} s); slowest: {slowest['url']} ({slowest.get('ms')} ms)")
    cut = [x for x in resources if x.get("truncated")]
    if cut:
        ev["cut_off"] = [{"url": x["url"], "kind": x["kind"], "bytes": x.get("bytes")} for x in cut[:10]]
        first = cut[0]
        cap = MAX_HTML_BYTES if first["kind"] == "document" else MAX_RESOURCE_BYTES
        what = "the page itself" if first["kind"] == "document" else f"{len(cut)} of its files"
        return failed(
            KIND, url, f"{name} is too big to time: {what} did not end within {_size(cap)} "
            f"({first['url']}), so the download was stopped; this is not a fast page",
            evidence=ev,
            why="A page that sends more than a few megabytes (or never stops sending) takes "
            "visitors on phones a long time to load, and may never finish.",
            fix="Open the address named above and look at its size in the browser's "
            "developer tools (Network tab). Make the server send a normal page: remove the "
            "huge or endless response, or move big files behind a download link.",
        )
    if total_ms > budget:
        return failed(
            KIND, url, f"{name} is slow to load: {figures}", evidence=ev,
            why=f"People leave pages that take more than {budget / 1000:g} s to appear, "
            "and this estimate does not even include running the page's JavaScript.",
            fix="Start with the slowest file named above: compress and resize images "
            "(WebP/AVIF, at the size they are shown), split or trim big scripts, and make "
            "sure your host serves files from a CDN with caching. Then run the check again.",
        )
    if broken:
        return warned(
            KIND, url, f"{name} loads in time but {len(broken)} of its files are broken: {figures}",
            evidence=ev,
            why="Missing scripts, styles or images make the page look or work wrong.",
            fix="Fix or remove the broken references listed in the evidence (a file that was "
            "renamed or not deployed), then run the check again.",
        )
    return passed(KIND, url, f"{name} loads fast enough: {figures}", evidence=ev,
                  why=f"The page and its files download within {budget / 1000:g} s.")


def _res(kind: str, url: str, r: FetchResult, started: float, t0: float) -> dict[str, Any]:
    now = time.perf_counter()
    return {"kind": kind, "url": url, "status": r.status, "bytes": len(r.body),
            "truncated": r.truncated, **({"encoding": r.content_encoding} if r.content_encoding else {}), "ms": round((now - started) * 1000),
            "end_ms": round((now - t0) * 1000)}


def _by_kind(resources: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for x in resources:
        k = out.setdefault(x["kind"], {"requests": 0, "bytes": 0})
        k["requests"] += 1
        k["bytes"] += x.get("bytes", 0)
    return out


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"


class PageLoadEvidence(TypedDict, total=False):
    """What `check` puts in a result's evidence (the handover reads these keys)."""

    total_ms: float
    bytes: int
    requests: int
    slowest: list[Any]
    budget_ms: float


CHECK_KIND = Kind(
    name="page_load",
    family="perf",
    title="Page load",
    plain="key pages load fast enough",
    about="key pages load under budget",
    check=check,
    targets=targets,
    deadline_fn=deadline,
    schema={"performance": {"pages": ("list", {"url": "str", "budget_ms": "num", "name": "str", "auth": "str"})}},
    evidence=PageLoadEvidence,
    shown=("total_ms", "bytes", "requests", "slowest", "budget_ms"),
)
