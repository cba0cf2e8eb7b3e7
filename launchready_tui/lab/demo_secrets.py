"""Demo world, secrets part: env files, code, a built bundle and logs.

Planted: a Stripe *test* key in production, a session secret shared between production
and staging, a placeholder left in staging, a live key shipped in the frontend bundle
(also as a NEXT_PUBLIC_ variable) and a token written to a log. The values are made up
at start-up (random, never real, never the same twice) so no key-like text sits in this
source file.
"""

from __future__ import annotations

import secrets
import string

from launchready_tui.lab import World

_ALNUM = string.ascii_letters + string.digits


def _rand(n: int) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(n))


def add(w: World, d: str) -> None:
    live = "sk_" + "live_" + _rand(32)
    test = "sk_" + "test_" + _rand(32)
    session = _rand(40)
    db_prod = f"postgres://app:{_rand(20)}@db.internal:5432/acme"
    db_staging = f"postgres://app:{_rand(20)}@db-staging.internal:5432/acme"
    token = "ghp_" + _rand(36)
    w.profile["required_env"] = ["DATABASE_URL", "STRIPE_SECRET_KEY", "SESSION_SECRET"]
    w.profile["code"] = {"paths": ["app"], "bundles": ["dist"], "logs": ["logs"]}
    w.files[".env.production"] = (
        f"DATABASE_URL={db_prod}\n"
        f"STRIPE_SECRET_KEY={test}\n"  # a test key in production: payments silently fail
        f"SESSION_SECRET={session}\n"
        "NODE_ENV=production\n"
    )
    w.files[".env.staging"] = (
        f"DATABASE_URL={db_staging}\n"
        "STRIPE_SECRET_KEY=changeme\n"  # a placeholder
        f"SESSION_SECRET={session}\n"  # shared with production
        "NODE_ENV=staging\n"
    )
    w.files["app/server.js"] = (
        "// The demo app's server: it reads its secrets from the environment. Good.\n"
        "const stripe = require('stripe')(process.env.STRIPE_SECRET_KEY);\n"
        "module.exports = { stripe };\n"
    )
    w.files["dist/assets/index.js"] = (
        "(function(){var cfg={NEXT_PUBLIC_STRIPE_KEY:\"" + live + "\",api:\"https://api."
        + d + "\"};window.__CFG__=cfg;})();\n"
    )
    w.files["logs/app.log"] = (
        "2026-11-27T10:00:01Z INFO server started on :3000\n"
        f"2026-11-27T10:00:05Z DEBUG deploy hook called with token={token}\n"
        "2026-11-27T10:01:00Z INFO GET /health 200 3ms\n"
    )
