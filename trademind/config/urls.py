"""URL checks for the database and cache settings, and masking of passwords inside URLs."""

from __future__ import annotations

from pathlib import Path

_POSTGRES_DRIVER = "postgresql+psycopg"
_POSTGRES_ALIASES = ("postgresql", "postgres", _POSTGRES_DRIVER)
_SQLITE_SCHEMES = ("sqlite", "sqlite+pysqlite")
_REDIS_SCHEMES = ("redis", "rediss", "unix")


def _scheme_of(url: str) -> str:
    scheme, sep, _ = url.partition("://")
    if not sep or not scheme:
        raise ValueError("is not a URL (expected scheme://...)")
    return scheme.lower()


def normalise_database_url(url: str) -> str:
    """Return the SQLAlchemy URL TradeMind uses for ``url``, or raise ValueError saying why not.

    SQLite and PostgreSQL (through psycopg 3) are supported; ``postgresql://`` and
    ``postgres://`` are rewritten to ``postgresql+psycopg://``.
    """
    scheme = _scheme_of(url)
    rest = url.partition("://")[2]
    if scheme in _POSTGRES_ALIASES:
        if not rest.strip("/"):
            raise ValueError("a PostgreSQL URL needs a host and a database name")
        return f"{_POSTGRES_DRIVER}://{rest}"
    if scheme in _SQLITE_SCHEMES:
        if "?" in rest:  # the driver would ignore it with a raw warning (e.g. ?mode=ro)
            raise ValueError(
                f"a SQLite URL takes no ?options (got {'?' + rest.partition('?')[2]!r}): "
                "use sqlite:///PATH"
            )
        return url
    if scheme.startswith("postgresql+"):
        raise ValueError(
            f"unsupported PostgreSQL driver {scheme.partition('+')[2]!r}: TradeMind ships "
            "psycopg 3, use postgresql+psycopg://"
        )
    raise ValueError(
        f"unsupported database scheme {scheme!r}: use sqlite:///PATH or "
        "postgresql+psycopg://USER@HOST:PORT/DATABASE"
    )


def sqlite_url_for(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file (absolute path)."""
    return f"sqlite:///{path.expanduser().resolve()}"


def check_redis_url(url: str) -> str:
    """Return ``url`` when it is a Redis URL, else raise ValueError saying why."""
    scheme = _scheme_of(url)
    if scheme not in _REDIS_SCHEMES:
        raise ValueError(f"unsupported Redis scheme {scheme!r}: use redis://, rediss:// or unix://")
    return url
