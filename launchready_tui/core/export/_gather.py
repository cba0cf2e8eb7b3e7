"""Gathering the handover's inputs, redacting them, and writing the documents.

`gather()` reads the state store, the history, the allowlist, the credentials metadata and
the runbooks; `build_handover()` turns them into a `Handover` (plain data, no I/O,
deterministic for a given input and clock); `render_markdown()` / `render_html()` lay it
out and render it; `render_incident_note()` does the same for one incident. The package's
other parts are listed in `core/export/__init__.py`.

A secret value never reaches the document: credential metadata is filtered to known
fields, and every string of the model goes through a `Redactor` that knows the values in
the profile's env files and in the keyring. No Textual here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from launchready_tui.core.export import _build, _incident, _model
from launchready_tui.core.export._model import Handover, _dict, parse_time

if TYPE_CHECKING:
    from launchready_tui.core.profile import Profile

# ------------------------------------------------------------------------------ redaction


def _scrub(s: str) -> str:
    from launchready_tui.core.redact import scrub

    return scrub(s)


class Redactor:
    """Replaces known secret values with a marker, in every string of the model.

    Values come from the keyring (every stored credential value) and from the profile's
    env files (values of secret-looking names, or values that look like keys). Longer
    values are replaced first, so a value that contains another is hidden whole.
    """

    MARK = "[redacted]"
    MIN_LEN = 6

    def __init__(self, values: Iterable[str] = ()) -> None:
        vals = {str(v) for v in values if v and len(str(v)) >= self.MIN_LEN}
        self.values = sorted(vals, key=lambda v: (-len(v), v))
        self._re = re.compile("|".join(re.escape(v) for v in self.values)) if self.values else None

    def __bool__(self) -> bool:
        return True  # URL and scanner-rule scrubbing apply even with no known value

    def text(self, s: str) -> str:
        if not isinstance(s, str) or not s:
            return s
        if self._re is not None:
            s = self._re.sub(self.MARK, s)
        # URL passwords, secret query values and what the scanner's rules find (core/redact.py)
        return _scrub(s)

    def apply(self, obj: Any, *, built: bool = False) -> Any:
        """Redact every string inside obj (dataclasses, dicts, lists), in place where it can.
        Dataclasses are walked when they are the export's own model, or when `built` says
        the whole object was built for this document (a kind's handover section)."""
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, list):
            for i, v in enumerate(obj):
                obj[i] = self.apply(v, built=built)
            return obj
        if isinstance(obj, tuple):
            return tuple(self.apply(v, built=built) for v in obj)
        if isinstance(obj, dict):
            return {self.apply(k, built=built): self.apply(v, built=built) for k, v in obj.items()}
        if is_dataclass(obj) and not isinstance(obj, type) and (built or type(obj).__module__ == _model.__name__):
            # only what was built for the document: runbooks and other shared objects are left alone
            for f in fields(obj):
                if f.name.startswith("_"):
                    continue
                object.__setattr__(obj, f.name, self.apply(getattr(obj, f.name), built=built))
            return obj
        return obj


def secret_values_from_env_files(profile: Profile) -> list[str]:
    """Values worth hiding from the env files the profile names (never logged or shown):
    the one classifier in core/redact.py (the secret scanner's rules)."""
    from launchready_tui.core.redact import env_file_secrets

    return env_file_secrets(profile)


def stored_credential_ids(state: dict[str, Any]) -> list[str]:
    """Credential ids whose value may be in the keyring (has_value not known to be false)."""
    creds = _dict(state, "credentials")
    return sorted(str(k) for k, v in creds.items() if not (isinstance(v, dict) and v.get("has_value") is False))


def secret_values_from_keyring(profile: Profile, credential_ids: Iterable[str]) -> list[str]:
    """Values stored in the OS keyring for this project's credentials (read to hide them).
    A keyring that cannot be used (refused, locked, missing) only means less to hide."""
    from launchready_tui.core.credentials import CredentialStore
    from launchready_tui.core.errors import LaunchReadyError

    ids = [str(i) for i in credential_ids]
    if not ids:
        return []
    try:
        store = CredentialStore.for_profile(profile)
    except LaunchReadyError:
        return []
    out: list[str] = []
    for cid in ids:
        try:
            value = store.get_value(cid)
        except LaunchReadyError:  # a locked or missing keyring: nothing to hide from it
            continue
        if value:
            out.append(value)
    return out


def secret_redactor(profile: Profile, state: dict[str, Any] | None = None) -> Redactor:
    """A Redactor for everything this profile keeps secret: the secret-looking values of
    its env files and the keyring values of its credentials (ids from `state`, read from
    the state folder when not given). Used by every document LaunchReady writes."""
    if state is None:
        from launchready_tui.core.state import StateStore

        try:
            state = StateStore(profile.state_dir).load()
        except Exception:  # noqa: BLE001 - unreadable state: the env files still count
            state = {}
    return Redactor(secret_values_from_env_files(profile) + secret_values_from_keyring(profile, stored_credential_ids(state)))


# ------------------------------------------------------------------------------ building

def build_handover(
    profile: Profile,
    state: dict[str, Any],
    runbooks: list[Any],
    *,
    history: list[dict[str, Any]] | None = None,
    allowlist: list[dict[str, Any]] | None = None,
    allowlist_problem: str = "",
    author: str = "",
    now: dt.datetime | None = None,
    redactor: Redactor | None = None,
) -> Handover:
    """The handover model from the state, the history and the runbooks. No I/O."""
    now = now or dt.datetime.now(dt.UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)
    doc = _build.build(profile, state if isinstance(state, dict) else {}, list(runbooks or []),
                       history=list(history or []), allowlist=list(allowlist or []),
                       allowlist_problem=allowlist_problem, author=author, now=now)
    if redactor:
        redactor.apply(doc)
        doc.sections = [(family, redactor.apply(section, built=True)) for family, section in doc.sections]
    return doc


def load_allowlist(profile: Profile) -> tuple[list[dict[str, Any]], str]:
    """Entries of `.launchready/allow.yaml`, and any problem reading it (in plain words)."""
    from launchready_tui.core.allowlist import load_allowlist as _load

    path = profile.state_dir / "allow.yaml"
    try:
        allow = _load(path)
    except Exception as e:  # noqa: BLE001 - shown in the document, never a crash
        return [], f"could not read {path.name}: {e}"
    return [e.to_dict() for e in allow.entries], "; ".join(p.format() for p in allow.problems)


def gather(profile: Profile, runbooks: list[Any] | None = None, *, author: str | None = None,
           now: dt.datetime | None = None) -> Handover:
    """Read everything the handover needs for this profile and build the model."""
    from launchready_tui.core.state import StateStore, who_am_i

    if runbooks is None:
        from launchready_tui.core.runbook import load_runbooks

        runbooks, _ = load_runbooks()
    store = StateStore(profile.state_dir)
    state = store.load()
    history = store.read_history()
    allow, allow_problem = load_allowlist(profile)
    return build_handover(
        profile, state, runbooks, history=history, allowlist=allow, allowlist_problem=allow_problem,
        author=author or who_am_i(), now=now, redactor=secret_redactor(profile, state),
    )


# ------------------------------------------------------------------------------ rendering


def render_markdown(doc: Handover) -> str:
    from launchready_tui.core.export._layout import layout
    from launchready_tui.core.export._render import render_blocks_markdown

    return render_blocks_markdown(layout(doc))


def render_html(doc: Handover) -> str:
    from launchready_tui.core.export._layout import layout
    from launchready_tui.core.export._render import html_page, render_blocks_html

    return html_page(f"Handover: {doc.project} ({doc.date})", render_blocks_html(layout(doc)))


def render(doc: Handover, fmt: str) -> str:
    if fmt == "html":
        return render_html(doc)
    if fmt in ("md", "markdown"):
        return render_markdown(doc)
    raise ValueError(f"unknown format {fmt!r}")


def project_slug(project: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", project.lower()).strip("-")
    return s or "project"


def default_output_path(profile: Profile, fmt: str = "md", now: dt.datetime | None = None) -> Path:
    now = now or dt.datetime.now(dt.UTC)
    ext = "html" if fmt == "html" else "md"
    return profile.dir / f"handover-{project_slug(profile.project)}-{now:%Y-%m-%d}.{ext}"


def export_handover(profile: Profile, *, fmt: str = "md", output: str | Path | None = None,
                    author: str | None = None, runbooks: list[Any] | None = None,
                    now: dt.datetime | None = None) -> Path:
    """Build, render and write the handover; returns the file written (used by CLI and TUI)."""
    from launchready_tui.core.state import atomic_write

    doc = gather(profile, runbooks, author=author, now=now)
    text = render(doc, fmt)
    path = Path(output) if output else default_output_path(profile, fmt, now)
    if output:  # a path a person gave: never replace a device or a symlink (core/outfile.py)
        from launchready_tui.core.outfile import write_output

        return write_output(path, text.encode("utf-8"))
    atomic_write(path, text.encode("utf-8"))
    return path


# ------------------------------------------------------------------------------ incident notes


def render_incident_note(incident: dict[str, Any], *, incident_id: str = "", runbook: Any = None,
                         profile: Any = None, fmt: str = "md", now: dt.datetime | None = None,
                         redactor: Redactor | None = None) -> str:
    """The incident note from incident mode's timeline, as Markdown or HTML. Pass the
    profile: without a `redactor`, one is built from it (`secret_redactor`), so a note
    rendered for a profile is always redacted."""
    from launchready_tui.core.export._incident import incident_blocks
    from launchready_tui.core.export._render import (
        html_page,
        render_blocks_html,
        render_blocks_markdown,
    )

    note = _incident.build_incident(incident, incident_id=incident_id, runbook=runbook,
                                 profile=profile, now=now or dt.datetime.now(dt.UTC))
    if redactor is None and profile is not None:
        redactor = secret_redactor(profile)
    if redactor:
        redactor.apply(note)
    blocks = incident_blocks(note)
    if fmt == "html":
        return html_page(note.title, render_blocks_html(blocks))
    return render_blocks_markdown(blocks)


def write_incident_note(profile: Profile, incident_id: str, *, fmt: str = "md", output: str | Path | None = None,
                        runbooks: list[Any] | None = None, now: dt.datetime | None = None) -> Path:
    """Write the note of a recorded incident (by incident id, or the newest of a runbook id).

    Default path: `.launchready/incidents/<incident id>.md` (or `.html`), where incident
    mode saves it when the incident is closed."""
    from launchready_tui.core.state import StateStore, atomic_write

    store = StateStore(profile.state_dir)
    state = store.load()
    incidents = _dict(state, "incidents")
    found = _incident.find_incident(incidents, incident_id)
    if found is None:
        from launchready_tui.core.errors import UsageError

        known = ", ".join(sorted(map(str, incidents))) or "none yet"
        raise UsageError(f"no recorded incident '{incident_id}' (recorded: {known}). Incident mode records "
                         "one: `launchready incident ID`", "incident")
    key, data = found
    if runbooks is None:
        from launchready_tui.core.runbook import load_runbooks

        runbooks, _ = load_runbooks()
    rb_id = str(data.get("runbook") or incident_id)
    rb = next((b for b in runbooks if b.id == rb_id), None)
    data = _with_record_fields(data, state, rb)
    redactor = secret_redactor(profile, state)
    text = render_incident_note(data, incident_id=key, runbook=rb, profile=profile, fmt=fmt, now=now,
                                redactor=redactor)
    ext = "html" if fmt == "html" else "md"
    if output:
        path = Path(output)
    else:
        safe = re.sub(r"[^\w.-]", "_", key) or "incident"
        path = store.dir / "incidents" / f"{safe}.{ext}"
    if output:
        from launchready_tui.core.outfile import write_output

        return write_output(path, text.encode("utf-8"))
    atomic_write(path, text.encode("utf-8"))
    return path


def _with_record_fields(incident: dict[str, Any], state: dict[str, Any], runbook: Any) -> dict[str, Any]:
    """Add what was written in the runbook's records during this incident (cause,
    follow-ups, ...) to the incident's own fields, which win."""
    if runbook is None:
        return incident
    start = parse_time(incident.get("started_at"))
    records = _dict(state, "records")
    extra: dict[str, Any] = {}
    for st in runbook.steps:
        for b in st.records:
            rec = records.get(f"{runbook.id}/{st.id}/{b.id}")
            if not isinstance(rec, dict):
                continue
            for fid, v in rec.items():
                if not isinstance(v, dict) or not v.get("value"):
                    continue
                at = parse_time(v.get("at"))
                if start is not None and (at is None or at < start):
                    continue  # written during an earlier incident
                extra[str(fid)] = v["value"]
    if not extra:
        return incident
    fields_ = dict(extra)
    fields_.update(_dict(incident, "fields"))
    return dict(incident, fields=fields_)
