"""The glossary (docs/glossary.md) as data: for the app's glossary screen and for the
test that every word a result or runbook uses has an entry.

An entry is a paragraph that opens with a bold name: `**CNAME.** A DNS record ...` or
`**DKIM (DomainKeys Identified Mail).** ...`. The words before the brackets, split on
`,` and `/`, are the names it can be looked up by ("p50, p95, p99" gives three). The
list of words a founder may not know lives beside it in `glossary-terms.txt`. Both
files ship in the wheel (pyproject force-include) as `launchready_tui/docs/`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_HEAD = re.compile(r"^\*\*(?P<name>[^*]+?)\.?\*\*\s*(?P<rest>.*)$")


@dataclass(frozen=True)
class Entry:
    name: str            # the bold heading, as written
    names: tuple[str, ...]  # lower-case names it answers to
    text: str            # the explanation (Markdown)
    section: str = ""


def docs_dir() -> Path:
    """docs/ inside the installed wheel, or at the checkout's top in development."""
    here = Path(__file__).resolve().parent.parent
    inside = here / "docs"
    if (inside / "glossary.md").is_file():
        return inside
    return here.parent / "docs"


def glossary_path() -> Path:
    return docs_dir() / "glossary.md"


def terms_path() -> Path:
    return docs_dir() / "glossary-terms.txt"


def _names(heading: str) -> tuple[str, ...]:
    out: list[str] = []
    outside = re.sub(r"\([^)]*\)", ",", heading)
    for inner in re.findall(r"\(([^)]*)\)", heading):
        out.extend(p for p in re.split(r"[,/;]| or ", inner) if p.strip())
    out.extend(re.split(r"[,/;]| or ", outside))
    return tuple(dict.fromkeys(n.strip().strip("`").lower() for n in out if n.strip().strip("`")))


def parse_glossary(text: str) -> list[Entry]:
    entries: list[Entry] = []
    section = ""
    para: list[str] = []

    def flush() -> None:
        if not para:
            return
        m = _HEAD.match(" ".join(para))
        para.clear()
        if m:
            name = m.group("name").strip().rstrip(".")
            entries.append(Entry(name, _names(name), m.group("rest").strip(), section))

    for line in text.splitlines():
        if line.startswith("#"):
            flush()
            section = line.lstrip("#").strip()
        elif not line.strip():
            flush()
        else:
            para.append(line.strip())
    flush()
    return entries


def load_glossary(path: Path | None = None) -> list[Entry]:
    return parse_glossary((path or glossary_path()).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Term:
    """A word to look for in texts (`pattern`, a regular expression, case-insensitive
    unless it holds capitals only) and the glossary name that must explain it."""
    pattern: str
    entry: str
    line: int


def load_terms(path: Path | None = None) -> list[Term]:
    """`glossary-terms.txt`: one term a line, `pattern = entry name` or just the word
    (then the entry has that name); `#` starts a comment."""
    out: list[Term] = []
    for n, raw in enumerate((path or terms_path()).read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        pattern, _, entry = line.partition(" = ")
        pattern = pattern.strip()
        out.append(Term(pattern, (entry or pattern).strip().lower(), n))
    return out


def term_regex(term: Term) -> re.Pattern[str]:
    flags = 0 if term.pattern.isupper() else re.IGNORECASE
    return re.compile(rf"(?<![\w-]){term.pattern}(?![\w-])", flags)


def lookup(entries: list[Entry], name: str) -> Entry | None:
    name = name.strip().lower()
    return next((e for e in entries if name in e.names), None)


def search(entries: list[Entry], words: str) -> list[Entry]:
    """Entries whose name or text holds every word typed (names first)."""
    ws = words.lower().split()
    if not ws:
        return list(entries)
    named = [e for e in entries if all(any(w in n for n in e.names) for w in ws)]
    rest = [e for e in entries if e not in named and all(w in (e.name + " " + e.text).lower() for w in ws)]
    return named + rest
