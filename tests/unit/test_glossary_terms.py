"""Every word a founder may not know, used by a check's text or a runbook, has a
glossary entry (issue 21). The words are listed in docs/glossary-terms.txt; the texts
are every string literal the check modules (and the secret rules and the problems
list) can show, and every bundled runbook."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from launchready_tui.core import glossary

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "launchready_tui"


def _literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def founder_texts() -> dict[str, str]:
    """Source -> text: the string literals of every check module (summaries, why, fix;
    f-strings' fixed parts included), the secret rules and problem texts, the runbooks."""
    out: dict[str, str] = {}
    sources = [*sorted((PKG / "core" / "checks").rglob("*.py")), *sorted((PKG / "core" / "problems").glob("*.py"))]
    for p in sources:
        out[str(p.relative_to(ROOT))] = "\n".join(_literals(p))
    out["launchready_tui/core/secret_rules.yaml"] = (PKG / "core" / "secret_rules.yaml").read_text(encoding="utf-8")
    for p in sorted((ROOT / "runbooks").glob("*.md")):
        out[str(p.relative_to(ROOT))] = p.read_text(encoding="utf-8")
    return out


def unexplained(texts: dict[str, str], entries, terms) -> list[str]:
    missing = []
    for t in terms:
        rx = glossary.term_regex(t)
        where = [src for src, text in texts.items() if rx.search(text)]
        if where and glossary.lookup(entries, t.entry) is None:
            missing.append(f"'{t.pattern}' (glossary-terms.txt line {t.line}) is used in "
                           f"{', '.join(where[:3])} but glossary.md has no entry named '{t.entry}'")
    return missing


def test_every_listed_word_used_in_a_check_or_runbook_has_an_entry():
    texts = founder_texts()
    assert len(texts) > 30 and any("runbooks/" in k for k in texts)
    missing = unexplained(texts, glossary.load_glossary(), glossary.load_terms())
    assert not missing, "\n".join(missing)


def test_the_words_from_the_first_hour_walk_are_listed_and_explained():
    entries = glossary.load_glossary()
    listed = {t.entry for t in glossary.load_terms()}
    for word in ["dangling record", "nxdomain", "caa record", "rotate", "301", "api route",
                 "server action", "fingerprint", "allowlist", "ci secret settings", "selector",
                 "rua", "origin", "proxied", "p50", "p99", "query statistics", "explain",
                 "sequential scan", "index", "n+1 query", "cache", "background job"]:
        assert glossary.lookup(entries, word) is not None, word
    for word in ["dangling record", "nxdomain", "rotate", "redirect", "fingerprint", "n+1 query"]:
        assert word in listed, word


def test_the_scan_fails_when_a_used_word_has_no_entry():
    entries = glossary.parse_glossary("# G\n\n**CNAME.** A name for another name.\n")
    terms = [glossary.Term("CNAME", "cname", 1), glossary.Term("NXDOMAIN", "nxdomain", 2),
             glossary.Term("rotat(e|ed)", "rotate", 3)]
    texts = {"a.py": "The name answered NXDOMAIN.", "b.md": "Rotated keys. A CNAME."}
    missing = unexplained(texts, entries, terms)
    assert len(missing) == 2 and "NXDOMAIN" in missing[0] and "a.py" in missing[0]
    assert "rotat" in missing[1] and "b.md" in missing[1]
    # whole words only; all-capital patterns match capitals only
    assert not unexplained({"c.py": "nxdomains and unrotated"}, entries, terms)


@pytest.mark.parametrize("heading,names", [
    ("p95 (95th percentile), p50, p99", {"p95", "95th percentile", "p50", "p99"}),
    ("Redirect (301, 302, 307, 308)", {"redirect", "301", "308"}),
    ("rua, ruf (DMARC report addresses)", {"rua", "ruf"}),
])
def test_entry_names(heading, names):
    e = glossary.parse_glossary(f"**{heading}.** Text.\n")[0]
    assert names <= set(e.names)


def test_glossary_ships_in_the_wheel_config():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"docs/glossary.md" = "launchready_tui/docs/glossary.md"' in text
    assert '"docs/glossary-terms.txt" = "launchready_tui/docs/glossary-terms.txt"' in text
