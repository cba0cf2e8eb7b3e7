"""spf is a package by its four parts; `launchready_tui.core.checks.email.spf` keeps the
same public names (`__all__` is exactly what it exports) and its parts are private."""

from __future__ import annotations

import pkgutil
import types

from launchready_tui.core.checks.email import spf


def test_all_matches_the_public_names():
    public = {n for n, v in vars(spf).items()
              if not n.startswith("_") and n != "annotations" and not isinstance(v, types.ModuleType)}
    assert set(spf.__all__) == public


def test_the_parts_are_private_and_the_entry_points_are_there():
    assert sorted(m.name for m in pkgutil.iter_modules(spf.__path__)) == [
        "_check", "_check_host", "_parse", "_suggest", "_tree"]
    for name in ("parse_spf", "check_host", "walk_spf", "evaluate_spf", "inspect_spf", "check", "targets",
                 "CHECK_KIND", "CachingResolver", "repair_token", "render_tree", "email_domain"):
        assert name in spf.__all__, name
