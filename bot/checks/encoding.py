"""Check 1 (files): the encoding a file was saved in.

Notepad and WPS save as GBK ("ANSI") or as UTF-8 with a BOM; Rasa reads only UTF-8
(a BOM it skips). `--fix` rewrites such files as plain UTF-8, after a backup."""
from __future__ import annotations

from typing import List

from bot import textfile
from bot.checks.findings import Finding, error, warning
from bot.checks.source import SourceFile

# encoding -> (severity, code, what is wrong); --fix rewrites these files as UTF-8
SAVED_AS = {
    textfile.GBK: (error, "encoding.gbk", "是按 GBK 编码保存的（记事本里叫“ANSI”），不是 UTF-8："
                                          "Rasa 读不了里面的中文，训练会失败。"),
    textfile.UTF16: (error, "encoding.utf16", "是按 UTF-16 编码保存的（记事本里叫“Unicode”），不是 UTF-8："
                                              "Rasa 读不了它，训练会失败。"),
    textfile.UTF8_BOM: (warning, "encoding.bom", "是按“UTF-8 带 BOM”保存的（记事本、WPS 常这样存）："
                                                 "Rasa 能读，但别的工具可能把开头的 BOM 当成文字。"),
}
CONVERT = {code for _, code, _ in SAVED_AS.values()}

HOW_TO_SAVE = "以后保存时编码选 UTF-8（记事本：“另存为”→ 编码 UTF-8；VS Code：点右下角的编码 →“通过编码保存”→ UTF-8）。"


def check(source: SourceFile) -> List[Finding]:
    if source.decode_error:
        line, detail = source.decode_error
        return [error(
            "encoding.unreadable", source.rel, line,
            "文件不是 UTF-8 编码，也不是 GBK：从这一行起有读不出来的字节（文件可能损坏了），Rasa 读不了它。",
            "用编辑器打开这一行，把显示成乱码的字重新输入，然后按 UTF-8 保存。" + HOW_TO_SAVE, original=detail)]
    if source.encoding not in SAVED_AS:
        return []
    severity, code, problem = SAVED_AS[source.encoding]
    return [severity(code, source.rel, None, f"文件{problem}",
                     "运行 python -m bot check --fix 自动转成不带 BOM 的 UTF-8（会先备份原文件）。" + HOW_TO_SAVE)]
