"""The handover's database section: index plan, cache rules and before/after per statement,
built from the data kinds' evidence and the history's db_statements snapshots."""

from __future__ import annotations

from types import SimpleNamespace

from launchready_tui.core.checks.db._handover import before_after, data_view


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
    v.layout(d)
    code = "\n".join(b.text for b in d.blocks if isinstance(b, CodeBlock))
    assert PLAN["statement"] in code and "DROP INDEX CONCURRENTLY IF EXISTS public.x;" in code
    assert any(t[1] == "Cache rules" for t in d.toc)
    assert callable(layout)


def test_the_kinds_name_their_sections_and_the_export_lays_out_any_kind_s_section(monkeypatch):
    """The database and AI sections come from the kinds (`Kind.handover`), not from export
    modules that know one family: a kind the export has never heard of gets its section too,
    called once with the results and the history, after Performance (its family has none)."""
    from launchready_tui.core import registry
    from launchready_tui.core.checks.base import Kind
    from launchready_tui.core.export import render_markdown
    from tests.unit import export_fixtures as F

    for name in ("db_queries", "db_indexes", "db_route_queries", "db_cache", "db_access"):
        assert registry.KINDS[name].handover and registry.load_kind(name).handover is data_view
    assert registry.KINDS["ai_probe"].handover and registry.load_kind("ai_probe").handover is not None
    assert not registry.KINDS["dns"].handover

    calls = []

    class Greeting:
        def layout(self, d):
            d.h(2, "Greeting", toc=True)
            d.table(["Word"], [[[d.code("hello")]]])

    def section(results, history):
        calls.append(len(history))
        return Greeting() if any(r.check == "greeting" for r in results) else None

    async def check(ctx, target, params):  # pragma: no cover - never run here
        raise AssertionError

    kind = Kind(name="greeting", family="ops", title="Greeting", plain="says hello", about="hello",
                check=check, handover=section)
    monkeypatch.setitem(registry.KINDS, "greeting",
                        registry.KindRef("greeting", "tests.greeting", "ops", "hello", handover=True))
    monkeypatch.setitem(registry._loaded, ("greeting", "tests.greeting"), kind)
    plain = render_markdown(F.handover())
    assert "## Greeting" not in plain and calls == [len(F.HISTORY)]
    state = F.state()
    state["results"]["audit/hello/greet@acme.example"] = F._r("audit", 1, "hello", "greet", "greeting",
                                                              "acme.example", "pass", "it says hello")
    from launchready_tui.core.export import build_handover

    md = render_markdown(build_handover(F.profile(), state, F.runbooks(), history=[], now=F.NOW))
    assert "## Greeting" in md and "| `hello` |" in md
    assert md.index("## Performance") < md.index("## Greeting") < md.index("## Risk log")
    assert "[Greeting](#greeting)" in md  # in the contents


def test_the_kinds_sections_are_redacted_like_the_rest_of_the_document():
    from launchready_tui.core.export import Redactor, build_handover, render_html, render_markdown
    from tests.unit import export_fixtures as F

    secret = "s3cr3t-Value-9f8e7d"
    state = F.state()
    state["results"]["perf/db/cache@database"] = F._r(
        "perf", 4, "db", "cache", "db_cache", "database", "warn", "1 cache rule",
        {"cache_rules": [{"query": f"SELECT plan FROM tenants WHERE token = '{secret}'", "calls": 5,
                          "rows_per_call": 1, "rule": "Cache it for 60 s"}]})
    state["results"]["auth-secrets/ai-review/ai@https://admin.acme.example/ai"] = F._r(
        "auth-secrets", 5, "ai-review", "ai", "ai_probe", "https://admin.acme.example/ai", "fail",
        f"it answered with {secret}",
        {"cases": [{"id": "se-1", "category": "secret-extraction", "verdict": "fail", "hits": [f"secret:{secret}"]}]})
    doc = build_handover(F.profile(), state, F.runbooks(), history=[], now=F.NOW, redactor=Redactor([secret]))
    md, html = render_markdown(doc), render_html(doc)
    assert "## Database" in md and "## AI assistant" in md and "showed a secret (\\[redacted\\])" in md
    assert "token = '[redacted]'" in md and "it answered with \\[redacted\\]" in md
    assert secret not in md and secret not in html
