"""The data kinds in the app: stage 4's steps show each kind's own title and its check
rows, and a stored db_indexes result opens with the exact index statement to hand over."""

from __future__ import annotations

from pathlib import Path

import pytest

from launchready_tui.core.state import StateStore
from launchready_tui.tui.widgets.check_row import CheckRow
from tests.tui.conftest import T0

ROOT = Path(__file__).resolve().parents[2]
SIZE = (120, 40)
STMT = "CREATE INDEX CONCURRENTLY IF NOT EXISTS posts_creator_id_idx ON public.posts (creator_id);"


def _seed(profile: Path, step: str) -> None:
    store = StateStore(profile.parent / ".launchready")
    store.save_results([{
        "stage": 4, "runbook": "data-path", "step": "indexes", "check_id": "missing-indexes",
        "check": "db_indexes", "target": "database", "status": "fail", "started_at": T0.isoformat(),
        "duration_ms": 0, "summary": "1 missing index (1 proven by the planner): public.posts (creator_id)",
        "evidence": {"index_plan": [{"table": "public.posts", "columns": ["creator_id"], "proven": True,
                                     "statement": STMT}]},
        "why": "Without these indexes the database reads whole tables.",
        "fix": "Give these statements to your developer:\n" + STMT,
    }])
    store.update(lambda s: s.__setitem__("position", {"runbook": "data-path", "step": step}))


async def test_stage_4_steps_show_the_data_kinds_titles_and_rows(make, project):
    _seed(project, "indexes")
    app = make(project, runbooks=(ROOT / "runbooks",))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        abouts = [str(lbl.render()) for lbl in app.main.view.query(".check-about")]
        assert any(a.startswith("Indexes check: ") for a in abouts), abouts
        rows = list(app.main.view.query(CheckRow))
        assert [r.target for r in rows] == ["database"]
        row = rows[0]
        assert row.result is not None and row.result.status == "fail"
        assert str(row.query_one(".badge").render()) == "✗ FAIL"
        row.focus()
        await pilot.pause()
        detail = app.main.query_one("#detail").text()
        assert "public.posts" in detail and "CREATE INDEX CONCURRENTLY" in detail


async def test_every_data_step_names_its_kind(make, project):
    from launchready_tui.core import registry

    expect = {"slow-queries": "db_queries", "duplicate-queries": "db_route_queries", "cache": "db_cache"}
    for step, kind in expect.items():
        _seed(project, step)
        app = make(project, runbooks=(ROOT / "runbooks",))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            abouts = [str(lbl.render()) for lbl in app.main.view.query(".check-about")]
            assert registry.load_kind(kind).step_line() in abouts, (step, abouts)


@pytest.mark.integration
@pytest.mark.postgres
async def test_running_stage_4_on_the_demo_database(make, tmp_path):
    """A new user's path: the demo, stage 4's indexes step, press r: the proven index."""
    from launchready_tui.lab import Lab
    from launchready_tui.lab.demo import demo_world
    from launchready_tui.lab.postgres import find_bindir

    if find_bindir() is None:
        pytest.skip("PostgreSQL server binaries are not installed")
    with Lab(demo_world(), tmp_path / "demo") as lab:
        assert lab.wait_services(120) == []
        store = StateStore(lab.profile_path.parent / ".launchready")
        store.update(lambda s: s.__setitem__("position", {"runbook": "data-path", "step": "indexes"}))
        app = make(lab.profile_path, runbooks=(ROOT / "runbooks",))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("r")
            for _ in range(100):  # the checks run in a worker; wait for the row's result
                await app.workers.wait_for_complete()
                await pilot.pause(0.1)
                rows = list(app.main.view.query(CheckRow))
                if rows and rows[0].result is not None:
                    break
            row = rows[0]
            assert row.result.status == "fail", row.result.summary
            assert "proven by the planner" in row.result.summary
            assert str(row.query_one(".badge").render()) == "✗ FAIL"
            row.focus()
            await pilot.pause()
            assert "CREATE INDEX CONCURRENTLY" in app.main.query_one("#detail").text()
