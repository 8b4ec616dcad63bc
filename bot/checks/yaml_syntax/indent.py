"""Indentation made of tabs or full-width spaces: the finding, the indentation the line
was meant to have (so `--fix` can write it), and one finding for a file indented with
tabs throughout instead of one per line."""
from __future__ import annotations

from typing import TYPE_CHECKING, List

from bot.checks.findings import Finding, error
from bot.checks.yaml_syntax.text import DASH_LOOKALIKES, KEY_RE, indent_width

if TYPE_CHECKING:
    from bot.checks.yaml_syntax.linter import LineLinter

INDENT_KEY = ("indentation",)   # marks the findings about tab/full-width indentation
MAX_INDENT_FINDINGS = 3         # more than this in one file are told as one finding
# (tab width, full-width-space width) editors use: a line's candidates, or tried when one
# width must fit the whole file
UNIFORM_WIDTHS = [(2, 2), (4, 2), (8, 2), (2, 1), (4, 1)]


def guess(lint: "LineLinter", raw: str, lead: str) -> int:
    """The indentation a tab/full-width-space line was meant to have.

    Candidates are the tab/space widths editors use; the answer must be an
    indentation the surrounding lines make valid (same level as the previous
    item, one level deeper after a `key:`, or an outer level)."""
    is_item = raw[len(lead):].startswith(("-", *DASH_LOOKALIKES))
    candidates = {indent_width(lead, tab, fw) for tab, fw in UNIFORM_WIDTHS}
    prev = lint.prev_struct
    m = KEY_RE.match(prev)
    prev_lead = len(prev) - len(prev.lstrip(" "))
    if m is None:
        targets = [prev_lead]
    elif m.group("after").strip()[:1] in ("", "#"):  # `key:` opens a block
        targets = [m.end("dash") + 2, m.end("dash")] if is_item else [m.end("dash") + 2]
    elif is_item:
        targets = [prev_lead] if m.group("dash") else []
    else:
        targets = [m.end("dash")]
    targets += [lv for lv in reversed(lint.levels) if lv not in targets]
    return next((t for t in targets if t in candidates), targets[0])  # levels hold 0: never empty


def finding(rel: str, number: int, lead: str, blank: bool = False) -> Finding:
    """`lead`: the indentation, or the whole line when it is `blank`."""
    tab = "\t" in lead
    if blank:
        message = f"这一行看起来是空行，但里面有{'Tab（制表符）' if tab else '全角空格（　）'}：YAML 读到它会出错。"
        fix = "把这一行里的空白全部删掉，让它成为真正的空行。"
    elif tab:
        message = "这一行用 Tab（制表符）缩进：YAML 只能用空格缩进，Tab 会让文件读不下去或例句被跳过。"
        fix = "把行首的 Tab 换成空格，和同一层的上一行对齐。"
    else:
        message, fix = "这一行的缩进里有全角空格（　）：YAML 只认半角空格。", "把行首的全角空格换成半角空格，和同一层的上一行对齐。"
    return error("yaml.tab" if tab else "yaml.fullwidth_space", rel, number, message, fix, key=INDENT_KEY)


def merge(findings: List[Finding]) -> List[Finding]:
    """A file indented with tabs throughout gets one finding, not one per line."""
    merged: List[Finding] = []
    for code, what in (("yaml.tab", " Tab（制表符）"), ("yaml.fullwidth_space", "全角空格（　）")):
        group = [f for f in findings if f.code == code and f.key == INDENT_KEY]
        if len(group) <= MAX_INDENT_FINDINGS:
            continue
        shown = "、".join(str(f.line) for f in group[:8]) + ("……" if len(group) > 8 else "")
        merged.append(error(
            code, group[0].file, group[0].line,
            f"有 {len(group)} 行的缩进用了{what}（第 {shown} 行）：YAML 只能用半角空格缩进，这样文件读不下去，"
            f"例句也可能被跳过。",
            "用 --fix 自动把它们换成空格；以后在编辑器里把 Tab 设置成“插入空格”。",
            edits=[e for f in group for e in f.edits], key=INDENT_KEY))
        findings = [f for f in findings if f not in group]
    return sorted(findings + merged, key=lambda f: f.line or 0)

