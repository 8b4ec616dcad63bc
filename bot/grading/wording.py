"""The words and figures every rendering of report.json shares, written once.

Markdown, HTML, the terminal tables and class.csv differ in layout only: the
sentences about findings, the reasons a question failed, a class-table row and the
number formats come from here, as plain text (the HTML templates escape it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from bot.grading.categories import AFTER_SALES, label
from bot.grading.scoring import STATUS_LABELS

# The checker's findings shown in a report; `python -m bot check` lists them all.
MAX_CHECKER_LINES = 30
# report.json's formulas are named in Chinese; their values are in report["rates"].
RATE_KEYS = {"识别率": "recognition", "覆盖率": "coverage", "误答率": "misanswer", "转人工率": "handoff",
             "负例误答率": "negative_misroute", "情景通过率": "scenario_pass"}
RATE_LABELS = {key: name for name, key in RATE_KEYS.items()}


def pct(value: Optional[float]) -> str:
    return "N/A" if value is None else f"{value * 100:.1f}%"


def score_text(score: Optional[float]) -> str:
    return "—" if score is None else f"{score:.1f}"


def points_text(part: Dict[str, Any]) -> str:
    return "N/A" if part["points"] is None else f"{part['points']:.1f} / {part['max_points']:.1f}"


def first_line(text: Optional[str]) -> str:
    """The gist of an error in one line (class.csv, the class table, index.html).

    "训练失败。Rasa 的最后几行输出：" says little on its own: the exception named in
    the lines after it is added ("InvalidRule: Contradicting rules or stories found").
    """
    lines = [line.strip() for line in (text or "").strip().splitlines() if line.strip()]
    head = lines[0] if lines else ""
    if head.endswith(("：", ":")):
        head = head.split("。")[0] + "：" if "。" in head else head
        for number, line in enumerate(lines[1:], 1):
            found = re.match(r"^(?:[\w.]+\.)?(\w+(?:Error|Exception|Rule|Domain|Config\w*)):\s*(.*)$", line)
            if found:
                detail = found.group(2) or (lines[number + 1] if number + 1 < len(lines) else "")
                return f"{head}{found.group(1)}: {detail}".strip()
    return head


def failure_reasons(category: Dict[str, Any]) -> List[str]:
    """Why a category's questions failed, one "reason count" per reason."""
    return [f"{STATUS_LABELS.get(k, k)} {v}" for k, v in category["failures"].items()]


def rate_rows(report: Dict[str, Any]) -> List[Tuple[str, str, str]]:
    """(name, value, formula) of every published rate."""
    return [(f["name"], pct(report["rates"].get(RATE_KEYS[f["name"]])), f["formula"]) for f in report["formulas"]]


def failed_questions(report: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The teacher view's questions the bot got wrong, with what a table shows of each."""
    return [{"id": q["id"], "category": label(q["category"]), "text": q["text"],
             "intent": q["intent"] or "—", "status": STATUS_LABELS.get(q["status"], q["status"]),
             "got": label(q["got"]), "confidence": f"{q['confidence']:.2f}",
             "reply": q["reply"] or "（没有回复）", "hint": q["hint"],
             "must_include": "；".join("|".join(group) for group in q.get("must_include") or [])}
            for q in report.get("questions") or [] if q["status"] not in ("covered", "correct")]


@dataclass
class Finding:
    """One sentence about the training data or the answers; `details` are sub-items."""
    text: str
    serious: bool = False
    details: List[str] = field(default_factory=list)
    quote: str = ""


def findings(report: Dict[str, Any]) -> List[Finding]:
    out: List[Finding] = []
    leaks = report["leaks"]
    if leaks["count"]:
        out.append(Finding(f"泄题：{leaks['count']} 道考题在训练数据里有相同或几乎相同的句子，这些题不计入覆盖。", True,
                           [f"{i['id']}“{i['text']}” ≈ {i['examples'][0]['place']}“{i['examples'][0]['text']}”"
                            f"（相似度 {i['examples'][0]['similarity']:.2f}）" for i in leaks.get("items") or []]))
    hygiene = report.get("hygiene") or {}
    out += [Finding(f"读不了 {i['file']}：{i['message']}", True) for i in hygiene.get("broken_files") or []]
    out += [Finding(f"意图 {i['intent']} 只有 {i['count']} 条相似问法" + (f"（{i['file']}:{i['line']}）" if i.get("file") else ""))
            for i in hygiene.get("thin_intents") or []]
    out += [Finding(f"“{i['text']}”同时在 {'、'.join(i['intents'])} 下：{'、'.join(i['places'])}")
            for i in hygiene.get("conflicts") or []]
    out += [Finding(f"{i['intent']} 里重复：“{i['a']}”和“{i['b']}”（{'、'.join(i['places'])}）")
            for i in hygiene.get("near_duplicates") or []]
    quality = report.get("answer_quality") or {}
    out += [Finding(f"意图 {name} 没有规则或故事，机器人不会回答它") for name in quality.get("unanswered_intents") or []]
    out += [Finding(f"意图 {name} 应当先要订单号、按订单状态回答（规则里用 order_form）")
            for name in quality.get("conditional_missing") or []]
    out += [Finding(f"答案 {i['response']}：{'；'.join(i['problems'])}", quote=i["text"][:120])
            for i in quality.get("responses") or []]
    return out


def findings_summary(report: Dict[str, Any]) -> str:
    hygiene = report.get("hygiene") or {}
    quality = report.get("answer_quality") or {}
    return (f"意图 {hygiene.get('intents', 0)} 个，相似问法 {hygiene.get('examples', 0)} 条；"
            f"训练数据问题 {hygiene.get('findings', 0)} 个，答案问题 {quality.get('findings', 0)} 个。")


def checker_findings(report: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The first MAX_CHECKER_LINES findings of `python -m bot check`, severity in words."""
    return [{"serious": f["severity"] == "error", "severity": "错误" if f["severity"] == "error" else "警告",
             "where": f["where"], "message": f["message"], "fix": f.get("fix") or ""}
            for f in (report.get("checker") or {}).get("findings", [])[:MAX_CHECKER_LINES]]


CLASS_COLUMNS = (["学生", "状态", "得分"] + [f"{label(c)}覆盖率(%)" for c in AFTER_SALES]
                 + ["负例题数", "负例误答", "情景通过", "情景总数", "数据问题", "答案问题", "泄题",
                    "检查错误", "检查警告", "错误"])


def class_row(report: Dict[str, Any]) -> Dict[str, Any]:
    """One project in the class table, index.html and class.csv (raw figures)."""
    checker = report["checker"]
    return {"name": report["project"]["name"], "failed": bool(report["error"]),
            "ran": report["counts"]["ran"],
            "error": first_line(report["error"]), "score": report["score"],
            "coverage": [report["categories"][c]["coverage"] for c in AFTER_SALES],
            "negatives": report["negatives"]["total"], "misrouted": report["negatives"]["misrouted"],
            "scenarios_passed": report["scenarios"]["passed"], "scenarios": report["scenarios"]["total"],
            "data_findings": (report.get("hygiene") or {}).get("findings", 0),
            "answer_findings": (report.get("answer_quality") or {}).get("findings", 0),
            "leaks": report["leaks"]["count"],
            "checker_errors": checker["errors"], "checker_warnings": checker["warnings"]}


def class_summary(reports: Sequence[Dict[str, Any]]) -> str:
    scores = class_scores(reports)
    text = f"{len(reports)} 个项目，{len(reports) - len(scores)} 个出错"
    if scores:
        text += f"；平均分 {sum(scores) / len(scores):.1f}，最高 {max(scores):.1f}，最低 {min(scores):.1f}"
    return text


def class_scores(reports: Sequence[Dict[str, Any]]) -> List[float]:
    """The scores of the projects that ran (the class figures leave the others out)."""
    return [r["score"] for r in reports if r["score"] is not None and not r["error"]]
