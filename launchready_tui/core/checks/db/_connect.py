"""Where the database URL comes from, and a session that is safe to open on production.

The URL (profile `database.*`):

* `database.credential` - a keyring credential whose value is the URL (a monitoring
  role); wins over the environment;
* else `database.url_var` (default `DATABASE_URL`) from the environment `database.url_from`
  (default `production`): its env file, or the process environment (`source: process`).

`db_access` asks for the app's own URL (`app_url`): always the environment's, because it
judges the role the app connects as.

The URL is held in `DbUrl.url`, which is never shown (`repr` hides it); results only ever
get `DbUrl.shown` (host, port, database and user: no password). Every session is opened
with `application_name=launchready`, then set read only, with `statement_timeout` 5 s,
`lock_timeout` 1 s and `idle_in_transaction_session_timeout`, inside one read-only
transaction that is rolled back at the end: nothing the checks do can write.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    import psycopg

    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.profile import Profile

APP_NAME = "launchready"
STATEMENT_TIMEOUT_MS = 5000
LOCK_TIMEOUT_MS = 1000
CONNECT_TIMEOUT_S = 5
MARK = "/* launchready */"  # on every statement we run, so our own work is never counted
SCHEMES = ("postgres", "postgresql")
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", ""}

DB_SCHEMA: dict[str, Any] = {
    "database": {
        "url_from": "str",
        "url_var": "str",
        "credential": "str",
        "routes": ("list", ("any", "str", {"url": "str", "name": "str", "auth": "str"})),
    }
}


class DbSkip(Exception):
    """The check does not apply (not PostgreSQL): a `skip` with the reason."""


class DbProblem(Exception):
    """Could not check: reason and fix in plain words -> `error`."""

    def __init__(self, reason: str, fix: str) -> None:
        super().__init__(reason)
        self.reason, self.fix = reason, fix


@dataclass(frozen=True)
class DbUrl:
    url: str = field(repr=False)
    source: str  # "keyring credential db-monitor" / "DATABASE_URL in .env.production"
    host: str
    port: int
    dbname: str
    user: str

    @property
    def shown(self) -> str:
        """host:port/db as user - what results may show (never the password)."""
        return f"{self.user or '?'}@{self.host or 'local socket'}:{self.port}/{self.dbname}"

    @property
    def local(self) -> bool:
        return self.host.lower() in LOCAL_HOSTS or self.host.startswith("/")


def parse_url(url: str, source: str) -> DbUrl:
    """A DbUrl, or DbSkip for a URL that is not PostgreSQL. Pure."""
    url = url.strip()
    try:
        u = urlsplit(url)
        port = u.port or 5432
    except ValueError:
        raise DbProblem(
            f"the database URL from {source} is not a valid URL",
            f"Check {source}: it should look like postgresql://USER:PASSWORD@HOST:5432/DATABASE.",
        ) from None
    scheme = u.scheme.lower()
    if scheme not in SCHEMES:
        kind = scheme or "not a URL"
        raise DbSkip(f"the database URL from {source} is {kind}://, and these checks read "
                     "PostgreSQL only")
    from urllib.parse import parse_qs

    q = parse_qs(u.query)
    host = u.hostname or (q.get("host") or [""])[0]
    return DbUrl(url, source, host, port, unquote(u.path.lstrip("/")) or "", unquote(u.username or ""))


def settings(profile: Profile) -> dict[str, Any]:
    return dict(profile.get("database") or {})


def _env_url(profile: Profile, conf: dict[str, Any]) -> tuple[str, str]:
    from launchready_tui.core.checks.env import EnvReadError, environments, load_environment

    env_name = str(conf.get("url_from") or "production")
    var = str(conf.get("url_var") or "DATABASE_URL")
    envs = environments(profile)
    if env_name not in envs:
        raise DbProblem(
            f"the environment `{env_name}` (database.url_from) is not in the profile",
            f"Add environments.{env_name} with its env_file (or `source: process`), or set "
            "database.url_from to the environment that holds the database URL.",
        )
    try:
        env = load_environment(profile, env_name, envs[env_name])
    except EnvReadError as e:
        raise DbProblem(e.reason, e.fix) from None
    value = env.values.get(var, "")
    if not value.strip():
        raise DbProblem(
            f"{var} is not set in {env.where}",
            f"Add {var}=postgresql://USER:PASSWORD@HOST:5432/DATABASE to {env.where}, or "
            "store a monitoring URL with `launchready credentials add db-monitor` and set "
            "database.credential: db-monitor.",
        )
    return value, f"{var} in {env.where}"


def has_database(profile: Profile) -> bool:
    """Whether the profile says where a database is (else the kinds are skipped)."""
    conf = settings(profile)
    if conf.get("credential") or conf.get("url_from") or conf.get("url_var"):
        return True
    from launchready_tui.core.checks.env import environments

    return "production" in environments(profile)


async def monitor_url(ctx: CheckContext) -> DbUrl:
    """The URL the read-only kinds use: the keyring credential, else the environment's."""
    conf = settings(ctx.profile)
    cred = conf.get("credential")
    if cred:
        from launchready_tui.core.guard import NeedsCredential, get_secret

        try:
            value = await get_secret(ctx, str(cred))
        except NeedsCredential as e:
            raise DbProblem(e.reason, f"Store the monitoring URL with `launchready credentials add {cred}`.") from None
        return parse_url(value, f"keyring credential {cred}")
    value, source = _env_url(ctx.profile, conf)
    return parse_url(value, source)


def app_url(ctx: CheckContext) -> DbUrl:
    """The app's own URL (the environment's), for `db_access`."""
    value, source = _env_url(ctx.profile, settings(ctx.profile))
    return parse_url(value, source)


# ------------------------------------------------------------------------------- errors


def explain_error(exc: BaseException, db: DbUrl) -> DbProblem:
    """Turn a driver error into plain words and a fix. Never includes the URL."""
    import psycopg

    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    sqlstate = getattr(exc, "sqlstate", None) or ""
    low = text.lower()
    where = f"{db.host or 'the local socket'}:{db.port}"
    if sqlstate == "28P01" or "password authentication failed" in low:
        return DbProblem(
            f"the database refused the login for user {db.user or '?'} (wrong password)",
            f"Update the URL in {db.source} with the right password (your database host's "
            "dashboard shows the connection string), then run the check again.",
        )
    if sqlstate.startswith("28") or "no pg_hba.conf entry" in low or "role" in low and "does not exist" in low:
        return DbProblem(
            f"the database refused the login for user {db.user or '?'}: {_scrub(text)}",
            "Check the user name in the URL and that this machine may connect (on a plain "
            "server: pg_hba.conf; on a host: the allowed IP list in its dashboard).",
        )
    if sqlstate == "3D000" or "database" in low and "does not exist" in low:
        return DbProblem(
            f"the database {db.dbname!r} does not exist on {where}",
            f"Correct the database name at the end of the URL in {db.source}.",
        )
    if sqlstate in ("57014",) or isinstance(exc, TimeoutError) or "timeout" in low:
        return DbProblem(
            f"the database at {where} did not answer in time ({_scrub(text)})",
            "Check that the database is up (your host's dashboard) and that this machine "
            "may reach it; then run the check again.",
        )
    if sqlstate == "42501" or "permission denied" in low:
        return DbProblem(
            f"the role {db.user or '?'} may not read what this check needs: {_scrub(text)}",
            "Give the monitoring role pg_monitor: `GRANT pg_monitor TO launchready_monitor;` "
            "(see the stage 4 runbook's recipe).",
        )
    if isinstance(exc, psycopg.OperationalError) or isinstance(exc, OSError):
        return DbProblem(
            f"could not connect to the database at {where}: {_scrub(text)}",
            "Check that the database server is running and that the host and port in "
            f"{db.source} are right (your host's dashboard shows them).",
        )
    return DbProblem(f"the database answered with an error: {_scrub(text)}",
                     "Run the check again; if it keeps failing, send this message to your developer.")


def _scrub(text: str) -> str:
    from launchready_tui.core.redact import scrub_urls

    return scrub_urls(text)[:300]


# ------------------------------------------------------------------------------ session

# What psycopg takes as a statement's parameters (positional or named).
_SqlParams = Sequence[Any] | Mapping[str, Any]


@contextlib.asynccontextmanager
async def session(db: DbUrl, *, timeout_s: float = CONNECT_TIMEOUT_S) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    """An async psycopg connection inside one read-only transaction (rolled back at the
    end). Raises DbProblem when it cannot be opened."""
    import asyncio

    import psycopg

    try:
        conn = await asyncio.wait_for(
            psycopg.AsyncConnection.connect(
                db.url, application_name=APP_NAME, connect_timeout=max(1, int(timeout_s)),
                autocommit=True,
            ),
            timeout=timeout_s + 1,
        )
    except (psycopg.Error, OSError, TimeoutError) as e:
        raise explain_error(e, db) from None
    try:
        try:
            # Session settings first (their reset values stay what the role has, which
            # db_access reads), then one read-only transaction for everything else.
            await conn.execute(
                f"{MARK} SET default_transaction_read_only = on; "
                f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}; "
                f"SET lock_timeout = {LOCK_TIMEOUT_MS}; "
                "SET idle_in_transaction_session_timeout = 10000")
            await conn.execute(f"{MARK} BEGIN READ ONLY")
        except psycopg.Error as e:
            raise explain_error(e, db) from None
        yield conn
    finally:
        with contextlib.suppress(Exception):
            await conn.execute("ROLLBACK")
        with contextlib.suppress(Exception):
            await conn.close()


async def fetch(conn: psycopg.AsyncConnection[Any], sql: str, params: _SqlParams | None = None) -> list[dict[str, Any]]:
    """Rows as dicts. Every statement carries MARK so our own work is never counted."""
    from psycopg.rows import dict_row

    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(f"{MARK} {sql}", params)
        return list(await cur.fetchall()) if cur.description else []


async def savepoint_fetch(conn: psycopg.AsyncConnection[Any], sql: str, params: _SqlParams | None = None) -> list[dict[str, Any]] | Exception:
    """fetch() that turns an error into a value and keeps the transaction usable."""
    import psycopg

    await conn.execute("SAVEPOINT lr")
    try:
        rows = await fetch(conn, sql, params)
    except psycopg.Error as e:
        await conn.execute("ROLLBACK TO SAVEPOINT lr")
        return e
    await conn.execute("RELEASE SAVEPOINT lr")
    return rows


async def server_major(conn: psycopg.AsyncConnection[Any]) -> int:
    rows = await fetch(conn, "SELECT current_setting('server_version_num')::int AS v")
    return int(rows[0]["v"]) // 10000
