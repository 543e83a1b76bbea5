"""Hostile YAML for the configuration parser's tests (issue 9, defect 1)."""

from __future__ import annotations


def billion_laughs(levels: int = 9) -> str:
    """9 levels of 9 aliases: about 1 KB of text, 9**9 values once expanded."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"
