"""The secrets package's public face: what other modules (the registry, the `env` check,
the redaction module, the bench) import from `launchready_tui.core.checks.secrets`."""

from __future__ import annotations

import subprocess
import sys

from launchready_tui.core.checks import secrets as sec
from tests.unit.test_secrets_rules import STRIPE, r


def test_all_matches_what_is_exported():
    for name in sec.__all__:
        assert hasattr(sec, name), name
    public = {n for n in vars(sec) if not n.startswith("_") and not isinstance(getattr(sec, n), type(sys))}
    public -= {"annotations"}
    assert public == set(sec.__all__)


def test_submodules_are_not_shadowed():
    import sys as _sys

    assert sec.classify is _sys.modules["launchready_tui.core.checks.secrets.classify"]
    assert sec.rules is _sys.modules["launchready_tui.core.checks.secrets.rules"]


def test_registry_module_shape():
    from launchready_tui.core import registry

    kind = registry.load_kind("secrets")  # issue 12: the kind object the package declares
    assert kind.module == sec.__name__ and kind.name == sec.CHECK_KIND.name
    assert kind.check is sec.check and kind.targets is sec.targets and kind.deadline_fn is sec.deadline


def test_compiled_rules_is_cached_and_shared():
    assert sec.compiled_rules() is sec.load_rules()
    assert any(rule.id == "generic-secret" for rule in sec.compiled_rules().rules)


def test_find_secrets_gives_offsets_not_values():
    gh = "ghp_" + r(36)
    text = f"a = '{STRIPE}'\nb = \"{gh}\"\n"
    found = sec.find_secrets(text)
    assert [(text[m.start : m.end], m.rule) for m in found] == [
        (STRIPE, "stripe-live-secret-key"),
        (gh, "github-token"),
    ]
    assert all(STRIPE not in repr(m) and gh not in repr(m) for m in found)


def test_find_secrets_resolves_overlaps_to_the_specific_rule():
    text = f"STRIPE_SECRET_KEY = '{STRIPE}'"
    (m,) = sec.find_secrets(text)
    assert m.rule == "stripe-live-secret-key" and text[m.start : m.end] == STRIPE


def test_classify():
    from launchready_tui.core.checks.secrets.classify import classify

    assert classify(STRIPE) == sec.Verdict("secret", "stripe-live-secret-key")
    assert classify("changeme", "SESSION_SECRET").kind == "placeholder"
    assert classify(r(32), "SESSION_SECRET") == sec.Verdict("secret", "secret-name")
    assert classify("production", "NODE_ENV").kind == "plain"
    assert classify("").kind == "plain"


def test_importing_the_package_does_not_read_the_rules():
    code = (
        "import sys, launchready_tui.core.checks.secrets as s\n"
        "assert s.load_rules.cache_info().currsize == 0\n"
        "assert 'yaml' not in sys.modules, 'rules read at import'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _literal_first(pattern: str) -> bool:
    """True when the regex starts with a literal character: Python's engine then skips
    through the text at C speed instead of trying the pattern at every position."""
    import re._parser as sre_parse  # type: ignore[import-not-found]

    items = list(sre_parse.parse(pattern))
    while items:
        op, av = items[0]
        name = str(op)
        if name == "LITERAL":
            return True
        if name == "SUBPATTERN":
            items = list(av[-1])
            continue
        return False
    return False


def test_every_rule_is_cheap_on_text_it_cannot_match():
    """Each rule starts with a literal, or runs only after a keyword or prefilter hit:
    no rule tries its pattern at every position of every file (issue 16's rule count
    doubled without slowing the scan)."""
    slow = []
    for rule in sec.load_rules().rules:
        if rule.by_keyword:
            pats = [(fast or slow_rx).pattern for _k, fast, slow_rx in rule.by_keyword]
        else:
            pats = [(rule.regex_lower or rule.regex).pattern]
        gated = bool(rule.keywords and not rule.by_keyword) or rule.prefilter is not None
        if not gated and not all(_literal_first(p) for p in pats):
            slow.append(rule.id)
    assert not slow, f"rules that scan every position: {slow}"
