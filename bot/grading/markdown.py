"""report.md: report.json as Markdown (for a repository's README or a teacher's notes)."""
from __future__ import annotations

from typing import Any, Dict

from bot.grading import wording
from bot.grading.wording import pct


def _cell(text: str) -> str:
    return text.replace("\n", " ").replace("|", "｜")


def render_markdown(report: Dict[str, Any]) -> str:
    lines = [f"# 评分报告：{report['project']['name']}", ""]
    if report["error"]:
        lines += [f"> **没有运行起来**（{report.get('stage') or ''}）：{report['error']}", ""]
    lines += [f"**得分：{wording.score_text(report['score'])} / 100**", "",
              "| 评分项 | 得分率 | 权重 | 得分 |", "| --- | ---: | ---: | ---: |"]
    for part in report["score_parts"].values():
        lines.append(f"| {part['label']} | {pct(part['value'])} | {part['weight']:g} | {wording.points_text(part)} |")
    lines += ["", "## 售后问题覆盖率", "", "| 类别 | 题数 | 答对 | 其中类别兜底 | 覆盖率 | 没答对的原因 |",
              "| --- | ---: | ---: | ---: | ---: | --- |"]
    for data in report["categories"].values():
        reasons = "、".join(wording.failure_reasons(data)) or "—"
        lines.append(f"| {data['label']} | {data['total']} | {data['covered']} | {data.get('category_fallback', 0)} "
                     f"| {pct(data['coverage'])} | {reasons} |")
    lines += [""] + [f"- **{data['label']}**：{data.get('definition', '')}" for data in report["categories"].values()]
    neg = report["negatives"]
    lines += ["", f"负例（不应答成售后）：{neg['total']} 题，误答 {neg['misrouted']} 题（{pct(neg['misroute_rate'])}）"
              + (f"，泄题 {neg['leaked']} 题" if neg.get("leaked") else "") + "。", ""]
    sc = report["scenarios"]
    lines += ["## 多轮情景", "", f"通过 {sc['passed']} / {sc['total']}。", ""]
    for item in sc["items"]:
        mark = "✅" if item["passed"] else "❌"
        lines.append(f"- {mark} {item['name']}" + (f"：{item['error']}" if item.get("error") else ""))
        lines += [f"  - 第 {number} 轮" + (f"“{turn['say']}”" if "say" in turn else "")
                  + f"：应当{check['what']}，实际{check['got']}"
                  for number, turn in enumerate(item["turns"], 1) for check in turn["checks"] if not check["ok"]]
    lines += ["", "## 指标", "", "| 指标 | 数值 | 公式 |", "| --- | ---: | --- |"]
    lines += [f"| {name} | {value} | {formula} |" for name, value, formula in wording.rate_rows(report)]
    failed = wording.failed_questions(report)
    if failed:
        lines += ["", "## 没答对的题目", "", "| 编号 | 类别 | 问题 | 机器人的理解 | 置信度 | 回复 | 建议 |",
                  "| --- | --- | --- | --- | ---: | --- | --- |"]
        lines += [f"| {q['id']} | {q['category']} | {_cell(q['text'])} | {q['intent']}（{q['status']}） | "
                  f"{q['confidence']} | {_cell(q['reply'])[:80]} | {_cell(q['hint'])} |" for q in failed]
    found = wording.findings(report)
    lines += ["", "## 训练数据和答案", ""]
    lines += [wording.findings_summary(report), ""] if found else ["- 没有发现问题。"]
    for finding in found:
        lines.append(f"- {finding.text}")
        lines += [f"  - {detail}" for detail in finding.details]
        if finding.quote:
            lines.append(f"  - 原文：{_cell(finding.quote)}")
    checker = report["checker"]
    if checker.get("findings"):
        lines += ["", f"## 数据检查（python -m bot check）：错误 {checker['errors']}，警告 {checker['warnings']}", ""]
        lines += [f"- {f['severity']} {f['where']}：{f['message']}" for f in wording.checker_findings(report)]
        if len(checker["findings"]) > wording.MAX_CHECKER_LINES:
            lines.append(f"- ……共 {len(checker['findings'])} 条，运行 `python -m bot check` 查看全部")
    return "\n".join(lines) + "\n"
