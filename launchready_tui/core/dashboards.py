"""Where to click, by provider: fix texts name the dashboard path ("Stripe: Developers >
API keys > Reveal live key") instead of "your provider's dashboard" whenever the
profile or the finding tells which provider it is. Paths as the providers' dashboards
name them; a provider not listed falls back to a plain description."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from launchready_tui.core.profile import Profile

# value prefix -> (what the key is, where to get the live one)
_TEST_KEYS: tuple[tuple[str, str, str], ...] = (
    ("sk_test_", "a Stripe test secret key",
     "Stripe: Developers > API keys, switch Test mode off, then Secret key > Reveal live key"),
    ("rk_test_", "a Stripe test restricted key",
     "Stripe: Developers > API keys, switch Test mode off, then Restricted keys > Create restricted key"),
    ("pk_test", "a Stripe test publishable key",
     "Stripe: Developers > API keys, switch Test mode off, then copy the Publishable key"),
    ("whsec_test_", "a test webhook signing secret",
     "the live webhook endpoint's page (Stripe: Developers > Webhooks > the live endpoint > Signing secret)"),
    ("rzp_test_", "a Razorpay test key",
     "Razorpay Dashboard: switch to Live Mode, then Account & Settings > API Keys > Generate Key"),
    ("sk_sandbox_", "a sandbox secret key", "the payment provider's dashboard with live mode on"),
    ("pk_sandbox_", "a sandbox publishable key", "the payment provider's dashboard with live mode on"),
)


def test_key_source(value: str) -> tuple[str, str] | None:
    """(what the test key is, where to get the live one), from its prefix only."""
    v = (value or "").strip()
    for prefix, what, where in _TEST_KEYS:
        if v.startswith(prefix):
            return what, where
    return None


def test_keys_fix(names_values: dict[str, str]) -> str:
    """The fix for test keys in production, naming each key and where its live one is."""
    parts = []
    for name in sorted(names_values):
        found = test_key_source(names_values[name])
        if found:
            what, where = found
            parts.append(f"{name} holds {what}: get the live one in {where}")
        else:
            parts.append(f"{name} holds a test-mode key: get the live one in its provider's dashboard, live mode")
    return "Put live keys into production. " + "; ".join(parts) + "."


# A custom domain at a host: where it is added again (takeover fix).
CUSTOM_DOMAIN: dict[str, str] = {
    "Heroku": "Heroku: your app > Settings > Domains > Add domain",
    "GitHub Pages": "GitHub: the repository > Settings > Pages > Custom domain",
    "Amazon S3": "AWS console: S3 > Create bucket, named exactly like the host name",
    "Azure App Service": "Azure portal: App Services > your app > Custom domains > Add custom domain",
    "Shopify": "Shopify admin: Settings > Domains > Connect existing domain",
    "Fastly": "Fastly: your service > Domains > Create domain",
    "Netlify": "Netlify: Site configuration > Domain management > Add a domain",
    "Vercel": "Vercel: Project > Settings > Domains > Add",
    "Webflow": "Webflow: Site settings > Publishing > Custom domains > Add custom domain",
    "Ghost": "Ghost(Pro): Settings > Domain",
    "Zendesk": "Zendesk: Admin Center > Account > Brand management > Brands > Host mapping",
    "WordPress.com": "WordPress.com: Upgrades > Domains > Add a domain",
}

# Words in a credential's id or label -> where it is rotated.
ROTATE: tuple[tuple[tuple[str, ...], str], ...] = (
    (("stripe",), "Stripe: Developers > API keys > ⋯ next to the key > Roll key"),
    (("github",), "GitHub: Settings > Developer settings > Personal access tokens > Regenerate token"),
    (("aws", "amazon"), "AWS console: IAM > Users > your user > Security credentials > Create access key, "
     "then Deactivate the old one"),
    (("openai",), "OpenAI: platform.openai.com > API keys > Create new secret key, then revoke the old one"),
    (("anthropic", "claude"), "Anthropic Console: Settings > API keys > Create key, then delete the old one"),
    (("sendgrid",), "SendGrid: Settings > API Keys > Create API Key, then delete the old one"),
    (("postmark",), "Postmark: your server > API Tokens > Regenerate"),
    (("twilio",), "Twilio Console: Account > API keys & tokens > Create API key, then delete the old one"),
    (("cloudflare",), "Cloudflare: My Profile > API Tokens > Roll"),
    (("mailgun",), "Mailgun: Account settings > API security > Add new key, then delete the old one"),
    (("sentry",), "Sentry: Settings > Auth Tokens > Create New Token, then revoke the old one"),
    (("supabase",), "Supabase: Project Settings > API Keys"),
    (("netlify",), "Netlify: User settings > Applications > Personal access tokens > New access token"),
    (("vercel",), "Vercel: Account Settings > Tokens > Create, then delete the old one"),
)


def rotate_where(*words: str) -> str | None:
    text = " ".join(words).lower()
    for keys, where in ROTATE:
        if any(k in text for k in keys):
            return where
    return None


# Email services: how the profile or a DKIM selector names them -> where DKIM is set up.
_EMAIL = (
    (("_spf.google.com", "google"), ("google",),
     "Google Workspace: Admin console > Apps > Google Workspace > Gmail > Authenticate email"),
    (("spf.protection.outlook.com", "microsoft", "office 365", "outlook"), ("selector1", "selector2"),
     "Microsoft 365: Defender portal > Email & collaboration > Policies & rules > Threat policies > "
     "Email authentication settings > DKIM"),
    (("spf.mtasv.net", "postmark"), ("pm",),
     "Postmark: Sender Signatures > your domain > DNS Settings"),
    (("sendgrid.net", "sendgrid"), ("s1", "s2"),
     "SendGrid: Settings > Sender Authentication > Authenticate Your Domain"),
    (("resend",), ("resend",), "Resend: Domains > your domain"),
    (("mailgun.org", "mailgun"), ("mx", "krs", "smtp"), "Mailgun: Send > Sending > Domains > your domain > DNS records"),
    (("amazonses.com", "amazon ses"), (), "AWS console: Amazon SES > Identities > your domain > Authentication"),
)


def dkim_where(profile: Profile | None, selector: str = "") -> str | None:
    """Where the email service shows its DKIM record, when the profile (email.provider,
    email.senders) or the selector's name tells which service it is."""
    words: list[str] = []
    for key in ("email.provider", "email.senders"):
        try:
            v = profile.get(key) if profile is not None else None
        except Exception:  # noqa: BLE001 - a profile without the key
            v = None
        if isinstance(v, list | tuple):
            words += [str(x).lower() for x in v]
        elif v:
            words.append(str(v).lower())
    text = " ".join(words)
    sel = (selector or "").lower()
    by_profile = [where for hints, _s, where in _EMAIL if any(h in text for h in hints)]
    by_selector = [where for _h, sels, where in _EMAIL if sel in sels or any(sel.endswith("." + s) for s in sels)]
    both = [w for w in by_selector if w in by_profile]
    found = both or (by_profile if len(by_profile) == 1 else []) or by_selector[:1]
    return found[0] if found else None


# Hosts: how the profile names them (deploy commands, environment addresses) -> their logs.
_HOSTS = (
    (("vercel",), "Vercel: the project > Logs (or Deployments > the deployment > Functions)"),
    (("netlify",), "Netlify: the site > Logs > Functions (or Deploys > the deploy log)"),
    (("onrender.com", "render.com", "render "), "Render: the service > Logs"),
    (("fly.dev", "fly deploy", "flyctl", "fly "), "Fly.io: the app > Monitoring (or run `fly logs`)"),
    (("heroku",), "Heroku: the app > More > View logs (or run `heroku logs --tail`)"),
    (("railway",), "Railway: the service > Deployments > View logs"),
)


def host_logs(profile: Profile | None) -> str | None:
    """Where the host shows the app's logs, when the profile tells which host it is
    (deploy.command / deploy.rollback, the environments' addresses)."""
    words: list[str] = []
    for key in ("deploy.command", "deploy.rollback"):
        try:
            v = profile.get(key) if profile is not None else None
        except Exception:  # noqa: BLE001
            v = None
        if v:
            words.append(str(v).lower())
    try:
        envs = profile.get("environments") if profile is not None else None
    except Exception:  # noqa: BLE001
        envs = None
    if isinstance(envs, dict):
        words += [str((e or {}).get("url") or "").lower() for e in envs.values() if isinstance(e, dict)]
    text = " ".join(words) + " "
    found = [where for hints, where in _HOSTS if any(h in text for h in hints)]
    return found[0] if len(found) == 1 else None


def logs_fix(profile: Profile | None, what: str) -> str:
    """"Look at <the host's logs page> for <what>" (or the usual hosts' pages)."""
    where = host_logs(profile)
    if where:
        return f"Look at the logs for {what} in {where}."
    return (f"Look at your host's logs for {what} (Vercel: the project > Logs; Netlify: Logs > "
            "Functions; Render: the service > Logs; Fly.io: `fly logs`; Heroku: More > View logs).")
