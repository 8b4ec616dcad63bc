"""The course's answer rules, one set for `check` and `grade`, read from the rubric.

bank/rubric.yml `answer_quality:` holds them (a teacher edits it; its comments explain
the format in Chinese): polite words, the word lists of absolute promises (绝对化承诺),
极限词, impolite wording and leftover placeholders, each word with its documented
exceptions, and the sensible length of an answer. `AnswerRules.check(text)` returns
findings with the stable codes below; `bot/checks/answers.py` turns them into check
findings at the answer's line, `bot/grading/static.py` scores them by code with the
rubric's `penalty`. Plain data and `re` only: check and the grader's parent process
import this without Rasa.

A word-list entry is a word (`绝对`), a word with the longer words that excuse it
(`保证: [不能保证, 保证金]`), or `{word, regex, show: match, except}`: a Python regular
expression that `word` names in reports (rubric.yml's comments explain all three).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Pattern, Tuple

from bot.workspace import is_placeholder as is_unwritten

EMPTY = "answers.empty"
UNWRITTEN = "answers.unwritten"
PROMISE = "answers.promise"
SUPERLATIVE = "answers.superlative"
IMPOLITE = "answers.impolite"
PLACEHOLDER = "answers.placeholder"
NO_HONORIFIC = "answers.no_honorific"
TOO_SHORT = "answers.too_short"
TOO_LONG = "answers.too_long"
CODES = (EMPTY, UNWRITTEN, PROMISE, SUPERLATIVE, IMPOLITE, PLACEHOLDER, NO_HONORIFIC,
         TOO_SHORT, TOO_LONG)

# rubric key of each word list -> the code of its findings (in report order)
WORD_LISTS = {"absolute_words": PROMISE, "extreme_words": SUPERLATIVE,
              "impolite_words": IMPOLITE, "placeholders": PLACEHOLDER}
LABELS = {PROMISE: "绝对化承诺", SUPERLATIVE: "极限词", IMPOLITE: "不礼貌的用语", PLACEHOLDER: "占位符"}
ENTRY_KEYS = ("word", "regex", "show", "except")

VARIABLE = re.compile(r"\{([^{}]*)\}")
VARIABLE_CHARS = 4  # a {variable} counts as 4 characters of an answer's length


class RuleError(ValueError):
    """A mistake in the rubric's answer rules: where (a key path), what, how to fix (Chinese)."""

    def __init__(self, path: Tuple[Any, ...], message: str, fix: str):
        super().__init__(message)
        self.path, self.message, self.fix = path, message, fix


@dataclass(frozen=True)
class WordRule:
    word: str
    pattern: Pattern[str]
    exceptions: Tuple[str, ...] = ()
    show_match: bool = False

    def hits(self, text: str) -> List[str]:
        """What this rule finds in text, outside its exceptions."""
        excepted = [(m.start(), m.end()) for word in self.exceptions
                    for m in re.finditer(re.escape(word), text)]
        return [m.group(0) if self.show_match else self.word
                for m in self.pattern.finditer(text)
                if not any(s <= m.start() and m.end() <= e for s, e in excepted)]


@dataclass(frozen=True)
class AnswerFinding:
    code: str
    words: Tuple[str, ...] = ()   # the words found (word-list codes)
    length: int = 0               # the answer's length (length codes)


@dataclass
class AnswerRules:
    words: Dict[str, List[WordRule]]          # code -> rules, in the rubric's order
    polite: List[WordRule]                    # at least one of them in every answer
    min_length: int
    max_length: int
    penalty: Dict[str, float] = field(default_factory=dict)

    def find(self, code: str, text: str) -> List[str]:
        """The distinct words the rules of `code` find, in the order found."""
        return list(dict.fromkeys(word for rule in self.words.get(code, []) for word in rule.hits(text)))

    def check(self, text: str) -> List[AnswerFinding]:
        """Every rule one answer text breaks. An empty or unwritten answer is one finding
        (the wording findings it would also cause say nothing new)."""
        if not text.strip():
            return [AnswerFinding(EMPTY)]
        if is_unwritten(text):
            return [AnswerFinding(UNWRITTEN)]
        wording = VARIABLE.sub("", text)  # variable names are not wording
        found = [AnswerFinding(code, tuple(self.find(code, text if code == PLACEHOLDER else wording)))
                 for code in WORD_LISTS.values()]
        found = [f for f in found if f.words]
        if self.polite and not any(rule.hits(wording) for rule in self.polite):
            found.append(AnswerFinding(NO_HONORIFIC))
        length = len(VARIABLE.sub("变" * VARIABLE_CHARS, text).strip())
        if length < self.min_length:
            found.append(AnswerFinding(TOO_SHORT, length=length))
        if length > self.max_length:
            found.append(AnswerFinding(TOO_LONG, length=length))
        return found

    def loss(self, codes: Iterable[str]) -> float:
        """What one answer loses of its credit (0..1) for the distinct codes it has."""
        return min(1.0, sum(self.penalty.get(code, 1.0) for code in set(codes)))

    def describe(self, finding: AnswerFinding) -> str:
        """The grader's one-line Chinese summary of a finding."""
        if finding.code in LABELS:
            return f"有{LABELS[finding.code]}：{'、'.join(finding.words)}"
        return {
            EMPTY: "答案是空的",
            UNWRITTEN: "还是占位符，没有写答案",
            NO_HONORIFIC: f"缺少礼貌称呼（{'、'.join(r.word for r in self.polite)}）",
            TOO_SHORT: f"太短（{finding.length} 字，至少 {self.min_length} 字）",
            TOO_LONG: f"太长（{finding.length} 字，最多 {self.max_length} 字）",
        }[finding.code]


# Python's regex errors a teacher is likely to make, in Chinese (others are quoted as they are)
REGEX_ERRORS = {
    "unterminated character set": "方括号 [ 没有配对的 ]",
    "missing ), unterminated subpattern": "圆括号 ( 没有配对的 )",
    "unbalanced parenthesis": "多了一个 )",
    "nothing to repeat": "? * + 前面没有可以重复的字",
    "multiple repeat": "? * + 连在一起用了",
    "look-behind requires fixed-width pattern": "(?<! ) 里面的内容必须是固定的字数",
}


def _compile(path: Tuple[Any, ...], word: str, regex: str) -> Pattern[str]:
    try:
        pattern = re.compile(regex)
    except re.error as exc:
        reason = REGEX_ERRORS.get(exc.msg) or next(
            (text for msg, text in REGEX_ERRORS.items() if exc.msg.startswith(msg)), f"Python 的说明是“{exc.msg}”")
        raise RuleError(path, f"“{word}”的正则表达式 {regex} 写错了：{reason}（第 {(exc.pos or 0) + 1} 个字符附近）。",
                        "检查括号是否配对；( ) [ ] ? * + . 这些字符要按字查找时前面加 \\。"
                        "只想按字查找的话，删掉 regex，直接写这个词。")
    if pattern.search(""):
        raise RuleError(path, f"“{word}”的正则表达式 {regex} 能匹配空字符串，每条答案都会被算进去。",
                        "去掉让整个表达式可以什么都不匹配的 ? 或 *，例如把 x* 改成 x+。")
    return pattern


def _exceptions(path: Tuple[Any, ...], word: str, pattern: Pattern[str], value: Any) -> Tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
        raise RuleError(path, "例外应当是一串词。",
                        "写成 [不能保证, 保证金] 这样的列表，每个例外是包含这个词的更长的词。")
    exceptions = tuple(str(v) for v in value if str(v).strip())
    for exception in exceptions:
        if not pattern.search(exception):  # a typo: it would never excuse anything
            raise RuleError(path, f"例外“{exception}”里没有“{word}”，它不会让任何一处“{word}”不算。",
                            f"例外要写包含“{word}”的更长的词（例如“保证”的例外“不能保证”），检查是不是写错了字。")
    return exceptions


def _entry(path: Tuple[Any, ...], entry: Any) -> WordRule:
    plain = isinstance(entry, (str, int, float)) and not isinstance(entry, bool)
    if plain or isinstance(entry, dict) and "word" not in entry and len(entry) == 1:
        word, exceptions = (entry, None) if plain else next(iter(entry.items()))  # 词, or 词: [例外]
        word = str(word)
        pattern = re.compile(re.escape(word))
        return WordRule(word, pattern, _exceptions(path, word, pattern, exceptions))
    if not isinstance(entry, dict):
        raise RuleError(path, f"这一项 {entry!r} 既不是词，也不是“词: [例外]”或 {{word: …, regex: …}}。",
                        "照文件开头的说明改成这三种写法之一。")
    unknown = [str(k) for k in entry if k not in ENTRY_KEYS]
    if unknown:
        raise RuleError(path + (unknown[0],), f"这一项里有不认识的 {'、'.join(unknown)}。",
                        f"可以用的是 {'、'.join(ENTRY_KEYS)}（注意拼写）。")
    word = entry.get("word")
    if word is None or not str(word).strip():
        raise RuleError(path, "这一项缺少 word（报告里显示的名字）。", "加上 word: 这个词，例如 word: 最。")
    word = str(word)
    if entry.get("show") not in (None, "word", "match"):
        raise RuleError(path + ("show",), f"“{word}”的 show 只能是 word 或 match，现在是 {entry.get('show')!r}。",
                        "show: match 显示答案里实际写的字，show: word（或不写）显示 word。")
    regex = entry.get("regex")
    pattern = _compile(path + ("regex",), word, str(regex)) if regex is not None else re.compile(re.escape(word))
    return WordRule(word, pattern, _exceptions(path + ("except",), word, pattern, entry.get("except")),
                    entry.get("show") == "match")


def _word_list(section: Dict[str, Any], key: str) -> List[WordRule]:
    path = ("answer_quality", key)
    if key not in section:
        label = LABELS.get(WORD_LISTS.get(key, ""), "礼貌称呼")
        raise RuleError(("answer_quality",), f"answer_quality 里缺少 {key}（{label}的词表）。",
                        f"从课程项目的 bank/rubric.yml 把 {key} 这一段抄过来；不想检查这一类就写 {key}: []。")
    value = section.get(key) or []
    if not isinstance(value, list):
        raise RuleError(path, f"{key} 应当是一个列表。", f"写成 {key}: [词1, 词2]，或者每行一个“- 词”。")
    return [_entry(path + (i,), entry) for i, entry in enumerate(value)]


def _length(section: Dict[str, Any], key: str) -> int:
    value = section.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10000:
        where = ("answer_quality", key) if key in section else ("answer_quality",)
        raise RuleError(where, f"answer_quality 的 {key} 应当是 0 到 10000 之间的整数，现在是 {value!r}。",
                        f"写成例如 {key}: {6 if key == 'min_length' else 220}（字数，{{变量}} 按 4 个字算）。")
    return value


def _penalty(section: Dict[str, Any]) -> Dict[str, float]:
    raw = section.get("penalty") or {}
    if not isinstance(raw, dict):
        raise RuleError(("answer_quality", "penalty"), "penalty 应当是“问题: 扣分”的形式。",
                        "写成例如 no_honorific: 0.5，每行一项。")
    names = [code.split(".", 1)[1] for code in CODES]
    penalty = {}
    for key, value in raw.items():
        if key not in names:
            raise RuleError(("answer_quality", "penalty", key), f"penalty 里有不认识的问题 {key}。",
                            f"可以用的是 {'、'.join(names)}。")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise RuleError(("answer_quality", "penalty", key), f"penalty 的 {key} 应当是 0 到 1 之间的数，现在是 {value!r}。",
                            "1 表示有这个问题的答案不得分，0 表示只提示、不扣分。")
        penalty[f"answers.{key}"] = float(value)
    return penalty


def parse_answer_rules(section: Optional[Dict[str, Any]]) -> AnswerRules:
    """The rubric's `answer_quality:` section as rules; RuleError says what is wrong."""
    if not isinstance(section, dict):
        raise RuleError((), "评分细则里缺少 answer_quality（答案规范）这一段，或者它不是“名称: 值”的形式。",
                        "从课程项目的 bank/rubric.yml 把 answer_quality 这一段抄过来。")
    rules = AnswerRules(
        words={code: _word_list(section, key) for key, code in WORD_LISTS.items()},
        polite=_word_list(section, "polite_words"),
        min_length=_length(section, "min_length"), max_length=_length(section, "max_length"),
        penalty=_penalty(section),
    )
    if rules.min_length > rules.max_length:
        raise RuleError(("answer_quality", "min_length"),
                        f"min_length（{rules.min_length}）比 max_length（{rules.max_length}）还大，没有答案能合格。",
                        "把 min_length 改小，或者把 max_length 改大。")
    return rules
