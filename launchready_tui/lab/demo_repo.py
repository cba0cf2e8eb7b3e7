"""Demo world, repository part: the app's own files, for stage 2's `deploy_config` check.

Planted: a Vercel project (`vercel.json`, deploys by Git integration) with tests and a
build in package.json, the rollback kept as `scripts/rollback.sh`, and no CI workflow at
all: so the env check before the build, the smoke test after deploys, the secret scan and
the dependency audit are missing, and the rollback has never been drilled. After
`launchready ci init` and one rollback drill, stage 2's check passes.
"""

from __future__ import annotations

import json

from launchready_tui.lab import World

ROLLBACK_SCRIPT = (
    "#!/bin/sh\n"
    "# Puts back the previous release. On a real Vercel project: vercel rollback --yes\n"
    "echo 'rolling back to the previous release'\n"
    "sleep 1\n"
    "echo done\n"
)


def add(w: World, d: str) -> None:
    w.files["vercel.json"] = json.dumps({"$schema": "https://openapi.vercel.sh/vercel.json",
                                         "framework": "nextjs"}, indent=2) + "\n"
    w.files.setdefault("package.json", json.dumps({
        "name": "acme-creators", "private": True,
        "scripts": {"dev": "next dev", "build": "next build", "test": "vitest run"},
    }, indent=2) + "\n")
    w.files["scripts/rollback.sh"] = ROLLBACK_SCRIPT
    deploy = w.profile.setdefault("deploy", {})
    deploy["rollback"] = "sh scripts/rollback.sh"
