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
