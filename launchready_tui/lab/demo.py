"""The demo world: a made-up creator platform with a planted mix of healthy and broken
setups, served by the local lab so a newcomer sees real checks pass and fail offline.

Each family of checks adds its part from its own module (`demo_edge`, `demo_email`,
`demo_secrets`, `demo_perf`), so they can grow independently.
"""

from __future__ import annotations

import importlib

from launchready_tui.lab import World

DOMAIN = "acme-demo.test"
PROJECT = "Acme Creators (demo)"
PARTS = ("demo_edge", "demo_email", "demo_secrets", "demo_perf", "demo_ai", "demo_repo", "demo_accounts", "demo_db")


def demo_world() -> World:
    w = World(
        profile={
            "project": PROJECT,
            "domain": DOMAIN,
            "canonical_host": DOMAIN,
            "hosts": {},
        }
    )
    for part in PARTS:
        try:
            mod = importlib.import_module(f"launchready_tui.lab.{part}")
        except ModuleNotFoundError as e:
            if e.name == f"launchready_tui.lab.{part}":
                continue
            raise
        mod.add(w, DOMAIN)
    return w
