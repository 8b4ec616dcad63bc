"""The terminal's view of a grading run: a coverage.py-style table per project, one
line per project for a class (columns aligned for CJK widths)."""
from __future__ import annotations

from typing import Any, Dict, List

from bot import console
from bot.grading import wording
from bot.grading.categories import AFTER_SALES, label
from bot.grading.wording import pct
from bot.textwidth import fit, pad


def _missing_ids(report: Dict[str, Any], keys: List[str]) -> str:
    ids = {q["key"]: q["id"] for q in report.get("questions") or []}
    return ", ".join(ids.get(k, k) for k in keys)


def project_table(report: Dict[str, Any], student_view: bool) -> List[str]:
    """Category, total, covered, %, then what is missing (ids, or reasons in the student view)."""
    head = ["类别", "题数", "答对", "覆盖率", "没答对" if not student_view else "没答对的原因"]
    sizes = [16, 6, 6, 8]
    rows = [[d["label"], str(d["total"]), str(d["covered"]), pct(d["coverage"]),
             "、".join(wording.failure_reasons(d)) if student_view else _missing_ids(report, d.get("missing") or [])]
            for d in report["categories"].values()]
    total = sum(d["total"] for d in report["categories"].values())
    covered = sum(d["covered"] for d in report["categories"].values())
    neg, sc = report["negatives"], report["scenarios"]
    totals = [["售后合计", str(total), str(covered), pct(covered / total if total else None), ""],
              ["负例（误答）", str(neg["total"]), str(neg["misrouted"]), pct(neg["misroute_rate"]),
               "" if student_view else _missing_ids(report, neg.get("missing") or [])],
              ["多轮情景（通过）", str(sc["total"]), str(sc["passed"]), pct(sc["pass_rate"]),
               ", ".join(s["name"] for s in sc["items"] if not s["passed"])]]

    def line(cells: List[str]) -> str:
        return (pad(cells[0], sizes[0]) + "".join(pad(c, s, True) for c, s in zip(cells[1:4], sizes[1:]))
                + ("   " + cells[4] if cells[4] else ""))

    rule = "-" * (sum(sizes) + 10)
    rates = "  ".join(f"{wording.RATE_LABELS[k]} {pct(report['rates'].get(k))}"
                      for k in ("recognition", "misanswer", "handoff"))
    parts = " · ".join(f"{p['label']} {p['points']:.1f}/{p['max_points']:.1f}"
                       for p in report["score_parts"].values() if p["points"] is not None)
    out = ([line(head), rule] + [line(r) for r in rows] + [rule] + [line(r) for r in totals]
           + [rule, rates, f"得分 {wording.score_text(report['score'])} / 100（{parts}）"])
    if report["leaks"]["count"]:
        out.append(f"泄题 {report['leaks']['count']} 题（训练数据里有考题，不计入覆盖，详见报告）")
    return out


def class_table(reports: List[Dict[str, Any]]) -> List[str]:
    head = ["学生"] + [label(c) for c in AFTER_SALES] + ["负例误答", "情景", "数据问题", "得分"]
    sizes = [16] + [12] * len(AFTER_SALES) + [10, 8, 9, 8]

    def line(cells: List[str]) -> str:
        return pad(fit(cells[0], sizes[0] - 1), sizes[0]) + "".join(
            pad(c, s, True) for c, s in zip(cells[1:], sizes[1:]))

    out = [line(head), "-" * sum(sizes)]
    for report in reports:
        row = wording.class_row(report)
        if row["failed"] and not row["ran"]:
            out.append(pad(fit(row["name"], sizes[0] - 1), sizes[0]) + "出错：" + row["error"][:60])
            continue
        out.append(line([row["name"]] + [pct(value) for value in row["coverage"]]
                        + [f"{row['misrouted']}/{row['negatives']}", f"{row['scenarios_passed']}/{row['scenarios']}",
                           str(row["data_findings"]), wording.score_text(row["score"])]))
    return out + ["-" * sum(sizes), wording.class_summary(reports)]


def print_terminal(reports: List[Dict[str, Any]], single: bool, student_view: bool) -> None:
    if single and reports[0]["error"]:
        console.info(f"{reports[0]['project']['name']} 没有运行起来：{reports[0]['error']}")
    for row in project_table(reports[0], student_view) if single else class_table(reports):
        console.info(row)
