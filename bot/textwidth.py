"""Display width of text in a terminal, where a CJK character takes two columns.

Used by the aligned terminal tables (grading, diagnose) and by the SVG charts, which
size their label column from the same count.
"""
from __future__ import annotations

import itertools
import unicodedata


def char_width(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def width(text: str) -> int:
    return sum(char_width(c) for c in text)


def pad(text: str, size: int, right: bool = False) -> str:
    gap = " " * max(0, size - width(text))
    return gap + text if right else text + gap


def fit(text: str, size: int) -> str:
    """The longest start of `text` that fits in `size` columns."""
    used = itertools.accumulate(map(char_width, text))
    return "".join(char for char, end in zip(text, used) if end <= size)
