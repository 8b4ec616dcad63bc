"""report.html and index.html: one self-contained file each (inline CSS and SVG charts).

The pages are templates/grade_report.html and grade_index.html (on base.html, like
diagnose's page); this module only picks what they show from report.json.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from bot import charts, pages
from bot.grading import wording
from bot.grading.categories import AFTER_SALES, FALLBACK, HANDOFF, NEGATIVE, SILENT, UNREGISTERED, label

# The confusion chart's columns: what the bot did with a question.
CONFUSION_COLUMNS = list(AFTER_SALES) + ["basic", "product", "other", UNREGISTERED, FALLBACK, HANDOFF, SILENT]
BAR_COLOURS = {"category": "#ff6a00", "negatives": "#1677ff", "scenarios": "#13a8a8"}


def coverage_chart(report: Dict[str, Any]) -> Optional[charts.Chart]:
    """Coverage per category, then negatives answered correctly and scenarios passed."""
    neg, sc = report["negatives"], report["scenarios"]
    # (name, value, part, whole, colour)
    bars = [(d["label"], d["coverage"], d["covered"], d["total"], "category") for d in report["categories"].values()]
    negatives = neg["correct"] / neg["total"] if neg["total"] else None
    bars += [("负例不误答", negatives, neg["correct"], neg["total"], "negatives"),
             ("多轮情景", sc["pass_rate"], sc["passed"], sc["total"], "scenarios")]
    return charts.bars([(name, value, f"{wording.pct(value)}（{part}/{whole}）", BAR_COLOURS[colour])
                        for name, value, part, whole, colour in bars], "各类别覆盖率", scale=1.0, font=13)


def confusion_chart(report: Dict[str, Any]) -> Optional[charts.Chart]:
    """What the bot did (columns) with each kind of question (rows)."""
    confusion = report.get("confusion") or {}
    rows = [c for c in list(AFTER_SALES) + [NEGATIVE] if c in confusion]
    if not rows:
        return None
    columns = [c for c in CONFUSION_COLUMNS if any(confusion[r].get(c) for r in rows)]
    good = {(r, c): (c == r) if r != NEGATIVE else c not in AFTER_SALES for r in rows for c in columns}
    return charts.heatmap(rows, columns, confusion, good, {c: label(c) for c in rows + columns}, "类别混淆")


def render_report(report: Dict[str, Any]) -> str:
    return pages.render(
        "grade_report.html", title=f"评分报告：{report['project']['name']}", report=report,
        teacher=report["view"] == "teacher", coverage=coverage_chart(report), confusion=confusion_chart(report),
        rates=wording.rate_rows(report), failed=wording.failed_questions(report),
        findings=wording.findings(report), findings_summary=wording.findings_summary(report),
        checker=wording.checker_findings(report), negative_label=label(NEGATIVE), label=label,
        pct=wording.pct, score_text=wording.score_text, points_text=wording.points_text,
        failure_reasons=wording.failure_reasons)


def render_index(entries: List[Tuple[str, Dict[str, Any]]]) -> str:
    reports = [r for _, r in entries]
    scores = wording.class_scores(reports)
    return pages.render(
        "grade_index.html", title="班级评分", summary=wording.class_summary(reports),
        histogram=charts.histogram(scores, "分数分布") if scores else None,
        category_names=[label(c) for c in AFTER_SALES],
        rows=[(folder, wording.class_row(r)) for folder, r in entries],
        pct=wording.pct, score_text=wording.score_text)
