"""report.json (the source of truth) and its renderings for people.

Per project: report.json, report.html (grading/html.py), report.md. For a class:
class.csv (UTF-8 with BOM, so Excel opens it) and index.html. The terminal gets a
coverage.py-style table: category, total, covered, %, then the missing questions.

The student view (--student-view) never carries a bank question: no texts, no ids,
no replies to bank questions; only counts per category and reason.
"""
from __future__ import annotations

import csv
import json
import re
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from bot import console
from bot.grading.bank import Bank, Question
from bot.grading.categories import definition, label
from bot.grading.rubric import COMPONENT_LABELS, Rubric
from bot.grading.scoring import FORMULAS, STATUS_LABELS

SCHEMA_VERSION = 1
MAX_CHECKER_LINES = 30
RATE_LABELS = {"recognition": "识别率", "coverage": "覆盖率", "misanswer": "误答率",
               "handoff": "转人工率", "negative_misroute": "负例误答率"}


# ---------------------------------------------------------------- small helpers


def pct(value: Optional[float]) -> str:
    return "N/A" if value is None else f"{value * 100:.1f}%"


def first_line(text: Optional[str]) -> str:
    """The gist of an error in one line (class.csv, the class table, index.html).

    "训练失败。Rasa 的最后几行输出：" says little on its own: the exception named in
    the lines after it is added ("InvalidRule: Contradicting rules or stories found").
    """
    lines = [line.strip() for line in (text or "").strip().splitlines() if line.strip()]
    if not lines:
        return ""
    head = lines[0]
    if head.endswith(("：", ":")):
        head = head.split("。")[0] + "：" if "。" in head else head
        for number, line in enumerate(lines[1:], 1):
            found = re.match(r"^(?:[\w.]+\.)?(\w+(?:Error|Exception|Rule|Domain|Config\w*)):\s*(.*)$", line)
            if found:
                detail = found.group(2) or (lines[number + 1] if number + 1 < len(lines) else "")
                return f"{head}{found.group(1)}: {detail}".strip()
    return head


def width(text: str) -> int:
    """Display width in a terminal: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, size: int, right: bool = False) -> str:
    gap = " " * max(0, size - width(text))
    return gap + text if right else text + gap


def fit(text: str, size: int) -> str:
    out, used = [], 0
    for char in text:
        w = 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if used + w > size:
            break
        out.append(char)
        used += w
    return "".join(out)


# ---------------------------------------------------------------- report.json


def assemble(name: str, source: str, error: Optional[str], stage: Optional[str],
             questions: Sequence[Question], verdicts: Dict[str, Dict[str, Any]],
             measured: Dict[str, Any], scenarios: List[Dict[str, Any]], static: Dict[str, Any],
             scored: Dict[str, Any], banks: List[Bank], rubric: Rubric, model: Dict[str, Any],
             timings: Dict[str, Any], student_view: bool) -> Dict[str, Any]:
    teacher = not student_view
    categories = {}
    for category, data in measured["categories"].items():
        entry = {k: data[k] for k in ("label", "total", "covered", "coverage", "category_fallback", "failures")}
        entry["definition"] = definition(category)
        if teacher:
            entry["missing"] = data["missing"]
        categories[category] = entry
    negatives = {k: measured["negatives"][k] for k in ("total", "misrouted", "leaked", "correct", "misroute_rate")}
    if teacher:
        negatives["missing"] = measured["negatives"]["missing"]
    leaks = static.get("leaks") or {}
    by_category: Dict[str, int] = {}
    for q in questions:
        if q.key in leaks:
            by_category[q.category] = by_category.get(q.category, 0) + 1
    data: Dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "generated_at": datetime.now().isoformat(timespec="seconds"),
        "view": "student" if student_view else "teacher",
        "project": {"name": name, "source": source if teacher else name},
        "status": "error" if error else "ok",
        "error": error,
        "stage": stage if error else None,
        "score": scored["score"],
        "score_parts": {k: {"label": COMPONENT_LABELS[k], **v} for k, v in scored["parts"].items()},
        "categories": categories,
        "negatives": negatives,
        "scenarios": {
            "total": len(scenarios),
            "passed": sum(1 for s in scenarios if s["passed"]),
            "pass_rate": round(sum(1 for s in scenarios if s["passed"]) / len(scenarios), 4) if scenarios else None,
            "items": [_scenario_view(s, teacher) for s in scenarios],
        },
        "rates": {**measured["rates"],
                  "scenario_pass": round(sum(1 for s in scenarios if s["passed"]) / len(scenarios), 4) if scenarios else None},
        "formulas": [{"name": n, "formula": f} for n, f in FORMULAS],
        "confusion": measured["confusion"],
        "counts": measured["counts"],
        "leaks": {"count": len(leaks), "by_category": by_category},
        "hygiene": static.get("hygiene"),
        "answer_quality": static.get("answer_quality"),
        "checker": static.get("checker") or {"errors": None, "warnings": None, "findings": []},
        "rubric": {"source": rubric.source, "weights": rubric.weights},
        "model": model if teacher else {"reused": model.get("reused")},
        "timings": timings,
    }
    if teacher:
        data["banks"] = [{"name": b.name, "encoding": b.encoding, "questions": len(b.questions),
                          "problems": [str(p) for p in b.problems]} for b in banks]
        data["questions"] = [{**q.to_json(), **{k: v for k, v in verdicts[q.key].items() if k != "key"}}
                             for q in questions]
        data["leaks"]["items"] = [{"key": q.key, "id": q.id, "text": q.text, "category": q.category,
                                   "examples": leaks[q.key]} for q in questions if q.key in leaks]
    else:
        data["banks"] = [{"questions": len(b.questions)} for b in banks]
        data = redact(data, [q.text for q in questions])
    return _printable(data)


def _printable(value: Any) -> Any:
    """Every string of a report writable in UTF-8 (file names may not be: console.printable)."""
    if isinstance(value, str):
        return console.printable(value)
    if isinstance(value, dict):
        return {_printable(k): _printable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_printable(item) for item in value]
    return value


HIDDEN = "（这一条涉及考题，已隐藏）"


def redact(value: Any, secrets: Sequence[str]) -> Any:
    """The student view's safety net: any string that contains a bank question is hidden.

    A student's own training example can be a bank question (that is leakage), and the
    findings about that example would show it. Questions shorter than 4 characters
    only hide strings equal to them, not every string that contains them.
    """
    long = [s for s in secrets if len(s) >= 4]
    short = set(secrets) - set(long)

    def walk(item: Any) -> Any:
        if isinstance(item, str):
            return HIDDEN if item in short or any(s in item for s in long) else item
        if isinstance(item, list):
            return [walk(x) for x in item]
        if isinstance(item, dict):
            return {k: walk(v) for k, v in item.items()}
        return item

    return walk(value)


def _scenario_view(result: Dict[str, Any], teacher: bool) -> Dict[str, Any]:
    if teacher:
        return result
    return {
        "key": result["key"], "name": result["name"], "category": result["category"],
        "passed": result["passed"], "error": result["error"],
        "turns": [{"checks": t["checks"], "intent": t["intent"], "actions": t["actions"]} for t in result["turns"]],
    }


# ---------------------------------------------------------------- Markdown


def render_markdown(report: Dict[str, Any]) -> str:
    lines = [f"# 评分报告：{report['project']['name']}", ""]
    if report["error"]:
        lines += [f"> **没有运行起来**（{report.get('stage') or ''}）：{report['error']}", ""]
    score = report["score"]
    lines += [f"**得分：{'—' if score is None else f'{score:.1f}'} / 100**", "",
              "| 评分项 | 得分率 | 权重 | 得分 |", "| --- | ---: | ---: | ---: |"]
    for part in report["score_parts"].values():
        points = "N/A" if part["points"] is None else f"{part['points']:.1f} / {part['max_points']:.1f}"
        lines.append(f"| {part['label']} | {pct(part['value'])} | {part['weight']:g} | {points} |")
    lines += ["", "## 售后问题覆盖率", "", "| 类别 | 题数 | 答对 | 其中类别兜底 | 覆盖率 | 没答对的原因 |",
              "| --- | ---: | ---: | ---: | ---: | --- |"]
    for data in report["categories"].values():
        reasons = "、".join(f"{STATUS_LABELS.get(k, k)} {v}" for k, v in data["failures"].items()) or "—"
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
        for number, turn in enumerate(item["turns"], 1):
            for check in turn["checks"]:
                if not check["ok"]:
                    said = f"“{turn['say']}”" if "say" in turn else ""
                    lines.append(f"  - 第 {number} 轮{said}：应当{check['what']}，实际{check['got']}")
    lines += ["", "## 指标", "", "| 指标 | 数值 | 公式 |", "| --- | ---: | --- |"]
    values = {"识别率": "recognition", "覆盖率": "coverage", "误答率": "misanswer", "转人工率": "handoff",
              "负例误答率": "negative_misroute", "情景通过率": "scenario_pass"}
    for item in report["formulas"]:
        lines.append(f"| {item['name']} | {pct(report['rates'].get(values[item['name']]))} | {item['formula']} |")
    failed = [q for q in report.get("questions") or [] if q["status"] not in ("covered", "correct")]
    if failed:
        lines += ["", "## 没答对的题目", "", "| 编号 | 类别 | 问题 | 机器人的理解 | 置信度 | 回复 | 建议 |",
                  "| --- | --- | --- | --- | ---: | --- | --- |"]
        for q in failed:
            reply = (q["reply"] or "（没有回复）").replace("\n", " ").replace("|", "｜")
            lines.append(f"| {q['id']} | {label(q['category'])} | {q['text'].replace('|', '｜')} | "
                         f"{q['intent'] or '—'}（{STATUS_LABELS.get(q['status'], q['status'])}） | "
                         f"{q['confidence']:.2f} | {reply[:80]} | {q['hint'].replace('|', '｜')} |")
    lines += ["", "## 训练数据和答案", ""]
    lines += _finding_lines(report)
    checker = report["checker"]
    if checker.get("findings"):
        lines += ["", f"## 数据检查（python -m bot check）：错误 {checker['errors']}，警告 {checker['warnings']}", ""]
        lines += [f"- {'错误' if f['severity'] == 'error' else '警告'} {f['where']}：{f['message']}"
                  for f in checker["findings"][:MAX_CHECKER_LINES]]
        if len(checker["findings"]) > MAX_CHECKER_LINES:
            lines.append(f"- ……共 {len(checker['findings'])} 条，运行 `python -m bot check` 查看全部")
    return "\n".join(lines) + "\n"


def _finding_lines(report: Dict[str, Any]) -> List[str]:
    lines = []
    leaks = report["leaks"]
    if leaks["count"]:
        lines.append(f"- 泄题：{leaks['count']} 道考题在训练数据里有相同或几乎相同的句子，这些题不计入覆盖。")
        for item in leaks.get("items") or []:
            ex = item["examples"][0]
            lines.append(f"  - {item['id']}“{item['text']}” ≈ {ex['place']}“{ex['text']}”（相似度 {ex['similarity']:.2f}）")
    hygiene = report.get("hygiene") or {}
    for item in hygiene.get("broken_files") or []:
        lines.append(f"- 读不了 {item['file']}：{item['message']}")
    for item in hygiene.get("thin_intents") or []:
        lines.append(f"- 意图 {item['intent']} 只有 {item['count']} 条相似问法" + (f"（{item['file']}:{item['line']}）" if item.get("file") else ""))
    for item in hygiene.get("conflicts") or []:
        lines.append(f"- “{item['text']}”同时在 {'、'.join(item['intents'])} 下：{'、'.join(item['places'])}")
    for item in hygiene.get("near_duplicates") or []:
        lines.append(f"- {item['intent']} 里重复：“{item['a']}”和“{item['b']}”（{'、'.join(item['places'])}）")
    quality = report.get("answer_quality") or {}
    for name in quality.get("unanswered_intents") or []:
        lines.append(f"- 意图 {name} 没有规则或故事，机器人不会回答它")
    for name in quality.get("conditional_missing") or []:
        lines.append(f"- 意图 {name} 应当先要订单号、按订单状态回答（规则里用 order_form）")
    for item in quality.get("responses") or []:
        lines.append(f"- 答案 {item['response']}：{'；'.join(item['problems'])}")
    return lines or ["- 没有发现问题。"]


# ---------------------------------------------------------------- class.csv


CSV_COLUMNS = ["学生", "状态", "得分", "退换货覆盖率(%)", "物流覆盖率(%)", "质量问题覆盖率(%)",
               "负例题数", "负例误答", "情景通过", "情景总数", "数据问题", "答案问题", "泄题",
               "检查错误", "检查警告", "错误"]


def csv_row(report: Dict[str, Any]) -> List[Any]:
    def cov(category: str) -> Any:
        value = report["categories"][category]["coverage"]
        return "N/A" if value is None else round(value * 100, 1)

    return [report["project"]["name"], "出错" if report["error"] else "完成",
            "" if report["score"] is None else report["score"],
            cov("return"), cov("logistics"), cov("quality"),
            report["negatives"]["total"], report["negatives"]["misrouted"],
            report["scenarios"]["passed"], report["scenarios"]["total"],
            (report.get("hygiene") or {}).get("findings", 0),
            (report.get("answer_quality") or {}).get("findings", 0),
            report["leaks"]["count"],
            "" if report["checker"]["errors"] is None else report["checker"]["errors"],
            "" if report["checker"]["warnings"] is None else report["checker"]["warnings"],
            first_line(report["error"])]


def write_class_csv(reports: List[Dict[str, Any]], path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_COLUMNS)
        for report in reports:
            writer.writerow(csv_row(report))


# ---------------------------------------------------------------- writing everything


def write_project(report: Dict[str, Any], folder: Path) -> None:
    from bot.grading import html

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), "utf-8")
    (folder / "report.md").write_text(render_markdown(report), "utf-8")
    (folder / "report.html").write_text(html.render_report(report), "utf-8")


def write_class(graded: List[Any], out: Path, single: bool) -> Path:
    """class.csv (also for one project) and, for a class, index.html; the main file."""
    from bot.grading import html

    reports = [g.report for g in graded]
    write_class_csv(reports, out / "class.csv")
    if single:
        return out / "report.html"
    (out / "index.html").write_text(html.render_index([(g.folder, g.report) for g in graded]), "utf-8")
    return out / "index.html"


# ---------------------------------------------------------------- terminal


def _missing_ids(report: Dict[str, Any], keys: List[str]) -> str:
    ids = {q["key"]: q["id"] for q in report.get("questions") or []}
    return ", ".join(ids.get(k, k) for k in keys)


def project_table(report: Dict[str, Any], student_view: bool) -> List[str]:
    """The coverage.py-style table of one project."""
    head = ["类别", "题数", "答对", "覆盖率", "没答对" if not student_view else "没答对的原因"]
    sizes = [16, 6, 6, 8]
    rows = []
    for data in report["categories"].values():
        if student_view:
            missing = "、".join(f"{STATUS_LABELS.get(k, k)} {v}" for k, v in data["failures"].items())
        else:
            missing = _missing_ids(report, data.get("missing") or [])
        rows.append([data["label"], str(data["total"]), str(data["covered"]), pct(data["coverage"]), missing])
    total = sum(d["total"] for d in report["categories"].values())
    covered = sum(d["covered"] for d in report["categories"].values())
    neg = report["negatives"]
    sc = report["scenarios"]
    failed_scenarios = [s for s in sc["items"] if not s["passed"]]

    def line(cells: List[str]) -> str:
        return (pad(cells[0], sizes[0]) + pad(cells[1], sizes[1], True) + pad(cells[2], sizes[2], True)
                + pad(cells[3], sizes[3], True) + ("   " + cells[4] if cells[4] else ""))

    rule = "-" * (sum(sizes) + 10)
    out = [line(head), rule] + [line(r) for r in rows] + [rule]
    out.append(line(["售后合计", str(total), str(covered), pct(covered / total if total else None), ""]))
    out.append(line(["负例（误答）", str(neg["total"]), str(neg["misrouted"]), pct(neg["misroute_rate"]),
                     "" if student_view else _missing_ids(report, neg.get("missing") or [])]))
    out.append(line(["多轮情景（通过）", str(sc["total"]), str(sc["passed"]), pct(sc["pass_rate"]),
                     ", ".join(s["name"] for s in failed_scenarios)]))
    out.append(rule)
    rates = report["rates"]
    out.append("  ".join(f"{RATE_LABELS[k]} {pct(rates.get(k))}" for k in ("recognition", "misanswer", "handoff")))
    parts = " · ".join(f"{p['label']} {p['points']:.1f}/{p['max_points']:.1f}"
                       for p in report["score_parts"].values() if p["points"] is not None)
    score = report["score"]
    out.append(f"得分 {'—' if score is None else f'{score:.1f}'} / 100（{parts}）")
    if report["leaks"]["count"]:
        out.append(f"泄题 {report['leaks']['count']} 题（训练数据里有考题，不计入覆盖，详见报告）")
    return out


def class_table(reports: List[Dict[str, Any]]) -> List[str]:
    head = ["学生", "退换货", "物流", "质量", "负例误答", "情景", "数据问题", "得分"]
    sizes = [16, 9, 9, 9, 10, 8, 9, 8]

    def line(cells: List[str]) -> str:
        return pad(fit(cells[0], sizes[0] - 1), sizes[0]) + "".join(
            pad(c, s, True) for c, s in zip(cells[1:], sizes[1:]))

    out = [line(head), "-" * sum(sizes)]
    for r in reports:
        if r["error"] and r["status"] == "error" and not r["counts"]["ran"]:
            out.append(pad(fit(r["project"]["name"], sizes[0] - 1), sizes[0]) + "出错：" + first_line(r["error"])[:60])
            continue
        neg = r["negatives"]
        out.append(line([r["project"]["name"], pct(r["categories"]["return"]["coverage"]),
                         pct(r["categories"]["logistics"]["coverage"]), pct(r["categories"]["quality"]["coverage"]),
                         f"{neg['misrouted']}/{neg['total']}", f"{r['scenarios']['passed']}/{r['scenarios']['total']}",
                         str((r.get("hygiene") or {}).get("findings", 0)),
                         "—" if r["score"] is None else f"{r['score']:.1f}"]))
    scores = [r["score"] for r in reports if r["score"] is not None and not r["error"]]
    out.append("-" * sum(sizes))
    if scores:
        out.append(f"{len(reports)} 个项目，{len(reports) - len(scores)} 个出错；平均分 {sum(scores) / len(scores):.1f}，"
                   f"最高 {max(scores):.1f}，最低 {min(scores):.1f}")
    return out


def print_terminal(graded: List[Any], questions: Sequence[Question], single: bool, student_view: bool) -> None:
    reports = [g.report for g in graded]
    if single:
        report = reports[0]
        if report["error"]:
            console.info(f"{report['project']['name']} 没有运行起来：{report['error']}")
        for row in project_table(report, student_view):
            console.info(row)
    else:
        for row in class_table(reports):
            console.info(row)
