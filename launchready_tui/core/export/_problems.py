"""The handover's problem-based parts: the ranked problems (core/problems.py), where
production lives, what is monitored, past incident notes and secrets nobody listed.

Pure: no file or network access; reads the state, the profile and the runbooks defensively.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from launchready_tui.core.export._model import (
    CredentialView,
    FieldAsk,
    FieldView,
    IncidentLink,
    MonitoringView,
    ProblemView,
    ResultView,
)
from launchready_tui.core.export._readers import _entry, _field_view, _profile_get

PRODUCTION_RECORD = "production"  # stage 1, "Find where production lives"
PRODUCTION_FIELDS = ("host", "account", "region", "database", "owner")


def problem_views(state: dict[str, Any], results: list[ResultView], profile: Any, runbooks: list[Any],
                  titles: dict[str, str], history: list[dict[str, Any]],
                  allowlist: list[dict[str, Any]] | None = None, now: Any = None) -> list[ProblemView]:
    """Every problem once, ranked, with owner and priority from the state. A problem an
    unexpired allowlist entry names by id (`id: <problem id>`) is left out: the risk log's
    accepted exceptions list it."""
    from launchready_tui.core.export._model import parse_time
    from launchready_tui.core.problems import current, derive, is_blocker, set_aside
    from launchready_tui.core.results import CheckResult

    raw: dict[str, Any] = state["results"] if isinstance(state.get("results"), dict) else {}
    by_key = {r.key: r for r in results}
    stage_ids = {rb.id for rb in runbooks if getattr(rb, "kind", "") == "stage"}
    crs = []
    for r in results:  # stage order, incident runbooks last, so a problem's home is a stage step
        d = raw.get(r.key)
        if not isinstance(d, dict):
            continue
        try:
            cr = CheckResult.from_dict(d)
        except (TypeError, ValueError):
            continue
        crs.append(cr)
    meta = state.get("problems") if isinstance(state.get("problems"), dict) else {}
    when = sorted(r.started_at for r in results if r.started_at)
    problems = derive(current(crs), profile, meta=meta, history=history, now=when[0] if when else "")
    live: dict[str, str] = {}
    for e in allowlist or []:
        if not isinstance(e, dict) or not e.get("id"):
            continue
        until = parse_time(e.get("expires"))
        if until is not None and (now is None or until.date() >= now.date()):
            live[str(e["id"]).lower()] = until.strftime("%Y-%m-%d")
    problems, _ = set_aside(problems, lambda pid: live.get(pid.lower()))
    out = []
    for p in problems:
        steps = [s for s in p.steps if s.split("/", 1)[0] in stage_ids] or p.steps
        home = steps[0] if steps else ""
        rb, _, st = home.partition("/")
        where = f"{titles.get(rb, rb)} › {titles.get(home, st)}" if home else ""
        command = f"launchready check --runbook {rb} --step {st}" if home else "launchready check"
        stale = any(by_key[k].stale for k in p.results if k in by_key)
        out.append(ProblemView(p.id, p.rank, p.level, p.impact, p.title, p.fix, p.status.value, where, command,
                               p.owner or "", p.priority or "", p.first_seen, len(p.results), stale,
                               is_blocker(p), list(p.results)))
    return out


def _step_of(runbooks: list[Any], titles: dict[str, str], *, record: str = "", kind: str = "") -> tuple[str, str]:
    """("Stage title › step title", "runbook/step") of the first step with that record or
    check kind; ("", "") when no loaded runbook has one."""
    for rb in runbooks:
        for st in rb.steps:
            if record and any(b.id == record for b in st.records):
                return f"{titles.get(rb.id, rb.id)} › {st.title}", f"{rb.id}/{st.id}"
            if kind and any(c.kind == kind for c in st.checks):
                return f"{titles.get(rb.id, rb.id)} › {st.title}", f"{rb.id}/{st.id}"
    return "", ""


def _record_fields(state: dict[str, Any], runbooks: list[Any], record: str) -> list[FieldView]:
    records: dict[str, Any] = state["records"] if isinstance(state.get("records"), dict) else {}
    for rb in runbooks:
        for st in rb.steps:
            for b in st.records:
                if b.id == record:
                    stored = records.get(f"{rb.id}/{st.id}/{b.id}")
                    stored = stored if isinstance(stored, dict) else {}
                    return [_field_view(f.id, f.label, stored.get(f.id), f.type) for f in b.fields]
    return []


def _missing_text(missing: list[str], where: str, what: str) -> str:
    if not missing:
        return ""
    names = ", ".join(missing[:-1]) + (" and " if len(missing) > 1 else "") + missing[-1]
    more = f" ({what})" if what else ""
    return f"Not written down yet: {names}. Fill {'them' if len(missing) > 1 else 'it'} in at {where}{more}."


def production(state: dict[str, Any], runbooks: list[Any], titles: dict[str, str],
               free_text: str) -> tuple[list[FieldAsk], str]:
    """Host, account, region, database and owner of production, from stage 1's record,
    and one sentence naming what is still missing and where to fill it in."""
    where, _ = _step_of(runbooks, titles, record=PRODUCTION_RECORD)
    fields = _record_fields(state, runbooks, PRODUCTION_RECORD)
    asks = [FieldAsk(f.label, f.value, where, f.by, f.at) for f in fields]
    missing = [f.label.split(" (")[0].lower() for f in fields if not f.value]
    if not fields:  # runbooks without the record: only the free-text field is known
        return [], "" if free_text else ("Nobody has written down where production runs yet (stage 1, "
                                          "\"Find where production lives\").")
    if free_text and missing:
        return asks, _missing_text(missing, where, "the domain map's note above may say more")
    return asks, _missing_text(missing, where, "")


def monitoring(profile: Any, state: dict[str, Any], results: list[ResultView], runbooks: list[Any],
               titles: dict[str, str]) -> MonitoringView:
    """What is watched (the `monitor` URLs and the checks that look at them), where
    alerts go and who owns them (stage 6's records)."""
    urls = _profile_get(profile, "monitor", []) or []
    urls = [str(u.get("url") if isinstance(u, dict) else u) for u in urls if u]
    uptime = [r for r in results if r.check == "uptime"]
    _, home = _step_of(runbooks, titles, kind="uptime")
    watched = []
    for url in urls:
        rs = [r for r in uptime if r.target == url]
        newest = max(rs, key=lambda r: r.started_at) if rs else None
        steps = list(dict.fromkeys(f"{r.runbook}/{r.step}" for r in rs))
        by = "; ".join(f"{titles.get(s.split('/', 1)[0], s)} › {titles.get(s, s)}" for s in steps[:3])
        first = steps[0] if steps else home
        rb, _, st = first.partition("/")
        cmd = f"launchready check --runbook {rb} --step {st}" if first else "launchready check"
        watched.append((url, newest.status if newest else "", by or "not checked yet", cmd))
    external = _external_monitors(results)
    monitors = [f for f in _record_fields(state, runbooks, "monitors") if f.value]
    where, _ = _step_of(runbooks, titles, record="alert-channel")
    alerts = [FieldAsk(f.label, f.value, where, f.by, f.at)
              for f in _record_fields(state, runbooks, "alert-channel")]
    missing = [a.label.lower() for a in alerts if not a.value and a.label.lower().split()[0] in
               ("where", "who", "alert", "channel", "owner")]
    text = _missing_text(missing, where, "") if where else (
        "No alert channel is written down (the stage 6 runbook is not loaded).")
    if not urls:
        text = ("The profile lists no `monitor` URLs, so nothing is watched. Add the home page, the app and "
                "the API health URL under `monitor` in launchready.yaml. " + text).strip()
    return MonitoringView(watched, monitors, alerts, text, external)


def _external_monitors(results: list[ResultView]) -> list[tuple[str, str, str, str, str]]:
    """What an uptime service's account says it watches (the `monitors` kind's evidence:
    `provider` and `watched` = [{url, status, interval_s, alerts}]), newest result per
    account; read defensively, any other shape gives nothing."""
    newest: dict[str, ResultView] = {}
    for r in results:
        if r.check == "monitors" and isinstance(r.evidence.get("watched"), list):
            if r.target not in newest or r.started_at > newest[r.target].started_at:
                newest[r.target] = r
    rows = []
    for target, r in sorted(newest.items()):
        service = str(r.evidence.get("provider") or target)
        for w in r.evidence["watched"]:
            if not isinstance(w, dict):
                continue
            every = w.get("interval_s")
            every_text = f"every {int(every) // 60} min" if isinstance(every, int | float) and every >= 60 else (
                f"every {every} s" if isinstance(every, int | float) else "")
            alerts = w.get("alerts")
            alerts_text = ", ".join(str(a) for a in alerts) if isinstance(alerts, list) and alerts else "nobody"
            rows.append((service, str(w.get("url") or w.get("name") or "?"), str(w.get("status") or "?"),
                         every_text, alerts_text))
    return rows


def past_incidents(state: dict[str, Any], profile: Any) -> list[IncidentLink]:
    incidents: dict[str, Any] = state["incidents"] if isinstance(state.get("incidents"), dict) else {}
    base = getattr(profile, "dir", None)
    out = []
    for iid, inc in incidents.items():
        inc = _entry(inc)
        path = str(inc.get("note_path") or "")
        if path and base is not None:
            try:
                path = str(Path(path).resolve().relative_to(Path(base).resolve()))
            except (ValueError, OSError):
                path = Path(path).name and f".launchready/incidents/{Path(path).name}"
        if ":" in path or path.startswith(("/", "\\")):  # only a plain relative path becomes a link
            path = ""
        out.append(IncidentLink(str(inc.get("title") or iid), str(inc.get("started_at") or ""),
                                str(inc.get("ended_at") or ""), path))
    out.sort(key=lambda i: i.started_at, reverse=True)
    return out


def _words(text: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", text.lower()) if len(w) > 2}


def unlisted_secrets(profile: Any, creds: list[CredentialView], inventory: list[FieldView],
                     results: list[ResultView]) -> list[tuple[str, str]]:
    """Required secrets and found leaks that no inventory entry covers: (what, why)."""
    listed = " ".join(" ".join((c.id, c.label, c.reference)) for c in creds)
    listed += " " + " ".join(f.value for f in inventory)
    listed_words = _words(listed)
    out: list[tuple[str, str]] = []
    generic = {"secret", "key", "token", "password", "url", "api", "live", "test", "private", "dsn"}
    for name in _profile_get(profile, "required_env", []) or []:
        name = str(name)
        if not re.search(r"SECRET|KEY|TOKEN|PASSWORD|DATABASE_URL|DSN", name, re.I):
            continue  # not a secret (a port, a log level)
        specific = _words(name) - generic
        if name.lower() in listed.lower() or (specific and specific <= listed_words):
            continue  # listed by name, or by what it is ("Stripe live secret key" covers STRIPE_SECRET_KEY)
        out.append((name, "required by the app (`required_env`) but not in the inventory: record where it lives "
                          "and who owns it"))
    for r in results:
        if r.check != "secrets" or r.status not in ("fail", "warn"):
            continue
        for f in r.evidence.get("findings") or []:
            if not isinstance(f, dict):
                continue
            title = str(f.get("title") or f.get("rule") or "secret")
            rule_words = _words(str(f.get("rule") or "")) - {"secret", "key", "token", "env", "public"}
            if rule_words and rule_words & listed_words:
                continue
            where = f"{f.get('file', '?')}:{f.get('line', '?')}"
            out.append((f"{title} at {where} (fingerprint {f.get('fingerprint', '?')})",
                        "found by the scan but not in the inventory: rotate it, then record the new one"))
    return out
