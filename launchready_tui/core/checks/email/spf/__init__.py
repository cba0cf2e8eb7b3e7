"""SPF (RFC 7208): a complete `check_host()` engine and the launch-readiness verdict.

Founders cannot judge an SPF record by eye, and receivers are strict: one extra DNS
lookup, a second record or a stray `+all` silently turns "pass" into "permerror" or
authorizes the whole internet. The package has four parts, kept apart on purpose:

* `_parse`      - `parse_spf(text)`: pure syntax (RFC 7208 section 4.6 and 7 ABNF), every
  error listed;
* `_check_host` - `check_host(resolver, ip, domain, sender)`: the RFC's evaluation, with
  macros, the 10-lookup, 2-void and 10-address limits and all seven results; it only needs
  an object with `async query(name, rdtype) -> DnsAnswer` that raises `DnsFailure`
  (`_tree`: `walk_spf(resolver, domain)`, an IP-independent walk of the include/redirect
  tree that keeps going past 10 lookups, so the user sees which include blew the budget);
* `_suggest`    - the suggested record, which never drops or breaks a sender;
* `_check`      - `evaluate_spf(report)` turns a report into findings, without I/O, and
  `check(ctx, target, params)` is the entry point the engine calls.

This module re-exports the public names, so `launchready_tui.core.checks.email.spf` is
what the registry, the other email kinds, the bench and the tests import.
"""

from __future__ import annotations

from launchready_tui.core.checks.email.spf._check import (
    CHECK_KIND,
    SenderCheck,
    SpfEvidence,
    SpfReport,
    check,
    deadline,
    email_domain,
    evaluate_spf,
    inspect_spf,
    parse_sender,
    targets,
)
from launchready_tui.core.checks.email.spf._check_host import (
    SpfResult,
    check_host,
    evaluate_record,
    normalize_ip,
)
from launchready_tui.core.checks.email.spf._parse import (
    ADDRESS_LIMIT,
    DNS_TERMS,
    LOOKUP_LIMIT,
    MAX_WALK_NODES,
    MECHANISMS,
    QUALIFIERS,
    RECORD_SOFT_LIMIT,
    RESULTS,
    VOID_LIMIT,
    SpfRecord,
    SpfSyntaxError,
    Term,
    is_spf_record,
    parse_spf,
    reverse_name,
)
from launchready_tui.core.checks.email.spf._suggest import (
    repair_token,
)
from launchready_tui.core.checks.email.spf._tree import (
    CachingResolver,
    iter_nodes,
    render_tree,
    walk_spf,
)

__all__ = [
    "ADDRESS_LIMIT",
    "CHECK_KIND",
    "CachingResolver",
    "DNS_TERMS",
    "LOOKUP_LIMIT",
    "MAX_WALK_NODES",
    "MECHANISMS",
    "QUALIFIERS",
    "RECORD_SOFT_LIMIT",
    "RESULTS",
    "SenderCheck",
    "SpfEvidence",
    "SpfRecord",
    "SpfReport",
    "SpfResult",
    "SpfSyntaxError",
    "Term",
    "VOID_LIMIT",
    "check",
    "check_host",
    "deadline",
    "email_domain",
    "evaluate_record",
    "evaluate_spf",
    "inspect_spf",
    "is_spf_record",
    "iter_nodes",
    "normalize_ip",
    "parse_sender",
    "parse_spf",
    "render_tree",
    "repair_token",
    "reverse_name",
    "targets",
    "walk_spf",
]
