"""Parse Markdown runbooks into Runbook / Step / blocks.

Format (documented in docs/runbook-format.md):

* YAML front matter between `---` lines: id, title, `stage: 1..7` or `kind: incident`,
  goal, summary, and optionally `covers:` (roadmap items this runbook covers).
* Every `##` heading is a step. Its id is `{#explicit-id}` at the end of the heading,
  or the heading's slug.
* Fenced blocks by info string: `check` (YAML: kind + parameters, optional targets),
  `confirm` (a statement to tick), `record` (fields to fill in), `command` (a shell
  command run only after confirmation).

Parsing uses markdown-it-py. Every problem is a RunbookError naming file:line.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from launchready_tui.core.errors import Problem, RunbookError
from launchready_tui.core.yamlpos import YamlSyntaxError, load_with_lines

if TYPE_CHECKING:  # pragma: no cover
    from markdown_it.token import Token

    from launchready_tui.core.profile import Profile

BLOCK_KINDS = ("check", "confirm", "record", "command")
RECORD_FIELD_TYPES = ("text", "multiline", "url", "date", "owner", "credential", "number")
_TEMPLATE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_VAR = re.compile(r"^[A-Za-z_][\w-]*(\.[\w-]+)*$")
_HEADING_ID = re.compile(r"\s*\{#([A-Za-z0-9][\w-]*)\}\s*$")


# ---------------------------------------------------------------------------- model


@dataclass(frozen=True)
class CheckSpec:
    id: str
    kind: str
    params: dict[str, Any]
    targets: list[Any] | None
    line: int
    title: str = ""


@dataclass(frozen=True)
class Confirm:
    id: str
    text: str
    line: int
    blocker: bool = False


@dataclass(frozen=True)
class RecordField:
    id: str
    label: str
    type: str = "text"
    help: str = ""


@dataclass(frozen=True)
class Record:
    id: str
    label: str
    fields: tuple[RecordField, ...]
    line: int


@dataclass(frozen=True)
class Command:
    id: str
    run: str
    line: int
    label: str = ""
    timeout_s: float = 600.0
    budget_min: float | None = None


Block = CheckSpec | Confirm | Record | Command


@dataclass
class Step:
    id: str
    title: str
    line: int
    markdown: str  # the step's Markdown, blocks included, heading excluded
    blocks: list[Block] = field(default_factory=list)

    @property
    def checks(self) -> list[CheckSpec]:
        return [b for b in self.blocks if isinstance(b, CheckSpec)]

    @property
    def confirms(self) -> list[Confirm]:
        return [b for b in self.blocks if isinstance(b, Confirm)]

    @property
    def records(self) -> list[Record]:
        return [b for b in self.blocks if isinstance(b, Record)]

    @property
    def commands(self) -> list[Command]:
        return [b for b in self.blocks if isinstance(b, Command)]


@dataclass
class Runbook:
    id: str
    title: str
    path: Path
    stage: int | None
    kind: str  # "stage" or "incident"
    goal: str
    summary: str
    covers: list[str]
    intro: str
    steps: list[Step]
    text: str = field(repr=False, default="")

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)


# ---------------------------------------------------------------------------- parsing


def slugify(text: str) -> str:
    s = re.sub(r"[^\w\s-]", "", text.lower()).strip()
    s = re.sub(r"[\s_]+", "-", s)
    return re.sub(r"-{2,}", "-", s).strip("-") or "step"


def template_vars(text: str) -> list[str]:
    return [m.group(1) for m in _TEMPLATE.finditer(text)]


def known_variable(var: str) -> bool:
    """Is `var` a path the profile schema can hold? (`hosts.<any role>` is fine.)"""
    from launchready_tui.core.profile import schema

    if not _VAR.match(var):
        return False
    t: Any = schema()
    for part in var.split("."):
        if isinstance(t, dict):
            if part not in t:
                return False
            t = t[part]
        elif isinstance(t, tuple) and t[0] == "map":
            t = t[1]
        elif isinstance(t, tuple) and t[0] == "list" and part.isdigit():
            t = t[1]
        else:
            return False
    return True


def parse_runbook(text: str, path: str | Path) -> Runbook:
    """Parse one runbook. Raises RunbookError listing every problem found."""
    from markdown_it import MarkdownIt

    file = str(path)
    problems: list[Problem] = []
    front, body, body_offset = _split_front_matter(text, file, problems)

    md = MarkdownIt("commonmark")
    tokens = md.parse(body)
    lines = body.splitlines(keepends=True)

    rid = str(front.get("id") or Path(file).stem)
    title = str(front.get("title") or "")
    stage = front.get("stage")
    kind = str(front.get("kind") or ("stage" if stage is not None else ""))
    for key in ("id", "title", "goal", "summary"):
        if not front.get(key):
            problems.append(Problem(file, 1, key, "front matter is missing this key"))
    if kind == "incident":
        stage = None
    elif stage is None:
        problems.append(
            Problem(file, 1, "stage", "front matter needs `stage: 1..7` or `kind: incident`")
        )
    elif isinstance(stage, bool) or not isinstance(stage, int) or not 1 <= stage <= 7:
        problems.append(Problem(file, 1, "stage", f"is {stage!r}", "a whole number from 1 to 7"))
        stage = None
    else:
        kind = "stage"
    covers = front.get("covers") or []
    if not isinstance(covers, list):
        problems.append(Problem(file, 1, "covers", "must be a list", "a list of roadmap items"))
        covers = []

    # Split into sections at level-2 headings.
    heads: list[tuple[int, int, str]] = []  # (token index, line, title)
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag == "h2":
            heads.append((i, _first_line(tok), tokens[i + 1].content))
    intro_end = heads[0][1] if heads else len(lines)
    intro = "".join(lines[:intro_end]).strip()

    steps: list[Step] = []
    seen_ids: dict[str, int] = {}
    for n, (ti, start, heading) in enumerate(heads):
        end = heads[n + 1][1] if n + 1 < len(heads) else len(lines)
        m = _HEADING_ID.search(heading)
        if m:
            sid = m.group(1)
            heading = heading[: m.start()].rstrip()
        else:
            sid = slugify(heading)
        line = start + 1 + body_offset
        if sid in seen_ids:
            problems.append(
                Problem(file, line, "step id", f"duplicate step id '{sid}' (first at line {seen_ids[sid]})")
            )
        seen_ids[sid] = line
        step = Step(id=sid, title=heading, line=line, markdown="".join(lines[start + 1 : end]).strip("\n"))
        next_ti = heads[n + 1][0] if n + 1 < len(heads) else len(tokens)
        for tok in tokens[ti:next_ti]:
            if tok.type != "fence":
                continue
            info = tok.info.strip().split()[0] if tok.info.strip() else ""
            bline = _first_line(tok) + 1 + body_offset
            if info in BLOCK_KINDS:
                block = _parse_block(info, tok.content, bline, file, step, problems)
                if block is not None:
                    if any(b.id == block.id for b in step.blocks):
                        problems.append(
                            Problem(file, bline, "id", f"duplicate block id '{block.id}' in step '{sid}'")
                        )
                    step.blocks.append(block)
            elif info and difflib.get_close_matches(info.lower(), BLOCK_KINDS, n=1, cutoff=0.7):
                hint = difflib.get_close_matches(info.lower(), BLOCK_KINDS, n=1, cutoff=0.7)[0]
                problems.append(
                    Problem(file, bline, "block", f"unknown block kind '{info}' - did you mean '{hint}'?")
                )
        steps.append(step)
    # A fence left open swallows the rest of the file (every later step and block).
    for tok in tokens:
        if tok.type == "fence" and tok.map and not _fence_closed(tok, lines):
            problems.append(Problem(
                file, tok.map[0] + 1 + body_offset, "block",
                f"this code fence ({tok.markup}) is never closed, so everything after it is "
                f"swallowed; add a line with {tok.markup} where the block ends"))
    # Blocks before the first step are not allowed: they would have no step to live in.
    first = heads[0][0] if heads else len(tokens)
    for tok in tokens[:first]:
        if tok.type == "fence" and tok.info.strip().split()[:1] and tok.info.strip().split()[0] in BLOCK_KINDS:
            problems.append(
                Problem(file, _first_line(tok) + 1 + body_offset, "block", "is outside any `##` step")
            )
    if not steps:
        problems.append(Problem(file, 1 + body_offset, "steps", "the runbook has no `##` steps"))
    if problems:
        raise RunbookError(problems)
    return Runbook(
        id=rid,
        title=title,
        path=Path(file),
        stage=stage if kind == "stage" else None,
        kind=kind,
        goal=str(front.get("goal") or ""),
        summary=str(front.get("summary") or ""),
        covers=[str(c) for c in covers],
        intro=intro,
        steps=steps,
        text=text,
    )


def _split_front_matter(text: str, file: str, problems: list[Problem]) -> tuple[dict, str, int]:
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        problems.append(Problem(file, 1, "front matter", "missing: the file must start with a `---` line"))
        return {}, text, 0
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            fm = "".join(lines[1:i])
            try:
                data, _ = load_with_lines(fm, line_offset=1)
            except YamlSyntaxError as e:
                problems.append(Problem(file, e.line, "front matter", e.text))
                data = {}
            if data is None:
                data = {}
            if not isinstance(data, dict):
                problems.append(Problem(file, 2, "front matter", "must be a mapping of keys"))
                data = {}
            return data, "".join(lines[i + 1 :]), i + 1
    problems.append(Problem(file, 1, "front matter", "has no closing `---` line"))
    return {}, text, 0


def _first_line(tok: Token) -> int:
    """The 0-based first source line of a block token (markdown-it maps every block)."""
    return tok.map[0] if tok.map else 0


def _yaml_block(content: str, line: int, file: str, problems: list[Problem], what: str) -> Any:
    try:
        data, _ = load_with_lines(content, line_offset=line)
        return data
    except YamlSyntaxError as e:
        problems.append(Problem(file, e.line, what, e.text))
        return None


def _check_templates(obj: Any, line: int, file: str, problems: list[Problem]) -> None:
    if isinstance(obj, str):
        for var in template_vars(obj):
            if not known_variable(var):
                problems.append(
                    Problem(file, line, "template", f"unknown template variable '{{{{ {var} }}}}'",
                            "a profile key such as domain, hosts.app or deploy.rollback")
                )
    elif isinstance(obj, dict):
        for v in obj.values():
            _check_templates(v, line, file, problems)
    elif isinstance(obj, list):
        for v in obj:
            _check_templates(v, line, file, problems)


def _parse_block(info: str, content: str, line: int, file: str, step: Step,
                 problems: list[Problem]) -> Block | None:
    from launchready_tui.core.registry import KINDS

    n = sum(1 for b in step.blocks if _block_kind(b) == info) + 1
    content_line = line  # YAML line 1 is the line after the fence
    if info == "check":
        data = _yaml_block(content, content_line, file, problems, "check")
        if data is None:
            return None
        if not isinstance(data, dict) or "kind" not in data:
            problems.append(Problem(file, line, "check", "must be YAML with a `kind:` key"))
            return None
        kind = str(data.get("kind"))
        if kind not in KINDS:
            hint = difflib.get_close_matches(kind, list(KINDS), n=1)
            msg = f"unknown check kind '{kind}'" + (f" - did you mean '{hint[0]}'?" if hint else "")
            problems.append(Problem(file, line, "kind", msg, "one of " + ", ".join(KINDS)))
            return None
        targets = data.get("targets")
        if targets is not None and not isinstance(targets, list | str):
            problems.append(Problem(file, line, "targets", "must be a list", "a list of host names or URLs"))
            targets = None
        if isinstance(targets, str):
            targets = [targets]
        _check_templates(data, line, file, problems)
        params = {k: v for k, v in data.items() if k not in ("kind", "id", "targets", "title")}
        bid = str(data.get("id") or (kind if n == 1 else f"{kind}-{n}"))
        return CheckSpec(bid, kind, params, targets, line, str(data.get("title") or ""))
    if info == "confirm":
        data = _yaml_block(content, content_line, file, problems, "confirm")
        if isinstance(data, dict) and "text" in data:
            text = str(data["text"]).strip()
            bid = str(data.get("id") or f"confirm-{n}")
            blocker = bool(data.get("blocker", False))
        else:
            text = content.strip()
            bid, blocker = f"confirm-{n}", False
        if not text:
            problems.append(Problem(file, line, "confirm", "is empty: write the statement to tick off"))
            return None
        _check_templates(text, line, file, problems)
        return Confirm(bid, text, line, blocker)
    if info == "record":
        data = _yaml_block(content, content_line, file, problems, "record")
        if data is None:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("fields"), list):
            problems.append(Problem(file, line, "record", "must be YAML with a `fields:` list"))
            return None
        fields = []
        for i, f in enumerate(data["fields"]):
            if isinstance(f, str):
                f = {"id": slugify(f).replace("-", "_"), "label": f}
            if not isinstance(f, dict) or not (f.get("id") or f.get("label")):
                problems.append(Problem(file, line, f"fields[{i}]", "needs an `id` or a `label`"))
                continue
            ftype = str(f.get("type", "text"))
            if ftype not in RECORD_FIELD_TYPES:
                problems.append(
                    Problem(file, line, f"fields[{i}].type", f"unknown field type '{ftype}'",
                            "one of " + ", ".join(RECORD_FIELD_TYPES))
                )
                continue
            fid = str(f.get("id") or slugify(str(f["label"])).replace("-", "_"))
            fields.append(RecordField(fid, str(f.get("label") or fid), ftype, str(f.get("help") or "")))
        bid = str(data.get("id") or f"record-{n}")
        return Record(bid, str(data.get("label") or step.title), tuple(fields), line)
    if info == "command":
        data = None
        stripped = content.strip()
        if stripped and stripped.split(":", 1)[0] in ("run", "id", "label", "timeout_s", "budget_min"):
            data = _yaml_block(content, content_line, file, problems, "command")
        if isinstance(data, dict) and "run" in data:
            run = str(data["run"]).strip()
            bid = str(data.get("id") or f"command-{n}")
            label = str(data.get("label") or "")
            try:
                timeout = float(data.get("timeout_s", 600))
                budget = float(data["budget_min"]) if data.get("budget_min") is not None else None
            except (TypeError, ValueError):
                problems.append(Problem(file, line, "command", "timeout_s and budget_min must be numbers"))
                return None
        else:
            run, bid, label, timeout, budget = stripped, f"command-{n}", "", 600.0, None
        if not run:
            problems.append(Problem(file, line, "command", "is empty"))
            return None
        _check_templates(run, line, file, problems)
        return Command(bid, run, line, label, timeout, budget)
    return None  # pragma: no cover


def _block_kind(b: Block) -> str:
    return {CheckSpec: "check", Confirm: "confirm", Record: "record", Command: "command"}[type(b)]


def block_kind(b: Block) -> str:
    return _block_kind(b)


# ---------------------------------------------------------------------------- templating


def _fence_closed(tok: Token, lines: list[str]) -> bool:
    if not tok.map:
        return True
    end = tok.map[1]
    if end - tok.map[0] < 2 or end > len(lines):
        return False
    last = lines[end - 1].strip()
    ch = tok.markup[0]
    return len(last) >= len(tok.markup) and set(last) == {ch}


class TemplateMissing(Exception):
    def __init__(self, var: str) -> None:
        self.var = var
        super().__init__(var)


def render(obj: Any, profile: Profile) -> Any:
    """Fill `{{ var }}` from the profile. A string that is exactly one template and whose
    value is a list becomes that list. A missing value raises TemplateMissing(var)."""
    if isinstance(obj, str):
        m = _TEMPLATE.fullmatch(obj.strip())
        if m:
            val = _lookup(m.group(1), profile)
            # a mapping (`{{ hosts }}`: role -> host) stands for its values, the hosts
            return [str(v) for v in val.values()] if isinstance(val, dict) else val

        def sub(mm: re.Match) -> str:
            val = _lookup(mm.group(1), profile)
            if isinstance(val, dict):
                val = list(val.values())
            if isinstance(val, list):
                return ", ".join(str(v) for v in val)
            return str(val)

        return _TEMPLATE.sub(sub, obj)
    if isinstance(obj, list):
        out = []
        for v in obj:
            r = render(v, profile)
            if isinstance(r, list) and isinstance(v, str):
                out.extend(r)
            else:
                out.append(r)
        return out
    if isinstance(obj, dict):
        return {k: render(v, profile) for k, v in obj.items()}
    return obj


def _lookup(var: str, profile: Profile) -> Any:
    if var == "domain":
        return profile.domain
    if var == "canonical_host":
        return profile.canonical_host
    val = profile.get(var)
    if val is None or val == "" or val == [] or val == {}:
        raise TemplateMissing(var)
    return val


# ---------------------------------------------------------------------------- loading


def bundled_runbooks_dir() -> Path:
    """runbooks/ inside the installed wheel, or at the checkout's top in development."""
    here = Path(__file__).resolve().parent.parent
    inside = here / "runbooks"
    if inside.is_dir():
        return inside
    return here.parent / "runbooks"


def runbook_files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*.md") if not q.name.lower().startswith("readme")))
        else:
            out.append(p)
    return out


MAX_RUNBOOK_BYTES = 2 * 1024 * 1024  # the biggest bundled runbook is ~40 KB


def load_runbook(path: Path) -> Runbook:
    from launchready_tui.core.safe_read import NotAFileError, TooBigError, read_regular

    try:
        text = read_regular(path, MAX_RUNBOOK_BYTES).decode("utf-8")
    except UnicodeDecodeError:
        raise RunbookError(Problem(str(path), None, None, "is not UTF-8 text")) from None
    except (NotAFileError, TooBigError) as e:
        raise RunbookError(Problem(str(path), None, None, f"{e.reason}; a runbook is a Markdown file")) from None
    except OSError as e:
        raise RunbookError(Problem(str(path), None, None, f"cannot be read: {e.strerror}")) from None
    return parse_runbook(text, path)


def load_runbooks(paths: list[Path] | None = None, *, cache: bool = False) -> tuple[list[Runbook], list[RunbookError]]:
    """Load every runbook; a broken one is reported and the rest still load.

    Also reports runbook ids used twice. With cache=True, cleanly parsed files come from
    the parse cache (core/parse_cache.py) when their bytes are unchanged."""
    files = runbook_files(paths or [bundled_runbooks_dir()])
    books: list[Runbook] = []
    errors: list[RunbookError] = []
    ids: dict[str, Path] = {}
    for f in files:
        try:
            rb = _load_cached(f) if cache else load_runbook(f)
        except RunbookError as e:
            errors.append(e)
            continue
        if rb.id in ids:
            errors.append(RunbookError(Problem(str(f), 1, "id", f"runbook id '{rb.id}' is also used by {ids[rb.id]}")))
            continue
        ids[rb.id] = f
        books.append(rb)
    books.sort(key=lambda r: (r.kind != "stage", r.stage or 0, r.id))
    return books, errors


def _load_cached(path: Path) -> Runbook:
    from launchready_tui.core.parse_cache import cached_parse
    from launchready_tui.core.safe_read import read_regular

    try:
        data = read_regular(path, MAX_RUNBOOK_BYTES)
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return load_runbook(path)  # the plain loader words the error
    return cached_parse("runbook", path, data, lambda: parse_runbook(text, path))
