import asyncio
import json
import time

import pytest

from launchready_tui.core import engine, registry
from launchready_tui.core.context import CheckContext, RunOptions
from launchready_tui.core.net import Net, NetConfig
from launchready_tui.core.profile import parse_profile
from launchready_tui.core.report import render_json, render_junit, render_text
from launchready_tui.core.results import Status
from launchready_tui.core.runbook import parse_runbook

RB = """\
---
id: t
title: Test
stage: 1
goal: g
summary: s
---
## One {#one}
```check
kind: fake
```
## Two {#two}
```check
kind: fake
needs: performance.routes
```
```check
kind: fake
targets: ["{{ deploy.rollback }}"]
```
```check
kind: spf_later
```
"""


@pytest.fixture
def fake_kinds(monkeypatch):
    monkeypatch.setitem(registry.KINDS, "fake", registry.KindRef("fake", "tests.unit.fake_checks", "x", "x"))
    monkeypatch.setitem(registry.KINDS, "spf_later", registry.KindRef("spf_later", None, "x", "x"))


def _ctx(profile, **kw):
    return CheckContext(profile=profile, net=Net(NetConfig(timeout_s=1)), options=RunOptions(**kw))


async def test_timeouts_exceptions_skips_are_results(fake_kinds):
    rb = parse_runbook(RB, "t.md")
    p = parse_profile("project: P\ndomain: p.example\n")
    items = engine.plan(engine.select([rb]), p)
    t0 = time.perf_counter()
    results = await engine.run_all(items, _ctx(p))
    elapsed = time.perf_counter() - t0
    assert elapsed < 3, "a slow check must be cut off at its deadline"
    by = {(r.step, r.target): r for r in results}
    assert by[("one", "ok")].status == Status.PASS
    slow = by[("one", "slow")]
    assert slow.status == Status.ERROR and "time limit" in slow.summary and slow.fix
    boom = by[("one", "boom")]
    assert boom.status == Status.ERROR and "kaboom" in boom.summary
    bare = by[("one", "warnbare")]
    assert bare.fix and bare.why, "warn/fail/error always carry a fix and a why"
    skips = [r for r in results if r.step == "two"]
    assert [r.status for r in skips] == [Status.SKIP] * 3
    reasons = " | ".join(r.summary for r in skips)
    assert "performance.routes" in reasons and "deploy.rollback" in reasons and "not available yet" in reasons
    for r in results:
        assert r.stage == 1 and r.runbook == "t" and r.started_at and r.duration_ms >= 0


async def test_results_stream_as_they_finish(fake_kinds):
    rb = parse_runbook(RB, "t.md")
    p = parse_profile("project: P\ndomain: p.example\n")
    items = engine.plan(engine.select([rb], step_id="one"), p)
    order = [r.target async for r in engine.run(items, _ctx(p))]
    assert order[-1] == "slow"  # the slow one arrives last, the rest do not wait for it


async def test_concurrency_is_bounded(fake_kinds, monkeypatch):
    running = 0
    peak = 0
    from tests.unit import fake_checks

    async def counting(ctx, target, params):
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.02)
        running -= 1
        return fake_checks.passed("fake", target, "ok")

    monkeypatch.setattr(fake_checks, "check", counting)
    monkeypatch.setattr(fake_checks, "targets", lambda p, params: [f"t{i}" for i in range(20)])
    rb = parse_runbook(RB, "t.md")
    p = parse_profile("project: P\ndomain: p.example\n")
    items = engine.plan(engine.select([rb], step_id="one"), p)
    results = await engine.run_all(items, _ctx(p, concurrency=4))
    assert len(results) == 20 and peak == 4


async def test_json_shape_and_other_formats(fake_kinds):
    rb = parse_runbook(RB, "t.md")
    p = parse_profile("project: P\ndomain: p.example\n")
    results = await engine.run_all(engine.plan(engine.select([rb]), p), _ctx(p))
    doc = json.loads(render_json(results, "P"))
    assert set(doc) >= {"version", "project", "generated_at", "results", "counts"}
    assert doc["version"] == 1 and doc["project"] == "P"
    statuses = {"pass", "warn", "fail", "error", "skip"}
    assert sum(v for k, v in doc["counts"].items() if k in statuses) == len(results)
    assert set(doc["counts"]) == statuses | {"problems"}  # issue 15 adds counts.problems
    assert doc["counts"]["problems"] == len(doc["problems"])
    for r in doc["results"]:
        assert set(r) >= {"check", "target", "status", "summary", "evidence", "fix", "stage",
                          "runbook", "step", "started_at", "duration_ms"}
        assert r["status"] in statuses
    text = render_text(results, "P")
    assert "How to fix" in text and "could not check" in text
    assert "\033[" not in text  # no colour unless asked (TTY)
    xml = render_junit(results, "P")
    import xml.etree.ElementTree as ET

    root = ET.fromstring(xml)
    assert len(root.findall(".//testcase")) == len(results)
    assert root.findall(".//error") and root.findall(".//skipped")
