"""A throwaway PostgreSQL cluster for the tests, the demo and `bench/db.py`.

`initdb` refuses to run as root, so as root the cluster runs as an unprivileged user
(`launchready-pg`, created when missing, else `nobody`) through `runuser`, with its data
and socket folders owned by it. It listens on 127.0.0.1 on a random port and on a Unix
socket in a temp folder, loads `pg_stat_statements` at start, and trades durability for
speed (fsync off): it holds made-up data only and is deleted on `stop()`.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

PG_USER = "launchready-pg"
SUPERUSER = "postgres"
SUPERUSER_PASSWORD = "lab-superuser-pw"

INSTALL_HINT = (
    "PostgreSQL is not installed, so the demo's database part is left out. To add it: "
    "on Debian or Ubuntu `sudo apt-get install postgresql postgresql-15-hypopg` "
    "(use your server's major version), on macOS `brew install postgresql@16`, then run "
    "`launchready demo` again."
)


class PgUnavailable(RuntimeError):
    """No PostgreSQL server binaries here (the reason says how to install them)."""


def find_bindir() -> Path | None:
    """The folder with initdb/pg_ctl/postgres: `pg_config --bindir`, else the newest
    Debian-style /usr/lib/postgresql/NN/bin, else where pg_ctl is on PATH."""
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=5)
            d = Path(out.stdout.strip())
            if (d / "initdb").exists() and (d / "pg_ctl").exists():
                return d
        except (OSError, subprocess.SubprocessError):
            pass
    root = Path("/usr/lib/postgresql")
    if root.is_dir():
        majors = sorted((p for p in root.iterdir() if p.name.isdigit()), key=lambda p: int(p.name))
        for p in reversed(majors):
            if (p / "bin" / "initdb").exists():
                return p / "bin"
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl and shutil.which("initdb"):
        return Path(os.path.realpath(pg_ctl)).parent
    return None


def server_major(bindir: Path) -> int:
    out = subprocess.run([str(bindir / "postgres"), "--version"], capture_output=True, text=True, timeout=10)
    m = re.search(r"(\d+)(?:\.\d+)?", out.stdout)
    return int(m.group(1)) if m else 0


def extension_dir(bindir: Path) -> Path:
    """Where the server looks for extensions (Debian: /usr/share/postgresql/NN/extension)."""
    cfg = bindir / "pg_config"
    if cfg.exists():
        try:
            out = subprocess.run([str(cfg), "--sharedir"], capture_output=True, text=True, timeout=5)
            if out.stdout.strip():
                return Path(out.stdout.strip()) / "extension"
        except (OSError, subprocess.SubprocessError):
            pass
    major = bindir.parent.name
    if major.isdigit():
        return Path(f"/usr/share/postgresql/{major}/extension")
    return bindir.parent / "share" / "postgresql" / "extension"


def has_hypopg(bindir: Path) -> bool:
    return (extension_dir(bindir) / "hypopg.control").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_as_user() -> str | None:
    """The OS user to run the server as: None when not root (run as ourselves)."""
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        pwd.getpwnam(PG_USER)
        return PG_USER
    except KeyError:
        pass
    try:
        subprocess.run(["useradd", "-r", "-M", "-s", "/usr/sbin/nologin", PG_USER],
                       check=True, capture_output=True, timeout=30)
        return PG_USER
    except (OSError, subprocess.SubprocessError):
        return "nobody"


@dataclass
class PgCluster:
    """One running cluster. `dsn(...)` builds URLs; `admin()` is a superuser connection
    over the Unix socket (for seeding only; the checks never get it)."""

    root: Path
    bindir: Path
    port: int
    os_user: str | None
    major: int
    hypopg: bool
    _started: bool = field(default=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def sockdir(self) -> Path:
        return self.root / "sock"

    def _cmd(self, *args: str) -> list[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        return ["runuser", "-u", self.os_user, "--", *cmd] if self.os_user else cmd

    def url(self, user: str = SUPERUSER, password: str = SUPERUSER_PASSWORD,
            db: str = "postgres", host: str = "127.0.0.1", **params: str) -> str:
        auth = quote(user, safe="") + (":" + quote(password, safe="") if password else "")
        q = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in params.items())
        return f"postgresql://{auth}@{host}:{self.port}/{db}" + (f"?{q}" if q else "")

    def socket_conninfo(self, db: str = "postgres", user: str = SUPERUSER) -> str:
        return f"host={self.sockdir} port={self.port} dbname={db} user={user}"

    def admin(self, db: str = "postgres", autocommit: bool = True):
        """A synchronous superuser psycopg connection over the socket (seeding only)."""
        import psycopg

        return psycopg.connect(self.socket_conninfo(db), autocommit=autocommit, connect_timeout=10)

    def stop(self) -> None:
        """Stop the server and delete its folder (safe to call twice, from two threads)."""
        with self._lock:
            if self._started:
                self._started = False
                try:
                    subprocess.run(self._cmd("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w",
                                             "-t", "20", "stop"), capture_output=True, timeout=40)
                except (OSError, subprocess.SubprocessError):
                    pass
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PgCluster:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_cluster(*, root: Path | None = None, settings: dict[str, str] | None = None,
                  timeout_s: float = 60, port: int | None = None) -> PgCluster:
    """initdb + pg_ctl start. Raises PgUnavailable when there is no server here."""
    bindir = find_bindir()
    if bindir is None:
        raise PgUnavailable(INSTALL_HINT)
    os_user = _run_as_user()
    root = Path(root or tempfile.mkdtemp(prefix="launchready-pg-"))
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o755)
    cluster = PgCluster(root, bindir, port or _free_port(), os_user, server_major(bindir), has_hypopg(bindir))
    for d in (cluster.data, cluster.sockdir):
        d.mkdir(mode=0o700, exist_ok=True)
        if os_user:
            shutil.chown(d, os_user, os_user)
    os.chmod(cluster.sockdir, 0o755)
    pwfile = root / "pw"
    pwfile.write_text(SUPERUSER_PASSWORD + "\n")
    if os_user:
        shutil.chown(pwfile, os_user, os_user)
    try:
        subprocess.run(
            cluster._cmd("initdb", "-D", str(cluster.data), "-U", SUPERUSER, "--pwfile", str(pwfile),
                         "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                         "--locale=C", "--no-sync"),
            check=True, capture_output=True, text=True, timeout=timeout_s,
        )
    except subprocess.CalledProcessError as e:
        cluster.stop()
        raise PgUnavailable(f"initdb failed: {(e.stderr or e.stdout).strip()[-400:]}") from None
    finally:
        pwfile.unlink(missing_ok=True)
    conf = {
        "listen_addresses": "'127.0.0.1'",
        "port": str(cluster.port),
        "unix_socket_directories": f"'{cluster.sockdir}'",
        "shared_preload_libraries": "'pg_stat_statements'",
        "pg_stat_statements.max": "10000",
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "max_connections": "60",
        "shared_buffers": "64MB",
        "logging_collector": "off",
        **(settings or {}),
    }
    with open(cluster.data / "postgresql.conf", "a", encoding="utf-8") as fh:
        fh.write("\n# launchready lab\n" + "".join(f"{k} = {v}\n" for k, v in conf.items()))
    log = cluster.root / "server.log"
    log.touch()
    if os_user:
        shutil.chown(log, os_user, os_user)
    for _ in range(3):
        proc = subprocess.run(
            cluster._cmd("pg_ctl", "-D", str(cluster.data), "-l", str(log), "-w", "-t", str(int(timeout_s)),
                         "-o", f"-p {cluster.port}", "start"),
            capture_output=True, text=True, timeout=timeout_s + 10,
        )
        if proc.returncode == 0:
            cluster._started = True
            return cluster
        if "in use" not in log.read_text(errors="replace"):
            break
        cluster.port = _free_port()  # somebody took the port between pick and bind
    tail = log.read_text(errors="replace")[-600:]
    cluster.stop()
    raise PgUnavailable(f"the PostgreSQL server did not start: {tail.strip()}")
