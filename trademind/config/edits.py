"""Import a configuration into the base file by editing only the settings that change.

The result gives every setting the imported value (a setting the import leaves out goes back
to its documented default), while the base file keeps its comments, order and layout: a key
whose value does not change is not touched, and a default is never written where the file
relies on it (``app.data_dir`` stays a commented-out line instead of becoming the absolute
path an export shows).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ruamel.yaml.comments import CommentedMap

from trademind.config.documents import get_in, remove_in, set_in, to_plain
from trademind.config.masking import flatten
from trademind.config.models import Settings
from trademind.config.schema import KeyInfo, iter_leaves
from trademind.config.values import typed_value


def _comparable(value: Any) -> Any:
    """Plain JSON data: ``1`` equals ``1.0``, a ruamel scalar equals its plain value."""
    return json.loads(json.dumps(to_plain(value), default=str))


def same_value(first: Any, second: Any) -> bool:
    return bool(_comparable(first) == _comparable(second))


def apply_import(
    document: CommentedMap,
    imported: Mapping[str, Any],
    template: CommentedMap,
    effective: Mapping[str, Any] | None = None,
) -> CommentedMap:
    """Edit ``document`` (the base file) in place so that it gives the settings of
    ``imported``, and return it. Values are written with their setting's type; secrets are
    never written (files cannot hold them).

    ``effective`` (dotted key -> value, every layer) is the configuration in force: a key the
    file leaves out is only written when the import asks for something other than both its
    default and its value in force, so a derived or machine-specific value shown by
    ``config export`` (``app.data_dir``, a value from ``.env``) is never pinned in the file."""
    defaults = flatten(Settings().model_dump(mode="json"))
    for leaf in iter_leaves():
        if leaf.is_secret:
            continue
        key = ".".join(leaf.path)
        unset = (defaults[key], (effective or defaults).get(key, defaults[key]))
        _import_leaf(document, imported, template, leaf, unset)
    return document


def _import_leaf(
    document: CommentedMap,
    imported: Mapping[str, Any],
    template: CommentedMap,
    leaf: KeyInfo,
    unset: tuple[Any, Any],
) -> None:
    """``unset``: the default and the value in force, what the key is when the file omits it."""
    has_old, old = get_in(document, leaf.path)
    has_new, new = get_in(imported, leaf.path)
    if has_new:
        new = typed_value(leaf, to_plain(new))
        baseline = (old,) if has_old else unset
        if not any(same_value(value, new) for value in baseline):
            set_in(document, leaf.path, new)
        return
    if not has_old or same_value(old, unset[0]):
        return  # already the default
    in_template, documented = get_in(template, leaf.path)
    if in_template:
        set_in(document, leaf.path, documented)
    else:
        remove_in(document, leaf.path)
