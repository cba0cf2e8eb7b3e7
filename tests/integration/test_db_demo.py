"""The demo's database: seeded in the background, admin pages that really query it, and
stage 4 showing the planted findings. Without PostgreSQL the demo says how to install it
and the data kinds are skipped, not errors."""

from __future__ import annotations

import time

import pytest

from launchready_tui.lab import Lab
from launchready_tui.lab.postgres import find_bindir
from tests.integration.pg_world import context, run_kind

pytestmark = pytest.mark.integration


@pytest.mark.postgres
def test_the_demo_database_shows_the_planted_findings(tmp_path):
    if find_bindir() is None:
        pytest.skip("PostgreSQL server binaries are not installed")
    from launchready_tui.lab.demo import DOMAIN, demo_world

    w = demo_world()
    t0 = time.monotonic()
    with Lab(w, tmp_path / "demo") as lab:
        assert time.monotonic() - t0 < 5, "the database must start in the background"
        assert lab.wait_services(120) == []
        ctx = context(lab)
        assert run_kind(ctx, "db_indexes").status.value == "fail"
        access = run_kind(ctx, "db_access")
        assert access.status.value == "fail" and "superuser" in access.summary
        assert run_kind(ctx, "db_cache").status.value == "warn"
        n1 = run_kind(ctx, "db_route_queries", f"https://admin.{DOMAIN}/admin/creators")
        assert n1.status.value == "fail" and "N+1" in n1.summary
        payouts = run_kind(ctx, "db_route_queries", f"https://admin.{DOMAIN}/admin/payouts")
        assert payouts.status.value == "pass"


def test_without_postgresql_the_demo_says_how_to_install_it(tmp_path, monkeypatch):
    from launchready_tui.core import registry
    from launchready_tui.lab import postgres
    from launchready_tui.lab.demo import demo_world
    from launchready_tui.lab.postgres import INSTALL_HINT

    monkeypatch.setattr(postgres, "find_bindir", lambda: None)
    w = demo_world()
    assert INSTALL_HINT in w.notes and w.services == []
    with Lab(w, tmp_path / "demo") as lab:
        ctx = context(lab)
        for kind in ("db_queries", "db_indexes", "db_cache", "db_access", "db_route_queries"):
            with pytest.raises(registry.MissingInput):
                registry.load_kind(kind).plan_targets(ctx.profile, {})
