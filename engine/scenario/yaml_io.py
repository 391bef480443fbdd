"""Reading YAML the way a planner means it.

``yaml.safe_load`` semantics, with three changes: a key written twice in one mapping is an
error, ``1e6`` is the number one million (PyYAML alone reads it as text), and every error
carries its line and column.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from engine.errors import Problem, ScenarioError

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
    what = getattr(exc, "problem", None) or str(exc)
    if mark is None:
        return Problem("", f"YAML error: {what}", has_value=False)
    where = f"line {mark.line + 1}, column {mark.column + 1}"
    return Problem("", f"{where}: {what}", has_value=False)


def read_yaml(path: Path, source: str | None = None) -> Any:
    """Parse the YAML file at ``path``; raise ``ScenarioError`` naming ``source`` on failure."""
    label = source or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(label, [Problem("", "no such file", has_value=False)]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(label, [Problem("", f"cannot read: {exc}", has_value=False)]) from None
    try:
        return yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        raise ScenarioError(label, [_yaml_problem(exc)]) from None


def parse_scalar(text: str) -> Any:
    """Read one CSV cell as the YAML loader would read it as a plain scalar."""
    if text.strip() == "":
        return None
    try:
        return yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader
    except yaml.YAMLError:
        return text
