"""The `secrets` scanner against detect-secrets, on the same tree, in one run.

The tree is this interpreter's site-packages (hard-linked into a temporary folder, so
nothing is copied or changed) plus a planted corpus with one example per rule, in the
places secrets really end up (config, scripts, built bundles, a source map, a log).
Prints, for each tool:

* files per second (regular files in the tree / wall time) and the ratio;
* recall on the planted corpus (a planted file counts when the tool reports it);
* findings outside the corpus (distinct file:line), a proxy for false alarms.

Targets (issue 7): at least 5x detect-secrets' throughput, recall at least as high,
fewer findings outside the corpus.

    pip install detect-secrets          # benchmark-only dependency
    python bench/secrets.py [--site-packages DIR] [--packages N] [--json]

`--packages N` limits site-packages to its first N top-level entries (sorted), for a
quick run. detect-secrets uses every core through multiprocessing; launchready uses one.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import shutil
import string
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RNG = random.Random(2024)
ALNUM = string.ascii_letters + string.digits


def rnd(n: int, alphabet: str = ALNUM) -> str:
    return "".join(RNG.choice(alphabet) for _ in range(n))


def _b64url(obj) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


def corpus() -> dict[str, tuple[str, str]]:
    """relative path -> (rule it exercises, file text). One planted secret per file;
    values are assembled here so no real-looking key sits in the repository."""
    up = string.ascii_uppercase + string.digits
    hexd = "0123456789abcdef"
    urlsafe = ALNUM + "-_"
    stripe = "sk_" + "live_" + rnd(24)
    jwt = _b64url({"alg": "HS256", "typ": "JWT"}) + "." + _b64url({"role": "service_role", "iss": "supabase"}) + "." + rnd(43, urlsafe)
    pem = "\n".join(rnd(64, ALNUM + "+/") for _ in range(4))
    uuid = f"{rnd(8, hexd)}-{rnd(4, hexd)}-{rnd(4, hexd)}-{rnd(4, hexd)}-{rnd(12, hexd)}"
    sm_src = f"export const config = {{\n  api: '/api',\n  stripeKey: '{'sk_' + 'live_' + rnd(24)}',\n}};\n"
    source_map = json.dumps({"version": 3, "file": "app.js", "sources": ["webpack://app/src/config.ts"],
                             "sourcesContent": [sm_src], "mappings": "AAAA,SAAS"})
    py = "import os\n\n\ndef handler(event):\n    return {'ok': True}\n\n"
    return {
        "app/config.py": ("aws-access-key-id", py + f'AWS_ACCESS_KEY_ID = "AKIA{rnd(16, up)}"\n'),
        "app/credentials.ini": ("aws-secret-access-key", f"[default]\naws_secret_access_key = {rnd(40, ALNUM + '+/')}\n"),
        "app/billing.js": ("stripe-live-secret-key", f"const Stripe = require('stripe');\nconst stripe = Stripe('{stripe}');\n"),
        "app/settings.yaml": ("stripe-restricted-key", f"payments:\n  restricted: rk_{'live_'}{rnd(24)}\n"),
        "scripts/deploy.sh": ("github-token", f"#!/bin/sh\ngit clone https://ghp_{rnd(36)}@github.com/acme/app.git\n"),
        "ci/release.yml": ("github-fine-grained-token", f"env:\n  GH_TOKEN: github_pat_{rnd(22)}_{rnd(59)}\n"),
        "app/notify.py": ("slack-token", py + f'client = WebClient(token="xoxb-{rnd(12, string.digits)}-{rnd(13, string.digits)}-{rnd(24)}")\n'),
        "app/alerts.json": ("slack-webhook", json.dumps({"webhook": f"https://hooks.slack.com/services/T{rnd(8, up)}/B{rnd(8, up)}/{rnd(24)}"}) + "\n"),
        "web/maps.js": ("google-api-key", f'const map = new Map({{ apiKey: "AIza{rnd(35, urlsafe)}" }});\n'),
        "app/ai.py": ("openai-key", py + f'openai.api_key = "sk-proj-{rnd(64, urlsafe)}"\n'),
        "web/claude.ts": ("anthropic-key", f'const client = new Anthropic({{ apiKey: "sk-ant-api03-{rnd(93, urlsafe)}AA" }});\n'),
        "app/mailer.rb": ("sendgrid-key", f"sg = SendGrid::API.new(api_key: 'SG.{rnd(22, urlsafe)}.{rnd(43, urlsafe)}')\n"),
        "app/sms.py": ("twilio-api-key", py + f'TWILIO_API_KEY = "SK{rnd(32, hexd)}"\n'),
        "app/sms.env": ("twilio-auth-token", f"TWILIO_ACCOUNT_SID=AC{rnd(32, hexd)}\nTWILIO_AUTH_TOKEN={rnd(32, hexd)}\n"),
        "app/postmark.yml": ("postmark-token", f'postmark:\n  server_token: "{uuid}"\n'),
        "deploy/server.key": ("private-key", f"-----BEGIN RSA PRIVATE KEY-----\n{pem}\n-----END RSA PRIVATE KEY-----\n"),
        "logs/access.log": ("jwt", f"127.0.0.1 - - GET /admin 200\nheader Authorization: Bearer {jwt}\n"),
        "deploy/docker-compose.prod.yml": ("database-url", f"services:\n  web:\n    environment:\n      DATABASE_URL: postgres://app:{rnd(20)}@db.prod.internal:5432/app\n"),
        "web/.env.local": ("public-env-secret", f"NEXT_PUBLIC_API_URL=https://api.acme.example\nNEXT_PUBLIC_ADMIN_PASSWORD={rnd(20)}\n"),
        "app/settings.py": ("generic-secret", py + f'SESSION_SECRET = "{rnd(40)}"\n'),
        "dist/assets/index-4f2a.js": ("bundle: stripe key in minified JS", "!function(){var e={};" * 200 + f'e.k="{stripe}";' + "}();\n"),
        "dist/assets/app.js.map": ("bundle: source map sourcesContent", source_map),
    }


def link_tree(src: Path, dst: Path, limit: int | None) -> None:
    """Hard-link `src` into `dst` (same file system: no data copied). Falls back to copies."""
    entries = sorted(os.listdir(src))
    if limit:
        entries = entries[:limit]
    dst.mkdir(parents=True)
    for name in entries:
        s, d = src / name, dst / name
        if s.is_symlink():
            continue
        if s.is_dir():
            shutil.copytree(s, d, copy_function=_link_or_copy, symlinks=True)
        else:
            _link_or_copy(str(s), str(d))


def _link_or_copy(s: str, d: str) -> None:
    try:
        os.link(s, d)
    except OSError:
        shutil.copy2(s, d)


def count_files(tree: Path) -> tuple[int, int]:
    n = size = 0
    for root, _dirs, files in os.walk(tree):
        for f in files:
            p = os.path.join(root, f)
            if os.path.isfile(p) and not os.path.islink(p):
                n += 1
                size += os.path.getsize(p)
    return n, size


def run_detect_secrets(tree: Path) -> tuple[float, set[tuple[str, int]]]:
    exe = shutil.which("detect-secrets")
    if not exe:
        raise SystemExit("detect-secrets is not installed: pip install detect-secrets")
    t0 = time.perf_counter()
    out = subprocess.run([exe, "scan", "--all-files", "."], cwd=tree, capture_output=True, text=True, check=True)
    secs = time.perf_counter() - t0
    results = json.loads(out.stdout)["results"]
    return secs, {(f, r["line_number"]) for f, items in results.items() for r in items}


_LR_SCRIPT = """
import json, sys
from launchready_tui.core.checks.secrets import Scanner
rep = Scanner(base=sys.argv[1], max_seconds=3600, max_files=10_000_000).scan([sys.argv[1]])
print(json.dumps({"scanned": rep.scanned, "skipped": dict(rep.skipped),
                  "findings": [[f.file, f.line] for f in rep.findings]}))
"""


def run_launchready(tree: Path) -> tuple[float, set[tuple[str, int]], dict]:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _LR_SCRIPT, str(tree)], capture_output=True, text=True,
                         check=True, env=env)
    secs = time.perf_counter() - t0
    data = json.loads(out.stdout)
    return secs, {(f, line) for f, line in data["findings"]}, data


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--site-packages", default=sysconfig.get_paths()["purelib"])
    ap.add_argument("--packages", type=int, default=None, help="only the first N top-level entries")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    a = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="lr-bench-secrets-"))
    try:
        tree = work / "tree"
        link_tree(Path(a.site_packages), tree / "site-packages", a.packages)
        planted = corpus()
        for rel, (_rule, text) in planted.items():
            p = tree / "corpus" / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text)
        n_files, n_bytes = count_files(tree)

        ds_secs, ds_hits = run_detect_secrets(tree)
        lr_secs, lr_hits, lr_data = run_launchready(tree)

        def split(hits):
            inside = {f for f, _ in hits if f.startswith("corpus/")}
            outside = {h for h in hits if not h[0].startswith("corpus/")}
            found = [rel for rel in planted if f"corpus/{rel}" in inside]
            return found, outside

        ds_found, ds_out = split(ds_hits)
        lr_found, lr_out = split(lr_hits)
        fig = {
            "tree": {"files": n_files, "megabytes": round(n_bytes / 1e6, 1),
                     "site_packages": a.site_packages, "packages": a.packages or "all",
                     "planted": len(planted)},
            "detect_secrets": {"seconds": round(ds_secs, 2), "files_per_s": round(n_files / ds_secs),
                               "recall": f"{len(ds_found)}/{len(planted)}", "outside_corpus": len(ds_out),
                               "missed": sorted(set(planted) - set(ds_found))},
            "launchready": {"seconds": round(lr_secs, 2), "files_per_s": round(n_files / lr_secs),
                            "recall": f"{len(lr_found)}/{len(planted)}", "outside_corpus": len(lr_out),
                            "missed": sorted(set(planted) - set(lr_found)),
                            "files_read": lr_data["scanned"], "skipped": lr_data["skipped"]},
            "throughput_ratio": round(ds_secs / lr_secs, 1),
            "load_average": os.getloadavg()[0],
        }
        if a.json:
            print(json.dumps(fig, indent=2))
            return 0
        t = fig["tree"]
        print(f"Tree: {t['files']} files, {t['megabytes']} MB (site-packages: {t['packages']} entries "
              f"+ {t['planted']} planted files); load average {fig['load_average']:.1f}")
        print(f"{'':16}{'seconds':>9}{'files/s':>10}{'recall':>9}{'outside corpus':>16}")
        for name in ("detect_secrets", "launchready"):
            d = fig[name]
            print(f"{name:16}{d['seconds']:>9}{d['files_per_s']:>10}{d['recall']:>9}{d['outside_corpus']:>16}")
        print(f"throughput ratio (launchready / detect-secrets): {fig['throughput_ratio']}x  (target >= 5x)")
        for name in ("detect_secrets", "launchready"):
            if fig[name]["missed"]:
                print(f"{name} missed: {', '.join(fig[name]['missed'])}")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
