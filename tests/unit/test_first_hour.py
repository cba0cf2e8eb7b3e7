"""A founder's first hour (issue 21), the CLI side: the demo never writes over a real
project, export accepts `--format markdown`, who signs ticks is asked, not taken."""

from __future__ import annotations

import argparse

import pytest

from launchready_tui.commands import demo
from launchready_tui.core import demo_folder
from tests.conftest import run_cli


def _ns(directory) -> argparse.Namespace:
    return argparse.Namespace(no_tui=True, format="json", dir=str(directory), runbooks=None)


def test_demo_dir_refuses_a_real_project_and_changes_nothing(tmp_path, capsys):
    project = tmp_path / "shop"
    project.mkdir()
    (project / "launchready.yaml").write_text("project: Real Shop\ndomain: realshop.example\n")
    (project / ".env.production").write_text("STRIPE_SECRET_KEY=sk_live_real\n")
    (project / ".launchready").mkdir()
    (project / ".launchready" / "state.json").write_text('{"version": 1}')
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    assert demo.run(_ns(project)) == 2
    err = capsys.readouterr().err
    assert "did not write" in err and "launchready.yaml" in err and ".env.production" in err
    assert "saved progress" in err and "launchready demo --dir " in err
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == before
    assert not (project / demo_folder.MARKER).exists()


def test_demo_dir_refuses_any_folder_with_other_files(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    assert demo.run(_ns(tmp_path)) == 2
    assert "notes.txt" in capsys.readouterr().err
    f = tmp_path / "a-file"
    f.write_text("x")
    assert demo_folder.check_folder(f) and "not a folder" in demo_folder.check_folder(f)


def test_demo_dir_uses_new_empty_and_its_own_folders(tmp_path):
    new = tmp_path / "new" / "demo"
    assert demo_folder.check_folder(new) is None
    empty = tmp_path / "empty"
    empty.mkdir()
    assert demo_folder.check_folder(empty) is None
    demo_folder.claim(new)
    (new / "launchready.yaml").write_text("written by the demo")
    assert demo_folder.is_demo_folder(new) and demo_folder.check_folder(new) is None


def test_demo_dir_twice_resumes_in_its_own_folder(tmp_path, capsys):
    d = tmp_path / "demo-work"
    assert demo.run(_ns(d)) == 0  # headless: runs the checks against the lab
    assert demo_folder.is_demo_folder(d) and (d / "launchready.yaml").exists()
    (d / ".launchready").mkdir(exist_ok=True)
    (d / ".launchready" / "mine.txt").write_text("kept")
    capsys.readouterr()
    assert demo.run(_ns(d)) == 0  # the second run is allowed: the folder is the demo's
    assert (d / ".launchready" / "mine.txt").read_text() == "kept"


def test_suggested_folder_skips_taken_ones(tmp_path):
    assert demo_folder.suggest_folder(tmp_path) == tmp_path / "launchready-demo"
    (tmp_path / "launchready-demo").mkdir()
    (tmp_path / "launchready-demo" / "x").write_text("x")
    assert demo_folder.suggest_folder(tmp_path) == tmp_path / "launchready-demo-2"


def test_keep_copy_makes_a_resumable_demo_folder(tmp_path):
    src = tmp_path / "tmp-lab"
    (src / ".launchready").mkdir(parents=True)
    (src / ".launchready" / "state.json").write_text('{"notes": {}}')
    dest = demo_folder.keep_copy(src, tmp_path / "kept")
    assert (dest / ".launchready" / "state.json").exists() and demo_folder.is_demo_folder(dest)
    with pytest.raises(FileExistsError):
        demo_folder.keep_copy(src, dest)


@pytest.mark.parametrize("fmt,suffix,start", [("markdown", ".md", "# Handover"), ("md", ".md", "# Handover"),
                                              ("html", ".html", "<!doctype html>")])
def test_export_format_markdown_md_and_html(tmp_path, fmt, suffix, start):
    from tests.unit.export_fixtures import GOLDEN, PROFILE_YAML

    (tmp_path / "launchready.yaml").write_text(PROFILE_YAML, encoding="utf-8")
    out = tmp_path / f"handover{suffix}"
    r = run_cli("export", "--profile", str(tmp_path / "launchready.yaml"), "--runbooks",
                str(GOLDEN / "runbooks"), "--format", fmt, "-o", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert out.read_text(encoding="utf-8").startswith(start)


def test_the_name_is_asked_once_and_kept_not_taken_from_git(tmp_path, monkeypatch):
    import subprocess

    from launchready_tui.core import identity
    from launchready_tui.tui.session import Session

    subprocess.run(["git", "config", "--global", "user.name", "Git Somebody"], check=True)
    (tmp_path / "launchready.yaml").write_text("project: X\ndomain: x.example\n")
    s = Session(tmp_path / "launchready.yaml")
    assert not s.name_known and "Git Somebody" not in s.who
    assert identity.suggested_name() == "Git Somebody"  # offered, never used unasked
    identity.save_name("  Ana   Lima ")
    assert identity.name_file().read_text().strip() == "Ana Lima"
    s2 = Session(tmp_path / "launchready.yaml")
    assert s2.name_known and s2.who == "Ana Lima"


# ---------------------------------------------------------------------------- init


def test_init_keeps_every_email_provider_named():
    from launchready_tui.commands.init import Answers, build_profile, parse_email

    keys = parse_email("Google Workspace, Postmark and Amazon SES; Acme Mailer")
    assert keys == ["google", "postmark", "ses", "other:Acme Mailer"]
    text = build_profile(Answers(project="X", domain="x.example", email=keys))
    assert "provider: Google Workspace, Postmark, Amazon SES, Acme Mailer" in text
    for inc in ("include:_spf.google.com", "include:spf.mtasv.net", "include:amazonses.com"):
        assert f"- {inc}" in text
    assert "Acme Mailer: its help pages name the SPF include" in text
    only_unknown = build_profile(Answers(project="X", domain="x.example", email=parse_email("Acme Mailer")))
    from launchready_tui.core.profile import parse_profile

    assert parse_profile(only_unknown, "p.yaml").get("email.provider") == "Acme Mailer"


def test_init_cli_asks_again_for_a_staging_answer_that_is_not_a_url_and_flags_missing_env_files(tmp_path):
    (tmp_path / ".env.production").write_text("APP_ENV=production\n")
    answers = ("Acme\nacme.example\n\nGoogle Workspace, Postmark, SendGrid\n"
               "https://app.acme.example\n.env.prodution\n.env.production\n"   # typo flagged, then fixed
               "staging please\nstaging.acme.example\n"                        # not a URL: asked again
               ".env.staging\n.env.staging\n")                                  # missing, typed again: kept
    r = run_cli("init", cwd=tmp_path, stdin=answers)
    assert r.returncode == 0, r.stderr
    assert "There is no file '.env.prodution'" in r.stdout
    assert "'staging please' is not a web address" in r.stdout
    text = (tmp_path / "launchready.yaml").read_text()
    assert "env_file: .env.production\n" in text
    assert "url: https://staging.acme.example" in text
    assert "env_file: .env.staging  # not found when init ran" in text
    assert "include:sendgrid.net" in text and "include:spf.mtasv.net" in text


# ---------------------------------------------------------------------------- fix texts name the dashboard


def test_test_key_in_production_names_the_stripe_dashboard_and_the_key(tmp_path):
    from tests.unit.test_env import DB, SESSION, TEST, good_staging, profile, run, write

    write(tmp_path, ".env.production", DATABASE_URL=DB, STRIPE_SECRET_KEY=TEST, SESSION_SECRET=SESSION)
    good_staging(tmp_path)
    res = run(profile(tmp_path), "production")
    assert "STRIPE_SECRET_KEY holds a Stripe test secret key" in res.fix
    assert "Stripe: Developers > API keys" in res.fix and "Reveal live key" in res.fix
    assert "provider's dashboard" not in res.fix and TEST not in res.fix


def test_dangling_cname_fix_names_the_host_dashboard():
    from launchready_tui.core.checks.dns import PROVIDERS, _takeover_fix

    heroku = next(p for p in PROVIDERS if p.name == "Heroku")
    fix = _takeover_fix("blog.acme.example", "old-blog.herokuapp.com", heroku)
    assert "Heroku: your app > Settings > Domains" in fix and "provider's dashboard" not in fix
    assert "provider's dashboard" not in _takeover_fix("x.acme.example", "y.example", None)


def test_overdue_rotation_names_where_to_rotate(tmp_path):
    from launchready_tui.core import credentials as cr
    from launchready_tui.core.state import StateStore
    from tests.unit.test_credentials import run_check

    store = cr.CredentialStore("Acme", StateStore(tmp_path / ".launchready"))
    store.add(cr.Credential("stripe-live", label="Stripe live key", owner="Maya", rotate_every_days=30,
                            last_rotated="2025-01-01"))
    store.add(cr.Credential("db", owner="Maya", rotate_every_days=30, last_rotated="2025-01-01",
                            rotation_notes="Neon: Branches > main > Roles > Reset password"))
    res = run_check(tmp_path, store)
    assert "stripe-live: Stripe: Developers > API keys" in res.fix and "Roll key" in res.fix
    assert "db: Neon: Branches > main > Roles > Reset password" in res.fix
    assert "with the provider" not in res.fix


def test_dkim_fix_names_the_email_service_page():
    from launchready_tui.core.dashboards import dkim_where
    from launchready_tui.core.profile import parse_profile

    p = parse_profile("project: X\ndomain: x.example\nemail:\n  senders: [include:spf.mtasv.net]\n", "p.yaml")
    assert dkim_where(p, "20240101.pm").startswith("Postmark: Sender Signatures")
    both = parse_profile("project: X\ndomain: x.example\nemail:\n  senders: [include:_spf.google.com, "
                         "include:sendgrid.net]\n", "p.yaml")
    assert dkim_where(both, "s1").startswith("SendGrid:") and dkim_where(both, "google").startswith("Google")
    assert dkim_where(parse_profile("project: X\ndomain: x.example\n", "p.yaml"), "zz") is None


def test_a_missing_dkim_selector_fix_names_where_to_copy_it():
    import asyncio

    from launchready_tui.core.checks.email import dkim
    from launchready_tui.core.profile import parse_profile

    class Ans:
        records: list = []
        nxdomain = True

    class Resolver:
        async def query(self, name, rtype):
            return Ans()

    class Net:
        resolver = Resolver()

    class Ctx:
        profile = parse_profile("project: X\ndomain: x.example\nemail:\n  senders: [include:sendgrid.net]\n",
                                "p.yaml")
        net = Net()

    res = asyncio.run(dkim.check(Ctx(), "s1._domainkey.x.example", {}))
    assert "SendGrid: Settings > Sender Authentication" in res.fix and "provider's" not in res.fix


@pytest.mark.parametrize("profile_text,expect", [
    ("deploy:\n  command: vercel deploy --prod\n", "Vercel: the project > Logs"),
    ("environments:\n  production:\n    url: https://acme.onrender.com\n", "Render: the service > Logs"),
    ("deploy:\n  command: git push heroku main\n", "Heroku: the app > More > View logs"),
    ("", "Vercel: the project > Logs; Netlify"),  # no host named: the usual ones, by name
])
def test_an_error_page_fix_names_the_hosts_logs_page(profile_text, expect):
    from launchready_tui.core.dashboards import logs_fix
    from launchready_tui.core.profile import parse_profile

    p = parse_profile("project: X\ndomain: x.example\n" + profile_text, "p.yaml")
    fix = logs_fix(p, "this URL")
    assert expect in fix and "hosting dashboard" not in fix
