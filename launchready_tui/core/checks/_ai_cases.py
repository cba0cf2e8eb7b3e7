"""`ai_probe`'s attack cases: the shipped case file (`core/data/ai_cases.yaml`) read and
checked once, so a broken file is one clear error naming the case, never a traceback mid-run.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Case:
    id: str
    category: str
    detector: str
    prompt: str


DETECTORS = ("canary", "tools", "secrets")


class CasesError(ValueError):
    """The shipped case file cannot be used; the message names the file, the case and what is wrong."""


@functools.lru_cache(maxsize=1)
def load_cases() -> tuple[Case, ...]:
    text = resources.files("launchready_tui.core.data").joinpath("ai_cases.yaml").read_text("utf-8")
    return parse_cases(text)


def parse_cases(text: str) -> tuple[Case, ...]:
    """The cases of an ai_cases.yaml text. Raises CasesError naming the case (number and
    id) and the field for a bad entry, a duplicate id or broken YAML (aliases bounded)."""
    from launchready_tui.core.yamlpos import YamlSyntaxError, load_with_lines

    where = "ai_cases.yaml"
    try:
        data, _lines = load_with_lines(text)
    except YamlSyntaxError as e:
        raise CasesError(f"{where} is not valid YAML: {e}") from None
    cases = (data or {}).get("cases") if isinstance(data, dict) else None
    if not isinstance(cases, list) or not cases:
        raise CasesError(f"{where} needs `cases:` as a list of attack cases")
    out: list[Case] = []
    seen: set[str] = set()
    for n, c in enumerate(cases, 1):
        if not isinstance(c, dict):
            raise CasesError(f"{where}: case {n} is not a mapping with id, category, detector and prompt")
        for key in ("id", "category", "detector", "prompt"):
            if not isinstance(c.get(key), str) or not c[key].strip():
                raise CasesError(f"{where}: case {n} ({c.get('id', 'no id')}) has no `{key}` text")
        if c["detector"] not in DETECTORS:
            raise CasesError(f"{where}: case {n} ({c['id']}) has detector `{c['detector']}`; it must be one of "
                             + ", ".join(DETECTORS))
        if c["id"] in seen:
            raise CasesError(f"{where}: the id {c['id']} is used twice (case {n})")
        seen.add(c["id"])
        out.append(Case(c["id"], c["category"], c["detector"], c["prompt"]))
    return tuple(out)



def _round_robin(cases: list[Case], limit: int) -> list[Case]:
    """`limit` cases taken in turn from each category, so a short run still covers them all."""
    by_cat: dict[str, list[Case]] = {}
    for c in cases:
        by_cat.setdefault(c.category, []).append(c)
    out: list[Case] = []
    while len(out) < limit:
        for group in by_cat.values():
            if group and len(out) < limit:
                out.append(group.pop(0))
    return out
