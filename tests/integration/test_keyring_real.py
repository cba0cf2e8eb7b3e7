"""The credential CLI against a real Secret Service: a private `dbus-daemon --session` and
`gnome-keyring-daemon --unlock --components=secrets` with a throwaway HOME (see
/work/shared/LAB-NOTES.md). Also the failure modes users hit: a locked keyring and no
keyring at all, each with a plain message and the fix.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.keyring_real]

DBUS = shutil.which("dbus-daemon")
GNOME_KEYRING = shutil.which("gnome-keyring-daemon")
if not (DBUS and GNOME_KEYRING):
    pytest.skip(
        "needs dbus-daemon and gnome-keyring-daemon (apt install dbus gnome-keyring; .ci/run does)",
        allow_module_level=True,
    )

VALUE = "sk_" + "live_" + "Zq81LmX0pT4vBn27Rk5cW9dY"
NEW_VALUE = "sk_" + "live_" + "Hn3Jq7Vz1Pw8Xc2Lm6Tb0Rf4"


class SecretService:
    """A private session bus and an unlocked gnome-keyring, torn down afterwards."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.home = root / "home"
        self.run = root / "run"
        self.bus = f"unix:path={root}/bus"
        self.procs: list[subprocess.Popen] = []

    def env(self) -> dict[str, str]:
        e = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON_KEYRING", "LAUNCHREADY_TEST"))}
        e.update(
            HOME=str(self.home),
            XDG_RUNTIME_DIR=str(self.run),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            XDG_DATA_HOME=str(self.home / ".local/share"),
            DBUS_SESSION_BUS_ADDRESS=self.bus,
        )
        return e

    def start(self, password: str = "throwaway") -> None:
        self.home.mkdir(exist_ok=True)
        self.run.mkdir(mode=0o700, exist_ok=True)
        bus = subprocess.Popen(
            [DBUS, "--session", "--nofork", "--print-address=1", f"--address={self.bus}"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=self.env(),
        )
        self.procs.append(bus)
        assert bus.stdout is not None
        bus.stdout.readline()  # the address: the bus is listening
        gk = subprocess.Popen(
            [GNOME_KEYRING, "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self.env(),
        )
        assert gk.stdin is not None
        gk.stdin.write(password.encode())
        gk.stdin.close()
        self.procs.append(gk)
        self._wait_ready()

    def _wait_ready(self) -> None:
        probe = (
            "import secretstorage, sys\n"
            "from contextlib import closing\n"
            "with closing(secretstorage.dbus_init()) as c:\n"
            "    sys.exit(0 if secretstorage.check_service_availability(c) else 1)\n"
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if subprocess.run([sys.executable, "-c", probe], env=self.env(), capture_output=True).returncode == 0:
                return
            time.sleep(0.05)
        raise RuntimeError("gnome-keyring did not come up")

    def stop(self) -> None:
        for p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:  # pragma: no cover
                    p.kill()
                    p.wait()
        self.procs.clear()

    def get(self, service: str, user: str) -> str | None:
        code = f"import keyring, json; print(json.dumps(keyring.get_password({service!r}, {user!r})))"
        out = subprocess.run([sys.executable, "-c", code], env=self.env(), capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)


@pytest.fixture
def secret_service():
    root = Path(tempfile.mkdtemp(prefix="lr-kr-", dir="/tmp"))  # short: unix socket paths are limited
    ss = SecretService(root)
    ss.start()
    try:
        yield ss
    finally:
        ss.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def project(tmp_path):
    (tmp_path / "launchready.yaml").write_text("project: Acme\ndomain: acme.example\n")
    return tmp_path


def lr(project: Path, env: dict[str, str], *args: str, stdin: str | None = None):
    return subprocess.run(
        [sys.executable, "-m", "launchready_tui", *args],
        cwd=project, env=env, input=stdin, capture_output=True, text=True, timeout=60,
    )


def test_add_list_rotate_check_remove_through_gnome_keyring(secret_service, project):
    env = secret_service.env()
    r = lr(project, env, "credentials", "add", "stripe-live", "--label", "Stripe live key",
           "--reference", "1Password Ops > Stripe", "--owner", "Maya", "--rotate-every", "90d",
           "--last-rotated", time.strftime("%Y-%m-%d"), "--stdin", stdin=VALUE + "\n")
    assert r.returncode == 0, r.stderr
    assert secret_service.get("launchready:Acme", "stripe-live") == VALUE

    r = lr(project, env, "credentials", "list", "--format", "json")
    assert r.returncode == 0, r.stderr
    (row,) = json.loads(r.stdout)["credentials"]
    assert row["value"] == "in keyring" and row["owner"] == "Maya"

    r = lr(project, env, "check", "--runbook", "auth-secrets", "--step", "inventory", "--format", "json")
    res = [x for x in json.loads(r.stdout)["results"] if x["check"] == "credentials"]
    assert res and res[0]["status"] == "pass", res

    r = lr(project, env, "credentials", "rotate", "stripe-live", "--stdin", stdin=NEW_VALUE)
    assert r.returncode == 0, r.stderr
    assert secret_service.get("launchready:Acme", "stripe-live") == NEW_VALUE

    # the entry vanishes behind our back: the check fails and says how to put it back
    code = "import keyring; keyring.delete_password('launchready:Acme', 'stripe-live')"
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=30)
    r = lr(project, env, "check", "--runbook", "auth-secrets", "--step", "inventory", "--format", "json")
    res = [x for x in json.loads(r.stdout)["results"] if x["check"] == "credentials"]
    assert res[0]["status"] == "fail" and "credentials rotate stripe-live" in res[0]["fix"]

    r = lr(project, env, "credentials", "rotate", "stripe-live", "--stdin", stdin=VALUE)
    assert r.returncode == 0
    r = lr(project, env, "credentials", "remove", "stripe-live")
    assert r.returncode == 0 and "deleted its keyring entry" in r.stdout
    assert secret_service.get("launchready:Acme", "stripe-live") is None

    for path in (project / ".launchready").rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            assert VALUE not in text and NEW_VALUE not in text, path


def test_locked_keyring_says_how_to_unlock(project):
    root = Path(tempfile.mkdtemp(prefix="lr-kr-", dir="/tmp"))
    ss = SecretService(root)
    try:
        ss.start("first-password")
        assert lr(project, ss.env(), "credentials", "add", "a", "--stdin", stdin=VALUE).returncode == 0
        ss.stop()
        ss.start("another-password")  # the login keyring stays locked
        r = lr(project, ss.env(), "credentials", "add", "b", "--stdin", stdin=VALUE)
        assert r.returncode == 1
        assert "locked" in r.stderr and "gnome-keyring-daemon --unlock" in r.stderr
        assert "Nothing was changed" in r.stderr and VALUE not in r.stdout + r.stderr
    finally:
        ss.stop()
        shutil.rmtree(root, ignore_errors=True)


def test_no_keyring_at_all_explains_and_never_falls_back(project, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND")}
    env["HOME"] = str(tmp_path / "home")
    env["XDG_RUNTIME_DIR"] = str(tmp_path / "run")  # no bus there
    r = lr(project, env, "credentials", "add", "a", "--stdin", stdin=VALUE)
    assert r.returncode == 1
    assert "no OS keyring" in r.stderr and "gnome-keyring" in r.stderr
    # nothing was written anywhere under HOME or the project
    for base in (tmp_path,):
        for path in base.rglob("*"):
            if path.is_file():
                assert VALUE not in path.read_text(errors="replace"), path
    # metadata-only still works without a keyring
    r = lr(project, env, "credentials", "add", "a", "--no-value", "--owner", "Maya")
    assert r.returncode == 0, r.stderr
