"""The IP-independent walk of the include/redirect tree: it keeps going past 10 lookups,
so the user sees which include blew the budget."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from typing import TYPE_CHECKING, Any

from launchready_tui.core.checks.email.spf._check_host import _mx_host
from launchready_tui.core.checks.email.spf._parse import (
    ADDRESS_LIMIT,
    LOOKUP_LIMIT,
    MAX_WALK_NODES,
    VOID_LIMIT,
    SpfRecord,
    is_spf_record,
    parse_spf,
)
from launchready_tui.core.net import DnsAnswer, DnsFailure

if TYPE_CHECKING:
    from launchready_tui.core.checks.email._types import Resolver

# ---------------------------------------------------------------------------- the tree walk


class CachingResolver:
    """Share answers (and in-flight queries) between the walks of one check.

    Only for the lifetime of one check: the same name is asked for by the tree walk and
    by each sender's check_host, and answers cannot change in that second.
    """

    def __init__(self, inner: Resolver) -> None:
        self.inner = inner
        self._cache: dict[tuple[str, str], asyncio.Future[DnsAnswer]] = {}

    async def query(self, name: str, rdtype: str = "A") -> DnsAnswer:
        key = (name.lower().rstrip("."), rdtype.upper())
        fut = self._cache.get(key)
        if fut is None:
            fut = asyncio.ensure_future(self.inner.query(name, rdtype))
            self._cache[key] = fut
        return await asyncio.shield(fut)

    def close(self) -> None:
        for fut in self._cache.values():
            if not fut.done():
                fut.cancel()
            elif not fut.cancelled():
                fut.exception()  # mark retrieved




def _has_macro(spec: str | None) -> bool:
    return bool(spec) and "%" in spec  # type: ignore[operator]


class _Walker:
    """Walk the include/redirect tree without a sender IP, counting what receivers count.

    Terms after `all` are never evaluated by a receiver and cost nothing; a `redirect`
    is ignored when the record has an `all`. Unlike a receiver, the walk goes on past
    the limits so the user sees the whole tree.
    """

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.nodes = 0
        self.failures: list[str] = []

    async def from_domain(self, domain: str, via: str, term: str, path: tuple[str, ...]) -> dict:
        node = _new_node(domain, via, term)
        if domain.lower() in path:
            node["status"], node["problem"] = "loop", "includes itself (a loop): receivers give permerror"
            return node
        if self.nodes >= MAX_WALK_NODES:
            node["status"], node["problem"] = "truncated", f"not followed: more than {MAX_WALK_NODES} records"
            return node
        self.nodes += 1
        try:
            ans = await self.resolver.query(domain, "TXT")
        except DnsFailure as e:
            node["status"], node["problem"] = "error", str(e)
            self.failures.append(str(e))
            return node
        recs = [r for r in ans.records if is_spf_record(r)]
        if ans.nxdomain:
            node["status"], node["problem"] = "nxdomain", f"{domain} does not exist"
        elif not recs:
            node["status"], node["problem"] = "none", f"{domain} has no SPF record"
        elif len(recs) > 1:
            node["status"], node["problem"] = "multiple", f"{domain} has {len(recs)} SPF records"
            node["records"] = recs
        else:
            await self.fill(node, parse_spf(recs[0]), path + (domain.lower(),))
        return node

    async def fill(self, node: dict, rec: SpfRecord, path: tuple[str, ...]) -> None:
        node["record"] = rec.text
        if rec.errors:
            node["status"], node["problem"] = "syntax", "; ".join(rec.errors)
        domain = node["domain"]
        has_all = rec.all_term is not None
        reached_all = False
        jobs: list[tuple[dict[str, Any], Coroutine[Any, Any, dict[str, Any] | None]]] = []
        for term in rec.terms:
            entry: dict[str, Any] = {"term": term.text, "cost": 0, "counted": True}
            node["terms"].append(entry)
            if term.kind == "modifier" and term.name != "redirect":
                continue
            if reached_all:
                entry["counted"] = False
                entry["note"] = "never used: it comes after `all`"
            elif term.kind == "all":
                reached_all = True
                continue
            elif term.kind == "modifier" and has_all:
                entry["counted"] = False
                entry["note"] = "ignored: the record has an `all` term"
            if not term.costs_lookup:
                continue
            entry["cost"] = 1
            spec = term.value if term.kind == "modifier" else term.domain_spec
            if _has_macro(spec):
                entry["note"] = "depends on the sender (macro); not followed"
                continue
            target = (spec or domain).rstrip(".")
            if term.kind in ("include", "modifier"):
                via = "include" if term.kind == "include" else "redirect"
                jobs.append((entry, self.from_domain(target, via, term.text, path)))
            elif term.kind == "ptr":
                entry.setdefault("note", "ptr is deprecated (RFC 7208 5.5): slow and unreliable")
            elif entry["counted"]:
                jobs.append((entry, self._probe(term.kind, target, entry)))
        results = await asyncio.gather(*(j for _, j in jobs))
        for (entry, _), res in zip(jobs, results, strict=True):
            if isinstance(res, dict):  # a child record
                entry["cost"] = 1 + res["total"]
                res["cost"], res["counted"] = entry["cost"], entry["counted"]
                node["children"].append(res)
        counted = [t for t in node["terms"] if t["counted"]]
        node["lookups"] = sum(1 for t in counted if t["cost"])
        node["void_lookups"] = sum(1 for t in counted if t.get("void"))
        kids = [c for c in node["children"] if c["counted"]]
        node["total"] = node["lookups"] + sum(c["total"] for c in kids)
        node["total_void"] = node["void_lookups"] + sum(c["total_void"] for c in kids)

    async def _probe(self, kind: str, target: str, entry: dict) -> None:
        """Is this a void lookup (no answer at all)? For mx: how many hosts?"""
        try:
            if kind == "mx":
                ans = await self.resolver.query(target, "MX")
                hosts = [h for h in (_mx_host(r) for r in ans.records) if h]
                entry["mx_hosts"] = hosts
                if len(hosts) > ADDRESS_LIMIT:
                    entry["problem"] = (
                        f"{target} has {len(hosts)} mail servers; receivers look up at most "
                        f"{ADDRESS_LIMIT} and then give permerror"
                    )
                void = not ans.records
            else:
                ans = await self.resolver.query(target, "A")
                void = not ans.records
                if void and kind == "a" and not ans.nxdomain:
                    void = not (await self.resolver.query(target, "AAAA")).records
            if void:
                entry["void"] = True
                entry["note"] = f"void lookup: {target} has no {'MX' if kind == 'mx' else 'address'} records"
        except DnsFailure as e:
            entry["problem"] = str(e)
            self.failures.append(str(e))


def _new_node(domain: str, via: str, term: str) -> dict:
    return {
        "domain": domain,
        "via": via,
        "term": term,
        "record": None,
        "status": "ok",
        "problem": "",
        "lookups": 0,
        "void_lookups": 0,
        "total": 0,
        "total_void": 0,
        "terms": [],
        "children": [],
        "cost": 0,
        "counted": True,
    }


async def walk_spf(resolver: Resolver, domain: str, record: str | None = None) -> tuple[dict, list[str]]:
    """The lookup tree of `domain` (or of `record` as if published there).

    Returns (tree, DNS failures met on the way). Node keys: domain, via, term, record,
    status (ok, none, nxdomain, multiple, syntax, loop, error, truncated), problem,
    lookups (this record's own DNS-querying terms), total (with everything below),
    void_lookups, total_void, terms (each with its cost and notes), children.
    """
    w = _Walker(resolver)
    if record is None:
        tree = await w.from_domain(domain, "root", "", ())
    else:
        tree = _new_node(domain, "root", "")
        w.nodes = 1
        await w.fill(tree, parse_spf(record), (domain.lower(),))
    return tree, w.failures


def iter_nodes(tree: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield tree
    for c in tree.get("children", []):
        yield from iter_nodes(c)


def render_tree(tree: dict) -> list[str]:
    """The tree as indented text lines, for people (the TUI and handover use the dict)."""
    lines = [f"{tree['domain']}: {tree['total']} DNS lookup(s) (limit {LOOKUP_LIMIT}), "
             f"{tree['total_void']} void (limit {VOID_LIMIT})"]

    def walk(node: dict, depth: int) -> None:
        kids = {c["term"]: c for c in node["children"]}
        for t in node["terms"]:
            if not t["cost"] and not t.get("note") and not t.get("problem"):
                continue
            label = f"{'  ' * depth}{t['term']}"
            child = kids.get(t["term"])
            if child is not None and child["total"]:
                label += f"  {t['cost']} (1 + {child['total']} inside)"
            elif t["cost"]:
                label += f"  {t['cost']}"
            extra = t.get("problem") or t.get("note") or (child and child["problem"]) or ""
            if extra:
                label += f"  - {extra}"
            lines.append(label)
            if child is not None:
                walk(child, depth + 1)

    walk(tree, 1)
    return lines
