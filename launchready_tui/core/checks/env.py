"""The `env` check: environment variables per environment, and across environments.

Why it exists: one wrong environment variable takes down sign-in or payments. This check
reads each environment's `env_file` (with python-dotenv's parser, so it reads files the
way most apps do) or, with `source: process`, the running process's environment - which
is what CI has. It reports names only; values are compared by keyed hash and never shown.

Per environment: required names present and non-empty; no placeholders; no syntax errors;
no secret in a browser-exposed (`NEXT_PUBLIC_*`, `VITE_*`) variable.
Across environments: no secret shared between production and another environment; no
test keys in production (`fail`); no live keys outside production (`warn`); no debug
settings in production (`warn`).

In CI, set `LAUNCHREADY_ENV_FROM_PROCESS=production` (comma-separated names) to read those
environments from the process environment; environments whose files are absent in that
run are then skipped rather than reported as errors.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import os
import re
import secrets as _pysecrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from launchready_tui.core.checks import secrets as sec
from launchready_tui.core.checks.base import Kind
from launchready_tui.core.registry import MissingInput
from launchready_tui.core.results import CheckResult, errored, failed, passed, skipped, warned

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from launchready_tui.core.checks.secrets.rules import RuleSet
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.profile import Profile

KIND = "env"
PROCESS_OVERRIDE = "LAUNCHREADY_ENV_FROM_PROCESS"
MAX_ENV_BYTES = 1024 * 1024
_PROD_NAMES = ("production", "prod", "live")


class EnvReadError(Exception):
    """An environment could not be read. `reason` and `fix` are plain words."""

    def __init__(self, reason: str, fix: str, *, absent: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.fix, self.absent = reason, fix, absent


@dataclass
class EnvSource:
    """One environment's variables. `values` is never shown, logged or serialized."""

    name: str
    source: str  # "file" | "process"
    where: str  # file name as written in the profile, or "process environment"
    production: bool
    public: bool
    values: dict[str, str] = field(repr=False, default_factory=dict)
    lines: dict[str, int] = field(repr=False, default_factory=dict)
    syntax_errors: list[int] = field(default_factory=list)


def environments(profile: Profile) -> dict[str, dict[str, Any]]:
    envs = profile.get("environments") or {}
    return {str(k): dict(v or {}) for k, v in envs.items()}


def is_production(name: str, conf: dict[str, Any]) -> bool:
    if "production" in conf and conf["production"] is not None:
        return bool(conf["production"])
    return name.lower() in _PROD_NAMES


def _process_names(environ: Mapping[str, str] | None = None) -> set[str]:
    raw = (environ if environ is not None else os.environ).get(PROCESS_OVERRIDE, "")
    return {n.strip() for n in raw.split(",") if n.strip()}


MAX_EXPANDED_VALUE = 64 * 1024  # one value after ${VAR} expansion, at most
MAX_EXPANDED_TOTAL = 4 * MAX_ENV_BYTES  # the whole file after expansion, at most
_NAME_LINE = re.compile(r"^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.]*\s*=", re.M)


def parse_env_text(text: str, *, line_offset: int = 0) -> tuple[dict[str, str], dict[str, int], list[int]]:
    """Parse dotenv text. Returns (values, line of each name, lines with syntax errors).

    `${VAR}` references are expanded from earlier names in the same file only, and
    bounded: a value that would grow past 64 KB (nested `${A}${A}` doubling) is a syntax
    error on its line, not 11 GB of memory. A quote left open that swallows the next
    `NAME=` lines is an error on the line where it opens; the lines after it are read
    as their own variables."""
    from dotenv.parser import parse_stream
    from dotenv.variables import parse_variables

    values: dict[str, str] = {}
    lines: dict[str, int] = {}
    errors: list[int] = []
    total = 0
    for b in parse_stream(io.StringIO(text)):
        line = b.original.line + line_offset
        broken = b.error or ("\n" in (b.value or "") and _swallowed(b.original.string))
        if broken and "\n" in b.original.string.rstrip("\n"):
            errors.append(line)
            # read what the open quote swallowed as the lines it really is
            rest = b.original.string.split("\n", 1)[1]
            v2, l2, e2 = parse_env_text(rest, line_offset=line)
            for k, v in v2.items():
                values[k] = v
                lines[k] = l2[k]
            errors.extend(e2)
            continue
        if b.error:
            errors.append(line)
            continue
        if b.key is None:
            continue
        raw = b.value or ""
        if "$" in raw:
            expanded = _expand(raw, values, parse_variables)
            if expanded is None or total + len(expanded) > MAX_EXPANDED_TOTAL:
                errors.append(line)
                continue
            raw = expanded
        total += len(raw)
        values[b.key] = raw
        lines[b.key] = line
    return values, lines, sorted(set(errors))


def _swallowed(original: str) -> bool:
    """A quoted value spanning lines that contain `NAME=`: an unclosed quote, almost surely."""
    body = original.split("=", 1)[1].lstrip() if "=" in original else ""
    if body[:1] not in ("'", '"'):
        return False
    return bool(_NAME_LINE.search(original.split("\n", 1)[1]))


def _expand(raw: str, values: dict[str, str], parse_variables: Callable[[str], Iterable[Any]]) -> str | None:
    out: list[str] = []
    size = 0
    for atom in parse_variables(raw):
        part = atom.resolve(values) or ""
        size += len(part)
        if size > MAX_EXPANDED_VALUE:
            return None
        out.append(part)
    return "".join(out)


def load_environment(profile: Profile, name: str, conf: dict[str, Any], *, environ: Mapping[str, str] | None = None) -> EnvSource:
    """Read one environment. Raises EnvReadError when it cannot be read."""
    environ = environ if environ is not None else os.environ
    prod, public = is_production(name, conf), bool(conf.get("public"))
    forced = name in _process_names(environ)
    if forced or str(conf.get("source") or "").lower() == "process":
        return EnvSource(name, "process", "process environment", prod, public, values=dict(environ))
    env_file = conf.get("env_file")
    if not env_file:
        raise EnvReadError(
            f"environment '{name}' has no env_file and no `source: process`",
            f"Add `env_file: .env.{name}` (or `source: process` for CI) under "
            f"environments.{name} in launchready.yaml.",
        )
    path = profile.resolve_path(str(env_file))
    shown = str(env_file)
    from launchready_tui.core.safe_read import NotAFileError, TooBigError, read_regular

    try:
        raw = read_regular(path, MAX_ENV_BYTES)  # a device or FIFO is refused at once
    except TooBigError:
        raw = b"x" * (MAX_ENV_BYTES + 1)  # worded below
    except NotAFileError as e:
        raise EnvReadError(f"{shown} {e.reason}", f"Point environments.{name}.env_file at the env file.") from None
    except FileNotFoundError:
        raise EnvReadError(
            f"{shown} does not exist",
            f"Create {shown} with the {name} settings, correct environments.{name}.env_file, "
            f"or in CI set {PROCESS_OVERRIDE}={name} to read the process environment.",
            absent=True,
        ) from None
    except IsADirectoryError:
        raise EnvReadError(f"{shown} is a folder, not a file", f"Point environments.{name}.env_file at the file.") from None
    except OSError as e:
        raise EnvReadError(
            f"{shown} cannot be read ({e.strerror})",
            f"Make {shown} readable by the user running launchready (for example `chmod 600 {shown}` as its owner).",
        ) from None
    if len(raw) > MAX_ENV_BYTES:
        raise EnvReadError(f"{shown} is larger than 1 MB; it is not an env file", f"Check environments.{name}.env_file.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise EnvReadError(
            f"{shown} is not UTF-8 text (line {line})",
            f"Save {shown} as UTF-8 (most editors: File > Save with encoding > UTF-8).",
        ) from None
    values, lines, errors = parse_env_text(text)
    return EnvSource(name, "file", shown, prod, public, values=values, lines=lines, syntax_errors=errors)


# --------------------------------------------------------------------- evaluation


def _required(profile: Profile, params: dict[str, Any]) -> list[str]:
    req = params.get("required")
    if req is None:
        req = profile.get("required_env") or []
    if isinstance(req, str):
        req = [req]
    return [str(r) for r in req]


def targets(profile: Profile, params: dict[str, Any]) -> list[str]:
    envs = environments(profile)
    if not envs:
        raise MissingInput("environments", "each with an env_file, or source: process")
    wanted = params.get("environments") or params.get("environment")
    if isinstance(wanted, str):
        wanted = [wanted]
    names = list(envs)
    if wanted:
        names = [n for n in names if n in {str(w) for w in wanted}]
    return names


def _keyed(key: bytes, value: str) -> bytes:
    return hmac.new(key, value.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()


def _secret_hashes(env: EnvSource, key: bytes, names: list[str] | None, rules: RuleSet) -> dict[bytes, list[str]]:
    out: dict[bytes, list[str]] = {}
    for n, v in env.values.items():
        if names is not None and n not in names:
            continue
        if sec.looks_secret(n, v, rules):
            out.setdefault(_keyed(key, v.strip()), []).append(n)
    return out


def evaluate(
    target: EnvSource,
    others: list[EnvSource],
    required: list[str],
    *,
    not_compared: list[str] | None = None,
) -> CheckResult:
    """Judge one environment against the rules and against the others (pure)."""
    rules = sec.load_rules()
    v = target.values
    process = target.source == "process"
    # In the process environment only the required names (and names the rules care
    # about) are ours; the rest belongs to the machine.
    own = set(required) if process else set(v)
    missing = [n for n in required if n not in v]
    empty = [n for n in required if n in v and not (v[n] or "").strip()]
    present = sorted(n for n in own if n in v and (v[n] or "").strip())
    placeholder = sorted(n for n in own if n in v and sec.is_placeholder(v[n] or "", rules))
    test_keys = sorted(n for n, val in v.items() if any(p.search(val.strip()) for p in rules.test_key))
    live_keys = sorted(n for n, val in v.items() if any(p.search(val.strip()) for p in rules.live_key))
    public_secrets = sorted(n for n, val in v.items() if sec.is_public_name(n, rules) and sec.public_secret(n, val, rules))
    debug = sorted(
        f"{n}={v[n].strip()}" for n, bad in rules.debug_settings.items() if n in v and v[n].strip().lower() in bad
    )
    # Shared secrets: keyed hashes with a per-run random key, so nothing comparable leaves memory.
    key = _pysecrets.token_bytes(32)
    names_scope = list(own) if process else None
    mine = _secret_hashes(target, key, names_scope, rules)
    shared: list[dict[str, str]] = []
    for o in others:
        if not (target.production or o.production) or o.name == target.name:
            continue
        if process and o.source == "process":
            continue  # the same process environment: nothing to compare
        theirs = _secret_hashes(o, key, list(required) if o.source == "process" else None, rules)
        for h, names in mine.items():
            for other_name in theirs.get(h, []):
                for n in names:
                    shared.append({"name": n, "environment": o.name, "other_name": other_name})
    shared.sort(key=lambda d: (d["name"], d["environment"], d["other_name"]))

    ev: dict[str, Any] = {
        "environment": target.name,
        "source": target.source,
        "file": target.where,
        "production": target.production,
        "present": present,
        "missing": missing,
        "empty": empty,
        "placeholder": placeholder,
        "shared_values": shared,
    }
    if target.syntax_errors:
        ev["syntax_error_lines"] = target.syntax_errors
    if test_keys:
        ev["test_keys"] = test_keys
    if live_keys:
        ev["live_keys"] = live_keys
    if public_secrets:
        ev["browser_exposed_secrets"] = public_secrets
    if debug:
        ev["debug_settings"] = debug
    if not_compared:
        ev["not_compared"] = not_compared
    if not required:
        ev["note"] = "required_env is empty in launchready.yaml: presence was not checked"

    label = f"{target.name} ({target.where})"
    problems: list[str] = []
    fixes: list[str] = []
    whys: list[str] = []
    if target.syntax_errors:
        lines = ", ".join(str(n) for n in target.syntax_errors[:10])
        problems.append(f"{target.where} has lines that cannot be parsed: line {lines}")
        fixes.append(
            f"Fix line {lines} of {target.where}: each line must be NAME=value; quote values with "
            "spaces or # and close every quote."
        )
        whys.append("Apps skip lines they cannot parse, so those settings are silently missing.")
    if missing or empty:
        names = missing + empty
        problems.append(f"missing or empty: {', '.join(names)}")
        fixes.append(f"Set {', '.join(names)} in the {target.name} settings ({target.where}).")
        whys.append("A missing setting usually breaks sign-in, payments or email the moment the app uses it.")
    if placeholder:
        problems.append(f"placeholder values in {', '.join(placeholder)}")
        fixes.append(f"Replace the placeholder values of {', '.join(placeholder)} with the real ones.")
        whys.append("A placeholder like 'changeme' is a setting that was never filled in.")
    if test_keys and target.production:
        problems.append(f"test-mode keys in production: {', '.join(test_keys)}")
        from launchready_tui.core.dashboards import test_keys_fix

        fixes.append(test_keys_fix({n: v[n] for n in test_keys}))
        whys.append("With test keys in production, real customers' payments silently do not go through.")
    if public_secrets:
        problems.append(f"secrets in browser-exposed variables: {', '.join(public_secrets)}")
        fixes.append(
            f"Rename {', '.join(public_secrets)} without the public prefix, read them only on the server, "
            "and rotate the secrets."
        )
        whys.append("Variables named NEXT_PUBLIC_* or VITE_* are copied into the JavaScript every visitor downloads.")
    if shared:
        pairs = sorted({f"{d['name']} ({target.name}) = {d['other_name']} ({d['environment']})" for d in shared})
        problems.append(f"secrets shared with another environment: {'; '.join(pairs)}")
        fixes.append(
            "Create separate keys and passwords for each environment (never copy production's), "
            "then rotate the production ones."
        )
        whys.append("A secret shared with staging or development leaks production whenever those leak.")

    warnings_: list[str] = []
    wfix: list[str] = []
    if live_keys and not target.production:
        warnings_.append(f"live keys outside production: {', '.join(live_keys)}")
        wfix.append(f"Use test-mode keys in {target.name} for {', '.join(live_keys)}.")
    if debug and target.production:
        warnings_.append(f"debug settings in production: {', '.join(debug)}")
        wfix.append(f"Turn off {', '.join(d.split('=')[0] for d in debug)} in production (e.g. DEBUG=false, NODE_ENV=production).")
    if not v and not process:
        warnings_.append(f"{target.where} defines no variables")
        wfix.append(f"Fill {target.where} with the {target.name} settings.")

    if problems:
        summary = f"{label}: " + "; ".join(problems)
        if warnings_:
            summary += "; also " + "; ".join(warnings_)
        return failed(KIND, target.name, summary, why=" ".join(whys), fix=" ".join(fixes + wfix), evidence=ev)
    if warnings_:
        why = "Live keys outside production mean tests can charge real cards or email real customers; " \
            "debug mode in production shows internals and slows the app."
        if not v and not process:
            why = "An empty settings file means the app runs with none of its settings."
        return warned(KIND, target.name, f"{label}: " + "; ".join(warnings_), why=why, fix=" ".join(wfix), evidence=ev)
    summary = f"{label}: all {len(required)} required variable(s) set, no placeholders or shared secrets"
    if not required:
        summary = f"{label}: no placeholders, test keys or shared secrets (no required_env listed)"
    return passed(KIND, target.name, summary, evidence=ev)


def run(profile: Profile, target: str, params: dict[str, Any], environ: Mapping[str, str] | None = None) -> CheckResult:
    environ = environ if environ is not None else os.environ
    envs = environments(profile)
    conf = envs.get(target)
    if conf is None:
        return errored(
            KIND,
            target,
            f"no environment named '{target}' in launchready.yaml",
            fix=f"Add environments.{target} to launchready.yaml or correct the check's target.",
        )
    forced = _process_names(environ)
    try:
        me = load_environment(profile, target, conf, environ=environ)
    except EnvReadError as e:
        if e.absent and forced and target not in forced:
            return skipped(KIND, target, f"{e.reason}; this run reads only {', '.join(sorted(forced))} from the process environment")
        return errored(KIND, target, e.reason, fix=e.fix, evidence={"environment": target})
    others: list[EnvSource] = []
    not_compared: list[str] = []
    for name, oc in envs.items():
        if name == target:
            continue
        if not (me.production or is_production(name, oc)):
            continue
        try:
            others.append(load_environment(profile, name, oc, environ=environ))
        except EnvReadError as e:
            not_compared.append(f"{name}: {e.reason}")
    return evaluate(me, others, _required(profile, params), not_compared=not_compared)


async def check(ctx: CheckContext, target: str, params: dict[str, Any]) -> CheckResult:
    return await asyncio.to_thread(run, ctx.profile, target, params)


class EnvEvidence(TypedDict, total=False):
    """What `check` puts in a result's evidence (the handover reads these keys)."""

    missing: list[str]
    placeholders: list[str]
    shared: list[str]
    test_keys: list[str]
    live_keys: list[str]


CHECK_KIND = Kind(
    name="env",
    family="secrets",
    title="Env vars",
    plain="every setting exists in every environment",
    about="env vars present, separated, no test keys",
    check=check,
    targets=targets,
    schema={"environments": ("map", {"url": "str", "env_file": "str", "source": "str", "public": "bool", "production": "bool"}), "required_env": ("list", "str")},
    evidence=EnvEvidence,
    shown=("missing", "placeholders", "shared", "test_keys", "live_keys"),
)
