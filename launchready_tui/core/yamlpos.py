"""Load YAML and remember the line of every key, so errors can name file:line:field."""

from __future__ import annotations

from typing import Any

import yaml


class _Loader(yaml.SafeLoader):
    pass


def _no_dates(loader, node):  # keep dates as the text the user typed
    return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _no_dates)


def load_with_lines(text: str, *, line_offset: int = 0) -> tuple[Any, dict[str, int]]:
    """Parse YAML text. Returns (data, lines) where lines maps a dotted key path
    ("performance.routes[0].url") to its 1-based line. Raises yaml.YAMLError."""
    node = yaml.compose(text, Loader=_Loader)
    if node is None:
        return None, {}
    lines: dict[str, int] = {}
    _walk(node, "", lines, line_offset)
    data = yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    return data, lines


def _walk(node, path: str, lines: dict[str, int], off: int) -> None:
    lines.setdefault(path, node.start_mark.line + 1 + off)
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = str(k.value)
            sub = f"{path}.{key}" if path else key
            lines[sub] = k.start_mark.line + 1 + off
            _walk(v, sub, lines, off)
            lines[sub] = k.start_mark.line + 1 + off
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _walk(v, f"{path}[{i}]", lines, off)


def yaml_error_line(e: yaml.YAMLError, line_offset: int = 0) -> int | None:
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    return mark.line + 1 + line_offset if mark is not None else None


def yaml_error_text(e: yaml.YAMLError) -> str:
    problem = getattr(e, "problem", None)
    context = getattr(e, "context", None)
    if problem:
        return f"not valid YAML: {problem}" + (f" ({context})" if context else "")
    return f"not valid YAML: {e}"
