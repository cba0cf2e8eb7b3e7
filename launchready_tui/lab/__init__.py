"""The local lab: real DNS and HTTPS servers on loopback, for tests and `launchready demo`.

A `World` describes DNS records, web sites, certificates, files (env files, bundles,
logs) and a profile. `Lab(world)` starts the servers and writes the profile, pointing
`network` at the lab's nameserver, ports and CA, so every check goes over real
protocols to real local servers.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from launchready_tui.lab.dns_server import DnsServer, Zone
from launchready_tui.lab.web import CertSpec, LabWeb, Rule, Site

__all__ = ["World", "Lab", "Zone", "Site", "Rule", "CertSpec"]


@dataclass
class World:
    records: list[tuple] = field(default_factory=list)
    faults: dict[str, str] = field(default_factory=dict)
    sites: dict[str, Site] = field(default_factory=dict)
    certs: dict[str, CertSpec] = field(default_factory=dict)
    files: dict[str, str | bytes] = field(default_factory=dict)  # relative path -> content
    profile: dict[str, Any] = field(default_factory=dict)
    # Variables the lab sets in this process while it runs (the demo's made-up API tokens,
    # read through a profile's `credential_env`); restored when it stops.
    environ: dict[str, str] = field(default_factory=dict)
    # Background services (the demo database): start() returns at once, stop() cleans up.
    services: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the demo tells the user at start


class Lab:
    def __init__(self, world: World, directory: Path | None = None, *, timeout_s: float = 3.0) -> None:
        self.world = world
        self._tmp = None
        if directory is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="launchready-lab-")
            directory = Path(self._tmp.name)
        self.dir = Path(directory)
        self.timeout_s = timeout_s
        zone = Zone()
        zone.extend(world.records)
        zone.faults.update(world.faults)
        self.dns = DnsServer(zone)
        from launchready_tui.lab.web import CertFactory

        self.web = LabWeb(world.sites, world.certs, CertFactory(self.dir / "certs"))
        self.profile_path = self.dir / "launchready.yaml"

    def start(self) -> Lab:
        import os

        self._saved_env = {k: os.environ.get(k) for k in self.world.environ}
        os.environ.update(self.world.environ)
        self.dns.start()
        self.web.start()
        for service in self.world.services:
            service.start()
        for rel, content in self.world.files.items():
            p = self.dir / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                p.write_bytes(content)
            else:
                p.write_text(content, encoding="utf-8")
        self.write_profile()
        return self

    def network(self) -> dict[str, Any]:
        return {
            "nameservers": [self.dns.address],
            "connect_to": self.web.connect_to(),
            "ca_bundle": str(self.web.ca_path),
            "timeout_s": self.timeout_s,
            # the lab's own servers (an AIA issuer download in a lab certificate) live on
            # loopback, which LaunchReady otherwise never fetches from
            "allow_addresses": ["127.0.0.0/8"],
        }

    def write_profile(self, extra: dict[str, Any] | None = None) -> Path:
        data = dict(self.world.profile)
        net = dict(data.get("network") or {})
        net.update(self.network())
        data["network"] = net
        if extra:
            data.update(extra)
        header = (
            "# Demo profile written by LaunchReady's local lab. The servers it points at run\n"
            "# on this computer only (127.0.0.1) and stop when the demo ends.\n"
        )
        self.profile_path.write_text(header + yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return self.profile_path

    def stop(self) -> None:
        import os

        for k, v in getattr(self, "_saved_env", {}).items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        for service in self.world.services:
            service.stop()
        self.web.stop()
        self.dns.stop()
        if self._tmp is not None:
            self._tmp.cleanup()

    def wait_services(self, timeout: float = 90) -> list[str]:
        """Wait for the background services; their problems in plain words."""
        out = []
        for service in self.world.services:
            err = service.wait(timeout)
            if err:
                out.append(err)
        return out

    def __enter__(self) -> Lab:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
