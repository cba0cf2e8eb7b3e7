"""The planted-secret corpus for bench/secrets.py: secrets and clean look-alikes.

Every value is built here at run time from the published formats and a seeded random
generator, so this repository holds no string that looks like a live key. Each planted
file holds exactly one secret; the bench knows its line range. Clean files hold only
look-alikes that are not secrets: lockfile hashes, UUIDs, git SHAs, base64 images,
placeholders, Maven coordinates, keys that SDKs ship to browsers, ordinary code.

    python bench/secrets_corpus.py DIR      # write the corpus into DIR (for a look)
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import string
import sys
import uuid as _uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ALNUM = string.ascii_letters + string.digits
UP = string.ascii_uppercase + string.digits
LOWD = string.ascii_lowercase + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "-_"


@dataclass
class Planted:
    path: str
    family: str
    text: str
    first_line: int  # 1-based line range that holds the secret
    last_line: int


class Gen:
    def __init__(self, seed: int = 2026) -> None:
        self.rng = random.Random(seed)

    def s(self, n: int, alphabet: str = ALNUM) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def uuid(self) -> str:
        return str(_uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def pick(self, seq):
        return self.rng.choice(seq)

    def b64json(self, obj) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode().rstrip("=")

    def digits(self, lo: int, hi: int) -> str:
        return str(self.rng.randint(10 ** (lo - 1), 10**hi - 1))


# ----------------------------------------------------------------- the families
# family -> (variable name, value maker, contexts). A context turns (name, value) into
# file text with the value on exactly one line (or a block, for PEM keys).

Ctx = Callable[[str, str], tuple[str, str]]  # -> (file suffix, text)


def _camel(name: str) -> str:
    parts = name.lower().split("_")
    return parts[0] + "".join(p.title() for p in parts[1:])


def c_env(n, v):
    return ".env", f"NODE_ENV=production\nPORT=3000\n{n}={v}\nLOG_LEVEL=info\n"


def c_py(n, v):
    return ".py", f'import os\n\nDEBUG = False\n{n} = "{v}"\nALLOWED_HOSTS = ["app.acme.example"]\n'


def c_js(n, v):
    return ".js", f"'use strict';\nconst express = require('express');\nconst {_camel(n)} = '{v}';\nmodule.exports = {{ {_camel(n)} }};\n"


def c_yaml(n, v):
    return ".yaml", f"service:\n  name: api\n  settings:\n    {n.lower()}: {v}\n    region: eu-west-1\n"


def c_json(n, v):
    return ".json", json.dumps({"name": "api", "config": {_camel(n): v, "retries": 3}}, indent=2) + "\n"


def c_sh(n, v):
    return ".sh", f"#!/bin/sh\nset -eu\nexport {n}=\"{v}\"\nexec node server.js\n"


def c_compose(n, v):
    return ".yml", f"services:\n  web:\n    image: acme/web:1.4.2\n    environment:\n      - {n}={v}\n"


def c_toml(n, v):
    return ".toml", f'[server]\nhost = "0.0.0.0"\n{n.lower()} = "{v}"\n'


def c_log(n, v):
    return ".log", (
        "2026-11-30T10:00:01Z INFO boot ok\n"
        f"2026-11-30T10:00:02Z DEBUG config loaded {n.lower()}={v} region=eu\n"
        "2026-11-30T10:00:03Z INFO listening on :8080\n"
    )


def c_bundle(n, v):
    pre = "!function(e){var t={};function n(r){if(t[r])return t[r].exports}" * 40
    return ".js", pre + f'var o={{{_camel(n)}:"{v}",timeout:3e4}};' + "}();\n"


def c_bare(n, v):  # the value alone in a call: the name does not say "secret"
    return ".ts", f"import {{ Client }} from './client';\n\nexport const client = new Client('{v}');\n"


COMMON = [c_env, c_py, c_js, c_yaml, c_json, c_sh, c_compose, c_toml, c_log, c_bundle]


def families(g: Gen) -> dict[str, tuple[str, Callable[[], str], list[Ctx]]]:
    def pem():
        body = "\n".join(g.s(64, B64) for _ in range(6))
        return f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"

    def jwt():
        return (g.b64json({"alg": "HS256", "typ": "JWT"}) + "." +
                g.b64json({"iss": "supabase", "role": "service_role", "iat": 1700000000}) + "." + g.s(43, URLSAFE))

    def discord_bot():
        uid = g.digits(18, 19)
        return base64.b64encode(uid.encode()).decode().rstrip("=") + "." + g.s(6, URLSAFE) + "." + g.s(38, URLSAFE)

    def sentry_org():
        payload = g.b64json({"iat": 1700000000.0, "url": "https://sentry.io", "region_url": "https://us.sentry.io", "org": "acme"})
        return "sntrys_" + payload + "_" + g.s(43, B64)

    def slack():  # bot tokens: two numeric ids and 24 characters; user tokens: three ids and 32 hex
        if g.rng.random() < 0.5:
            return "xoxb-" + g.digits(11, 12) + "-" + g.digits(12, 13) + "-" + g.s(24)
        return "xoxp-" + g.digits(11, 12) + "-" + g.digits(11, 12) + "-" + g.digits(12, 13) + "-" + g.s(32, HEX)

    def basic():
        return base64.b64encode(f"deploy:{g.s(18)}".encode()).decode()

    return {
        # AWS key ids are base32 after the prefix: A-Z and 2-7
        "aws-access-key-id": ("AWS_ACCESS_KEY_ID", lambda: "AKIA" + g.s(16, string.ascii_uppercase + "234567"), COMMON),
        "aws-secret-access-key": ("AWS_SECRET_ACCESS_KEY", lambda: g.s(40, B64), COMMON),
        "stripe-live-secret-key": ("STRIPE_KEY", lambda: "sk_" + "live_" + g.s(g.pick([24, 99])), COMMON + [c_bare]),
        "stripe-restricted-key": ("STRIPE_RESTRICTED", lambda: "rk_" + "live_" + g.s(g.pick([24, 99])), COMMON),
        "stripe-webhook-secret": ("STRIPE_WH", lambda: "whsec_" + g.s(32), COMMON + [c_bare]),
        "github-token": ("GH", lambda: g.pick(["ghp_", "gho_", "ghs_"]) + g.s(36), COMMON + [c_bare]),
        "github-fine-grained-token": ("GH_PAT", lambda: "github_pat_" + g.s(22) + "_" + g.s(59), COMMON),
        "slack-token": ("SLACK", slack, COMMON),
        "slack-webhook": ("SLACK_HOOK", lambda: "https://hooks.slack.com/services/T" + g.s(8, UP) + "/B" + g.s(10, UP) + "/" + g.s(24), COMMON),
        "google-api-key": ("GOOGLE_MAPS_SERVER_KEY", lambda: "AIza" + g.s(35, URLSAFE), COMMON),
        "openai-key": ("OPENAI_API_KEY", lambda: "sk-proj-" + g.s(g.pick([48, 64, 120]), URLSAFE), COMMON + [c_bare]),
        "anthropic-key": ("ANTHROPIC_API_KEY", lambda: "sk-ant-api03-" + g.s(93, URLSAFE) + "AA", COMMON),
        "sendgrid-key": ("SENDGRID", lambda: "SG." + g.s(22, URLSAFE) + "." + g.s(43, URLSAFE), COMMON + [c_bare]),
        "twilio-api-key": ("TWILIO_API_KEY", lambda: "SK" + g.s(32, HEX), COMMON),
        "twilio-auth-token": ("TWILIO_AUTH_TOKEN", lambda: g.s(32, HEX), COMMON),
        "postmark-token": ("POSTMARK_SERVER_TOKEN", g.uuid, COMMON),
        "private-key": ("PRIVATE_KEY", pem, [c_pem_file, c_pem_json]),
        "jwt": ("SUPABASE_SERVICE_ROLE_KEY", jwt, COMMON),
        "database-url": ("DATABASE_URL", lambda: g.pick(["postgres", "mysql", "mongodb+srv", "rediss"]) + f"://app:{g.s(20)}@db-{g.s(6, LOWD)}.prod.acme.example:5432/app", COMMON),
        "public-env-secret": ("NEXT_PUBLIC_ADMIN_SECRET", lambda: g.s(32), [c_env, c_bundle_public]),
        "generic-secret": ("SESSION_SECRET", lambda: g.s(40), COMMON),
        "generic-lowercase": ("API_TOKEN", lambda: g.s(g.pick([20, 32, 40]), LOWD), COMMON),
        "generic-punctuation": ("DB_PASSWORD", lambda: g.s(6) + g.pick("!#%^&*?@") + g.s(5) + g.pick("!#%^&*?@") + g.s(4), [c_yaml_pw, c_json_pw, c_env, c_py, c_compose]),
        "generic-nested": ("password", lambda: g.s(24), [c_yaml_nested, c_json_nested, c_yaml_nested_token, c_json_nested_secret]),
        "generic-keyword-not-last": ("SECRET_KEY_BASE", lambda: g.s(128, HEX), [c_env, c_yaml, c_sh, c_compose, c_toml]),
        "generic-auth-creds": ("AUTH_CREDS", lambda: g.s(32, URLSAFE), [c_env, c_auth_js, c_creds_yaml, c_py]),
        "discord-bot-token": ("DISCORD_BOT", discord_bot, COMMON + [c_bare]),
        "discord-webhook": ("DISCORD_HOOK", lambda: f"https://discord.com/api/webhooks/{g.digits(18, 19)}/{g.s(68, URLSAFE)}", COMMON),
        "telegram-bot-token": ("TELEGRAM_BOT", lambda: f"{g.digits(9, 10)}:AA{g.s(33, URLSAFE)}", COMMON + [c_bare]),
        "npm-token": ("NPM", lambda: "npm_" + g.s(36), COMMON + [c_npmrc]),
        "npm-authtoken-uuid": ("NPM_LEGACY", g.uuid, [c_npmrc, c_npmrc_scoped]),
        "pypi-token": ("PYPI", lambda: "pypi-AgEIcHlwaS5vcmc" + g.s(g.pick([60, 140]), URLSAFE), COMMON + [c_pypirc]),
        "square-access-token": ("SQUARE", lambda: g.pick(["EAAA" + g.s(60, URLSAFE), "sq0atp-" + g.s(22, URLSAFE)]), COMMON),
        "square-oauth-secret": ("SQUARE_APP", lambda: "sq0csp-" + g.s(43, URLSAFE), COMMON),
        "fcm-server-key": ("FCM", lambda: "AAAA" + g.s(7, URLSAFE) + ":APA91b" + g.s(134, URLSAFE), COMMON),
        "shopify-token": ("SHOPIFY", lambda: g.pick(["shpat_", "shpss_", "shpca_", "shppa_"]) + g.s(32, HEX), COMMON + [c_bare]),
        "sentry-token": ("SENTRY", lambda: g.pick([sentry_org(), "sntryu_" + g.s(64, HEX)]), COMMON),
        "supabase-secret": ("SUPABASE", lambda: g.pick(["sb_secret_" + g.s(31, URLSAFE), "sbp_" + g.s(40, HEX)]), COMMON),
        "netlify-token": ("NETLIFY", lambda: "nfp_" + g.s(36), COMMON),
        "mailgun-key": ("mailgun", lambda: g.pick(["key-" + g.s(32, HEX), g.s(32, HEX) + "-" + g.s(8, HEX) + "-" + g.s(8, HEX)]), [c_mailgun_key_yaml, c_mailgun_url, c_mailgun_key_json, c_mailgun_curl]),
        "cli-token-flag": ("token", lambda: g.s(24), [c_flag_token, c_flag_token_eq, c_flag_ci]),
        "cloudflare-origin-ca-key": ("CF_ORIGIN_CA", lambda: "v1.0-" + g.s(24, HEX) + "-" + g.s(146, HEX), COMMON),
        "basic-auth-header": ("Authorization", basic, [c_basic_log, c_basic_curl, c_basic_js, c_basic_http]),
        "laravel-app-key": ("APP_KEY", lambda: "base64:" + base64.b64encode(g.rng.randbytes(32)).decode(), [c_env, c_laravel_php, c_compose]),
    }


def c_pem_file(n, v):
    return ".key", v + "\n"


def c_pem_json(n, v):
    return ".json", json.dumps({"type": "service_account", "private_key": v + "\n"}) + "\n"


def c_bundle_public(n, v):
    return ".js", "var a=1;" * 300 + f'var env={{NEXT_PUBLIC_API_URL:"https://api.acme.example",{n}:"{v}"}};\n'


def c_yaml_pw(n, v):
    return ".yaml", f"database:\n  user: app\n  password: '{v}'\n"


def c_json_pw(n, v):
    return ".json", json.dumps({"db": {"user": "app", "password": v}}) + "\n"


def c_yaml_nested(n, v):
    return ".yaml", f"production:\n  database:\n    host: db.internal\n    password: {v}\n"


def c_json_nested(n, v):
    return ".json", json.dumps({"smtp": {"host": "smtp.acme.example", "password": v}}, indent=2) + "\n"


def c_yaml_nested_token(n, v):
    return ".yaml", f"integrations:\n  crm:\n    url: https://crm.acme.example\n    token: {v}\n"


def c_json_nested_secret(n, v):
    return ".json", json.dumps({"oauth": {"clientId": "acme-web", "secret": v}}, indent=2) + "\n"


def c_auth_js(n, v):
    return ".js", f"export default {{\n  authKey: '{v}',\n  region: 'eu',\n}};\n"


def c_creds_yaml(n, v):
    return ".yaml", f"backup:\n  creds: {v}\n  bucket: acme-backups\n"


def c_npmrc(n, v):
    return ".npmrc", f"registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken={v}\nsave-exact=true\n"


def c_npmrc_scoped(n, v):
    return ".npmrc", f"@acme:registry=https://npm.pkg.acme.example/\n//npm.pkg.acme.example/:_authToken=\"{v}\"\n"


def c_pypirc(n, v):
    return ".pypirc", f"[distutils]\nindex-servers = pypi\n\n[pypi]\nusername = __token__\npassword = {v}\n"


def c_mailgun_key_yaml(n, v):
    return ".yaml", f"mailgun:\n  domain: mg.acme.example\n  key: {v}\n"


def c_mailgun_key_json(n, v):
    return ".json", json.dumps({"mailer": {"provider": "mailgun", "key": v}}) + "\n"


def c_mailgun_url(n, v):
    return ".sh", f"#!/bin/sh\ncurl -s https://api:{v}@api.mailgun.net/v3/mg.acme.example/messages -F to=ops@acme.example\n"


def c_mailgun_curl(n, v):
    return ".py", f'import requests\n\nrequests.post("https://api.mailgun.net/v3/mg.acme.example/messages", auth=("api", "{v}"))\n'


def c_flag_token(n, v):
    return ".sh", f"#!/bin/sh\nnpx vercel deploy --prod --token {v}\n"


def c_flag_token_eq(n, v):
    return ".sh", f"#!/bin/sh\nfly deploy --remote-only --access-token={v}\n"


def c_flag_ci(n, v):
    return ".yml", f"jobs:\n  deploy:\n    steps:\n      - run: netlify deploy --prod --auth {v}\n"


def c_basic_log(n, v):
    return ".log", f"10.0.0.4 - - [30/Nov/2026] GET /admin\n  Authorization: Basic {v}\n"


def c_basic_curl(n, v):
    return ".sh", f"#!/bin/sh\ncurl -H 'Authorization: Basic {v}' https://api.acme.example/v1/export\n"


def c_basic_js(n, v):
    return ".js", f"fetch(url, {{ headers: {{ Authorization: 'Basic {v}' }} }});\n"


def c_basic_http(n, v):
    return ".http", f"GET https://api.acme.example/v1/users\nAuthorization: Basic {v}\nAccept: application/json\n"


def c_laravel_php(n, v):
    return ".php", f"<?php\n\nreturn [\n    'name' => env('APP_NAME', 'Acme'),\n    'key' => env('APP_KEY', '{v}'),\n];\n"


_FILLER = [
    "def handler(event, context):\n    return {'statusCode': 200}\n",
    "function add(a, b) {\n  return a + b;\n}\n",
    "# Settings for the worker. See docs/worker.md\n",
    "const routes = ['/', '/pricing', '/login', '/signup'];\n",
]


def planted(g: Gen, per_family: int = 9) -> list[Planted]:
    out: list[Planted] = []
    for fam, (name, make, ctxs) in families(g).items():
        n = max(per_family, len(ctxs))
        for i in range(n):
            ctx = ctxs[i % len(ctxs)]
            value = make()
            suffix, text = ctx(name, value)
            filler = g.pick(_FILLER)
            if suffix in (".key", ".json", ".npmrc", ".pypirc", ".http", ".log"):
                filler = ""
            elif suffix in (".env", ".yaml", ".yml", ".toml", ".sh"):
                filler = "# " + filler.splitlines()[0] + "\n"
            if suffix == ".sh" and text.startswith("#!"):
                head, rest = text.split("\n", 1)
                text = head + "\n" + filler + rest
            else:
                text = filler + text
            first = value.splitlines()[0]
            idx = text.index(first if "\n" not in value else first)
            line = text.count("\n", 0, idx) + 1
            # JSON-escaped values (a PEM inside JSON) stay on one line
            last = line + (value.count("\n") if value in text else 0)
            out.append(Planted(f"planted/{fam}/{i:02d}{suffix}", fam, text, line, last))
    return out


# ------------------------------------------------------------------- clean files


def clean(g: Gen) -> dict[str, str]:
    """Files with no secret in them, but many things a careless rule flags."""
    files: dict[str, str] = {}

    def sha512_b64():
        return base64.b64encode(hashlib.sha512(g.s(20).encode()).digest()).decode()

    def sha(n=40):
        return g.s(n, HEX)

    for i in range(12):  # npm lockfiles
        pkgs = {f"node_modules/pkg-{g.s(6, string.ascii_lowercase)}": {
            "version": f"{g.rng.randint(0, 9)}.{g.rng.randint(0, 20)}.{g.rng.randint(0, 9)}",
            "resolved": f"https://registry.npmjs.org/pkg/-/pkg-1.0.{j}.tgz",
            "integrity": "sha512-" + sha512_b64(),
        } for j in range(60)}
        files[f"clean/lock/{i:02d}/package-lock.json"] = json.dumps({"name": "app", "lockfileVersion": 3, "packages": pkgs}, indent=2)
    for i in range(8):
        files[f"clean/lock/{i:02d}/yarn.lock"] = "".join(
            f'pkg-{j}@^1.0.0:\n  version "1.0.{j}"\n  resolved "https://registry.yarnpkg.com/pkg/-/pkg-1.0.{j}.tgz#{sha()}"\n  integrity sha512-{sha512_b64()}\n\n'
            for j in range(50))
        files[f"clean/lock/{i:02d}/poetry.lock"] = "".join(
            f'[[package]]\nname = "pkg{j}"\nversion = "2.{j}.0"\nfiles = [\n    {{file = "pkg{j}-2.{j}.0-py3-none-any.whl", hash = "sha256:{sha(64)}"}},\n]\n\n'
            for j in range(40))
        files[f"clean/lock/{i:02d}/go.sum"] = "".join(
            f"github.com/acme/mod{j} v1.{j}.0 h1:{base64.b64encode(g.rng.randbytes(32)).decode()}\n"
            f"github.com/acme/mod{j} v1.{j}.0/go.mod h1:{base64.b64encode(g.rng.randbytes(32)).decode()}\n"
            for j in range(60))
        files[f"clean/lock/{i:02d}/Cargo.lock"] = "".join(
            f'[[package]]\nname = "crate{j}"\nversion = "0.{j}.1"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "{sha(64)}"\n\n'
            for j in range(40))
        files[f"clean/lock/{i:02d}/pnpm-lock.yaml"] = "packages:\n" + "".join(
            f"  /pkg{j}@1.0.{j}:\n    resolution: {{integrity: sha512-{sha512_b64()}}}\n    dev: false\n" for j in range(50))
    for i in range(15):  # UUIDs, git SHAs, digests, trace ids
        files[f"clean/ids/{i:02d}/fixtures.json"] = json.dumps([
            {"id": g.uuid(), "customer_id": g.uuid(), "request_id": g.uuid(), "idempotency_key": g.uuid(),
             "commit": sha(), "trace_id": sha(32), "etag": f'W/"{sha(32)}"'} for _ in range(30)], indent=2)
        files[f"clean/ids/{i:02d}/workflow.yml"] = (
            "jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
            f"      - uses: actions/checkout@{sha()}\n      - uses: actions/setup-node@{sha()}\n"
            "        with:\n          token: ${{ secrets.GITHUB_TOKEN }}\n"
            f"      - run: docker pull node@sha256:{sha(64)}\n")
        files[f"clean/ids/{i:02d}/CHANGELOG.md"] = "".join(
            f"- {g.pick(['fix', 'feat', 'chore'])}: update thing ([{sha(7)}](https://github.com/acme/app/commit/{sha()}))\n" for _ in range(40))
        files[f"clean/ids/{i:02d}/access.log"] = "".join(
            f"2026-11-30T10:{j % 60:02d}:00Z INFO request_id={g.uuid()} trace={sha(32)} span={sha(16)} session=s_{sha(24)} status=200\n"
            for j in range(120))
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + g.rng.randbytes(1500)).decode()
    for i in range(12):  # base64 images and fonts, SVG
        files[f"clean/assets/{i:02d}/style.css"] = (
            f".logo{{background:url(data:image/png;base64,{base64.b64encode(g.rng.randbytes(1200)).decode()})}}\n"
            f"@font-face{{font-family:x;src:url(data:font/woff2;base64,{base64.b64encode(g.rng.randbytes(3000)).decode()})}}\n")
        files[f"clean/assets/{i:02d}/index.html"] = (
            f'<!doctype html><html><head><link rel="stylesheet" href="/a.css" integrity="sha384-{base64.b64encode(g.rng.randbytes(48)).decode()}">'
            f'<meta name="csrf-token" content="{g.s(40)}"></head><body><img src="data:image/png;base64,{png}"></body></html>\n')
        files[f"clean/assets/{i:02d}/icon.svg"] = (
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="'
            + " ".join(f"M{g.rng.random() * 24:.3f} {g.rng.random() * 24:.3f}L{g.rng.random() * 24:.3f} {g.rng.random() * 24:.3f}" for _ in range(200))
            + '"/></svg>\n')
    for i in range(15):  # placeholders and templates
        files[f"clean/templates/{i:02d}/.env.example"] = (
            "STRIPE_SECRET_KEY=sk_" + "live_" + "x" * g.pick([8, 24]) + "\n"
            "STRIPE_WEBHOOK_SECRET=whsec_" + "x" * 32 + "\n"
            "OPENAI_API_KEY=YOUR_API_KEY\n"
            "GITHUB_TOKEN=<your-github-token>\n"
            "DATABASE_URL=postgres://user:password@localhost:5432/app\n"
            "SESSION_SECRET=changeme\n"
            "AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY}\n"
            "SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T00000000/B00000000/" + "X" * 24 + "\n"
            "SLACK_BOT_TOKEN=xoxb-12345-abcd\n"
            "SLACK_APP_TOKEN=xoxb-your-bot-token\n"
            "DISCORD_WEBHOOK=https://discord.com/api/webhooks/000000000000000000/" + "x" * 68 + "\n"
            "TELEGRAM_BOT_TOKEN=123456789:YOUR_TELEGRAM_TOKEN\n"
            "NPM_TOKEN=npm_" + "x" * 36 + "\n"
            "SHOPIFY_ACCESS_TOKEN=shpat_" + "0" * 32 + "\n"
            "MAILGUN_API_KEY=key-" + "x" * 32 + "\n"
            "APP_KEY=\n"
            "PASSWORD=********\n")
        files[f"clean/templates/{i:02d}/settings.py"] = (
            'import os\n\nSECRET_KEY = os.environ["SECRET_KEY"]\nSTRIPE_KEY = os.getenv("STRIPE_SECRET_KEY", "")\n'
            'DATABASES = {"default": {"PASSWORD": os.environ.get("DB_PASSWORD")}}\n'
            "API_TOKEN = settings.API_TOKEN\npassword = getpass.getpass()\n"
            'token = request.headers.get("Authorization", "").removeprefix("Bearer ")\n')
        files[f"clean/templates/{i:02d}/deploy.yml"] = (
            "env:\n  NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n  TOKEN: ${{ secrets.DEPLOY_TOKEN }}\n"
            "steps:\n  - run: npx vercel deploy --token $VERCEL_TOKEN\n  - run: fly deploy --access-token \"$FLY_API_TOKEN\"\n"
            "  - run: curl -u \"api:$MAILGUN_API_KEY\" https://api.mailgun.net/v3/x\n"
            "  - run: echo \"//registry.npmjs.org/:_authToken=${NPM_TOKEN}\" > .npmrc\n")
        files[f"clean/templates/{i:02d}/k8s.yaml"] = (
            "env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef:\n        name: db\n        key: password\n"
            "  - name: API_TOKEN\n    valueFrom:\n      secretKeyRef: {name: api, key: token}\n"
            "auth:\n  type: oauth2\n  token: ${API_TOKEN}\n  password: {{ .Values.password }}\n")
        files[f"clean/templates/{i:02d}/README.md"] = (
            "# Setup\n\nSet `STRIPE_SECRET_KEY` to your key (it starts with `sk_live_`).\n"
            "A webhook secret looks like `whsec_...`. Cloudflare API v1.0-beta.2 is supported since v1.0-rc1.\n"
            "Run `app login --token <TOKEN>` or `--password-file ~/.pw`.\n"
            "Send `Authorization: Basic <base64 of user:password>`.\n"
            "Use `Authorization: Basic dXNlcjpwYXNzd29yZA==` for the demo user.\n")
    for i in range(15):  # Maven and Gradle coordinates
        files[f"clean/jvm/{i:02d}/pom.xml"] = (
            "<project><dependencies>\n" + "".join(
                f"  <dependency><groupId>{gid}</groupId><artifactId>{aid}</artifactId><version>{ver}</version></dependency>\n"
                for gid, aid, ver in [("io.jsonwebtoken", "jjwt-api", "0.12.6"), ("com.auth0", "java-jwt", "4.4.0"),
                                      ("org.keycloak", "keycloak-admin-client", "24.0.4"),
                                      ("software.amazon.awssdk", "secretsmanager", "2.25.60"),
                                      ("com.azure", "azure-security-keyvault-secrets", "4.8.3")])
            + "</dependencies></project>\n")
        files[f"clean/jvm/{i:02d}/build.gradle"] = (
            "dependencies {\n"
            "    implementation 'io.jsonwebtoken:jjwt-api:0.12.6'\n"
            "    runtimeOnly 'io.jsonwebtoken:jjwt-impl:0.12.6'\n"
            "    implementation 'com.auth0:auth0-spring-security-api:1.5.3'\n"
            "    implementation 'org.keycloak:keycloak-spring-boot-starter:24.0.4'\n"
            "    implementation 'com.google.crypto.tink:tink:1.13.0'\n"
            "    implementation \"software.amazon.awssdk:secretsmanager:2.25.60\"\n}\n")
        files[f"clean/jvm/{i:02d}/libs.versions.toml"] = (
            '[libraries]\njjwt = { module = "io.jsonwebtoken:jjwt-api", version = "0.12.6" }\n'
            'auth0 = "com.auth0:java-jwt:4.4.0"\nkeycloak-core = "org.keycloak:keycloak-core:24.0.4"\n'
            'secrets = "com.google.cloud:google-cloud-secretmanager:2.42.0"\n')
    for i in range(20):  # keys that SDKs ship to browsers on purpose
        mapbox = "pk." + g.b64json({"u": "acme", "a": g.s(25, LOWD)}) + "." + g.s(22, URLSAFE)
        files[f"clean/public/{i:02d}/firebase.js"] = (
            "const firebaseConfig = {\n"
            f'  apiKey: "AIza{g.s(35, URLSAFE)}",\n  authDomain: "acme-{i}.firebaseapp.com",\n'
            f'  projectId: "acme-{i}",\n  messagingSenderId: "{g.digits(12, 12)}",\n  appId: "1:{g.digits(12, 12)}:web:{g.s(22, HEX)}",\n}};\n')
        files[f"clean/public/{i:02d}/analytics.ts"] = (
            f"posthog.init('phc_{g.s(43)}', {{ api_host: 'https://eu.posthog.com' }});\n"
            f"analytics.load({{ writeKey: '{g.s(32)}' }});\n"
            f"mapboxgl.accessToken = '{mapbox}';\n"
            f"const search = algoliasearch('{g.s(10, UP)}', '{g.s(32, HEX)}');\n"
            f"Sentry.init({{ dsn: 'https://{g.s(32, HEX)}@o{g.digits(6, 6)}.ingest.sentry.io/{g.digits(7, 7)}' }});\n")
        files[f"clean/public/{i:02d}/.env.production"] = (
            f"NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY=pk_{'live_'}{g.s(99)}\n"
            f"NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY=pk_{'live_'}{base64.b64encode(b'clerk.acme.example$').decode()}\n"
            f"NEXT_PUBLIC_SUPABASE_ANON_KEY={g.b64json({'alg': 'HS256', 'typ': 'JWT'})}.{g.b64json({'iss': 'supabase', 'role': 'anon'})}.{g.s(43, URLSAFE)}\n"
            f"NEXT_PUBLIC_SUPABASE_KEY=sb_publishable_{g.s(31, URLSAFE)}\n"
            f"NEXT_PUBLIC_RECAPTCHA_SITE_KEY=6L{g.s(38, URLSAFE)}\n"
            f"NEXT_PUBLIC_TURNSTILE_SITE_KEY=0x4AAAAAAA{g.s(14, URLSAFE)}\n"
            f"NEXT_PUBLIC_ALGOLIA_SEARCH_KEY={g.s(32, HEX)}\n")
        files[f"clean/public/{i:02d}/id_ed25519.pub"] = f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{g.s(43, B64)} dev@acme\n"
        files[f"clean/public/{i:02d}/jwks.json"] = json.dumps({"keys": [{"kty": "RSA", "kid": g.s(20), "use": "sig", "alg": "RS256", "e": "AQAB", "n": g.s(342, URLSAFE)}]})
    for i in range(20):  # ordinary application code and bundles
        files[f"clean/src/{i:02d}/auth.ts"] = (
            "export interface Session { token: string; expiresAt: number }\n"
            "export const schema = z.object({ password: z.string().min(12), token: z.string().uuid() });\n"
            "const cacheKey = `session:${userId}:v2`;\n"
            "const tokenType = 'Bearer';\nconst passwordResetPath = '/account/password/reset';\n"
            "if (!passwordHash) throw new Error('password hash missing');\n"
            "const apiKeyHeader = 'X-Api-Key';\n")
        files[f"clean/src/{i:02d}/en.json"] = json.dumps({
            "password": "Password", "passwordPlaceholder": "Enter your password", "token": "Token",
            "tokenExpired": "Your session has expired, please sign in again", "secret": "Secret",
            "apiKeyHelp": "Find your API key in Settings > Developers", "forgotPassword": "Forgot your password?"}, indent=2)
        files[f"clean/src/{i:02d}/chunk.js"] = (
            "".join(f'"use strict";(self.webpackChunk=self.webpackChunk||[]).push([[{j}],{{{g.s(5, LOWD)}:function(e,t,n){{n.d(t,{{a:function(){{return {g.s(2)}}}}})}}}}]);'
                    for j in range(150))
            + f'var manifest={{"main.js":"/static/js/main.{sha(8)}.js","main.css":"/static/css/main.{sha(8)}.css"}};\n'
            + f'//# sourceMappingURL=chunk.{sha(20)}.js.map\n')
        files[f"clean/src/{i:02d}/chunk.js.map"] = json.dumps({
            "version": 3, "sources": ["webpack://app/src/a.ts"], "mappings": ";".join(g.s(8, B64) for _ in range(300)),
            "sourcesContent": ["export const a = 1;\nexport const passwordMinLength = 12;\n"]})
        files[f"clean/src/{i:02d}/crypto_test.py"] = (
            "import hashlib\n\n\ndef test_digest():\n"
            f'    assert hashlib.sha256(b"abc").hexdigest() == "{hashlib.sha256(b"abc").hexdigest()}"\n'
            f'    assert hashlib.md5(b"").hexdigest() == "{hashlib.md5(b"").hexdigest()}"\n'
            f'    checksum = "{sha(64)}"\n    etag = "{sha(32)}"\n'
            '    password = "correct horse battery staple"\n    secret = "not-a-real-secret"\n')
        files[f"clean/src/{i:02d}/main.tf"] = (
            'resource "aws_db_instance" "db" {\n  password = var.db_password\n  username = "app"\n}\n'
            'resource "aws_iam_access_key" "ci" {\n  user = aws_iam_user.ci.name\n}\n'
            'output "secret" {\n  value     = aws_iam_access_key.ci.secret\n  sensitive = true\n}\n')
    return files


def build(root: Path, seed: int = 2026) -> tuple[list[Planted], list[str]]:
    g = Gen(seed)
    plant = planted(g)
    cl = clean(g)
    for p in plant:
        f = root / p.path
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(p.text)
    for rel, text in cl.items():
        f = root / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text)
    return plant, sorted(cl)


if __name__ == "__main__":
    p, c = build(Path(sys.argv[1]))
    print(f"{len(p)} planted, {len(c)} clean files in {sys.argv[1]}")
