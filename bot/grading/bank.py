"""Question banks: the files a teacher writes in Excel or an editor.

CSV (UTF-8 with or without BOM, UTF-16 "Unicode text", or GBK/GB18030 from a Chinese
Excel; comma, tab or semicolon separated) or YAML, with the fields

    text          the customer's question (required)
    category      return | logistics | quality, or anything else for a negative (required)
    id            optional; `<file>#<line>` when missing
    intent        optional: the intent the teacher expects (used for hints only)
    must_include  optional: words the reply must contain. `；` or `;` separates words
                  that are all required, `|` separates alternatives: "订单号|单号；亲"
    note          optional, shown to the teacher

Headers may also be written in Chinese (问题, 类别, 编号, 意图, 必含, 备注); extra
columns are ignored. A bad row is reported with its line number and skipped (the run
then stops unless the teacher allows bad rows: session.py); a bank that cannot be read
or has no usable question raises BankError (never a pass).
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

import yaml

from bot import textfile
from bot.grading.categories import question_category

MAX_QUESTION_CHARS = 500

COLUMN_NAMES = {
    "text": ("text", "question", "问题", "文本", "顾客问题", "问法"),
    "category": ("category", "类别", "分类", "类型"),
    "id": ("id", "编号", "序号", "题号"),
    "intent": ("intent", "意图"),
    "must_include": ("must_include", "必含", "必须包含", "关键词", "答案必含"),
    "note": ("note", "备注", "说明"),
}
_COLUMN_OF = {alias.lower(): name for name, aliases in COLUMN_NAMES.items() for alias in aliases}


class BankError(Exception):
    """The bank cannot be used at all; the message says why, in Chinese."""


@dataclass(frozen=True)
class Question:
    key: str                 # unique over all banks of a run
    id: str
    text: str
    category: str            # return | logistics | quality | negative
    label: str               # the category as the teacher wrote it
    intent: str = ""
    must_include: Tuple[Tuple[str, ...], ...] = ()   # all groups required, any word of a group
    note: str = ""
    bank: str = ""
    line: int = 0

    def to_json(self) -> Dict[str, Any]:
        return {**asdict(self), "must_include": [list(g) for g in self.must_include]}

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "Question":
        return cls(**{**data, "must_include": tuple(tuple(g) for g in data.get("must_include") or [])})


@dataclass(frozen=True)
class Problem:
    """A row that was skipped (or kept with a warning), with where it is."""
    bank: str
    line: int
    message: str
    skipped: bool = True

    def __str__(self) -> str:
        where = f"{self.bank} 第 {self.line} 行" if self.line else self.bank
        return f"{where}：{self.message}" + ("（已跳过）" if self.skipped else "")


@dataclass
class Bank:
    path: Path
    encoding: str
    questions: List[Question] = field(default_factory=list)
    problems: List[Problem] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name


def parse_must_include(raw: str) -> Tuple[Tuple[str, ...], ...]:
    groups = (tuple(w.strip() for w in re.split(r"[|｜]", part) if w.strip())
              for part in re.split(r"[;；]", raw or ""))
    return tuple(words for words in groups if words)


def _swallowed_rows(values: List[str], delimiter: str) -> bool:
    """A cell that runs over several lines, later ones holding the delimiter: rows that
    an unclosed double quote turned into one cell (a question written over two lines
    in one Excel cell has no delimiter on its later lines)."""
    return any(delimiter in part for value in values for part in value.split("\n")[1:])


def _csv_rows(text: str) -> Iterable[Tuple[int, Dict[str, str]]]:
    """(line number, {field: value}) per data row; raises BankError on a bad header.

    Rows swallowed by an unclosed quote and rows with more cells than the header (an
    unquoted comma in a question shifts its category) come back as bad rows."""
    header_line = text.partition("\n")[0]
    counts = {d: header_line.count(d) for d in (",", "\t", ";", "，")}
    delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        raise BankError("文件是空的。")
    columns = [_COLUMN_OF.get(h.strip().lower()) for h in header]
    missing = [name for name in ("text", "category") if name not in columns]
    if missing:
        raise BankError(
            f"第 1 行（表头）缺少 {'、'.join(missing)} 列：表头应为 id,text,category,intent,must_include,note"
            f"（至少 text 和 category；也可以写 问题、类别）。现在的表头是：{','.join(header)}")
    while True:
        line = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise BankError(f"第 {line} 行 CSV 格式错误：{exc}")
        if not any(v.strip() for v in values):
            continue
        last = reader.line_num
        if last > line and _swallowed_rows(values, delimiter):
            yield line, {"_bad": f"双引号没有配对：第 {line}–{last} 行（共 {last - line + 1} 行）被读成了同一格，"
                                 f"这些行都没有用上。请检查第 {line} 行的双引号（问题里的引号写成两个 \"\"，"
                                 f"或者整格去掉引号）"}
        elif len(values) > len(header):
            yield line, {"_bad": f"这一行有 {len(values)} 格，表头只有 {len(header)} 格：问题里可能有没加引号的逗号，"
                                 f"类别会错位。请把整个问题用双引号括起来"}
        else:  # the first of two columns with the same meaning wins
            yield line, dict(reversed([(name, v) for name, v in zip(columns, values) if name]))


def _yaml_rows(text: str) -> Iterable[Tuple[int, Dict[str, str]]]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行附近" if mark else ""
        raise BankError(f"YAML 格式错误{where}：检查缩进和冒号后的空格。")
    if root is None:
        raise BankError("文件是空的。")
    items = (next((v for k, v in root.value if k.value in ("questions", "问题")), None)
             if isinstance(root, yaml.MappingNode) else root)
    if not isinstance(items, yaml.SequenceNode):
        raise BankError("YAML 题库应当是一个列表，或者写在 questions: 下面的列表。")
    for node in items.value:
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            yield line, {"_bad": "这一项不是“字段: 值”的形式"}
            continue
        value = yaml.safe_load(yaml.serialize(node)) or {}
        yield line, {name: "；".join(map(str, item)) if isinstance(item, list) else ("" if item is None else str(item))
                     for key, item in value.items() if (name := _COLUMN_OF.get(str(key).strip().lower()))}


def load_bank(path: Path, taken_keys: Optional[set] = None) -> Bank:
    """Read one bank; bad rows become Problems; raises BankError if nothing usable remains."""
    path = Path(path)
    if not path.is_file():
        raise BankError(f"找不到题库文件 {path}")
    if path.suffix.lower() in (".xlsx", ".xls"):
        raise BankError(f"{path.name} 是 Excel 工作簿：请在 Excel 里“文件 → 另存为 → CSV UTF-8（逗号分隔）”后再用。")
    try:
        text, encoding = textfile.decode(path.read_bytes())   # the text and the encoding it was written in
    except OSError as exc:
        raise BankError(f"无法读取 {path}：{exc.strerror}")
    except UnicodeDecodeError:
        raise BankError("无法识别文件编码（不是 UTF-8，也不是 GBK）：请在 Excel 里“另存为 CSV UTF-8”。")
    if not text.strip():
        raise BankError(f"{path.name} 是空的：题库里没有题目。")
    rows = _yaml_rows(text) if path.suffix.lower() in (".yml", ".yaml") else _csv_rows(text)
    bank = Bank(path=path, encoding=encoding)
    taken = taken_keys if taken_keys is not None else set()
    seen_ids: Dict[str, int] = {}
    seen_texts: Dict[str, int] = {}
    try:
        for line, row in rows:
            problem = _add_row(bank, line, row, taken, seen_ids, seen_texts)
            if problem:
                bank.problems.append(problem)
    except BankError as exc:
        raise BankError(f"{path.name}：{exc}")
    if not bank.questions:
        raise BankError(f"{path.name} 里没有可用的题目" + (
            f"（{len(bank.problems)} 行有问题，见上面的列表）。" if bank.problems else "。"))
    return bank


def _add_row(bank: Bank, line: int, row: Dict[str, str], taken: set,
             seen_ids: Dict[str, int], seen_texts: Dict[str, int]) -> Optional[Problem]:
    name = bank.name
    if "_bad" in row:
        return Problem(name, line, row["_bad"])
    text = " ".join((row.get("text") or "").split())
    if not text:
        return Problem(name, line, "没有问题文本（text 列是空的）")
    category = question_category(row.get("category") or "")
    if category is None:
        return Problem(name, line, "没有类别（category 列是空的）：写 return、logistics、quality，负例写 negative")
    qid = (row.get("id") or "").strip() or f"{bank.path.stem}#{line}"
    if qid in seen_ids:
        return Problem(name, line, f"编号 {qid} 和第 {seen_ids[qid]} 行重复")
    folded = re.sub(r"\s+", "", text)
    if folded in seen_texts:
        return Problem(name, line, f"问题和第 {seen_texts[folded]} 行重复")
    seen_ids[qid] = seen_texts[folded] = line
    key = qid if qid not in taken else f"{bank.path.stem}:{qid}"
    taken.add(key)
    warning = None
    if len(text) > MAX_QUESTION_CHARS:
        text = text[:MAX_QUESTION_CHARS]
        warning = Problem(name, line, f"问题超过 {MAX_QUESTION_CHARS} 个字，只用前 {MAX_QUESTION_CHARS} 个字", skipped=False)
    bank.questions.append(Question(
        key=key, id=qid, text=text, category=category, label=(row.get("category") or "").strip(),
        intent=(row.get("intent") or "").strip(),
        must_include=parse_must_include(row.get("must_include") or ""),
        note=(row.get("note") or "").strip(), bank=name, line=line))
    return warning


def load_banks(paths: List[Path]) -> List[Bank]:
    """All banks of a run; question keys are unique across them."""
    taken: set = set()
    return [load_bank(Path(p), taken) for p in paths]
