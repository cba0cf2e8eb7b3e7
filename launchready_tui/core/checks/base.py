"""One object per check kind: everything LaunchReady knows about a kind, in the kind's module.

A check module ends with

    CHECK_KIND = Kind(
        name="dns", family="edge", title="DNS", plain="each name points somewhere",
        about="host names resolve; the domain map",
        check=check, targets=targets, deadline_fn=deadline,
        schema={"hosts": ("map", "str")}, evidence=DnsEvidence, shown=("a", "aaaa"),
    )

and `core/registry.py` finds it there (no list to edit elsewhere). The fields:

* `name`      - the `kind:` runbooks use (a contract: never renamed);
* `family`    - edge, email, secrets, perf, ops: groups kinds in the handover;
* `title`, `plain` - the step view's line, "DNS check: each name points somewhere";
* `about`     - a short note for engineers (runbook listings, the handover's runbooks);
* `schema`    - the profile keys the kind reads, in `core/profile.py`'s schema language;
  merged into the profile's schema, so a new key needs no edit there;
* `targets(profile, params)` - what to check: `Target`s (an id plus the data the check
  needs) or plain strings; raise `registry.MissingInput(key)` when the profile lacks it;
* `check(ctx, target, params)` - async, returns a `CheckResult`, never raises for a finding;
* `deadline_fn(params, timeout_s)` - the overall time budget (default: 4 x the timeout);
* `evidence`  - a `TypedDict` of what the check puts in `CheckResult.evidence`;
* `shown`, `hidden` - evidence keys the handover shows first / leaves in the state file;
* `handover`  - optional: a function that adds the kind's own section to the handover.

Nothing here imports a check module: the registry keeps a cheap index of these fields so
`launchready check` imports only the kinds it runs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from launchready_tui.core.results import CheckResult

DEFAULT_DEADLINE_FACTOR = 4.0


class Target(str):
    """A check target: its id (the string itself, as results and keys show it) plus the
    data the check needs (a route's settings, an environment's file), so a check does not
    look its settings up again by URL."""

    data: Mapping[str, Any]

    def __new__(cls, id: str, data: Mapping[str, Any] | None = None) -> Target:
        self = super().__new__(cls, id)
        self.data = dict(data or {})
        return self

    @property
    def id(self) -> str:
        return str.__str__(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Target, (self.id, dict(self.data)))


def target_data(target: str, lookup: Callable[[], Mapping[str, Any]]) -> dict[str, Any]:
    """The data a `Target` carries; for a plain string (a target named in the runbook's
    `targets:`), what `lookup()` finds for it."""
    if isinstance(target, Target) and target.data:
        return dict(target.data)
    return dict(lookup())


CheckFn = Callable[[Any, str, dict[str, Any]], Awaitable["CheckResult"]]
TargetsFn = Callable[[Any, dict[str, Any]], Iterable[str]]
DeadlineFn = Callable[[dict[str, Any], float], float]


@dataclass(frozen=True)
class Kind:
    name: str
    family: str
    title: str
    plain: str
    about: str
    check: CheckFn
    targets: TargetsFn | None = None
    deadline_fn: DeadlineFn | None = None
    schema: Mapping[str, Any] = field(default_factory=dict)
    evidence: type | None = None
    shown: tuple[str, ...] = ()
    hidden: frozenset[str] = frozenset()
    handover: Callable[..., Any] | None = None
    module: str = ""

    def step_line(self) -> str:
        """The step view's one line: "DNS check: each name points somewhere"."""
        return f"{self.title} check: {self.plain}" if self.plain else f"{self.title} check"

    def deadline(self, params: dict[str, Any], timeout_s: float) -> float:
        if self.deadline_fn is not None:
            return float(self.deadline_fn(params, timeout_s))
        return timeout_s * DEFAULT_DEADLINE_FACTOR

    def plan_targets(self, profile: Any, params: dict[str, Any]) -> list[Target]:
        """The kind's targets as `Target`s (plain strings become targets without data)."""
        if self.targets is None:
            return []
        return [t if isinstance(t, Target) else Target(str(t)) for t in self.targets(profile, params)]


def merge_schema(into: dict[str, Any], fragment: Mapping[str, Any], where: str = "") -> dict[str, Any]:
    """Merge a kind's schema fragment into a schema (structs merge key by key; any other
    type must be the same wherever two kinds name one key)."""
    for key, t in fragment.items():
        path = f"{where}.{key}" if where else key
        if key not in into:
            into[key] = dict(t) if isinstance(t, Mapping) else t
        elif isinstance(into[key], dict) and isinstance(t, Mapping):
            into[key] = merge_schema(dict(into[key]), t, path)
        elif into[key] != t:
            raise ValueError(f"profile key {path}: two kinds give it different types")
    return into
