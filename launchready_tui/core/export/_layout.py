"""Lay the handover model out as blocks, in the order the roadmap asks for.

1. cover (verdict, summary), 2. where things live, 3. stage by stage, 4. email
authentication, 5. secret inventory, 6. runbooks to keep, 7. performance, 8. risk log,
9. day-2 action list. Headings get GitHub's anchors, computed once here, so the table of
contents works in both formats.
"""

from __future__ import annotations

import re

from launchready_tui.core.export._doc import _Doc, _fields_table, _value_parts
from launchready_tui.core.export._evidence import _checked, _status_parts, evidence_parts
from launchready_tui.core.export._model import (
    STALE_DAYS,
    STALE_TEXT,
    Blocker,
    Handover,
    ResultView,
    StageView,
    StepView,
    TimedRun,
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
    Parts,
    Strong,
    Table,
)
from launchready_tui.core.export._runbook_md import incident_markdown
from launchready_tui.core.export._sections import (
    _email,
    _monitoring,
    _performance,
    _secrets,
    _where,
)

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
        rows: list[list[Parts]] = []
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


def _blocker_parts(d: _Doc, b: Blocker) -> Parts:
    step = b.where.split(" › ", 1)[-1]
    anchor = d.anchors.get(b.where)
    link: Parts = [Link(step, anchor)] if anchor else [step]
    if b.kind == "fail" and b.problem is not None:
        p = b.problem
        parts: Parts = [Badge("fail"), " ", Strong(f"#{p.rank}"), " ", b.text, " — ", p.impact, ". "]
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
        parts = [Badge("fail"), " ", b.text, " — "]
        if b.result is not None and b.result.target not in ("", "-"):
            parts += [Code(b.result.target), ", "]
        parts += link
        if b.result is not None and b.result.stale:
            parts += [" ", Flag(STALE_TEXT)]
        return parts
    return ["☐ ", b.text, " — ", *link]


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
        rows: list[list[Parts]] = []
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
        d.add(BulletList([ListItem([Code(url), *([f" — {what}"] if what else [])]) for url, what in rb.smoke]))
    d.h(3, "Rollback")
    by = {f.id: f for f in rb.rollback_fields}
    steps = by.get("steps")
    if steps and steps.value:
        d.p(Strong("Steps:"))
        lines = [x.strip() for x in steps.value.splitlines() if x.strip()]
        d.add(BulletList([ListItem([re.sub(r"^\d+[.)]\s*", "", x)]) for x in lines], ordered=True))
    command = by.get("command")
    cmd = (command.value if command is not None and command.value else "") or rb.rollback_command
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


def _flag_if(cond: bool, text: str) -> Parts:
    """A flag after a cell's text, when `cond` holds."""
    return [" ", Flag(text)] if cond else []


def _risks(d: _Doc, doc: Handover) -> None:
    r = doc.risks
    d.h(2, "Risk log", toc=True)
    d.h(3, "Problems, ranked")
    if doc.problems:
        d.p("One row per problem, worst first. Owner and priority are set in the app's launch blockers screen "
            "(press b).", cls="small")
        d.add(Table(["#", "Status", "Problem", "Impact", "Owner", "Priority", "First seen", "Check again"],
                    [[[str(p.rank)], _status_parts(p.status),
                      [p.title, *_flag_if(p.stale, STALE_TEXT)], [p.impact],
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
                      [a.expires or "never", *_flag_if(a.expired, "expired: no longer hides the finding")],
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


# Families whose kinds' own sections follow that family's section in the document; the
# other families' (the database's, ...) follow Performance.
_SECTION_AFTER_OWN = {"secrets"}


def _kind_sections(d: _Doc, doc: Handover, families: set[str] | None) -> None:
    """The kinds' own sections (`Kind.handover`) of these families (None: every family
    not placed after its own section)."""
    for family, section in doc.sections:
        wanted = family not in _SECTION_AFTER_OWN if families is None else family in families
        if wanted:
            section.layout(d)


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
    _kind_sections(d, doc, _SECTION_AFTER_OWN)
    _runbooks(d, doc)
    _performance(d, doc)
    _kind_sections(d, doc, None)
    _risks(d, doc)
    _day2(d, doc)
    d.p(f"Generated by LaunchReady on {show_time(doc.generated_at)}.", cls="small")
    d.blocks.insert(toc_at, Contents([(lvl, t, a) for lvl, t, a in d.toc]))
    d.blocks.insert(toc_at, Heading(2, "Contents", d.slugs.slug("Contents")))
    return d
