"""The documented config.yaml, rendered from the settings models.

The models are the one source of every key, default, description and allowed range; the
repository's ``config.yaml`` is this rendering (a test keeps them equal) and ``config reset``
restores it. Regenerate after changing a model:
``uv run python -m trademind.config.template > config.yaml``.
"""

from __future__ import annotations

import datetime
import io
import textwrap
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from trademind.config.models import Settings
from trademind.config.schema import allowed_values, env_var_name, is_secret, section_model

WIDTH = 96
HEADER = """\
# TradeMind configuration.
#
# Every setting is listed here with its built-in default; delete a line to fall back to the
# default, edit it to change it. Layers, lowest first (a higher one wins, key by key):
#   1. built-in defaults
#   2. this file (or `--config PATH`, or $TRADEMIND_CONFIG; else ./config.yaml, else the user
#      config directory, e.g. ~/.config/trademind/config.yaml)
#   3. config.<env>.yaml beside this file, when TRADEMIND_ENV is dev, staging or prod
#   4. .env in the working directory
#   5. environment variables TRADEMIND__<SECTION>__<KEY>
#      (e.g. TRADEMIND__SAFETY__DAILY_LOSS_LIMIT=0.01)
# Secrets (API keys, tokens, webhook URLs, the IBKR account) are never read from this file:
# set them in the environment or .env. Unknown keys and bad values are rejected with the key
# and the reason: check with `trademind config validate`. Fractions are written 0.02 for 2%."""

# Shown commented out: its default depends on the platform and the user.
_PLATFORM_DEFAULTS = {("app", "data_dir"): "~/.local/share/trademind"}
_NBSP = "\x00"  # keeps "one of: a, b" from being wrapped inside the choices


def _scalar(value: Any) -> str:
    yaml = YAML(typ="rt")
    yaml.width = 4096
    value = _flow(value)
    buffer = io.StringIO()
    yaml.dump({"k": value}, buffer)
    return buffer.getvalue().strip()[3:]


def _flow(value: Any) -> Any:
    """Lists and mappings written on one line (``[a, b]``, ``{k: {x: 1}}``)."""
    if isinstance(value, list):
        sequence = CommentedSeq([_flow(item) for item in value])
        sequence.fa.set_flow_style()
        return sequence
    if isinstance(value, dict) and value:
        mapping = CommentedMap({key: _flow(item) for key, item in value.items()})
        mapping.fa.set_flow_style()
        return mapping
    return value


def _comment(text: str, indent: str) -> list[str]:
    lines = textwrap.wrap(text, WIDTH - len(indent) - 2, break_on_hyphens=False)
    return [f"{indent}# {line}".replace(_NBSP, " ") for line in lines]


def _value_line(field: FieldInfo, name: str, value: Any, indent: str) -> str:
    if field.annotation is datetime.time:
        return f'{indent}{name}: "{value}"'  # unquoted 16:30 is a base-60 number in YAML 1.1
    return f"{indent}{name}: {'null' if value is None else _scalar(value)}"


def _leaf(field: FieldInfo, path: tuple[str, ...], value: Any, indent: str) -> list[str]:
    name = path[-1]
    description = (field.description or "").strip()
    allowed = allowed_values(field)
    if allowed:
        # Kept on one line when it fits; a list too long for a line wraps between words.
        glued = allowed if len(allowed) > WIDTH // 2 else allowed.replace(" ", _NBSP)
        description += " Allowed: " + glued + "."
    lines = _comment(description, indent)
    if is_secret(field):
        lines.append(f"{indent}# {name}: (secret, set {env_var_name(path)})")
    elif path in _PLATFORM_DEFAULTS:
        lines.append(f"{indent}# {name}: {_PLATFORM_DEFAULTS[path]}")
    else:
        lines.append(_value_line(field, name, value, indent))
    return lines


def _section(
    model: type[BaseModel], data: dict[str, Any], path: tuple[str, ...], indent: str
) -> list[str]:
    lines = [*_comment(f"{'.'.join(path)}: {(model.__doc__ or '').strip()}", indent[:-2])]
    # A section without settings (a strategy without parameters) is an empty mapping, not null.
    lines.append(f"{indent[:-2]}{path[-1]}:" + ("" if model.model_fields else " {}"))
    for name, field in model.model_fields.items():
        nested = section_model(field)
        if nested is None:
            lines.extend(_leaf(field, (*path, name), data[name], indent))
        else:
            lines.extend(["", *_section(nested, data[name], (*path, name), indent + "  ")])
    return lines


def render_template() -> str:
    """The documented configuration file with every built-in default."""
    defaults = Settings().model_dump(mode="json")
    lines = [HEADER]
    for name, field in Settings.model_fields.items():
        model = section_model(field)
        if model is None:
            raise TypeError(f"top-level setting {name!r} is not a section")
        lines.extend(["", *_section(model, defaults[name], (name,), "  ")])
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render_template(), end="")
