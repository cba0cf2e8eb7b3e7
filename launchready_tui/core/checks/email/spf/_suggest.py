"""The suggested record: typos read as meant, loops dropped or flattened, never a
record that drops or breaks a sender the original authorized."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from launchready_tui.core.checks.email.spf._parse import (
    MECHANISMS,
    VOID_LIMIT,
    SpfRecord,
    SpfSyntaxError,
    _parse_term,
    _show,
    parse_spf,
)
from launchready_tui.core.checks.email.spf._tree import _has_macro, iter_nodes

if TYPE_CHECKING:
    from launchready_tui.core.checks.email.spf._check import SpfReport

_GLUED_ALL = re.compile(r"^(.+?)([+\-~?]?all)$", re.I)
_AUTHORIZING = re.compile(r"^[+\-~?]?(ip4|ip6|include|a|mx|exists|ptr|ipv4|ipv6|inc\w*)\b", re.I)


def _mechanism_as_modifier(text: str) -> bool:
    """`include=x` parses as an unknown modifier, which receivers ignore (RFC 7208 §6)."""
    name, eq, _ = text.partition("=")
    return bool(eq) and name.lower() in MECHANISMS and ":" not in name


def _valid_term(text: str) -> bool:
    try:
        _parse_term(text)
    except SpfSyntaxError:
        return False
    return True


def repair_token(raw: str) -> list[str] | None:
    """The valid terms a common typo stands for, or None. Typos read as meant: a missing
    space before `all` (`ip4:192.0.2.1~all`), `ipv4:`, `include=`, a trailing comma or
    semicolon, and a misspelt `include`."""
    import difflib

    t = raw.strip().rstrip(",;")
    t = re.sub(r"^([+\-~?]?)ipv([46]):", r"\1ip\2:", t, flags=re.I)
    t = re.sub(r"^([+\-~?]?)(include|ip4|ip6|a|mx|exists|ptr)=", r"\1\2:", t, flags=re.I)
    m = re.match(r"^([+\-~?]?)([a-z0-9]+)(:.*)$", t, re.I)
    if m and m.group(2).lower() not in MECHANISMS:
        close = difflib.get_close_matches(m.group(2).lower(), ["include", "exists"], n=1, cutoff=0.75)
        if close:
            t = m.group(1) + close[0] + m.group(3)
    pieces = [t]
    g = _GLUED_ALL.match(t)
    if g and not _valid_term(t) and _valid_term(g.group(1)):
        pieces = [g.group(1), g.group(2)]
    if pieces != [raw] and all(_valid_term(p) for p in pieces):
        return pieces
    return None


def _tokens(text: str) -> list[str]:
    """The record's terms as written, a mechanism split from its value by a space joined
    back (`ip4: 192.0.2.1`)."""
    raw = [t for t in text[6:].split(" ") if t]
    out: list[str] = []
    i = 0
    while i < len(raw):
        t = raw[i]
        if t.endswith((":", "=")) and i + 1 < len(raw) and not _valid_term(t):
            out.append(t + raw[i + 1])
            i += 2
            continue
        out.append(t)
        i += 1
    return out


def _subtree_loops(node: dict) -> bool:
    return any(n["status"] == "loop" for n in iter_nodes(node))


def _flatten(node: dict) -> list[str] | None:
    """The terms of an included record, rewritten to mean the same inside ours, without
    the term that loops back; None when that cannot be done safely (macros, redirect,
    exists, ptr, or a loop deeper down)."""
    rec = parse_spf(node.get("record") or "")
    if rec.errors or rec.redirect is not None:
        return None
    kids = {c["term"]: c for c in node["children"]}
    out = []
    for term in rec.terms:
        if term.kind == "all" or (term.kind == "modifier"):
            continue
        if term.kind in ("exists", "ptr") or _has_macro(term.domain_spec):
            return None
        if term.kind == "include":
            child = kids.get(term.text)
            if child is not None and child["status"] == "loop":
                continue  # the include that makes the loop: it authorizes nothing
            if child is not None and _subtree_loops(child):
                return None
            out.append(term.text)
        elif term.kind in ("a", "mx") and term.domain_spec is None:
            cidr = (f"/{term.cidr4}" if term.cidr4 != 32 else "") + (f"//{term.cidr6}" if term.cidr6 != 128 else "")
            out.append(f"{'' if term.qualifier == '+' else term.qualifier}{term.kind}:{node['domain']}{cidr}")
        else:
            out.append(term.text)
    if any(not t.startswith(("+", "ip4", "ip6", "include", "a", "mx")) for t in out):
        return None  # a `-ip4:` inside an include means "no match", not "fail": do not copy it
    return out


def _suggest(parsed: list[SpfRecord], trees: list[dict], add: list[str], rep: SpfReport) -> dict | None:
    """A corrected record that never loses a sender: records merged, typos read as meant,
    senders added, a safe `all`. It never adds `all` to a record that hands over with
    `redirect=` (an `all` switches the redirect off, RFC 7208 §6.1: the redirect becomes
    an include instead), never keeps an include that loops (RFC 7208 §5.2: a loop is a
    permerror), and never drops an ip4:/ip6:/include: it cannot read: then it gives no
    record and says why (`reason`)."""
    terms: list[tuple[str, int]] = []
    seen: set[str] = set()
    quals: list[str] = []
    redirects: list[tuple[str, int, str]] = []  # (target, cost, term) of records without an `all`
    exp: str | None = None
    notes: list[str] = []
    drop_void = len(trees) == 1 and trees[0]["total_void"] > VOID_LIMIT

    def keep(text: str, cost: int) -> None:
        key = text.lower().lstrip("+")
        if key not in seen:
            seen.add(key)
            terms.append((text, cost))

    for rec, tree in zip(parsed, trees, strict=True):
        costs = {t["term"]: t for t in tree["terms"]}
        kids = {c["term"]: c for c in tree["children"]}
        read: list[str] = []  # the record's terms, typos read as meant
        for raw in _tokens(rec.text):
            if _valid_term(raw) and not _mechanism_as_modifier(raw):
                read.append(raw)
                continue
            fixed = repair_token(raw)
            if fixed is None:
                if _AUTHORIZING.match(raw):
                    return {"record": None, "lookups": None,
                            "reason": f"`{_show(raw)}` cannot be read, and leaving it out could stop "
                            "mail from a server you meant to list: correct it first"}
                notes.append(f"`{_show(raw)}` left out (it is not an SPF term and authorizes nothing)")
                continue
            notes.append(f"`{_show(raw)}` read as `{' '.join(fixed)}`")
            read += fixed
        rec_has_all = any(_parse_term(t).kind == "all" for t in read)
        for text in read:
            term = _parse_term(text)
            entry = costs.get(text, {})
            cost = entry.get("cost", 1 if term.costs_lookup else 0)
            child = kids.get(text)
            if term.kind == "all":
                quals.append(term.qualifier)
                continue
            if term.kind == "modifier":
                if term.name == "redirect":
                    if child is not None and _subtree_loops(child):
                        return {"record": None, "lookups": None,
                                "reason": f"`{text}` leads to a loop; fix the record it points to first"}
                    if not rec_has_all:  # RFC 7208 §6.1: with an `all`, redirect is ignored
                        redirects.append(((term.value or "").rstrip("."), cost, text))
                elif term.name == "exp" and exp is None:
                    exp = text
                elif term.name not in ("redirect", "exp"):
                    terms.append((text, 0))
                continue
            if entry.get("void") and drop_void:
                continue  # points at nothing: dropped to get under the void limit
            if term.kind == "include" and child is not None:
                glued = _GLUED_ALL.match(text)
                if child["status"] in ("nxdomain", "none") and glued and glued.group(2)[0] in "-~" \
                        and _valid_term(glued.group(1)):
                    # `include:_spf.example.com-all` is a valid name that does not exist
                    notes.append(f"`{text}` read as `{glued.group(1)} {glued.group(2)}`")
                    keep(glued.group(1), 1)
                    quals.append(glued.group(2)[0])
                    continue
                if child["status"] == "loop":
                    notes.append(f"`{text}` left out: it includes this very record (a loop)")
                    continue
                if _subtree_loops(child):
                    flat = _flatten(child)
                    if flat is None:
                        return {"record": None, "lookups": None,
                                "reason": f"the record behind `{text}` loops back; ask whoever runs "
                                f"{term.domain_spec} to remove the include that points back"}
                    notes.append(f"`{text}` replaced by its own entries ({' '.join(flat) or 'none'}), "
                                 "without the include that loops back")
                    for f in flat:  # the include's own qualifier (`~include:`) carries over
                        f = f if term.qualifier == "+" else term.qualifier + f.lstrip("+")
                        keep(f, 1 if _parse_term(f).costs_lookup else 0)
                    continue
            keep(text, cost)
    for t in add:
        cost = 0
        if t.startswith("include:"):
            cost = 1 + rep.added.get(t[8:], {}).get("total", 0)
        keep(t, cost)
    if not parsed and not add:
        return {"record": "v=spf1 include:<your mail provider's SPF domain> ~all", "lookups": None}
    if redirects and (quals or len(redirects) > 1 or len(parsed) > 1 or _redirect_lacks_all(trees, redirects)):
        # the record must end in `all`: the redirect's senders stay listed as an include
        for target, rcost, _text in redirects:
            keep(f"include:{target}", rcost)
        redirects = []
    cost = sum(c for _, c in terms)
    if "-" in quals:
        final = "-all"
    elif quals or not redirects:
        final = "~all"
    else:
        final, cost = redirects[0][2], cost + redirects[0][1]
    text = " ".join(["v=spf1"] + [t for t, _ in terms] + [final] + ([exp] if exp else []))
    out: dict[str, Any] = {"record": text, "lookups": cost}
    if notes:
        out["notes"] = notes
    return out


def _redirect_lacks_all(trees: list[dict], redirects: list[tuple[str, int, str]]) -> bool:
    """Does the record a lone redirect points to end without an `all` (so ours needs one)?"""
    for tree in trees:
        for child in tree["children"]:
            if child["via"] == "redirect" and child["term"] == redirects[0][2] and child.get("record"):
                return parse_spf(child["record"]).all_term is None and parse_spf(child["record"]).redirect is None
    return False
