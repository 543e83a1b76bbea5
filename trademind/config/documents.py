"""Configuration documents: the one reader and parser of every configuration file.

Every file TradeMind reads its settings from (the base ``config.yaml``, the
``config.<env>.yaml`` overlay, a file given to ``config import`` or ``config validate``, and
``.env``) is read by :func:`read_text`, and every YAML text (files and ``config set`` values)
is parsed by :func:`parse_document` / :func:`parse_value`. The limits live here, once:

- a file larger than :data:`MAX_DOCUMENT_BYTES` is refused before it is parsed (and never read
  past the limit, so ``/dev/zero`` or a growing file cannot exhaust memory); only regular
  files are read (a FIFO would block);
- YAML anchors and aliases (``&name``, ``*name``, ``<<: *name``) are refused: a configuration
  needs none, and expanding them is how a 1 KB "billion laughs" file eats gigabytes;
- nesting deeper than :data:`MAX_DEPTH` is refused.

Edits keep comments (ruamel round-trip) and files are written atomically.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import Composer
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import ScalarString

from trademind.config.files import (
    MAX_DOCUMENT_BYTES,
    atomic_write_text,
    read_text,
    too_large,
)
from trademind.core.errors import ConfigError

__all__ = [  # read_text, atomic_write_text and the size limit live in trademind.config.files
    "MAX_DEPTH",
    "MAX_DOCUMENT_BYTES",
    "Document",
    "RefusedYAMLError",
    "atomic_write_text",
    "dump_document",
    "get_in",
    "load_document",
    "parse_document",
    "parse_value",
    "read_mapping",
    "read_text",
    "remove_in",
    "set_in",
    "to_plain",
]

Document = Any  # a ruamel.yaml CommentedMap (round-trip node)

MAX_DEPTH = 32  # config.yaml nests 4 deep


class RefusedYAMLError(MarkedYAMLError):
    """Valid YAML that configuration documents do not accept (anchors and aliases)."""


class _NoAliasComposer(Composer):
    """Refuses anchors and aliases at the first one, before anything is expanded."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            sign = "*" if isinstance(event, AliasEvent) else "&"
            raise RefusedYAMLError(
                None,
                None,
                f"YAML anchors and aliases ({sign}{event.anchor}) are not allowed in "
                "configuration files; write the values out",
                event.start_mark,
            )
        return super().compose_node(parent, index)


class _ExplicitNullRepresenter(RoundTripRepresenter):
    """Writes ``null`` (as config.yaml does) instead of an empty value."""

    def represent_none(self, data: None) -> Any:
        return self.represent_scalar("tag:yaml.org,2002:null", "null")


_ExplicitNullRepresenter.add_representer(type(None), _ExplicitNullRepresenter.represent_none)


def _round_trip() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.Representer = _ExplicitNullRepresenter
    yaml.Composer = _NoAliasComposer
    yaml.max_depth = MAX_DEPTH
    return yaml


def _syntax_error(label: str, exc: YAMLError) -> ConfigError:
    first_line = " ".join(str(exc).split())
    if isinstance(exc, MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}"
        what = " ".join((exc.problem or first_line).split())
        refused = isinstance(exc, RefusedYAMLError)
        reason = f"{where}: {what}" if refused else f"invalid YAML at {where}: {what}"
    else:
        reason = f"invalid YAML: {first_line}"
    return ConfigError(f"{label}: {reason}", [(label, reason)])


def _load_yaml(text: str, label: str) -> Any:
    if len(text) > MAX_DOCUMENT_BYTES:
        raise too_large(label)
    try:
        return _round_trip().load(text)
    except YAMLError as exc:
        raise _syntax_error(label, exc) from None
    except RecursionError:
        reason = f"is nested too deeply (more than {MAX_DEPTH} levels)"
        raise ConfigError(f"{label}: {reason}", [(label, reason)]) from None
    except ValueError as exc:  # an integer beyond Python's digit limit, 4300 by default
        reason = f"holds a value that cannot be read: {str(exc).partition(';')[0]}"
        raise ConfigError(f"{label}: {reason}", [(label, reason)]) from None


def _kind(value: Any) -> str:
    if value is None:
        return "an empty document"
    if isinstance(value, CommentedSeq):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    return "a number" if isinstance(value, int | float) else "text"


def parse_document(text: str, label: str, *, allow_empty: bool = True) -> Document:
    """Parse ``text`` keeping comments; the top level must be a mapping.

    An empty document (nothing, or only comments) is an empty mapping, unless ``allow_empty``
    is false (an imported file must say something). ``label`` names the document in errors.
    """
    document = _load_yaml(text, label)
    if document is None and allow_empty:
        return CommentedMap()
    if not isinstance(document, CommentedMap) or not (document or allow_empty):
        what = "an empty mapping" if isinstance(document, CommentedMap) else _kind(document)
        reason = f"must be a mapping of sections (such as 'safety:'), not {what}"
        raise ConfigError(f"{label}: {reason}", [(label, reason)])
    return document


def parse_value(text: str, label: str) -> Any:
    """One YAML value (a ``config set`` VALUE) as plain data, with the limits of a document."""
    return to_plain(_load_yaml(text, label))


def load_document(path: Path, *, label: str | None = None, allow_empty: bool = True) -> Document:
    """Read and parse a configuration file (see :func:`read_text`, :func:`parse_document`)."""
    return parse_document(read_text(path, label), label or str(path), allow_empty=allow_empty)


def to_plain(node: Any) -> Any:
    """Plain dicts and lists from a round-trip node (keys as text)."""
    if isinstance(node, Mapping):
        return {str(key): to_plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [to_plain(item) for item in node]
    if isinstance(node, bool) or node is None:
        return node
    for plain in (str, int, float):  # ruamel's ScalarFloat, ScalarInt, quoted strings
        if isinstance(node, plain):
            return plain(node)
    return node


def read_mapping(path: Path) -> dict[str, Any]:
    """The plain data of a YAML configuration file; ConfigError names file and line.

    Read with the limits of :func:`read_text`; a plain document (no anchors, aliases or tags,
    nothing YAML 1.1 and 1.2 read differently, ...) is parsed by the fast libyaml reader of
    :mod:`trademind.config.plain_reader`, every other one by :func:`parse_document`, which
    refuses what it refuses and words every error. Both give the same data for a document
    the fast reader takes.
    """
    from trademind.config.plain_reader import read_plain

    text = read_text(path)
    plain = read_plain(text) if len(text) <= MAX_DOCUMENT_BYTES else None
    if plain is not None:
        return plain
    data: dict[str, Any] = to_plain(parse_document(text, str(path)))
    return data


def dump_document(document: Document) -> str:
    stream = io.StringIO()
    _round_trip().dump(document, stream)
    return stream.getvalue()


def get_in(document: Mapping[str, Any], path: Sequence[str]) -> tuple[bool, Any]:
    """``(found, value)`` at ``path``."""
    node: Any = document
    for name in path:
        if not isinstance(node, Mapping) or name not in node:
            return False, None
        node = node[name]
    return True, node


def _styled(value: Any, previous: Any) -> Any:
    """New lists are written in flow style; a string keeps the quoting of the value it replaces."""
    if isinstance(value, list) and not isinstance(value, CommentedSeq):
        sequence = CommentedSeq(value)
        sequence.fa.set_flow_style()
        return sequence
    if isinstance(value, str) and isinstance(previous, ScalarString):
        return type(previous)(value)
    return value


def set_in(document: CommentedMap, path: Sequence[str], value: Any) -> None:
    """Set ``path`` to ``value``, creating sections on the way; comments stay where they are."""
    node = document
    for name in path[:-1]:
        child = node.get(name)
        if not isinstance(child, CommentedMap):
            child = CommentedMap()
            node[name] = child
        node = child
    node[path[-1]] = _styled(copy.deepcopy(value), node.get(path[-1]))


def remove_in(document: CommentedMap, path: Sequence[str]) -> bool:
    """Delete ``path``; returns whether it was there."""
    found, parent = get_in(document, path[:-1]) if len(path) > 1 else (True, document)
    if not found or not isinstance(parent, CommentedMap) or path[-1] not in parent:
        return False
    del parent[path[-1]]
    return True
