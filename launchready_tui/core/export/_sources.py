"""Read each family's evidence and the team's records into the handover's sections.

Every family owns its evidence keys (core/checks/...); these readers take what is there
and never assume a key or a type, so a renamed key shows up as "not found", not a crash.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any, cast

from launchready_tui.core.export._model import (
    DEFAULT_LATENCY_BUDGET_MS,
    EMAIL_KINDS,
    ROLLBACK_BUDGET_MIN,
    AllowEntry,
    CredentialView,
    EmailView,
    FieldView,
    HostRow,
    PerfRow,
    RedirectRow,
    ResultView,
    RunbooksView,
    TimedRun,
    TlsRow,
    TreeNode,
    _list,
    _num,
    parse_time,
    show_date,
)
from launchready_tui.core.export._readers import _profile_get, _render_command, _short, find_record
from launchready_tui.core.recorder import is_rollback

if TYPE_CHECKING:
    from launchready_tui.core.checks.command import CommandEvidence
    from launchready_tui.core.checks.dns import DnsEvidence
    from launchready_tui.core.checks.email.dmarc import DmarcEvidence
    from launchready_tui.core.checks.email.spf import SpfEvidence
    from launchready_tui.core.checks.latency import LatencyEvidence, LatencySnapshot
    from launchready_tui.core.checks.redirects import RedirectsEvidence
    from launchready_tui.core.checks.tls import TlsEvidence


def dns_records(ev: DnsEvidence) -> list[str]:
    out: list[str] = []
    chain = ev.get("cname_chain") or []
    if isinstance(chain, list):
        for link in chain:  # [name, target] pairs, as the dns check writes them
            if isinstance(link, list | tuple) and len(link) >= 2:
                out.append(f"CNAME {link[-1]}")
    for key, label in (("a", "A"), ("aaaa", "AAAA")):
        vals = ev.get(key)
        if isinstance(vals, list) and vals:
            out.append(f"{label} " + ", ".join(map(str, vals[:8])) + (" …" if len(vals) > 8 else ""))
        elif isinstance(vals, str) and vals:
            out.append(f"{label} {vals}")
    recs = ev.get("records")
    if isinstance(recs, dict):
        for rtype in sorted(recs, key=str):
            vals = recs[rtype]
            if rtype.lower() in ("a", "aaaa") and any(x.startswith(rtype.upper() + " ") for x in out):
                continue
            if isinstance(vals, list) and vals:
                out.append(f"{str(rtype).upper()} " + ", ".join(map(str, vals[:8])))
            elif isinstance(vals, str | int) and vals != "":
                out.append(f"{str(rtype).upper()} {vals}")
    elif isinstance(recs, list):
        out.extend(str(rec) for rec in recs[:20])
    hmap = ev.get("map")
    if isinstance(hmap, dict):
        for entry in hmap.values():
            if isinstance(entry, dict) and entry.get("provider"):
                out.append(f"hosted on {entry['provider']}")
    for key in ("ns", "caa", "mx"):
        vals = ev.get(key)
        if isinstance(vals, list) and vals and not any(x.upper().startswith(key.upper() + " ") for x in out):
            out.append(f"{key.upper()} " + ", ".join(map(str, vals[:8])))
    seen: list[str] = []
    for x in out:
        if x not in seen:
            seen.append(x)
    return seen


def _purpose(host: str, names_text: str) -> str:
    for line in names_text.splitlines():
        low = line.lower()
        if not host:
            continue
        # the line naming exactly this host (not a longer name that contains it)
        if re.search(rf"(?<![\w.-]){re.escape(host)}(?![\w-]|\.[\w-])", low):
            rest = re.sub(rf"(?<![\w.-]){re.escape(host)}(?![\w-]|\.[\w-])", "", line, count=1, flags=re.I)
            return rest.strip(" ,;:-–—|\t") or line.strip()
    return ""


def _latest(results: list[ResultView], check: str) -> dict[str, ResultView]:
    out: dict[str, ResultView] = {}
    for r in results:
        if r.check != check:
            continue
        t = r.target.lower().rstrip(".")
        if t not in out or r.started_at > out[t].started_at:
            out[t] = r
    return out


def _host_of(target: str) -> str:
    t = target.lower()
    t = re.sub(r"^[a-z][a-z0-9+.-]*://", "", t)
    return t.split("/", 1)[0].split(":", 1)[0].rstrip(".")


def _hosts(profile: Any, results: list[ResultView], names_text: str) -> list[HostRow]:
    try:
        all_hosts = list(profile.all_hosts())
        roles = {str(v).lower().rstrip("."): str(k) for k, v in profile.hosts.items()}
        domain = str(profile.domain).lower()
        canonical = str(profile.canonical_host).lower()
    except Exception:
        all_hosts, roles, domain, canonical = [], {}, "", ""
    dns = _latest(results, "dns")
    for t in sorted(dns):
        if t not in all_hosts and t not in ("", "-"):
            all_hosts.append(t)
    rows = []
    for host in all_hosts:
        role = roles.get(host, "")
        if host == domain:
            role = "root domain" + (f", {role}" if role else "")
        if host == canonical and host != domain:
            role = (role + ", " if role else "") + "main address"
        elif host == canonical:
            role += ", main address"
        r = dns.get(host)
        rows.append(HostRow(
            host=host, role=role, records=dns_records(cast("DnsEvidence", r.evidence)) if r else [],
            purpose=_purpose(host, names_text), status=r.status if r else None,
            summary=r.summary if r and r.status != "pass" else "", checked_at=r.started_at if r else "",
            stale=bool(r and r.stale),
        ))
    return rows


_ENDS = {
    "final": "",
    "loop": "redirect loop",
    "too_many": "too many redirects",
    "off_domain": "leaves your domains (not followed)",
    "broken": "broken: a later hop does not answer",
    "unresolved": "the host does not resolve",
    "no_answer": "no answer",
    "dns_error": "DNS lookup failed",
    "bad_location": "bad Location header",
    "out_of_time": "ran out of time",
}


def _hop_text(hop: Any) -> str:
    """One request of a redirect chain (`redirects.Hop.to_dict()`): its answer, and where
    it sent the visitor."""
    if isinstance(hop, dict):
        status = hop.get("status")
        nxt = hop.get("next_url") or hop.get("location") or ""  # next_url only when it differs
        err = hop.get("error") or hop.get("cert_error") or ""
        text = str(status) if status not in ("", None) else "no answer"
        if nxt:
            text += f" → {nxt}"
        if err:
            text += f" ({_short(err, 120)})"
        return text
    return _short(hop, 160)


def _redirect_rows(r: ResultView) -> list[RedirectRow]:
    """One row per start address: `map` (start -> final address or None), `ends` (how each
    chain ended) and `hops` (start -> the requests), as the redirects check writes them."""
    ev = cast("RedirectsEvidence", r.evidence)
    rows: list[RedirectRow] = []

    def add(start: Any, hops: Any, final: Any, note: Any = "") -> None:
        hop_list = [_hop_text(h) for h in hops] if isinstance(hops, list) else []
        if len(hop_list) > 12:
            hop_list = hop_list[:11] + [f"… {len(hop_list) - 11} more", hop_list[-1]]
        rows.append(RedirectRow(str(start or r.target), hop_list, str(final or ""), r.status,
                                _ENDS.get(str(note), str(note or "")), r.stale))

    m = ev.get("map")
    raw_hops, raw_ends = ev.get("hops"), ev.get("ends")  # hand-edited state: anything goes
    hops = raw_hops if isinstance(raw_hops, dict) else {}
    ends = raw_ends if isinstance(raw_ends, dict) else {}
    if isinstance(m, dict) and m:
        for old in sorted(m, key=lambda u: (not str(u).startswith("http:"), str(u))):
            add(old, hops.get(old), m[old], ends.get(old, ""))
    elif hops:
        for start in sorted(hops, key=str):
            add(start, hops[start], "", ends.get(start, ""))
    elif r.status != "skip":
        add(r.target, [], "", r.summary)
    return rows


def _tls_rows(results: list[ResultView], renewer: str) -> list[TlsRow]:
    rows = []
    for host, r in sorted(_latest(results, "tls").items()):
        ev = cast("TlsEvidence", r.evidence)
        if r.status == "skip":
            continue
        raw_cert = ev.get("certificate")  # hand-edited state: anything goes
        cert = raw_cert if isinstance(raw_cert, dict) else {}
        issuer = str(cert.get("issuer_org") or cert.get("issuer_cn") or "")
        cn = cert.get("issuer_cn")
        if cn and issuer != cn:
            issuer = f"{issuer} ({cn})"
        rows.append(TlsRow(
            host=host,
            issuer=issuer,
            not_after=str(cert.get("not_after") or ""),
            days_left=_num(cert.get("days_left")),
            status=r.status,
            renews=str(ev.get("cert_renewer") or renewer),
            summary=r.summary if r.status != "pass" else "",
            stale=r.stale,
        ))
    return rows


def _environments(profile: Any) -> list[dict[str, str]]:
    envs = _profile_get(profile, "environments", {})
    if not isinstance(envs, dict):
        return []
    out = []
    for name in sorted(envs, key=lambda n: (not (isinstance(envs[n], dict) and envs[n].get("production")) and n != "production", str(n))):
        e = envs[name] if isinstance(envs[name], dict) else {}
        prod = bool(e.get("production")) or name == "production"
        out.append({
            "name": str(name),
            "url": str(e.get("url") or ""),
            "settings": str(e.get("env_file") or (f"process env ({e.get('source')})" if e.get("source") else "")),
            "production": "yes" if prod else "no",
            "public": "yes" if e.get("public") else "",
        })
    return out


# -- email ------------------------------------------------------------------------------


def _spf_node(node: dict[str, Any], budget: list[int], depth: int) -> TreeNode:
    """One record of an SPF lookup tree (core/checks/email/spf.py `walk_spf`)."""
    term = str(node.get("term") or "")
    domain = str(node.get("domain") or "")
    label = f"{term} → {domain}" if term and domain and domain not in term else (term or domain or "record")
    total = node.get("total")
    bits = [f"{total} DNS lookup{'s' if total != 1 else ''}" + (" in total" if node.get("children") else "")]
    if node.get("total_void"):
        bits.append(f"{node['total_void']} void")
    if node.get("problem"):
        bits.append(str(node["problem"]))
    if node.get("counted") is False:
        bits.append("not counted")
    record = _short(node["record"], 300) if isinstance(node.get("record"), str) else ""
    kids_by_term = {str(c.get("term")): c for c in node.get("children") or [] if isinstance(c, dict)}
    kids: list[TreeNode] = []
    for t in node["terms"][:60]:
        if not isinstance(t, dict):
            continue
        child = kids_by_term.pop(str(t.get("term")), None)
        if child is not None:
            if depth < 12 and budget[0] > 0:
                budget[0] -= 1
                kids.append(_spf_node(child, budget, depth + 1))
            continue
        if not t.get("cost") and not t.get("note") and not t.get("problem"):
            continue
        extra = [f"{t['cost']} lookup{'s' if t.get('cost') != 1 else ''}"] if t.get("cost") else []
        extra += [str(x) for x in (t.get("problem"), t.get("note")) if x]
        kids.append(TreeNode(str(t.get("term") or "?"), "; ".join(extra)))
    for child in kids_by_term.values():
        kids.append(_spf_node(child, budget, depth + 1))
    return TreeNode(label, "; ".join(bits), kids, record)


def _dmarc_plan(ev: DmarcEvidence) -> list[dict[str, str]]:
    """The rollout plan the dmarc check wrote (`dmarc.RolloutStep`s)."""
    out = []
    for x in (ev.get("rollout") or [])[:20]:
        if isinstance(x, dict):
            step = str(x.get("p") or "")
            out.append({
                "date": show_date(x.get("date") or ""),
                "step": f"p={step}" if step in ("none", "quarantine", "reject") else step,
                "record": str(x.get("record") or ""),
                "note": "",
            })
    return out


def _email(profile: Any, results: list[ResultView], state: dict[str, Any], runbooks: list[Any]) -> EmailView:
    latest: dict[tuple[str, str], ResultView] = {}
    for r in results:
        if r.check in EMAIL_KINDS:
            k = (r.check, r.target)
            if k not in latest or r.started_at > latest[k].started_at:
                latest[k] = r
    rs = sorted(latest.values(), key=lambda r: (EMAIL_KINDS.index(r.check), r.target))
    spf_tree: TreeNode | None = None
    spf_total = ""
    plan: list[dict[str, str]] = []
    for r in rs:
        ev = cast("SpfEvidence", r.evidence)
        tree = ev.get("tree") if r.check == "spf" else None
        if spf_tree is None and isinstance(tree, dict) and isinstance(tree.get("terms"), list):
            spf_tree = _spf_node(tree, [400], 0)  # walk_spf's tree
            tot = ev.get("lookup_count")
            if tot is None:
                tot = tree.get("total")
            if isinstance(tot, int):
                spf_total = f"{tot} of the 10 DNS lookups SPF allows"
        if r.check == "dmarc" and not plan:
            plan = _dmarc_plan(cast("DmarcEvidence", r.evidence))
    domain = str(_profile_get(profile, "email.domain", "") or getattr(profile, "domain", ""))
    return EmailView(domain, rs, spf_tree, spf_total, plan, [])


# -- secrets ----------------------------------------------------------------------------

def _credentials(state: dict[str, Any], now: dt.datetime) -> list[CredentialView]:
    """The credentials inventory, read as `core.credentials.Credential` (metadata only:
    `from_dict` never keeps a value)."""
    from launchready_tui.core.credentials import Credential

    creds = state.get("credentials")
    if not isinstance(creds, dict):
        return []
    out = []
    for cid in sorted(creds, key=str):
        raw = creds[cid] if isinstance(creds[cid], dict) else {}
        try:
            c = Credential.from_dict({**raw, "id": str(cid)})
            nxt = c.next_due()
        except (TypeError, ValueError):  # a hand-edited entry: show what can be shown
            c, nxt = Credential(id=str(cid)), None
        days = c.rotate_every_days if isinstance(c.rotate_every_days, int) and c.rotate_every_days > 0 else None
        stored = raw.get("has_value")
        out.append(CredentialView(
            id=c.id,
            label=str(c.label or c.id),
            reference=str(c.reference or ""),
            owner=str(c.owner or ""),
            cadence=f"every {days} days" if days else "",
            last_rotated=show_date(c.last_rotated) if c.last_rotated else "",
            next_due=nxt.isoformat() if nxt else "",
            overdue=bool(nxt and nxt < now.date()),
            how_to_rotate=str(c.rotation_notes or ""),
            in_keyring="yes" if stored is True else ("no" if stored is False else ""),
        ))
    return out


# -- runbooks to keep -------------------------------------------------------------------


def _minutes_from(ev: dict[str, Any], fallback_ms: Any = None) -> float | None:
    for key, scale in (("duration_min", 1), ("minutes", 1), ("duration_s", 1 / 60), ("elapsed_s", 1 / 60),
                       ("seconds", 1 / 60), ("duration_ms", 1 / 60000), ("elapsed_ms", 1 / 60000)):
        n = _num(ev.get(key))
        if n is not None:
            return n * scale
    n = _num(fallback_ms)
    return n / 60000 if n else None


def _rollback_runs(results: list[ResultView], history: list[dict[str, Any]], incidents: Any,
                   fields_: list[FieldView], budget: float) -> list[TimedRun]:
    runs: list[TimedRun] = []
    for r in results:
        if r.check != "command" or r.status == "skip":
            continue
        if not is_rollback(check_id=r.check_id, step=r.step, command=r.target):
            continue
        ev = cast("CommandEvidence", r.evidence)
        secs = _num(ev.get("duration_s"))
        mins = secs / 60 if secs is not None else None
        b = _num(ev.get("budget_min")) or budget
        code = ev.get("exit_status")
        detail = r.summary
        if code is not None and str(code) not in detail:
            detail += f" (exit status {code})"
        runs.append(TimedRun("drill run by LaunchReady", r.started_at, mins, b,
                             None if mins is None else (mins <= b and r.status == "pass"), detail))
    for e in history:
        if not isinstance(e, dict):
            continue
        kind = str(e.get("type") or "")
        if kind in ("rollback", "rollback_drill") or (kind == "command" and is_rollback(
                block_id=str(e.get("block") or ""), step=str(e.get("step") or ""), command=str(e.get("command") or ""))):
            mins = _minutes_from(e)
            b = _num(e.get("budget_min")) or budget
            ok = e.get("ok")
            runs.append(TimedRun("history", str(e.get("at") or ""), mins, b,
                                 ok if isinstance(ok, bool) else (None if mins is None else mins <= b),
                                 str(e.get("summary") or "")))
    if isinstance(incidents, dict):
        for iid in sorted(incidents, key=str):
            inc = incidents[iid]
            if isinstance(inc, dict):
                t = incident_rollback(inc, budget)
                if t is not None and t.minutes is not None:
                    t.source = f"incident {iid}"
                    runs.append(t)
    by = {f.id: f for f in fields_}
    took = by.get("minutes_taken")
    if took and took.value:
        mins = _num(took.value)
        when = by.get("last_tested")
        who = by.get("tested_by")
        runs.append(TimedRun(f"written down by {who.value if who and who.value else took.by or 'the team'}",
                             when.value if when and when.value else took.at, mins, budget,
                             None if mins is None else mins <= budget, ""))
    runs.sort(key=lambda t: (parse_time(t.at) or dt.datetime.min.replace(tzinfo=dt.UTC)), reverse=True)
    return runs


def incident_rollback(inc: dict[str, Any], budget: float) -> TimedRun | None:
    """The rollback of an incident (its last `rollback` command event), timed from the
    start of the incident, which is how the 10-minute budget counts."""
    events = _list(inc, "events")
    rb_ev = next((e for e in reversed(events) if isinstance(e, dict) and _is_rollback(e)), None)
    if rb_ev is None:
        return None
    a = parse_time(inc.get("started_at"))
    rb_end = parse_time(rb_ev.get("at"))
    rb_start = parse_time(rb_ev.get("started_at"))
    dur = _num(rb_ev.get("duration_s"))
    if rb_start is None and rb_end is not None and dur is not None:
        rb_start = rb_end - dt.timedelta(seconds=dur)
    if dur is None and rb_start and rb_end:
        dur = (rb_end - rb_start).total_seconds()
    code = rb_ev.get("exit_code")
    since_start = (rb_end - a).total_seconds() / 60 if rb_end and a else None
    stop = inc.get("verified_s")  # the incident's clock stopped here: the one figure (core.incidents.verdict)
    if isinstance(stop, int | float) and not isinstance(stop, bool):
        since_start = float(stop) / 60
    minutes = since_start if since_start is not None else (dur / 60 if dur is not None else None)
    ok = None if minutes is None else (minutes <= budget and code in (0, None))
    detail = str(rb_ev.get("text") or "")
    if dur is not None and f"{dur:.0f} s" not in detail:
        detail += f" (the command itself ran {dur:.0f} s)"
    return TimedRun("incident", rb_start.isoformat() if rb_start else str(rb_ev.get("at") or ""), minutes, budget,
                    ok, detail)


def _is_rollback(e: dict[str, Any]) -> bool:
    """An incident's command event that was the rollback."""
    if e.get("rollback") is True:
        return True
    return str(e.get("type") or "").lower() == "command" and is_rollback(
        step=str(e.get("step") or ""), command=str(e.get("command") or ""))


def _smoke_list(profile: Any) -> list[tuple[str, str]]:
    """(url, what is expected) for each `deploy.smoke` entry, each once."""
    smoke = _profile_get(profile, "deploy.smoke", [])
    out: list[tuple[str, str]] = []
    if isinstance(smoke, list):
        for s in smoke:
            if isinstance(s, dict):
                bits = []
                if s.get("status"):
                    bits.append(f"expects HTTP {s['status']}")
                if s.get("contains"):
                    bits.append(f"and the text '{s['contains']}'" if bits else f"expects the text '{s['contains']}'")
                item = (str(s.get("url", "")), " ".join(bits))
            else:
                item = (str(s), "")
            if item not in out:
                out.append(item)
    return out


def _runbooks_view(profile: Any, state: dict[str, Any], runbooks: list[Any], results: list[ResultView],
                   history: list[dict[str, Any]]) -> RunbooksView:
    budget = _num(_profile_get(profile, "deploy.rollback_budget_min")) or ROLLBACK_BUDGET_MIN
    rollback_fields = find_record(state, runbooks, "rollback-note")
    incidents = [rb for rb in runbooks if rb.kind == "incident"]
    incidents.sort(key=lambda rb: (rb.id != "deploy-failure", rb.id))
    return RunbooksView(
        deploy_fields=find_record(state, runbooks, "deploy-command"),
        deploy_command=str(_profile_get(profile, "deploy.command", "")),
        deploy_ci_job=str(_profile_get(profile, "deploy.ci_job", "")),
        smoke=_smoke_list(profile),
        rollback_fields=rollback_fields,
        rollback_command=str(_profile_get(profile, "deploy.rollback", "")),
        rollback_budget_min=budget,
        rollback_runs=_rollback_runs(results, history, state.get("incidents"), rollback_fields, budget),
        incidents=incidents,
        commands={f"{rb.id}/{st.id}/{c.id}": _render_command(c.run, profile)
                  for rb in incidents for st in rb.steps for c in st.commands},
    )


# -- performance --------------------------------------------------------------------------


def _route_budgets(profile: Any) -> dict[str, Any]:
    """Budgets by route name and URL (and "name:<url>" -> the route's name)."""
    out: dict[str, Any] = {}
    for key in ("performance.routes", "performance.pages"):
        items = _profile_get(profile, key, [])
        if not isinstance(items, list):
            continue
        for r in items:
            if not isinstance(r, dict):
                continue
            if r.get("name") and r.get("url"):
                out[f"name:{r['url']}"] = str(r["name"])
            if _num(r.get("budget_ms")) is not None:
                for k in (r.get("name"), r.get("url")):
                    if k:
                        out[str(k)] = float(_num(r["budget_ms"]) or 0)
    return out


def _perf_row(d: LatencySnapshot | LatencyEvidence, release: str, at: str, budgets: dict[str, Any],
              source: str, route: str) -> PerfRow | None:
    """One route's figures: a history snapshot (`latency.LatencySnapshot`) or the last
    latency result's evidence."""
    method = str(d.get("method") or "GET").upper()
    if method != "GET" and not route.upper().startswith(method):
        route = f"{method} {route}"
    p50, p95, p99 = (_num(d.get(k)) for k in ("p50_ms", "p95_ms", "p99_ms"))
    if p95 is None and p50 is None and p99 is None:
        return None
    budget = _num(d.get("budget_ms"))
    url = str(d.get("url") or "")
    if budget is None:
        budget = budgets.get(url) or budgets.get(route)
    if budget is None:
        budget = DEFAULT_LATENCY_BUDGET_MS
    status = None if p95 is None else ("pass" if p95 <= budget else "fail")
    name = budgets.get(f"name:{url or route}", "")
    return PerfRow(route or "?", str(d.get("release") or release or "unnamed"), at, p50, p95, p99, budget,
                   status, source, str(name) if name and str(name) != route else "")


def _performance(profile: Any, results: list[ResultView], history: list[dict[str, Any]]) -> tuple[list[PerfRow], str]:
    budgets = _route_budgets(profile)
    rows: list[PerfRow] = []
    for e in history:
        if not isinstance(e, dict) or e.get("type") != "latency":
            continue
        snap = cast("LatencySnapshot", e)
        row = _perf_row(snap, str(snap.get("release") or ""), str(snap.get("at") or ""), budgets, "snapshot",
                        str(snap.get("url") or ""))
        if row:
            rows.append(row)
    note = ""
    if not rows:
        for r in results:
            if r.check == "latency" and r.status != "skip":
                ev = cast("LatencyEvidence", r.evidence)
                row = _perf_row(ev, str(ev.get("release") or ""), r.started_at, budgets, "last check",
                                str(ev.get("url") or r.target))
                if row:
                    rows.append(row)
        if rows:
            note = "No release snapshots are stored yet; these are the figures from the last latency checks."
    # one row per route and release: the newest snapshot wins
    newest: dict[tuple[str, str], PerfRow] = {}
    for row in rows:
        k = (row.route, row.release)
        if k not in newest or row.at > newest[k].at:
            newest[k] = row
    out = sorted(newest.values(), key=lambda x: (x.route, parse_time(x.at) or dt.datetime.min.replace(tzinfo=dt.UTC), x.release))
    return out, note


def _allow(entries: list[dict[str, Any]], now: dt.datetime) -> list[AllowEntry]:
    """The accepted exceptions (`core.allowlist.AllowEntry.to_dict()`: fingerprint or id,
    reason, expires, plus what the person added, such as `added_by`)."""
    out = []
    for e in entries:
        what = " · ".join(str(x) for x in (e.get("fingerprint"), e.get("id")) if x)
        exp = str(e.get("expires") or "")
        t = parse_time(exp)
        out.append(AllowEntry(what or "?", str(e.get("reason") or ""), show_date(exp) if exp else "",
                              bool(t and t < now), str(e.get("added_by") or e.get("by") or "")))
    out.sort(key=lambda a: (a.expired is False, a.expires or "9999", a.what))
    return out
