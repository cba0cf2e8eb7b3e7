"""`launchready init`: a short guided setup that writes a commented `launchready.yaml`.

It asks for the project name, the domain, the other host names, the email provider(s),
the environments and their env files. The same questions and the same writer serve the
terminal prompts here and the form in the app's welcome screen. An existing file is
never overwritten without asking. No Textual import here.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from launchready_tui.commands import _common

# provider -> (SPF include, a short name for the comment)
EMAIL_PROVIDERS: dict[str, tuple[str, str]] = {
    "google": ("include:_spf.google.com", "Google Workspace"),
    "microsoft": ("include:spf.protection.outlook.com", "Microsoft 365"),
    "postmark": ("include:spf.mtasv.net", "Postmark"),
    "sendgrid": ("include:sendgrid.net", "SendGrid"),
    "resend": ("include:amazonses.com", "Resend"),
    "mailgun": ("include:mailgun.org", "Mailgun"),
    "ses": ("include:amazonses.com", "Amazon SES"),
    "mailchimp": ("include:servers.mcsv.net", "Mailchimp"),
    "mandrill": ("include:spf.mandrillapp.com", "Mandrill"),
    "brevo": ("include:spf.brevo.com", "Brevo"),
    "mailjet": ("include:spf.mailjet.com", "Mailjet"),
    "sparkpost": ("include:sparkpostmail.com", "SparkPost"),
    "zoho": ("include:zoho.com", "Zoho Mail"),
    "fastmail": ("include:spf.messagingengine.com", "Fastmail"),
}
OTHER = "other:"  # an answer naming a provider not listed above: kept by name
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$")


@dataclass
class Answers:
    project: str = ""
    domain: str = ""
    hosts: list[str] = field(default_factory=list)
    email: list[str] = field(default_factory=list)  # provider keys (see EMAIL_PROVIDERS)
    production_url: str = ""
    staging_url: str = ""
    production_env_file: str = ""
    staging_env_file: str = ""
    missing_env_files: list[str] = field(default_factory=list)  # kept although not found


def clean_host(text: str) -> str:
    """"https://App.Acme.example/" -> "app.acme.example"."""
    t = text.strip().lower()
    t = re.sub(r"^[a-z]+://", "", t)
    return t.split("/", 1)[0].split(":", 1)[0].rstrip(".")


def clean_domain(text: str) -> str:
    """The apex: "https://www.Acme.example/" -> "acme.example"."""
    h = clean_host(text)
    return h[4:] if h.startswith("www.") and h.count(".") >= 2 else h


def check_host(text: str) -> str | None:
    """An error message for a bad host name, or None when it is fine."""
    h = clean_host(text)
    if not h:
        return "Type a name like acme.example"
    if not _HOST.match(h):
        return f"'{text.strip()}' is not a host name like acme.example"
    return None


def parse_hosts(text: str) -> list[str]:
    return [clean_host(h) for h in re.split(r"[\s,;]+", text) if h.strip()]


_EMAIL_ALIASES = {
    "google": "google", "gmail": "google", "workspace": "google", "g suite": "google",
    "microsoft": "microsoft", "office": "microsoft", "outlook": "microsoft", "365": "microsoft",
    "postmark": "postmark", "sendgrid": "sendgrid", "twilio": "sendgrid", "resend": "resend",
    "mailgun": "mailgun", "ses": "ses", "amazon": "ses", "aws": "ses", "mailchimp": "mailchimp",
    "mandrill": "mandrill", "brevo": "brevo", "sendinblue": "brevo", "mailjet": "mailjet",
    "sparkpost": "sparkpost", "zoho": "zoho", "fastmail": "fastmail",
}


def parse_email(text: str) -> list[str]:
    """"Google Workspace, postmark, Acme Mailer" -> ["google", "postmark", "other:Acme Mailer"].
    Every provider named is kept, in order: the known ones by key, any other by its name
    (`other:NAME`, written to the profile with a note to add its SPF include)."""
    out: list[str] = []
    for part in re.split(r"\s*(?:[,;/+&\n]|\band\b)\s*", text.strip(), flags=re.IGNORECASE):
        part = part.strip(" .")
        if not part:
            continue
        low = part.lower()
        keys = [k for w, k in _EMAIL_ALIASES.items() if re.search(rf"(?<![a-z0-9]){re.escape(w)}(?![a-z0-9])", low)]
        key = keys[0] if keys else OTHER + part
        if key not in out:
            out.append(key)
    return out


def provider_name(key: str) -> str:
    return key[len(OTHER):] if key.startswith(OTHER) else EMAIL_PROVIDERS.get(key, (key, key))[1]


def check_url(text: str) -> str | None:
    """An error message when the answer is not a web address (a bare host is fine:
    https:// is added), or None."""
    t = text.strip()
    if " " in t:
        return f"'{t}' is not a web address like https://staging.acme.example (no spaces)"
    m = re.match(r"^([a-z][a-z0-9+.-]*)://", t, re.IGNORECASE)
    if m and m.group(1).lower() not in ("http", "https"):
        return f"'{t}' is not a web address: it should start with https://"
    if check_host(t):
        return f"'{t}' is not a web address like https://staging.acme.example"
    return None


def url_for(text: str) -> str:
    t = text.strip()
    if t and "://" not in t:
        t = "https://" + t
    return t


def _role(host: str, domain: str) -> str:
    if host.endswith("." + domain):
        role = host[: -len(domain) - 1]
    else:
        role = host.split(".", 1)[0]
    return re.sub(r"[^a-z0-9_-]", "-", role) or "site"


def _q(s: str) -> str:
    """A YAML scalar, quoted when needed."""
    import yaml

    return yaml.safe_dump(s, default_style=None, allow_unicode=True).strip().removesuffix("\n...").strip()


def build_profile(a: Answers) -> str:
    """A commented launchready.yaml from the answers. Only filled-in parts are written;
    the rest stays as commented examples to fill in later."""
    domain = clean_domain(a.domain)
    lines = [
        "# LaunchReady profile, written by `launchready init`. Edit it any time:",
        "# only `project` and `domain` are required. A check whose setting is missing is",
        "# skipped and tells you which key to fill in here.",
        "",
        f"project: {_q(a.project.strip())}",
        "# The root domain (the apex), without https:// or www.",
        f"domain: {_q(domain)}",
        "",
        "# Every public name you use, by role (the role names are up to you).",
    ]
    hosts = [h for h in a.hosts if h and h != domain]
    if hosts:
        lines.append("hosts:")
        seen: set[str] = set()
        for h in hosts:
            role = _role(h, domain)
            while role in seen:
                role += "-2"
            seen.add(role)
            lines.append(f"  {role}: {_q(h)}")
    else:
        lines += ["# hosts:", f"#   app: app.{domain or 'acme.example'}", f"#   api: api.{domain or 'acme.example'}"]
    lines += ["", "# Who sends email for you. The SPF check makes sure each one is allowed."]
    if a.email:
        names = ", ".join(provider_name(k) for k in a.email)
        known = [k for k in a.email if k in EMAIL_PROVIDERS]
        lines += ["email:", f"  domain: {_q(domain)}", f"  provider: {_q(names)}"]
        lines.append("  senders:" if known else "  senders: []")
        for k in known:
            lines.append(f"    - {_q(EMAIL_PROVIDERS[k][0])}  # {EMAIL_PROVIDERS[k][1]}")
        for k in a.email:
            if k.startswith(OTHER):
                lines.append(f"    # - include:...  # {provider_name(k)}: its help pages name the SPF "
                             "include to add here")
        lines += ["  # The DKIM selector is shown next to your provider's DNS records.",
                  "  # dkim_selectors: [s1]"]
    else:
        lines += ["# email:", f"#   domain: {domain or 'acme.example'}",
                  "#   senders: [include:_spf.google.com]", "#   dkim_selectors: [google]"]
    lines += ["", "# Your environments: where each runs and which env file holds its settings."]
    envs = []
    if a.production_url or a.production_env_file:
        envs.append(("production", a.production_url, a.production_env_file))
    if a.staging_url or a.staging_env_file:
        envs.append(("staging", a.staging_url, a.staging_env_file))
    if envs:
        lines.append("environments:")
        for name, url, env_file in envs:
            lines.append(f"  {name}:")
            if url:
                lines.append(f"    url: {_q(url_for(url))}")
            if env_file:
                note = "  # not found when init ran: create it or fix the name" \
                    if env_file.strip() in a.missing_env_files else ""
                lines.append(f"    env_file: {_q(env_file.strip())}{note}")
    else:
        lines += ["# environments:", "#   production:", f"#     url: https://app.{domain or 'acme.example'}",
                  "#     env_file: .env.production"]
    monitor = [f"https://{domain}/"] if domain else []
    if a.production_url and url_for(a.production_url).rstrip("/") != f"https://{domain}":
        monitor.append(url_for(a.production_url))
    lines += ["", "# Addresses that must always answer (the uptime check)."]
    if monitor:
        lines.append("monitor:")
        lines += [f"  - {_q(u)}" for u in monitor]
    else:
        lines += ["# monitor:", f"#   - https://{domain or 'acme.example'}/"]
    lines += [
        "",
        "# Settings your app needs in every environment (names only, never values).",
        "# required_env: [DATABASE_URL, STRIPE_SECRET_KEY]",
        "",
        "# How you deploy and roll back (stage 2 fills these in).",
        "# deploy:",
        "#   command: git push production main",
        "#   rollback: ./scripts/rollback.sh",
        "#   rollback_budget_min: 10",
        "",
    ]
    return "\n".join(lines)


def validate(text: str, path: Path) -> None:
    """Raise ProfileError if the written profile would not load."""
    from launchready_tui.core.profile import parse_profile

    parse_profile(text, str(path))


def write_profile(path: Path, text: str, *, overwrite: bool = False) -> Path:
    from launchready_tui.core.errors import Problem, ProfileError
    from launchready_tui.core.state import atomic_write

    if path.exists() and not overwrite:
        raise ProfileError(Problem(str(path), None, None, "exists already; not overwritten"))
    validate(text, path)
    atomic_write(path, text.encode("utf-8"))
    return path


# ---------------------------------------------------------------------------- CLI


def add_parser(sub) -> None:
    p = sub.add_parser(
        "init",
        help="a short guided setup that writes launchready.yaml",
        description="Answer a few questions (project, domain, host names, email, environments, "
        "env files) and get a commented launchready.yaml. An existing file is never overwritten "
        "without asking.",
    )
    _common.add_profile_arg(p)
    p.add_argument("--force", action="store_true", help="overwrite an existing profile without asking")
    p.set_defaults(func=run)


def _ask(prompt: str, help_text: str = "", *, required: bool = False, check=None, default: str = "") -> str:
    if help_text:
        print(f"  {help_text}")
    while True:
        suffix = f" [{default}]" if default else ""
        try:
            value = input(f"{prompt}{suffix}: ").strip() or default
        except EOFError:
            value = default
            if required and not value:
                from launchready_tui.core.errors import UsageError

                raise UsageError(f"no answer for '{prompt}' (input ended)") from None
            return value
        if required and not value:
            print("  This one is needed.")
            continue
        if value and check is not None:
            err = check(value)
            if err:
                print(f"  {err}")
                continue
        return value


class env_file_check:  # noqa: N801 - used like a function
    """Flags an env file that does not exist (relative to the profile's folder). Typing
    the same answer again keeps it anyway (it may exist only on the server), noted in
    the profile."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.last_missing = ""
        self.kept_missing: list[str] = []

    def __call__(self, text: str) -> str | None:
        t = text.strip()
        p = Path(t).expanduser()
        if (p if p.is_absolute() else self.folder / p).is_file():
            return None
        if t == self.last_missing:
            self.kept_missing.append(t)
            return None
        self.last_missing = t
        return (f"There is no file '{t}' in {self.folder}. Check the name (env files start with a dot, "
                "e.g. .env.production), press Enter to skip, or type the same name again to keep it.")


def run(args: argparse.Namespace) -> int:
    from launchready_tui.core.profile import find_profile

    path = find_profile(getattr(args, "profile", None))
    if path.exists() and not args.force:
        if not sys.stdin.isatty():
            print(f"launchready: {path} exists already; not overwritten (use --force to replace it)",
                  file=sys.stderr)
            return 2
        ans = input(f"{path} exists already. Replace it? [y/N]: ").strip().lower()
        if ans not in ("y", "yes"):
            print("Nothing changed.")
            return 0
    print("Let's describe your project. Press Enter to skip anything you don't know yet;\n"
          "you can fill it in later by editing the file.\n")
    a = Answers()
    a.project = _ask("Project name", "The name of your product, e.g. Acme Creators.", required=True)
    a.domain = clean_domain(_ask("Domain", "The root domain customers type, e.g. acme.example.",
                               required=True, check=check_host))

    def hosts_ok(text: str) -> str | None:
        return next((e for e in (check_host(h) for h in parse_hosts(text)) if e), None)

    a.hosts = parse_hosts(_ask("Other host names", "Separated by spaces, e.g. www.acme.example "
                                "app.acme.example api.acme.example.", check=hosts_ok))
    a.email = parse_email(_ask("Who sends your email", "For example: Google Workspace, Microsoft 365, "
                               "Postmark, SendGrid, Resend (several are fine)."))
    a.production_url = _ask("Production address", "Where customers use the app, e.g. https://app.acme.example.",
                            check=check_url)
    env_ok = env_file_check(path.parent)
    a.production_env_file = _ask("Production env file", "A file with production's settings, e.g. "
                                 ".env.production (leave empty if you have none here).", check=env_ok)
    a.staging_url = _ask("Staging address", "A private test copy, if you have one, e.g. "
                         "https://staging.acme.example.", check=check_url)
    a.staging_env_file = _ask("Staging env file", "e.g. .env.staging", check=env_ok)
    a.missing_env_files = env_ok.kept_missing
    text = build_profile(a)
    write_profile(path, text, overwrite=True)
    print(f"\nWrote {path}. Next: run `launchready` to open the guided app.")
    return 0
