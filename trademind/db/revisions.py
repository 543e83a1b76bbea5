"""Is the schema current? Answered without importing Alembic (which costs every command ~0.1 s).

The shipped migration scripts declare ``revision = "..."`` and ``down_revision = ... `` on lines
of their own; :func:`shipped_head` reads those lines (never executing the scripts) and
:func:`current_revisions` reads ``alembic_version`` with one plain query. When the scripts
cannot be read this simply (a merge revision, several heads, an unusual declaration) the
answer is None and the caller asks Alembic, so a wrong answer here can only cost time.
A test checks :func:`shipped_head` against Alembic's own ``ScriptDirectory``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

import sqlalchemy as sa

from trademind.resources import resource_path

VERSION_TABLE: Final = "alembic_version"

_STRING: Final = r"""(?:"([^"\\]*)"|'([^'\\]*)')"""
_REVISION: Final = re.compile(rf"^revision(?:\s*:[^=\n]*)?\s*=\s*{_STRING}\s*$", re.MULTILINE)
_DOWN_REVISION: Final = re.compile(
    rf"^down_revision(?:\s*:[^=\n]*)?\s*=\s*(?:None|{_STRING})\s*$", re.MULTILINE
)
_DECLARES_DOWN: Final = re.compile(r"^down_revision\b", re.MULTILINE)


def _declared(pattern: re.Pattern[str], text: str) -> list[str | None]:
    return [(match[1] or match[2] or None) for match in pattern.finditer(text)]


def read_heads(versions: Path) -> frozenset[str] | None:
    """The head revisions of the migration scripts in ``versions``; None when a script does
    not declare exactly one plain ``revision`` and one plain ``down_revision`` (ask Alembic)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in sorted(versions.glob("*.py")):
        text = script.read_text(encoding="utf-8")
        revision = _declared(_REVISION, text)
        down = _declared(_DOWN_REVISION, text)
        if len(revision) != 1 or len(down) != 1 or len(_DECLARES_DOWN.findall(text)) != 1:
            return None
        name = revision[0]
        if name is None or name in revisions:
            return None
        revisions.add(name)
        if down[0] is not None:
            parents.add(down[0])
    if not revisions or not parents <= revisions:
        return None
    return frozenset(revisions - parents)


def shipped_head() -> str | None:
    """The single head revision of the shipped migrations, or None when that is not plain
    (no single head, or a script this reader does not understand)."""
    heads = read_heads(resource_path("migrations") / "versions")
    return next(iter(heads)) if heads is not None and len(heads) == 1 else None


def current_revisions(connection: sa.Connection) -> tuple[str, ...]:
    """The revisions stored in ``alembic_version`` (empty when the table does not exist)."""
    if not sa.inspect(connection).has_table(VERSION_TABLE):
        return ()
    table = sa.table(VERSION_TABLE, sa.column("version_num", sa.String()))
    rows = connection.execute(sa.select(table.c.version_num)).scalars().all()
    return tuple(str(row) for row in rows)


def is_current(connection: sa.Connection, head: str) -> bool:
    """Whether the database on ``connection`` is at exactly ``head`` (one row, that revision)."""
    return current_revisions(connection) == (head,)
