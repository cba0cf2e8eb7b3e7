"""The handover's sections per family: where things live (DNS, hosting), monitoring,
email, secrets and performance, laid out as blocks from the kinds' typed evidence."""

from __future__ import annotations

from launchready_tui.core.export._doc import _Doc, _fields_table, _value_parts
from launchready_tui.core.export._evidence import _checked, _fmt_ms, _status_parts, evidence_parts
from launchready_tui.core.export._model import STALE_TEXT, Handover, TreeNode, show_date
from launchready_tui.core.export._readers import _short
from launchready_tui.core.export._render import (
    Badge,
    Br,
    BulletList,
    Code,
    Flag,
    ListItem,
    Parts,
    Strong,
    Table,
)


def _where(d: _Doc, doc: Handover) -> None:
    w = doc.where
    d.h(2, "Where things live", toc=True)
    d.h(3, "Environments")
    if w.environments:
        d.add(Table(["Environment", "Address", "Settings from", "Production"],
                    [[[e["name"]], [Code(e["url"])] if e["url"] else [], [Code(e["settings"])] if e["settings"] else [],
                      [e["production"]]] for e in w.environments]))
    else:
        d.p("No environments in the profile yet (`environments` in launchready.yaml).", cls="note")
    d.h(3, "Where production lives")
    if doc.production:
        d.add(Table(["What", "Written down", "By, when"],
                    [[[a.label], _value_parts(a) if a.value else ["not written down"],
                      [" ".join(x for x in (a.by, show_date(a.at)) if x)]] for a in doc.production]))
    if w.production:
        d.p(Strong("Where production runs (the domain map's note): "), w.production)
    if doc.production_missing:
        d.p(doc.production_missing + ("" if any(a.value for a in doc.production) or w.production else
                                      " Until someone can say where production runs, treat it as a launch blocker."),
            cls="warn")
    d.h(3, "Domains and DNS")
    rows: list[list[Parts]] = []
    if w.hosts:
        for hrow in w.hosts:
            recs: Parts = []
            for i, rec in enumerate(hrow.records):
                if i:
                    recs.append(Br())
                recs.append(Code(rec))
            if not hrow.records and hrow.summary:
                recs.append(hrow.summary)
            checked: Parts = [show_date(hrow.checked_at)] if hrow.checked_at else []
            if hrow.stale:
                checked += [" ", Flag(STALE_TEXT)]
            rows.append([[Code(hrow.host)], [hrow.role], recs, [hrow.purpose], _status_parts(hrow.status), checked])
        d.add(Table(["Host", "Role", "DNS records as found", "What it is for", "Status", "Checked"], rows))
    if w.map_fields and any(f.value for f in w.map_fields):
        d.add(_fields_table(w.map_fields))
    d.h(3, "Redirect map")
    if w.redirects:
        rows = []
        for r in w.redirects:
            hops: Parts = []
            for i, x in enumerate(r.hops):
                if i:
                    hops.append(Br())
                hops.append(Code(x))
            final: Parts = [Code(r.final)] if r.final else []
            if r.note:
                final += [" ", r.note] if final else [r.note]
            status = _status_parts(r.status)
            if r.stale:
                status += [" ", Flag(STALE_TEXT)]
            rows.append([[Code(r.start)], hops, final, status])
        d.add(Table(["From", "Hops", "Ends at", "Status"], rows))
    else:
        d.p("No redirect check has run yet (`launchready check --stage 1`).", cls="note")
    if any(f.value for f in w.redirect_record):
        d.add(_fields_table(w.redirect_record))
    d.h(3, "Certificates (TLS)")
    if w.tls:
        rows = []
        for t in w.tls:
            days = "" if t.days_left is None else f"{t.days_left:.0f}"
            status = _status_parts(t.status)
            if t.stale:
                status += [" ", Flag(STALE_TEXT)]
            renews = t.renews or ("not written down" + (" (see below)" if w.renewer_where else ""))
            rows.append([[Code(t.host)], [t.issuer], [show_date(t.not_after)], [days], [renews], status])
        d.add(Table(["Host", "Issuer", "Expires", "Days left", "Who renews it", "Status"], rows))
        problems = [ListItem([Badge(t.status or "error"), " ", Code(t.host), ": ", t.summary]) for t in w.tls if t.summary]
        if problems:
            d.add(BulletList(problems))
        if any(not t.renews for t in w.tls):
            d.p(Strong("Who renews it: "), "the person or service that gets a new certificate before the old one "
                "expires. On Vercel, Netlify, Render, Fly.io and Cloudflare that is the host itself, automatically, "
                "once DNS points at it; elsewhere it is a person or a cron job (certbot, for example). ",
                *([f"Write it down at {w.renewer_where} (\"Who renews the certificates\")."] if w.renewer_where else []),
                cls="note")
    else:
        d.p("No certificate check has run yet (`launchready check --stage 3`).", cls="note")
    if any(f.value for f in w.tls_record):
        d.add(_fields_table(w.tls_record))


def _monitoring(d: _Doc, doc: Handover) -> None:
    m = doc.monitoring
    if m is None:
        return
    d.h(2, "Monitoring", toc=True)
    d.p("What is watched, what checks it, and where the alerts go.")
    if m.watched:
        d.add(Table(["Watched address", "Last check", "Checked by", "Check it again"],
                    [[[Code(url)], _status_parts(status or None) if status else ["not checked yet"], [by],
                      [Code(cmd)]] for url, status, by, cmd in m.watched]))
    if m.external:
        d.p(Strong("What your uptime service watches"), " (read from its account):")
        d.add(Table(["Service", "Address", "State", "How often", "Alerts go to"],
                    [[[svc], [Code(url)], [st], [every], [alerts]] for svc, url, st, every, alerts in m.external]))
    if m.monitors:
        d.add(_fields_table(m.monitors))
    if any(a.value for a in m.alerts):
        d.add(Table(["Alerts", "Written down", "By, when"],
                    [[[a.label], [a.value], [" ".join(x for x in (a.by, show_date(a.at)) if x)]]
                     for a in m.alerts if a.value]))
    if m.missing:
        d.p(m.missing, cls="warn")


def _tree_items(node: TreeNode) -> list[ListItem]:
    if not node.label and not node.detail:
        return [x for k in node.children for x in _tree_items(k)]
    parts: Parts = [Code(node.label)] if node.label else []
    if node.detail:
        parts += [" — " if parts else "", node.detail]
    if node.record:
        parts += [Br(), "record: ", Code(node.record)]
    return [ListItem(parts, [x for k in node.children for x in _tree_items(k)])]


def _email(d: _Doc, doc: Handover) -> None:
    e = doc.email
    d.h(2, "Email authentication", toc=True)
    d.p("SPF lists the servers allowed to send mail for ", Code(e.domain or doc.domain),
        ", DKIM signs each message, and DMARC tells inboxes what to do with mail that fails both. "
        "Without all three, password resets and receipts land in spam.")
    if e.results:
        rows: list[list[Parts]] = []
        for r in e.results:
            found = r.evidence.get("record")
            if not found and isinstance(r.evidence.get("records"), list) and r.evidence["records"]:
                found = " | ".join(str(x) for x in r.evidence["records"][:3])
            rows.append([[r.check.upper()], [Code(r.target)] if r.target not in ("", "-") else [], _status_parts(r.status),
                         [r.summary], [Code(_short(found, 300))] if isinstance(found, str) and found else evidence_parts(r),
                         _checked(r)])
        d.add(Table(["Check", "Name", "Status", "Result", "Record as found", "Last checked"], rows))
        fixes = [ListItem([Badge(r.status), f" {r.check.upper()}: "], [ListItem([Strong("How to fix: "), r.fix])])
                 for r in e.results if r.status in ("fail", "warn", "error") and r.fix]
        if fixes:
            d.add(BulletList(fixes))
    else:
        d.p("No email check has run yet (`launchready check --stage 1`).", cls="note")
    d.h(3, "SPF lookup tree")
    if e.spf_tree is not None:
        if e.spf_total:
            d.p(f"Total: {e.spf_total}. Each include costs lookups; over 10 and receivers reject the whole record.")
        d.add(BulletList(_tree_items(e.spf_tree)))
    else:
        d.p("The last SPF check stored no lookup tree.", cls="small")
    d.h(3, "DMARC rollout plan")
    if e.dmarc_plan:
        d.p("Move one step at a time, and read the DMARC reports before each move:")
        notes = any(p.get("note") for p in e.dmarc_plan)
        plan: list[list[Parts]] = []
        for p in e.dmarc_plan:
            row: list[Parts] = [[p["date"]], [Code(p["step"])] if p["step"] else [],
                                [Code(p["record"])] if p.get("record") else []]
            if notes:
                row.append([p.get("note", "")])
            plan.append(row)
        d.add(Table(["From", "Policy", "Record to publish at _dmarc"] + (["Note"] if notes else []), plan))
    else:
        dmarc = [r for r in e.results if r.check == "dmarc"]
        if dmarc and all(r.status == "pass" for r in dmarc):
            d.p("DMARC already enforces a policy; no rollout plan is needed.", cls="small")
        else:
            d.p("No rollout plan applies yet (it appears once a DMARC record at p=none is found).", cls="small")


def _secrets(d: _Doc, doc: Handover) -> None:
    s = doc.secrets
    d.h(2, "Secret inventory", toc=True)
    d.p("Where each secret lives, who owns it and when it is rotated. This document never contains a "
        "secret value; the values stay in the password manager, the host's settings or the OS keyring.",
        cls="note")
    if s.credentials:
        rows: list[list[Parts]] = []
        for c in s.credentials:
            due: Parts = [c.next_due] if c.next_due else []
            if c.overdue:
                due += [" ", Flag("overdue")]
            rows.append([[c.label], [c.reference or "not written down"], [c.owner or "no owner"], [c.cadence],
                         [c.last_rotated], due])
        d.add(Table(["Credential", "Where it lives", "Owner", "Rotation", "Last rotated", "Next due"], rows))
        how = [ListItem([Strong(c.label + ": "), c.how_to_rotate]) for c in s.credentials if c.how_to_rotate]
        if how:
            d.h(3, "How to rotate each one")
            d.add(BulletList(how))
        missing = [c.label for c in s.credentials if not c.how_to_rotate]
        if missing:
            d.p("No rotation steps written down for: " + ", ".join(missing) + ".", cls="small")
    else:
        d.p("No credentials are listed yet. Add them with `launchready credentials add` (the value, if given, "
            "goes only into the OS keyring).", cls="note")
    if any(f.value for f in s.inventory_record):
        d.p(Strong("Secret inventory, as written down"))
        d.add(_fields_table(s.inventory_record))
    if doc.unlisted_secrets:
        d.p(Strong(f"Not in the inventory ({len(doc.unlisted_secrets)})"))
        d.add(BulletList([ListItem([Flag("not listed"), " ", Code(what) if " " not in what else what, ": ", why])
                          for what, why in doc.unlisted_secrets]))
    if s.scan_results:
        d.h(3, "Scans for leaked secrets and env vars")
        d.add(Table(["Status", "Check", "Target", "Result", "Last checked"],
                    [[_status_parts(r.status), [r.check], [Code(r.target)] if r.target not in ("", "-") else [],
                      [r.summary], _checked(r)] for r in s.scan_results]))


def _performance(d: _Doc, doc: Handover) -> None:
    d.h(2, "Performance", toc=True)
    d.p("Latency per route and release: half of the requests were faster than p50, 95 in 100 faster than p95, "
        "99 in 100 faster than p99. The budget applies to p95.")
    if doc.performance:
        if doc.performance_note:
            d.p(doc.performance_note, cls="small")
        rows: list[list[Parts]] = []
        for r in doc.performance:
            route: Parts = [r.name, Br()] if r.name else []
            rows.append([route + [Code(r.route)], [r.release], [show_date(r.at)], [_fmt_ms(r.p50)], [_fmt_ms(r.p95)],
                         [_fmt_ms(r.p99)], [_fmt_ms(r.budget_ms)], _status_parts(r.status)])
        d.add(Table(["Route", "Release", "Measured", "p50", "p95", "p99", "Budget (p95)", "Status"], rows))
    else:
        d.p("No latency snapshots yet. Run `launchready check --stage 4 --release NAME` after each release.",
            cls="note")
