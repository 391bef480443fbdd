"""Reading YAML the way a planner means it.

``yaml.safe_load`` semantics, with these changes: a key written twice in one mapping is an
error, ``1e6`` is the number one million (PyYAML alone reads it as text), every error carries
its line and column, and the limits of ``engine.scenario.limits`` (size, nesting, values once
aliases are expanded) are checked before the document is built; text may not hold control
characters.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from engine.errors import Problem, ScenarioError, clip
from engine.scenario.limits import MAX_DEPTH, MAX_NODES, MAX_SCENARIO_BYTES, read_bounded

_FLOAT = re.compile(
    r"""^(?:[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+
    |[-+]?\.[0-9_]+[eE][-+]?[0-9]+)$""",
    re.X,
)


class _Loader(yaml.SafeLoader):
    """SafeLoader that reads exponent floats and rejects duplicate keys."""


_Loader.yaml_implicit_resolvers = {
    key: list(resolvers) for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789."))


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, yaml.Mark] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool | None):
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a single word or number, not a list or mapping",
                key_node.start_mark,
            )
        if key in seen:
            first = seen[key]
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first at line {first.line + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark
    loader.flatten_mapping(node)
    return dict(loader.construct_pairs(node, deep=deep))


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _yaml_problem(exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    what = clip(getattr(exc, "problem", None) or str(exc), 400)
    if mark is None:
        return Problem("", f"YAML error: {what}", has_value=False)
    where = f"line {mark.line + 1}, column {mark.column + 1}"
    return Problem("", f"{where}: {what}", has_value=False)


def bad_text(text: str) -> str | None:
    """Why ``text`` cannot be in a scenario (a control or unpaired surrogate character)."""
    for char in text:
        code = ord(char)
        if (code < 32 and char not in "\t\n\r") or code == 127:
            return f"contains the control character U+{code:04X}"
        if 0xD800 <= code <= 0xDFFF:
            return f"contains an unpaired surrogate U+{code:04X}"
    return None


def _check_node(root: yaml.Node) -> None:
    """Depth and expanded size of the composed document within ``MAX_DEPTH`` and ``MAX_NODES``
    (aliases counted each time they are used, in time linear in the file), text free of control
    characters; raise a ``MarkedYAMLError`` naming the place otherwise."""
    sizes: dict[int, tuple[int, int]] = {}

    def measure(node: yaml.Node, depth: int) -> tuple[int, int]:
        if depth > MAX_DEPTH:
            raise yaml.MarkedYAMLError(None, None, f"nested more than {MAX_DEPTH} levels deep",
                                       node.start_mark)
        if id(node) in sizes:
            return sizes[id(node)]
        if isinstance(node, yaml.ScalarNode):
            why = bad_text(str(node.value))
            if why:
                raise yaml.MarkedYAMLError(None, None, f"the text {why}", node.start_mark)
            sizes[id(node)] = (1, 0)
            return 1, 0
        children = [c for pair in node.value for c in pair] if isinstance(
            node, yaml.MappingNode) else list(node.value)
        count, deepest = 1, 0
        for child in children:
            n, d = measure(child, depth + 1)
            count, deepest = count + n, max(deepest, d + 1)
            if count > MAX_NODES:
                raise yaml.MarkedYAMLError(
                    None, None, f"more than {MAX_NODES:,} values once its aliases (*name) are "
                    "expanded", node.start_mark)
        sizes[id(node)] = (count, deepest)
        return count, deepest

    measure(root, 0)


def _load(text: str) -> Any:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_node(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def read_yaml(path: Path, source: str | None = None) -> Any:
    """Parse the YAML file at ``path`` (at most ``MAX_SCENARIO_BYTES``, nested at most
    ``MAX_DEPTH`` deep, at most ``MAX_NODES`` values with aliases expanded); raise
    ``ScenarioError`` naming ``source`` on failure."""
    label = source or str(path)
    try:
        text = read_bounded(path, MAX_SCENARIO_BYTES, "the file").decode("utf-8")
    except FileNotFoundError:
        raise ScenarioError(label, [Problem("", "no such file", has_value=False)]) from None
    except IsADirectoryError:
        raise ScenarioError(label, [Problem("", "is a folder, not a file", has_value=False)]
                            ) from None
    except UnicodeDecodeError as exc:
        problem = Problem("", f"not UTF-8 text (byte {exc.start + 1} cannot be decoded); save it "
                          "as UTF-8", has_value=False)
        raise ScenarioError(label, [problem]) from None
    except (OSError, ValueError) as exc:
        raise ScenarioError(label, [Problem("", f"cannot read: {exc}", has_value=False)]) from None
    try:
        return _load(text)
    except yaml.YAMLError as exc:
        raise ScenarioError(label, [_yaml_problem(exc)]) from None
    except RecursionError:
        problem = Problem("", f"nested more than {MAX_DEPTH} levels deep", has_value=False)
        raise ScenarioError(label, [problem]) from None


def parse_scalar(text: str) -> Any:
    """Read one CSV cell as the YAML loader would read it as a plain scalar."""
    if text.strip() == "":
        return None
    try:
        return yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader
    except yaml.YAMLError:
        return text
