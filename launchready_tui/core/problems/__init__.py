"""Problems, not results: one thing wrong in the world, however many steps check it.

A check *result* belongs to a step of a runbook; the same expired certificate shows up in
stage 1's redirect check, stage 3's certificate check, the uptime check and the incident
runbooks. A *problem* is the certificate itself: it has a stable id built from the kind,
the target and the finding (never from the runbook or the step), so it can be tracked
across runs, allowlisted and owned.

Deriving problems from results:

1. Each warn/fail result is turned into *findings*. A kind may declare its own (the
   `_KIND_FINDINGS` table in `_findings.py` for the bundled kinds, or a `problem_findings(result)`
   function in a new kind's module); otherwise a result whose evidence has a `findings`
   list of `{code, severity|status, message|summary}` gives one finding per distinct code,
   and anything else gives one finding named after the kind and the summary (numbers
   dropped). A finding's own `fix`/`why` replace the result's. So a new kind's fail and
   warn results become problems without editing this package; `PROBLEM_LEVEL` in its
   module sets the level they rank at (hygiene otherwise).
2. Findings with the same (kind, target, code) are one problem. A few findings name the
   same fact from another angle and are filed under the kind that owns the fact: a
   certificate rejected by the redirect or uptime check is the `tls` problem of that host,
   Cloudflare's "Flexible SSL" loop is the `redirects` loop of that host.
3. A host whose name dangles or does not resolve (a `dns` root problem) explains every
   other finding on that host: they are listed under it, not counted again. A "could not
   check" (error) result on a host that has a problem is explained by that problem too;
   elsewhere the errors on one host (or one non-host target) are one problem,
   `checks:<host>:could-not-check`.

THE RANKING RULE (worst business harm first; `rank_key` is its only implementation):

    level 1  customers cannot pay or log in
    level 2  the site is down, or shows customers a certificate warning
    level 3  secrets are public
    level 4  someone can take over a name (or an account: no limit on guessing)
    level 5  email lands in spam (or can be forged in your name)
    level 6  pages are slow (admin pages included)
    level 7  could not check (unknown is not safe, but it is not a known harm either)
    level 8  hygiene

Within a level: production before staging, customer-facing before internal, a fail
before a warning, then by id so the order is stable.

Results gathered over many runs (the state) go through `current()` first: an older fail
that a newer result for the same check and target contradicts is history, not a problem.
"""

from __future__ import annotations

from launchready_tui.core.problems._derive import current, derive, first_seen
from launchready_tui.core.problems._findings import (
    _tls as _tls,  # the TLS verdict tests call it on one result
)
from launchready_tui.core.problems._findings import findings_for, host_of
from launchready_tui.core.problems._model import (
    DOWN,
    HYGIENE,
    LEVELS,
    PAY_LOGIN,
    SECRETS,
    SLOW,
    SPAM,
    TAKEOVER,
    UNKNOWN,
    Finding,
    Problem,
    rank_key,
)
from launchready_tui.core.problems._verdict import (
    blockers_text,
    counts,
    is_blocker,
    risk_list_text,
    set_aside,
    set_aside_allowed,
    verdict,
)

__all__ = [
    "DOWN",
    "HYGIENE",
    "LEVELS",
    "PAY_LOGIN",
    "SECRETS",
    "SLOW",
    "SPAM",
    "TAKEOVER",
    "UNKNOWN",
    "Finding",
    "Problem",
    "blockers_text",
    "counts",
    "current",
    "derive",
    "findings_for",
    "first_seen",
    "host_of",
    "is_blocker",
    "rank_key",
    "risk_list_text",
    "set_aside",
    "set_aside_allowed",
    "verdict",
]
