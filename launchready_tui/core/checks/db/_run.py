"""What every database kind does around its own work: find the URL, open the safe
session, and turn every way it can go wrong into a result (skip, error, warn)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from launchready_tui.core.checks.base import Target
from launchready_tui.core.checks.db._connect import (
    DbProblem,
    DbSkip,
    DbUrl,
    app_url,
    explain_error,
    has_database,
    monitor_url,
    session,
)
from launchready_tui.core.registry import MissingInput
from launchready_tui.core.results import CheckResult, errored, skipped, warned

if TYPE_CHECKING:
    import psycopg

    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.profile import Profile

TARGET = "database"
ERROR_WHY = ("Until LaunchReady can read the database's statistics, nobody knows whether "
             "slow queries or risky settings are waiting to hurt your admin team.")


def targets(profile: Profile, params: dict[str, Any]) -> list[Target]:
    from launchready_tui.core.checks.db._connect import settings
    from launchready_tui.core.checks.env import environments

    conf = settings(profile)
    hint = "the environment whose env file holds DATABASE_URL, or database.credential"
    if not has_database(profile):
        raise MissingInput("database.url_from", hint)
    if not conf.get("credential") and str(conf.get("url_from") or "production") not in environments(profile):
        raise MissingInput("database.url_from", hint)
    return [Target(TARGET, {})]


def deadline(params: dict[str, Any], timeout_s: float) -> float:
    return max(30.0, 6 * timeout_s)


async def run(kind: str, ctx: CheckContext, target: str,
              body: Callable[[psycopg.AsyncConnection[Any], DbUrl], Awaitable[CheckResult]], *, app: bool = False) -> CheckResult:
    import psycopg

    from launchready_tui.core.checks.db._stats import ENABLE_STEPS, ENABLE_WHY, NoStatements

    try:
        db = app_url(ctx) if app else await monitor_url(ctx)
    except DbSkip as e:
        return skipped(kind, target, str(e))
    except DbProblem as e:
        return errored(kind, target, e.reason, fix=e.fix, why=ERROR_WHY)
    timeout = float(getattr(getattr(ctx, "net", None), "timeout_s", 5) or 5)
    try:
        async with session(db, timeout_s=timeout) as conn:
            result = await body(conn, db)
    except DbProblem as e:
        return errored(kind, target, e.reason, fix=e.fix, why=ERROR_WHY, evidence={"database": db.shown})
    except NoStatements as e:
        return warned(kind, target, f"Query statistics are off: {e}", fix=ENABLE_STEPS, why=ENABLE_WHY,
                      evidence={"database": db.shown, "missing": "pg_stat_statements"})
    except (psycopg.Error, OSError, TimeoutError) as e:
        p = explain_error(e, db)
        return errored(kind, target, p.reason, fix=p.fix, why=ERROR_WHY, evidence={"database": db.shown})
    result.evidence.setdefault("database", db.shown)
    return result
