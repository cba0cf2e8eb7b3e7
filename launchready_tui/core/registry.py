"""The check kinds, found where they are declared: each kind's module under `core/checks/`.

A check module declares one `CHECK_KIND = Kind(...)` (see `core/checks/base.py`); there is no
list to edit elsewhere. Finding the kinds means importing every check module, which costs
more than `launchready check`'s whole start-up, so the registry keeps a small index
(`KindRef`: name, module path, family, titles, schema fragment and the handover's evidence
keys) pickled in the user's cache folder, keyed by the size and mtime of every file under
`core/checks/`. A warm start reads the index and imports only the kinds it runs; an edited
or added check module rebuilds it. Any problem with the cache falls back to importing.

A module that defines `check` and `targets` but no `CHECK_KIND` still runs (as a kind named after
the module, with no plain title) so work in progress keeps working; the registry tests fail
for it until it declares its `CHECK_KIND`.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import pickle
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from launchready_tui.core.checks.base import Kind

CHECKS_PACKAGE = "launchready_tui.core.checks"
_NOT_KINDS = {"base"}  # modules of core/checks/ that are the kinds' shared parts


@dataclass(frozen=True)
class KindRef:
    """What the registry knows about a kind without importing its module."""

    name: str
    module: str | None
    family: str
    about: str
    title: str = ""
    plain: str = ""
    schema: Mapping[str, Any] = field(default_factory=dict)
    shown: tuple[str, ...] = ()
    hidden: frozenset[str] = frozenset()
    declared: bool = True  # False: the module has no KIND yet (see the module docstring)
    handover: bool = False  # the kind names its own handover section (`Kind.handover`)

    def step_line(self) -> str:
        name = self.title or self.name.replace("_", " ").capitalize()
        about = self.plain or self.about
        return f"{name} check: {about}" if about else f"{name} check"


class MissingInput(Exception):
    """A check's inputs are not in the profile: the check is skipped, naming the key."""

    def __init__(self, key: str, hint: str = "") -> None:
        self.key = key
        msg = f"fill in `{key}` in launchready.yaml to run this check"
        if hint:
            msg += f" ({hint})"
        super().__init__(msg)


class NotAvailable(Exception):
    pass


# ------------------------------------------------------------------------------ discovery


def _checks_dir() -> Path:
    return Path(__file__).resolve().parent / "checks"


def check_modules(root: Path | None = None, package: str = CHECKS_PACKAGE) -> list[str]:
    """Every public module under core/checks/ (files and packages; `_private` ones and
    the shared `base` are not kinds), without importing any."""
    root = root or _checks_dir()
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(("_", ".")))
        rel = Path(dirpath).relative_to(root).parts
        prefix = ".".join((package, *rel))
        for f in sorted(filenames):
            if not f.endswith(".py"):
                continue
            stem = f[:-3]
            if stem == "__init__":
                if rel:
                    out.append(prefix)
            elif not stem.startswith("_") and not (not rel and stem in _NOT_KINDS):
                out.append(f"{prefix}.{stem}")
    return out


def _fingerprint(root: Path) -> str:
    from launchready_tui import __version__

    h = hashlib.sha256(__version__.encode())
    for p in (Path(__file__), root.parent / "profile.py"):
        st = p.stat()
        h.update(f"{p.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for f in sorted(filenames):
            if f.endswith(".py"):
                st = os.stat(os.path.join(dirpath, f))
                h.update(f"{dirpath}/{f}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:24]


def index_fingerprint() -> str:
    """Changes whenever a file under core/checks/ (or the registry, or the profile) does."""
    return _fingerprint(_checks_dir())


def _ref(kind: Kind, module: str) -> KindRef:
    return KindRef(kind.name, module, kind.family, kind.about, kind.title, kind.plain, kind.schema,
                   tuple(kind.shown), frozenset(kind.hidden), handover=kind.handover is not None)


def discover(root: Path | None = None, package: str = CHECKS_PACKAGE
             ) -> tuple[dict[str, KindRef], dict[str, str]]:
    """Import every check module and collect the kinds: ({name: KindRef}, {module: error})."""
    from launchready_tui.core.checks.base import Kind

    refs: dict[str, KindRef] = {}
    problems: dict[str, str] = {}
    kind_packages: list[str] = []
    for modname in check_modules(root, package):
        if any(modname.startswith(p + ".") for p in kind_packages):
            continue  # a part of a kind that is a package (secrets/scan.py, ...)
        try:
            mod = importlib.import_module(modname)
        except Exception as e:  # noqa: BLE001 - reported by `problems` and the tests
            problems[modname] = f"{type(e).__name__}: {e}"
            continue
        kind = getattr(mod, "CHECK_KIND", None)
        if isinstance(kind, Kind):
            if hasattr(mod, "__path__"):
                kind_packages.append(modname)
            if kind.name in refs and refs[kind.name].module != modname:
                problems[modname] = f"kind {kind.name!r} is also declared in {refs[kind.name].module}"
                continue
            refs[kind.name] = _ref(kind, modname)
        elif callable(getattr(mod, "check", None)) and callable(getattr(mod, "targets", None)):
            name = modname.rsplit(".", 1)[-1]
            refs.setdefault(name, KindRef(name, modname, "", "", declared=False))
    return refs, problems


def _cache_file(fp: str) -> Path:
    from launchready_tui.core.parse_cache import cache_dir

    return cache_dir() / f"kinds-{fp}.pickle"


def _load_index() -> dict[str, KindRef]:
    root = _checks_dir()
    f: Path | None = None
    try:
        f = _cache_file(index_fingerprint())
        with open(f, "rb") as fh:
            refs = pickle.load(fh)
        if isinstance(refs, dict) and all(isinstance(r, KindRef) for r in refs.values()):
            return refs
    except Exception:  # noqa: BLE001 - no cache, or an unreadable one: build it
        pass
    refs, _ = discover(root)
    if f is not None:
        try:
            f.parent.mkdir(parents=True, exist_ok=True)
            tmp = f.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(pickle.dumps(refs))
            os.replace(tmp, f)
        except OSError:
            pass
    return refs


class _Kinds(MutableMapping[str, KindRef]):
    """`KINDS`: name -> KindRef, read from the index on first use (tests may add kinds)."""

    def __init__(self) -> None:
        self._refs: dict[str, KindRef] | None = None

    def _all(self) -> dict[str, KindRef]:
        if self._refs is None:
            self._refs = _load_index()
        return self._refs

    def __getitem__(self, name: str) -> KindRef:
        return self._all()[name]

    def __setitem__(self, name: str, ref: KindRef) -> None:
        self._all()[name] = ref

    def __delitem__(self, name: str) -> None:
        del self._all()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


KINDS: MutableMapping[str, KindRef] = _Kinds()
_loaded: dict[tuple[str, str | None], Kind] = {}


def load_kind(name: str) -> Kind:
    """The kind object, importing its module (the first time only)."""
    ref = KINDS[name]
    if ref.module is None:
        raise NotAvailable(name)
    got = _loaded.get((name, ref.module))
    if got is not None:
        return got
    try:
        mod = importlib.import_module(ref.module)
    except ModuleNotFoundError as e:
        if e.name and ref.module.startswith(e.name):
            raise NotAvailable(name) from None
        raise
    from dataclasses import replace

    from launchready_tui.core.checks.base import Kind

    kind = getattr(mod, "CHECK_KIND", None)
    if not isinstance(kind, Kind):  # a module without CHECK_KIND yet (see the module docstring)
        # looked up on every call, so a test's monkeypatch of the module's functions holds
        kind = Kind(name, ref.family, ref.title, ref.plain, ref.about,
                    check=lambda ctx, target, params: mod.check(ctx, target, params),
                    targets=lambda profile, params: mod.targets(profile, params),
                    deadline_fn=(lambda params, timeout_s: mod.deadline(params, timeout_s))
                    if callable(getattr(mod, "deadline", None)) else None)
    kind = replace(kind, module=ref.module)
    _loaded[(name, ref.module)] = kind
    return kind


def schema_fragments() -> list[Mapping[str, Any]]:
    """Every kind's profile keys, for `core/profile.py` to merge into its schema."""
    return [ref.schema for ref in KINDS.values() if ref.schema]
