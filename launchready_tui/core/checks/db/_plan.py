"""Asking the planner, never the executor.

`generic_plan` gets the plan of a statement with `$n` parameters as the planner would
cache it: `EXPLAIN (GENERIC_PLAN)` on PostgreSQL 16+, before that a prepared statement
planned with `plan_cache_mode = force_generic_plan` and explained with NULL arguments
(the generic plan does not look at them). Never `EXPLAIN ANALYZE`: nothing runs.

`hypothetical_cost` creates a candidate index with HypoPG (session-local, writes
nothing), plans again and drops it: the cost before and after is the proof.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from launchready_tui.core.checks.db._connect import MARK

if TYPE_CHECKING:
    import psycopg

_names = itertools.count(1)


class PlanError(Exception):
    """The statement could not be planned (reason in plain words)."""


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every node of a JSON plan, depth first. Pure."""
    yield plan
    for child in plan.get("Plans") or ():
        yield from nodes(child)


def seq_scans(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Sequential scans with their table, estimated rows and filter. Pure."""
    out = []
    for n in nodes(plan):
        if n.get("Node Type") == "Seq Scan":
            out.append({"table": n.get("Relation Name", ""), "schema": n.get("Schema", ""),
                        "rows": n.get("Plan Rows"), "filter": n.get("Filter", "")})
    return out


def uses_index(plan: dict[str, Any], marker: str) -> bool:
    return any(marker in str(n.get("Index Name", "")) for n in nodes(plan))


def param_count(sql: str) -> int:
    """The highest $n in a statement (its number of parameters). Pure."""
    import re

    return max((int(n) for n in re.findall(r"\$(\d+)", sql)), default=0)


async def prepare_session(conn: psycopg.AsyncConnection[Any], major: int) -> None:
    """Once per session, before planning: generic plans for prepared statements (< 16)."""
    if major < 16:
        await conn.execute(f"{MARK} SET LOCAL plan_cache_mode = force_generic_plan")


async def generic_plan(conn: psycopg.AsyncConnection[Any], sql: str, major: int, *, first: str = "") -> dict[str, Any]:
    """The top plan node (JSON). Raises PlanError. Call `prepare_session` first.
    `first`: a statement sent in the same round trip, before planning (HypoPG's index)."""
    import psycopg

    name = f"lr_plan_{next(_names)}"
    prepared = False
    lead = f"{first}; " if first else ""
    try:
        if major >= 16:
            await conn.execute(f"{lead}SAVEPOINT lr_plan")
            cur = await conn.execute(f"{MARK} EXPLAIN (GENERIC_PLAN, FORMAT JSON) {sql}")
        else:
            # one round trip to prepare, one to explain, one to clean up
            await conn.execute(f"{lead}SAVEPOINT lr_plan; {MARK} PREPARE {name} AS {sql}")
            prepared = True
            n = param_count(sql)
            args = f"({', '.join(['NULL'] * n)})" if n else ""
            cur = await conn.execute(f"{MARK} EXPLAIN (FORMAT JSON) EXECUTE {name}{args}")
        row = await cur.fetchone()
        await conn.execute("RELEASE SAVEPOINT lr_plan" + (f"; DEALLOCATE {name}" if prepared else ""))
        prepared = False
    except psycopg.Error as e:
        await conn.execute("ROLLBACK TO SAVEPOINT lr_plan")
        if prepared:  # a prepared statement outlives the savepoint: drop it
            try:
                await conn.execute(f"DEALLOCATE {name}")
            except psycopg.Error:
                pass
        raise PlanError(str(e).splitlines()[0] if str(e) else type(e).__name__) from None
    if row is None:  # EXPLAIN always answers one row; not a crash if a server does not
        raise PlanError("the planner returned no plan")
    doc = row[0]
    if isinstance(doc, str):
        import json

        doc = json.loads(doc)
    return doc[0]["Plan"]


async def hypopg_available(conn: psycopg.AsyncConnection[Any]) -> bool:
    from launchready_tui.core.checks.db._connect import fetch

    rows = await fetch(conn, "SELECT 1 AS ok FROM pg_extension WHERE extname = 'hypopg'")
    return bool(rows)


def quote_ident(ident: str) -> str:
    return ident if ident.isidentifier() and ident.islower() else '"' + ident.replace('"', '""') + '"'


def _target(table: str, cols: tuple[str, ...]) -> str:
    tab = ".".join(quote_ident(p) for p in table.split("."))
    return f"{tab} ({', '.join(quote_ident(c) for c in cols)})"


def index_statement(table: str, cols: tuple[str, ...], *, concurrently: bool = True) -> str:
    """The exact statement a developer runs (CONCURRENTLY: the table stays writable)."""
    q = quote_ident
    name = "_".join([table.split(".")[-1], *cols, "idx"])[:63]
    cc = " CONCURRENTLY" if concurrently else ""
    return f"CREATE INDEX{cc} IF NOT EXISTS {q(name)} ON {_target(table, cols)};"


async def hypothetical_cost(conn: psycopg.AsyncConnection[Any], sql: str, major: int, table: str, cols: tuple[str, ...]) -> tuple[float, bool]:
    """(total cost with the index, whether the plan uses it). HypoPG, session-local: the
    index exists only in this session's memory, one at a time, and is reset after."""
    import psycopg

    ddl = f"CREATE INDEX ON {_target(table, cols)}".replace("'", "''")  # hypopg names it itself
    try:
        plan = await generic_plan(conn, sql, major, first=f"{MARK} SELECT hypopg_create_index('{ddl}')")
        # hypothetical index names start with "<oid>": only ours exists now
        return float(plan.get("Total Cost", 0.0)), uses_index(plan, "<")
    finally:
        try:
            await conn.execute(f"{MARK} SELECT hypopg_reset()")
        except psycopg.Error:
            pass
