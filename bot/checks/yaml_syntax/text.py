"""The characters and patterns a YAML line is read with."""
from __future__ import annotations

import re

FW_COLON = "\uff1a"   # ：
FW_SPACE = "\u3000"   # 　(ideographic space)
FW_PIPE = "\uff5c"    # ｜
LEAD_CHARS = " \t" + FW_SPACE
DASH_LOOKALIKES = "－—–一﹣‐−~～·•"
VALUE_NEEDS_QUOTES = "{[*&!%@`"  # a plain value cannot start with these

KEY_RE = re.compile(
    r"""^(?P<lead>[ ]*)(?P<dash>(?:-[ ]+)*)"""
    r"""(?P<key>[A-Za-z_][A-Za-z0-9_\-.]*|"[^"\n]*"|'[^'\n]*')"""
    r"""(?P<gap>[ \t\u3000]*)(?P<colon>[:\uff1a])(?P<after>.*)$""")
BLOCK_INDICATOR_RE = re.compile(r"^[ \t]*[|>][-+0-9]*[ \t]*(#.*)?$")
FLOW_KEY_FW_RE = re.compile(r"([{,])([ \t]*)([^\s{}\[\],:\uff1a\"']+?)([ \t\u3000]*)\uff1a[ \t\u3000]*")


def indent_width(lead: str, tab: int = 4, fw: int = 2) -> int:
    """Columns of an indentation holding tabs (`tab` wide) or full-width spaces (`fw`)."""
    return sum(tab if c == "\t" else fw if c == FW_SPACE else 1 for c in lead)


def leading(raw: str) -> str:
    """The indentation of a line, tabs and full-width spaces included."""
    return raw[: len(raw) - len(raw.lstrip(LEAD_CHARS))]


def shown(text: str, strip: bool = True) -> str:
    """A line as a message shows it: → for a tab, □ for a full-width space (　)."""
    text = text.replace("\t", "→").replace(FW_SPACE, "□")
    return text.strip() if strip else text

