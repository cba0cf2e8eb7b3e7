"""Reading pg_stat_statements and the table statistics, and the pure sums on them.

Everything here works for a role with only `pg_monitor` (or `pg_read_all_stats`): the
statistics views and the catalogs, never the app's tables. Statement texts are
normalized again with pglast before they leave this module (`Statement.text`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from launchready_tui.core.checks.db._connect import MARK, DbProblem, fetch

if TYPE_CHECKING:
    import psycopg

# Statements that are not the app's queries: our own (MARK), the transaction and session
# chatter every driver sends, and the monitoring views themselves.
_UTILITY = ("begin", "commit", "rollback", "savepoint", "release", "set ", "show ", "reset ",
            "discard", "deallocate", "prepare", "explain", "start transaction", "end", "listen",
            "unlisten", "select pg_", "close ", "fetch ", "declare ")
_OWN_MARKERS = (MARK, "pg_stat_statements", "hypopg_", "pg_catalog.", "information_schema.")

ENABLE_STEPS = (
    "Turn on query statistics (the pg_stat_statements extension), then run the check again:\n"
    "- Supabase: Database > Extensions, search pg_stat_statements, switch it on (it is on "
    "by default on new projects).\n"
    "- Neon: run `CREATE EXTENSION IF NOT EXISTS pg_stat_statements;` in the SQL Editor "
    "(it is preloaded on Neon).\n"
    "- Amazon RDS / Aurora: in the parameter group set shared_preload_libraries to include "
    "pg_stat_statements, reboot the instance, then run `CREATE EXTENSION pg_stat_statements;`.\n"
    "- Render: run `CREATE EXTENSION pg_stat_statements;` with psql from the database's "
    "Connect menu (it is preloaded).\n"
    "- Heroku Postgres: it is on by default; if missing run `heroku pg:psql` then "
    "`CREATE EXTENSION pg_stat_statements;`.\n"
    "- Railway: add `shared_preload_libraries = 'pg_stat_statements'` to the service's "
    "Postgres config (or start command `-c shared_preload_libraries=pg_stat_statements`), "
    "redeploy, then `CREATE EXTENSION pg_stat_statements;`.\n"
    "- A plain server: in postgresql.conf set `shared_preload_libraries = "
    "'pg_stat_statements'`, restart PostgreSQL, then run `CREATE EXTENSION "
    "pg_stat_statements;` as a superuser in the app's database."
)
ENABLE_WHY = ("Without query statistics nobody can see which queries make the admin slow; "
              "fixes become guesses.")


# queryid (+ the text's length and start) -> normalized text: pglast costs ~50 us a
# statement, and the kinds read the same thousands of statements several times a run.
_NORMALIZED: dict[tuple[int, int, str], tuple[bool, str]] = {}  # -> (the app's?, normalized)


class NoStatements(Exception):
    """pg_stat_statements is not there (reason says which part is missing)."""


@dataclass(frozen=True)
class Statement:
    queryid: int
    text: str  # normalized: no literal values
    calls: int
    total_ms: float
    mean_ms: float
    rows: int
    hit: int
    read: int
    role: str = ""

    @property
    def rows_per_call(self) -> float:
        return self.rows / self.calls if self.calls else 0.0

    @property
    def hit_ratio(self) -> float | None:
        total = self.hit + self.read
        return self.hit / total if total else None


def is_app_statement(text: str) -> bool:
    """False for our own statements, driver chatter and monitoring queries. Pure."""
    low = text.lstrip().lower()
    if any(m in low for m in (m.lower() for m in _OWN_MARKERS)):
        return False
    return not low.startswith(_UTILITY)


_STATEMENTS_SQL = """
SELECT s.queryid, s.query, s.calls, s.total_exec_time AS total_ms, s.mean_exec_time AS mean_ms,
       s.rows, s.shared_blks_hit AS hit, s.shared_blks_read AS read, r.rolname AS role
  FROM pg_stat_statements s LEFT JOIN pg_roles r ON r.oid = s.userid
 WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND s.calls > 0 AND s.queryid IS NOT NULL
"""


async def require_extension(conn: psycopg.AsyncConnection[Any]) -> None:
    rows = await fetch(conn, "SELECT extversion FROM pg_extension WHERE extname = 'pg_stat_statements'")
    if not rows:
        raise NoStatements("the pg_stat_statements extension is not installed in this database")


async def _rows(conn: psycopg.AsyncConnection[Any]) -> list[tuple[Any, ...]] | Exception:
    """pg_stat_statements as tuples (thousands of rows: no dict per row)."""
    import psycopg

    from launchready_tui.core.checks.db._connect import MARK

    await conn.execute("SAVEPOINT lr")
    try:
        cur = await conn.execute(f"{MARK} {_STATEMENTS_SQL}")
        rows = await cur.fetchall()
    except psycopg.Error as e:
        await conn.execute("ROLLBACK TO SAVEPOINT lr")
        return e
    await conn.execute("RELEASE SAVEPOINT lr")
    return rows


async def read_statements(conn: psycopg.AsyncConnection[Any], *, app_only: bool = True) -> list[Statement]:
    """Every statement of this database. Raises NoStatements or DbProblem."""
    from launchready_tui.core.checks.db._sql import normalize

    await require_extension(conn)
    got = await _rows(conn)
    if isinstance(got, Exception):
        msg = str(got).splitlines()[0] if str(got) else type(got).__name__
        if "shared_preload_libraries" in msg:
            raise NoStatements("pg_stat_statements is installed but not loaded (shared_preload_libraries)")
        if getattr(got, "sqlstate", "") == "42501" or "permission" in msg.lower():
            raise DbProblem(f"this role may not read pg_stat_statements ({msg})",
                            "GRANT pg_read_all_stats (or pg_monitor) TO the monitoring role.")
        raise DbProblem(f"pg_stat_statements could not be read: {msg}", "Run the check again.")
    out: list[Statement] = []
    for qid, text, calls, total_ms, mean_ms, rows, hit, read, role in got:
        text = text or ""
        key = (qid, len(text), text[:64])
        known = _NORMALIZED.get(key)
        if known is None:
            if text.startswith("<insufficient privilege>"):
                raise DbProblem(
                    "this role sees other roles' statements as '<insufficient privilege>'",
                    "GRANT pg_read_all_stats (or pg_monitor) TO the monitoring role.",
                )
            if len(_NORMALIZED) > 50_000:
                _NORMALIZED.clear()
            app = is_app_statement(text)
            known = _NORMALIZED[key] = (app, normalize(text) if app else "")
        if app_only and not known[0]:
            continue
        out.append(Statement(int(qid), known[1] or normalize(text), int(calls), float(total_ms),
                             float(mean_ms), int(rows), int(hit), int(read), role or ""))
    return out


async def snapshot(conn: psycopg.AsyncConnection[Any]) -> dict[int, tuple[int, str]]:
    """queryid -> (calls, normalized text) for the app's statements (cheap: for diffs)."""
    stmts = await read_statements(conn)
    return {s.queryid: (s.calls, s.text) for s in stmts}


def diff(before: dict[int, tuple[int, str]], after: dict[int, tuple[int, str]]) -> dict[int, tuple[int, str]]:
    """Calls made between two snapshots, per statement. Pure."""
    out: dict[int, tuple[int, str]] = {}
    for qid, (calls, text) in after.items():
        d = calls - before.get(qid, (0, text))[0]
        if d > 0:
            out[qid] = (d, text)
    return out


async def table_stats(conn: psycopg.AsyncConnection[Any]) -> dict[str, dict[str, Any]]:
    """Per user table: estimated rows, size, scans and writes (pg_stat_user_tables + pg_class,
    readable by any role)."""
    rows = await fetch(conn, """
        SELECT t.schemaname, t.relname, c.reltuples::bigint AS est_rows,
               pg_total_relation_size(c.oid) AS bytes, t.seq_scan, t.seq_tup_read,
               coalesce(t.idx_scan, 0) AS idx_scan, t.n_tup_ins + t.n_tup_upd + t.n_tup_del AS writes,
               t.n_live_tup
          FROM pg_stat_user_tables t JOIN pg_class c ON c.oid = t.relid""")
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        est = int(r["est_rows"]) if r["est_rows"] is not None and r["est_rows"] >= 0 else int(r["n_live_tup"] or 0)
        entry = {**r, "rows": max(est, int(r["n_live_tup"] or 0))}
        out[f"{r['schemaname']}.{r['relname']}"] = entry
        out.setdefault(r["relname"], entry)  # unqualified names as statements write them
    return out


def share_of_time(stmts: list[Statement]) -> dict[int, float]:
    total = sum(s.total_ms for s in stmts) or 1.0
    return {s.queryid: s.total_ms / total for s in stmts}


def statement_evidence(s: Statement, share: float) -> dict[str, Any]:
    hr = s.hit_ratio
    return {
        "queryid": str(s.queryid),
        "query": s.text,
        "calls": s.calls,
        "mean_ms": round(s.mean_ms, 2),
        "total_ms": round(s.total_ms, 1),
        "rows_per_call": round(s.rows_per_call, 1),
        "share_pct": round(share * 100, 1),
        "cache_hit_pct": round(hr * 100, 1) if hr is not None else None,
    }
