"""The data family's pure parts: SQL analysis (pglast), URL handling, and the verdict
rules of each kind on made-up statistics. No database here (see
tests/integration/test_db_kinds.py for the real one)."""

from __future__ import annotations

import pytest

from launchready_tui.core.checks.db import _sql, access, cache, indexes, queries, route_queries
from launchready_tui.core.checks.db._connect import DbSkip, parse_url
from launchready_tui.core.checks.db._plan import index_statement, seq_scans
from launchready_tui.core.checks.db._stats import Statement, diff, is_app_statement

# ------------------------------------------------------------------------------ SQL


def test_normalize_replaces_every_literal():
    out = _sql.normalize("SELECT * FROM users WHERE email = 'ann@example.com' AND id IN (4, 5) AND x > 3.5")
    import re

    assert "ann@example.com" not in out and "3.5" not in out
    assert re.findall(r"\$\d+|\d+", out) == ["$1", "$2", "$3", "$4"]


def test_a_text_that_does_not_parse_is_hidden_not_shown():
    assert _sql.normalize("SELECT 'secret' FROM (") == _sql.HIDDEN


def test_analyse_finds_filtered_joined_and_ordered_columns_through_aliases():
    s = _sql.analyse("SELECT * FROM users u JOIN creators c ON c.user_id = u.id "
                     "WHERE c.status = $1 AND u.created_at >= $2 ORDER BY u.created_at DESC")
    assert s.tables["creators"].eq == ["status"] and s.tables["creators"].join == ["user_id"]
    assert s.tables["users"].range == ["created_at"] and s.tables["users"].order == ["created_at"]


def test_analyse_reads_in_between_any_and_subqueries():
    s = _sql.analyse("SELECT * FROM payouts WHERE creator_id = ANY($1) AND created_at BETWEEN $2 AND $3 "
                     "AND id IN (SELECT payout_id FROM refunds WHERE kind = $4)")
    assert s.tables["payouts"].eq == ["creator_id", "id"] and s.tables["payouts"].range == ["created_at"]
    assert s.tables["refunds"].eq == ["kind"]


def test_candidates_put_equality_before_range_and_drop_unknown_columns():
    use = _sql.TableUse("payouts", eq=["status"], range=["created_at"], order=["created_at"])
    assert _sql.candidates(use)[0] == ("status", "created_at")
    assert _sql.candidates(use, {"status"}) == [("status",)]


def test_typed_parameters_become_plannable():
    assert _sql.plannable("x >= now() - interval $2 AND d = date $3") == "x >= now() - $2::interval AND d = $3::date"


@pytest.mark.parametrize("sql,write", [
    ("SELECT 1", False), ("EXPLAIN SELECT 1", False), ("SET statement_timeout = 5", False),
    ("INSERT INTO t VALUES (1)", True), ("UPDATE t SET a = 1", True), ("DELETE FROM t", True),
    ("CREATE INDEX ON t (a)", True), ("CREATE EXTENSION hypopg", True), ("SELECT 1 INTO t2", True),
    ("PREPARE p AS DELETE FROM t", True), ("not sql at all", True),
])
def test_is_write(sql, write):
    assert _sql.is_write(sql) is write


def test_tables_of_skips_ctes():
    assert sorted(_sql.tables_of("WITH x AS (SELECT * FROM a) SELECT * FROM x JOIN b ON b.id = x.id")) == ["a", "b"]


def test_our_own_and_driver_statements_are_not_the_apps():
    assert not is_app_statement("/* launchready */ SELECT 1")
    assert not is_app_statement("BEGIN") and not is_app_statement("SET search_path = public")
    assert not is_app_statement("SELECT * FROM pg_stat_statements")
    assert is_app_statement("SELECT * FROM posts WHERE creator_id = $1")


# ------------------------------------------------------------------------------ URLs


def test_url_password_never_in_shown_or_repr():
    db = parse_url("postgresql://app:S3cret-pw@db.example:6543/acme?sslmode=require", "DATABASE_URL in .env")
    assert db.shown == "app@db.example:6543/acme" and "S3cret" not in repr(db) and not db.local


def test_other_databases_are_skipped_with_the_reason():
    with pytest.raises(DbSkip, match="mysql://"):
        parse_url("mysql://app:pw@db:3306/acme", "DATABASE_URL")


def test_index_statements_are_exact_and_quoted():
    assert index_statement("public.payouts", ("status", "created_at")) == \
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS payouts_status_created_at_idx ON public.payouts (status, created_at);"
    assert '"User"' in index_statement("public.User", ("orgId",))


def test_seq_scans_walks_the_plan():
    plan = {"Node Type": "Limit", "Plans": [{"Node Type": "Sort", "Plans": [
        {"Node Type": "Seq Scan", "Relation Name": "payouts", "Plan Rows": 12, "Filter": "(status = $1)"}]}]}
    assert seq_scans(plan) == [{"table": "payouts", "schema": "", "rows": 12, "filter": "(status = $1)"}]


# ------------------------------------------------------------------------------ verdicts


def st(qid, text="SELECT 1 FROM t", calls=100, mean=1.0, rows=100, hit=100, read=0):
    return Statement(qid, text, calls, calls * mean, mean, rows, hit, read)


def test_db_queries_rules_slow_hog_near_and_regression():
    stmts = [st(1, calls=50, mean=150), st(2, calls=5, mean=1000), st(3, calls=20, mean=60),
             st(4, calls=1000, mean=2.0), st(5, calls=100, mean=0.1)]
    prev = {"release": "v1", "statements": [{"queryid": "4", "mean_ms": 1.0}, {"queryid": "5", "mean_ms": 0.05}]}
    out = queries.evaluate(stmts, budget_ms=100, previous=prev)
    by = {f["queryid"]: f["finding"] for f in out["findings"]}
    assert by["1"] == "slow"  # 50 calls over 100 ms
    assert by["2"] == "hog"  # only 5 calls, but 5,000 of 15,710 ms (over 20%), slower than 20 ms
    assert by["3"] == "near_budget"  # over half the budget
    assert by["4"] == "regressed"  # 1 ms -> 2 ms
    assert "5" not in by  # sub-millisecond wobble is never a regression


def test_route_queries_divide_and_remove_background_traffic():
    before = {1: (10, "a"), 2: (100, "b")}
    quiet = {1: (10, "a"), 2: (110, "b")}  # 10 calls of b in the quiet window: background
    after = {1: (70, "a"), 2: (130, "b"), 3: (3, "c")}
    rows, rate, noise = route_queries.per_request(before, quiet, after, 3, 1.0, 1.0)
    per = {r["query"]: r["per_request"] for r in rows}
    assert per == {"a": 20.0, "b": 3.3, "c": 1.0}
    assert rate == 10.0 and noise == 10


def test_cache_candidates_are_hot_small_rarely_written_reads():
    stmts = [st(1, "SELECT enabled FROM feature_flags WHERE name = $1", calls=5000, rows=5000),
             st(2, "SELECT * FROM payouts WHERE id = $1", calls=5000, rows=5000),
             st(3, "SELECT * FROM posts", calls=5000, rows=500000)]
    tables = {"feature_flags": {"writes": 12, "rows": 12}, "payouts": {"writes": 90000, "rows": 200000},
              "posts": {"writes": 0, "rows": 1000}}
    got = cache.candidates(stmts, tables)
    assert [c["tables"] for c in got] == [["feature_flags"]]
    assert "60 seconds" in got[0]["rule"]


def test_access_findings():
    role = {"rolname": "app", "rolsuper": True, "rolcreaterole": True, "rolcreatedb": False,
            "rolbypassrls": False, "rolreplication": False}
    found = access.findings(role, [{"rolname": "pg_write_server_files", "rolsuper": False}], ["public.users"],
                            ssl=False, local=False, reset={"statement_timeout": "0",
                                                           "idle_in_transaction_session_timeout": "60000ms"},
                            used=90, limit=100)
    levels = {(f["finding"], f["level"]) for f in found}
    assert {("superuser", "fail"), ("createrole", "warn"), ("member", "fail"), ("owner", "warn"),
            ("no_tls", "fail"), ("statement_timeout", "warn"), ("connections", "warn")} == levels
    ok = access.findings({**role, "rolsuper": False, "rolcreaterole": False}, [], [], ssl=True, local=False,
                         reset={"statement_timeout": "5000ms", "idle_in_transaction_session_timeout": "60000ms"},
                         used=5, limit=100)
    assert ok == []


def _ix(tab, idx, cols, *, uniq=False, scans=0, size=10**8):
    return {"schema": "public", "tab": tab, "idx": idx, "cols": cols, "uniq": uniq, "pk": False, "am": "btree",
            "partial": False, "expr": False, "scans": scans, "bytes": size}


def test_duplicate_and_unused_indexes():
    ixs = [_ix("events", "e_user", ["user_id"], scans=5), _ix("events", "e_user_at", ["user_id", "at"], scans=500),
           _ix("users", "u_email", ["email"], uniq=True), _ix("users", "u_email2", ["email"], scans=200),
           _ix("events", "e_kind", ["kind"])]
    dups = indexes.duplicate_indexes(ixs)
    assert [(d["index"], d["covered_by"]) for d in dups] == [("public.e_user", "public.e_user_at"),
                                                              ("public.u_email2", "public.u_email")]
    unused = indexes.unused_indexes(ixs, keep={d["index"] for d in dups})
    assert [u["index"] for u in unused] == ["public.e_kind"]
    assert unused[0]["statement"] == "DROP INDEX CONCURRENTLY IF EXISTS public.e_kind;"


def test_foreign_keys_without_an_index_on_big_tables():
    fks = [{"schema": "public", "tab": "posts", "cols": ["creator_id"], "ref": "creators"},
           {"schema": "public", "tab": "payouts", "cols": ["creator_id"], "ref": "creators"},
           {"schema": "public", "tab": "tiny", "cols": ["creator_id"], "ref": "creators"}]
    existing = {"public.payouts": [("creator_id", "created_at")]}
    rows = {"public.posts": 80000, "public.payouts": 200000, "public.tiny": 10}
    assert [f["table"] for f in indexes.unindexed_foreign_keys(fks, existing, rows)] == ["public.posts"]


def test_every_data_kind_declares_the_same_database_keys():
    from launchready_tui.core.checks.db import access as a
    from launchready_tui.core.checks.db import cache as c
    from launchready_tui.core.checks.db import indexes as i
    from launchready_tui.core.checks.db import queries as q
    from launchready_tui.core.checks.db import route_queries as r

    schemas = {str(m.CHECK_KIND.schema) for m in (a, c, i, q, r)}
    assert len(schemas) == 1
    assert {m.CHECK_KIND.family for m in (a, c, i, q, r)} == {"data"}


def test_diff_counts_only_new_calls():
    assert diff({1: (5, "a")}, {1: (8, "a"), 2: (1, "b")}) == {1: (3, "a"), 2: (1, "b")}
