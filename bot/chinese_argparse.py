"""argparse in Chinese, through the hooks argparse documents (users of `dxm` read no English).

- `-h/--help` is our own argument (`add_help=False`, `action="help"`), so its help is ours;
- sub-command parsers are made with the parent's class (`add_subparsers`' documented
  default for `parser_class`), so every command speaks Chinese too;
- `error()` is overridden ("if you override this in a subclass, it should not return")
  and translates the message argparse hands it;
- `format_usage()` / `format_help()` write the headings argparse adds ("usage: ",
  "positional arguments:", "options:") in Chinese.

Not chosen: replacing `argparse._` (the gettext function argparse calls) catches every word,
but it is an undocumented module global, replaced for every parser in the process, and it
misses "argument X: ..." (Python 3.10 formats that without gettext). A gettext catalogue is
the translators' way, but it needs a compiled .mo file and a LANGUAGE/LANG variable that
Windows consoles do not set and that the Rasa subprocesses would inherit.
The English below is Python 3.10/3.11's (the versions start.py accepts); a message that
matches nothing is still shown, after "命令行参数不对：".
"""
from __future__ import annotations

import argparse
import re
import sys
from typing import Any, Callable, List, NoReturn, Tuple, TypeVar

from bot.exit_codes import EXIT_USAGE
from bot.textwidth import width

USAGE = ("usage: ", "用法：")
HEADINGS = {"positional arguments": "参数", "options": "选项", "optional arguments": "选项"}
INVOCATION_RE = re.compile(r"^(?P<invocation>  +\S+(?: \S+)*)(?P<gap>  +)(?=\S)")  # "  --out 文件夹   "
HEADING_RE = re.compile(r"^(?P<title>[^\s:][^:\n]*):$", re.M)   # a group title on its own line
ARGUMENT_RE = re.compile(r"^argument (?P<name>.+?): (?P<message>.*)$", re.S)
INVALID_RE = re.compile(r"^invalid (?P<type>\S+) value: (?P<value>.*)$", re.S)   # type=int failed
TYPE_WORDS = {"int": "整数", "float": "数"}
N = TypeVar("N", int, float)
# argparse's messages (regex) and ours ({0}, {1}: the parts argparse filled in)
MESSAGES: List[Tuple[str, str]] = [
    (r"the following arguments are required: (.*)", "缺少必需的参数：{0}"),
    (r"unrecognized arguments: (.*)", "无法识别的参数：{0}（用 -h 查看可以写哪些参数）"),
    (r"invalid choice: (.*) \(choose from (.*)\)", "没有 {0} 这一项（可以写：{1}）"),
    (r"expected one argument", "后面要写一个值"),
    (r"expected at most one argument", "后面最多写一个值"),
    (r"expected at least one argument", "后面至少要写一个值"),
    (r"expected (\d+) arguments?", "后面要写 {0} 个值"),
    (r"ambiguous option: (\S+) could match (.*)", "{0} 不完整，可能是：{1}"),
    (r"not allowed with argument (.*)", "不能和 {0} 一起用"),
    (r"one of the arguments (.*) is required", "{0} 必须写一个"),
    (r"ignored explicit argument (.*)", "后面不能写值（写了 {0}）"),
]


def translate(message: str) -> str:
    """argparse's error message in Chinese (a message from our own type functions,
    already Chinese, is kept)."""
    if argument := ARGUMENT_RE.match(message):
        return f"参数 {argument.group('name')}：{translate(argument.group('message'))}"
    if invalid := INVALID_RE.match(message):
        return f"{invalid.group('value')} 不是有效的{TYPE_WORDS.get(invalid.group('type'), '值')}"
    for pattern, chinese in MESSAGES:
        if m := re.fullmatch(pattern, message, re.S):
            return chinese.format(*(part.replace(", ", "、") for part in m.groups()))
    if re.search(r"[\u4e00-\u9fff]", message):
        return message
    return f"命令行参数不对：{message}"


def _chinese_headings(text: str) -> str:
    if text.startswith(USAGE[0]):
        usage, blank, rest = text.partition("\n\n")
        # "用法：" is one column narrower than "usage: ": so are the usage's next lines
        text = USAGE[1] + usage[len(USAGE[0]):].replace("\n ", "\n") + blank + rest
    text = HEADING_RE.sub(lambda m: HEADINGS.get(m.group("title"), m.group("title")) + "：", text)
    return "\n".join(map(_realign, text.split("\n")))


def _realign(line: str) -> str:
    """argparse pads `  --out 文件夹  help` by characters; a Chinese character is two
    columns wide, so take that many spaces out of the gap to keep the help column straight."""
    m = INVOCATION_RE.match(line)
    extra = width(m.group("invocation")) - len(m.group("invocation")) if m else 0
    if not extra:
        return line
    return m.group("invocation") + " " * max(2, len(m.group("gap")) - extra) + line[m.end():]


class ChineseArgumentParser(argparse.ArgumentParser):
    def __init__(self, *args: Any, add_help: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, add_help=False, **kwargs)
        if add_help:
            self.add_argument("-h", "--help", action="help", help="显示帮助并退出")

    def format_usage(self) -> str:
        return _chinese_headings(super().format_usage())

    def format_help(self) -> str:
        return _chinese_headings(super().format_help())

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}：错误：{translate(message)}\n")


def number(convert: Callable[[str], N], rejects: Callable[[N], bool], wanted: str,
           out_of_range: str) -> Callable[[str], N]:
    """An argparse `type` for a number within limits, with Chinese errors: text that
    `convert` cannot read gets "<wanted>，收到的是 '<text>'"; a value that `rejects`
    gets `out_of_range`, where {text} stands for what was typed.

    `rejects` is each command's failing condition as written, not its negation: NaN
    compares false either way, so the phrasing decides whether "nan" passes.
    """
    def parse(text: str) -> N:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{wanted}，收到的是 {text!r}")
        if rejects(value):
            raise argparse.ArgumentTypeError(out_of_range.format(text=text))
        return value

    return parse
