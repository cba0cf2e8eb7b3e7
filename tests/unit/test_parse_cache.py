"""The parse cache returns the same runbooks as a fresh parse, and never hides edits."""

from launchready_tui.core import runbook as rbmod
from launchready_tui.core.parse_cache import cache_dir

RB = "---\nid: one\ntitle: One\nstage: 1\ngoal: g\nsummary: s\n---\n## Step {#s}\n```check\nkind: dns\n```\n"


def test_cached_equals_fresh_and_edits_are_seen(tmp_path, monkeypatch):
    d = tmp_path / "rb"
    d.mkdir()
    f = d / "one.md"
    f.write_text(RB)
    fresh, _ = rbmod.load_runbooks([d])
    first, _ = rbmod.load_runbooks([d], cache=True)
    assert list(cache_dir().glob("runbook-*.pickle"))
    calls = []
    real = rbmod.parse_runbook
    monkeypatch.setattr(rbmod, "parse_runbook", lambda *a: calls.append(1) or real(*a))
    again, _ = rbmod.load_runbooks([d], cache=True)
    assert calls == [], "unchanged bytes come from the cache"
    assert [(b.id, [s.id for s in b.steps]) for b in again] == [(b.id, [s.id for s in b.steps]) for b in fresh]
    f.write_text(RB.replace("title: One", "title: Changed"))
    edited, _ = rbmod.load_runbooks([d], cache=True)
    assert calls == [1] and edited[0].title == "Changed"


def test_broken_runbook_is_reported_every_time(tmp_path):
    d = tmp_path / "rb"
    d.mkdir()
    (d / "bad.md").write_text(RB.replace("kind: dns", "kind: nope"))
    for _ in range(2):
        books, errors = rbmod.load_runbooks([d], cache=True)
        assert not books and "unknown check kind 'nope'" in str(errors[0])
