"""Serve a lab `World`'s DNS records from a real Knot DNS server (knotd).

The in-process lab server (`dns_server.py`) is quick and can inject every fault; knotd
is what real authoritative DNS looks like: it answers only for its zones, does not chase
CNAMEs into other zones, and answers REFUSED for names outside them. Tests use it to
prove the checks work against a real server, not only against our own.

`KnotDns(world).start()` renders the records into zone files, writes `knot.conf`
(block-style YAML: knotd's parser rejects flow mappings) and runs `knotd -c knot.conf`
in the foreground on 127.0.0.1@PORT with its rundir and storage in a temp folder. It
answers about 65 ms after launch and stops in a few ms.

Zones: every name holding an SOA record is a zone apex; every other name (record owners
and CNAME targets) without a zone above it gets a zone for its last two labels, with a
made-up SOA, so a missing provider name (a dangling CNAME's target) is a real NXDOMAIN.
Faults: "servfail" on a name becomes a zone of its own with a broken file (knotd then
answers SERVFAIL for it and everything below); "refused" works for names outside every
zone. Other faults (drop, truncate, garbage) need the in-process server.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from launchready_tui.lab.dns_server import _txt_rdata

KNOTD = "knotd"


def knotd_path() -> str | None:
    """Where knotd is, or None (it is in /usr/sbin on Debian, often not on PATH)."""
    return shutil.which(KNOTD) or shutil.which(KNOTD, path="/usr/sbin:/usr/local/sbin:/sbin")


def _norm(name: str) -> str:
    return name.lower().rstrip(".")


def _under(name: str, zone: str) -> bool:
    return name == zone or name.endswith("." + zone)


def _absolute(value: str) -> str:
    return value if value.endswith(".") else value + "."


def plan_zones(records: list[tuple], faults: dict[str, str]) -> tuple[dict[str, list[str]], set[str]]:
    """Zone apex -> zone-file lines, plus the set of deliberately broken zones."""
    recs = [(_norm(r[0]), str(r[1]).upper(), r[2], int(r[3]) if len(r) > 3 else 300) for r in records]
    apexes = {name for name, t, _v, _ttl in recs if t == "SOA"}
    broken = set()
    for name, fault in faults.items():
        if fault == "servfail":
            broken.add(_norm(name))
        elif fault == "refused":
            continue  # checked below: must be outside every zone
        else:
            raise ValueError(f"knotd cannot inject '{fault}' for {name}; use the in-process lab DNS server")

    def zone_of(name: str) -> str | None:
        best = None
        for z in apexes:
            if _under(name, z) and (best is None or len(z) > len(best)):
                best = z
        return best

    wanted = [name for name, *_ in recs]
    wanted += [_norm(v) for _n, t, v, _ttl in recs if t == "CNAME"]
    for name in wanted:
        if zone_of(name) is None:
            labels = name.split(".")
            apexes.add(".".join(labels[-2:]) if len(labels) >= 2 else name)
    for name, fault in faults.items():
        if fault == "refused" and zone_of(_norm(name)) is not None:
            raise ValueError(f"knotd answers for {name} (zone {zone_of(_norm(name))}); it can only "
                             "refuse names outside every zone")
    zones: dict[str, list[str]] = {z: ["$ORIGIN .", "$TTL 300"] for z in apexes}
    has_soa = set()
    for name, t, value, ttl in recs:
        z = zone_of(name)
        assert z is not None
        if t in ("TXT", "SPF"):
            text = _txt_rdata(value)
        elif t in ("CNAME", "NS", "PTR"):
            text = _absolute(str(value))
        elif t == "MX":
            pref, _, host = str(value).partition(" ")
            text = f"{pref} {_absolute(host.strip())}"
        elif t == "SOA":
            has_soa.add(name)
            text = str(value)
        else:
            text = str(value)
        zones[z].append(f"{name}. {ttl} IN {t} {text}")
    for z in apexes:
        if z not in has_soa:
            zones[z].insert(2, f"{z}. 300 IN SOA ns.{z}. hostmaster.{z}. 1 3600 600 86400 300")
    for b in broken:
        zones[b] = ["this zone file is broken on purpose ((("]
    return zones, broken


def render_config(directory: Path, port: int, zones: list[str]) -> str:
    lines = [
        "server:",
        f'    rundir: "{directory / "run"}"',
        f"    listen: 127.0.0.1@{port}",
        "database:",
        f'    storage: "{directory / "db"}"',
        "log:",
        "  - target: stderr",
        "    any: warning",
        "template:",
        "  - id: default",
        f'    storage: "{directory / "zones"}"',
        '    file: "%s.zone"',
        "    zonefile-sync: -1",
        "    zonefile-load: whole",
        "    journal-content: none",
        "    semantic-checks: off",
        "zone:",
    ]
    for z in sorted(zones):
        lines.append(f"  - domain: {z}")
    return "\n".join(lines) + "\n"


def _free_port() -> int:
    # knotd binds UDP and TCP on one port: find one free for both.
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("127.0.0.1", 0))
            port = u.getsockname()[1]
            with socket.socket() as t:
                try:
                    t.bind(("127.0.0.1", port))
                except OSError:
                    continue
        return port
    raise OSError("no free UDP+TCP port pair")


class KnotDns:
    """knotd serving a World's records. Use as a context manager."""

    def __init__(self, world, directory: Path | None = None) -> None:
        self.world = world
        self._tmp = None
        if directory is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="launchready-knot-")
            directory = Path(self._tmp.name)
        self.dir = Path(directory)
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.zones: dict[str, list[str]] = {}

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, ready_timeout_s: float = 5.0) -> KnotDns:
        exe = knotd_path()
        if exe is None:
            raise FileNotFoundError("knotd is not installed (Debian package 'knot')")
        self.zones, _broken = plan_zones(list(self.world.records), dict(self.world.faults))
        for sub in ("run", "db", "zones"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        for z, lines in self.zones.items():
            (self.dir / "zones" / f"{z}.zone").write_text("\n".join(lines) + "\n", encoding="utf-8")
        for _attempt in range(3):
            self.port = _free_port()
            conf = self.dir / "knot.conf"
            conf.write_text(render_config(self.dir, self.port, list(self.zones)), encoding="utf-8")
            self.proc = subprocess.Popen(
                [exe, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
            )
            if self._wait_ready(ready_timeout_s):
                return self
            self.stop()
        raise RuntimeError("knotd did not start answering")

    def _wait_ready(self, timeout_s: float) -> bool:
        import dns.message
        import dns.query

        probe = next((z for z in sorted(self.zones) if self.zones[z][0].startswith("$ORIGIN")), None)
        until = time.monotonic() + timeout_s
        while time.monotonic() < until:
            if self.proc is None or self.proc.poll() is not None:
                return False
            if probe is None:
                time.sleep(0.1)
                return True
            try:
                q = dns.message.make_query(probe + ".", "SOA")
                dns.query.udp(q, "127.0.0.1", port=self.port, timeout=0.2)
                return True
            except Exception:
                time.sleep(0.02)
        return False

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=5)
            if self.proc.stderr is not None:
                self.proc.stderr.close()
            self.proc = None

    def close(self) -> None:
        self.stop()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> KnotDns:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()
