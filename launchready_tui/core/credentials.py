"""Keyring-backed credential references.

Why it exists: the handover needs a secret inventory (what, where it lives, who owns it,
when it was last rotated) and some checks need to authenticate (an admin route's
`auth: <credential-id>`). The inventory lives in the state (`state["credentials"]`); a
value, when given, lives only in the OS keyring under service `launchready:<project>`.

There is no plaintext fallback. Without a usable keyring (no backend, a locked one, or a
plaintext backend such as `keyrings.alt`), value operations raise a typed `KeyringProblem`
whose message says, for this OS, how to fix it. Metadata-only credentials work without
any keyring.

`keyring` is imported lazily: it costs start-up time and only value operations need it.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from launchready_tui.core.errors import LaunchReadyError, Problem

if TYPE_CHECKING:  # pragma: no cover
    from keyring.backend import KeyringBackend

    from launchready_tui.core.profile import Profile

SERVICE_PREFIX = "launchready:"
STATE_KEY = "credentials"
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
DUE_SOON_DAYS = 14


class MetadataStore(Protocol):
    """What the credential store needs from `core.state.StateStore`."""

    def load(self) -> dict[str, Any]: ...

    def update(self, fn: Callable[[dict[str, Any]], Any]) -> Any: ...


class MemoryMetadata:
    """An in-memory MetadataStore (tests, and checks run without a state folder)."""

    def __init__(self, state: dict[str, Any] | None = None) -> None:
        self.state: dict[str, Any] = state if state is not None else {}

    def load(self) -> dict[str, Any]:
        import copy

        return copy.deepcopy(self.state)

    def update(self, fn: Callable[[dict[str, Any]], Any]) -> Any:
        return fn(self.state)


# ------------------------------------------------------------------------ errors


class CredentialError(LaunchReadyError):
    """Bad credential input: unknown or duplicate id, bad date or cadence."""

    def __init__(self, message: str, field_name: str | None = None) -> None:
        super().__init__(Problem("credentials", None, field_name, message))


class KeyringProblem(LaunchReadyError):
    """The OS keyring cannot be used. `reason` and `fix` are plain words."""

    kind = "error"

    def __init__(self, reason: str, fix: str, backend: str = "") -> None:
        self.reason, self.fix, self.backend = reason, fix, backend
        super().__init__(Problem("keyring", None, None, f"{reason}. How to fix: {fix}"))


class KeyringUnavailable(KeyringProblem):
    kind = "unavailable"


class KeyringLockedError(KeyringProblem):
    kind = "locked"


class PlaintextKeyringRefused(KeyringProblem):
    kind = "plaintext"


def keyring_fix(kind: str, platform: str | None = None) -> str:
    """How to get a working keyring, for this OS. Plain words."""
    platform = platform or sys.platform
    keep_ref = (
        " Or keep the value in your password manager and record only where it lives "
        "(`launchready credentials add ID --no-value --reference ...`)."
    )
    if platform == "darwin":
        if kind == "locked":
            return "Unlock your login keychain (open Keychain Access, or run `security unlock-keychain`). " \
                "Over SSH the keychain stays locked: run launchready in your desktop session." + keep_ref
        return "macOS Keychain should always be available: run launchready as your own user in your " \
            "desktop session, not as root or over SSH." + keep_ref
    if platform.startswith("win"):
        return "Windows Credential Manager should always be available: run launchready as your own " \
            "logged-in user, not as a service account." + keep_ref
    if kind == "plaintext":
        return "Uninstall the plaintext backend (`pip uninstall keyrings.alt`) and remove any " \
            "`PYTHON_KEYRING_BACKEND` or keyringrc.cfg setting that selects it; use GNOME Keyring " \
            "or KWallet instead."
    if kind == "locked":
        return "Unlock your keyring: log in to your desktop session (GNOME Keyring or KWallet unlocks " \
            "at login), or open 'Passwords and Keys' and unlock the 'Login' keyring. Only on a " \
            "server with no desktop (not a laptop), start one yourself: `dbus-run-session -- sh -c 'echo -n YOURPASSWORD | " \
            "gnome-keyring-daemon --unlock --components=secrets; launchready ...'`." + keep_ref
    return "Install a Secret Service and run inside a desktop session: on Debian/Ubuntu " \
        "`sudo apt install gnome-keyring dbus-user-session` (or use KWallet on KDE), then log in " \
        "to the desktop. Only on a server with no desktop (not a laptop), run `dbus-run-session -- sh -c 'echo -n YOURPASSWORD " \
        "| gnome-keyring-daemon --unlock --components=secrets; launchready ...'`." + keep_ref


KEYRING_IS = (
    "A keyring is the safe your computer keeps for passwords: Keychain on a Mac, Credential "
    "Manager on Windows, GNOME Keyring or KWallet on a Linux desktop. LaunchReady puts key values "
    "only there, never in a file, so they stay locked with your login."
)


def keyring_steps(kind: str = "unavailable") -> list[tuple[str, str]]:
    """What to do, for each kind of computer, in plain words: (where, what to do). The
    server recipe is last and says it is for servers only."""
    unlock = kind == "locked"
    return [
        ("On a Mac", "Unlock your login keychain: open Keychain Access and choose File > Unlock."
         if unlock else "Keychain is built in. Run launchready in the Terminal app as yourself, not "
         "with sudo and not over SSH."),
        ("On Windows", "Credential Manager is built in. Run launchready as the user you log in as, "
         "not as an administrator or a service account."),
        ("On a Linux desktop (Ubuntu, Fedora...)",
         "Log out and in again: the keyring unlocks when you log in. Or open 'Passwords and Keys' and "
         "unlock the 'Login' keyring." if unlock else "Run launchready in a terminal inside your "
         "desktop session. If your desktop has no keyring, install one (`sudo apt install "
         "gnome-keyring`), then log out and in."),
        ("Only on a server with no screen (not your laptop)",
         "start a private keyring for one run: `dbus-run-session -- sh -c 'echo -n PASSWORD | "
         "gnome-keyring-daemon --unlock --components=secrets; launchready ...'`."),
        ("No keyring at all?", "Keep the value in your password manager and write down here only "
         "where it lives: leave the value empty."),
    ]


def _backend_name(kr: Any) -> str:
    t = type(kr)
    return f"{t.__module__}.{t.__name__}"


def check_backend(kr: Any) -> None:
    """Refuse backends that would lose the value or store it readable: the fail and
    null backends and any plaintext backend (keyrings.alt and its relatives)."""
    parts = list(getattr(kr, "backends", None) or []) or [kr]
    if getattr(kr, "backends", None) is not None and not kr.backends:
        raise KeyringUnavailable("no keyring backend is available", keyring_fix("unavailable"), _backend_name(kr))
    for b in parts:
        mod, name = type(b).__module__, type(b).__name__
        full = f"{mod}.{name}"
        if mod.startswith("keyrings.alt") or "plaintext" in full.lower():
            raise PlaintextKeyringRefused(
                f"the keyring backend in use ({full}) stores values in a plain file; LaunchReady "
                "refuses to put secrets there",
                keyring_fix("plaintext"),
                full,
            )
        if mod == "keyring.backends.fail":
            raise KeyringUnavailable("no OS keyring was found (NoKeyringError)", keyring_fix("unavailable"), full)
        if mod == "keyring.backends.null":
            raise KeyringUnavailable("the keyring is disabled (null backend)", keyring_fix("unavailable"), full)


def _translate(e: BaseException, backend: str) -> KeyringProblem:
    from keyring import errors as kerr

    text = str(e)
    if isinstance(e, kerr.NoKeyringError):
        return KeyringUnavailable("no OS keyring was found (NoKeyringError)", keyring_fix("unavailable"), backend)
    locked_words = ("prompt dismissed", "locked", "unlock")
    if isinstance(e, kerr.KeyringLocked) or any(w in text.lower() for w in locked_words):
        return KeyringLockedError("the keyring is locked and could not be unlocked", keyring_fix("locked"), backend)
    if isinstance(e, kerr.InitError):
        return KeyringUnavailable(f"the keyring could not start ({text[:200]})", keyring_fix("unavailable"), backend)
    return KeyringProblem(f"the keyring failed ({type(e).__name__}: {text[:200]})", keyring_fix("unavailable"), backend)


# --------------------------------------------------------------------- the model


def parse_cadence(text: str | int | None) -> int | None:
    """'90d', '12w', '3m', '1y' or a number of days -> days. None/'' -> None."""
    if text is None or text == "":
        return None
    if isinstance(text, int) and not isinstance(text, bool):
        days = text
    else:
        m = re.fullmatch(r"\s*(\d+)\s*([dwmy]?)\s*", str(text).lower())
        if not m:
            raise CredentialError(f"'{text}' is not a rotation cadence (use 90d, 12w, 3m or 1y)", "rotate-every")
        days = int(m.group(1)) * {"": 1, "d": 1, "w": 7, "m": 30, "y": 365}[m.group(2)]
    if not 1 <= days <= 3650:
        raise CredentialError(f"a cadence of {days} days is out of range (1 day to 10 years)", "rotate-every")
    return days


def parse_date(text: str | None, field_name: str = "last-rotated") -> str | None:
    if text is None or text == "":
        return None
    try:
        return dt.date.fromisoformat(str(text).strip()).isoformat()
    except ValueError:
        raise CredentialError(f"'{text}' is not a date (use YYYY-MM-DD)", field_name) from None


def validate_id(cid: str) -> str:
    if not ID_RE.match(cid or ""):
        raise CredentialError(
            f"'{cid}' is not a valid credential id (letters, digits, '.', '_' and '-', up to 64)", "id"
        )
    return cid


@dataclass
class Credential:
    """Metadata about one credential. Never holds the value."""

    id: str
    label: str = ""
    reference: str = ""  # where it lives, e.g. "1Password vault Ops > Stripe live key"
    owner: str = ""
    rotate_every_days: int | None = None
    last_rotated: str | None = None  # YYYY-MM-DD
    rotation_notes: str = ""  # how to rotate it
    has_value: bool = False  # a value was stored in the keyring
    created_at: str = ""
    updated_at: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def next_due(self) -> dt.date | None:
        if not self.rotate_every_days or not self.last_rotated:
            return None
        return dt.date.fromisoformat(self.last_rotated) + dt.timedelta(days=self.rotate_every_days)

    def overdue(self, today: dt.date) -> bool:
        due = self.next_due()
        return due is not None and today > due

    def due_soon(self, today: dt.date, days: int = DUE_SOON_DAYS) -> bool:
        due = self.next_due()
        return due is not None and today <= due <= today + dt.timedelta(days=days)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        extra = d.pop("extra")
        d.update({k: v for k, v in extra.items() if k not in d})
        return d

    def public_dict(self) -> dict[str, Any]:
        """For reports and exports: metadata plus the computed next due date."""
        d = self.to_dict()
        due = self.next_due()
        d["next_due"] = due.isoformat() if due else None
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Credential:
        known = set(cls.__dataclass_fields__) - {"extra"}
        cd = cls(**{k: v for k, v in d.items() if k in known})
        cd.extra = {k: v for k, v in d.items() if k not in known and k != "value"}
        return cd


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


# ------------------------------------------------------------------------- store


class CredentialStore:
    """Credential metadata in the state; values only in the OS keyring."""

    def __init__(self, project: str, state: MetadataStore, *,
                 keyring_backend: KeyringBackend | None = None) -> None:
        self.project = project
        self.state = state
        self._kr = keyring_backend

    @classmethod
    def for_profile(cls, profile: Profile, state: MetadataStore | None = None) -> CredentialStore:
        """Does not touch the keyring: that happens on the first value operation."""
        if state is None:
            from launchready_tui.core.state import StateStore

            state = StateStore(profile.state_dir)
        return cls(profile.project, state)

    @property
    def service(self) -> str:
        return f"{SERVICE_PREFIX}{self.project}"

    # -- keyring ------------------------------------------------------------------

    def keyring(self) -> KeyringBackend:
        """The active backend, after refusing unsafe ones. Raises KeyringProblem."""
        if self._kr is None:
            try:
                import keyring

                kr = keyring.get_keyring()
            except Exception as e:  # the backend can fail while initialising
                raise _translate(e, "") from None
        else:
            kr = self._kr
        check_backend(kr)
        return kr

    def backend_name(self) -> str:
        try:
            return _backend_name(self.keyring())
        except KeyringProblem as e:
            return e.backend or "none"

    def _kr_call(self, op: str, *args: Any) -> Any:
        kr = self.keyring()
        try:
            return getattr(kr, op)(self.service, *args)
        except KeyringProblem:
            raise
        except Exception as e:
            from keyring.errors import PasswordDeleteError

            if op == "delete_password" and isinstance(e, PasswordDeleteError):
                return None
            raise _translate(e, _backend_name(kr)) from None

    def get_value(self, cid: str) -> str | None:
        """The stored value, for checks that authenticate. Never log or print it."""
        return self._kr_call("get_password", cid)

    def value_present(self, cid: str) -> bool:
        return self.get_value(cid) is not None

    def _set_value(self, cid: str, value: str) -> None:
        if not value:
            raise CredentialError("the value is empty", "value")
        self._kr_call("set_password", cid, value)

    def _delete_value(self, cid: str) -> None:
        self._kr_call("delete_password", cid)

    # -- metadata -----------------------------------------------------------------

    def _all(self, state: dict[str, Any]) -> dict[str, Any]:
        creds = state.get(STATE_KEY)
        if not isinstance(creds, dict):
            creds = {}
            state[STATE_KEY] = creds
        return creds

    def list(self) -> list[Credential]:
        creds = self.state.load().get(STATE_KEY) or {}
        out = [Credential.from_dict({**v, "id": k}) for k, v in creds.items() if isinstance(v, dict)]
        return sorted(out, key=lambda c: c.id)

    def get(self, cid: str) -> Credential:
        for c in self.list():
            if c.id == cid:
                return c
        raise CredentialError(f"no credential '{cid}' (see `launchready credentials list`)", "id")

    def add(self, cred: Credential, value: str | None = None, *, replace: bool = False) -> Credential:
        """Record a credential; store the value (if any) in the keyring first, so metadata
        never claims a value that is not there."""
        validate_id(cred.id)
        if not replace and any(c.id == cred.id for c in self.list()):
            raise CredentialError(f"credential '{cred.id}' exists already (use --replace or rotate)", "id")
        if value is not None:
            self._set_value(cred.id, value)
            cred.has_value = True
        now = _now()
        cred.created_at = cred.created_at or now
        cred.updated_at = now

        def fn(state: dict[str, Any]) -> dict[str, Any]:
            creds = self._all(state)
            old = creds.get(cred.id)
            if old and not replace:
                raise CredentialError(f"credential '{cred.id}' exists already", "id")
            if old and value is None:
                cred.has_value = bool(old.get("has_value"))
            if old:
                cred.created_at = old.get("created_at") or cred.created_at
            creds[cred.id] = {k: v for k, v in cred.to_dict().items() if k != "id"}
            return state

        try:
            self.state.update(fn)
        except BaseException:
            if value is not None and not replace:
                try:
                    self._delete_value(cred.id)
                except KeyringProblem:
                    pass
            raise
        return cred

    def remove(self, cid: str, *, force: bool = False) -> bool:
        """Forget a credential and delete its keyring entry. Returns True if a keyring
        entry was deleted. Without `force`, a keyring problem stops before anything
        changes, so no value is orphaned in the keyring."""
        cred = self.get(cid)
        deleted = False
        if cred.has_value:
            try:
                deleted = self.get_value(cid) is not None
                self._delete_value(cid)
            except KeyringProblem:
                if not force:
                    raise
                deleted = False

        def fn(state: dict[str, Any]) -> dict[str, Any]:
            self._all(state).pop(cid, None)
            return state

        self.state.update(fn)
        return deleted

    def rotate(self, cid: str, *, when: str | None = None, value: str | None = None) -> Credential:
        """Record a rotation (today by default); replace the stored value if given."""
        cred = self.get(cid)
        date = parse_date(when, "date") or dt.date.today().isoformat()
        if value is not None:
            self._set_value(cid, value)

        def fn(state: dict[str, Any]) -> dict[str, Any]:
            creds = self._all(state)
            cur = creds.get(cid)
            if cur is None:
                raise CredentialError(f"no credential '{cid}'", "id")
            cur["last_rotated"] = date
            cur["updated_at"] = _now()
            if value is not None:
                cur["has_value"] = True
            return state

        self.state.update(fn)
        cred.last_rotated = date
        if value is not None:
            cred.has_value = True
        return cred

    def update_meta(self, cid: str, **changes: Any) -> Credential:
        self.get(cid)

        def fn(state: dict[str, Any]) -> dict[str, Any]:
            cur = self._all(state)[cid]
            cur.update({k: v for k, v in changes.items() if k not in ("id", "value")})
            cur["updated_at"] = _now()
            return state

        self.state.update(fn)
        return self.get(cid)


def inventory(state: dict[str, Any]) -> list[dict[str, Any]]:
    """The secret inventory for the handover: metadata and next due date, never values."""
    creds = state.get(STATE_KEY) or {}
    out = [Credential.from_dict({**v, "id": k}).public_dict() for k, v in creds.items() if isinstance(v, dict)]
    return sorted(out, key=lambda d: d["id"])
