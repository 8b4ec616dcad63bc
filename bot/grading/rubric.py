"""bank/rubric.yml: the weights of the score and the word lists of the answer checks."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List

import yaml

from bot.project import REFERENCE_ROOT

DEFAULT_RUBRIC = REFERENCE_ROOT / "bank" / "rubric.yml"
COMPONENTS = ("coverage", "negatives", "scenarios", "answer_quality", "hygiene")
COMPONENT_LABELS = {
    "coverage": "售后问题覆盖率",
    "negatives": "负例不误答",
    "scenarios": "多轮情景通过率",
    "answer_quality": "答案质量",
    "hygiene": "训练数据卫生",
}


class RubricError(Exception):
    """The rubric cannot be used; the message says why, in Chinese."""


@dataclass
class Rubric:
    weights: Dict[str, float]
    fallback_intents: List[str]
    fallback_actions: List[str]
    handoff_actions: List[str]
    polite_words: List[str]
    absolute_words: List[str]
    extreme_words: List[str]
    placeholders: List[str]
    min_length: int
    max_length: int
    conditional_intents: List[str]
    conditional_actions: List[str]
    min_examples: int
    near_duplicate: float
    penalty: Dict[str, float]
    leak_threshold: float
    leak_min_chars: int = 6
    leak_evidence: int = 3
    source: str = ""
    raw: Dict[str, Any] = field(default_factory=dict)


def _words(section: Dict[str, Any], key: str, where: str) -> List[str]:
    value = section.get(key) or []
    if not isinstance(value, list):
        raise RubricError(f"{where} 的 {key} 应当是一个列表，例如 [亲, 您]")
    return [str(v) for v in value if str(v).strip()]


def _number(section: Dict[str, Any], key: str, where: str, low: float, high: float) -> float:
    value = section.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise RubricError(f"{where} 的 {key} 应当是 {low:g} 到 {high:g} 之间的数，现在是 {value!r}")
    return float(value)


def load_rubric(path: Path = DEFAULT_RUBRIC) -> Rubric:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text("utf-8")) or {}
    except OSError:
        raise RubricError(f"找不到评分细则 {path}")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RubricError(f"评分细则 {path.name} 不是正确的 YAML" + (f"（第 {mark.line + 1} 行附近）" if mark else ""))
    if not isinstance(raw, dict):
        raise RubricError(f"评分细则 {path.name} 应当是“名称: 值”的形式")
    weights_raw = raw.get("weights") or {}
    unknown = sorted(set(weights_raw) - set(COMPONENTS))
    if unknown:
        raise RubricError(f"{path.name} 的 weights 里有不认识的项目 {'、'.join(map(str, unknown))}；"
                          f"可以用的是 {'、'.join(COMPONENTS)}")
    weights = {name: _number(weights_raw, name, "weights", 0, 1000) if name in weights_raw else 0.0
               for name in COMPONENTS}
    if sum(weights.values()) <= 0:
        raise RubricError(f"{path.name} 的 weights 全是 0：至少给一项加上权重")
    quality = raw.get("answer_quality") or {}
    hygiene = raw.get("hygiene") or {}
    penalty_raw = hygiene.get("penalty") or {}
    penalty = {key: _number(penalty_raw, key, "hygiene.penalty", 0, 1) if key in penalty_raw else default
               for key, default in (("thin_intent", 0.03), ("conflict", 0.03),
                                    ("near_duplicate", 0.005), ("broken_file", 0.25))}
    leakage = raw.get("leakage") or {}
    rubric = Rubric(
        weights=weights,
        fallback_intents=_words(raw, "fallback_intents", path.name) or ["nlu_fallback"],
        fallback_actions=_words(raw, "fallback_actions", path.name),
        handoff_actions=_words(raw, "handoff_actions", path.name),
        polite_words=_words(quality, "polite_words", "answer_quality"),
        absolute_words=_words(quality, "absolute_words", "answer_quality"),
        extreme_words=_words(quality, "extreme_words", "answer_quality"),
        placeholders=_words(quality, "placeholders", "answer_quality"),
        min_length=int(_number(quality, "min_length", "answer_quality", 0, 10000)) if "min_length" in quality else 6,
        max_length=int(_number(quality, "max_length", "answer_quality", 1, 10000)) if "max_length" in quality else 220,
        conditional_intents=_words(quality, "conditional_intents", "answer_quality"),
        conditional_actions=_words(quality, "conditional_actions", "answer_quality") or ["order_form"],
        min_examples=int(_number(hygiene, "min_examples", "hygiene", 0, 10000)) if "min_examples" in hygiene else 12,
        near_duplicate=_number(hygiene, "near_duplicate", "hygiene", 0.5, 1) if "near_duplicate" in hygiene else 1.0,
        penalty=penalty,
        leak_threshold=_number(leakage, "threshold", "leakage", 0.5, 1) if "threshold" in leakage else 0.9,
        leak_min_chars=int(_number(leakage, "min_chars", "leakage", 0, 100)) if "min_chars" in leakage else 6,
        leak_evidence=int(_number(leakage, "evidence", "leakage", 0, 1000)) if "evidence" in leakage else 3,
        source=str(path),
        raw=raw,
    )
    return rubric
