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
