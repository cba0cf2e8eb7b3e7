"""The launch-readiness verdict (`inspect_spf`, `evaluate_spf`: findings without I/O) and
the `spf` kind's entry point, `check(ctx, target, params)`."""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from launchready_tui.core.checks.base import Kind
from launchready_tui.core.checks.email._types import Params
from launchready_tui.core.checks.email.spf._check_host import check_host, evaluate_record
from launchready_tui.core.checks.email.spf._parse import (
    LOOKUP_LIMIT,
    RECORD_SOFT_LIMIT,
    VOID_LIMIT,
    SpfRecord,
    _show,
    is_spf_record,
    parse_spf,
)
from launchready_tui.core.checks.email.spf._suggest import _mechanism_as_modifier, _suggest
from launchready_tui.core.checks.email.spf._tree import (
    CachingResolver,
    iter_nodes,
    render_tree,
    walk_spf,
)
from launchready_tui.core.findings import Finding, findings_result
from launchready_tui.core.net import DnsFailure
from launchready_tui.core.registry import MissingInput
from launchready_tui.core.results import CheckResult, errored, failed

if TYPE_CHECKING:
    from launchready_tui.core.checks.email._types import Resolver
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.profile import Profile

# ---------------------------------------------------------------------------- the verdict


@dataclass
class SenderCheck:
    """One entry of `email.senders`: an IP/network, or `include:` a provider's SPF domain."""

    sender: str
    kind: str  # "ip", "network", "include", "invalid"
    value: str
    term: str = ""  # the SPF term that authorizes it, for the suggested record
    result: str = ""  # check_host result for IPs
    authorized: bool | None = None
    listed: bool = False  # authorized by the record once its errors are fixed
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def parse_sender(sender: str) -> SenderCheck:
    s = str(sender).strip()
    low = s.lower()
    if low.startswith("include:"):
        d = s[8:].strip().rstrip(".").lower()
        return SenderCheck(s, "include", d, term=f"include:{d}")
    if low.startswith(("ip4:", "ip6:")):
        s = s[4:]
    try:
        net = ipaddress.ip_network(s, strict=False)
    except ValueError:
        if "." in s and " " not in s and "/" not in s:
            d = s.rstrip(".").lower()
            return SenderCheck(sender, "include", d, term=f"include:{d}")
        return SenderCheck(sender, "invalid", s, detail="not an IP address, network or include:domain")
    ver = f"ip{net.version}"
    if net.num_addresses == 1:
        return SenderCheck(sender, "ip", str(net.network_address), term=f"{ver}:{net.network_address}")
    return SenderCheck(sender, "network", str(net), term=f"{ver}:{net}")


@dataclass
class SpfReport:
    """Everything observed for one domain; `evaluate_spf` turns it into a verdict."""

    domain: str
    records: list[str] = field(default_factory=list)
    nxdomain: bool = False
    dns_error: str = ""
    trees: list[dict] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    senders: list[SenderCheck] = field(default_factory=list)
    string_lengths: list[int] = field(default_factory=list)
    added: dict[str, dict] = field(default_factory=dict)  # include domain -> its tree


async def inspect_spf(resolver: Resolver, domain: str, senders: list[str]) -> SpfReport:
    """All the DNS work for the verdict: the record(s), their trees, each sender."""
    rep = SpfReport(domain=domain)
    try:
        ans = await resolver.query(domain, "TXT")
    except DnsFailure as e:
        rep.dns_error = str(e)
        return rep
    rep.nxdomain = ans.nxdomain
    # DNS gives records in any order: sort them so a merged suggestion does not change per run
    rep.records = sorted(r for r in ans.records if is_spf_record(r))
    for rd in ans.rdata:
        strings = getattr(rd, "strings", None)
        if strings and is_spf_record(b"".join(strings).decode("utf-8", "replace")):
            rep.string_lengths = [len(x) for x in strings]
    walks = await asyncio.gather(*(walk_spf(resolver, domain, r) for r in rep.records))
    for tree, failures in walks:
        rep.trees.append(tree)
        rep.failures.extend(failures)
    rep.senders = [parse_sender(s) for s in senders]
    reachable = {n["domain"].lower().rstrip(".") for t in rep.trees for n in iter_nodes(t)}
    await asyncio.gather(*(_check_sender(resolver, rep, s, reachable) for s in rep.senders))
    missing = [s.value for s in rep.senders if s.kind == "include" and not s.listed]
    added = await asyncio.gather(*(walk_spf(resolver, d) for d in missing))
    for d, (tree, _f) in zip(missing, added, strict=True):
        rep.added[d] = tree
    return rep


async def _check_sender(resolver: Resolver, rep: SpfReport, s: SenderCheck, reachable: set[str]) -> None:
    if s.kind == "invalid":
        return
    if s.kind == "include":
        s.listed = s.value in reachable
        s.authorized = s.listed and len(rep.records) == 1 and _tree_ok(rep.trees[0])
        s.detail = "reachable from the record" if s.listed else "not included anywhere in the record"
        return
    if not rep.records:
        s.authorized, s.result = False, "none"
        return
    if s.kind == "network":
        net = ipaddress.ip_network(s.value)
        probes = [str(net.network_address), str(net.broadcast_address)]
    else:
        probes = [s.value]
    real = [await check_host(resolver, ip, rep.domain, f"postmaster@{rep.domain}") for ip in probes]
    worst_real = next((r for r in real if r.result != "pass"), real[0])
    s.result = worst_real.result
    s.authorized = worst_real.result == "pass" and not _is_all(worst_real.mechanism)
    s.detail = worst_real.reason or (f"matched `{worst_real.mechanism}`" if s.authorized else "")
    if s.authorized:
        s.listed = True
        return
    if s.result == "temperror":
        return
    for rec in rep.records:
        lenient = [await evaluate_record(resolver, ip, rep.domain, rec, lenient=True) for ip in probes]
        # `+all` passes everybody; that is the problem, not an authorization
        if all(r.result == "pass" and not _is_all(r.mechanism) for r in lenient):
            s.listed = True
            break


def _is_all(term: str) -> bool:
    return term.lstrip("+-~?").lower() == "all"


def _tree_ok(tree: dict) -> bool:
    return all(n["status"] == "ok" for n in iter_nodes(tree) if n.get("counted", True))


def _as_dict(f: Finding) -> dict[str, Any]:
    """How the evidence has always spelt an SPF finding."""
    return {"status": f.severity, "code": f.code, "summary": f.message}


_WHY_PERMERROR = (
    "Receivers treat the whole SPF record as broken (permerror), so SPF fails for every "
    "message you send and mail from your platform is more likely to land in spam."
)


def evaluate_spf(rep: SpfReport) -> CheckResult:
    """Turn the observations into one result: worst finding first, a suggested record."""
    d = rep.domain
    if rep.dns_error:
        return errored("spf", d, rep.dns_error, evidence={"domain": d})
    if rep.nxdomain:
        return failed(
            "spf", d, f"The email domain {d} does not exist in DNS.",
            why="Nobody can receive mail from or send mail as a domain that does not exist.",
            fix=f"Check `email.domain` in launchready.yaml (it says {d}), or register the domain.",
            evidence={"domain": d, "rcode": "NXDOMAIN"},
        )
    findings: list[Finding] = []
    parsed = [parse_spf(r) for r in rep.records]
    add_terms: list[str] = []

    if not rep.records:
        findings.append(Finding(
            "fail", "no_record", f"{d} has no SPF record.",
            why="Without SPF, receivers cannot tell your real mail from forgeries: your mail is "
            "more likely to land in spam, and anybody can send mail that claims to be you.",
        ))
    elif len(rep.records) > 1:
        findings.append(Finding(
            "fail", "multiple_records",
            f"{d} has {len(rep.records)} SPF records; there must be exactly one.",
            why=_WHY_PERMERROR,
            fix="Delete all the `v=spf1` TXT records at the domain and publish the merged one below.",
        ))
    for rec in parsed:
        ignored = [t.text for t in rec.terms if t.kind == "modifier" and _mechanism_as_modifier(t.text)]
        if ignored:
            findings.append(Finding(
                "warn", "ignored_modifier",
                "The SPF record has " + ", ".join(f"`{_show(t)}`" for t in ignored) + ", which receivers "
                "read as an unknown modifier and ignore (RFC 7208 §6), so it authorizes nothing.",
                why="The servers you meant to list are not allowed to send your mail, so their mail "
                "fails SPF and is more likely to land in spam.",
                fix="Write a colon instead of `=`: " + ", ".join(
                    f"`{t.replace('=', ':', 1)}`" for t in ignored) + ".",
            ))
        if rec.errors:
            findings.append(Finding(
                "fail", "syntax", "The SPF record has errors: " + "; ".join(rec.errors) + ".",
                why=_WHY_PERMERROR,
                fix="Correct the terms named above. The suggested record below reads common typos "
                "the way they were meant (a missing space before `~all`, `ipv4:`, `include=`) and "
                "keeps every ip4:, ip6: and include: entry; check that it says what you meant.",
            ))
    trees = rep.trees
    if len(trees) == 1:
        findings.extend(_tree_findings(trees[0]))
        findings.extend(_all_findings(parsed[0], trees[0]))
        length = len(rep.records[0].encode())
        if length > RECORD_SOFT_LIMIT:
            findings.append(Finding(
                "warn", "length",
                f"The SPF record is {length} characters long (keep it under {RECORD_SOFT_LIMIT}).",
                why="Long records make DNS answers too big for one UDP packet; some receivers "
                "then fail to read them and SPF fails.",
                fix="Remove entries you no longer use, or replace several ip4: ranges with a "
                "provider's include.",
            ))
    for s in rep.senders:
        f = _sender_finding(s, rep)
        if f is not None:
            findings.append(f)
            if s.kind != "invalid" and not s.listed and s.term:
                add_terms.append(s.term)

    suggestion = _suggest(parsed, trees, add_terms, rep)
    return _assemble(rep, findings, suggestion)


def _tree_findings(tree: dict) -> list[Finding]:
    out = []
    total, voids = tree["total"], tree["total_void"]
    if total > LOOKUP_LIMIT:
        heavy = sorted(
            (c for c in tree["children"] if c.get("counted", True)), key=lambda c: -c["cost"]
        )[:3]
        names = ", ".join(f"`{c['term']}` ({c['cost']})" for c in heavy)
        out.append(Finding(
            "fail", "too_many_lookups",
            f"The SPF record needs {total} DNS lookups; receivers allow {LOOKUP_LIMIT}.",
            why="Receivers stop at the eleventh lookup and report permerror: SPF fails for "
            "mail from any sender listed after that point, which is most likely to be spam-foldered.",
            fix="Remove includes of services you no longer send through, or replace an include "
            f"with the provider's ip4:/ip6: ranges. The most expensive: {names}.",
        ))
    if voids > VOID_LIMIT:
        empty = [t["term"] for n in iter_nodes(tree) for t in n["terms"] if t.get("void")]
        out.append(Finding(
            "fail", "void_lookups",
            f"{voids} terms of the SPF tree look up names that have no records (limit {VOID_LIMIT}): "
            + ", ".join(f"`{t}`" for t in empty) + ".",
            why=_WHY_PERMERROR.replace("the whole SPF record as broken", "a third empty lookup as an error"),
            fix="Remove the terms that point at names without records (listed above), or "
            "publish the records they expect.",
        ))
    for parent in iter_nodes(tree):
        for node in parent["children"]:
            if node["status"] == "loop" and node.get("counted", True):
                mine = parent is tree
                out.append(Finding(
                    "fail", "include_loop",
                    f"`{node['term']}` in the record of {parent['domain']} points back to {node['domain']}, "
                    "which is already being read: a loop.",
                    why=_WHY_PERMERROR,
                    fix=(f"Remove `{node['term']}` from your record: it includes your own record again."
                         if mine else
                         f"Remove `{node['term']}` from the record of {parent['domain']} (if it is yours), "
                         f"or ask whoever runs {parent['domain']} to remove it. Do not keep an include that "
                         "points back to a record that includes it."),
                ))
    for node in iter_nodes(tree):
        if node is tree or not node.get("counted", True):
            continue
        if node["status"] in ("none", "nxdomain", "multiple", "syntax"):
            out.append(Finding(
                "fail", "broken_include",
                f"`{node['term']}` is broken: {node['problem']}.",
                why=_WHY_PERMERROR,
                fix=f"Remove `{node['term']}` if you no longer use that service, or ask the "
                "provider for the correct SPF domain to include.",
            ))
    for node in iter_nodes(tree):
        for t in node["terms"]:
            if t.get("problem") and "mail servers" in t["problem"]:
                out.append(Finding("fail", "mx_limit", f"`{t['term']}`: {t['problem']}.",
                                   why=_WHY_PERMERROR, fix=f"Replace `{t['term']}` with ip4:/ip6: ranges."))
    if any(t["term"].lstrip("+-~?").lower().startswith("ptr") for t in tree["terms"]):
        out.append(Finding(
            "warn", "ptr", "The record uses `ptr`, which RFC 7208 says not to use.",
            why="`ptr` is slow and unreliable; some large receivers skip it, so mail it should "
            "authorize can fail SPF.",
            fix="Replace `ptr` with the ip4:/ip6: ranges or the include of your sending service.",
        ))
    return out


def _effective_all(rec: SpfRecord, tree: dict) -> tuple[str | None, str]:
    """The `all` that decides unlisted senders: this record's, else its redirect target's."""
    t = rec.all_term
    if t is not None:
        return t.qualifier + "all", tree["domain"]
    for child in tree["children"]:
        if child["via"] == "redirect" and child.get("record"):
            inner = parse_spf(child["record"])
            return _effective_all(inner, child)
    return None, tree["domain"]


def _all_findings(rec: SpfRecord, tree: dict) -> list[Finding]:
    q, where = _effective_all(rec, tree)
    src = "" if where == tree["domain"] else f" (from the redirect to {where})"
    if q == "+all":
        return [Finding(
            "fail", "plus_all", f"The SPF record ends in `+all`{src}: every server on the internet may send as you.",
            why="`+all` authorizes the whole internet, so spammers can send mail that passes SPF "
            "as your domain; receivers learn to distrust your domain and your real mail suffers.",
            fix="Replace `+all` with `~all` (or `-all` once all your senders are listed).",
        )]
    if q == "?all":
        return [Finding(
            "fail", "neutral_all", f"The SPF record ends in `?all`{src}: it protects nothing.",
            why="`?all` tells receivers to treat unknown servers as neutral, so forged mail "
            "claiming to be you is not marked and your domain gains no protection.",
            fix="Replace `?all` with `~all` (or `-all` once all your senders are listed).",
        )]
    if q is None:
        fix = "Add `~all` at the end of the record."
        if rec.redirect is not None:
            # RFC 7208 §6.1: an `all` anywhere switches `redirect=` off
            fix = (f"Do not just add `~all`: your record ends in `{rec.redirect.text}`, and an `all` "
                   "switches that redirect off, so its servers would no longer be allowed. Either ask "
                   f"whoever runs {where} to end their record with `~all`, or replace "
                   f"`{rec.redirect.text}` with `include:{(rec.redirect.value or '').rstrip('.')} ~all` "
                   "(the suggested record below does that).")
        return [Finding(
            "warn", "no_all", f"The SPF record does not end with `~all` or `-all`{src}.",
            why="Without an `all` at the end, mail from servers you did not list gets a neutral "
            "result instead of a fail: forgeries are not caught.",
            fix=fix,
        )]
    return []


def _sender_finding(s: SenderCheck, rep: SpfReport) -> Finding | None:
    if s.kind == "invalid":
        return Finding(
            "warn", "bad_sender", f"`email.senders` entry '{s.sender}' is {s.detail}.",
            why="LaunchReady cannot check whether this sender is allowed to send your mail.",
            fix="Write each sender as an IP address (203.0.113.5), a network (203.0.113.0/24) or "
            "`include:` followed by your provider's SPF domain.",
        )
    if s.authorized:
        return None
    if s.kind != "include" and s.result == "temperror":
        return Finding(
            "error", "sender_unchecked", f"Could not check sender {s.sender}: {s.detail}",
            why="Until this can be checked, nobody knows whether mail from this sender passes SPF.",
            fix="This is not a verdict on your setup. Run the check again; if it persists, one of "
            "the includes is not answering.",
        )
    if s.listed:
        return None  # it is in the record; the record-level finding says why it does not pass yet
    if s.result == "pass":
        what = f"`{s.sender}` (it passes only because of the `+all`)"
    else:
        what = f"`{s.sender}`" + (f" (SPF result: {s.result})" if s.result else "")
    return Finding(
        "fail", "sender_missing", f"Sender {what} is not authorized by the SPF record.",
        why=f"Mail your platform sends through {s.sender} fails SPF, so it is likely to land in "
        "spam or be rejected.",
        fix=f"Add `{s.term}` to the record, before the `all` at the end.",
    )



def _assemble(rep: SpfReport, findings: list[Finding], suggestion: dict | None) -> CheckResult:
    d = rep.domain
    tree = rep.trees[0] if len(rep.trees) == 1 else None
    if rep.failures:
        findings.append(Finding(
            "error", "dns_failure",
            f"Part of the SPF tree could not be read: {rep.failures[0]}",
            why="Receivers that meet the same failure give temperror and may defer or reject your mail.",
            fix="Run the check again; if it persists, the provider's DNS named above is failing.",
        ))
    evidence: dict[str, Any] = {
        "domain": d,
        "records": rep.records,
        "record": rep.records[0] if len(rep.records) == 1 else None,
        "length": len(rep.records[0].encode()) if len(rep.records) == 1 else None,
        "string_lengths": rep.string_lengths,
        "lookup_limit": LOOKUP_LIMIT,
        "void_limit": VOID_LIMIT,
        "senders": [s.to_dict() for s in rep.senders],
        "findings": [],  # findings_result fills it in, in this place
        "dns_failures": rep.failures,
    }
    if tree is not None:
        evidence["tree"] = tree
        evidence["lookup_count"] = tree["total"]
        evidence["void_lookups"] = tree["total_void"]
        evidence["tree_text"] = render_tree(tree)
        q, _where = _effective_all(parse_spf(rep.records[0]), tree)
        evidence["all"] = q
    elif rep.trees:
        evidence["trees"] = rep.trees
        evidence["tree_text"] = [line for t in rep.trees for line in render_tree(t)]
        evidence["lookup_count"] = max(t["total"] for t in rep.trees)
    fix_lines = [f"{i}. {f.fix}" for i, f in enumerate(findings, 1) if f.fix]
    if suggestion and suggestion["record"] is None and any(f.code in _SUGGESTIBLE for f in findings):
        evidence["suggestion_withheld"] = suggestion["reason"]
        fix_lines.append(f"No suggested record this time: {suggestion['reason']}.")
    elif suggestion and any(f.code in _SUGGESTIBLE for f in findings):
        evidence["suggested_record"] = suggestion["record"]
        evidence["suggested_lookup_count"] = suggestion["lookups"]
        if suggestion.get("notes"):
            evidence["suggestion_notes"] = suggestion["notes"]
        fix_lines.append(f"Suggested record for {d} (TXT): {suggestion['record']}")
        if suggestion.get("notes"):
            fix_lines.append("How the suggestion reads your record: " + "; ".join(suggestion["notes"]) + ".")
        if suggestion["lookups"] is not None and suggestion["lookups"] > LOOKUP_LIMIT:
            fix_lines.append(
                f"Careful: this suggested record would still need {suggestion['lookups']} DNS "
                f"lookups, over the limit of {LOOKUP_LIMIT}. Also remove an include you no longer "
                "use, or replace one with the provider's ip4:/ip6: ranges."
            )
    why = " ".join(dict.fromkeys(f.why for f in findings if f.why))
    fix = "\n".join(fix_lines)

    def ok() -> str:
        n = len(rep.senders)
        senders = f", all {n} sender(s) authorized" if n else ""
        return (f"SPF record is valid: {evidence['lookup_count']} of {LOOKUP_LIMIT} DNS lookups, "
                f"ends in `{evidence.get('all')}`{senders}.")

    def summary(top: list[Finding], every: list[Finding]) -> str:
        rest = len(every) - 1
        text = top[0].message + (f" (and {rest} more problem{'s' if rest > 1 else ''})" if rest else "")
        return text.removeprefix("Could not check: ") if top[0].severity == "error" else text

    # every finding's fix, numbered, in the order found; the whys of all of them
    return findings_result("spf", d, findings, evidence, ok=ok, summary=summary, why=why, fix=fix,
                           error_fix=fix, error_why=why, shape=_as_dict)


_SUGGESTIBLE = {
    "no_record", "multiple_records", "syntax", "plus_all", "neutral_all", "no_all",
    "sender_missing", "void_lookups", "include_loop", "ignored_modifier",
}


# ---------------------------------------------------------------------------- entry point


def email_domain(profile: Profile, params: Params) -> str:
    d = (params or {}).get("domain") or profile.get("email.domain") or profile.domain
    return str(d).strip().lower().rstrip(".")


def targets(profile: Profile, params: Params) -> list[str]:
    if not email_domain(profile, params):
        raise MissingInput("email.domain")
    return [email_domain(profile, params)]


def deadline(params: Params, timeout_s: float) -> float:
    # The tree is walked level by level; each level waits for at most one timeout.
    return timeout_s * 6


async def check(ctx: CheckContext, target: str, params: Params) -> CheckResult:
    senders = (params or {}).get("senders")
    if senders is None and target == email_domain(ctx.profile, {}):
        senders = ctx.profile.get("email.senders")  # they send as the profile's domain only
    resolver = CachingResolver(ctx.net.resolver)
    try:
        report = await inspect_spf(resolver, target, [str(s) for s in senders or []])
    finally:
        resolver.close()
    return evaluate_spf(report)


class SpfEvidence(TypedDict, total=False):
    """What `check` puts in a result's evidence (the handover reads these keys)."""

    record: str
    lookup_count: int
    void_lookups: int
    all: str
    suggested_record: str
    findings: list[dict[str, Any]]
    tree: dict[str, Any]


CHECK_KIND = Kind(
    name="spf",
    family="email",
    title="SPF",
    plain="the services that send your email are listed",
    about="SPF record per RFC 7208",
    check=check,
    targets=targets,
    deadline_fn=deadline,
    schema={"email": {"domain": "str", "senders": ("list", "str")}},
    evidence=SpfEvidence,
    shown=("record", "lookup_count", "void_lookups", "all", "suggested_record", "findings"),
)
