"""Mail exchangers: can the email domain receive replies and bounces?

A platform that sends mail from a domain with no working MX loses every reply and
bounce, and some receivers refuse mail from a domain that cannot receive any. A null
MX (RFC 7505: a single `0 .` record) is the explicit "this domain receives no mail"; it
is right for a send-nothing domain and a problem for one that sends.

Whether the domain sends mail comes from `email.sends_mail`; when that is not set, the
profile listing senders, DKIM selectors or a provider counts as yes, and so does silence
(most platforms send at least password-reset mail).
"""

from __future__ import annotations

import asyncio
import ipaddress
from typing import TYPE_CHECKING, Any, TypedDict

from launchready_tui.core.checks.base import Kind
from launchready_tui.core.checks.email._types import Params
from launchready_tui.core.checks.email.spf import email_domain
from launchready_tui.core.net import DnsAnswer, DnsFailure
from launchready_tui.core.registry import MissingInput
from launchready_tui.core.results import CheckResult, errored, failed, passed, warned

if TYPE_CHECKING:
    from launchready_tui.core.checks.email._types import Resolver
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.profile import Profile


def sends_mail(profile: Profile, params: Params) -> tuple[bool, str]:
    """(does the domain send mail, why we think so)."""
    v = (params or {}).get("sends_mail", profile.get("email.sends_mail"))
    if v is not None:
        return bool(v), "email.sends_mail in the profile"
    for key in ("email.senders", "email.dkim_selectors", "email.provider"):
        if profile.get(key):
            return True, f"the profile lists {key}"
    return True, "assumed: most platforms send at least sign-up and password mail"


def parse_mx(record: str) -> tuple[int | None, str]:
    parts = record.split()
    if len(parts) != 2 or not parts[0].isdigit():
        return None, record.strip()
    return int(parts[0]), parts[1]


def targets(profile: Profile, params: Params) -> list[str]:
    d = email_domain(profile, params)
    if not d:
        raise MissingInput("email.domain")
    return [d]


async def _resolve_host(resolver: Resolver, host: str) -> dict[str, Any]:
    info: dict[str, Any] = {"host": host, "addresses": []}
    try:
        ipaddress.ip_address(host)
        info["problem"] = "an IP address, not a host name (RFC 5321 forbids this)"
        return info
    except ValueError:
        pass
    a, aaaa = await asyncio.gather(
        resolver.query(host, "A"), resolver.query(host, "AAAA"), return_exceptions=True
    )
    for ans in (a, aaaa):
        if isinstance(ans, BaseException) and not isinstance(ans, DnsFailure):
            raise ans
    # what is left is an answer or a DnsFailure
    if isinstance(a, DnsFailure) and (not isinstance(aaaa, DnsAnswer) or not aaaa.records):
        info["error"] = str(a)
        return info
    for ans in (a, aaaa):
        if isinstance(ans, DnsAnswer):
            info["addresses"] += ans.records
            if ans.chain:
                info["cname"] = [f"{x} -> {y}" for x, y in ans.chain]
    if not info["addresses"]:
        info["problem"] = "does not resolve (no A or AAAA record)"
    return info


async def check(ctx: CheckContext, target: str, params: Params) -> CheckResult:
    resolver = ctx.net.resolver
    sends, because = sends_mail(ctx.profile, params)
    ev: dict[str, Any] = {"domain": target, "sends_mail": sends, "sends_mail_source": because}
    try:
        ans = await resolver.query(target, "MX")
    except DnsFailure as e:
        return errored("mx", target, str(e), evidence=ev)
    if ans.nxdomain:
        return failed("mx", target, f"The email domain {target} does not exist in DNS.",
                      why="Nobody can send mail to, or receive mail from, a domain that does not exist.",
                      fix=f"Check `email.domain` in launchready.yaml (it says {target}), or register the domain.",
                      evidence=ev)
    records = [parse_mx(r) for r in ans.records]
    ev["records"] = ans.records
    null = [r for r in records if r[1] in (".", "")]
    ev["null_mx"] = bool(null)
    if null and len(records) > 1:
        return failed("mx", target, f"{target} mixes a null MX (\"no mail\") with real mail servers.",
                      why="RFC 7505 says a null MX must be the only MX record; senders may treat "
                      "the domain as receiving no mail at all and drop replies.",
                      fix=f"Delete the `0 .` MX record at {target} if the domain receives mail, "
                      "or delete the other MX records if it does not.", evidence=ev)
    if null:
        if not sends:
            return passed("mx", target, f"{target} declares that it receives no mail (null MX, RFC 7505).",
                          evidence=ev)
        return warned("mx", target,
                      f"{target} has a null MX: it declares that it receives no mail, yet it sends mail.",
                      why="Replies and bounces to your platform's mail are refused, so you never learn "
                      "about undeliverable addresses, and some receivers reject mail from domains "
                      "that cannot receive any (RFC 7505 4.2).",
                      fix=f"Replace the `0 .` MX record at {target} with your mail provider's MX "
                      "records, or send from a subdomain that has them.", evidence=ev)
    if not records:
        ev["implicit_mx"] = True
        if not sends:
            return passed("mx", target, f"{target} has no MX records and, per the profile, sends no mail.",
                          evidence=ev)
        return warned("mx", target, f"{target} has no MX records, but it sends mail.",
                      why="Bounces and replies to your platform's mail will be lost: senders fall back to "
                      "the domain's own address, usually the web server, which does not accept mail.",
                      fix=f"Add the MX records your mail provider gives you at {target}. If you really "
                      "want no mail, publish a null MX (`0 .`) and set `email.sends_mail: false`.",
                      evidence=ev)
    hosts = sorted({(p if p is not None else 65536, h.rstrip(".").lower()) for p, h in records})
    infos = await asyncio.gather(*(_resolve_host(resolver, h) for _, h in hosts))
    for (pref, _h), info in zip(hosts, infos, strict=True):
        info["preference"] = pref if pref != 65536 else None
    ev["mx"] = infos
    return _verdict(target, infos, ev)


def _verdict(target: str, infos: list[dict], ev: dict) -> CheckResult:
    broken = [i for i in infos if i.get("problem")]
    unsure = [i for i in infos if i.get("error")]
    aliased = [i for i in infos if i.get("cname") and not i.get("problem")]
    listing = ", ".join(f"{i['preference']} {i['host']}" for i in infos)
    if broken:
        names = "; ".join(f"{i['host']} {i['problem']}" for i in broken)
        all_broken = len(broken) == len(infos)
        return failed("mx", target, f"Mail server problem for {target}: {names}.",
                      why=("No mail to your domain can be delivered: replies and bounces are lost."
                           if all_broken else "Senders that try this mail server first get an "
                           "error and may give up, so some replies and bounces are lost."),
                      fix=f"Point the MX records of {target} at host names that have A/AAAA "
                      "records, as your mail provider lists them, and delete stale ones.",
                      evidence=ev)
    if unsure:
        reason = "; ".join(i["error"] for i in unsure)
        return errored("mx", target, reason, evidence=ev)
    if aliased:
        names = ", ".join(i["host"] for i in aliased)
        return warned("mx", target, f"MX of {target} points at an alias (CNAME): {names}.",
                      why="RFC 2181 forbids MX records that point at a CNAME; some senders refuse "
                      "to deliver, so some replies and bounces are lost.",
                      fix="Point the MX record at the host name the alias leads to.", evidence=ev)
    return passed("mx", target,
                  f"{target} receives mail: {len(infos)} mail server(s), all resolve ({listing}).",
                  evidence=ev)


class MxEvidence(TypedDict, total=False):
    """What `check` puts in a result's evidence (the handover reads these keys)."""

    mx: list[Any]
    records: list[Any]
    null_mx: bool


CHECK_KIND = Kind(
    name="mx",
    family="email",
    title="MX",
    plain="email sent to your domain has somewhere to go",
    about="mail exchangers",
    check=check,
    targets=targets,
    schema={"email": {"domain": "str", "sends_mail": "bool"}},
    evidence=MxEvidence,
    shown=("mx", "records", "null_mx"),
)
