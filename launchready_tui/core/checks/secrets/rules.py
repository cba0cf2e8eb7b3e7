"""Loading the secret rules (`core/secret_rules.yaml`) into compiled patterns.

Why it exists: one place turns the reviewed YAML into `Rule` and `RuleSet` objects, so the
scanner, the `env` check and the redaction module all use the same patterns. The file is
read on first use (`load_rules` is cached), never at import: `launchready check` start-up
stays cheap.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator
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
    # For `{kw}` rules: one search per keyword, each starting with that literal (Python's
    # engine only skips ahead fast on a literal prefix): (keyword, pattern for lowered
    # text or None, pattern for the original text).
    by_keyword: tuple[tuple[str, re.Pattern[str] | None, re.Pattern[str]], ...]
    # Optional cheap regex that must be found in the text before the rule runs at all.
    prefilter: re.Pattern[str] | None
    # The capture group(s) holding the secret: the first one that took part in the match.
    groups: tuple[int | str, ...]
    keywords: tuple[str, ...]
    keywords_ci: bool
    name_group: int | None
    min_entropy: float | None
    validate: str | None
    severity: str
    why: str
    fix: str

    def finditer(self, text: str, lower: str | None = None) -> Iterator[re.Match[str]]:
        """The raw matches (not yet validated). `lower` is `text.lower()`: case-insensitive
        rules run on it when it has the same length (offsets then agree)."""
        fast = lower is not None and len(lower) == len(text) and self.regex_lower is not None
        if self.by_keyword:
            if fast:
                return itertools.chain.from_iterable(
                    rx.finditer(lower) for _k, rx, _s in self.by_keyword if rx is not None  # type: ignore[arg-type]
                )
            return itertools.chain.from_iterable(slow.finditer(text) for _k, _f, slow in self.by_keyword)
        if fast:
            return self.regex_lower.finditer(lower)  # type: ignore[union-attr,arg-type]
        return self.regex.finditer(text)

    @property
    def group(self) -> int | str:
        """The first (usually only) secret group."""
        return self.groups[0]

    def span(self, m: re.Match[str]) -> tuple[int, int]:
        """Where the secret is in a match of this rule ((-1, -1) when no group took part)."""
        for g in self.groups:
            a, b = m.span(g)
            if a >= 0:
                return a, b
        return -1, -1

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
    public_values: tuple[re.Pattern[str], ...]
    specific_prefixes: tuple[str, ...]
    public_prefixes: tuple[str, ...]
    secret_name_parts: tuple[str, ...]
    public_name_parts: tuple[str, ...]
    debug_settings: dict[str, tuple[str, ...]]

    # The keywords searched once per text (rules with `{kw}` run one literal-first search
    # per keyword instead, which is cheaper than looking for the keyword first).
    @functools.cached_property
    def keywords_cs(self) -> frozenset[str]:
        return frozenset(k for r in self.rules if not r.keywords_ci and not r.by_keyword for k in r.keywords)

    @functools.cached_property
    def keywords_ci(self) -> frozenset[str]:
        return frozenset(k for r in self.rules if r.keywords_ci and not r.by_keyword for k in r.keywords)

    def by_id(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


def _groups(value: Any) -> tuple[int | str, ...]:
    items = value if isinstance(value, list) else [value]
    return tuple(int(g) if isinstance(g, int) or str(g).isdigit() else str(g) for g in items)


def parse_rules(data: dict[str, Any]) -> RuleSet:
    rules = []
    for r in data["rules"]:
        keywords = tuple(str(k).lower() if r.get("keywords_ci") else str(k) for k in r.get("keywords") or ())
        src = str(r["regex"])
        ci = src.startswith("(?i)")
        by_keyword: tuple[tuple[str, re.Pattern[str] | None, re.Pattern[str]], ...] = ()
        if "{kw}" in src:
            if ci != bool(r.get("keywords_ci")) or not keywords:
                raise ValueError(f"rule {r['id']}: {{kw}} needs keywords (keywords_ci with a (?i) regex)")
            variants = [src.replace("{kw}", re.escape(k)) for k in keywords]
            by_keyword = tuple(
                (k, re.compile(v[4:]) if ci else None, re.compile(v)) for k, v in zip(keywords, variants, strict=True)
            )
            src = variants[0]
        rules.append(
            Rule(
                id=r["id"],
                title=r["title"],
                regex=re.compile(src),
                regex_lower=re.compile(src[4:]) if src.startswith("(?i)") else None,
                by_keyword=by_keyword,
                prefilter=re.compile(r["prefilter"]) if r.get("prefilter") else None,
                groups=_groups(r.get("group", 0)),
                keywords=keywords,
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
        public_values=pats("public_value_patterns"),
        specific_prefixes=tuple(str(x) for x in v.get("specific_prefixes") or ()),
        public_prefixes=tuple(v.get("public_prefixes") or ()),
        secret_name_parts=tuple(s.upper() for s in v.get("secret_name_parts") or ()),
        public_name_parts=tuple(s.upper() for s in v.get("public_name_parts") or ()),
        debug_settings={k: tuple(str(x).lower() for x in vals) for k, vals in (v.get("debug_settings") or {}).items()},
    )


@functools.cache
def load_rules() -> RuleSet:
    """The shipped rule file (inside the package, so it is in the wheel)."""
    from pathlib import Path

    from launchready_tui.core.parse_cache import cached_parse

    src = resources.files("launchready_tui.core").joinpath("secret_rules.yaml")
    data = src.read_bytes()

    def parse() -> Any:
        import yaml

        return yaml.load(data.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506

    # The parsed file is cached by content like profiles and runbooks: a warm `launchready
    # check` does not import PyYAML for it (the redaction of every run needs the rules).
    return parse_rules(cached_parse("secret-rules", Path(str(src)), data, parse))



def compiled_rules() -> RuleSet:
    """The shipped rules, compiled and cached: the stable entry point for other modules
    (the redaction module, the `env` check)."""
    return load_rules()
