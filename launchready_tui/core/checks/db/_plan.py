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
from typing import Any

from launchready_tui.core.checks.db._connect import MARK

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


async def generic_plan(conn, sql: str, major: int) -> dict[str, Any]:
    """The top plan node (JSON). Raises PlanError."""
    import psycopg

    await conn.execute("SAVEPOINT lr_plan")
    name = f"lr_plan_{next(_names)}"
    prepared = False
    try:
        if major >= 16:
            cur = await conn.execute(f"{MARK} EXPLAIN (GENERIC_PLAN, FORMAT JSON) {sql}")
        else:
            await conn.execute(f"{MARK} SET LOCAL plan_cache_mode = force_generic_plan")
            await conn.execute(f"{MARK} PREPARE {name} AS {sql}")
            prepared = True
            cur = await conn.execute(
                f"{MARK} SELECT coalesce(array_length(parameter_types, 1), 0) FROM pg_prepared_statements WHERE name = %s",
                (name,))
            (n,) = await cur.fetchone()
            args = f"({', '.join(['NULL'] * n)})" if n else ""
            cur = await conn.execute(f"{MARK} EXPLAIN (FORMAT JSON) EXECUTE {name}{args}")
        row = await cur.fetchone()
        await conn.execute("RELEASE SAVEPOINT lr_plan")
    except psycopg.Error as e:
        await conn.execute("ROLLBACK TO SAVEPOINT lr_plan")
        raise PlanError(str(e).splitlines()[0] if str(e) else type(e).__name__) from None
    finally:
        if prepared:
            try:
                await conn.execute(f"DEALLOCATE {name}")
            except psycopg.Error:
                pass
    doc = row[0]
    if isinstance(doc, str):
        import json

        doc = json.loads(doc)
    return doc[0]["Plan"]


async def hypopg_available(conn) -> bool:
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


async def hypothetical_cost(conn, sql: str, major: int, table: str, cols: tuple[str, ...]) -> tuple[float, bool]:
    """(total cost with the index, whether the plan uses it). HypoPG, session-local."""
    import psycopg

    ddl = f"CREATE INDEX ON {_target(table, cols)}"  # hypopg names the index itself
    try:
        cur = await conn.execute(f"{MARK} SELECT indexrelid, indexname FROM hypopg_create_index(%s)", (ddl,))
        oid, _name = await cur.fetchone()
    except psycopg.Error as e:
        raise PlanError(str(e).splitlines()[0]) from None
    try:
        plan = await generic_plan(conn, sql, major)
        return float(plan.get("Total Cost", 0.0)), uses_index(plan, f"<{oid}>")
    finally:
        try:
            await conn.execute(f"{MARK} SELECT hypopg_drop_index(%s)", (oid,))
        except psycopg.Error:
            pass
