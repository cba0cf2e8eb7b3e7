"""Problems, not results (issue 15): stable ids, one problem per fact, the ranking rule."""

import json

from launchready_tui.core import problems as P
from launchready_tui.core.profile import parse_profile
from launchready_tui.core.report import render_json, render_junit, render_text
from launchready_tui.core.results import CheckResult, Status


def res(check, target, status="fail", summary="s", evidence=None, runbook="quick-audit", step="x",
        fix="do it", why="it matters"):
    return CheckResult(check=check, target=target, status=Status(status), summary=summary,
                       evidence=evidence or {}, fix=fix, why=why, runbook=runbook, step=step,
                       check_id=check, stage=1, started_at="2026-12-03T06:00:00+00:00", duration_ms=250)


CERT = {"findings": [{"severity": "fail", "code": "expired", "message": "the certificate expired 10 days ago"}]}
REDIR_CERT = {"findings": [{"severity": "fail", "code": "certificate", "message": "browsers stop: certificate"}]}


def test_same_fact_from_many_steps_and_kinds_is_one_problem():
    rs = [
        res("tls", "status.x.test", evidence=CERT, runbook="protect-edge", step="force-https"),
        res("tls", "status.x.test", evidence=CERT, runbook="handover", step="certs"),
        res("redirects", "status.x.test", evidence=REDIR_CERT, runbook="quick-audit", step="redirects"),
        res("uptime", "https://status.x.test/", summary="shows visitors a certificate warning",
            evidence={"reason": "certificate rejected: certificate has expired"}),
    ]
    ps = P.derive(rs)
    assert [p.id for p in ps] == ["tls:status.x.test:certificate"]
    p = ps[0]
    assert len(p.results) == 4 and p.level == P.DOWN
    # the tls check's own words win, named after the host when they do not say it
    assert p.title == "status.x.test: the certificate expired 10 days ago"
    assert p.command == "launchready check --runbook protect-edge --step force-https"


def test_id_is_stable_across_runs_and_steps():
    a = P.derive([res("latency", "https://a.x.test/r", summary="too slow: p95 451 ms", step="one")])
    b = P.derive([res("latency", "https://a.x.test/r", summary="too slow: p95 470 ms", step="two",
                      runbook="other")])
    assert a[0].id == b[0].id == "latency:https://a.x.test/r:too-slow"
    # the default derivation drops numbers, so a summary's figures do not change the id
    c = P.derive([res("newkind", "t", summary="3 rows are bad")])
    d = P.derive([res("newkind", "t", summary="4 rows are bad")])
    assert c[0].id == d[0].id


def test_one_problem_per_finding_and_a_cookie_is_one():
    ev = {"findings": [
        {"severity": "fail", "code": "hsts_missing", "message": "no HSTS header"},
        {"severity": "pass", "code": "csp", "message": "CSP is set"},
        {"severity": "fail", "code": "cookie_insecure", "message": "session cookie sid lacks Secure"},
        {"severity": "fail", "code": "cookie_js", "message": "session cookie sid lacks HttpOnly"},
    ]}
    ps = P.derive([res("headers", "shop.x.test", evidence=ev)])
    assert sorted(p.code for p in ps) == ["cookie-sid", "hsts_missing"]
    assert all(p.level == P.HYGIENE for p in ps)


def test_env_findings_shared_secret_is_one_problem_for_the_pair():
    prod = res("env", "production", evidence={"environment": "production", "production": True,
                                              "test_keys": ["STRIPE_SECRET_KEY"],
                                              "shared_values": [{"name": "S", "environment": "staging",
                                                                 "other_name": "S"}]})
    stg = res("env", "staging", evidence={"environment": "staging", "production": False,
                                          "placeholder": ["STRIPE_SECRET_KEY"], "missing": ["LOG_LEVEL"],
                                          "shared_values": [{"name": "S", "environment": "production",
                                                             "other_name": "S"}]})
    ps = {p.id: p for p in P.derive([prod, stg])}
    assert set(ps) == {"env:production:test-key-STRIPE_SECRET_KEY", "env:production+staging:shared-S",
                       "env:staging:placeholder-STRIPE_SECRET_KEY", "env:staging:missing-LOG_LEVEL"}
    assert ps["env:production:test-key-STRIPE_SECRET_KEY"].level == P.PAY_LOGIN
    assert ps["env:production+staging:shared-S"].level == P.SECRETS
    assert ps["env:staging:placeholder-STRIPE_SECRET_KEY"].environment == "staging"
    assert ps["env:staging:missing-LOG_LEVEL"].level == P.DOWN


def test_dangling_name_explains_everything_on_its_host_and_errors_fold_in():
    rs = [
        res("dns", "docs.x.test", summary="dangling CNAME: docs.x.test points at a GitHub Pages site nobody owns"),
        res("redirects", "docs.x.test", evidence={"findings": [
            {"severity": "fail", "code": "no_https", "message": "never upgraded"}]}),
        res("headers", "docs.x.test", evidence={"findings": [
            {"severity": "fail", "code": "hsts_missing", "message": "no HSTS"}]}),
        res("tls", "docs.x.test", status="error", summary="Could not check: no certificate"),
        res("tls", "elsewhere.x.test", status="error", summary="Could not check: timeout"),
    ]
    ps = P.derive(rs)
    assert [p.id for p in ps] == ["dns:docs.x.test:dangling-cname", "checks:elsewhere.x.test:could-not-check"]
    assert len(ps[0].results) == 4 and len(ps[0].also) == 2
    assert ps[1].level == P.UNKNOWN and ps[1].status == Status.ERROR


def test_a_host_that_does_not_answer_is_one_unknown():
    rs = [res(k, t, "error", f"Could not check: connection refused ({k})")
          for k, t in (("tls", "down.x.test"), ("headers", "down.x.test"), ("uptime", "https://down.x.test/"),
                       ("db_access", "database"), ("db_cache", "database"))]
    ps = P.derive(rs)
    assert sorted(p.id for p in ps) == ["checks:database:could-not-check", "checks:down.x.test:could-not-check"]
    down = next(p for p in ps if p.target == "down.x.test")
    assert len(down.results) == 3 and len(down.also) == 2


def _p(level, env="production", audience="customers", status=Status.FAIL, pid="a"):
    return P.Problem(pid, "k", "t", "c", "title", level, status, "", "", env, audience)


def test_ranking_rule_levels_then_scope():
    """The rule in core/problems.py's docstring, level by level, then within a level."""
    order = [P.PAY_LOGIN, P.DOWN, P.SECRETS, P.TAKEOVER, P.SPAM, P.SLOW, P.UNKNOWN, P.HYGIENE]
    shuffled = [_p(lv, pid=str(lv)) for lv in reversed(order)]
    assert [p.level for p in sorted(shuffled, key=P.rank_key)] == order
    within = [
        _p(P.SLOW, "staging", "customers", pid="a"),
        _p(P.SLOW, "production", "internal", pid="b"),
        _p(P.SLOW, "production", "customers", Status.WARN, pid="c"),
        _p(P.SLOW, "production", "customers", pid="d"),
    ]
    assert [p.id for p in sorted(within, key=P.rank_key)] == ["d", "c", "b", "a"]
    # a worse level always wins over scope: staging payments before production hygiene
    assert sorted([_p(P.HYGIENE, pid="h"), _p(P.PAY_LOGIN, "staging", "internal", pid="p")],
                  key=P.rank_key)[0].id == "p"
    assert set(P.LEVELS) == set(order)


def test_scope_from_profile_roles_and_staging_names():
    prof = parse_profile("project: P\ndomain: x.test\nhosts:\n  admin: admin.x.test\n  app: app.x.test\n")
    ps = {p.target: p for p in P.derive([
        res("latency", "https://admin.x.test/api", summary="slow"),
        res("latency", "https://app.x.test/api", summary="slow"),
        res("latency", "https://staging.x.test/api", summary="slow"),
    ], prof)}
    assert ps["https://admin.x.test/api"].audience == "internal"
    assert ps["https://app.x.test/api"].audience == "customers"
    assert ps["https://staging.x.test/api"].environment == "staging"
    assert [p.target for p in P.derive(list(map(lambda t: res("latency", t, summary="slow"), ps)), prof)] == [
        "https://app.x.test/api", "https://admin.x.test/api", "https://staging.x.test/api"]


def test_new_kind_becomes_problems_without_editing_problems_py(monkeypatch):
    """A kind this module has never heard of: evidence findings -> one problem per code;
    no findings -> kind + target + summary; a module may declare problem_findings."""
    ev = {"findings": [{"status": "fail", "code": "no_backups", "summary": "no backups in 7 days"},
                       {"status": "warn", "code": "old_pg", "summary": "PostgreSQL 12"},
                       {"status": "pass", "code": "ssl", "summary": "ssl on"}]}
    ps = P.derive([res("db_health", "db.x.test", evidence=ev), res("db_other", "db", summary="idle")])
    assert {p.id for p in ps} == {"db_health:db.x.test:no_backups", "db_health:db.x.test:old_pg",
                                  "db_other:db:idle"}
    assert {p.status for p in ps if p.kind == "db_health"} == {Status.FAIL, Status.WARN}
    # a finding's own fix and why, when the check gives them, replace the result's
    own = P.derive([res("db_x", "db", fix="the result's fix", evidence={"findings": [
        {"status": "fail", "code": "a", "summary": "A", "fix": "fix A", "why": "why A"},
        {"status": "fail", "code": "b", "summary": "B"}]})])
    assert {(p.code, p.fix, p.why) for p in own} == {("a", "fix A", "why A"), ("b", "the result's fix", "it matters")}

    import types

    from launchready_tui.core import registry

    declaring = types.SimpleNamespace(
        problem_findings=lambda r: [{"code": "declared", "title": "declared finding", "level": P.DOWN}])
    real = registry.load_kind
    monkeypatch.setattr(registry, "load_kind", lambda name: declaring if name == "db_declared" else real(name))
    (p,) = P.derive([res("db_declared", "db", summary="whatever")])
    assert p.id == "db_declared:db:declared" and p.level == P.DOWN and p.title == "db: declared finding"

    # a kind may declare only the level of its problems
    leveled = types.SimpleNamespace(PROBLEM_LEVEL=P.SECRETS)
    monkeypatch.setattr(registry, "load_kind", lambda name: leveled if name == "db_leveled" else real(name))
    (q,) = P.derive([res("db_leveled", "db", summary="the app connects as a superuser")])
    assert q.level == P.SECRETS and q.id == "db_leveled:db:the-app-connects-as-a-superuser"


def test_pass_and_skip_are_not_problems_and_owner_priority_first_seen():
    rs = [res("dns", "a.x.test", "pass"), res("dns", "b.x.test", "skip"),
          res("dmarc", "x.test", "warn", "p=none")]
    history = [{"at": "2026-11-01T00:00:00+00:00", "problems": ["dmarc:x.test:weak-policy"]},
               {"at": "2026-12-01T00:00:00+00:00", "problems": ["dmarc:x.test:weak-policy"]}]
    meta = {"dmarc:x.test:weak-policy": {"owner": "Sam", "priority": "P2"}}
    (p,) = P.derive(rs, meta=meta, history=history, now="2026-12-03T00:00:00+00:00")
    assert (p.owner, p.priority, p.first_seen) == ("Sam", "P2", "2026-11-01T00:00:00+00:00")
    (q,) = P.derive(rs, now="2026-12-03T07:00:00+00:00")  # not in the history: its oldest result
    assert (q.owner, q.priority, q.first_seen) == (None, None, "2026-12-03T06:00:00+00:00")


def test_state_keeps_owner_and_priority(tmp_path):
    from launchready_tui.core.state import StateStore

    st = StateStore(tmp_path)
    st.set_problem_meta("tls:a:certificate", "me", owner="Ana")
    st.set_problem_meta("tls:a:certificate", "me", priority="P1")
    assert {k: v for k, v in st.load()["problems"]["tls:a:certificate"].items() if k in ("owner", "priority")} \
        == {"owner": "Ana", "priority": "P1"}
    st.set_problem_meta("tls:a:certificate", "me", owner="", priority="")
    assert "tls:a:certificate" not in st.load()["problems"]


def test_reports_json_text_junit():
    rs = [res("tls", "s.x.test", evidence=CERT, step="a"), res("redirects", "s.x.test", evidence=REDIR_CERT,
                                                                step="b"),
          res("headers", "shop.x.test", evidence={"findings": [{"severity": "fail", "code": "hsts_missing",
                                                                "message": "no HSTS header"}]}),
          res("dns", "ok.x.test", "pass", "fine")]
    doc = json.loads(render_json(rs, "P"))
    assert doc["counts"]["problems"] == 2 == len(doc["problems"])
    assert doc["counts"]["fail"] == 3  # results counts unchanged
    first = doc["problems"][0]
    assert set(first) >= {"id", "rank", "impact", "title", "fix", "results", "first_seen", "owner", "priority"}
    assert first["rank"] == 1 and first["id"] == "tls:s.x.test:certificate" and len(first["results"]) == 2
    text = render_text(rs, "P")
    head = text.split("Details by stage")[0]
    assert head.count("the certificate expired") == 1 and "Verdict:" in head
    assert head.index("the certificate expired") < head.index("no HSTS header")
    assert "(blocker #1)" in text
    brief = render_text(rs, "P", brief=True)
    assert "Details by stage" not in brief and "Launch blockers: 2 problems" in brief
    import xml.etree.ElementTree as ET

    root = ET.fromstring(render_junit(rs, "P"))
    assert root.get("time") == "1.000"
    assert ET.fromstring(render_junit(rs, "P", total_s=0.4)).get("time") == "0.400"
