"""The `secrets` check: keys and passwords in code, built bundles and logs.

A package split by job; this module re-exports the public names, so
`launchready_tui.core.checks.secrets` is what the registry, the `env` check, the bench
and the tests import:

- `rules`     loads `core/secret_rules.yaml` into compiled patterns (lazily, cached);
- `classify`  "looks like a secret / looks like words / placeholder":
              `classify.classify(value, name)` and `find_secrets(text)` (offsets, for
              redaction); the function `classify` is not re-exported here, so
              `secrets.classify` stays the module;
- `scan`      files, bundles, source maps and logs, with caps and skip reasons;
- `check`     the registered check: targets, deadline, check, evaluate.

A finding names the file, line, rule and a fingerprint (first 4 characters plus a short
hash) - never the value.
"""

from launchready_tui.core.checks.secrets.check import (
    AREAS,
    CHECK_KIND,
    KIND,
    MAX_FINDINGS_SHOWN,
    check,
    deadline,
    evaluate,
    run_scan,
    targets,
)
from launchready_tui.core.checks.secrets.classify import (
    _FAKE,  # noqa: F401 - the rule tests keep their samples away from it
    SecretMatch,
    Verdict,
    find_secrets,
    fingerprint,
    is_placeholder,
    is_public_name,
    iter_matches,
    looks_secret,
    match_value,
    public_secret,
    random_like,
    secret_name,
    shannon,
)
from launchready_tui.core.checks.secrets.rules import (
    Rule,
    RuleSet,
    compiled_rules,
    load_rules,
    parse_rules,
)
from launchready_tui.core.checks.secrets.scan import (
    DEFAULT_MAX_FILE_MB,
    DEFAULT_MAX_FILES,
    DEFAULT_MAX_SECONDS,
    DEFAULT_SKIP_DIRS,
    Finding,
    Needle,
    Scanner,
    ScanReport,
)

__all__ = [
    "AREAS",
    "CHECK_KIND",
    "DEFAULT_MAX_FILES",
    "DEFAULT_MAX_FILE_MB",
    "DEFAULT_MAX_SECONDS",
    "DEFAULT_SKIP_DIRS",
    "KIND",
    "MAX_FINDINGS_SHOWN",
    "Finding",
    "Needle",
    "Rule",
    "RuleSet",
    "ScanReport",
    "Scanner",
    "SecretMatch",
    "Verdict",
    "check",
    "compiled_rules",
    "deadline",
    "evaluate",
    "find_secrets",
    "fingerprint",
    "is_placeholder",
    "is_public_name",
    "iter_matches",
    "load_rules",
    "looks_secret",
    "match_value",
    "parse_rules",
    "public_secret",
    "random_like",
    "run_scan",
    "secret_name",
    "shannon",
    "targets",
]
