"""Build the handover model: stages, the verdict, the summary and the day-2 list.

Pure: no file or network access, deterministic for a given input and clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from launchready_tui.core.export import _problems
from launchready_tui.core.export._model import (
    STALE_DAYS,
    Action,
    Blocker,
    ConfirmView,
    CredentialView,
    FieldView,
    Handover,
    ProblemView,
    RecordView,
    ResultView,
    RiskView,
    RunbooksView,
    SecretsView,
    StageView,
    Status,
    StepView,
    TlsRow,
    Verdict,
    Where,
    _dict,
    _severity,
    parse_time,
)
from launchready_tui.core.export._readers import (
    _entry,
    _record_view,
    _render_command,
    _results,
    find_field,
    find_record,
    stage_title,
)
from launchready_tui.core.export._sources import (
    _allow,
    _credentials,
    _email,
    _environments,
    _hosts,
    _latest,
    _performance,
    _redirect_rows,
    _runbooks_view,
    _tls_rows,
)


def _stage_views(runbooks: list[Any], state: dict[str, Any], results: list[ResultView],
                 profile: Any) -> tuple[list[StageView], list[ResultView]]:
    by_step: dict[tuple[str, str], list[ResultView]] = {}
    for r in results:
        by_step.setdefault((r.runbook, r.step), []).append(r)
    confirms = _dict(state, "confirmations")
    records = _dict(state, "records")
    notes = _dict(state, "notes")
    done = _dict(state, "steps_done")
    used: set[tuple[str, str]] = set()
    stages = []
    for rb in runbooks:
        if rb.kind != "stage":
            continue
        steps = []
        for st in rb.steps:
            used.add((rb.id, st.id))
            order = {c.id: i for i, c in enumerate(st.checks)}
            rs = sorted(by_step.get((rb.id, st.id), []),
                        key=lambda r, o=order: (o.get(r.check_id, len(o)), r.check_id, r.target))  # type: ignore[misc]
            cv = []
            for c in st.confirms:
                e = _entry(confirms.get(f"{rb.id}/{st.id}/{c.id}"))
                cv.append(ConfirmView(c.id, c.text, c.blocker, bool(e.get("checked")),
                                      str(e.get("by") or ""), str(e.get("at") or "")))
            recs = [_record_view(b, records.get(f"{rb.id}/{st.id}/{b.id}")) for b in st.records]
            note = _entry(notes.get(f"{rb.id}/{st.id}"))
            d = _entry(done.get(f"{rb.id}/{st.id}"))
            cmds = [(c.label or c.id, _render_command(c.run, profile)) for c in st.commands]
            steps.append(StepView(rb.id, st.id, st.title, rs, cv, recs,
                                  str(note.get("text") or note.get("value") or ""), str(note.get("at") or ""),
                                  str(d.get("by") or ("yes" if d else "")), str(d.get("at") or ""), cmds,
                                  [(c.id, c.kind) for c in st.checks]))
        sv = StageView(rb.id, rb.stage, stage_title(rb), str(rb.goal or ""), steps)
        ran = [r.status for r in sv.results if r.status != "skip"]
        sv.status = max(ran, key=_severity) if ran else None
        stages.append(sv)
    incident_books = {rb.id for rb in runbooks if rb.kind != "stage"}
    other = [r for r in results if (r.runbook, r.step) not in used and r.runbook not in incident_books]
    return stages, other


def current_results(results: list[ResultView], stage_of: dict[str, int]) -> list[ResultView]:
    """One result per (check kind, target): the newest one says how things stand now.

    The same check often runs in several places (stage 1, stage 7, an incident runbook);
    counting each copy would list one problem three times. The result keeps the newest
    status and text, and is placed at the earliest stage step that runs it, so links point
    at a stage rather than at an incident runbook."""
    groups: dict[tuple[str, str], list[ResultView]] = {}
    for r in results:
        groups.setdefault((r.check, r.target), []).append(r)
    out = []
    for rs in groups.values():
        newest = max(rs, key=lambda r: (r.started_at, r.key))
        staged = [r for r in rs if r.runbook in stage_of]
        home = min(staged, key=lambda r: (stage_of[r.runbook], r.runbook, r.step, r.key)) if staged else newest
        out.append(replace(newest, runbook=home.runbook, step=home.step, stage=home.stage)
                   if home is not newest else newest)
    out.sort(key=lambda r: (r.stage if r.stage is not None else 99, r.runbook, r.step, r.check_id, r.target, r.key))
    return out


def _where(r: ResultView, titles: dict[str, str]) -> str:
    rb = titles.get(r.runbook, r.runbook or "checks")
    step = titles.get(f"{r.runbook}/{r.step}", r.step)
    return f"{rb} › {step}" if step else rb


def _verdict(stages: list[StageView], results: list[ResultView], current: list[ResultView],
             titles: dict[str, str], problems: list[ProblemView] | None = None) -> Verdict:
    """Launch blockers are the failing problems (each once, ranked) and the unticked
    must-do items; warnings and could-not-checks are counted per problem too."""
    blockers: list[Blocker] = []
    warnings: list[ResultView] = [r for r in current if r.status == "warn"]
    errors: list[ResultView] = [r for r in current if r.status == "error"]
    if problems is None:
        for r in current:
            if r.status == "fail":
                blockers.append(Blocker("fail", r.summary or f"{r.check} failed on {r.target}", _where(r, titles),
                                        r.fix, r))
    else:
        by_key = {r.key: r for r in results}
        warnings, errors = [], []
        for p in problems:
            shown = [by_key[k] for k in p.result_keys if k in by_key]
            rep = next((r for r in shown if r.status == p.status), shown[0] if shown else None)
            if p.status == "fail":
                blockers.append(Blocker("fail", p.title, p.where, p.fix, rep, p))
            elif rep is not None:
                (warnings if p.status == "warn" else errors).append(replace(rep, summary=p.title))
    for sv in stages:
        for st in sv.steps:
            for c in st.confirms:
                if c.blocker and not c.checked:
                    blockers.append(Blocker("confirm", c.text, f"{sv.title} › {st.title}"))
    counts = {s.value: 0 for s in Status}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    return Verdict(
        blockers=blockers,
        warnings=warnings,
        errors=errors,
        counts=counts,
        stale=sum(1 for r in current if r.stale),
        total=len(results),
    )


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _summary(project: str, v: Verdict, stages: list[StageView]) -> str:
    fails = sum(1 for b in v.blockers if b.kind == "fail")
    unticked = len(v.blockers) - fails
    parts = []
    if v.total == 0:
        parts.append(f"No checks have been run for {project} yet, so this document only holds "
                     "what people wrote down. Run `launchready check` before relying on it.")
    if v.blockers:
        why = []
        if fails:
            why.append(f"{_plural(fails, 'problem')} found by the checks")
        if unticked:
            why.append(f"{_plural(unticked, 'must-do item')} {'is' if unticked == 1 else 'are'} not ticked off yet")
        parts.append(f"{project} is not ready to launch: {_plural(len(v.blockers), 'launch blocker')} "
                     f"{'is' if len(v.blockers) == 1 else 'are'} open ({' and '.join(why)}).")
        first = v.blockers[0]
        parts.append(f"Start with: {first.text.rstrip('.')}.")
    elif v.total:
        parts.append(f"{project} has no open launch blockers.")
    if v.warnings:
        parts.append(f"{_plural(len(v.warnings), 'warning')} should be looked at soon; none stops a launch on its own.")
    if v.errors:
        parts.append(f"{_plural(len(v.errors), 'thing')} could not be checked (no answer, a timeout or a refusal); "
                     "that is not a pass, so run those checks again.")
    if v.stale:
        parts.append(f"{_plural(v.stale, 'result')} {'is' if v.stale == 1 else 'are'} more than {STALE_DAYS} days old "
                     "and marked stale.")
    if stages:
        done = sum(1 for s in stages if s.steps and s.steps_done == len(s.steps))
        parts.append(f"{done} of {len(stages)} roadmap stages have every step marked done.")
    parts.append("The day-2 action list at the end says what to do next, in order.")
    return " ".join(parts)


def _day2(v: Verdict, stages: list[StageView], tls: list[TlsRow], creds: list[CredentialView],
          plan: list[dict[str, str]], current_policy: str, runbooks: RunbooksView, team: list[FieldView],
          current: list[ResultView], titles: dict[str, str], now: dt.datetime) -> list[Action]:
    acts: list[Action] = []
    fails = [b for b in v.blockers if b.kind == "fail"]
    ticks = [b for b in v.blockers if b.kind != "fail"]
    # Each launch blocker and must-do item is listed once, on the cover; here, one line each.
    if fails:
        first = fails[0].problem.rank if fails[0].problem is not None else 1
        acts.append(Action(f"Fix the {_plural(len(fails), 'failing problem')} under Launch blockers, in rank "
                           f"order (start with #{first}: {fails[0].text.rstrip('.')})", "", "", "", "fix"))
    if ticks:
        acts.append(Action(f"Do, then tick off, the {_plural(len(ticks), 'must-do item')} listed under Launch "
                           "blockers", "", "", "", "tick"))
    for r in v.errors:
        acts.append(Action(r.summary.removeprefix("Could not check: "), "", "", _where(r, titles), "rerun"))
    stale = [r for r in current if r.stale and r.status not in ("skip", "error")]
    if stale:
        acts.append(Action(f"{_plural(len(stale), 'result')} {'is' if len(stale) == 1 else 'are'} more than "
                           f"{STALE_DAYS} days old: run `launchready check` again", "", "", "stale evidence", "rerun"))
    for r in v.warnings:
        acts.append(Action(r.summary, "", "", _where(r, titles), "look"))
    # certificates that expire on the same day and are renewed by the same people: one line
    groups: dict[tuple[str, str], list[str]] = {}
    for t in tls:
        exp = parse_time(t.not_after)
        if exp:
            groups.setdefault((exp.strftime("%Y-%m-%d"), t.renews), []).append(t.host)
    for (day, renews), hosts in sorted(groups.items()):
        exp = parse_time(day) or now  # the day came from a parsed time
        names = ", ".join(hosts)
        many = len(hosts) > 1
        if exp <= now:
            what = f"Certificate{'s' if many else ''} for {names} expired on {day}: renew {'them' if many else 'it'}"
            due = now
        else:
            what = (f"Certificate{'s' if many else ''} for {names} expire{'' if many else 's'} on {day}: "
                    f"confirm {'they have' if many else 'it has'} renewed")
            due = max(exp - dt.timedelta(days=30), now)
        acts.append(Action(what, due.strftime("%Y-%m-%d"), renews, "certificate renewal", "recurring"))
    for c in creds:
        if c.next_due:
            what = f"Rotate {c.label}" + (" (overdue)" if c.overdue else "")
            acts.append(Action(what, c.next_due, c.owner, f"credential rotation, {c.cadence}".rstrip(", "), "recurring"))
    for p in plan:
        if p.get("step") and p["step"].removeprefix("p=") == current_policy:
            continue  # already there
        if p.get("date") or p.get("step"):
            acts.append(Action(f"DMARC: publish {p['step']}" + (f" ({p['note']})" if p.get("note") else ""),
                               p.get("date", ""), "", "DMARC rollout plan", "recurring"))
    last_at = next((t for t in (parse_time(r.at) for r in runbooks.rollback_runs) if t), None)
    if last_at:
        due = last_at + dt.timedelta(days=91)
        acts.append(Action("Repeat the rollback drill and write down the time it took", due.strftime("%Y-%m-%d"),
                           "", "every quarter", "recurring"))
    for f in team:
        if f.value:
            acts.append(Action(f"{f.label}: {f.value}", "", f.by, "the team's own day-2 list", "team"))
    dated = sorted([a for a in acts if a.kind == "recurring"], key=lambda a: (a.due or "9999", a.what))
    return [a for a in acts if a.kind not in ("recurring", "team")] + dated + [a for a in acts if a.kind == "team"]


def build(profile: Any, state: dict[str, Any], runbooks: list[Any], *, history: list[dict[str, Any]],
          allowlist: list[dict[str, Any]], allowlist_problem: str, author: str, now: dt.datetime) -> Handover:
    runbooks = sorted(runbooks, key=lambda r: (r.kind != "stage", r.stage or 0, r.id))
    results = _results(state, now)
    titles: dict[str, str] = {}
    for rb in runbooks:
        titles[rb.id] = stage_title(rb)
        for st in rb.steps:
            titles[f"{rb.id}/{st.id}"] = st.title
    stages, other = _stage_views(runbooks, state, results, profile)
    current = current_results(results, {rb.id: rb.stage or 0 for rb in runbooks if rb.kind == "stage"})
    problems = _problems.problem_views(state, results, profile, runbooks, titles, history, allowlist, now)
    verdict = _verdict(stages, results, current, titles, problems)
    project = str(getattr(profile, "project", "") or "this project")
    names = find_field(state, runbooks, "names")
    dns_notes = find_field(state, runbooks, "records")  # stage 3: "name, type, value, purpose" per line
    names_text = "\n".join(f.value for f in (names, dns_notes) if f is not None)
    map_fields = [f for f in find_record(state, runbooks, "domain-map") if f.id != "production_location"]
    prod = find_field(state, runbooks, "production_location")
    renewer = find_field(state, runbooks, "cert_renewer")
    where = Where(
        environments=_environments(profile),
        production=prod.value if prod else "",
        map_fields=map_fields,
        hosts=_hosts(profile, results, names_text),
        redirects=[row for r in sorted(_latest(results, "redirects").values(), key=lambda r: r.target)
                   for row in _redirect_rows(r)],
        redirect_record=find_record(state, runbooks, "redirect-map"),
        tls=_tls_rows(results, renewer.value if renewer else ""),
        tls_record=[f for f in find_record(state, runbooks, "ssl-endpoints") if f.id != "endpoints"],
        renewer_where=_problems._step_of(runbooks, titles, record="ssl-endpoints")[0],
    )
    prod_asks, prod_missing = _problems.production(state, runbooks, titles, where.production)
    email = _email(profile, results, state, runbooks)
    creds = _credentials(state, now)
    secrets = SecretsView(creds, find_record(state, runbooks, "secret-inventory"),
                          [r for r in current if r.check in ("secrets", "env", "credentials")])
    rbv = _runbooks_view(profile, state, runbooks, results, history)
    perf, perf_note = _performance(profile, results, history)
    open_results = sorted([r for r in current if r.open],
                          key=lambda r: (-_severity(r.status), r.stage if r.stage is not None else 99, r.runbook, r.step, r.target))
    risk_records = []
    for bid in ("risk-list", "launch-blockers", "risk-log"):
        fs = find_record(state, runbooks, bid)
        if any(f.value for f in fs):
            label = next((b.label for rb in runbooks for st in rb.steps for b in st.records if b.id == bid), bid)
            risk_records.append(RecordView(bid, label, [f for f in fs if f.id != "out_of_scope"]))
    oos = find_field(state, runbooks, "out_of_scope")
    risks = RiskView(open_results, [b for b in verdict.blockers if b.kind == "confirm"], _allow(allowlist, now),
                     allowlist_problem, oos.value if oos else "", risk_records)
    team = [f for f in find_record(state, runbooks, "day-2-actions") if f.value]
    policy = next((str(r.evidence.get("effective_policy") or "") for r in email.results if r.check == "dmarc"), "")
    day2 = _day2(verdict, stages, where.tls, creds, email.dmarc_plan, policy, rbv, team, current, titles, now)
    times = sorted(r.started_at for r in results if parse_time(r.started_at) is not None)
    return Handover(
        problems=problems,
        results_from=times[0] if times else "",
        results_to=times[-1] if times else "",
        production=prod_asks,
        production_missing=prod_missing,
        monitoring=_problems.monitoring(profile, state, results, runbooks, titles),
        incidents_past=_problems.past_incidents(state, profile),
        unlisted_secrets=_problems.unlisted_secrets(profile, creds, secrets.inventory_record, current),
        project=project,
        domain=_shown_domain(profile),
        date=now.strftime("%Y-%m-%d"),
        generated_at=now.replace(microsecond=0).isoformat(),
        author=author or "unknown",
        profile_path=str(getattr(profile, "path", "")),
        verdict=verdict,
        summary=_summary(project, verdict, stages),
        where=where,
        stages=stages,
        other_results=other,
        email=email,
        secrets=secrets,
        runbooks=rbv,
        performance=perf,
        performance_note=perf_note,
        sections=kind_sections(results, history),
        risks=risks,
        day2=day2,
        titles=titles,
    )


def kind_sections(results: list[Any], history: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """The kinds' own sections (`Kind.handover`, see core/checks/_handover.py): each distinct
    section function called once, in kind-name order, with the results and the history;
    (family, section) for those that have something to say. A kind whose module cannot be
    imported here (a missing optional library) adds no section."""
    from launchready_tui.core import registry

    out: list[tuple[str, Any]] = []
    called: set[Any] = set()
    for name in sorted(registry.KINDS):
        if not getattr(registry.KINDS[name], "handover", False):
            continue
        try:
            kind = registry.load_kind(name)
        except (registry.NotAvailable, ImportError):
            continue
        fn = kind.handover
        if fn is None or fn in called:
            continue
        called.add(fn)
        section = fn(results, history)
        if section is not None:
            out.append((kind.family, section))
    return out


def _shown_domain(profile: Any) -> str:
    """The domain as people read it: the U-label of an international name (issue 20)."""
    show = getattr(profile, "display_host", None)
    return str(show() if callable(show) else getattr(profile, "domain", ""))
