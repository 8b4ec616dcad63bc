"""One `key: value` line: the colon and the spaces around it, a misspelt or unknown key
(by the keys above it), and what follows the colon (`|`, examples, an answer's text)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, List

from bot.checks.findings import Finding, error, warning
from bot.checks.yaml_syntax.blocks import Block
from bot.checks.yaml_syntax.keys import allowed_keys, closest_key
from bot.checks.yaml_syntax.text import (BLOCK_INDICATOR_RE, FLOW_KEY_FW_RE, FW_COLON, FW_PIPE, FW_SPACE, LEAD_CHARS,
                                         VALUE_NEEDS_QUOTES, shown)

if TYPE_CHECKING:
    from bot.checks.yaml_syntax.linter import LineLinter


def key_line(lint: "LineLinter", number: int, match: "re.Match[str]",
             findings: List[Finding]) -> str:
    """The line fixed; its mechanical mistakes are added to `findings`, the others to lint's."""
    lead, dash, key, gap, colon, after = match.group("lead", "dash", "key", "gap", "colon", "after")
    mistakes = [  # (whether the line has it, code, message, fix)
        (colon == FW_COLON, "yaml.fullwidth_colon",
         f"'{key}' 后面用了中文全角冒号 '：'，YAML 只认英文冒号 ':'，这一行会被当成普通文字。",
         f"把 '{key}：' 改成 '{key}: '（英文冒号，后面加一个空格）。"),
        (FW_SPACE in gap, "yaml.fullwidth_space",
         f"'{key}' 和冒号之间有全角空格（　），YAML 会把空格也当成键名的一部分。", f"删掉 '{key}' 后面的全角空格。"),
        (after.startswith(FW_SPACE) and colon == ":", "yaml.fullwidth_space",
         f"'{key}:' 后面是全角空格（　），YAML 需要半角空格，这一行会被当成普通文字。",
         f"把 '{key}:' 后面的全角空格换成一个半角空格。"),
        (colon == ":" and after and after[0] not in " \t" + FW_SPACE, "yaml.colon_space",
         f"'{key}:' 后面少了一个空格：YAML 要求冒号后面空一格，否则整行会被当成普通文字。",
         f"改成 '{key}: {after.strip()}'。"),
    ]
    findings += [error(code, lint.rel, number, message, fix)
                 for has, code, message, fix in mistakes if has]
    fixed_after = after
    if colon == FW_COLON or after.startswith(FW_SPACE):
        fixed_after = after.lstrip(FW_SPACE)
        if fixed_after and not fixed_after.startswith((" ", "\t")):
            fixed_after = " " + fixed_after
    if FW_COLON in fixed_after and "{" in fixed_after:
        fixed_after = flow_keys(lint, number, fixed_after, findings)
    line = lead + dash + key + gap.replace(FW_SPACE, "") + ":" + fixed_after
    # context, misspelt keys: the keys above this one start left of it (or at its `- `)
    key_col = len(lead) + len(dash)
    bare = key.strip("\"'")
    lint.stack = [(col, k) for col, k in lint.stack if col < len(lead) + (1 if dash else 0)]
    chain = [k for _, k in lint.stack]
    canonical = bare
    allowed = allowed_keys(lint.kind, chain)
    if allowed is not None and bare not in allowed:
        guess = closest_key(bare, allowed)
        where = f"在 '{chain[-1]}' 下面" if chain else "文件最外层"
        reader = "Rasa " if lint.kind in ("data", "domain", "config") else "小悦"
        if guess:
            canonical = guess
            lint.findings.append(error(
                "yaml.misspelt_key", lint.rel, number,
                f"'{bare}' 拼错了，应该是 '{guess}'：{reader}不认识 '{bare}'，{where}这部分内容会读不到。",
                f"把 '{bare}:' 改成 '{guess}:'。"))
        else:
            lint.findings.append(warning(
                "yaml.unknown_key", lint.rel, number,
                f"{where}不认识 '{bare}' 这个写法。",
                f"这里可以写的有：{'、'.join(sorted(allowed))}。检查是不是写错了或缩进不对。"))
    lint.stack.append((key_col, canonical))
    # what follows the colon
    value = fixed_after.strip()
    if BLOCK_INDICATOR_RE.match(fixed_after):
        lint.block = Block(canonical, key_col, number)
    elif value.startswith(FW_PIPE):
        lint.findings.append(error(
            "yaml.fullwidth_pipe", lint.rel, number,
            f"'{bare}:' 后面的 '｜' 是中文全角竖线，YAML 只认英文的 '|'，下面的内容会被当成一整句话。",
            "把 '｜' 换成英文竖线 '|'（键盘回车键上方，按住 Shift）。"))
    elif canonical == "examples" and lint.kind == "data":  # it needs `|`, the examples below it
        if value and not value.startswith("#"):
            what = "例句直接写在了 examples: 后面" if not value.startswith("-") else "examples: 后面少了 '|'"
            lint.findings.append(error(
                "yaml.examples_pipe", lint.rel, number,
                f"{what}：Rasa 要求写成 'examples: |'，例句从下一行开始，每行一条，以 '- ' 开头。",
                f"改成 'examples: |'，再把「{shown(value)}」移到下一行并缩进写成 '- ...'。"))
        elif (lint.next_content(number) or "").strip(LEAD_CHARS).startswith("-"):
            lint.findings.append(error(
                "yaml.examples_pipe", lint.rel, number,
                "'examples:' 后面少了 '|'：没有它，下面的例句会被当成 YAML 列表，Rasa 读不了"
                "（有些例句还会让整个文件读不下去）。",
                "在 'examples:' 后面加上一个空格和 '|'，写成 'examples: |'。"))
    elif canonical == "text" and value[:1] in VALUE_NEEDS_QUOTES:
        lint.findings.append(error(
            "yaml.text_quotes", lint.rel, number,
            f"答案以 '{value[0]}' 开头：YAML 会把它当成特殊符号，而不是一句话（常见于以 {{变量}} 开头的答案）。",
            f"用英文双引号把整句话括起来，例如：text: \"{shown(value)}\"。"))
    return line


def flow_keys(lint: "LineLinter", number: int, text: str, findings: List[Finding]) -> str:
    """`{category： basic}`: a full-width colon after a key inside a flow mapping.

    Only a value that *is* a flow mapping is looked at (it starts with `{`), and only
    up to its closing `}`: an answer like `满{threshold}元,运费：8元` is text."""
    body = text.lstrip(" ")
    while body.startswith("- "):
        body = body[2:].lstrip(" ")
    if not body.startswith("{"):
        return text
    end = body.find("}") + 1 or len(body)
    fixed, count = FLOW_KEY_FW_RE.subn(r"\1\2\3: ", body[:end])
    if not count:
        return text
    findings.append(error(
        "yaml.fullwidth_colon", lint.rel, number,
        "花括号 { } 里的键后面用了中文全角冒号 '：'，YAML 只认英文冒号 ':'。",
        "把 { } 里键名后面的 '：' 改成英文冒号加空格 ': '。"))
    return text[: len(text) - len(body)] + fixed + body[end:]

