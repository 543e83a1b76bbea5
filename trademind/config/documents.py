"""YAML configuration files: read as plain data, edit keeping comments, write atomically."""

from __future__ import annotations

import copy
import io
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import ScalarString

from trademind.core.errors import ConfigError

Document = Any  # a ruamel.yaml CommentedMap (round-trip node)


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
    return yaml


def _syntax_error(label: str, exc: YAMLError) -> ConfigError:
    if isinstance(exc, MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}"
        what = exc.problem or str(exc).splitlines()[0]
        reason = f"invalid YAML at {where}: {what}"
    else:
        reason = f"invalid YAML: {str(exc).splitlines()[0]}"
    return ConfigError(f"{label}: {reason}", [(label, reason)])


def parse_document(text: str, label: str) -> Document:
    """Parse ``text`` keeping comments; the top level must be a mapping (or empty)."""
    try:
        document = _round_trip().load(text)
    except YAMLError as exc:
        raise _syntax_error(label, exc) from None
    if document is None:
        return CommentedMap()
    if not isinstance(document, CommentedMap):
        kind = "a list" if isinstance(document, CommentedSeq) else f"a {type(document).__name__}"
        reason = f"must be a mapping of sections (such as 'safety:'), not {kind}"
        raise ConfigError(f"{label}: {reason}", [(label, reason)])
    return document


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"configuration file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read configuration file {path}: {exc}") from None


def load_document(path: Path) -> Document:
    return parse_document(read_text(path), str(path))


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
    """The plain data of a YAML configuration file; ConfigError names file and line."""
    data: dict[str, Any] = to_plain(load_document(path))
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


def atomic_write_text(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` all at once: temp file in the same directory, fsync,
    ``os.replace``. A symlink is followed (its target is replaced); file mode is kept."""
    target = path.resolve() if path.is_symlink() else path
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = target.stat().st_mode & 0o7777 if target.exists() else None
    handle, temp_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    temp_path = Path(temp_name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            temp_path.chmod(mode)
        temp_path.replace(target)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise
    _fsync_directory(target.parent)


def _fsync_directory(directory: Path) -> None:
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
