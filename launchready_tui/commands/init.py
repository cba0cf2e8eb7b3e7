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
}
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


def parse_email(text: str) -> list[str]:
    """"Google Workspace, postmark" -> ["google", "postmark"]; unknown names are ignored."""
    out = []
    low = text.lower()
    aliases = {"google": "google", "gmail": "google", "workspace": "google", "microsoft": "microsoft",
               "office": "microsoft", "outlook": "microsoft", "365": "microsoft", "postmark": "postmark",
               "sendgrid": "sendgrid", "resend": "resend", "mailgun": "mailgun"}
    for word, key in aliases.items():
        if word in low and key not in out:
            out.append(key)
    return out


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
        names = ", ".join(EMAIL_PROVIDERS[k][1] for k in a.email if k in EMAIL_PROVIDERS)
        lines += ["email:", f"  domain: {_q(domain)}", f"  provider: {_q(names)}", "  senders:"]
        for k in a.email:
            if k in EMAIL_PROVIDERS:
                lines.append(f"    - {_q(EMAIL_PROVIDERS[k][0])}  # {EMAIL_PROVIDERS[k][1]}")
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
                lines.append(f"    env_file: {_q(env_file.strip())}")
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
    a.production_url = _ask("Production address", "Where customers use the app, e.g. https://app.acme.example.")
    a.production_env_file = _ask("Production env file", "A file with production's settings, e.g. "
                                 ".env.production (leave empty if you have none here).")
    a.staging_url = _ask("Staging address", "A private test copy, if you have one.")
    a.staging_env_file = _ask("Staging env file", "e.g. .env.staging")
    text = build_profile(a)
    write_profile(path, text, overwrite=True)
    print(f"\nWrote {path}. Next: run `launchready` to open the guided app.")
    return 0
