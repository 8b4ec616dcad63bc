"""PyYAML's errors in Chinese: the problem and its context translated, and the line most
likely at fault with advice (the parser often notices a mistake a line or two later)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

import yaml

from bot.checks.source import MAX_DEPTH, TOO_DEEP
from bot.checks.yaml_syntax.text import KEY_RE

PROBLEMS = [
    (r"found character '\\t' that cannot start any token", "这里有一个 Tab（制表符），YAML 只能用空格"),
    (r"found character '(.)' that cannot start any token", "以 '{0}' 开头的内容 YAML 读不懂"),
    (r"mapping values are not allowed here", "这里出现了“冒号+空格”，YAML 以为要开始一个新的键，但位置不对"),
    (r"expected <block end>, but found '<scalar>'", "这一行的内容和上面对不齐（缩进不对，或者上面有引号没有配对）"),
    (r"expected <block end>, but found '(?:-|<block sequence start>)'", "这一行的 '- ' 和上面的同级内容没有对齐（缩进不对）"),
    (r"expected <block end>, but found '<block mapping start>'", "这一行比同一层的内容多缩进了"),
    (r"expected <block end>, but found '(.*)'", "这一行的缩进和上面的同级内容对不齐"),
    (r"could not find expected ':'", "这里应该有一个英文冒号 ':'，但没有找到"),
    (r"found unexpected end of stream", "一直到文件末尾都没有找到配对的引号"),
    (r"found unknown escape character '(.)'", "双引号里的反斜杠 '\\{0}' 不是 YAML 认识的写法"),
    (r"expected a comment or a line break, but found '(.)'", "'|' 或 '>' 后面不能直接写内容（发现了 '{0}'）"),
    (r"expected chomping or indentation indicators, but found '(.)'", "'|' 后面不能直接写内容（发现了 '{0}'）"),
    (r"expected ',' or '\]', but got '(.*)'", "方括号 [ ] 里的列表写法不对：少了英文逗号或右括号 ']'"),
    (r"expected ',' or '\}', but got '(.*)'", "花括号 {{ }} 里的写法不对：少了英文逗号或右括号 '}}'"),
    (r"expected a single document in the stream", "文件里出现了第二份内容（'---' 分隔线）"),
    (r"found undefined alias '(.*)'", "以 '*' 开头的内容 YAML 会当成引用"),
    (r"found duplicate anchor", "以 '&' 开头的内容 YAML 会当成锚点"),
    (r"expected the node content, but found '(.*)'", "这里缺少内容"),
    (r"sequence entries are not allowed here", "这里不能出现 '- '（缩进不对，或者上一行的冒号写错了）"),
    (r"mapping keys are not allowed here", "这里不能出现 '?'"),
    (r"unacceptable character #x([0-9a-fA-F]+)", "文件里有看不见的特殊字符（编码 #x{0}）"),
    (TOO_DEEP, f"从这里开始一层套一层，嵌套超过了 {MAX_DEPTH} 层"),
]
CONTEXTS = [
    (r"while scanning a (double-|single-)?quoted scalar", "引号从第 {line} 行第 {col} 列开始"),
    (r"while parsing a block mapping", "出错的这一层从第 {line} 行开始"),
    (r"while parsing a block collection", "出错的列表从第 {line} 行开始"),
    (r"while scanning a simple key", "第 {line} 行"),
    (r"while scanning a block scalar", "第 {line} 行的 '|'"),
    (r"while parsing a flow (sequence|mapping)", "括号从第 {line} 行第 {col} 列开始"),
]


def translate_first(table: Sequence[Tuple[str, str]], text: str, **fields: int) -> Optional[str]:
    """The Chinese of the first (pattern, Chinese) in `table` found in `text`, its {0}...
    filled with the pattern's groups (and its {name}s with `fields`); None when none is found."""
    return next((chinese.format(*m.groups(), **fields) for pattern, chinese in table
                 if (m := re.search(pattern, text))), None)


@dataclass
class ParseFailure:
    line: int
    column: int
    problem: str         # Chinese
    context: str         # Chinese ("" if none)
    context_line: Optional[int]
    original: str

    def describe(self) -> str:
        extra = f"；{self.context}" if self.context else ""
        return f"第 {self.line} 行第 {self.column} 列：{self.problem}{extra}"


def parse_failure(exc: yaml.YAMLError) -> ParseFailure:
    if isinstance(exc, yaml.reader.ReaderError):
        # no line in the exception: the reader only knows the character offset
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        line, column = getattr(exc, "line_column", (1, exc.position + 1))
        return ParseFailure(line, column, f"文件里有看不见的特殊字符（编码 #x{char:04x}），YAML 不接受",
                            "", None, str(exc))
    mark, cmark = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", "") or str(exc)
    return ParseFailure(
        line=(mark.line + 1) if mark else 1,
        column=(mark.column + 1) if mark else 1,
        problem=translate_first(PROBLEMS, problem) or f"YAML 读不懂这里（{problem}）",
        context=cmark and translate_first(CONTEXTS, getattr(exc, "context", None) or "",
                                          line=cmark.line + 1, col=cmark.column + 1) or "",
        context_line=(cmark.line + 1) if cmark else None,
        original=str(exc),
    )


# The advice for a parser's problem that holds one of `words`: the first entry that fits (an
# unknown escape is inside a quoted scalar), at the problem's line or, True, at the line its
# context starts ({at}). No problem hint_for looks at after these holds any of their words.
HINTS = [
    ((TOO_DEEP,), False,
     "训练数据只有几层（意图 → 例句，规则 → 步骤）：删掉这一段层层缩进（或层层括号）的内容，按参考项目的格式重写。"),
    (("unknown escape",), False, "双引号里的 '\\' 要写成 '\\\\'，或者把双引号换成单引号。"),
    (("quoted scalar", "end of stream"), True,
     "第 {at} 行的引号没有配对：在句子末尾补上英文引号 '\"'，或者去掉开头的引号（中文句子一般不需要引号）。"),
    (("expected a comment or a line break", "chomping"), False,
     "'|' 后面要直接换行：把 '|' 后面的内容移到下一行，缩进后以 '- ' 开头。"),
    (("cannot start any token",), False, "以 @ ` % 等符号开头的内容要用英文引号括起来，例如 \"@客服 在吗\"。"),
    (("undefined alias", "duplicate anchor"), False, "以 * 或 & 开头的内容要用英文引号括起来。"),
    (("single document",), False, "删掉文件中间的 '---' 分隔线。"),
    (("expected ','",), True, "检查方括号/花括号：左右括号要配对，里面的项用英文逗号 ',' 隔开。"),
    (("could not find expected ':'",), True, "这一行少了英文冒号 ':'，或者它本该是上一行内容的一部分（缩进不对）。"),
]


def hint_for(failure: ParseFailure, lines: Sequence[str], original_problem: str) -> Tuple[int, str]:
    """(line most likely at fault, Chinese advice) for a parse failure."""
    n = failure.line
    raw, prev = _line(lines, n), _previous_struct(lines, n)
    for words, at_context, advice in HINTS:
        if any(word in original_problem for word in words):
            at = failure.context_line or n if at_context else n
            return at, advice.format(at=at)
    if "but found '<scalar>'" in original_problem:
        if re.search(r'"[^"]*"[ \t]*[^\s#]', raw):
            return n, ("这一行的引号结束以后还有文字：把整句话都放进引号里，"
                       "或者去掉引号（中文句子一般不需要引号）。")
        # the first line from the context (or 3 above) with an odd number of unescaped quotes
        quote = next((k for k in range(max(1, failure.context_line or n - 3), n + 1)
                      if len(re.findall(r'(?<!\\)"', _line(lines, k).split(" #", 1)[0])) % 2), None)
        if quote:
            return quote, (f"第 {quote} 行的英文引号 '\"' 没有配对：在句子末尾补上 '\"'，"
                           "或者去掉开头的引号。")
    if "mapping values are not allowed" in original_problem:
        m = KEY_RE.match(raw)
        if m and re.search(r":\s", m.group("after")):
            return n, ("这一行的内容里有英文冒号加空格 ': '，YAML 会把它当成新的键："
                       "把这个冒号换成中文冒号 '：'，或者把整句话用英文双引号括起来。")
        prev_m = KEY_RE.match(lines[prev - 1]) if prev and m else None
        if prev_m and m.end("dash") > prev_m.end("dash") and prev_m.group("after").strip():
            return n, (f"第 {n} 行比第 {prev} 行多缩进了 {m.end('dash') - prev_m.end('dash')} 个空格："
                       f"同一层的键要左对齐（{prev_m.end('dash')} 个空格）。")
        return n, "检查这一行和上一行：缩进是否和同级对齐（只用空格），冒号是否是英文冒号并且后面有空格。"
    if "expected <block end>" in original_problem or "sequence entries" in original_problem:
        col = len(raw) - len(raw.lstrip(" "))
        sibling = _sibling_indent(lines, n, raw.lstrip(" ").startswith("-"))
        if sibling is not None and sibling != col:
            return n, (f"第 {n} 行缩进了 {col} 个空格，和同一层的上面几行不一样（{sibling} 个空格）："
                       f"改成 {sibling} 个空格。")
        if prev:
            return n, f"检查第 {prev} 行到第 {n} 行的缩进：同一层的内容要用同样多的空格左对齐。"
    for k in (n, failure.context_line or n):
        text = _line(lines, k)
        if text.count("[") != text.count("]") or text.count("{") != text.count("}"):
            return k, "这一行的方括号 [ ] 或花括号 { } 没有配对：补上右括号，里面的项用英文逗号 ',' 隔开。"
    return n, "检查这一行和上一行：缩进只用空格并和同级对齐；冒号、引号、减号都要用英文半角符号。"


def _previous_struct(lines: Sequence[str], n: int) -> Optional[int]:
    return next((k for k in range(n - 1, 0, -1) if lines[k - 1].strip()[:1] not in ("", "#")), None)


def _line(lines: Sequence[str], n: int) -> str:
    return lines[n - 1] if 1 <= n <= len(lines) else ""


def _sibling_indent(lines: Sequence[str], n: int, is_item: bool) -> Optional[int]:
    """Indentation of the nearest earlier line of the same kind (list item or key)."""
    for k in range(n - 1, max(0, n - 30), -1):
        body = lines[k - 1].lstrip(" ")
        if body[:1] not in ("", "#") and body.startswith("-") == is_item:
            return len(lines[k - 1]) - len(body)
    return None
