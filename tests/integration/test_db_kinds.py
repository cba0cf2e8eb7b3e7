"""The data family against a real PostgreSQL (a throwaway cluster, see pg_world.py).

Every kind on the seeded creator platform, with and without HypoPG, as the app and as a
monitoring role with only pg_monitor + CONNECT, and the ways it can go wrong: a wrong
password, a server that is down, no pg_stat_statements, a MySQL URL. And the two safety
promises: the kinds never write, and the URL's password never reaches a result.
"""

from __future__ import annotations

import asyncio
import json
import socket

import pytest

from launchready_tui.core.checks.db import _sql
from launchready_tui.core.recorder import Recorder
from launchready_tui.lab.postgres import find_bindir
from tests.integration.pg_world import ADMIN, context, make_lab, run_kind, start_pg_world

pytestmark = [pytest.mark.integration, pytest.mark.postgres]
DATA_KINDS = ("db_queries", "db_indexes", "db_cache", "db_access")


@pytest.fixture(scope="session")
def pgw():
    if find_bindir() is None:
        pytest.skip("PostgreSQL server binaries are not installed (.ci/run installs Debian's postgresql)")
    w = start_pg_world()
    yield w
    w.cluster.stop()


@pytest.fixture()
def lab_for(tmp_path, pgw):
    labs = []

    def make(url, **kw):
        lab = make_lab(tmp_path / f"l{len(labs)}", pgw, url=url, **kw).start()
        labs.append(lab)
        return context(lab)

    yield make
    for lab in labs:
        lab.stop()


def _hypopg(pgw):
    if not pgw.cluster.hypopg:
        pytest.skip("the HypoPG extension is not installed (Debian: postgresql-NN-hypopg)")


# ------------------------------------------------------------------------------ db_queries


def test_db_queries_reports_the_slow_payouts_filter_without_its_values(pgw, lab_for):
    ctx = lab_for(pgw.url("acme_app"))
    r = run_kind(ctx, "db_queries", params={"budget_ms": 5})  # the scan of 400,000 payouts takes more
    assert r.status.value == "fail", r.summary
    assert any(f["finding"] == "slow" and "FROM payouts" in f["query"] for f in r.evidence["findings"])
    text = json.dumps(r.to_dict())
    assert "FROM payouts WHERE status = $1" in text
    assert "'pending'" not in text and "pending" not in text  # literals replaced
    top = r.evidence["top_by_total"][0]
    assert {"query", "calls", "mean_ms", "total_ms", "rows_per_call", "share_pct", "cache_hit_pct"} <= set(top)
    Recorder(ctx.state, "cli").results([r])  # as the CLI and the app do: the snapshot goes to the history
    assert "snapshot" not in r.evidence
    snap = [h for h in ctx.state.read_history() if h.get("type") == "db_statements"]
    assert snap and snap[-1]["release"] == "r1" and snap[-1]["statements"][0]["queryid"]


def test_db_queries_warns_on_a_regression_since_the_last_release(pgw, lab_for):
    ctx = lab_for(pgw.url("acme_app"))
    first = run_kind(ctx, "db_queries")
    Recorder(ctx.state, "cli").results([first])
    snap = [h for h in ctx.state.read_history() if h.get("type") == "db_statements"][-1]
    # the previous release was 10x faster on every statement
    old = {**snap, "release": "r0", "statements": [{**s, "mean_ms": s["mean_ms"] / 10} for s in snap["statements"]]}
    ctx.state.append_history(old)
    r = run_kind(ctx, "db_queries", params={"budget_ms": 100000})
    assert first.status.value != "error"
    assert "Before/after (r0 -> r1)" in r.summary
    regressed = [f for f in r.evidence["findings"] if "regression_pct" in f]  # slow or hog may also apply
    assert regressed and all(f["before_release"] == "r0" and f["regression_pct"] > 20 for f in regressed)
    assert r.status.value in ("warn", "fail")
    assert r.evidence["before_after"][0]["before_release"] == "r0"


def test_db_queries_missing_extension_says_how_to_enable_it_everywhere(pgw, lab_for):
    ctx = lab_for(pgw.url("acme_app", "nostats"))
    r = run_kind(ctx, "db_queries")
    assert r.status.value == "warn"
    for host in ("Supabase", "Neon", "RDS", "Render", "Heroku", "Railway", "postgresql.conf"):
        assert host in r.fix


def test_monitoring_role_reads_everything_it_needs(pgw, lab_for):
    ctx = lab_for(pgw.url("launchready_monitor"))
    for kind in ("db_queries", "db_cache", "db_indexes"):
        r = run_kind(ctx, kind)
        assert r.status.value not in ("error", "skip"), (kind, r.summary)
    r = run_kind(ctx, "db_indexes")
    # it may not plan the app's tables: suggestions come from the statistics, unproven
    assert r.evidence.get("planning_refused", 0) > 0
    assert all(not s["proven"] for s in r.evidence["index_plan"])
    assert "GRANT SELECT ON ALL TABLES" in r.fix


# ------------------------------------------------------------------------------ db_indexes


def test_db_indexes_proves_the_planted_indexes_with_hypopg(pgw, lab_for):
    _hypopg(pgw)
    ctx = lab_for(pgw.url("acme_app"))
    r = run_kind(ctx, "db_indexes")
    assert r.status.value == "fail", r.summary
    plan = {(s["table"], tuple(s["columns"])): s for s in r.evidence["index_plan"]}
    assert ("public.posts", ("creator_id",)) in plan
    assert ("public.payouts", ("status", "created_at")) in plan
    for s in plan.values():
        assert s["proven"] and s["cost_after"] <= s["cost_before"] / 2
        assert s["statement"].startswith("CREATE INDEX CONCURRENTLY")
    assert "CREATE INDEX CONCURRENTLY IF NOT EXISTS posts_creator_id_idx ON public.posts (creator_id);" in r.fix
    assert [d["index"] for d in r.evidence["duplicates"]] == ["public.events_user_id_idx"]
    assert "DROP INDEX CONCURRENTLY IF EXISTS public.events_user_id_idx;" in r.fix
    # nothing suggested for the tiny feature_flags table
    assert not any("feature_flags" in t for t, _ in plan)


def test_db_indexes_without_hypopg_suggests_from_the_plan_and_says_unproven(pgw, lab_for):
    ctx = lab_for(pgw.url("acme_app", "plain"), db="plain")
    r = run_kind(ctx, "db_indexes")
    assert r.status.value == "warn", r.summary
    assert r.evidence["hypopg"] is False
    plan = {(s["table"], tuple(s["columns"])): s for s in r.evidence["index_plan"]}
    assert ("public.posts", ("creator_id",)) in plan
    assert all(not s["proven"] and "unproven" in s["reason"] for s in plan.values())
    assert "Install HypoPG" in r.fix


# ------------------------------------------------------------------------------ db_route_queries


def test_db_route_queries_finds_the_n_plus_one(pgw, lab_for):
    ctx = lab_for(pgw.url("launchready_monitor"))
    r = run_kind(ctx, "db_route_queries", f"https://{ADMIN}/admin/creators")
    assert r.status.value == "fail", r.summary
    assert "N+1" in r.summary and "creators" in r.summary and "20 times per request" in r.summary
    assert "FROM posts WHERE creator_id = $1" in r.evidence["n_plus_one"][0]["query"]
    assert "other traffic" in r.evidence["noise_note"]
    ok = run_kind(ctx, "db_route_queries", f"https://{ADMIN}/admin/payouts")
    assert ok.status.value == "pass" and ok.evidence["queries_per_request"] == 1.0, ok.summary


def test_db_route_queries_refuses_a_host_that_is_not_ours(pgw, lab_for):
    ctx = lab_for(pgw.url("launchready_monitor"))
    r = run_kind(ctx, "db_route_queries", "https://example.com/admin", params={})
    assert r.status.value == "error" and "refused" in r.summary


# ------------------------------------------------------------------------------ db_cache


def test_db_cache_writes_the_cache_rule_for_feature_flags(pgw, lab_for):
    ctx = lab_for(pgw.url("acme_app"))
    r = run_kind(ctx, "db_cache")
    assert r.status.value == "warn", r.summary
    rules = r.evidence["cache_rules"]
    assert any(c["tables"] == ["feature_flags"] for c in rules)
    assert "feature_flags" in r.fix and "60 seconds" in r.fix


# ------------------------------------------------------------------------------ db_access


def test_db_access_fails_the_superuser_app_role(pgw, lab_for):
    ctx = lab_for(pgw.url("acme_app"))
    r = run_kind(ctx, "db_access")
    assert r.status.value == "fail" and "superuser" in r.summary
    found = {f["finding"] for f in r.evidence["findings"]}
    assert {"superuser", "owner", "statement_timeout"} <= found
    assert 'ALTER ROLE "acme_app" NOSUPERUSER;' in r.fix and "REASSIGN OWNED" in r.fix


def test_db_access_passes_a_least_privilege_role(pgw, lab_for):
    ctx = lab_for(pgw.url("app_ok"))
    r = run_kind(ctx, "db_access")
    assert r.status.value == "pass", r.summary
    assert r.evidence["timeouts"]["statement_timeout"] == "5000ms"


class _Keyring:
    """A credential store holding one value (the engine reads it with get_value)."""

    def __init__(self, values):
        self.values = values

    def get_value(self, cid):
        return self.values.get(cid)


def test_the_keyring_credential_wins_but_db_access_judges_the_apps_url(pgw, lab_for):
    ctx = lab_for(pgw.url("acme_app"), database={"credential": "db-monitor"})
    ctx.credentials = _Keyring({"db-monitor": pgw.url("launchready_monitor")})
    q = run_kind(ctx, "db_queries")
    assert q.evidence["database"].startswith("launchready_monitor@"), q.evidence.get("database")
    r = run_kind(ctx, "db_access")
    assert r.evidence["role"] == "acme_app"
    ctx.credentials = _Keyring({})
    missing = run_kind(ctx, "db_queries")
    assert missing.status.value == "error" and "db-monitor" in missing.summary


# ------------------------------------------------------------------------------ errors


def test_wrong_password_is_could_not_check_and_never_shows_the_password(pgw, lab_for):
    ctx = lab_for(pgw.url("acme_app", password="not-the-Password-42"))
    for kind in DATA_KINDS:
        r = run_kind(ctx, kind)
        assert r.status.value == "error", (kind, r.summary)
        assert "wrong password" in r.summary
        assert "not-the-Password-42" not in json.dumps(r.to_dict())


def test_server_down_is_could_not_check(pgw, lab_for):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ctx = lab_for(f"postgresql://acme_app:pw-down-123@127.0.0.1:{port}/acme")
    for kind in DATA_KINDS:
        r = run_kind(ctx, kind)
        assert r.status.value == "error" and "could not connect" in r.summary, (kind, r.summary)
        assert r.fix and r.why and "pw-down-123" not in json.dumps(r.to_dict())


def test_a_mysql_url_is_skipped_with_the_reason(pgw, lab_for):
    ctx = lab_for("mysql://app:pw@127.0.0.1:3306/acme")
    r = run_kind(ctx, "db_queries")
    assert r.status.value == "skip" and "mysql://" in r.summary and "pw@" not in r.summary


# ------------------------------------------------------------------------------ safety


def test_the_kinds_never_write_and_sessions_are_read_only(pgw, lab_for):
    from launchready_tui.core.checks.db._connect import parse_url, session

    ctx = lab_for(pgw.url("launchready_monitor"))
    for kind in ("db_queries", "db_indexes", "db_cache"):
        run_kind(ctx, kind)
    run_kind(ctx, "db_route_queries", f"https://{ADMIN}/admin/flags")
    ran = pgw.statements_by("launchready_monitor")
    assert ran, "the monitoring role's statements should be in pg_stat_statements"
    writes = [s["query"] for s in ran if _sql.is_write(s["query"])]
    assert writes == []

    async def settings():
        async with session(parse_url(pgw.url("launchready_monitor"), "test")) as conn:
            cur = await conn.execute("SELECT current_setting('default_transaction_read_only'), "
                                     "current_setting('transaction_read_only'), current_setting('statement_timeout'), "
                                     "current_setting('lock_timeout'), current_setting('application_name')")
            return await cur.fetchone()

    assert asyncio.run(settings()) == ("on", "on", "5s", "1s", "launchready")


def test_the_cli_json_and_junit_carry_the_kinds_without_the_password(pgw, tmp_path):
    from tests.conftest import run_cli

    lab = make_lab(tmp_path, pgw, url=pgw.url("acme_app")).start()
    try:
        out = tmp_path / "r.json"
        p = run_cli("check", "--profile", str(lab.profile_path), "--runbook", "data-path",
                    "--format", "json", "--output", str(out), "--release", "t1")
        assert p.returncode in (0, 1), p.stderr
        data = json.loads(out.read_text())
        kinds = {r["check"] for r in data["results"]}
        assert {"db_queries", "db_indexes", "db_route_queries", "db_cache"} <= kinds
        junit = tmp_path / "r.xml"
        run_cli("check", "--profile", str(lab.profile_path), "--runbook", "auth-secrets", "--step",
                "least-privilege", "--format", "junit", "--output", str(junit))
        assert "db_access" in junit.read_text()
        handover = tmp_path / "handover.md"
        e = run_cli("export", "--profile", str(lab.profile_path), "--format", "md", "--output", str(handover))
        assert e.returncode == 0, e.stderr
        text = handover.read_text()
        assert "## Database" in text and "CREATE INDEX CONCURRENTLY" in text and "Cache rules" in text
        assert pgw.app_pw not in text and pgw.app_pw not in p.stdout + p.stderr + e.stdout + e.stderr
        for f in [out, junit, *lab.dir.joinpath(".launchready").rglob("*")]:
            if f.is_file():
                assert pgw.app_pw not in f.read_text(errors="replace"), f
    finally:
        lab.stop()
