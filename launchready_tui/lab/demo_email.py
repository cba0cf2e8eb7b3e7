"""Demo world, email part: a weak SPF record (`?all`), DMARC at p=none, MX present."""

from __future__ import annotations

from launchready_tui.lab import World


def add(w: World, d: str) -> None:
    w.records += [
        (d, "MX", f"10 mx1.{d}."),
        (f"mx1.{d}", "A", "127.0.0.1"),
        (d, "TXT", "v=spf1 include:_spf.mailer-demo.test ?all"),
        ("_spf.mailer-demo.test", "TXT", "v=spf1 ip4:192.0.2.0/24 -all"),
        (f"_dmarc.{d}", "TXT", f"v=DMARC1; p=none; rua=mailto:dmarc@{d}"),
    ]
    w.profile["email"] = {
        "domain": d,
        "dkim_selectors": ["s1"],
        "senders": ["include:_spf.mailer-demo.test", "198.51.100.7"],
    }
