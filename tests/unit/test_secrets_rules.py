"""Every rule in secret_rules.yaml has a positive and a negative case.

Sample secrets are assembled at run time from pieces and a seeded random generator, so no
realistic key appears literally in the repository (push protection, and our own scanner).
"""

from __future__ import annotations

import base64
import json
import random
import string

import pytest

from launchready_tui.core.checks import secrets as sec

RNG = random.Random(7)
ALNUM = string.ascii_letters + string.digits
UPPER_DIGITS = string.ascii_uppercase + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "-_"


def r(n: int, alphabet: str = ALNUM) -> str:
    # Keep samples away from the "looks fake" filter (runs, sequences).
    while True:
        s = "".join(RNG.choice(alphabet) for _ in range(n))
        if not sec._FAKE.search(s):
            return s


def b64url(obj) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


def jwt(payload) -> str:
    return b64url({"alg": "HS256", "typ": "JWT"}) + "." + b64url(payload) + "." + r(43, URLSAFE)


def uuid() -> str:
    return f"{r(8, HEX)}-{r(4, HEX)}-{r(4, HEX)}-{r(4, HEX)}-{r(12, HEX)}"


STRIPE = "sk_" + "live_" + r(24)
PEM_BODY = "\n".join(r(64, B64) for _ in range(3))

# rule id -> (text containing a secret, the secret the finding must fingerprint)
POSITIVE: dict[str, list[tuple[str, str]]] = {}


def pos(rule: str, text: str, secret: str) -> None:
    POSITIVE.setdefault(rule, []).append((text, secret))


_k = "AKIA" + r(16, UPPER_DIGITS)
pos("aws-access-key-id", f"aws_access_key_id = {_k}\n", _k)
_k = r(40, B64)
pos("aws-secret-access-key", f'aws_secret_access_key = "{_k}"\n', _k)
pos("stripe-live-secret-key", f"STRIPE_KEY={STRIPE}\n", STRIPE)
_k = "rk_" + "live_" + r(24)
pos("stripe-restricted-key", f'const key = "{_k}";', _k)
_k = "ghp_" + r(36)
pos("github-token", f"git clone https://{_k}@github.com/acme/app", _k)
_k = "github_pat_" + r(22) + "_" + r(59)
pos("github-fine-grained-token", f"GH={_k}", _k)
_k = "xoxb-" + r(12, string.digits) + "-" + r(13, string.digits) + "-" + r(24)
pos("slack-token", f"slack: {_k}", _k)
_k = "T" + r(8, UPPER_DIGITS) + "/B" + r(8, UPPER_DIGITS) + "/" + r(24)
pos("slack-webhook", f"url = 'https://hooks.slack.com/services/{_k}'", _k)
_k = "AIza" + r(35, URLSAFE)
pos("google-api-key", f'apiKey: "{_k}",', _k)
_k = "sk-proj-" + r(60, URLSAFE)
pos("openai-key", f"OPENAI_API_KEY={_k}", _k)
_k = "sk-" + r(20) + "T3BlbkFJ" + r(20)
pos("openai-key", f"openai.api_key = '{_k}'", _k)
_k = "sk-ant-api03-" + r(93, URLSAFE) + "AA"
pos("anthropic-key", f"ANTHROPIC_API_KEY={_k}", _k)
_k = "SG." + r(22, URLSAFE) + "." + r(43, URLSAFE)
pos("sendgrid-key", f"sendgrid = {_k}", _k)
_k = "SK" + r(32, HEX)
pos("twilio-api-key", f"api_key_sid: {_k}", _k)
_k = r(32, HEX)
pos("twilio-auth-token", f"TWILIO_AUTH_TOKEN={_k}", _k)
_k = uuid()
pos("postmark-token", f'POSTMARK_SERVER_TOKEN="{_k}"', _k)
_k = uuid()
pos("postmark-token", f'postmark:\n  server_token: "{_k}"\n', _k)
_k = uuid()
pos("postmark-token", f'const client = new postmark.ServerClient("{_k}");', _k)
pos("private-key", f"-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}\n-----END RSA PRIVATE KEY-----\n", PEM_BODY[:64])
_esc = PEM_BODY.replace("\n", "\\n")
pos("private-key", f'{{"private_key": "-----BEGIN PRIVATE KEY-----\\n{_esc}\\n-----END PRIVATE KEY-----\\n"}}', PEM_BODY[:64])
_k = jwt({"sub": "svc", "role": "service_role"})
pos("jwt", f"Authorization: Bearer {_k}", _k)
_k = r(18)
pos("database-url", f"DATABASE_URL=postgres://app:{_k}@db.internal:5432/app", _k)
_k = r(14)
pos("database-url", f"mongo = 'mongodb+srv://root:{_k}@cluster0.example.net/db'", _k)
pos("public-env-secret", f"NEXT_PUBLIC_STRIPE_SECRET={STRIPE}\n", STRIPE)
_k = r(20)
pos("public-env-secret", f'{{VITE_ADMIN_PASSWORD:"{_k}",VITE_API_URL:"https://api.acme.example"}}', _k)
_k = r(32)
pos("generic-secret", f'SESSION_SECRET = "{_k}"\n', _k)
_k = r(40, HEX)
pos("generic-secret", f"webhookToken: {_k}\n", _k)
_k = uuid()
pos("generic-secret", f"HEROKU_API_KEY={_k}\n", _k)
_k = r(20)
pos("database-url", f"REDIS_URL=rediss://:{_k}@cache.acme.example:6380", _k)

NEGATIVE: dict[str, list[str]] = {
    "aws-access-key-id": ["AKIAIOSFODNN7EXAMPLE", "AKIA" + "xxxxxxxxxxxxxxxx"],
    "aws-secret-access-key": ['aws_secret_access_key = "' + "x" * 40 + '"'],
    "stripe-live-secret-key": ["STRIPE_KEY=sk_" + "live_" + "x" * 24, "sk_" + "live_" + "yourkeyhere1"],
    "stripe-restricted-key": ["rk_" + "live_" + "*" * 24],
    "github-token": ["ghp_" + "x" * 36, "ghp_short"],
    "github-fine-grained-token": ["github_pat_" + "short"],
    "slack-token": ["xoxb-" + "x" * 20, "xoxb-123"],
    "slack-webhook": ["https://hooks.slack.com/services/"],
    "google-api-key": ["AIza" + "x" * 35],
    "openai-key": ["sk-proj-" + "x" * 48, "sk-" + "short"],
    "anthropic-key": ["sk-ant-api03-" + "x" * 40],
    "sendgrid-key": ["SG." + "x" * 22 + "." + "x" * 43],
    "twilio-api-key": ["SK" + "0" * 32],
    "twilio-auth-token": ["TWILIO_AUTH_TOKEN=" + "0" * 32],
    "postmark-token": ['POSTMARK_SERVER_TOKEN="00000000-0000-0000-0000-000000000000"'],
    "private-key": [
        'if line.startswith("-----BEGIN RSA PRIVATE KEY-----"):',
        "-----BEGIN PUBLIC KEY-----\n" + PEM_BODY,
    ],
    "jwt": [
        # a Supabase anon key is public by design
        "NEXT_PUBLIC_SUPABASE_ANON_KEY=" + jwt({"iss": "supabase", "role": "anon"}),
        "eyJ" + r(20) + ".eyJ" + r(20) + "." + r(20),  # not JSON inside
    ],
    "database-url": [
        "postgres://user:password@localhost/db",
        "postgres://app:${DB_PASSWORD}@db:5432/app",
        "postgres://localhost:5432/app",
        "redis://:changeme@cache:6379",
        "postgres://app:" + r(16) + "@localhost:5432/dev",
        "m = Model(db='postgres://user:pass@db.example.com:5432/foobar')",
    ],
    "public-env-secret": [
        "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY=pk_" + "live_" + r(24),
        "NEXT_PUBLIC_API_URL=https://api.acme.example/v1",
        "NEXT_PUBLIC_FIREBASE_API_KEY=AIza" + r(35, URLSAFE),
        "VITE_SECRET_PLACEHOLDER=changeme",
    ],
    "generic-secret": [
        'SECRET_KEY = os.environ["SECRET_KEY"]',
        'API_KEY = "your-api-key-here"',
        'token = "' + "a" * 24 + '"',
        'cache_key = "user_profile_2024_list_v2"',
        'sort_key = "created_at_1234567890"',
        'PUBLIC_KEY = "' + r(32) + '"',
        "password = settings.DATABASE_PASSWORD_VALUE",
        'secret = "just-a-plain-english-phrase"',
        'key: "1.2.3-alpha.4567890"',
        # shapes seen in real site-packages (AWS docs, CloudFormation schemas, type stubs)
        '"AWS::ApiGateway::ApiKey": "48205d4ffd7feba3",',
        '"SecretArn": "arn:aws:secretsmanager:us-west-2:123456789123:secret:proxysecret1-Abcd1e",',
        '"ChangeToken": "abcd12f2-46da-4fdb-b8d5-fbd4c466928f",',
        '"nextBackwardToken": "b/31961209122358285602261756944988674324553373268216709120"',
        '"S3Key": "RHEL5export-i-fh8sjjsq.ova",',
        '"Password": "webdavgeneratedpassword2",',
        '"LocalConsolePassword": "PassWordMustBeAtLeast6Chars."',
        '"PurchaseToken": "eyJ2IjoiMSIsInMiOjEsImMiOi...",',
        "def exchange_shared_key(self, pubkey: X25519PrivateKey | X448PublicKey) -> bytes: ...",
    ],
}


# ---- issue 16: families with no rule before, prefixes found wherever they stand, context

DIGITS = string.digits


def discord_bot() -> str:
    bot_id = "1" + r(18, DIGITS)
    return base64.b64encode(bot_id.encode()).decode().rstrip("=") + "." + r(6, URLSAFE) + "." + r(38, URLSAFE)


_k = "whsec_" + r(32)
pos("stripe-webhook-secret", f'stripe.webhooks.constructEvent(body, sig, "{_k}")', _k)
_k = discord_bot()
pos("discord-bot-token", f"client.login('{_k}')", _k)
_k = "1" + r(18, DIGITS) + "/" + r(68, URLSAFE)
pos("discord-webhook", f"url: https://discord.com/api/webhooks/{_k}", _k)
_k = r(9, DIGITS) + ":AA" + r(33, URLSAFE)
pos("telegram-bot-token", f"bot = Bot('{_k}')", _k)
_k = "npm_" + r(36)
pos("npm-token", f"NPM_TOKEN={_k}", _k)
_k = uuid()
pos("npmrc-auth-token", f"//registry.npmjs.org/:_authToken={_k}\n", _k)
_k = "pypi-AgEIcHlwaS5vcmc" + r(70, URLSAFE)
pos("pypi-token", f"[pypi]\nusername = __token__\npassword = {_k}\n", _k)
_k = "EAAA" + r(60, URLSAFE)
pos("square-access-token", f"client = Client(access_token='{_k}')", _k)
_k = "sq0atp-" + r(22, URLSAFE)
pos("square-access-token", f"SQUARE={_k}", _k)
_k = "sq0csp-" + r(43, URLSAFE)
pos("square-oauth-secret", f"square_app: {_k}", _k)
_k = "AAAA" + r(7, URLSAFE) + ":APA91b" + r(134, URLSAFE)
pos("fcm-server-key", f'headers = {{"Authorization": "key={_k}"}}', _k)
_k = "shpat_" + r(32, HEX)
pos("shopify-token", f"const shop = new Shopify('{_k}');", _k)
_k = "shpss_" + r(32, HEX)
pos("shopify-token", f"app_config: {_k}", _k)
_k = "sntrys_" + b64url({"iat": 1, "url": "https://sentry.io", "org": "acme"}) + "_" + r(43, B64)
pos("sentry-token", f"SENTRY={_k}", _k)
_k = "sntryu_" + r(64, HEX)
pos("sentry-token", f"sentry-cli login {_k}", _k)
_k = "sb_secret_" + r(31, URLSAFE)
pos("supabase-secret", f"createClient(url, '{_k}')", _k)
_k = "sbp_" + r(40, HEX)
pos("supabase-secret", f"supabase login {_k}", _k)
_k = "nfp_" + r(36)
pos("netlify-token", f"NETLIFY={_k}", _k)
_k = "key-" + r(32, HEX)
pos("mailgun-key", f"mailgun:\n  key: {_k}\n", _k)
_k = r(32, HEX) + "-" + r(8, HEX) + "-" + r(8, HEX)
pos("mailgun-private-key", f"curl -s https://api:{_k}@api.mailgun.net/v3/mg.acme.example/messages", _k)
_k = r(24)
pos("cli-token-flag", f"npx vercel deploy --prod --token {_k}", _k)
_k = r(24)
pos("cli-token-flag", f"fly deploy --access-token={_k}", _k)
_k = "v1.0-" + r(24, HEX) + "-" + r(146, HEX)
pos("cloudflare-origin-ca-key", f"CF_ORIGIN={_k}", _k)
_k = base64.b64encode(f"deploy:{r(18)}".encode()).decode()
pos("basic-auth-header", f"Authorization: Basic {_k}", _k)
_k = base64.b64encode(RNG.randbytes(32)).decode()
pos("laravel-app-key", f"APP_KEY=base64:{_k}", _k)
_k = base64.b64encode(RNG.randbytes(32)).decode()
pos("laravel-app-key", f"'key' => env('APP_KEY', 'base64:{_k}'),", _k)
# the catch-all: nested YAML/JSON, keyword not last, auth/creds names, punctuation
_k = r(24)
pos("generic-secret", f"production:\n  database:\n    password: {_k}\n", _k)
_k = r(24)
pos("generic-secret", json.dumps({"smtp": {"host": "smtp.acme.example", "password": _k}}, indent=2), _k)
_k = r(24)
pos("generic-secret", f"crm:\n  token: {_k}\n", _k)
_k = r(128, HEX)
pos("generic-secret", f"SECRET_KEY_BASE={_k}", _k)
_k = r(32, URLSAFE)
pos("generic-secret", f"AUTH_CREDS={_k}", _k)
_k = r(32, URLSAFE)
pos("generic-secret", f"export default {{ authKey: '{_k}' }};", _k)
_k = r(6) + "#" + r(5) + "!" + r(4)
pos("generic-secret", f"database:\n  password: '{_k}'\n", _k)
_k = r(6) + "%" + r(5) + "@" + r(4)
pos("generic-secret", f"DB_PASSWORD={_k}", _k)
_k = r(32, string.ascii_lowercase + DIGITS)
pos("generic-secret", f"api_token: {_k}", _k)

NEGATIVE.update({
    "stripe-webhook-secret": ["STRIPE_WEBHOOK_SECRET=whsec_" + "x" * 32, "A webhook secret looks like `whsec_...`."],
    "discord-bot-token": [
        # right shape, but the first part is not a bot id in base64
        "M" + r(23, URLSAFE) + "." + r(6, URLSAFE) + "." + r(27, URLSAFE),
        "import a.b.c from pkg.module.name",
    ],
    "discord-webhook": ["https://discord.com/api/webhooks/000000000000000000/" + "x" * 68],
    "telegram-bot-token": ["TELEGRAM_BOT_TOKEN=123456789:YOUR_TELEGRAM_TOKEN", "12:30:AA meeting"],
    "npm-token": ["NPM_TOKEN=npm_" + "x" * 36],
    "npmrc-auth-token": ["//registry.npmjs.org/:_authToken=${NPM_TOKEN}"],
    "pypi-token": ["password = pypi-AgEIcHlwaS5vcmc" + "x" * 60],
    "square-access-token": [
        # EAAA inside a base64 blob is not a token
        "data:image/png;base64," + r(40, B64) + "EAAA" + r(60, URLSAFE),
    ],
    "square-oauth-secret": ["sq0csp-" + "x" * 43],
    "fcm-server-key": ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + r(43, B64)],
    "shopify-token": ["SHOPIFY_ACCESS_TOKEN=shpat_" + "0" * 32, "shpat_" + r(16, HEX)],
    "sentry-token": [
        "Sentry.init({ dsn: 'https://" + r(32, HEX) + "@o123456.ingest.sentry.io/1234567' })",
        "sntryu_" + "0" * 64,
    ],
    "supabase-secret": ["NEXT_PUBLIC_SUPABASE_KEY=sb_publishable_" + r(31, URLSAFE), "sbp_" + "x" * 40],
    "netlify-token": ["NETLIFY_AUTH_TOKEN=nfp_" + "x" * 36],
    "mailgun-key": ["MAILGUN_API_KEY=key-" + "x" * 32, "key-" + r(16, HEX)],
    "mailgun-private-key": [uuid(), "build " + r(40, HEX)],
    "cli-token-flag": [
        "npx vercel deploy --token $VERCEL_TOKEN",
        'fly deploy --access-token "$FLY_API_TOKEN"',
        "app login --token <TOKEN>",
        "tool --password-file ~/.pw",
        "tool --token your-token-goes-here",
    ],
    "cloudflare-origin-ca-key": ["Cloudflare API v1.0-beta.2 is supported since v1.0-rc1."],
    "basic-auth-header": [
        "Authorization: Basic <base64 of user:password>",
        "Use `Authorization: Basic dXNlcjpwYXNzd29yZA==` for the demo user.",  # user:password
    ],
    "laravel-app-key": ["APP_KEY=", "background: url(data:image/png;base64," + r(44, B64) + ")"],
})
NEGATIVE["slack-token"] += ["SLACK_BOT_TOKEN=xoxb-12345-abcd", "SLACK_APP_TOKEN=xoxb-your-bot-token"]
NEGATIVE["slack-webhook"] += ["https://hooks.slack.com/services/T00000000/B00000000/" + "X" * 24]
NEGATIVE["google-api-key"] += [
    # the web config Firebase ships to every browser
    f'const firebaseConfig = {{ apiKey: "AIza{r(35, URLSAFE)}", authDomain: "acme.firebaseapp.com" }};',
]
NEGATIVE["generic-secret"] += [
    # lockfile hashes, UUIDs, git SHAs, base64 images, placeholders
    '"integrity": "sha512-' + base64.b64encode(RNG.randbytes(64)).decode() + '"',
    'hash = "sha256:' + r(64, HEX) + '"',
    '"request_id": "' + uuid() + '"',
    "uses: actions/checkout@" + r(40, HEX),
    '"commit": "' + r(40, HEX) + '"',
    "background: url(data:image/png;base64," + r(200, B64) + ")",
    "STRIPE_SECRET_KEY=sk_" + "live_" + "x" * 8,
    "OPENAI_API_KEY=YOUR_API_KEY",
    "SLACK_BOT_TOKEN=xoxb-12345-abcd",
    # Maven and Gradle coordinates
    "implementation 'io.jsonwebtoken:jjwt-api:0.12.6'",
    'auth0 = "com.auth0:java-jwt:4.4.0"',
    'secrets = "com.google.cloud:google-cloud-secretmanager:2.42.0"',
    # keys that SDKs ship to browsers on purpose
    "NEXT_PUBLIC_ALGOLIA_SEARCH_KEY=" + r(32, HEX),
    "NEXT_PUBLIC_SUPABASE_KEY=sb_publishable_" + r(31, URLSAFE),
    "analytics.load({ writeKey: '" + r(32) + "' });",
    "mapboxgl.accessToken = 'pk." + b64url({"u": "acme", "a": r(25)}) + "." + r(22, URLSAFE) + "';",
    "POSTHOG_KEY=phc_" + r(43),
    f'firebaseConfig = {{ apiKey: "AIza{r(35, URLSAFE)}", authDomain: "acme.firebaseapp.com" }}',
    # code, not literals
    "self._token_loader_cls = token_loader_cls",
    "def __getitem__(self, key: _ArrayInt_co | tuple[_ArrayInt_co, ...], /) -> ndarray: ...",
    'APIGATEWAY_AUTHORIZER_KEY = "x-amazon-apigateway-authorizer"',
    "key = 'XDG_CONFIG_HOME'",
    '"Tagging": "key1=value1&key2=value2"',
    "password: {{ .Values.password }}",
    "token: ${{ secrets.GITHUB_TOKEN }}",
    "secretKeyRef: {name: api, key: token}",
    '"key": "' + r(40, HEX) + '"',  # a cache key that is a SHA-1
]

def _rule_ids() -> list[str]:
    return [rule.id for rule in sec.load_rules().rules]


def test_every_rule_has_positive_and_negative_cases():
    ids = set(_rule_ids())
    assert ids == set(POSITIVE), f"rules without a positive case: {ids - set(POSITIVE)}"
    assert ids == set(NEGATIVE), f"rules without a negative case: {ids - set(NEGATIVE)}"


def test_rules_cover_the_issue_list():
    ids = set(_rule_ids())
    for required in [
        "aws-access-key-id", "stripe-live-secret-key", "stripe-restricted-key", "github-token",
        "slack-token", "slack-webhook", "google-api-key", "openai-key", "anthropic-key",
        "sendgrid-key", "twilio-api-key", "postmark-token", "private-key", "jwt",
        "database-url", "generic-secret", "public-env-secret",
    ]:
        assert required in ids


CASES = [(rid, text, secret) for rid, items in POSITIVE.items() for text, secret in items]


@pytest.mark.parametrize("rule_id,text,secret", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_positive(rule_id, text, secret):
    found = sec.Scanner().scan_text(text, "sample.txt")
    assert any(f.rule == rule_id and f.fingerprint == sec.fingerprint(secret) for f in found), found
    # the value never appears in a finding
    for f in found:
        assert secret not in json.dumps(f.to_dict())


NEG = [(rid, text) for rid, items in NEGATIVE.items() for text in items]


@pytest.mark.parametrize("rule_id,text", NEG, ids=[f"{c[0]}-{i}" for i, c in enumerate(NEG)])
def test_negative(rule_id, text):
    found = sec.Scanner().scan_text(text, "sample.txt")
    assert not [f for f in found if f.rule == rule_id], found


def test_rules_ship_inside_the_package():
    from importlib import resources

    assert resources.files("launchready_tui.core").joinpath("secret_rules.yaml").is_file()


def test_fingerprint_shape_and_stability():
    fp = sec.fingerprint(STRIPE)
    assert fp.startswith(STRIPE[:4] + ":")
    assert len(fp.split(":")[1]) == 8
    assert fp == sec.fingerprint(STRIPE)
    assert STRIPE not in fp


def test_public_variable_with_stripe_key_prefers_the_public_rule():
    found = sec.Scanner().scan_text(f"NEXT_PUBLIC_STRIPE_SECRET={STRIPE}", "x")
    assert [f.rule for f in found] == ["public-env-secret"]


@pytest.mark.parametrize(
    "value,expected",
    [
        ("changeme", True), ("CHANGE_ME", True), ("xxx", True), ("TODO", True),
        ("your-key-here", True), ("your_stripe_key_here", True), ("<your key>", True),
        ("sk_" + "live_xxxxxxxx", True), ("", False), ("<ops@acme.example>", False),
        ("production", False), (r(24), False),
    ],
)
def test_placeholders(value, expected):
    assert sec.is_placeholder(value) is expected


def test_looks_secret():
    assert sec.looks_secret("STRIPE_SECRET_KEY", STRIPE)
    assert sec.looks_secret("SESSION_SECRET", r(32))
    assert sec.looks_secret("ANYTHING", "postgres://app:" + r(12) + "@db/app")
    assert not sec.looks_secret("NODE_ENV", "production")
    assert not sec.looks_secret("AUTH_MODE", "passwordless")
    assert not sec.looks_secret("API_URL", "https://api.acme.example/v1")
    assert not sec.looks_secret("SESSION_SECRET", "changeme")


def test_every_fix_says_which_key_and_where_to_rotate_it():
    """A founder reads the fix alone: it must name the key and the dashboard path."""
    for rule in sec.load_rules().rules:
        assert rule.fix.startswith(("This is a ", "This is an ")), rule.id
        named = " > " in rule.fix or "@BotFather" in rule.fix or "key:generate" in rule.fix
        # rules that are not one provider's say where in general terms
        assert named or "dashboard of the service" in rule.fix, rule.id
        assert rule.why and rule.title, rule.id


def test_a_finding_shows_the_rules_fix():
    wh = "whsec_" + r(32)
    found = sec.Scanner().scan_text(f"const s = '{wh}';", "app.js")
    rep = sec.ScanReport(scanned=1, findings=found)
    res = sec.evaluate(rep, "code")
    assert res.status.value == "fail"
    assert res.fix.startswith("This is a Stripe webhook signing secret.")
    assert "Developers > Webhooks" in res.fix and wh not in res.fix + res.summary
