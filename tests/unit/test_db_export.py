"""The handover's database section: index plan, cache rules and before/after per statement,
built from the data kinds' evidence and the history's db_statements snapshots."""

from __future__ import annotations

from types import SimpleNamespace

from launchready_tui.core.export._data import before_after, data_view


def _r(check, evidence, status="fail", target="database", at="2026-12-03T07:00:00+00:00"):
    return SimpleNamespace(check=check, target=target, status=status, evidence=evidence, started_at=at,
                           summary="s")


PLAN = {"table": "public.posts", "columns": ["creator_id"], "proven": True, "reason": "cost halves",
        "cost_before": 1600.0, "cost_after": 50.0, "queries": [{"query": "SELECT 1"}],
        "statement": "CREATE INDEX CONCURRENTLY IF NOT EXISTS posts_creator_id_idx ON public.posts (creator_id);"}


def test_no_data_kinds_no_section():
    assert data_view([_r("dns", {})], []) is None


def test_before_after_compares_with_the_previous_release():
    hist = [{"type": "db_statements", "release": "v1", "statements": [{"queryid": "7", "query": "q", "mean_ms": 40.0}]},
            {"type": "db_statements", "release": "v2", "statements": [{"queryid": "7", "query": "q", "mean_ms": 4.0,
                                                                        "calls": 9}]}]
    rows, rel = before_after(hist)
    assert rel == ("v1", "v2") and rows == [{"query": "q", "calls": 9, "after_ms": 4.0, "before_ms": 40.0}]


def test_the_section_carries_the_index_plan_cache_rules_and_statements():
    from launchready_tui.core.export._layout import layout
    from launchready_tui.core.export._render import CodeBlock

    v = data_view([_r("db_indexes", {"index_plan": [PLAN], "hypopg": True,
                                     "duplicates": [{"statement": "DROP INDEX CONCURRENTLY IF EXISTS public.x;"}]}),
                   _r("db_cache", {"cache_rules": [{"query": "SELECT enabled FROM feature_flags WHERE name = $1",
                                                    "calls": 500, "rows_per_call": 1, "rule": "Cache it for 60 s"}]},
                      status="warn")], [])
    assert v is not None and v.index_plan[0]["table"] == "public.posts" and v.cache_rules
    from launchready_tui.core.export import _layout

    d = _layout._Doc({})
    doc = SimpleNamespace(data=v)
    _layout.layout_data(d, doc)
    code = "\n".join(b.text for b in d.blocks if isinstance(b, CodeBlock))
    assert PLAN["statement"] in code and "DROP INDEX CONCURRENTLY IF EXISTS public.x;" in code
    assert any(t[1] == "Cache rules" for t in d.toc)
    assert callable(layout)
