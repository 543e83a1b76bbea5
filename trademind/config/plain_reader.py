"""The fast path of :func:`trademind.config.documents.read_mapping` (nothing else uses it).

Reading the commented ``config.yaml`` with the round-trip parser costs ~60 ms, on every command;
PyYAML's libyaml loader reads it in ~3 ms. This reader takes only documents whose meaning is
plain and the same for both parsers, and gives every other one back (``None``) to the
round-trip parser in :mod:`~trademind.config.documents`, which then decides and words any error
exactly as before. Given back are: anchors, aliases, tags and directives (the round-trip parser
refuses the first two); nesting deeper than half of ``MAX_DEPTH``; any YAML error; duplicate or
non-text keys; a top level that is not a mapping; and any plain scalar that YAML 1.2 (the
round-trip parser's version) could read as something other than text, unless it is one of the
unambiguous forms resolved here: ``null``/``~``/empty, ``true``/``false``, decimal integers
without leading zeros and decimal floats without underscores. ``yes``, ``on``, ``010``,
``1_000``, ``0x1F`` and dates therefore never differ from the round-trip reading: plain
``yes`` is text in YAML 1.2 (not a boolean as in PyYAML's YAML 1.1 default), and the rest go
back to the round-trip parser.
"""

from __future__ import annotations

import re
from typing import Any, Final

import yaml

_MAX_TOKEN_DEPTH: Final = 16  # documents deeper than this go to the round-trip parser (32)

_NULL: Final = re.compile(r"~|null|Null|NULL|")
_BOOL: Final = frozenset({"true", "True", "TRUE", "false", "False", "FALSE"})
_INT: Final = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT: Final = re.compile(
    r"[-+]?(?:[0-9]+\.[0-9]*(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+|\.[0-9]+)"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
# Every plain scalar YAML 1.2 (ruamel's implicit resolvers) may read as other than text.
_MAYBE_TYPED: Final = re.compile(
    r"""(?:
        [-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+
        |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)
        |[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+
        |<<|=
        |[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*
    )""",
    re.VERBOSE,
)

_STR: Final = "tag:yaml.org,2002:str"
_OPENING: Final = (
    yaml.BlockMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.FlowMappingStartToken,
    yaml.FlowSequenceStartToken,
)
_CLOSING: Final = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)
_REFUSED: Final = (yaml.AnchorToken, yaml.AliasToken, yaml.TagToken, yaml.DirectiveToken)


class _GiveBack(Exception):
    """The document is not plain: the round-trip parser reads it."""


def _plain_tag(value: str) -> str:
    if _NULL.fullmatch(value):
        return "tag:yaml.org,2002:null"
    if value in _BOOL:
        return "tag:yaml.org,2002:bool"
    if _INT.fullmatch(value):
        return "tag:yaml.org,2002:int"
    if _FLOAT.fullmatch(value):
        return "tag:yaml.org,2002:float"
    if _MAYBE_TYPED.fullmatch(value):
        raise _GiveBack
    return _STR


class _PlainLoader(yaml.CSafeLoader):
    """libyaml's loader with YAML 1.2's plain scalars (as far as :func:`_plain_tag` goes) and
    mappings that give the document back on duplicate or non-text keys."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0]:
            return _plain_tag(value)
        return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        mapping = super().construct_mapping(node, deep=deep)
        if len(mapping) != len(node.value) or not all(isinstance(key, str) for key in mapping):
            raise _GiveBack
        return mapping


def _check_tokens(text: str) -> None:
    depth = 0
    for token in yaml.scan(text, Loader=yaml.CSafeLoader):
        if isinstance(token, _REFUSED):
            raise _GiveBack
        if isinstance(token, _OPENING):
            depth += 1
            if depth > _MAX_TOKEN_DEPTH:
                raise _GiveBack
        elif isinstance(token, _CLOSING):
            depth -= 1


def read_plain(text: str) -> dict[str, Any] | None:
    """The plain data of a configuration document, or None when the round-trip parser must
    read it (see the module docstring)."""
    try:
        _check_tokens(text)
        data = yaml.load(text, Loader=_PlainLoader)  # noqa: S506  (a safe loader)
    except (_GiveBack, yaml.YAMLError):
        return None
    if data is None:
        return {}
    return data if isinstance(data, dict) else None
