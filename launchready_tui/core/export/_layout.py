"""Lay the handover model out as blocks, in the order the roadmap asks for.

1. cover (verdict, summary), 2. where things live, 3. stage by stage, 4. email
authentication, 5. secret inventory, 6. runbooks to keep, 7. performance, 8. risk log,
9. day-2 action list. Headings get GitHub's anchors, computed once here, so the table of
contents works in both formats.
"""

from __future__ import annotations

import re
from typing import Any

from launchready_tui.core.export._ai import layout_ai
from launchready_tui.core.export._data import layout_data
from launchready_tui.core.export._evidence import _checked, _fmt_ms, _status_parts, evidence_parts
from launchready_tui.core.export._model import (
    STALE_DAYS,
    STALE_TEXT,
    Handover,
    ResultView,
    StageView,
    StepView,
    TimedRun,
    TreeNode,
    _short,
    show_date,
    show_time,
)
from launchready_tui.core.export._render import (
    Badge,
    Block,
    Br,
    BulletList,
    Code,
    CodeBlock,
    Contents,
    FileLink,
    Flag,
    Heading,
    Inline,
    Link,
    ListItem,
    Markdown,
    Para,
    Parts,
    Slugger,
    Strong,
    Table,
)
from launchready_tui.core.export._runbook_md import incident_markdown


class _Doc:
    def __init__(self, anchors: dict[str, str] | None = None) -> None:
        self.anchors = anchors or {}  # "Stage title › step title" -> anchor, from a first pass
        self.found: dict[str, str] = {}
        self.blocks: list[Block] = []
        self.slugs = Slugger()
        self.toc: list[tuple[int, str, str]] = []

    def h(self, level: int, text: str, *, toc: bool = False) -> str:
        anchor = self.slugs.slug(text)
        self.blocks.append(Heading(level, text, anchor))
        if toc:
            self.toc.append((level, text, anchor))
        return anchor

    def p(self, *parts: Any, cls: str = "") -> None:
        self.blocks.append(Para([x for x in parts if x != ""], cls))

    def add(self, b: Block) -> None:
        self.blocks.append(b)


# ------------------------------------------------------------------------------ sections


def _cover(d: _Doc, doc: Handover) -> None:
    d.h(1, f"Handover: {doc.project}")
    d.p(f"Prepared by {doc.author} on {doc.date} for {doc.domain}. Built by LaunchReady from the "
        f"checks, confirmations and records kept beside {doc.profile_path or 'the profile'}.", cls="small")
    v = doc.verdict
    if v.blockers:
        head = (f"Not ready to launch: {len(v.blockers)} launch blocker{'s' if len(v.blockers) != 1 else ''}, "
                f"then {len(v.warnings)} warning{'s' if len(v.warnings) != 1 else ''}")
        d.p(Badge("fail"), " ", head, cls="verdict")
    else:
        head = (f"Ready to launch: no launch blockers, {len(v.warnings)} "
                f"warning{'s' if len(v.warnings) != 1 else ''}")
        d.p(Badge("warn" if v.warnings else "pass"), " ", head, cls="verdict")
    d.p(doc.summary, cls="lead")
    d.p(_counts_line(doc), cls="small")
    if doc.stages:
        rows = []
        for sv in doc.stages:
            counts: dict[str, int] = {}
            for r in sv.results:
                counts[r.status] = counts.get(r.status, 0) + 1
            must = [c for st in sv.steps for c in st.confirms if c.blocker]
            words = (("fail", "failed", "failed"), ("error", "could not check", "could not check"),
                     ("warn", "warning", "warnings"), ("pass", "passed", "passed"))
            checks = ", ".join(f"{counts[k]} {one if counts[k] == 1 else many}" for k, one, many in words
                               if counts.get(k))
            anchor = d.anchors.get(sv.title)
            rows.append([[Link(sv.title, anchor)] if anchor else [sv.title], _status_parts(sv.status), [f"{sv.steps_done} of {len(sv.steps)}"],
                         [checks or "none run"],
                         [f"{sum(1 for c in must if c.checked)} of {len(must)}"] if must else ["—"]])
        d.add(Table(["Stage", "Status", "Steps done", "Checks", "Must-do items ticked"], rows))
    if v.blockers:
        d.h(2, "Launch blockers")
        fails = [b for b in v.blockers if b.kind == "fail"]
        todo = [b for b in v.blockers if b.kind != "fail"]
        if fails:
            d.p(Strong(f"Failing problems, worst first ({len(fails)})"))
            d.add(BulletList([ListItem(_blocker_parts(d, b)) for b in fails],
                             ordered=not any(b.problem is not None for b in fails)))  # ranks are shown
        if todo:
            d.p(Strong(f"Must-do items not ticked off yet ({len(todo)})"))
            groups: dict[str, list] = {}
            for b in todo:
                groups.setdefault(b.where.split(" › ")[0], []).append(b)
            d.add(BulletList([ListItem([stage], [ListItem(_blocker_parts(d, b)) for b in bs])
                              for stage, bs in groups.items()]))


def _counts_line(doc: Handover) -> str:
    """The one set of counts the whole document uses: problems, then the results they
    come from, and when those results were taken."""
    c = doc.verdict.counts
    by = {s: sum(1 for p in doc.problems if p.status == s) for s in ("fail", "warn", "error")}
    n = len(doc.problems)
    text = (f"Problems: {n} ({by['fail']} failing, {by['warn']} warnings, {by['error']} could not check), each "
            "counted once however many steps check it. ")
    text += (f"They come from {doc.verdict.total} check results on record: {c.get('pass', 0)} passed, "
             f"{c.get('warn', 0)} warnings, {c.get('fail', 0)} failed, {c.get('error', 0)} could not check, "
             f"{c.get('skip', 0)} skipped")
    if doc.results_from:
        same = show_time(doc.results_from) == show_time(doc.results_to)
        text += (f", taken {show_time(doc.results_from)}" if same else
                 f", taken between {show_time(doc.results_from)} and {show_time(doc.results_to)}")
    return text + f". A check result older than {STALE_DAYS} days is marked \"{STALE_TEXT}\"."


def _blocker_parts(d: _Doc, b) -> Parts:
    step = b.where.split(" › ", 1)[-1]
    anchor = d.anchors.get(b.where)
    link: Parts = [Link(step, anchor)] if anchor else [step]
    if b.kind == "fail" and b.problem is not None:
        p = b.problem
        parts = [Badge("fail"), " ", Strong(f"#{p.rank}"), " ", b.text, " — ", p.impact, ". "]
        if b.result is not None and b.result.target not in ("", "-"):
            parts += [Code(b.result.target), ", "]
        parts += link
        if p.stale:
            parts += [" ", Flag(STALE_TEXT)]
        parts += [Br(), "Check again: ", Code(p.command)]
        if p.owner or p.priority:
            parts += [f" · owner: {p.owner or 'nobody yet'}, priority: {p.priority or 'not set'}"]
        return parts
    if b.kind == "fail":
        parts: Parts = [Badge("fail"), " ", b.text, " — "]
        if b.result is not None and b.result.target not in ("", "-"):
            parts += [Code(b.result.target), ", "]
        parts += link
        if b.result is not None and b.result.stale:
            parts += [" ", Flag(STALE_TEXT)]
        return parts
    return ["☐ ", b.text, " — ", *link]


def _value_parts(f) -> Parts:
    """A record value as typed, flagged when it does not fit its type (a date that is not
    YYYY-MM-DD, a URL that is not one): never passed off as checked."""
    if getattr(f, "problem", ""):
        return [f.value, " ", Flag(f"not checked: {f.problem}")]
    return [f.value]


def _fields_table(fields_: list, *, who: bool = True) -> Table:
    rows = []
    for f in fields_:
        if not f.value:
            continue
        row: list[Parts] = [[f.label], _value_parts(f)]
        if who:
            row.append([" ".join(x for x in (f.by, show_date(f.at)) if x)])
        rows.append(row)
    return Table(["What", "Written down", "By, when"] if who else ["What", "Written down"], rows)


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
    if w.hosts:
        rows = []
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


def _stage_status(sv: StageView) -> Parts:
    rs = sv.results
    counts: dict[str, int] = {}
    for r in rs:
        counts[r.status] = counts.get(r.status, 0) + 1
    blockers = [c for st in sv.steps for c in st.confirms if c.blocker]
    parts: Parts = ["Status: ", *(_status_parts(sv.status) if sv.status else ["no checks run yet"]), " · ",
                    f"{sv.steps_done} of {len(sv.steps)} steps marked done"]
    if rs:
        order = [("pass", "passed", "passed"), ("warn", "warning", "warnings"), ("fail", "failed", "failed"),
                 ("error", "could not check", "could not check"), ("skip", "skipped", "skipped")]
        parts.append(" · checks: " + ", ".join(f"{counts[k]} {one if counts[k] == 1 else many}"
                                               for k, one, many in order if counts.get(k)))
    if blockers:
        parts.append(f" · {sum(1 for c in blockers if c.checked)} of {len(blockers)} must-do items ticked")
    return parts


def _step(d: _Doc, sv: StageView, st: StepView) -> None:
    d.found.setdefault(f"{sv.title} › {st.title}", d.h(4, st.title))
    if st.done_by or st.done_at:
        who = st.done_by if st.done_by != "yes" else ""
        d.p("✓ Marked done" + (f" by {who}" if who else "") + (f" on {show_date(st.done_at)}" if st.done_at else "") + ".",
            cls="small")
    if st.results:
        rows = []
        for r in st.results:
            rows.append([_status_parts(r.status), [Code(r.target)] if r.target not in ("", "-") else ["—"],
                         [r.summary], evidence_parts(r), _checked(r)])
        d.add(Table(["Status", "Target", "Result", "Evidence", "Last checked"], rows))
        fixes = []
        for r in st.results:
            if r.status in ("fail", "warn", "error") and (r.why or r.fix):
                kids = []
                if r.why:
                    kids.append(ListItem([Strong("Why it matters: "), r.why]))
                if r.fix:
                    kids.append(ListItem([Strong("How to fix: "), r.fix]))
                head: Parts = [Badge(r.status), " "]
                head += [Code(r.target)] if r.target not in ("", "-") else [r.check]
                fixes.append(ListItem(head, kids))
        if fixes:
            d.add(BulletList(fixes))
    ran = {r.check_id for r in st.results}
    never = [kind for cid, kind in st.checks if cid not in ran]
    if st.results and not never:
        d.p("Check again: ", Code(f"launchready check --runbook {st.runbook} --step {st.id}"), cls="small")
    if never:
        d.p(f"Not checked yet: {', '.join(dict.fromkeys(never))}. Run ",
            Code(f"launchready check --runbook {st.runbook} --step {st.id}"), ".", cls="note")
    if st.confirms:
        items = []
        for c in st.confirms:
            parts: Parts = ["☑ " if c.checked else "☐ ", c.text]
            if c.blocker:
                parts.append(" (launch blocker)" if not c.checked else " (must-do)")
            if c.checked:
                who = " ".join(x for x in (f"by {c.by}" if c.by else "", f"on {show_date(c.at)}" if c.at else "") if x)
                parts.append(f" — ticked {who}" if who else " — ticked")
            else:
                parts.append(" — not ticked yet")
            items.append(ListItem(parts))
        d.add(BulletList(items))
    for rec in st.records:
        if rec.filled:
            d.p(Strong(rec.label))
            d.add(_fields_table(rec.fields))
        else:
            d.p(f"Not written down yet: {rec.label}.", cls="note")
    for label, cmd in st.commands:
        d.p(Strong(f"Command: {label}"))
        d.add(CodeBlock(cmd, "sh"))
    if st.note:
        d.p(Strong("Notes" + (f" ({show_date(st.note_at)})" if st.note_at else "") + ": "), st.note)
    if not (st.results or st.confirms or st.records or st.note or st.commands or st.checks):
        d.p("Nothing to check or record in this step.", cls="small")


def _stages(d: _Doc, doc: Handover) -> None:
    d.h(2, "Stage by stage", toc=True)
    if not doc.stages:
        d.p("No stage runbooks were loaded.", cls="note")
    for sv in doc.stages:
        d.found[sv.title] = d.h(3, sv.title, toc=True)
        if sv.goal:
            d.p(Strong("Goal: "), sv.goal)
        d.p(*_stage_status(sv))
        for st in sv.steps:
            _step(d, sv, st)
    if doc.other_results:
        d.h(3, "Other check results")
        d.p("These results come from runbooks that are not loaded now (renamed, removed, or incident runbooks).",
            cls="small")
        d.add(Table(["Status", "From", "Target", "Result", "Evidence", "Last checked"],
                    [[_status_parts(r.status), [doc.titles.get(r.runbook, r.runbook or "?")],
                      [Code(r.target)] if r.target not in ("", "-") else [], [r.summary], evidence_parts(r), _checked(r)]
                     for r in doc.other_results]))


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
        rows = []
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
        d.add(Table(["From", "Policy", "Record to publish at _dmarc"] + (["Note"] if notes else []),
                    [[[p["date"]], [Code(p["step"])] if p["step"] else [],
                      [Code(p["record"])] if p.get("record") else []] + ([[p.get("note", "")]] if notes else [])
                     for p in e.dmarc_plan]))
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
        rows = []
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


def _run_text(t: TimedRun) -> Parts:
    when = show_time(t.at) if t.at else "date unknown"
    if t.minutes is None:
        return [f"{when}: {t.source}, time not recorded. ", t.detail]
    verdict = "within" if t.minutes <= t.budget_min else "over"
    parts: Parts = [f"{when}: {_minutes(t.minutes)} against the {t.budget_min:g}-minute budget — {verdict} budget ({t.source})"]
    if t.detail:
        parts += [". ", t.detail]
    return parts


def _minutes(m: float) -> str:
    if m < 1:
        return f"{m * 60:.0f} s"
    whole = int(m)
    secs = round((m - whole) * 60)
    return f"{whole} min {secs} s" if secs else f"{whole} min"


def _runbooks(d: _Doc, doc: Handover) -> None:
    rb = doc.runbooks
    d.h(2, "Runbooks to keep", toc=True)
    d.h(3, "Deploy")
    if rb.deploy_command:
        d.p("The deploy command (from the profile):")
        d.add(CodeBlock(rb.deploy_command, "sh"))
    if rb.deploy_ci_job:
        d.p("CI job: ", Code(rb.deploy_ci_job))
    if any(f.value for f in rb.deploy_fields):
        d.add(_fields_table(rb.deploy_fields))
    elif not rb.deploy_command:
        d.p("Nobody has written down how to deploy yet (stage 2, \"Deploy from main with one known step\").", cls="warn")
    if rb.smoke:
        d.p("After each deploy, check these pages (`launchready check --runbook deploy-path --step smoke`):")
        d.add(BulletList([ListItem([Code(url)] + ([f" — {what}"] if what else [])) for url, what in rb.smoke]))
    d.h(3, "Rollback")
    by = {f.id: f for f in rb.rollback_fields}
    steps = by.get("steps")
    if steps and steps.value:
        d.p(Strong("Steps:"))
        lines = [x.strip() for x in steps.value.splitlines() if x.strip()]
        d.add(BulletList([ListItem([re.sub(r"^\d+[.)]\s*", "", x)]) for x in lines], ordered=True))
    cmd = (by.get("command").value if by.get("command") and by["command"].value else "") or rb.rollback_command
    if cmd:
        d.p("The rollback command:")
        d.add(CodeBlock(cmd, "sh"))
    db = by.get("database_note")
    if db and db.value:
        d.p(Strong("If the release changed the database: "), db.value)
    if not (steps and steps.value) and not cmd:
        d.p("No rollback note yet (stage 2, \"Write the rollback note, then time it\").", cls="warn")
    if rb.rollback_runs:
        last = rb.rollback_runs[0]
        cls = "good" if last.ok else ("bad" if last.ok is False else "note")
        d.p(Strong("Last timed run: "), *_run_text(last), cls=cls)
        if len(rb.rollback_runs) > 1:
            d.add(BulletList([ListItem(_run_text(t)) for t in rb.rollback_runs[1:6]]))
    else:
        d.p(f"The rollback has never been timed. The budget is {rb.rollback_budget_min:g} minutes: run the drill in "
            "stage 2 before launch.", cls="bad")
    rest = [f for f in rb.rollback_fields if f.id not in ("steps", "command", "database_note") and f.value]
    if rest:
        d.add(_fields_table(rest))
    for book in rb.incidents:
        title = book.title if str(book.title).lower().startswith("incident") else f"Incident: {book.title}"
        d.h(3, title, toc=True)
        md, headings = incident_markdown(book, doc)
        anchors = [d.slugs.slug(hd) for hd in headings]
        d.add(Markdown(md, anchors))
    if not rb.incidents:
        d.p("No incident runbooks are loaded.", cls="note")
    d.h(3, "Past incidents", toc=True)
    if doc.incidents_past:
        items = []
        for inc in doc.incidents_past:
            when = show_time(inc.started_at) if inc.started_at else "date unknown"
            state = f"ended {show_time(inc.ended_at)}" if inc.ended_at else "still open"
            note: Parts = [" — note: ", FileLink(inc.path, inc.path)] if inc.path else [" — no note written yet"]
            items.append(ListItem([f"{when}: {inc.title} ({state})", *note]))
        d.add(BulletList(items))
    else:
        d.p("No incidents on record.", cls="small")


def _performance(d: _Doc, doc: Handover) -> None:
    d.h(2, "Performance", toc=True)
    d.p("Latency per route and release: half of the requests were faster than p50, 95 in 100 faster than p95, "
        "99 in 100 faster than p99. The budget applies to p95.")
    if doc.performance:
        if doc.performance_note:
            d.p(doc.performance_note, cls="small")
        rows = []
        for r in doc.performance:
            rows.append([([r.name, Br()] if r.name else []) + [Code(r.route)], [r.release], [show_date(r.at)], [_fmt_ms(r.p50)], [_fmt_ms(r.p95)],
                         [_fmt_ms(r.p99)], [_fmt_ms(r.budget_ms)], _status_parts(r.status)])
        d.add(Table(["Route", "Release", "Measured", "p50", "p95", "p99", "Budget (p95)", "Status"], rows))
    else:
        d.p("No latency snapshots yet. Run `launchready check --stage 4 --release NAME` after each release.",
            cls="note")


def _risks(d: _Doc, doc: Handover) -> None:
    r = doc.risks
    d.h(2, "Risk log", toc=True)
    d.h(3, "Problems, ranked")
    if doc.problems:
        d.p("One row per problem, worst first. Owner and priority are set in the app's launch blockers screen "
            "(press b).", cls="small")
        d.add(Table(["#", "Status", "Problem", "Impact", "Owner", "Priority", "First seen", "Check again"],
                    [[[str(p.rank)], _status_parts(p.status),
                      [p.title] + ([" ", Flag(STALE_TEXT)] if p.stale else []), [p.impact],
                      [p.owner or "—"], [p.priority or "—"], [show_date(p.first_seen)] if p.first_seen else [],
                      [Code(p.command)]] for p in doc.problems]))
    else:
        d.p("None on record.", cls="small")
    if r.unticked_blockers:
        n = len(r.unticked_blockers)
        d.p(f"{n} must-do item{'s are' if n != 1 else ' is'} not ticked yet; "
            f"{'they are' if n != 1 else 'it is'} listed under ", Link("Launch blockers", "launch-blockers"), ".")
    d.h(3, "Accepted exceptions")
    if r.allowlist_problem:
        d.p(f"The allowlist could not be read: {r.allowlist_problem}.", cls="warn")
    if r.allowlist:
        d.add(Table(["Exception", "Reason", "Expires", "Added by"],
                    [[[Code(a.what)], [a.reason or "no reason given"],
                      [a.expires or "never"] + ([" ", Flag("expired: no longer hides the finding")] if a.expired else []),
                      [a.by]] for a in r.allowlist]))
    elif not r.allowlist_problem:
        d.p("None: `.launchready/allow.yaml` lists no accepted exceptions.", cls="small")
    for rec in r.records:
        d.h(3, rec.label)
        for f in rec.fields:
            if not f.value:
                continue
            lines = [x.strip() for x in f.value.splitlines() if x.strip()]
            d.p(Strong(f.label), f" ({' '.join(x for x in (f.by, show_date(f.at)) if x)})" if (f.by or f.at) else "")
            if len(lines) > 1:
                d.add(BulletList([ListItem([x.lstrip('-*• ')]) for x in lines]))
            else:
                d.p(*_value_parts(f))
    d.h(3, "Out of scope")
    if r.out_of_scope:
        lines = [x.strip() for x in r.out_of_scope.splitlines() if x.strip()]
        d.add(BulletList([ListItem([x.lstrip('-*• ')]) for x in lines]))
    else:
        d.p("Not written down yet (stage 7, risk log).", cls="small")


def _result_where(d: _Doc, doc: Handover, r: ResultView) -> Parts:
    stage = doc.titles.get(r.runbook, r.runbook or "?")
    step = doc.titles.get(f"{r.runbook}/{r.step}", r.step)
    anchor = d.anchors.get(f"{stage} › {step}")
    return [stage, Br(), Link(step, anchor)] if anchor else [stage]


def _link_where(d: _Doc, where: str) -> Inline:
    anchor = d.anchors.get(where)
    return Link(where.split(" › ", 1)[-1], anchor) if anchor else where


def _day2(d: _Doc, doc: Handover) -> None:
    d.h(2, "Day-2 action list", toc=True)
    groups = [
        ("fix", "Fix what fails"),
        ("tick", "Do, then tick off, these must-do items"),
        ("rerun", "Run these checks again"),
        ("look", "Look at these warnings"),
    ]
    dated = [a for a in doc.day2 if a.kind == "recurring"]
    team = [a for a in doc.day2 if a.kind == "team"]
    d.h(3, "Do now, in this order")
    n = 0
    for kind, title in groups:
        items = [a for a in doc.day2 if a.kind == kind]
        if not items:
            continue
        d.p(Strong(title if kind in ("fix", "tick") else f"{title} ({len(items)})"))  # fix/tick: one line each
        d.add(BulletList([ListItem([a.what] + ([" — ", _link_where(d, a.why)] if a.why else [])) for a in items],
                         ordered=True, start=n + 1))
        n += len(items)
    if not n:
        d.p("Nothing open.", cls="small")
    d.h(3, "Dated and recurring")
    if dated:
        d.add(Table(["Due", "What", "Who", "Why"], [[[a.due or "—"], [a.what], [a.who], [a.why]] for a in dated]))
    else:
        d.p("No certificate renewals, credential rotations or DMARC dates on record yet.", cls="small")
    if team:
        d.h(3, "From the team's own list")
        d.add(BulletList([ListItem([a.what]) for a in team]))


def layout(doc: Handover) -> list[Block]:
    """The document's blocks. Laid out twice: the first pass finds each step's anchor, so
    the cover can link launch blockers to their steps."""
    first = _layout(doc, {})
    return _layout(doc, first.found).blocks


def _layout(doc: Handover, anchors: dict[str, str]) -> _Doc:
    d = _Doc(anchors)
    _cover(d, doc)
    toc_at = len(d.blocks)
    _where(d, doc)
    _monitoring(d, doc)
    _stages(d, doc)
    _email(d, doc)
    _secrets(d, doc)
    layout_ai(d, doc)
    _runbooks(d, doc)
    _performance(d, doc)
    layout_data(d, doc)
    _risks(d, doc)
    _day2(d, doc)
    d.p(f"Generated by LaunchReady on {show_time(doc.generated_at)}.", cls="small")
    d.blocks.insert(toc_at, Contents([(lvl, t, a) for lvl, t, a in d.toc]))
    d.blocks.insert(toc_at, Heading(2, "Contents", d.slugs.slug("Contents")))
    return d
