"""DKIM keys (RFC 6376, RFC 8301, RFC 8463), one result per selector.

Selectors cannot be listed from DNS, so the profile names them (`email.dkim_selectors`;
`launchready dkim-selectors` finds them in a pasted message header). For each one we
read `<selector>._domainkey.<domain>`, parse its tag list, and measure the key itself
with `cryptography` rather than trusting the record's length: under 1024 bits is a
fail (receivers ignore the signature), 1024-2047 is weak, an empty `p=` is revoked and
`t=y` is testing mode.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TypedDict

from launchready_tui.core.checks.base import Kind
from launchready_tui.core.checks.email._records import more_than_one, txt_records
from launchready_tui.core.checks.email._types import Params
from launchready_tui.core.checks.email.spf import email_domain
from launchready_tui.core.net import DnsFailure
from launchready_tui.core.registry import MissingInput
from launchready_tui.core.results import CheckResult, errored, failed, passed, warned

if TYPE_CHECKING:
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.profile import Profile

_TAG_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_FWS = re.compile(r"[ \t\r\n]+")
MIN_BITS = 1024
GOOD_BITS = 2048


class TagListError(ValueError):
    pass


def parse_tag_list(text: str) -> dict[str, str]:
    """RFC 6376 3.2 tag=value list. Tag names are case-sensitive; duplicates are errors.

    Raises TagListError naming the problem. Empty segments (a trailing `;`) are allowed.
    """
    tags: dict[str, str] = {}
    for part in text.split(";"):
        if not part.strip(" \t\r\n"):
            continue
        if "=" not in part:
            raise TagListError(f"'{part.strip()}' is not tag=value")
        name, value = part.split("=", 1)
        name = name.strip(" \t\r\n")
        if not _TAG_NAME.match(name):
            raise TagListError(f"'{name}' is not a valid tag name")
        if name in tags:
            raise TagListError(f"the tag '{name}' appears twice")
        value = _FWS.sub(" ", value.strip(" \t\r\n"))
        if any(not (0x21 <= ord(c) <= 0x7E) and c != " " or c == ";" for c in value):
            raise TagListError(f"the value of '{name}' has characters outside visible ASCII")
        tags[name] = value
    return tags


def looks_like_dkim_key(text: str) -> bool:
    t = text.strip().lower()
    return t.startswith("v=dkim1") or bool(re.search(r"(^|;)\s*p\s*=", t))


def describe_key(p: str, k: str = "rsa") -> dict[str, Any]:
    """Load the public key of a `p=` value; return type, bits and a fingerprint.

    Raises ValueError with a plain reason when the key cannot be read.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

    raw_b64 = re.sub(r"\s+", "", p)
    try:
        der = base64.b64decode(raw_b64, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the key (p=) is not valid base64") from None
    fingerprint = "sha256:" + hashlib.sha256(der).hexdigest()[:16]
    if k == "ed25519":
        if len(der) != 32:
            raise ValueError(f"an ed25519 key must be 32 bytes, this one is {len(der)}")
        ed25519.Ed25519PublicKey.from_public_bytes(der)
        return {"key_type": "ed25519", "key_bits": 256, "fingerprint": fingerprint}
    try:
        key = serialization.load_der_public_key(der)
    except (ValueError, TypeError):
        raise ValueError("the key (p=) is not a readable public key") from None
    if isinstance(key, rsa.RSAPublicKey):
        return {"key_type": "rsa", "key_bits": key.key_size, "fingerprint": fingerprint}
    raise ValueError(f"the key is a {type(key).__name__}, not RSA as k={k} says")


def selector_name(entry: str, domain: str) -> str:
    entry = str(entry).strip().rstrip(".").lower()
    if "._domainkey." in entry:
        return entry
    return f"{entry}._domainkey.{domain}"


def targets(profile: Profile, params: Params) -> list[str]:
    selectors = (params or {}).get("selectors") or profile.get("email.dkim_selectors") or []
    if not selectors:
        raise MissingInput(
            "email.dkim_selectors",
            "paste a message header into `launchready dkim-selectors` to find them",
        )
    domain = email_domain(profile, params)
    return [selector_name(s, domain) for s in selectors]


_WHY_BROKEN = (
    "Mail signed with this selector fails DKIM, so it is more likely to land in spam, and "
    "DMARC has only SPF left to pass on."
)


async def check(ctx: CheckContext, target: str, params: Params) -> CheckResult:
    selector = target.split("._domainkey.", 1)[0]
    ev: dict[str, Any] = {"name": target, "selector": selector}
    try:
        ans, keys = await txt_records(ctx.net.resolver, target, looks_like_dkim_key)
    except DnsFailure as e:
        return errored("dkim", target, str(e), evidence=ev)
    ev["records"] = ans.records
    if not keys:
        where = "does not exist" if ans.nxdomain or not ans.records else "holds no DKIM key"
        return failed(
            "dkim", target, f"DKIM selector '{selector}' is missing: {target} {where}.",
            why=_WHY_BROKEN,
            fix=f"In {_where(getattr(ctx, 'profile', None), selector)}, copy the DKIM record for selector "
            f"'{selector}' and publish it as a TXT record at {target}. If you no longer send "
            "with this selector, remove it from `email.dkim_selectors`. To see which selectors "
            "your mail really uses, run `launchready dkim-selectors` on a received message's header.",
            evidence=ev,
        )
    if len(keys) > 1:
        return more_than_one(
            "dkim", target, target, len(keys), "DKIM key",
            why="Receivers pick one of them at random or reject both, so signatures fail "
            "unpredictably.",
            fix=f"Delete the old key record at {target} and keep only the one your provider shows now.",
            evidence=ev,
        )
    record = keys[0]
    ev["record"] = record
    try:
        tags = parse_tag_list(record)
    except TagListError as e:
        return failed(
            "dkim", target, f"The DKIM record at {target} does not parse: {e}.",
            why=_WHY_BROKEN,
            fix="Publish the record exactly as your provider gives it (tag=value pairs "
            "separated by ';'). If your DNS host split it, make sure the parts were joined "
            "without extra characters.",
            evidence=ev,
        )
    ev["tags"] = {k: v for k, v in tags.items() if k != "p"}
    return _judge(target, selector, tags, ev, where=_where(getattr(ctx, "profile", None), selector))


def _where(profile: Profile | None, selector: str) -> str:
    """The email service's DKIM page when the profile or the selector tells which one."""
    from launchready_tui.core.dashboards import dkim_where

    return dkim_where(profile, selector) or "your email service's domain (DNS) settings"


def _judge(target: str, selector: str, tags: dict[str, str], ev: dict[str, Any],
           where: str = "your email service's DKIM settings") -> CheckResult:
    problem = _tag_problem(tags)
    if problem:
        return failed("dkim", target, f"The DKIM record at {target} is invalid: {problem}.",
                      why=_WHY_BROKEN, fix="Copy the record again from your email provider and "
                      "replace the one at " + target + ".", evidence=ev)
    p = tags["p"].replace(" ", "")
    if not p:
        ev["revoked"] = True
        return failed(
            "dkim", target, f"DKIM key '{selector}' is revoked (empty p=).",
            why="Every message still signed with this selector fails DKIM.",
            fix=f"If your provider still signs with '{selector}', publish its current key at "
            f"{target}. If you moved to another selector, replace '{selector}' in "
            "`email.dkim_selectors` with the new one.",
            evidence=ev,
        )
    k = tags.get("k", "rsa").lower()
    ev["p_length"] = len(p)
    try:
        ev.update(describe_key(p, k))
    except ValueError as e:
        return failed("dkim", target, f"The DKIM key at {target} cannot be read: {e}.",
                      why=_WHY_BROKEN, fix="Copy the key again from your email provider; a "
                      "missing or extra character breaks it.", evidence=ev)
    flags = [f.strip().lower() for f in tags.get("t", "").split(":") if f.strip()]
    ev["testing"] = "y" in flags
    bits, ktype = ev["key_bits"], ev["key_type"]
    size = f"{bits}-bit {ktype.upper() if ktype == 'rsa' else ktype}"
    rotate = (
        f"In {where}, create a new selector with a 2048-bit key, "
        f"publish it, switch signing to it, then delete {target}."
    )
    if ktype == "rsa" and bits < MIN_BITS:
        return failed("dkim", target, f"DKIM key '{selector}' is only {size}: receivers ignore it.",
                      why="RFC 8301 forbids keys under 1024 bits: signatures with this key "
                      "count as failed, and such a short key can be broken to forge your mail.",
                      fix=rotate, evidence=ev)
    if ktype == "rsa" and bits < GOOD_BITS:
        return warned("dkim", target, f"DKIM key '{selector}' is a weak {size} key.",
                      why="1024-bit keys are below today's norm of 2048 bits; some receivers "
                      "already trust them less, and they will be refused in the future.",
                      fix=rotate, evidence=ev)
    if ev["testing"]:
        return warned("dkim", target, f"DKIM key '{selector}' ({size}) is in testing mode (t=y).",
                      why="In testing mode receivers treat a failing signature like no "
                      "signature, so DKIM does not protect your domain yet.",
                      fix=f"Once mail signed with '{selector}' verifies, remove `t=y` from the "
                      f"record at {target}.", evidence=ev)
    return passed("dkim", target, f"DKIM key '{selector}' is published: {size}.", evidence=ev)


def _tag_problem(tags: dict[str, str]) -> str:
    v = tags.get("v")
    if v is not None and v != "DKIM1":
        return f"v={v} (it must be DKIM1)"
    if "p" not in tags:
        return "the key tag p= is missing"
    k = tags.get("k", "rsa").lower()
    if k not in ("rsa", "ed25519"):
        return f"unknown key type k={k}"
    hashes = [h.strip().lower() for h in tags["h"].split(":")] if "h" in tags else []
    if hashes and "sha256" not in hashes:
        return f"h={tags['h']} allows only SHA-1, which RFC 8301 forbids"
    services = [s.strip().lower() for s in tags.get("s", "*").split(":")]
    if "*" not in services and "email" not in services:
        return f"s={tags['s']} means the key is not for email"
    return ""


# ---------------------------------------------------------------------------- selector discovery

MAX_HEADER_BYTES = 2 * 1024 * 1024
_SIG_FALLBACK = re.compile(r"(?:^|;)\s*([sda])\s*=\s*([^;\s]+)", re.I)


def _header_fields(text: str) -> Iterator[tuple[str, str]]:
    """(name, unfolded value) for each header field, up to the end of the header block."""
    name, value, started = None, [], False
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line[:1] in (" ", "\t") and name is not None:
            value.append(line.strip())
            continue
        if name is not None:
            yield name, " ".join(value)
            name, value = None, []
        if not line.strip():
            if started:
                return  # the blank line that ends the header; the body may quote other headers
            continue
        head, sep, rest = line.partition(":")
        if sep and head and " " not in head.strip() and head == head.rstrip():
            name, value, started = head.strip(), [rest.strip()], True
    if name is not None:
        yield name, " ".join(value)


def selectors_from_header(text: str) -> list[dict[str, str]]:
    """The d=/s= (and a=) of each DKIM-Signature in a pasted message header, deduplicated."""
    out: list[dict[str, str]] = []
    for name, value in _header_fields(text[:MAX_HEADER_BYTES]):
        if name.lower() != "dkim-signature":
            continue
        try:
            tags = {k.lower(): v.replace(" ", "") for k, v in parse_tag_list(value).items()}
        except TagListError:
            tags = {m.group(1).lower(): m.group(2) for m in _SIG_FALLBACK.finditer(value)}
        d, s = tags.get("d", "").lower().rstrip("."), tags.get("s", "")
        if not d or not s:
            continue
        sig = {"d": d, "s": s, "a": tags.get("a", "")}
        if not any(x["d"] == d and x["s"] == s for x in out):
            out.append(sig)
    return out


def profile_snippet(signatures: list[dict[str, str]], domain: str | None = None) -> str:
    """YAML to paste under the profile's `email:`; selectors of `domain` bare, others in full."""
    if not signatures:
        return ""
    if not domain:
        counts: dict[str, int] = {}
        for sig in signatures:
            counts[sig["d"]] = counts.get(sig["d"], 0) + 1
        domain = max(counts, key=lambda k: counts[k])
    domain = domain.lower().rstrip(".")
    lines = ["email:", f"  domain: {domain}", "  dkim_selectors:"]
    for sig in signatures:
        if sig["d"] == domain:
            lines.append(f"    - {sig['s']}")
        else:
            lines.append(
                f"    - {sig['s']}._domainkey.{sig['d']}   # signs as {sig['d']}, not {domain}: "
                "DMARC only counts signatures of your own domain"
            )
    return "\n".join(lines) + "\n"


class DkimEvidence(TypedDict, total=False):
    """What `check` puts in a result's evidence (the handover reads these keys)."""

    selector: str
    record: str
    key_type: str
    key_bits: int
    bits: int
    testing: bool
    revoked: bool


CHECK_KIND = Kind(
    name="dkim",
    family="email",
    title="DKIM",
    plain="your emails carry a valid signature",
    about="DKIM keys per selector",
    check=check,
    targets=targets,
    schema={"email": {"domain": "str", "dkim_selectors": ("list", "str")}},
    evidence=DkimEvidence,
    shown=("selector", "record", "key_type", "key_bits", "bits", "testing", "revoked"),
)
