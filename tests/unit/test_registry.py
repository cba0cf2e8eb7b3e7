"""The registry finds every kind where it is declared (its module's `CHECK_KIND`), and a
kind that is forgotten anywhere fails here: not declared, no plain title, no docs row, a
module that does not import, a schema fragment that disagrees with another kind's."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from launchready_tui.core import engine, profile, registry
from launchready_tui.core.checks.base import Kind, Target, merge_schema
from launchready_tui.core.context import CheckContext, RunOptions
from launchready_tui.core.net import Net, NetConfig
from launchready_tui.core.runbook import parse_runbook

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def discovered():
    return registry.discover()


def test_every_check_module_imports(discovered):
    _, problems = discovered
    assert problems == {}, problems


def test_every_module_with_a_check_declares_its_kind(discovered):
    refs, _ = discovered
    undeclared = sorted(r.module for r in refs.values() if not r.declared)
    assert undeclared == [], f"add CHECK_KIND = Kind(...) to {undeclared} (docs/adding-a-check.md)"


def test_every_kind_has_a_family_and_plain_words(discovered):
    refs, _ = discovered
    assert refs
    for ref in refs.values():
        assert ref.family and ref.title and ref.plain and ref.about, ref.name
        assert ref.step_line().startswith(f"{ref.title} check: ")


def test_every_kind_has_a_docs_row(discovered):
    refs, _ = discovered
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"`([a-z_]+)`", text.split("Check kinds:", 1)[1].split("\n\n", 1)[0]))
    assert set(refs) <= listed, f"add {sorted(set(refs) - listed)} to README's 'Check kinds:' list"


def test_every_registered_module_path_imports():
    for name, ref in registry.KINDS.items():
        kind = registry.load_kind(name)
        assert isinstance(kind, Kind) and kind.name == name and kind.module == ref.module
        assert callable(kind.check) and callable(kind.targets)


def test_schema_fragments_agree_and_reach_the_profile(discovered):
    refs, _ = discovered
    merged: dict = {}
    for ref in refs.values():
        merge_schema(merged, ref.schema)  # raises when two kinds type one key differently
    full = profile.schema()
    for key in merged:
        assert key in full
    assert full["performance"]["routes"][0] == "list" and "budget_ms" in full["performance"]["routes"][1]


def test_schema_conflicts_are_refused():
    with pytest.raises(ValueError, match="email.domain"):
        merge_schema({"email": {"domain": "str"}}, {"email": {"domain": "int"}})


def test_target_is_its_id_plus_data():
    t = Target("https://a.example/x", {"budget_ms": 300})
    assert t == "https://a.example/x" and t.id == "https://a.example/x" and t.data["budget_ms"] == 300
    assert type(str(t)) is str
    import pickle

    assert pickle.loads(pickle.dumps(t)).data == {"budget_ms": 300}


def test_the_index_is_cached_and_a_warm_start_imports_only_what_runs(tmp_path):
    code = textwrap.dedent("""
        import sys
        from launchready_tui.core import registry
        registry.load_kind("uptime")
        print(sorted(m for m in sys.modules if m.startswith("launchready_tui.core.checks.")))
    """)
    env = {"XDG_CACHE_HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True)  # builds it
    assert list((tmp_path / "launchready" / "parsed").glob("kinds-*.pickle"))
    warm = subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True, text=True)
    assert eval(warm.stdout) == ["launchready_tui.core.checks.base", "launchready_tui.core.checks.uptime"]


# ------------------------------------------------------------------ a new kind, and nothing else

NEW_KIND = '''
"""`greeting`: the home page says hello (a kind written only to prove the steps)."""

from __future__ import annotations

from typing import TypedDict

from launchready_tui.core.checks.base import Kind, Target
from launchready_tui.core.registry import MissingInput
from launchready_tui.core.results import CheckResult, failed, passed


class GreetingEvidence(TypedDict, total=False):
    word: str


def targets(profile, params) -> list[Target]:
    pages = profile.get("greeting.pages") or []
    if not pages:
        raise MissingInput("greeting.pages")
    return [Target(p["url"], p) for p in pages]


async def check(ctx, target: str, params) -> CheckResult:
    word = target.data.get("word", "")
    ev: GreetingEvidence = {"word": word}
    if word == "hello":
        return passed("greeting", target, "it says hello", evidence=dict(ev))
    return failed("greeting", target, "it does not say hello", evidence=dict(ev),
                  why="Visitors feel unwelcome.", fix="Put 'hello' on the home page.")


CHECK_KIND = Kind(
    name="greeting", family="ops", title="Greeting", plain="the home page says hello",
    about="home page greets", check=check, targets=targets,
    schema={"greeting": {"pages": ("list", {"url": "str", "word": "str"})}},
    evidence=GreetingEvidence, shown=("word",),
)
'''

RUNBOOK = """---
id: hello
stage: 1
title: Hello
goal: g
summary: s
---

# Hello

## Greets {#greets}

Text.

```check
kind: greeting
```
"""


async def test_a_new_kind_needs_only_its_module_its_runbook_and_its_tests(tmp_path, monkeypatch):
    pkg = tmp_path / "newkinds"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "greeting.py").write_text(NEW_KIND)
    monkeypatch.syspath_prepend(str(tmp_path))
    refs, problems = registry.discover(pkg, "newkinds")
    assert problems == {} and set(refs) == {"greeting"} and refs["greeting"].declared
    # what core/checks/ would give the registry if the module were there
    monkeypatch.setitem(registry.KINDS, "greeting", refs["greeting"])
    monkeypatch.setattr(profile, "_schema", None)
    p = profile.parse_profile("project: P\ndomain: p.example\ngreeting:\n  pages:\n"
                              "    - {url: 'https://p.example/', word: hello}\n"
                              "    - {url: 'https://p.example/b', word: hi}\n")
    assert not p.warnings  # the new key is known without editing core/profile.py
    rb = parse_runbook(RUNBOOK, "hello.md")
    items = engine.plan(engine.select([rb]), p)
    ctx = CheckContext(profile=p, net=Net(NetConfig(timeout_s=1)), options=RunOptions())
    results = await engine.run_all(items, ctx)
    assert [(r.target, r.status.value) for r in results] == [("https://p.example/", "pass"),
                                                             ("https://p.example/b", "fail")]
    assert all(type(r.target) is str for r in results)
    monkeypatch.setattr(profile, "_schema", None)
