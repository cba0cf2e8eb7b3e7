"""Every runbook reads as plain English: Flesch reading ease of 60 or more.

Why our own formula and not `textstat`: textstat 0.7.13 counts syllables with NLTK's
CMU dictionary and calls `nltk.download("cmudict")` the first time it is used. On a
machine with no internet (CI, these test machines) that download fails and
`flesch_reading_ease` raises `LookupError`. A test that passes only online is no test,
so the formula is implemented here, in full, with no dependency.

The formula (Flesch, 1948), the same one textstat uses for English:

    reading ease = 206.835 - 1.015 * (words / sentences) - 84.6 * (syllables / words)

60-70 is "plain English"; higher is easier.

What counts as prose (what a reader reads as sentences):
* paragraphs, list items and blockquotes of the runbook body;
* not the YAML front matter, fenced blocks (check / confirm / record / command and
  any code), tables, headings, or HTML comments;
* not inline code spans (`...`): those are names, commands and paths to type;
* not link targets (the text of a link stays) or bare URLs;
* not dashboard paths written as **A → B → C**: each counts as one short word, because
  it is a list of menu names the reader matches on screen, not words to understand;
* not the four fixed lead-ins of every step ("Why this matters", "Do this", "Check it",
  "If it fails"): they are labels, the same in every step;
* not list items that are lists of names: an item of four words or fewer with no
  sentence punctuation (for example "- Google Workspace").

Each paragraph and each list item ends a sentence, even without a full stop. Inside
them, a sentence ends at `.`, `!` or `?` followed by a space or the end.

Syllables are counted per word with the usual English heuristic: groups of vowels
(a, e, i, o, u, y), less a silent final "e", plus "-le" endings, at least one per word.
Numbers count as one word of one syllable. Hyphenated words count as one word whose
syllables are the sum of their parts.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNBOOKS = ROOT / "runbooks"
MIN_SCORE = 60.0

LEAD_INS = ("why this matters", "do this", "check it", "if it fails")

# ---------------------------------------------------------------------------- prose


def prose_units(markdown: str) -> list[str]:
    """The runbook's prose as a list of units (paragraphs and list items)."""
    text = markdown
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end != -1:
            text = text[end + 4 :]
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    units: list[str] = []
    current: list[str] = []
    in_fence = None

    def flush() -> None:
        if current:
            units.append(" ".join(current))
            current.clear()

    for raw in text.splitlines():
        line = raw.rstrip()
        stripped = line.strip()
        fence = re.match(r"^(`{3,}|~{3,})", stripped)
        if in_fence:
            if fence and stripped.startswith(in_fence):
                in_fence = None
            continue
        if fence:
            flush()
            in_fence = fence.group(1)
            continue
        if not stripped:
            flush()
            continue
        if stripped.startswith("#") or stripped.startswith("|"):
            flush()
            continue
        item = re.match(r"^(?:[-*+]|\d+[.)])\s+(.*)$", stripped)
        if item:
            flush()
            current.append(item.group(1))
            continue
        if stripped.startswith(">"):
            stripped = stripped.lstrip("> ")
        current.append(stripped)
    flush()
    out = []
    for u in units:
        u = _clean(u)
        if not u:
            continue
        if _is_name_list(u):
            continue
        out.append(u)
    return out


def _clean(unit: str) -> str:
    u = re.sub(r"`[^`]*`", " ", unit)  # inline code
    u = re.sub(r"\*\*([^*]*→[^*]*)\*\*", " path ", u)  # dashboard paths
    u = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", u)  # links: keep the text
    u = re.sub(r"https?://\S+", " ", u)
    u = re.sub(r"[*_]{1,3}", "", u)  # emphasis markers
    for label in LEAD_INS:
        u = re.sub(rf"^\s*{label}\s*[.:]?\s*", "", u, flags=re.I)
    return re.sub(r"\s+", " ", u).strip()


def _is_name_list(unit: str) -> bool:
    return len(words(unit)) <= 4 and not re.search(r"[.!?]\s*$", unit)


# ---------------------------------------------------------------------------- counting

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*")


def words(text: str) -> list[str]:
    return [w.strip("-'’") for w in _WORD.findall(text) if w.strip("-'’")]


def sentences(unit: str) -> int:
    parts = [p for p in re.split(r"[.!?]+(?:\s+|$)", unit) if words(p)]
    return max(1, len(parts))


def syllables(word: str) -> int:
    if any(ch.isdigit() for ch in word) and not any(ch.isalpha() for ch in word):
        return 1
    return sum(_syllables_part(p) for p in word.lower().split("-") if p) or 1


def _syllables_part(w: str) -> int:
    w = re.sub(r"[^a-z]", "", w)
    if not w:
        return 0
    if len(w) <= 3:
        return 1
    w = re.sub(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$", lambda m: m.group(0)[0], w)
    w = re.sub(r"^y", "", w)
    groups = re.findall(r"[aeiouy]+", w)
    return max(1, len(groups))


def flesch(units: list[str]) -> tuple[float, int, int, int]:
    """(score, words, sentences, syllables) over the given prose units."""
    n_words = n_sent = n_syll = 0
    for u in units:
        ws = words(u)
        if not ws:
            continue
        n_words += len(ws)
        n_sent += sentences(u)
        n_syll += sum(syllables(w) for w in ws)
    if not n_words:
        return 0.0, 0, 0, 0
    score = 206.835 - 1.015 * (n_words / n_sent) - 84.6 * (n_syll / n_words)
    return round(score, 1), n_words, n_sent, n_syll


def score_file(path: Path) -> tuple[float, int, int, int]:
    return flesch(prose_units(path.read_text(encoding="utf-8")))


# ---------------------------------------------------------------------------- tests


def _runbook_files() -> list[Path]:
    return sorted(p for p in RUNBOOKS.rglob("*.md") if not p.name.lower().startswith("readme"))


def test_syllable_counter_on_known_words():
    known = {
        "cat": 1, "the": 1, "domain": 2, "table": 2, "rollback": 2, "certificate": 4,
        "simple": 2, "every": 3, "environment": 4, "deploy": 2, "makes": 1, "checked": 1,
        "customer": 3, "payment": 2, "records": 2, "browser": 2, "redirect": 3,
    }
    wrong = {w: (syllables(w), n) for w, n in known.items() if abs(syllables(w) - n) > 1}
    assert not wrong, wrong
    exact = sum(1 for w, n in known.items() if syllables(w) == n)
    assert exact >= len(known) - 3


def test_formula_on_reference_sentences():
    easy = flesch(["The cat sat on the mat. It was a good day."])[0]
    hard = flesch([
        "Organizational infrastructure considerations necessitate comprehensive "
        "authentication configuration documentation."
    ])[0]
    assert easy > 90
    assert hard < 0


def test_prose_excludes_code_tables_and_names():
    md = (
        "---\nid: x\n---\n## Step {#s}\n\n**Why this matters.** Short words win.\n\n"
        "```check\nkind: dns\n```\n\n| a | b |\n| --- | --- |\n\n- Vercel\n- Google Workspace\n\n"
        "Open **Settings → Environment Variables** and add `STRIPE_SECRET_KEY`.\n"
    )
    units = prose_units(md)
    assert units == ["Short words win.", "Open path and add ."]


def test_there_are_runbooks_to_score():
    assert len(_runbook_files()) >= 10


@pytest.mark.parametrize("path", _runbook_files(), ids=lambda p: p.name)
def test_runbook_reads_plainly(path: Path):
    score, n_words, n_sent, n_syll = score_file(path)
    assert n_words > 200, f"{path.name}: only {n_words} words of prose found"
    assert score >= MIN_SCORE, (
        f"{path.name}: Flesch reading ease {score} < {MIN_SCORE} "
        f"({n_words} words, {n_sent} sentences, {n_syll} syllables). "
        "Shorten sentences and prefer short words."
    )


def test_glossary_reads_plainly():
    path = ROOT / "docs" / "glossary.md"
    score = score_file(path)[0]
    assert score >= MIN_SCORE, f"glossary: Flesch reading ease {score} < {MIN_SCORE}"


if __name__ == "__main__":  # a quick report: python tests/unit/test_runbook_readability.py
    for p in [*_runbook_files(), ROOT / "docs" / "glossary.md"]:
        if p.exists():
            s, w, n, y = score_file(p)
            print(f"{s:6.1f}  {w:5d} words  {w / max(n, 1):4.1f} w/s  {y / max(w, 1):4.2f} syl/w  {p.name}")
