"""Load YAML and remember the line of every key, so errors can name file:line:field.

PyYAML is imported on first use, not at import time (it costs start-up time in the
app), and libyaml's C parser is used when available. Syntax errors are raised as
`YamlSyntaxError` carrying the line and a plain message, so callers need not import yaml.
"""

from __future__ import annotations

from functools import cache
from types import ModuleType
from typing import Any


class YamlSyntaxError(ValueError):
    def __init__(self, line: int | None, text: str) -> None:
        self.line, self.text = line, text
        super().__init__(text)


@cache
def _loader_class() -> type[Any]:  # a yaml SafeLoader subclass (PyYAML ships no types)
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class _Loader(base):  # type: ignore[misc, valid-type]
        pass

    def _no_dates(loader: Any, node: Any) -> Any:  # keep dates as the text the user typed
        return loader.construct_scalar(node)

    _Loader.add_constructor("tag:yaml.org,2002:timestamp", _no_dates)
    return _Loader


def load_with_lines(text: str, *, line_offset: int = 0) -> tuple[Any, dict[str, int]]:
    """Parse YAML text. Returns (data, lines) where lines maps a dotted key path
    ("performance.routes[0].url") to its 1-based line. Raises YamlSyntaxError."""
    import yaml

    loader = _loader_class()(text)
    try:
        node = loader.get_single_node()  # parse once; lines come from the node marks
        if node is None:
            return None, {}
        lines: dict[str, int] = {}
        _walk(node, "", lines, line_offset, yaml, _Budget())
        data = loader.construct_document(node)
    except yaml.YAMLError as e:
        raise YamlSyntaxError(_error_line(e, line_offset), _error_text(e)) from None
    finally:
        loader.dispose()
    return data, lines


MAX_NODES = 20_000  # values after alias expansion: a profile has a few hundred


class _Budget:
    """Counts values as the walk expands aliases (`*name` reuses the anchored node), so a
    "billion laughs" document is refused after MAX_NODES instead of filling memory."""

    def __init__(self) -> None:
        self.nodes = 0
        self.seen: set[int] = set()
        self.first_alias: int | None = None


def _walk(node: Any, path: str, lines: dict[str, int], off: int, yaml: ModuleType, budget: _Budget | None = None) -> None:
    budget = budget or _Budget()
    budget.nodes += 1
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        if id(node) in budget.seen and budget.first_alias is None:
            budget.first_alias = node.start_mark.line + 1 + off
        budget.seen.add(id(node))
    if budget.nodes > MAX_NODES:
        where = budget.first_alias or node.start_mark.line + 1 + off
        raise YamlSyntaxError(
            where,
            f"YAML aliases (*name) here expand to more than {MAX_NODES:,} values; this file "
            "is refused (write the values out instead of repeating an anchor)",
        )
    lines.setdefault(path, node.start_mark.line + 1 + off)
    if isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for k, v in node.value:
            key = str(k.value)
            kline = k.start_mark.line + 1 + off
            if key in first and key != "<<" and isinstance(k, yaml.ScalarNode):
                raise YamlSyntaxError(
                    kline,
                    f"the key '{key}' appears twice: on line {first[key]} and on line {kline} "
                    "(keep one; YAML would silently use the last)",
                )
            first.setdefault(key, kline)
            sub = f"{path}.{key}" if path else key
            lines[sub] = kline
            _walk(v, sub, lines, off, yaml, budget)
            lines[sub] = kline
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _walk(v, f"{path}[{i}]", lines, off, yaml, budget)


def _error_line(e: BaseException, line_offset: int = 0) -> int | None:
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    return mark.line + 1 + line_offset if mark is not None else None


def _error_text(e: BaseException) -> str:
    problem = getattr(e, "problem", None)
    context = getattr(e, "context", None)
    if problem:
        return f"not valid YAML: {problem}" + (f" ({context})" if context else "")
    return f"not valid YAML: {e}"


def yaml_error_line(e: BaseException, line_offset: int = 0) -> int | None:
    """The line of a YamlSyntaxError (already offset) or of a raw yaml.YAMLError."""
    if isinstance(e, YamlSyntaxError):
        return e.line
    return _error_line(e, line_offset)


def yaml_error_text(e: BaseException) -> str:
    if isinstance(e, YamlSyntaxError):
        return e.text
    return _error_text(e)
