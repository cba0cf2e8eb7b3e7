"""The export package's public face: `__all__` lists exactly what it exports (httpx's test),
and the modules behind it are private."""

from __future__ import annotations

import pkgutil

import launchready_tui.core.export as export


def test_all_matches_the_public_names():
    public = {n for n in vars(export) if not n.startswith("_") and n != "annotations"}
    assert set(export.__all__) == public
    assert export.__all__ == sorted(export.__all__, key=lambda n: (not n.isupper(), n))


def test_every_module_behind_it_is_private():
    names = [m.name for m in pkgutil.iter_modules(export.__path__)]
    assert names and all(n.startswith("_") for n in names), names
