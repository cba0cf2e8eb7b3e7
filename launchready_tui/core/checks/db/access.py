"""`db_access`: least privilege for the role the app connects as (stage 5).

The only data kind that uses the app's own URL (`database.url_var` from
`database.url_from`; never the monitoring credential): it judges that role. Superuser is
`fail`; BYPASSRLS or membership of a role that reads or writes the server's files is
`fail`; CREATEROLE, CREATEDB, REPLICATION or membership of another privileged role is
`warn`; owning the app's tables is `warn` (the app could drop them: migrations should
use their own role). A connection without TLS to a host other than localhost is `fail`.
No `statement_timeout` or `idle_in_transaction_session_timeout` for the role is `warn`.
More than 80% of `max_connections` in use is `warn` (use a pooler).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from launchready_tui.core.checks.base import Kind
from launchready_tui.core.checks.db import _run
from launchready_tui.core.checks.db._connect import DB_SCHEMA, fetch
from launchready_tui.core.checks.db._handover import handover
from launchready_tui.core.results import CheckResult, failed, passed, warned

if TYPE_CHECKING:
    import psycopg

    from launchready_tui.core.checks.base import Target
    from launchready_tui.core.checks.db._connect import DbUrl
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.profile import Profile

KIND = "db_access"
CONN_LIMIT = 0.80
FILE_ROLES = {"pg_read_server_files", "pg_write_server_files", "pg_execute_server_program"}
WIDE_ROLES = {"pg_read_all_data", "pg_write_all_data", "pg_signal_backend", "pg_checkpoint",
              "pg_database_owner", "rds_superuser", "azure_pg_admin", "cloudsqlsuperuser",
              "supabase_admin"}


def findings(role: dict[str, Any], member_of: list[dict[str, Any]], owned: list[str], *, ssl: bool,
             local: bool, reset: dict[str, str], used: int, limit: int) -> list[dict[str, Any]]:
    """Each problem with its level, in plain words, and the SQL that fixes it. Pure."""
    r = role["rolname"]
    q = '"' + r.replace('"', '""') + '"'
    out: list[dict[str, Any]] = []

    def add(level: str, finding: str, text: str, sql: str) -> None:
        out.append({"level": level, "finding": finding, "text": text, "sql": sql})

    if role.get("rolsuper"):
        add("fail", "superuser", f"the app connects as {r}, a superuser: a bug or an injected query "
            "can read every database, drop anything, and run programs on the server",
            f"ALTER ROLE {q} NOSUPERUSER;")
    if role.get("rolbypassrls"):
        add("fail", "bypassrls", f"{r} skips row-level security (BYPASSRLS)", f"ALTER ROLE {q} NOBYPASSRLS;")
    for flag, word in (("rolcreaterole", "CREATEROLE"), ("rolcreatedb", "CREATEDB"), ("rolreplication", "REPLICATION")):
        if role.get(flag):
            add("warn", flag[3:], f"{r} may {word.lower()} ({word})", f"ALTER ROLE {q} NO{word};")
    for m in member_of:
        name = m["rolname"]
        if m.get("rolsuper") or name in FILE_ROLES:
            add("fail", "member", f"{r} is a member of {name}, which " +
                ("is a superuser" if m.get("rolsuper") else "reaches the server's files or programs"),
                f'REVOKE "{name}" FROM {q};')
        elif name in WIDE_ROLES or name.startswith("pg_") and name not in ("pg_monitor", "pg_read_all_stats", "pg_stat_scan_tables", "pg_read_all_settings"):
            add("warn", "member", f"{r} is a member of {name}", f'REVOKE "{name}" FROM {q};')
    if owned:
        shown = ", ".join(owned[:5]) + (f" and {len(owned) - 5} more" if len(owned) > 5 else "")
        add("warn", "owner", f"{r} owns {len(owned)} table{'s' if len(owned) != 1 else ''} ({shown}): "
            "the app itself could drop or change them",
            "CREATE ROLE app_migrator LOGIN PASSWORD '<new password>';\n"
            f"REASSIGN OWNED BY {q} TO app_migrator;  -- run as an admin; migrations use app_migrator\n"
            f"GRANT USAGE ON SCHEMA public TO {q};\n"
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {q};\n"
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {q};\n"
            f"ALTER DEFAULT PRIVILEGES FOR ROLE app_migrator IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {q};")
    if not ssl and not local:
        add("fail", "no_tls", "the connection to the database is not encrypted (no TLS), over the network",
            "Add `?sslmode=require` (better: `sslmode=verify-full` with the host's CA) to DATABASE_URL.")
    for name, value in (("statement_timeout", "5s"), ("idle_in_transaction_session_timeout", "60s")):
        if str(reset.get(name, "0")) in ("0", "", "0ms"):
            add("warn", name, f"{r} has no {name}: one stuck query or forgotten transaction can hold "
                "connections and locks for ever", f"ALTER ROLE {q} SET {name} = '{value}';")
    if limit > 0 and used > CONN_LIMIT * limit:
        add("warn", "connections", f"{used} of {limit} connections are in use ({used / limit:.0%})",
            "Put a connection pooler in front (PgBouncer, Supabase's pooler, Neon's pooled URL, "
            "RDS Proxy) and point the app at it, or lower the app's pool size.")
    return out


async def _body(conn: psycopg.AsyncConnection[Any], db: DbUrl) -> CheckResult:
    role = (await fetch(conn, """SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls,
                                        rolreplication FROM pg_roles WHERE rolname = current_user"""))[0]
    member_of = await fetch(conn, """
        WITH RECURSIVE m(oid) AS (
            SELECT roleid FROM pg_auth_members WHERE member = (SELECT oid FROM pg_roles WHERE rolname = current_user)
            UNION SELECT a.roleid FROM pg_auth_members a JOIN m ON a.member = m.oid)
        SELECT r.rolname, r.rolsuper FROM m JOIN pg_roles r ON r.oid = m.oid""")
    owned = [r["t"] for r in await fetch(conn, """
        SELECT n.nspname || '.' || c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p') AND pg_get_userbyid(c.relowner) = current_user
           AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
         ORDER BY 1""")]
    ssl_rows = await fetch(conn, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
    ssl = bool(ssl_rows and ssl_rows[0]["ssl"])
    reset = {r["name"]: ("0" if str(r["reset_val"]) == "0" else f"{r['reset_val']}{r['unit'] or ''}") for r in await fetch(
        conn, "SELECT name, reset_val, unit FROM pg_settings WHERE name IN ('statement_timeout', 'idle_in_transaction_session_timeout')")}
    used = int((await fetch(conn, "SELECT count(*) AS n FROM pg_stat_activity WHERE backend_type = 'client backend'"))[0]["n"])
    lim = await fetch(conn, "SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int AS n")
    limit = int(lim[0]["n"])
    found = findings(role, member_of, owned, ssl=ssl, local=db.local, reset=reset, used=used, limit=limit)
    ev: dict[str, Any] = {
        "role": role["rolname"], "superuser": bool(role["rolsuper"]),
        "attributes": [k[3:].upper() for k in ("rolcreaterole", "rolcreatedb", "rolbypassrls", "rolreplication") if role[k]],
        "member_of": sorted(m["rolname"] for m in member_of), "owns_tables": len(owned), "tls": ssl,
        "local": db.local, "timeouts": reset, "connections_used": used, "connections_limit": limit,
        "findings": found,
    }
    fix = ("Give these statements to your developer (run them as an admin role, not as the app):\n" +
           "\n".join(f["sql"] for f in found) +
           "\nOn Heroku, Supabase and Render the default role owns the tables: create a second role "
           "for the app there and keep the default one for migrations. Then run this check again.")
    fails = [f for f in found if f["level"] == "fail"]
    if fails:
        return failed(KIND, "database", "; ".join(f["text"] for f in fails) +
                      (f" (and {len(found) - len(fails)} smaller issues)" if len(found) > len(fails) else ""),
                      evidence=ev, fix=fix,
                      why="The app's database role is what an attacker gets from one injected query or "
                      "leaked URL. With these rights one mistake can destroy or expose all your data.")
    if found:
        return warned(KIND, "database", "; ".join(f["text"] for f in found), evidence=ev, fix=fix,
                      why="The app's role can do more than the app needs, or has no safety limits; "
                      "a bug or a leaked URL then does more damage.")
    return passed(KIND, "database", f"the app's role {role['rolname']} has only what it needs, with timeouts"
                  f"{', over TLS' if ssl else ''}", evidence=ev,
                  why="A bug or a leaked URL can only do what the app itself is allowed to.")


async def check(ctx: CheckContext, target: str, params: dict[str, Any]) -> CheckResult:
    return await _run.run(KIND, ctx, target, _body, app=True)


def targets(profile: Profile, params: dict[str, Any]) -> list[Target]:
    from launchready_tui.core.checks.db._connect import settings
    from launchready_tui.core.checks.env import environments
    from launchready_tui.core.registry import MissingInput

    conf = settings(profile)
    if str(conf.get("url_from") or "production") not in environments(profile):
        raise MissingInput("database.url_from", "the environment whose env file holds the app's DATABASE_URL")
    return _run.targets(profile, params)


def problem_findings(r: CheckResult) -> list[dict[str, Any]]:
    return [{"code": str(f["finding"]).replace("_", "-"), "title": f["text"], "status": f["level"]}
            for f in r.evidence.get("findings") or []]


class DbAccessEvidence(TypedDict, total=False):
    role: str
    superuser: bool
    attributes: list[str]
    member_of: list[str]
    owns_tables: int
    tls: bool
    timeouts: dict[str, str]
    connections_used: int
    connections_limit: int
    findings: list[dict[str, Any]]


CHECK_KIND = Kind(
    name=KIND,
    family="data",
    title="Database access",
    plain="the app's database login can do only what the app needs",
    about="app role: superuser/CREATEROLE/CREATEDB/BYPASSRLS, privileged memberships, table ownership, TLS, timeouts, connections",
    check=check,
    targets=targets,
    deadline_fn=_run.deadline,
    schema=DB_SCHEMA,
    evidence=DbAccessEvidence,
    shown=("role", "superuser", "attributes", "member_of", "owns_tables", "tls", "timeouts", "findings"),
    handover=handover,  # the handover's Database section, one for all five data kinds
)
