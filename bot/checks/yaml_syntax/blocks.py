"""The lines of an `examples: |` block (any `key: |` block is followed to its end, but
only the lines under `examples:` are Rasa's examples, one `- ` line each)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, List, Optional

from bot.checks.findings import Finding, error, warning
from bot.checks.yaml_syntax import indent
from bot.checks.yaml_syntax.text import DASH_LOOKALIKES, FW_SPACE, KEY_RE, LEAD_CHARS, indent_width, leading, shown

if TYPE_CHECKING:
    from bot.checks.yaml_syntax.linter import LineLinter


@dataclass
class Block:
    """A `key: |` block scalar being read."""
    key: str
    key_col: int
    start: int
    content_indent: Optional[int] = None


def continues(block: Block, raw: str) -> bool:
    """Whether `raw` is still inside the block opened by `key: |`."""
    stripped, lead = raw.strip(LEAD_CHARS), leading(raw)
    if not stripped or indent_width(lead) > block.key_col:
        return True
    # `examples: |` then `\t- 你好`: a tab that looks shallow is still an example
    return (("\t" in lead or FW_SPACE in lead) and stripped[:1] in "-" + DASH_LOOKALIKES
            and not KEY_RE.match(" " * len(lead) + stripped))


def block_ended(lint: "LineLinter", number: int, raw: str) -> None:
    """An empty `examples: |` followed by `- ` lines no deeper than the key."""
    block = lint.block
    item = raw.strip(LEAD_CHARS).startswith("-") and not KEY_RE.match(raw.replace("-", " ", 1))
    if block.content_indent is None and block.key == "examples" and item:
        want = block.key_col + 2
        lint.findings.append(error(
            "yaml.example_indent", lint.rel, number,
            f"例句的缩进不够：'- ' 要比第 {block.start} 行的 examples: 多缩进，"
            f"现在 examples: 下面是空的，这些例句 YAML 读不懂。",
            f"把 examples: 下面每条例句都缩进成 {want} 个空格再写 '- '，例如："
            f"'{' ' * want}- 你好'。"))


def block_line(lint: "LineLinter", number: int, raw: str) -> None:
    block = lint.block
    lead, rest = leading(raw), raw.lstrip(LEAD_CHARS)
    if not rest:
        return
    findings: List[Finding] = []
    if "\t" in lead or FW_SPACE in lead:
        findings.append(indent.finding(lint.rel, number, lead))
        lead = " " * (block.key_col + 2 if block.content_indent is None else block.content_indent)
    if block.content_indent is None:
        block.content_indent = len(lead)
    line = lead + rest
    if block.key == "examples":
        if rest.startswith("-" + FW_SPACE):
            line = lead + "- " + rest[2:].lstrip(FW_SPACE)
            findings.append(error(
                "yaml.fullwidth_space", lint.rel, number,
                "例句开头的 '-' 后面是全角空格（　），Rasa 需要英文的 '- '（减号加半角空格）。",
                "把 '-' 后面的全角空格换成一个半角空格。"))
        elif rest.startswith("#"):
            lint.findings.append(warning(
                "yaml.comment_in_examples", lint.rel, number,
                "这一行在 examples: | 的例句块里面，这里的 # 不是注释：Rasa 会把它当成一条"
                "没有 '- ' 的例句，跳过并报警告。",
                "把这行注释移到 '- intent:' 那一行的上面（不缩进）。"))
        elif rest[:1] in DASH_LOOKALIKES and rest[1:2] in (" ", FW_SPACE):
            lint.findings.append(error(
                "yaml.missing_dash", lint.rel, number,
                f"例句开头的 '{rest[0]}' 不是英文减号：Rasa 只认 '- '（英文减号加空格），"
                f"这条例句会被跳过。",
                f"把 '{rest[0]}' 换成英文减号 '-'（在英文输入法下输入）。"))
        elif not rest.startswith("-"):
            lint.findings.append(error(
                "yaml.missing_dash", lint.rel, number,
                f"例句「{shown(rest)}」前面少了 '- '：Rasa 会跳过这一行，不会学习它。",
                "在这一行的例句前面加上 '- '（英文减号加一个空格），和上一条例句对齐。"))
        elif len(lead) > block.content_indent and not findings:
            lint.findings.append(error(
                "yaml.example_indent", lint.rel, number,
                f"这条例句比上面的例句多缩进了 {len(lead) - block.content_indent} 个空格："
                f"Rasa 读到的是以空格开头的一行，会跳过它。",
                f"删掉多余的空格，让 '- ' 和上一条例句对齐（{block.content_indent} 个空格）。"))
    lint.finish_line(number, raw, line, findings)
