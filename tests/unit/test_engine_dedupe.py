"""One probe per question per run (issue 15): several steps asking the same kind, target
and params share one check; each still gets its own result with its own step."""

import asyncio
import dataclasses
import types

from launchready_tui.core import engine
from launchready_tui.core.context import CheckContext, RunOptions
from launchready_tui.core.net import Net, NetConfig
from launchready_tui.core.profile import parse_profile
from launchready_tui.core.results import passed
from launchready_tui.core.runbook import parse_runbook

RB = """\
---
id: {id}
title: Test
stage: {stage}
goal: g
summary: s
---
## One {{#one}}
```check
kind: dns
```
## Two {{#two}}
```check
kind: dns
```
"""


def _fake(calls):
    async def check(ctx, target, params):
        calls.append((ctx.step.id, target, dict(params)))
        await asyncio.sleep(0.01)
        return passed("probe", target, f"answered for {target}", evidence={"asked": len(calls)})

    return types.SimpleNamespace(check=check, targets=lambda p, params: ["a"], deadline=lambda p, t: 2)


async def test_identical_probes_run_once_and_feed_every_step(monkeypatch):
    calls = []
    fake = _fake(calls)
    monkeypatch.setattr(engine, "load_kind", lambda name: fake)
    books = [parse_runbook(RB.format(id="s1", stage=1), "s1.md"), parse_runbook(RB.format(id="s3", stage=3), "s3.md")]
    p = parse_profile("project: P\ndomain: p.example\n")
    items = []
    for rb in books:
        for st in rb.steps:
            spec = st.checks[0]
            items += [engine.Planned(rb, st, spec, "a.p.example", {"x": 1}),
                      engine.Planned(rb, st, spec, "b.p.example", {"x": 1})]
    items.append(engine.Planned(books[0], books[0].steps[0], books[0].steps[0].checks[0], "a.p.example", {"x": 2}))
    ctx = CheckContext(profile=p, net=Net(NetConfig(timeout_s=1)), options=RunOptions())
    results = await engine.run_all(items, ctx)
    # 4 steps x 2 targets + one with other params = 9 results from 3 probes
    assert len(results) == 9
    assert sorted((t, prm["x"]) for _, t, prm in calls) == [("a.p.example", 1), ("a.p.example", 2), ("b.p.example", 1)]
    keys = {(r.runbook, r.step, r.target) for r in results}
    assert len(keys) == 8 and {r.stage for r in results} == {1, 3}
    shared = [r for r in results if r.target == "a.p.example" and r.runbook == "s3"]
    assert all(r.summary == "answered for a.p.example" for r in shared)
    shared[0].evidence["changed"] = True  # each result is its own copy
    assert "changed" not in shared[1].evidence


async def test_command_checks_are_never_shared():
    rb = parse_runbook(RB.format(id="s1", stage=1), "s1.md")
    st = rb.steps[0]
    spec = dataclasses.replace(st.checks[0], kind="command")
    a = engine.Planned(rb, st, spec, "-", {"block": "b"})
    assert engine.probe_key(a) is None
    b = engine.Planned(rb, st, st.checks[0], "x", {"k": [1, 2]})
    assert engine.probe_key(b) == ("dns", "x", '{"k": [1, 2]}')
