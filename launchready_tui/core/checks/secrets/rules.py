"""Loading the secret rules (`core/secret_rules.yaml`) into compiled patterns.

Why it exists: one place turns the reviewed YAML into `Rule` and `RuleSet` objects, so the
scanner, the `env` check and the redaction module all use the same patterns. The file is
read on first use (`load_rules` is cached), never at import: `launchready check` start-up
stays cheap.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

__all__ = ["Rule", "RuleSet", "compiled_rules", "load_rules", "parse_rules"]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    regex: re.Pattern[str]
    # For case-insensitive rules: the same pattern without (?i), run on lowered text
    # (several times faster in Python's regex engine than an IGNORECASE scan).
    regex_lower: re.Pattern[str] | None
    group: int
    keywords: tuple[str, ...]
    keywords_ci: bool
    name_group: int | None
    min_entropy: float | None
    validate: str | None
    severity: str
    why: str
    fix: str

    @property
    def priority(self) -> int:
        """When two rules flag the same value on the same line, the lower number wins."""
        return {"public-env-secret": 0, "generic-secret": 2}.get(self.id, 1)


@dataclass(frozen=True, eq=False)
class RuleSet:
    rules: tuple[Rule, ...]
    test_key: tuple[re.Pattern[str], ...]
    live_key: tuple[re.Pattern[str], ...]
    placeholder: tuple[re.Pattern[str], ...]
    public_prefixes: tuple[str, ...]
    secret_name_parts: tuple[str, ...]
    public_name_parts: tuple[str, ...]
    debug_settings: dict[str, tuple[str, ...]]

    @functools.cached_property
    def keywords_cs(self) -> frozenset[str]:
        return frozenset(k for r in self.rules if not r.keywords_ci for k in r.keywords)

    @functools.cached_property
    def keywords_ci(self) -> frozenset[str]:
        return frozenset(k for r in self.rules if r.keywords_ci for k in r.keywords)

    def by_id(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


def parse_rules(data: dict[str, Any]) -> RuleSet:
    rules = []
    for r in data["rules"]:
        rules.append(
            Rule(
                id=r["id"],
                title=r["title"],
                regex=re.compile(r["regex"]),
                regex_lower=re.compile(r["regex"][4:]) if r["regex"].startswith("(?i)") else None,
                group=int(r.get("group", 0)),
                keywords=tuple(str(k).lower() if r.get("keywords_ci") else str(k) for k in r.get("keywords") or ()),
                keywords_ci=bool(r.get("keywords_ci")),
                name_group=r.get("name_group"),
                min_entropy=r.get("min_entropy"),
                validate=r.get("validate"),
                severity=r.get("severity", "fail"),
                why=" ".join(str(r.get("why", "")).split()),
                fix=" ".join(str(r.get("fix", "")).split()),
            )
        )
    v = data.get("values") or {}

    def pats(key: str, flags: int = 0) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, flags) for p in v.get(key) or ())

    return RuleSet(
        rules=tuple(rules),
        test_key=pats("test_key_patterns"),
        live_key=pats("live_key_patterns"),
        placeholder=pats("placeholder_patterns", re.IGNORECASE),
        public_prefixes=tuple(v.get("public_prefixes") or ()),
        secret_name_parts=tuple(s.upper() for s in v.get("secret_name_parts") or ()),
        public_name_parts=tuple(s.upper() for s in v.get("public_name_parts") or ()),
        debug_settings={k: tuple(str(x).lower() for x in vals) for k, vals in (v.get("debug_settings") or {}).items()},
    )


@functools.cache
def load_rules() -> RuleSet:
    """The shipped rule file (inside the package, so it is in the wheel)."""
    import yaml

    text = resources.files("launchready_tui.core").joinpath("secret_rules.yaml").read_text("utf-8")
    return parse_rules(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))  # noqa: S506



def compiled_rules() -> RuleSet:
    """The shipped rules, compiled and cached: the stable entry point for other modules
    (the redaction module, the `env` check)."""
    return load_rules()
