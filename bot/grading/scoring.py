"""Pure functions from what the bot did to verdicts, metrics and the score.

Nothing here runs Rasa: a turn is the dict the worker sends back
({intent, confidence, actions, replies, ranking}); categories map intents to
shop/intents.yml categories; the rubric says which actions are fallback and hand-off.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Any, Dict, List, Optional, Sequence

from bot.answer_rules import PLACEHOLDER
from bot.grading.bank import Question
from bot.grading.categories import (AFTER_SALES, FALLBACK, HANDOFF, NEGATIVE, SILENT,
                                    UNREGISTERED, label)
from bot.grading.rubric import COMPONENTS, Rubric
from bot.grading.scenarios import Scenario, check_turn
from bot.project_files import CATEGORY_FILES
from bot.workspace import is_placeholder

# Verdicts of a bank question.
COVERED = "covered"          # after-sales question answered by its category
CORRECT = "correct"          # negative question not answered as after-sales
STATUS_LABELS = {
    COVERED: "答对", CORRECT: "正确（没有当成售后）",
    "wrong_category": "答成了别的类别", "misrouted": "负例被当成售后回答",
    FALLBACK: "没听懂（兜底）", HANDOFF: "转人工", SILENT: "没有回复", UNREGISTERED: "意图未登记类别",
    "placeholder": "答案是占位符", "missing_words": "答案缺少必含词",
    "leaked": "泄题（训练数据里有这道题）", "error": "没有运行",
}

FORMULAS = [
    ("识别率", "识别出意图的题数（不是兜底“没听懂”）÷ 全部题数"),
    ("覆盖率", "答对的售后题数 ÷ 售后题数（每个类别分别算，没有题目的类别记 N/A）。"
              "答对 = 回复来自该类别的意图（包括该类别的“类别兜底”答案，报告里单独列出题数），不是“没听懂”、不是转人工，回复不为空、不是占位符，"
              "包含题目要求的必含词，并且这道题没有出现在训练数据里（泄题不算）"),
    ("误答率", "答错类别的题数 ÷ 机器人作答的题数。作答 = 有回复且不是兜底、不是转人工；"
              "答错 = 售后题答成了别的类别，或负例答成了售后类别"),
    ("转人工率", "转人工的题数 ÷ 全部题数"),
    ("负例误答率", "被当成退换货、物流或质量问题回答的负例 ÷ 负例总数"),
    ("情景通过率", "每一轮检查都通过的多轮情景 ÷ 情景总数"),
]

_UNFILLED = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


def outcome(turn: Dict[str, Any], categories: Dict[str, str], rubric: Rubric) -> str:
    """What the bot did: a category, or fallback / handoff / silent / unregistered."""
    intent = turn.get("intent") or ""
    actions = turn.get("actions") or []
    if intent in rubric.fallback_intents or any(a in rubric.fallback_actions for a in actions):
        return FALLBACK
    if any(a in rubric.handoff_actions for a in actions):
        return HANDOFF
    if not any((r or "").strip() for r in turn.get("replies") or []):
        return SILENT
    return categories.get(intent) or UNREGISTERED


# What the student should add or fix, per status, in Chinese ("rule_missing": a fallback
# although NLU understood an intent).
_HINTS = {
    "leaked": "训练数据里有和这道题几乎一样的句子（{place}）：考题不能放进训练数据，请换成自己写的问法。",
    "wrong_category": ("被识别成 {intent}（{got}，置信度 {confidence:.2f}）：在 {nlu_file} 的{target}下"
                       "补充类似的问法，并检查 {intent} 的示例里有没有太像的句子。"),
    "rule_missing": ("识别为 {intent}（置信度 {confidence:.2f}），但没有规则告诉机器人怎么回答，只能兜底："
                     "在 data/rules/ 给 {intent} 加一条规则。"),
    FALLBACK: "没听懂（最可能的意图 {intent}，置信度 {confidence:.2f}）：在 {nlu_file} 的{target}下加入类似的说法。",
    HANDOFF: ("转了人工：看看问题里是否有人工介入词或情绪词（shop/policy.yml），"
              "如果没有，检查 {intent} 的规则（data/rules/）。"),
    SILENT: "识别为 {intent}，但机器人没有回复：在 data/rules/ 给 {intent} 加一条规则，并在 domain.yml 写答案。",
    UNREGISTERED: "意图 {intent} 没有在 shop/intents.yml 登记类别：登记后才算{wanted}的答案。",
    "placeholder": "答案还没写完（占位符或没有填好的 {{变量}}）：修改 domain.yml 里 {intent} 的答案。",
    "missing_words": "答案里没有“{missing}”：修改 domain.yml 里 {intent} 的答案。",
    "misrouted": ("这不是售后问题，却被识别成 {intent}（{got}，置信度 {confidence:.2f}）：在正确的意图下"
                  "补充类似的问法，并检查 {intent} 的示例是否太宽泛。"),
    "error": "这个项目没有运行起来，见上面的错误原因。",
}


def hint(question: Question, status: str, turn: Dict[str, Any], got: str,
         missing: Sequence[str] = (), leaks: Sequence[Dict[str, Any]] = (),
         rule_missing: bool = False) -> str:
    template = _HINTS.get("rule_missing" if status == FALLBACK and rule_missing else status)
    if template is None:
        return ""
    wanted = question.category
    return template.format(
        intent=turn.get("intent") or "无", confidence=float(turn.get("confidence") or 0.0), got=label(got),
        nlu_file=f"data/nlu/{CATEGORY_FILES.get(wanted, 'other.yml')}", wanted=label(wanted),
        target=f"意图 {question.intent}" if question.intent else f"对应的{label(wanted)}意图",
        missing="、".join(missing), place=leaks[0]["place"] if leaks else "")


def judge(question: Question, turn: Optional[Dict[str, Any]], categories: Dict[str, str],
          rubric: Rubric, leaks: Sequence[Dict[str, Any]] = ()) -> Dict[str, Any]:
    if turn is None:
        return {"key": question.key, "status": "error", "got": None, "intent": None,
                "confidence": 0.0, "reply": "", "hint": hint(question, "error", {}, "")}
    got = outcome(turn, categories, rubric)
    reply = "\n".join(turn.get("replies") or [])
    missing: List[str] = []
    if question.category == NEGATIVE and got in AFTER_SALES:
        status = "misrouted"
    elif leaks:
        status = "leaked"
    elif question.category == NEGATIVE:
        status = CORRECT
    elif got != question.category:
        status = got if got in (FALLBACK, HANDOFF, SILENT, UNREGISTERED) else "wrong_category"
    elif is_placeholder(reply) or rubric.answers.find(PLACEHOLDER, reply) or _UNFILLED.search(reply):
        status = "placeholder"   # a placeholder answer, or one with a {variable} left unfilled
    else:
        missing = ["|".join(group) for group in question.must_include if not any(w in reply for w in group)]
        status = "missing_words" if missing else COVERED
    return {
        "key": question.key, "status": status, "got": got, "intent": turn.get("intent"),
        "confidence": round(float(turn.get("confidence") or 0.0), 3), "reply": reply,
        "actions": list(turn.get("actions") or []),
        "category_fallback": bool(turn.get("category_fallback")),
        "ranking": list(turn.get("ranking") or [])[:3],
        "missing_words": missing, "leaks": list(leaks),
        "hint": "" if status in (COVERED, CORRECT) else hint(
            question, status, turn, got, missing, leaks,
            # NLU understood an intent, yet the dialogue fell back: no rule answers it.
            rule_missing=bool(turn.get("intent")) and turn.get("intent") not in rubric.fallback_intents),
    }


def _ratio(part: int, whole: int) -> Optional[float]:
    return round(part / whole, 4) if whole else None


def metrics(questions: Sequence[Question], verdicts: Dict[str, Dict[str, Any]]) -> Dict[str, Any]:
    """Per category coverage, negatives, the dashboard rates and the category confusion."""
    status = {q.key: verdicts[q.key]["status"] for q in questions}
    got = {q.key: verdicts[q.key]["got"] for q in questions}
    categories: Dict[str, Any] = {}
    for category in AFTER_SALES:
        mine = [q for q in questions if q.category == category]
        covered = [q for q in mine if status[q.key] == COVERED]
        missing = [q.key for q in mine if status[q.key] != COVERED]
        categories[category] = {
            "label": label(category), "total": len(mine), "covered": len(covered),
            "coverage": _ratio(len(covered), len(mine)),
            # covered by the category's 类别兜底 answer rather than one of its intents
            "category_fallback": sum(1 for q in covered if verdicts[q.key].get("category_fallback")),
            "missing": missing, "failures": dict(Counter(status[key] for key in missing)),
        }
    negatives = [q for q in questions if q.category == NEGATIVE]
    misrouted = [q.key for q in negatives if status[q.key] == "misrouted"]
    leaked_negatives = sum(1 for q in negatives if status[q.key] == "leaked")
    correct = len(negatives) - len(misrouted) - leaked_negatives

    ran = [q for q in questions if status[q.key] != "error"]
    outcomes = Counter(got[q.key] for q in ran)
    answered = [q for q in ran if got[q.key] not in (FALLBACK, HANDOFF, SILENT)]
    # wrong: an after-sales question answered by another category, a negative one as after-sales
    wrong = [q for q in answered
             if (got[q.key] in AFTER_SALES if q.category == NEGATIVE else got[q.key] != q.category)]
    after_sales = [q for q in questions if q.category in AFTER_SALES]
    confusion = {category: dict(Counter(got[q.key] for q in ran if q.category == category))
                 for category in dict.fromkeys(q.category for q in ran)}
    return {
        "categories": categories,
        "negatives": {"total": len(negatives), "misrouted": len(misrouted), "leaked": leaked_negatives,
                      "correct": correct, "misroute_rate": _ratio(len(misrouted), len(negatives)),
                      "missing": misrouted},
        "rates": {
            "recognition": _ratio(len(ran) - outcomes[FALLBACK], len(ran)),
            "coverage": _ratio(sum(c["covered"] for c in categories.values()), len(after_sales)),
            "misanswer": _ratio(len(wrong), len(answered)),
            "handoff": _ratio(outcomes[HANDOFF], len(ran)),
            "negative_misroute": _ratio(len(misrouted), len(negatives)),
        },
        "counts": {"questions": len(questions), "ran": len(ran), "answered": len(answered),
                   "wrong": len(wrong)},
        "confusion": confusion,
    }


def judge_scenario(scenario: Scenario, run: Dict[str, Any], categories: Dict[str, str]) -> Dict[str, Any]:
    """Checks of every turn of a scenario run ({order_id, turns, error})."""
    result = {"key": scenario.key, "name": scenario.name, "category": scenario.category,
              "order_id": run.get("order_id"), "passed": False, "error": run.get("error"), "turns": []}
    if run.get("error"):
        return result
    turns = run.get("turns") or []
    for step, turn in zip(scenario.steps, turns):
        checks = check_turn(step.expect, turn, categories)
        result["turns"].append({
            "say": turn.get("text", step.say), "intent": turn.get("intent"),
            "category": categories.get(turn.get("intent") or ""),
            "confidence": round(float(turn.get("confidence") or 0.0), 3),
            "actions": turn.get("actions") or [], "replies": turn.get("replies") or [],
            "checks": [{"ok": c.ok, "what": c.what, "got": "" if c.ok else c.got} for c in checks],
        })
    result["passed"] = len(turns) == len(scenario.steps) and all(
        check["ok"] for turn in result["turns"] for check in turn["checks"])
    return result


def score(values: Dict[str, Optional[float]], rubric: Rubric) -> Dict[str, Any]:
    """The weighted score; a component without questions (None) is left out and the rest
    scaled to 100."""
    used = {name: values.get(name) for name in COMPONENTS
            if values.get(name) is not None and rubric.weights.get(name, 0) > 0}
    total_weight = sum(rubric.weights[name] for name in used)
    shares = {name: rubric.weights[name] / total_weight * 100 if total_weight else 0.0 for name in used}
    parts = {name: {"value": None if values.get(name) is None else round(values[name], 4),
                    "weight": rubric.weights.get(name, 0), "max_points": round(shares.get(name, 0.0), 2),
                    "points": round(shares[name] * used[name], 2) if name in used else None}
             for name in COMPONENTS}
    total = sum(p["points"] for p in parts.values() if p["points"] is not None)
    return {"score": round(total, 1) if used else None, "parts": parts}


def component_values(result_metrics: Dict[str, Any], scenarios: Sequence[Dict[str, Any]],
                     static: Dict[str, Any], ran: bool) -> Dict[str, Optional[float]]:
    """Each rubric component as 0..1 (None when it has nothing to measure); a project that
    did not run gets 0 for what needs the running bot (not N/A)."""
    coverages = [c["coverage"] for c in result_metrics["categories"].values() if c["coverage"] is not None]
    negatives = result_metrics["negatives"]
    return {
        "coverage": (sum(coverages) / len(coverages) if ran else 0.0) if coverages else None,
        "negatives": (negatives["correct"] / negatives["total"] if ran else 0.0) if negatives["total"] else None,
        "scenarios": (sum(1 for s in scenarios if s["passed"]) / len(scenarios) if ran else 0.0) if scenarios else None,
        "answer_quality": static["answer_quality"]["value"],
        "hygiene": static["hygiene"]["value"],
    }
