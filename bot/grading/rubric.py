"""bank/rubric.yml: the weights of the score and the course's answer rules.

Every mistake in the file is a RubricError naming file:line and the fix, in Chinese; the
answer rules (`answer_quality:`) are parsed by bot/answer_rules.py, which `check` uses too.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import yaml

from bot.answer_rules import AnswerRules, RuleError, parse_answer_rules
from bot.course import MIN_EXAMPLES
from bot.project import REFERENCE_ROOT

DEFAULT_RUBRIC = REFERENCE_ROOT / "bank" / "rubric.yml"
COMPONENTS = ("coverage", "negatives", "scenarios", "answer_quality", "hygiene")
COMPONENT_LABELS = {"coverage": "售后问题覆盖率", "negatives": "负例不误答", "scenarios": "多轮情景通过率",
                    "answer_quality": "答案质量", "hygiene": "训练数据卫生"}


class RubricError(Exception):
    """The rubric cannot be used; the message says why, in Chinese."""


@dataclass
class Rubric:
    weights: Dict[str, float]
    fallback_intents: List[str]
    fallback_actions: List[str]
    handoff_actions: List[str]
    answers: AnswerRules
    conditional_intents: List[str]
    conditional_actions: List[str]
    min_examples: int
    near_duplicate: float
    penalty: Dict[str, float]
    leak_threshold: float
    leak_min_chars: int = 6
    leak_evidence: int = 3
    source: str = ""


class _Lines:
    """The rubric's nodes, to name the line of an error."""

    def __init__(self, path: Path, text: str):
        self.name = str(path)
        self.root = yaml.compose(text, Loader=yaml.SafeLoader)

    def error(self, keys: Sequence[Any], message: str, fix: str) -> RubricError:
        """The error at the line of a key path (the nearest existing parent's for a missing key)."""
        node, line = self.root, 1
        for key in keys:
            if isinstance(node, yaml.MappingNode):
                pair = next(((k, v) for k, v in node.value if k.value == str(key)), None)
                if pair is None:
                    break
                node, line = pair[1], pair[0].start_mark.line + 1
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                node = node.value[key]
                line = node.start_mark.line + 1
            else:
                break
        return RubricError(f"评分细则 {self.name}:{line}：{message}\n  改法：{fix}")


def _words(lines: _Lines, section: Dict[str, Any], keys: Sequence[str]) -> List[str]:
    value = section.get(keys[-1]) or []
    if not isinstance(value, list):
        raise lines.error(keys, f"{'.'.join(keys)} 应当是一个列表。", f"写成 {keys[-1]}: [词1, 词2]。")
    return [str(v) for v in value if str(v).strip()]


def _number(lines: _Lines, section: Dict[str, Any], keys: Sequence[str], low: float, high: float,
            default: Optional[float] = None) -> float:
    """The number at KEYS, checked to lie in [LOW, HIGH]; DEFAULT when the key is absent."""
    if default is not None and keys[-1] not in section:
        return default
    value = section.get(keys[-1])
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise lines.error(keys, f"{'.'.join(keys)} 应当是 {low:g} 到 {high:g} 之间的数，现在是 {value!r}。",
                          f"改成 {low:g} 到 {high:g} 之间的数。")
    return float(value)


def _section(lines: _Lines, raw: Dict[str, Any], key: str) -> Dict[str, Any]:
    value = raw.get(key) or {}
    if not isinstance(value, dict):
        raise lines.error([key], f"{key} 应当是“名称: 值”的形式。", "照课程项目的 bank/rubric.yml 的样子改。")
    return value


def load_rubric(path: Path = DEFAULT_RUBRIC) -> Rubric:
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        raise RubricError(f"找不到或读不了评分细则 {path}：检查路径，文件要存成 UTF-8。")
    try:
        raw = yaml.safe_load(text) or {}
        lines = _Lines(path, text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RubricError(f"评分细则 {path}" + (f":{mark.line + 1}" if mark else "")
                          + " 不是正确的 YAML。\n  改法：检查这一行附近的缩进、冒号后面的空格和引号是否配对。")
    if not isinstance(raw, dict):
        raise RubricError(f"评分细则 {path} 应当是“名称: 值”的形式。\n  改法：照课程项目的 bank/rubric.yml 的样子写。")
    weights_raw = _section(lines, raw, "weights")
    unknown = sorted(set(weights_raw) - set(COMPONENTS))
    if unknown:
        raise lines.error(["weights", unknown[0]], f"weights 里有不认识的项目 {'、'.join(map(str, unknown))}。",
                          f"可以用的是 {'、'.join(COMPONENTS)}（注意拼写）。")
    weights = {name: _number(lines, weights_raw, ["weights", name], 0, 1000, 0.0) for name in COMPONENTS}
    if sum(weights.values()) <= 0:
        raise lines.error(["weights"], "weights 全是 0。", "至少给一项加上权重。")
    quality = _section(lines, raw, "answer_quality")
    try:
        answers = parse_answer_rules(raw.get("answer_quality"))
    except RuleError as exc:
        raise lines.error(exc.path, exc.message, exc.fix)
    hygiene = _section(lines, raw, "hygiene")
    penalty_raw = hygiene.get("penalty") or {}
    penalty = {key: _number(lines, penalty_raw, ["hygiene", "penalty", key], 0, 1, default)
               for key, default in (("thin_intent", 0.03), ("conflict", 0.03),
                                    ("near_duplicate", 0.005), ("broken_file", 0.25))}
    leakage = _section(lines, raw, "leakage")
    return Rubric(
        weights=weights, answers=answers, penalty=penalty, source=str(path),
        fallback_intents=_words(lines, raw, ["fallback_intents"]) or ["nlu_fallback"],
        fallback_actions=_words(lines, raw, ["fallback_actions"]),
        handoff_actions=_words(lines, raw, ["handoff_actions"]),
        conditional_intents=_words(lines, quality, ["answer_quality", "conditional_intents"]),
        conditional_actions=_words(lines, quality, ["answer_quality", "conditional_actions"]) or ["order_form"],
        min_examples=int(_number(lines, hygiene, ["hygiene", "min_examples"], 0, 10000, MIN_EXAMPLES)),
        near_duplicate=_number(lines, hygiene, ["hygiene", "near_duplicate"], 0.5, 1, 1.0),
        leak_threshold=_number(lines, leakage, ["leakage", "threshold"], 0.5, 1, 0.9),
        leak_min_chars=int(_number(lines, leakage, ["leakage", "min_chars"], 0, 100, 6)),
        leak_evidence=int(_number(lines, leakage, ["leakage", "evidence"], 0, 1000, 3)),
    )
