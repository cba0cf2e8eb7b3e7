"""DMARC (RFC 7489, updated by RFC 9989): one policy record, enforced, with working reports.

Where the record is looked for: `_dmarc.<domain>` first; when there is none, RFC 9989's
DNS tree walk up the parents (at most 8 queries; names of 8+ labels jump to their last
7). We chose the tree walk over the Public Suffix List: it needs no extra dependency and
no list that goes stale, and it is what receivers implementing RFC 9989 do. A DNS
failure at the domain itself or at a parent below the top-level domain is "could not
check"; a failure when asking the top-level domain (where only registries publish `psd=y`
policies) is noted and the walk stops, because a founder's domain needs its own record.

External report addresses: an address whose domain is neither the policy domain nor
above or below it needs `<policy-domain>._report._dmarc.<their-domain>` (RFC 7489 7.1);
without it the reports are silently never sent.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from launchready_tui.core.checks.base import Kind
from launchready_tui.core.checks.email._records import more_than_one, txt_records
from launchready_tui.core.checks.email._types import Params
from launchready_tui.core.checks.email.spf import email_domain
from launchready_tui.core.findings import Finding, findings_result
from launchready_tui.core.net import DnsFailure
from launchready_tui.core.registry import MissingInput
from launchready_tui.core.results import CheckResult, errored, failed, passed

if TYPE_CHECKING:
    from launchready_tui.core.checks.email._types import Resolver
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.profile import Profile

MAX_WALK_QUERIES = 8
POLICIES = ("none", "quarantine", "reject")
_CANDIDATE = re.compile(r"^\s*v\s*=\s*dmarc1\s*(;|$)", re.I)


def is_dmarc_record(text: str) -> bool:
    """Anything that tries to be a DMARC record (case-insensitive); validity comes later."""
    return bool(_CANDIDATE.match(text))


@dataclass
class DmarcRecord:
    text: str
    tags: dict[str, str] = field(default_factory=dict)  # names lower-cased (RFC 7489 §6.4)
    errors: list[str] = field(default_factory=list)  # the record cannot be used as written
    ignored: list[str] = field(default_factory=list)  # tags receivers skip; the rest still works
    notes: list[str] = field(default_factory=list)
    dropped: set[str] = field(default_factory=set)  # tag names (or "rua"/"ruf" entries) ignored

    def get(self, tag: str, default: str | None = None) -> str | None:
        if tag in self.dropped:
            return default
        return self.tags.get(tag, default)

    @property
    def p(self) -> str:
        return (self.tags.get("p") or "none").lower()

    @property
    def pct(self) -> int:
        """pct, or 100 when it is missing or out of range (an invalid tag is ignored)."""
        v = self.tags.get("pct", "100")
        return int(v) if v.isdigit() and int(v) <= 100 else 100

    def uris(self, tag: str) -> list[str]:
        """The reporting addresses receivers use: entries that are not URIs are skipped."""
        return [u for u in self.raw_uris(tag) if _valid_uri(u)]

    def raw_uris(self, tag: str) -> list[str]:
        return [u.strip() for u in (self.tags.get(tag) or "").split(",") if u.strip()]


KNOWN_TAGS = ("v", "p", "sp", "np", "adkim", "aspf", "pct", "rua", "ruf", "fo", "rf", "ri", "t", "psd")


def _valid_uri(uri: str) -> bool:
    return ":" in uri and not (uri.lower().startswith("mailto:") and "@" not in uri)


def _close(word: str, choices: Iterable[str]) -> str:
    import difflib

    swapped = [c for c in choices if sorted(c) == sorted(word.lower()) and c != word.lower()]  # `rau`, `rjeect`
    m = swapped or difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    return f" (did you mean `{m[0]}`?)" if m else ""


def parse_dmarc(text: str) -> DmarcRecord:
    """Parse a DMARC record the way receivers read it. Tag names and `v=DMARC1` are
    case-insensitive (RFC 7489 §6.4: ABNF literals). `errors` make the record unusable (no
    `v=DMARC1` first, an unreadable policy, a tag twice); a tag whose value is invalid is
    skipped and its default applies (`ignored`): the rest of the record still works."""
    rec = DmarcRecord(text=text)
    pairs: list[tuple[str, str]] = []
    for part in text.split(";"):
        if not part.strip(" \t\r\n"):
            continue
        if "=" not in part:
            rec.ignored.append(f"`{part.strip()[:60]}` is not tag=value, so receivers skip it")
            continue
        name, value = part.split("=", 1)
        pairs.append((name.strip(" \t\r\n").lower(), " ".join(value.split())))
    if not pairs or pairs[0][0] != "v" or pairs[0][1].upper() != "DMARC1":
        rec.errors.append("the record must start with `v=DMARC1`")
    elif pairs[0][1] != "DMARC1":
        rec.notes.append(f"`v={pairs[0][1]}` works (case does not matter); `v=DMARC1` is the usual spelling")
    tags: dict[str, str] = {}
    for name, value in pairs:
        if name in tags:
            rec.errors.append(f"the tag `{name}` appears twice")
            continue
        tags[name] = value
    rec.tags = tags

    def skip(tag: str, why: str) -> None:
        rec.dropped.add(tag)
        rec.ignored.append(f"`{tag}={tags[tag]}` {why}, so receivers ignore it")

    if "p" not in tags:
        rec.notes.append("p= is missing: RFC 9989 receivers treat that as p=none, older ones ignore the record")
    for tag in ("p", "sp"):
        if tag in tags and tags[tag].lower() not in POLICIES:
            rec.errors.append(f"{tag}={tags[tag]} is not none, quarantine or reject{_close(tags[tag], POLICIES)}")
    if "np" in tags and tags["np"].lower() not in POLICIES:
        skip("np", "is not none, quarantine or reject")
    for tag in ("adkim", "aspf"):
        if tag in tags and tags[tag].lower() not in ("r", "s"):
            skip(tag, "is not r (relaxed) or s (strict); the default r applies")
    if "pct" in tags:
        if not tags["pct"].isdigit() or int(tags["pct"]) > 100:
            skip("pct", "is not a whole number from 0 to 100; the policy applies to all mail (100)")
        else:
            rec.notes.append("pct= is removed in RFC 9989; newer receivers ignore it")
    if "t" in tags and tags["t"].lower() not in ("y", "n"):  # RFC 9989: t= is y or n
        skip("t", "is not y or n; the default n (not testing) applies")
    if "psd" in tags and tags["psd"].lower() not in ("y", "n", "u"):
        skip("psd", "is not y, n or u")
    if "fo" in tags:
        bad = [v for v in tags["fo"].split(":") if v.strip().lower() not in ("0", "1", "d", "s")]
        if bad:
            skip("fo", f"has {', '.join(repr(b.strip()) for b in bad)}, which is not 0, 1, d or s")
        elif not tags.get("ruf"):
            rec.notes.append("fo= only matters with ruf= (failure reports); it does nothing here")
    if "ri" in tags and not tags["ri"].isdigit():
        skip("ri", "is not a number of seconds")
    if "rf" in tags and any(v.strip().lower() != "afrf" for v in tags["rf"].split(":")):
        skip("rf", "is not afrf")
    for tag in ("rua", "ruf"):
        for uri in rec.raw_uris(tag):
            if ":" not in uri:
                rec.ignored.append(f"the {tag} entry '{uri}' is not a URI (write mailto:{uri}), so receivers "
                                   "skip it")
            elif uri.lower().startswith("mailto:") and "@" not in uri:
                rec.ignored.append(f"the {tag} entry '{uri}' has no e-mail address, so receivers skip it")
    for k in tags:
        if k not in KNOWN_TAGS:
            hint = _close(k, KNOWN_TAGS[1:])
            (rec.ignored if hint else rec.notes).append(
                f"`{k}=` is not a DMARC tag{hint}, so receivers ignore it")
    return rec


def corrected_record(rec: DmarcRecord, domain: str) -> str:
    """The published record with what receivers skip taken out or mended, keeping its
    policy: never weaker than what is published (a p= typo is read as the nearest policy,
    and never as less than the record's other policy tags)."""
    import difflib

    def policy(v: str | None) -> str | None:
        if v is None:
            return None
        v = v.lower()
        if v in POLICIES:
            return v
        m = difflib.get_close_matches(v, POLICIES, n=1, cutoff=0.6)
        return m[0] if m else None

    p = policy(rec.tags.get("p"))
    sp = policy(rec.tags.get("sp"))
    if p is None:  # unreadable: receivers fall back to none; take the strongest stated policy
        p = max((x for x in (sp, policy(rec.tags.get("np"))) if x), key=POLICIES.index, default="none")
    out = [("v", "DMARC1"), ("p", p)]
    if sp is not None:
        out.append(("sp", sp))
    tags: dict[str, str] = {}
    for k, v in rec.tags.items():
        if k not in KNOWN_TAGS:  # a misspelt tag (`rau=`) becomes the tag it was meant to be
            hint = _close(k, KNOWN_TAGS[1:])
            k = hint.split("`")[1] if hint else k
            if k in rec.tags or k in tags:
                continue
        tags[k] = v
    for k, v in tags.items():
        if k in ("v", "p", "sp") or k in rec.dropped or k not in KNOWN_TAGS:
            continue
        if k in ("rua", "ruf"):
            raw = [u.strip() for u in v.split(",") if u.strip()]
            fixed = [u if ":" in u else f"mailto:{u}" for u in raw if ":" in u or "@" in u]
            fixed = [u for u in fixed if _valid_uri(u)]
            if fixed:
                out.append((k, ",".join(fixed)))
            continue
        out.append((k, v))
    if not any(k == "rua" for k, _ in out):
        out.append(("rua", f"mailto:dmarc-reports@{domain}"))
    return "; ".join(f"{k}={v}" for k, v in out)


def mailto_domain(uri: str) -> str | None:
    if not uri.lower().startswith("mailto:"):
        return None
    addr = uri[7:].split("!", 1)[0].split("?", 1)[0]
    return addr.rsplit("@", 1)[1].lower().rstrip(".") if "@" in addr else None


def same_organization(a: str, b: str) -> bool:
    a, b = a.lower().rstrip("."), b.lower().rstrip(".")
    return a == b or a.endswith("." + b) or b.endswith("." + a)


# ---------------------------------------------------------------------------- discovery


@dataclass
class Discovery:
    domain: str
    location: str | None = None  # the domain whose _dmarc record applies
    records: list[str] = field(default_factory=list)  # DMARC records at that location
    queried: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def inherited(self) -> bool:
        return self.location is not None and self.location != self.domain


def walk_targets(domain: str) -> list[str]:
    """RFC 9989 4.10: the domain, then its parents (8+ labels jump to the last 7)."""
    labels = domain.rstrip(".").split(".")
    out = [".".join(labels)]
    n = len(labels)
    n = 7 if n >= 8 else n - 1
    while n >= 1 and len(out) < MAX_WALK_QUERIES:
        out.append(".".join(labels[-n:]))
        n -= 1
    return out


async def discover(resolver: Resolver, domain: str) -> Discovery:
    """Find the DMARC record that applies to `domain`. Raises DnsFailure when unsure."""
    disc = Discovery(domain=domain)
    for i, target in enumerate(walk_targets(domain)):
        name = f"_dmarc.{target}"
        disc.queried.append(name)
        try:
            _ans, recs = await txt_records(resolver, name, is_dmarc_record)
        except DnsFailure as e:
            if i > 0 and "." not in target:
                disc.notes.append(f"the top-level domain did not answer ({e.kind}); walk stopped")
                break
            raise
        if i == 0 and recs:
            disc.location, disc.records = target, recs  # several at the domain itself: reported
            return disc
        if len(recs) == 1:
            disc.location, disc.records = target, recs
            return disc
        if len(recs) > 1:
            disc.notes.append(f"{name} has {len(recs)} records; RFC 9989 skips it")
    return disc


async def check_report_auth(resolver: Resolver, policy_domain: str, uri: str) -> dict[str, Any]:
    """One rua/ruf address: external? authorized by the other domain?"""
    other = mailto_domain(uri)
    info: dict[str, Any] = {"uri": uri, "domain": other, "external": False, "authorized": None}
    if other is None or same_organization(other, policy_domain):
        return info
    info["external"] = True
    name = f"{policy_domain}._report._dmarc.{other}"
    info["authorization_record"] = name
    try:
        _ans, recs = await txt_records(resolver, name, is_dmarc_record)
    except DnsFailure as e:
        info["error"] = str(e)
        return info
    info["authorized"] = bool(recs)
    return info


# ---------------------------------------------------------------------------- verdict


def rollout_plan(rec: DmarcRecord | None, domain: str, today: dt.date) -> tuple[list[str], list[dict]]:
    """none -> quarantine -> reject, with dates and the record for each step."""
    base = dict(rec.tags) if rec else {"v": "DMARC1"}
    base.pop("pct", None)
    if not base.get("rua"):
        base["rua"] = f"mailto:dmarc-reports@{domain}"

    def record(p: str) -> str:
        tags = {"v": "DMARC1", "p": p, **{k: v for k, v in base.items() if k not in ("v", "p")}}
        return "; ".join(f"{k}={v}" for k, v in tags.items())

    steps = [
        (today, "none", "read the reports for two weeks; make sure every service that sends "
         "your mail passes SPF or DKIM"),
        (today + dt.timedelta(days=14), "quarantine", "mail that fails goes to spam; keep reading the reports"),
        (today + dt.timedelta(days=42), "reject", "mail that fails is refused: spoofing stops"),
    ]
    lines, plan = [], []
    for when, p, what in steps:
        lines.append(f"{when.isoformat()}: {record(p)}  ({what})")
        plan.append({"date": when.isoformat(), "p": p, "record": record(p)})
    return lines, plan


def _as_dict(f: Finding) -> dict[str, Any]:
    """How the evidence has always spelt a DMARC finding."""
    return {"status": f.severity, "summary": f.message}


def evaluate_dmarc(disc: Discovery, reports: list[dict], today: dt.date) -> CheckResult:
    d = disc.domain
    ev: dict[str, Any] = {"domain": d, "queried": disc.queried, "location": disc.location,
                          "records": disc.records, "inherited": disc.inherited}
    if disc.notes:
        ev["notes"] = list(disc.notes)
    if not disc.records or disc.location is None or "." not in disc.location:
        if disc.records:
            ev.setdefault("notes", []).append(
                f"only the top-level domain .{disc.location} publishes a policy; a registry's "
                "policy is no substitute for your own record")
        lines, plan = rollout_plan(None, d, today)
        ev["rollout"] = plan
        return failed(
            "dmarc", d, f"{d} has no DMARC record.",
            why="Without DMARC, receivers have no instruction for mail that fails SPF and DKIM: "
            "anybody can send mail as your domain, and big mailbox providers now expect DMARC "
            "from any domain that sends in bulk.",
            fix=f"Publish a TXT record at _dmarc.{d}, then tighten it step by step:\n" + "\n".join(lines),
            evidence=ev,
        )
    if len(disc.records) > 1:
        return more_than_one(
            "dmarc", d, f"_dmarc.{disc.location}", len(disc.records), "DMARC",
            why="Receivers ignore DMARC entirely when there is more than one record: your "
            "domain is unprotected.",
            fix=f"Delete all but one of the `v=DMARC1` TXT records at _dmarc.{disc.location}.",
            evidence=ev,
        )
    rec = parse_dmarc(disc.records[0])
    ev.update(record=rec.text, p=rec.get("p"), sp=rec.get("sp"), np=rec.get("np"),
              adkim=rec.get("adkim", "r"), aspf=rec.get("aspf", "r"), pct=rec.pct,
              rua=rec.uris("rua"), ruf=rec.uris("ruf"), fo=rec.get("fo"), t=rec.get("t"),
              psd=rec.get("psd"), notes=disc.notes + rec.notes, reporting=reports)
    if rec.ignored:
        ev["ignored"] = list(rec.ignored)
    if rec.errors:
        fixed = corrected_record(rec, disc.location)
        ev["corrected_record"] = fixed
        return failed(
            "dmarc", d, f"The DMARC record at _dmarc.{disc.location} is invalid: " + "; ".join(rec.errors) + ".",
            why="Receivers ignore a DMARC record they cannot read (or read its policy as p=none): "
            "your domain is unprotected until it is corrected.",
            fix=f"Replace the TXT record at _dmarc.{disc.location} with this corrected one (same policy, "
            f"the problems above fixed): `{fixed}`",
            evidence=ev,
        )
    policy = rec.p
    if disc.inherited:
        policy = (rec.get("sp") or rec.p).lower()
        if (rec.get("psd") or "").lower() == "y":
            ev["inherited_from_psd"] = True
    ev["effective_policy"] = policy
    found: list[Finding] = []
    if rec.ignored:
        fixed = corrected_record(rec, disc.location)
        ev["corrected_record"] = fixed
        found.append(Finding("warn", "ignored_tags", "The DMARC record works, but receivers ignore part of it: "
                             + "; ".join(rec.ignored) + ".",
                             "A tag receivers cannot read is skipped and its default applies, so the record "
                             "does not do everything you meant (for example, reports may never arrive).",
                             f"Replace the TXT record at _dmarc.{disc.location} with: `{fixed}`"))
    lines, plan = rollout_plan(rec, disc.location, today)
    if policy == "none":
        ev["rollout"] = plan
        found.append(Finding("warn", "policy_none", f"DMARC policy is p=none (monitoring only) for {d}.",
                             "p=none only asks for reports: receivers still deliver forged mail that "
                             "claims to be you.",
                             "Move to enforcement in steps:\n" + "\n".join(lines)))
    elif policy == "quarantine" and rec.pct < 100:
        found.append(Finding("warn", "partial_pct", f"DMARC p=quarantine applies to only {rec.pct}% of failing mail (pct={rec.pct}).",
                             f"The other {100 - rec.pct}% of forged mail is delivered normally.",
                             f"Remove `pct={rec.pct}` (or set pct=100), then move to p=reject: "
                             f"{plan[2]['record']}"))
    if (rec.get("t") or "").lower() == "y":
        found.append(Finding("warn", "testing", "DMARC is in testing mode (t=y).",
                             "In testing mode receivers apply a policy one step weaker than the one you set.",
                             "Remove `t=y` once the reports show all your mail passes."))
    sp = (rec.get("sp") or "").lower()
    if not disc.inherited and policy != "none" and sp == "none":
        found.append(Finding("warn", "subdomains_open", "Subdomains are not protected (sp=none).",
                             "Anybody can send forged mail from made-up subdomains of yours.",
                             f"Remove `sp=none` so subdomains follow p={policy}, or set sp={policy}."))
    if not rec.uris("rua") and policy == "none":
        found.append(Finding("warn", "no_reports", "DMARC asks for no reports (no rua=).",
                             "Without reports you cannot see which services send as you, so you cannot "
                             "safely move past p=none.",
                             f"Add `rua=mailto:dmarc-reports@{d}` (any mailbox you read)."))
    for r in reports:
        if r.get("error"):
            found.append(Finding("error", "report_unchecked", f"Could not check the report authorization for {r['uri']}: {r['error']}",
                                 "Until it can be checked, nobody knows whether these reports arrive.",
                                 "This is not a verdict on your setup. Run the check again."))
        elif r["external"] and not r["authorized"]:
            found.append(Finding("warn", "report_unauthorized",
                                 f"Reports to {r['uri']} are silently dropped: {r['domain']} has not authorized them.",
                                 "Receivers only send reports to another domain when that domain publishes "
                                 "an authorization record, so you get no reports.",
                                 f"Ask the owner of {r['domain']} (your DMARC report service) to publish "
                                 f"TXT `{r['authorization_record']}` = `v=DMARC1`, or send reports to an "
                                 f"address at {d}."))
    where = f" (inherited from _dmarc.{disc.location})" if disc.inherited else ""
    if not found:
        return passed("dmarc", d, f"DMARC policy is p={policy}{where}, enforced on all failing mail.",
                      evidence=ev)
    more = len(found) - 1
    fix = "\n".join(f"{i}. {f.fix}" for i, f in enumerate(found, 1)) if more else found[0].fix
    why = " ".join(f.why for f in found)

    def summary(top: list[Finding], every: list[Finding]) -> str:
        text = top[0].message + where + (f" (and {more} more)" if more else "")
        return text.removeprefix("Could not check ") if top[0].severity == "error" else text

    # `ok` is never used: every finding here is a warning or could-not-check
    return findings_result("dmarc", d, found, ev, ok="", summary=summary, why=why, fix=fix,
                           error_fix=fix, error_why=why, shape=_as_dict)


# ---------------------------------------------------------------------------- entry point


def targets(profile: Profile, params: Params) -> list[str]:
    d = email_domain(profile, params)
    if not d:
        raise MissingInput("email.domain")
    return [d]


async def check(ctx: CheckContext, target: str, params: Params) -> CheckResult:
    resolver = ctx.net.resolver
    try:
        disc = await discover(resolver, target)
    except DnsFailure as e:
        return errored("dmarc", target, str(e), evidence={"domain": target})
    reports: list[dict] = []
    if len(disc.records) == 1:
        rec = parse_dmarc(disc.records[0])
        uris = rec.uris("rua") + rec.uris("ruf")
        reports = list(await asyncio.gather(*(check_report_auth(resolver, disc.location or target, u) for u in uris)))
    return evaluate_dmarc(disc, reports, ctx.clock().date())


class RolloutStep(TypedDict):
    """One step of the DMARC rollout plan (`rollout_plan`)."""

    date: str  # YYYY-MM-DD
    p: str  # none | quarantine | reject
    record: str


class DmarcEvidence(TypedDict, total=False):
    """What `check` puts in a result's evidence (the handover reads these keys)."""

    records: list[str]
    effective_policy: str
    location: str
    findings: list[dict[str, Any]]
    rollout: list[RolloutStep]


CHECK_KIND = Kind(
    name="dmarc",
    family="email",
    title="DMARC",
    plain="inboxes know what to do with fake emails",
    about="DMARC policy and reporting",
    check=check,
    targets=targets,
    schema={"email": {"domain": "str"}},
    evidence=DmarcEvidence,
    shown=("records", "effective_policy", "location", "findings"),
)
